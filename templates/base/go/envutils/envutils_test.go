package envutils_test

// The Go reader against the fork-stack conformance vectors (conformance/v1/*.json): go test ./...
// The vectors are found by walking up from this package to conformance/v1/VERSION, or in
// FORK_STACK_CONFORMANCE_DIR. Each case is a subtest named <file>/<case>.

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/fork-stack/fork-stack/templates/base/go/envutils"
)

const fakeCLIScript = `#!/bin/sh
dir=$(dirname "$0")
pwd -P > "$dir/cwd"
: > "$dir/args"
for arg in "$@"; do printf '%s\n' "$arg" >> "$dir/args"; done
cat > "$dir/stdin"
if [ -f "$dir/stderr" ]; then cat "$dir/stderr" >&2; fi
exit "$(cat "$dir/exit" 2>/dev/null || echo 0)"
`

type expectation struct {
	Call            string   `json:"call"`
	Args            []string `json:"args"`
	Error           *string  `json:"error"`
	MessageContains []string `json:"message_contains"`
	CLI             *struct {
		Exit   int    `json:"exit"`
		Stderr string `json:"stderr"`
	} `json:"cli"`
	// Keys as written, to tell "value": null (absent) from no "value" at all.
	raw map[string]json.RawMessage
}

func (e *expectation) UnmarshalJSON(data []byte) error {
	type plain expectation
	if err := json.Unmarshal(data, (*plain)(e)); err != nil {
		return err
	}
	return json.Unmarshal(data, &e.raw)
}

type vectorCase struct {
	Name            string                     `json:"name"`
	Env             map[string]string          `json:"env"`
	Files           map[string]json.RawMessage `json:"files"`
	Cwd             string                     `json:"cwd"`
	RequiresNonRoot string                     `json:"requires_non_root"`
	Expect          []expectation              `json:"expect"`
}

type vectorFile struct {
	Contract string       `json:"contract"`
	Cases    []vectorCase `json:"cases"`
}

func conformanceDir(t *testing.T) string {
	if dir := os.Getenv("FORK_STACK_CONFORMANCE_DIR"); dir != "" {
		abs, _ := filepath.Abs(dir)
		return abs
	}
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "conformance", "v1", "VERSION")); err == nil {
			return filepath.Join(dir, "conformance")
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("conformance/ not found above this package; set FORK_STACK_CONFORMANCE_DIR")
		}
		dir = parent
	}
}

func loadVectors(t *testing.T) (map[string]vectorFile, []string) {
	dir := filepath.Join(conformanceDir(t), "v1")
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	files := map[string]vectorFile{}
	var names []string
	for _, entry := range entries {
		if !strings.HasSuffix(entry.Name(), ".json") {
			continue
		}
		data, err := os.ReadFile(filepath.Join(dir, entry.Name()))
		if err != nil {
			t.Fatal(err)
		}
		var doc vectorFile
		if err := json.Unmarshal(data, &doc); err != nil {
			t.Fatalf("%s: %v", entry.Name(), err)
		}
		files[entry.Name()] = doc
		names = append(names, entry.Name())
	}
	sort.Strings(names)
	return files, names
}

type workspace struct {
	base, root, fake, cwd string
	env                   map[string]string
	modes                 []string
}

func (w *workspace) sub(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "{root}", w.root), "{fake_cli}", "/bin/sh "+w.fake+"/cli.sh")
}

