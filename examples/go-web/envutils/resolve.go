package envutils

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"unicode/utf16"
)

const (
	// DefaultEnv is the environment when nothing selects another.
	DefaultEnv = "dev"
	// EnvNameMaxLength is the longest environment name accepted.
	EnvNameMaxLength = 48

	configFile     = "fork-stack.toml"
	currentEnvFile = ".current-env"
)

// isJSSpace reports the characters ECMAScript's String.prototype.trim removes. Every reader trims
// exactly these (Go's unicode.IsSpace would also take U+0085 and leave U+FEFF).
func isJSSpace(r rune) bool {
	switch r {
	case '\t', '\n', '\v', '\f', '\r', ' ', 0xa0, 0x1680, 0x2028, 0x2029, 0x202f, 0x205f, 0x3000, 0xfeff:
		return true
	}
	return r >= 0x2000 && r <= 0x200a
}

func trim(s string) string { return strings.TrimFunc(s, isJSSpace) }

// lower is full Unicode lower-casing as in ECMAScript: strings.ToLower uses simple case mappings,
// which turn U+0130 into a plain "i" where the full mapping gives "i" + U+0307.
func lower(s string) string {
	return strings.ToLower(strings.ReplaceAll(s, "\u0130", "i\u0307"))
}

func isLowerOrDigit(b byte) bool { return (b >= 'a' && b <= 'z') || (b >= '0' && b <= '9') }

func isValidEnvName(name string) bool {
	if name == "" || len(name) > EnvNameMaxLength || name[0] < 'a' || name[0] > 'z' {
		return false
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if isLowerOrDigit(c) {
			continue
		}
		if c == '-' && i+1 < len(name) && isLowerOrDigit(name[i+1]) {
			continue
		}
		return false
	}
	return true
}

// EnvNameProblem says what is wrong with an environment name, or "" when it is valid.
func EnvNameProblem(name string) string {
	length := len(utf16.Encode([]rune(name)))
	switch {
	case name == "":
		return "the name is empty"
	case length > EnvNameMaxLength:
		return fmt.Sprintf("it is %d characters long; the limit is %d", length, EnvNameMaxLength)
	case strings.ContainsAny(name, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") && lower(name) != name && isValidEnvName(lower(name)):
		return fmt.Sprintf("it has upper-case letters (try %q)", lower(name))
	case name[0] < 'a' || name[0] > 'z':
		return "it must start with a lower-case letter"
	case strings.Contains(name, "--"):
		return "it has two hyphens in a row"
	case strings.HasSuffix(name, "-"):
		return "it must end with a letter or digit"
	}
	var bad []string
	seen := map[rune]bool{}
	for _, r := range name {
		if (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') || r == '-' || seen[r] {
			continue
		}
		seen[r] = true
		bad = append(bad, strconv.Quote(string(r)))
	}
	if len(bad) > 0 {
		return fmt.Sprintf(`it contains %s; only a-z, 0-9 and "-" are allowed`, strings.Join(bad, ", "))
	}
	if !isValidEnvName(name) {
		return `it is not of the form lower-case letters, digits and "-"`
	}
	return ""
}

func normalise(value string) string {
	name := lower(trim(value))
	switch name {
	case "production":
		return "prod"
	case "development":
		return "dev"
	}
	return name
}

func exists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

// isAbsent: the file is not there (a missing parent directory, or a parent that is a file, included).
func isAbsent(err error) bool {
	return errors.Is(err, fs.ErrNotExist) || errors.Is(err, syscall.ENOTDIR)
}

func findRoot(dir string) string {
	for {
		if exists(filepath.Join(dir, configFile)) || exists(filepath.Join(dir, currentEnvFile)) {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return ""
		}
		dir = parent
	}
}

// resolved is an environment and its project root ("" outside any project).
type resolved struct {
	env  string
	root string
}

func resolveEnv(dir string, lookup func(string) (string, bool)) (resolved, error) {
	root := findRoot(dir)
	for _, variable := range []string{"FORK_STACK_ENV", "ENV"} {
		raw, ok := lookup(variable)
		if !ok || trim(raw) == "" {
			continue
		}
		name := normalise(raw)
		if problem := EnvNameProblem(name); problem != "" {
			return resolved{}, newError(CodeInvalidEnvVariable,
				`%s=%s is not a valid environment name (%s); set it to a name like "dev" or "alice"`, variable, strconv.Quote(raw), problem)
		}
		return resolved{name, root}, nil
	}
	if root != "" {
		path := filepath.Join(root, currentEnvFile)
		data, err := os.ReadFile(path)
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			return resolved{}, newError(CodeInvalidCurrentEnv,
				`cannot read %s (%s); fix its permissions or run "fork-stack switch <env>"`, path, errorReason(err))
		}
		if err == nil {
			text := strings.ToValidUTF8(string(data), "\uFFFD")
			name := trim(text)
			if problem := EnvNameProblem(name); problem != "" {
				shown := text
				if runes := []rune(text); len(runes) > 60 {
					shown = string(runes[:60]) + "…"
				}
				return resolved{}, newError(CodeInvalidCurrentEnv,
					`%s holds %s, which is not a valid environment name (%s); run "fork-stack switch <env>" or delete the file`,
					path, strconv.Quote(shown), problem)
			}
			return resolved{name, root}, nil
		}
	}
	return resolved{DefaultEnv, root}, nil
}

// errorReason is the OS's reason without the path that *PathError repeats.
func errorReason(err error) string {
	var pathErr *fs.PathError
	if errors.As(err, &pathErr) {
		return pathErr.Err.Error()
	}
	return err.Error()
}
