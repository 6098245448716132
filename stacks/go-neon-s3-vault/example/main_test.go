package main

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"example.com/myapp/envutils"
)

// conventions: what fork-stack.toml's naming gives before any `fork-stack switch` ("" = no
// convention: the value only comes from the env file).
var conventions = map[string]struct{ databaseURL, bucket string }{
	"prod":  {"", "myapp-bucket-prod"},
	"dev":   {"", "myapp-bucket-dev"},
	"alice": {"", "myapp-bucket-alice"},
}

// aliceEnvFile is what `fork-stack switch alice` writes for this stack (values shaped like the providers').
var aliceEnvFile = map[string]string{
	"FORK_STACK_ENV": "alice",
	"DATABASE_URL":   "postgresql://neondb_owner:pw-alice@ep-cool-night-123456.us-east-2.aws.neon.tech/neondb?sslmode=require",
	"BUCKET_NAME":    "myapp-bucket-alice",
	"BUCKET_UPLOADS": "myapp-bucket-alice",
	"AWS_REGION":     "us-east-1",
	"API_URL":        "http://localhost:3000",
	"STRIPE_KEY":     "sk_test_pw-alice",
}

// project copies the stack's fork-stack.toml into a fresh directory: what a user has after copying it.
func project(t *testing.T) string {
	t.Helper()
	dir, err := filepath.EvalSymlinks(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	config, err := os.ReadFile(filepath.Join("..", "fork-stack.toml"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "fork-stack.toml"), config, 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

func switchTo(t *testing.T, dir, env string, values map[string]string) {
	t.Helper()
	var lines strings.Builder
	for k, v := range values {
		quoted, _ := json.Marshal(v)
		lines.WriteString(k + "=" + string(quoted) + "\n")
	}
	if err := os.MkdirAll(filepath.Join(dir, ".fork-stack", "envs"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, ".fork-stack", "envs", env+".env"), []byte(lines.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, ".current-env"), []byte(env+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestConventions(t *testing.T) {
	dir := project(t)
	for env, want := range conventions {
		r := envutils.New(dir, map[string]string{"FORK_STACK_ENV": env})
		if name, _ := r.ProjectName(); name != "myapp" {
			t.Errorf("project = %q", name)
		}
		if bucket, err := r.BucketName(""); err != nil || bucket != want.bucket {
			t.Errorf("%s: bucket = %q, %v; want %q", env, bucket, err, want.bucket)
		}
		url, err := r.DatabaseURL()
		if want.databaseURL == "" {
			var readerErr *envutils.Error
			if !errors.As(err, &readerErr) || readerErr.Code != "missing-value" || !strings.Contains(err.Error(), "fork-stack switch "+env) {
				t.Errorf("%s: database URL without an env file = %q, %v; want a missing-value error", env, url, err)
			}
		} else if err != nil || url != want.databaseURL {
			t.Errorf("%s: database URL = %q, %v; want %q", env, url, err, want.databaseURL)
		}
	}
}

func TestDescribeReadsWhatSwitchWrote(t *testing.T) {
	dir := project(t)
	switchTo(t, dir, "alice", aliceEnvFile)
	got, err := Describe(envutils.New(dir, map[string]string{}))
	if err != nil {
		t.Fatal(err)
	}
	want := Summary{}
	if err := json.Unmarshal([]byte(`{"env": "alice", "project": "myapp", "database": {"provider": "neon", "url": "postgresql://neondb_owner:****@ep-cool-night-123456.us-east-2.aws.neon.tech/neondb?sslmode=require", "auth_token": null}, "storage": {"provider": "s3", "bucket": "myapp-bucket-alice", "endpoint": null, "region": "us-east-1"}, "secrets": ["API_URL", "STRIPE_KEY"]}`), &want); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Describe = %+v\nwant %+v", got, want)
	}
	out, _ := json.Marshal(got)
	if strings.Contains(string(out), "pw-alice") {
		t.Errorf("a password leaked into %s", out)
	}
}

func TestProductionNeedsNoFile(t *testing.T) {
	dir := project(t)
	env := map[string]string{"ENV": "production"}
	for k, v := range aliceEnvFile {
		if k != "FORK_STACK_ENV" {
			env[k] = v
		}
	}
	got, err := Describe(envutils.New(dir, env))
	if err != nil {
		t.Fatal(err)
	}
	if got.Env != "prod" || got.Storage.Bucket != aliceEnvFile["BUCKET_NAME"] {
		t.Errorf("Describe = %+v", got)
	}
}

func TestABrokenEnvFileIsAClearError(t *testing.T) {
	dir := project(t)
	switchTo(t, dir, "alice", map[string]string{})
	if err := os.WriteFile(filepath.Join(dir, ".fork-stack", "envs", "alice.env"), []byte("not a line\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := Describe(envutils.New(dir, map[string]string{}))
	if err == nil || !strings.Contains(err.Error(), "alice.env") {
		t.Errorf("err = %v; want one naming alice.env", err)
	}
	if code := run(nil, envutils.New(dir, map[string]string{})); code != 1 {
		t.Errorf("exit code %d; want 1", code)
	}
}

func TestMaskURL(t *testing.T) {
	for in, want := range map[string]string{
		"postgresql://u:secret@h.example:5432/db?x=1": "postgresql://u:****@h.example:5432/db?x=1",
		"libsql://db-org.turso.io":                    "libsql://db-org.turso.io",
	} {
		if got := MaskURL(in); got != want {
			t.Errorf("MaskURL(%q) = %q; want %q", in, got, want)
		}
	}
}