func materialise(t *testing.T, c vectorCase) *workspace {
	base, err := filepath.EvalSymlinks(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	w := &workspace{base: base, root: filepath.Join(base, "project"), fake: filepath.Join(base, "fake-cli")}
	t.Cleanup(func() {
		for _, path := range w.modes {
			_ = os.Chmod(path, 0o700)
		}
	})
	must(t, os.Mkdir(w.root, 0o755))
	must(t, os.Mkdir(w.fake, 0o755))
	must(t, os.WriteFile(filepath.Join(w.fake, "cli.sh"), []byte(fakeCLIScript), 0o644))
	type modeChange struct {
		path string
		mode os.FileMode
	}
	var later []modeChange
	for rel, raw := range c.Files {
		path := filepath.Join(w.root, rel)
		must(t, os.MkdirAll(filepath.Dir(path), 0o755))
		var content string
		if json.Unmarshal(raw, &content) == nil {
			must(t, os.WriteFile(path, []byte(w.sub(content)), 0o644))
			continue
		}
		var spec struct {
			Content *string
			Base64  *string
			Mode    string
			Dir     bool
		}
		must(t, json.Unmarshal(raw, &spec))
		switch {
		case spec.Dir:
			must(t, os.MkdirAll(path, 0o755))
		case spec.Base64 != nil:
			data, err := base64.StdEncoding.DecodeString(*spec.Base64)
			must(t, err)
			must(t, os.WriteFile(path, data, 0o644))
		default:
			text := ""
			if spec.Content != nil {
				text = *spec.Content
			}
			must(t, os.WriteFile(path, []byte(w.sub(text)), 0o644))
		}
		if spec.Mode != "" {
			mode, err := strconv.ParseUint(spec.Mode, 8, 32)
			must(t, err)
			later = append(later, modeChange{path, os.FileMode(mode)})
		}
	}
	for _, m := range later {
		must(t, os.Chmod(m.path, m.mode))
		w.modes = append(w.modes, m.path)
	}
	w.cwd = filepath.Join(w.root, c.Cwd)
	must(t, os.MkdirAll(w.cwd, 0o755))
	w.env = map[string]string{}
	for k, v := range c.Env {
		w.env[k] = w.sub(v)
	}
	return w
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func (w *workspace) armCLI(t *testing.T, exit int, stderr string) {
	for _, name := range []string{"args", "stdin", "cwd", "exit", "stderr"} {
		_ = os.Remove(filepath.Join(w.fake, name))
	}
	must(t, os.WriteFile(filepath.Join(w.fake, "exit"), []byte(strconv.Itoa(exit)), 0o644))
	if stderr != "" {
		must(t, os.WriteFile(filepath.Join(w.fake, "stderr"), []byte(stderr), 0o644))
	}
}

func (w *workspace) cliCall(t *testing.T) any {
	read := func(name string) string {
		data, err := os.ReadFile(filepath.Join(w.fake, name))
		must(t, err)
		return string(data)
	}
	if _, err := os.Stat(filepath.Join(w.fake, "args")); err != nil {
		return nil
	}
	lines := strings.Split(read("args"), "\n")
	args := make([]any, 0, len(lines))
	for _, a := range lines[:len(lines)-1] {
		args = append(args, a)
	}
	return map[string]any{"args": args, "stdin": read("stdin"), "cwd": strings.TrimSuffix(read("cwd"), "\n")}
}

// call runs one accessor; a nil result stands for "absent" (JSON null).
func call(reader *envutils.EnvConfig, name string, args []string) (any, error) {
	arg := func(i int) string { return args[i] }
	str := func(v string, err error) (any, error) { return v, err }
	optional := func(v string, ok bool, err error) (any, error) {
		if !ok {
			return nil, err
		}
		return v, err
	}
	switch name {
	case "current_env":
		return str(reader.CurrentEnv())
	case "project_name":
		return str(reader.ProjectName())
	case "database_url":
		return str(reader.DatabaseURL())
	case "database_auth_token":
		return optional(reader.DatabaseAuthToken())
	case "local_db_path":
		return str(reader.LocalDBPath())
	case "bucket_name":
		if len(args) == 0 {
			return str(reader.BucketName(""))
		}
		return str(reader.BucketName(arg(0)))
	case "s3_key":
		return str(reader.S3Key(arg(0), arg(1)))
	case "secret":
		return str(reader.Secret(arg(0)))
	case "lookup_secret":
		return optional(reader.LookupSecret(arg(0)))
	case "all_secrets":
		values, err := reader.AllSecrets()
		out := map[string]any{}
		for k, v := range values {
			out[k] = v
		}
		return out, err
	case "set_secret":
		return nil, reader.SetSecret(arg(0), arg(1))
	case "cache_url":
		return str(reader.CacheURL())
	case "cache_key_prefix":
		return str(reader.CacheKeyPrefix())
	case "queue_url":
		return str(reader.QueueURL())
	case "queue_prefix":
		return str(reader.QueuePrefix())
	case "contract_version":
		return envutils.ContractVersion, nil
	}
	return nil, fmt.Errorf("unknown call %s in the vectors: add it to this runner", name)
}

func substitute(w *workspace, v any) any {
	switch x := v.(type) {
	case string:
		return w.sub(x)
	case map[string]any:
		out := map[string]any{}
		for k, item := range x {
			out[k] = substitute(w, item)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, item := range x {
			out[i] = substitute(w, item)
		}
		return out
	}
	return v
}

func TestConformance(t *testing.T) {
	files, names := loadVectors(t)
	version, err := os.ReadFile(filepath.Join(conformanceDir(t), "v1", "VERSION"))
	must(t, err)
	if strings.TrimSpace(string(version)) != envutils.ContractVersion {
		t.Fatalf("conformance/v1/VERSION is %q, the reader implements %q", version, envutils.ContractVersion)
	}
	total := 0
	for _, file := range names {
		doc := files[file]
		if doc.Contract != envutils.ContractVersion {
			t.Errorf("%s: contract %q", file, doc.Contract)
		}
		for _, c := range doc.Cases {
			c := c
			total++
			t.Run(strings.TrimSuffix(file, ".json")+"/"+c.Name, func(t *testing.T) {
				if c.RequiresNonRoot != "" && os.Geteuid() == 0 {
					t.Skip(c.RequiresNonRoot)
				}
				runCase(t, c)
			})
		}
	}
	if total < 60 {
		t.Errorf("only %d vectors", total)
	}
}

func runCase(t *testing.T, c vectorCase) {
	w := materialise(t, c)
	reader := envutils.New(w.cwd, w.env)
	for _, e := range c.Expect {
		quoted := make([]string, len(e.Args))
		for i, a := range e.Args {
			quoted[i] = strconv.Quote(a)
		}
		where := fmt.Sprintf("%s(%s)", e.Call, strings.Join(quoted, ", "))
		if e.Call == "set_secret" {
			exit, stderr := 0, ""
			if e.CLI != nil {
				exit, stderr = e.CLI.Exit, e.CLI.Stderr
			}
			w.armCLI(t, exit, stderr)
		}
		result, err := call(reader, e.Call, e.Args)
		if e.Error != nil {
			var readerErr *envutils.Error
			if !errors.As(err, &readerErr) {
				t.Errorf("%s: want error %s, got %#v, %v", where, *e.Error, result, err)
				continue
			}
			if readerErr.Code != *e.Error {
				t.Errorf("%s: want error %s, got %s: %s", where, *e.Error, readerErr.Code, readerErr.Message)
			}
			for _, part := range e.MessageContains {
				if !strings.Contains(readerErr.Message, w.sub(part)) {
					t.Errorf("%s: message %q does not contain %q", where, readerErr.Message, w.sub(part))
				}
			}
		} else {
			if err != nil {
				t.Errorf("%s: unexpected error: %v", where, err)
				continue
			}
			if value, ok := e.raw["value"]; ok {
				var want any
				must(t, json.Unmarshal(value, &want))
				if want = substitute(w, want); !reflect.DeepEqual(result, want) {
					t.Errorf("%s: got %#v, want %#v", where, result, want)
				}
			}
		}
		if called, ok := e.raw["cli_called"]; ok {
			var want any
			must(t, json.Unmarshal(called, &want))
			if got := w.cliCall(t); !reflect.DeepEqual(got, substitute(w, want)) {
				t.Errorf("%s: CLI called with %#v, want %#v", where, got, substitute(w, want))
			}
		}
	}
}
