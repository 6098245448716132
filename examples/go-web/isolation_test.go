package main

// Isolation, end to end: the CLI forks dev, the app's handler serves the fork on a free port, a note
// posted to it (a row and a file) lands there, and dev's database file and bucket are byte for byte
// unchanged. make test-isolation (FORK_STACK=... picks the CLI; runs make envs-init first).

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"example.com/goweb/envutils"
)

func fingerprint(t *testing.T, r envutils.Reader) map[string]string {
	t.Helper()
	out := map[string]string{}
	hash := func(path string) string {
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		sum := sha256.Sum256(data)
		return hex.EncodeToString(sum[:])
	}
	db, _ := r.LocalDBPath()
	out["database"] = hash(db)
	bucket, _ := r.BucketName("")
	_ = filepath.WalkDir(bucket, func(path string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			rel, _ := filepath.Rel(bucket, path)
			out[rel] = hash(path)
		}
		return err
	})
	return out
}

func TestIsolation(t *testing.T) {
	if os.Getenv("FORK_STACK_INTEGRATION") != "1" {
		t.Skip("set FORK_STACK_INTEGRATION=1 (make test-isolation)")
	}
	root, _ := os.Getwd()
	cli := strings.Fields(os.Getenv("FORK_STACK_CLI"))
	if len(cli) == 0 {
		cli = []string{"npx", "--no-install", "fork-stack"}
	}
	name := os.Getenv("FORK_STACK_TEST_ENV")
	if name == "" {
		name = "itest"
	}
	environ := map[string]string{}
	for _, kv := range os.Environ() {
		if k, v, _ := strings.Cut(kv, "="); k != "FORK_STACK_ENV" && k != "ENV" {
			environ[k] = v
		}
	}
	run := func(args ...string) error {
		cmd := exec.Command(cli[0], append(append([]string{}, cli[1:]...), args...)...)
		cmd.Dir = root
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Logf("fork-stack %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		return err
	}
	defer func() {
		_ = run("switch", "dev")
		_ = run("delete", name, "--yes")
	}()
	dev := Store{Reader: envutils.New(root, map[string]string{"FORK_STACK_ENV": "dev"})}

	if run("switch", "dev") != nil {
		t.FailNow()
	}
	if _, err := dev.Add("dev's note"); err != nil {
		t.Fatal(err)
	}
	devBefore := fingerprint(t, dev.Reader)
	if run("create", name, "--switch") != nil {
		t.FailNow()
	}
	// The app's handler, on a free port, in the current environment (from .current-env).
	server := httptest.NewServer(Handler(Store{Reader: envutils.New(root, environ)}))
	defer server.Close()

	var before, after Status
	get := func(into *Status) {
		res, err := http.Get(server.URL + "/api/status")
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		_ = json.NewDecoder(res.Body).Decode(into)
	}
	get(&before)
	if before.Env != name || len(before.Notes) == 0 || before.Notes[len(before.Notes)-1].Body != "dev's note" {
		t.Fatalf("the fork = %+v", before) // forked with dev's data
	}
	req, _ := http.NewRequest(http.MethodPost, server.URL+"/notes", strings.NewReader(url.Values{"body": {"only in the fork"}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	res, err := http.DefaultClient.Do(req)
	if err != nil || res.StatusCode != http.StatusCreated {
		t.Fatalf("POST /notes: %v %v", res, err)
	}
	var added Added
	_ = json.NewDecoder(res.Body).Decode(&added)
	res.Body.Close()
	get(&after)
	if added.Env != name || len(after.Notes) != len(before.Notes)+1 || !contains(after.Files, added.Key) {
		t.Errorf("added %+v; the fork now %+v", added, after)
	}
	if got := fingerprint(t, dev.Reader); !reflect.DeepEqual(got, devBefore) {
		t.Errorf("dev changed:\n%v\nwas\n%v", got, devBefore)
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
