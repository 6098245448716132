package main

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"example.com/goweb/envutils"
)

// project copies fork-stack.toml into a fresh directory; env creates what `fork-stack create` leaves.
func project(t *testing.T) string {
	t.Helper()
	dir, _ := filepath.EvalSymlinks(t.TempDir())
	config, err := os.ReadFile("fork-stack.toml")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "fork-stack.toml"), config, 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

func env(t *testing.T, dir, name string) Store {
	t.Helper()
	r := envutils.New(dir, map[string]string{"FORK_STACK_ENV": name})
	db, _ := r.LocalDBPath()
	bucket, _ := r.BucketName("")
	if err := os.MkdirAll(filepath.Dir(db), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(db, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(bucket, 0o755); err != nil {
		t.Fatal(err)
	}
	return Store{Reader: r}
}

func TestNotesStayInTheirEnvironment(t *testing.T) {
	dir := project(t)
	dev, alice := env(t, dir, "dev"), env(t, dir, "alice")
	if _, err := dev.Add("dev"); err != nil {
		t.Fatal(err)
	}
	added, err := alice.Add("alice <b>")
	if err != nil || added != (Added{Env: "alice", ID: 1, Key: "notes/1.txt"}) {
		t.Fatalf("Add = %+v, %v", added, err)
	}
	st, err := alice.Status()
	if err != nil || !reflect.DeepEqual(st.Notes, []Note{{1, "alice <b>"}}) || !reflect.DeepEqual(st.Files, []string{"notes/1.txt"}) {
		t.Fatalf("alice = %+v, %v", st, err)
	}
	if st.Bucket != filepath.Join(dir, ".fork-stack", "buckets", "myapp-bucket-alice") {
		t.Errorf("bucket = %s", st.Bucket)
	}
	if d, _ := dev.Status(); len(d.Notes) != 1 || d.Notes[0].Body != "dev" {
		t.Errorf("dev = %+v", d)
	}
}

func TestAnEnvironmentThatDoesNotExistIsNotCreated(t *testing.T) {
	dir := project(t)
	ghost := Store{Reader: envutils.New(dir, map[string]string{"FORK_STACK_ENV": "ghost"})}
	if _, err := ghost.Add("boo"); err == nil || !strings.Contains(err.Error(), "make envs-new ghost") {
		t.Fatalf("err = %v", err)
	}
	if db, _ := ghost.Reader.LocalDBPath(); fileExists(db) {
		t.Errorf("%s was created", db)
	}
}

func fileExists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

func TestHTTP(t *testing.T) {
	server := httptest.NewServer(Handler(env(t, project(t), "alice")))
	defer server.Close()
	req, _ := http.NewRequest(http.MethodPost, server.URL+"/notes", strings.NewReader(url.Values{"body": {"<hello>"}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	res, err := http.DefaultClient.Do(req)
	if err != nil || res.StatusCode != http.StatusCreated {
		t.Fatalf("POST /notes: %v %v", res, err)
	}
	res.Body.Close()
	res, _ = http.Get(server.URL + "/api/status")
	var st Status
	_ = json.NewDecoder(res.Body).Decode(&st)
	res.Body.Close()
	if len(st.Notes) != 1 || st.Notes[0].Body != "<hello>" {
		t.Errorf("status = %+v", st)
	}
	res, _ = http.Get(server.URL + "/")
	page := new(strings.Builder)
	buf := make([]byte, 4096)
	for n, _ := res.Body.Read(buf); n > 0; n, _ = res.Body.Read(buf) {
		page.Write(buf[:n])
	}
	res.Body.Close()
	if !strings.Contains(page.String(), "&lt;hello&gt;") {
		t.Errorf("the page does not escape the note: %s", page)
	}
	res, _ = http.PostForm(server.URL+"/notes", url.Values{"body": {" "}})
	if res.StatusCode != http.StatusBadRequest {
		t.Errorf("empty note: %d", res.StatusCode)
	}
}
