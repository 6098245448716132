package main

// Integration test: the real CLI creates an environment from dev, switches to it, Describe reads
// that environment's values through envutils — exactly what the CLI created — then dev is
// current again, unchanged, and the environment is deleted.
//
//	make test-integration
//
// Runs only with FORK_STACK_INTEGRATION=1, against whatever the credentials in your shell reach (your
// accounts: it creates and deletes a throwaway environment; or the provider fakes fork-stack's own
// tests use). The CLI is FORK_STACK_CLI (default `npx --no-install fork-stack`); the environment's
// name is FORK_STACK_TEST_ENV (default itest).

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"example.com/myapp/envutils"
)

const parentEnv = "dev"

type integration struct {
	t       *testing.T
	root    string
	command []string
	env     map[string]string
}

func newIntegration(t *testing.T) *integration {
	if os.Getenv("FORK_STACK_INTEGRATION") != "1" {
		t.Skip("set FORK_STACK_INTEGRATION=1 (make test-integration)")
	}
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	cli := strings.Fields(os.Getenv("FORK_STACK_CLI"))
	if len(cli) == 0 {
		cli = []string{"npx", "--no-install", "fork-stack"}
	}
	// The app and the CLI pick the environment from .current-env, as on a developer's machine.
	env := map[string]string{}
	for _, kv := range os.Environ() {
		k, v, _ := strings.Cut(kv, "=")
		if k != "FORK_STACK_ENV" && k != "ENV" {
			env[k] = v
		}
	}
	env["NO_COLOR"] = "1"
	return &integration{t: t, root: root, command: cli, env: env}
}

func (it *integration) run(args ...string) (string, error) {
	cmd := exec.Command(it.command[0], append(append([]string{}, it.command[1:]...), args...)...)
	cmd.Dir = it.root
	for k, v := range it.env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	out, err := cmd.Output()
	if exit, ok := err.(*exec.ExitError); ok {
		return string(out), &cliError{args: args, stderr: string(exit.Stderr), err: err}
	}
	return string(out), err
}

type cliError struct {
	args   []string
	stderr string
	err    error
}

func (e *cliError) Error() string {
	return "fork-stack " + strings.Join(e.args, " ") + ": " + e.err.Error() + "\n" + e.stderr
}

func (it *integration) cli(args ...string) string {
	it.t.Helper()
	out, err := it.run(args...)
	if err != nil {
		it.t.Fatal(err)
	}
	return out
}

func (it *integration) describe() Summary {
	it.t.Helper()
	s, err := Describe(envutils.New(it.root, it.env))
	if err != nil {
		it.t.Fatal(err)
	}
	return s
}

func (it *integration) environments() map[string]string {
	it.t.Helper()
	var list struct {
		Environments []struct{ Name, State string } `json:"environments"`
	}
	if err := json.Unmarshal([]byte(it.cli("list", "--json")), &list); err != nil {
		it.t.Fatal(err)
	}
	states := map[string]string{}
	for _, e := range list.Environments {
		states[e.Name] = e.State
	}
	return states
}

func TestCreateSwitchReadDelete(t *testing.T) {
	it := newIntegration(t)
	name := os.Getenv("FORK_STACK_TEST_ENV")
	if name == "" {
		name = "itest"
	}
	finished := false
	defer func() {
		if !finished { // never leave the environment behind when the test stopped half-way
			_, _ = it.run("switch", parentEnv)
			_, _ = it.run("delete", name, "--yes")
		}
	}()

	it.cli("switch", parentEnv)
	parent := it.describe()
	if parent.Env != parentEnv {
		t.Fatalf("env = %q; want %q", parent.Env, parentEnv)
	}

	it.cli("create", name, "--switch")
	var created map[string]string
	if err := json.Unmarshal([]byte(it.cli("env", name, "--format", "json", "--reveal")), &created); err != nil {
		t.Fatal(err)
	}
	mine := it.describe()
	// The app reads exactly what the CLI created, through the reader.
	ptr := func(key string) *string {
		if v, ok := created[key]; ok {
			return &v
		}
		return nil
	}
	if mine.Env != name || mine.Database.URL != MaskURL(created["DATABASE_URL"]) || mine.Storage.Bucket != created["BUCKET_NAME"] ||
		!reflect.DeepEqual(mine.Storage.Endpoint, ptr("AWS_ENDPOINT_URL_S3")) || !reflect.DeepEqual(mine.Storage.Region, ptr("AWS_REGION")) {
		t.Errorf("the app read %+v\nthe CLI created %v", mine, created)
	}
	if (mine.Database.AuthToken != nil) != (created["DATABASE_AUTH_TOKEN"] != "") {
		t.Errorf("auth token: app %v, CLI %q", mine.Database.AuthToken, created["DATABASE_AUTH_TOKEN"])
	}
	if !strings.HasPrefix(mine.Database.URL, "libsql://myapp-"+name+"-") {
		t.Errorf("database URL %q is not database myapp-%s", mine.Database.URL, name)
	}
	// Its own resources, not the parent's; the parent's secrets were copied.
	if mine.Storage.Bucket != "myapp-bucket-"+name || mine.Database.URL == parent.Database.URL || !reflect.DeepEqual(mine.Secrets, parent.Secrets) {
		t.Errorf("%s: %+v\n%s: %+v", name, mine, parentEnv, parent)
	}
	if state := it.environments()[name]; state != "ready" {
		t.Errorf("list: %s is %q", name, state)
	}

	it.cli("switch", parentEnv)
	if again := it.describe(); !reflect.DeepEqual(again, parent) {
		t.Errorf("%s changed: %+v\nwas %+v", parentEnv, again, parent)
	}
	it.cli("delete", name, "--yes")
	if _, still := it.environments()[name]; still {
		t.Errorf("%s is still listed after delete", name)
	}
	finished = true
}
