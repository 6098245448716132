// The example app reads the right environment's values: go test ./...
//
// Each test lays out a copy of this project's fork-stack.toml in a temporary directory, with the files
// fork-stack writes (.current-env, .fork-stack/envs/<env>.env), so nothing here touches your environments.
package app

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"{{project}}/envutils"
)

func project(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	config, err := os.ReadFile(filepath.Join("..", "fork-stack.toml"))
	if err != nil {
		t.Fatal(err)
	}
	write(t, dir, "fork-stack.toml", string(config))
	return dir
}

func write(t *testing.T, dir, relative, text string) {
	t.Helper()
	path := filepath.Join(dir, relative)
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}

func describe(t *testing.T, dir string, env map[string]string) map[string]string {
	t.Helper()
	lines, err := Describe(envutils.New(dir, env))
	if err != nil {
		t.Fatal(err)
	}
	values := map[string]string{}
	for _, line := range lines {
		if line.Set {
			values[line.Label] = line.Value
		}
	}
	return values
}

func TestAnEnvironmentGetsItsOwnValues(t *testing.T) {
	dir := project(t)
	write(t, dir, ".fork-stack/envs/alice.env", "DATABASE_URL=postgres://db/alice\nBUCKET_NAME=app-bucket-alice\n")
	write(t, dir, ".fork-stack/envs/bob.env", "DATABASE_URL=postgres://db/bob\nBUCKET_NAME=app-bucket-bob\n")
	for _, env := range []string{"alice", "bob"} {
		got := describe(t, dir, map[string]string{"FORK_STACK_ENV": env})
		if got["environment"] != env || got["DATABASE_URL"] != "postgres://db/"+env || got["BUCKET_NAME"] != "app-bucket-"+env {
			t.Errorf("%s: got %v", env, got)
		}
	}
}

func TestTheCurrentEnvironmentComesFromDotCurrentEnv(t *testing.T) {
	dir := project(t)
	write(t, dir, ".current-env", "alice\n")
	write(t, dir, ".fork-stack/envs/alice.env", "CACHE_URL=redis://cache:6379/3\n")
	got := describe(t, dir, map[string]string{})
	if got["environment"] != "alice" || got["CACHE_URL"] != "redis://cache:6379/3" {
		t.Errorf("got %v", got)
	}
}

func TestProductionReadsTheProcessEnvironmentOnly(t *testing.T) {
	dir := project(t)
	got := describe(t, dir, map[string]string{"ENV": "production", "DATABASE_URL": "postgres://prod/app", "QUEUE_URL": "redis://queue"})
	if got["environment"] != "prod" || got["DATABASE_URL"] != "postgres://prod/app" || got["QUEUE_URL"] != "redis://queue" {
		t.Errorf("got %v", got)
	}
}

func TestTheProjectNameIsTheOneInForkStackToml(t *testing.T) {
	got := describe(t, project(t), map[string]string{})
	config, err := os.ReadFile(filepath.Join("..", "fork-stack.toml"))
	if err != nil {
		t.Fatal(err)
	}
	if got["project"] == "" || !strings.Contains(string(config), `project = "`+got["project"]+`"`) {
		t.Errorf("project %q is not the one in fork-stack.toml", got["project"])
	}
}

func TestAMalformedCurrentEnvIsAClearError(t *testing.T) {
	dir := project(t)
	write(t, dir, ".current-env", "Not A Name\n")
	_, err := Describe(envutils.New(dir, map[string]string{}))
	var readerErr *envutils.Error
	if !errors.As(err, &readerErr) || readerErr.Code != envutils.CodeInvalidCurrentEnv {
		t.Fatalf("want an %s error, got %v", envutils.CodeInvalidCurrentEnv, err)
	}
}
