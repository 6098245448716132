// Command go-web serves notes over HTTP in the current environment (standard library net/http):
//
//	GET  /             the environment's notes (rows) and files (bucket)
//	POST /notes        body=<text>: one row in SQLite and one file in the bucket
//	GET  /api/status   the same as JSON
//
//	PORT=8000 go run .          (make up)
//
// The database is the environment's SQLite file (DATABASE_URL, through database/sql and
// github.com/mattn/go-sqlite3), the bucket its directory (BUCKET_NAME); both come from the reader.
package main

import (
	"encoding/json"
	"fmt"
	"html/template"
	"net"
	"net/http"
	"os"
	"strings"

	"example.com/goweb/envutils"
)

var pageTemplate = template.Must(template.New("page").Parse(`<!doctype html><meta charset=utf-8><title>notes — {{.Env}}</title>
<h1>Notes in <code>{{.Env}}</code></h1>
<form method=post action=/notes><input name=body required autofocus> <button>Add</button></form>
<h2>Rows</h2><ul>{{range .Notes}}<li>{{.Body}}</li>{{end}}</ul>
<h2>Files in <code>{{.Bucket}}</code></h2><ul>{{range .Files}}<li><code>{{.}}</code></li>{{end}}</ul>`))

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(v)
}

// Handler serves the notes of the store's environment.
func Handler(store Store) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("/api/status", func(w http.ResponseWriter, r *http.Request) {
		st, err := store.Status()
		if err != nil {
			writeJSON(w, http.StatusInternalServerError, map[string]string{"error": err.Error()})
			return
		}
		writeJSON(w, http.StatusOK, st)
	})
	mux.HandleFunc("/notes", func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			writeJSON(w, http.StatusMethodNotAllowed, map[string]string{"error": "POST a note"})
			return
		}
		body := strings.TrimSpace(r.FormValue("body"))
		if body == "" {
			writeJSON(w, http.StatusBadRequest, map[string]string{"error": "body is required"})
			return
		}
		added, err := store.Add(body)
		if err != nil {
			writeJSON(w, http.StatusInternalServerError, map[string]string{"error": err.Error()})
			return
		}
		if strings.Contains(r.Header.Get("Accept"), "application/json") {
			writeJSON(w, http.StatusCreated, added)
			return
		}
		http.Redirect(w, r, "/", http.StatusSeeOther)
	})
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/" {
			writeJSON(w, http.StatusNotFound, map[string]string{"error": "not found"})
			return
		}
		st, err := store.Status()
		if err != nil {
			writeJSON(w, http.StatusInternalServerError, map[string]string{"error": err.Error()})
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_ = pageTemplate.Execute(w, st)
	})
	return mux
}

func main() {
	env, err := envutils.CurrentEnv()
	if err != nil {
		fmt.Fprintln(os.Stderr, "error:", err)
		os.Exit(1)
	}
	port := os.Getenv("PORT")
	if port == "" {
		port = "8000"
	}
	listener, err := net.Listen("tcp", "127.0.0.1:"+port)
	if err != nil {
		fmt.Fprintln(os.Stderr, "error:", err)
		os.Exit(1)
	}
	fmt.Printf("serving %s on http://%s\n", env, listener.Addr())
	if err := http.Serve(listener, Handler(Store{Reader: envutils.Default})); err != nil {
		fmt.Fprintln(os.Stderr, "error:", err)
		os.Exit(1)
	}
}
