package main

import (
	"database/sql"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"example.com/goweb/envutils"
	_ "github.com/mattn/go-sqlite3" // database/sql driver "sqlite3" (cgo, the system libsqlite3)
)

const schema = `CREATE TABLE IF NOT EXISTS notes (id INTEGER PRIMARY KEY AUTOINCREMENT, body TEXT NOT NULL, created_at TEXT NOT NULL)`

// Store is the current environment's database and bucket, as the reader resolves them.
type Store struct{ Reader envutils.Reader }

type Note struct {
	ID   int64  `json:"id"`
	Body string `json:"body"`
}

type Status struct {
	Env         string   `json:"env"`
	DatabaseURL string   `json:"database_url"`
	Bucket      string   `json:"bucket"`
	Notes       []Note   `json:"notes"`
	Files       []string `json:"files"`
}

type Added struct {
	Env string `json:"env"`
	ID  int64  `json:"id"`
	Key string `json:"key"`
}

// open opens the environment's SQLite file read-write, never creating it: a missing file means the
// environment does not exist (`make envs-new <env>`).
func (s Store) open() (*sql.DB, error) {
	url, err := s.Reader.DatabaseURL()
	if err != nil {
		return nil, err
	}
	if !strings.HasPrefix(url, "file:") {
		return nil, fmt.Errorf("this example needs the sqlite provider (a file: DATABASE_URL), got %q", strings.SplitN(url, ":", 2)[0])
	}
	path, err := s.Reader.LocalDBPath()
	if err != nil {
		return nil, err
	}
	if _, err := os.Stat(path); err != nil {
		env, _ := s.Reader.CurrentEnv()
		return nil, fmt.Errorf("the database of %s (%s) does not exist: create the environment first (make envs-new %s)", env, path, env)
	}
	sep := "?"
	if strings.Contains(url, "?") {
		sep = "&"
	}
	db, err := sql.Open("sqlite3", url+sep+"mode=rw")
	if err != nil {
		return nil, err
	}
	if _, err := db.Exec(schema); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

func (s Store) Status() (Status, error) {
	var st Status
	var err error
	if st.Env, err = s.Reader.CurrentEnv(); err != nil {
		return st, err
	}
	if st.DatabaseURL, err = s.Reader.DatabaseURL(); err != nil {
		return st, err
	}
	if st.Bucket, err = s.Reader.BucketName(""); err != nil {
		return st, err
	}
	db, err := s.open()
	if err != nil {
		return st, err
	}
	defer db.Close()
	rows, err := db.Query(`SELECT id, body FROM notes ORDER BY id`)
	if err != nil {
		return st, err
	}
	defer rows.Close()
	st.Notes = []Note{}
	for rows.Next() {
		var n Note
		if err := rows.Scan(&n.ID, &n.Body); err != nil {
			return st, err
		}
		st.Notes = append(st.Notes, n)
	}
	st.Files = []string{}
	err = filepath.WalkDir(st.Bucket, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(st.Bucket, path)
		st.Files = append(st.Files, filepath.ToSlash(rel))
		return nil
	})
	sort.Strings(st.Files)
	return st, err
}

// Add writes one note: a row in the database and a file in the bucket, both in the current environment.
func (s Store) Add(body string) (Added, error) {
	var a Added
	var err error
	if a.Env, err = s.Reader.CurrentEnv(); err != nil {
		return a, err
	}
	bucket, err := s.Reader.BucketName("")
	if err != nil {
		return a, err
	}
	db, err := s.open()
	if err != nil {
		return a, err
	}
	defer db.Close()
	res, err := db.Exec(`INSERT INTO notes (body, created_at) VALUES (?, ?)`, body, time.Now().UTC().Format(time.RFC3339))
	if err != nil {
		return a, err
	}
	if a.ID, err = res.LastInsertId(); err != nil {
		return a, err
	}
	if a.Key, err = s.Reader.S3Key("notes", fmt.Sprintf("%d.txt", a.ID)); err != nil {
		return a, err
	}
	file := filepath.Join(bucket, filepath.FromSlash(a.Key))
	if err := os.MkdirAll(filepath.Dir(file), 0o755); err != nil {
		return a, err
	}
	return a, os.WriteFile(file, []byte(body+"\n"), 0o644)
}
