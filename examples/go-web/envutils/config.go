package envutils

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
)

// The parts of fork-stack.toml the naming conventions use, read only when a value is in neither the
// process environment nor the env file.

type section struct {
	label     string
	table     *tomlTable
	provider  string
	name      string // bucket name, for [storage.<name>]
	isDefault bool
}

type projectConfig struct {
	path    string
	project *string
	// roots: environments with no parent (roots, else [default_parent], else ["dev"]).
	roots    []string
	database *section
	cache    *section
	queue    *section
	buckets  []*section
}

func (c *projectConfig) invalid(format string, args ...any) *Error {
	e := newError(CodeInvalidConfig, format, args...)
	e.Message = c.path + ": " + e.Message + `; fix the file (run "fork-stack doctor" to check it)`
	return e
}

func readConfig(root string) (*projectConfig, error) {
	if root == "" {
		return nil, nil
	}
	path := filepath.Join(root, configFile)
	data, err := os.ReadFile(path)
	if err != nil {
		if isAbsent(err) {
			return nil, nil
		}
		return nil, newError(CodeInvalidConfig, `%s: cannot be read (%s); fix the file (run "fork-stack doctor" to check it)`, path, errorReason(err))
	}
	doc, err := parseTOML(strings.ToValidUTF8(string(data), "\uFFFD"))
	if err != nil {
		return nil, newError(CodeInvalidConfig, `%s: %s; fix the file (run "fork-stack doctor" to check it)`, path, err)
	}
	return interpret(path, doc)
}

func interpret(path string, doc *tomlTable) (*projectConfig, error) {
	c := &projectConfig{path: path}
	if value, ok := doc.get("project"); ok {
		project, isString := value.(string)
		if !isString {
			return nil, c.invalid(`project must be a string, e.g. project = "myapp"`)
		}
		c.project = &project
	}
	defaultParent := "dev"
	if value, ok := doc.get("default_parent"); ok {
		parent, isString := value.(string)
		if !isString {
			return nil, c.invalid(`default_parent must be a string, e.g. default_parent = "dev"`)
		}
		defaultParent = parent
	}
	c.roots = []string{defaultParent}
	if value, ok := doc.get("roots"); ok {
		items, isArray := value.([]any)
		c.roots = nil
		for _, item := range items {
			root, isString := item.(string)
			if !isString {
				isArray = false
				break
			}
			c.roots = append(c.roots, root)
		}
		if !isArray {
			return nil, c.invalid(`roots must be a list of environment names, e.g. roots = ["dev"]`)
		}
	}
	var err error
	if storage, ok := doc.get("storage"); ok {
		table, isTable := storage.(*tomlTable)
		if !isTable {
			return nil, c.invalid("storage must hold named buckets such as [storage.uploads]")
		}
		for _, name := range table.keys {
			bucketTable, isTable := table.values[name].(*tomlTable)
			if !isTable {
				shown := name
				if name == "provider" {
					shown = "uploads"
				}
				return nil, c.invalid(`[storage] holds named buckets: write [storage.%s] with provider = "…" under it`, shown)
			}
			bucket, err := c.section(bucketTable, "[storage."+name+"]")
			if err != nil {
				return nil, err
			}
			bucket.name = name
			c.buckets = append(c.buckets, bucket)
		}
		var chosen *section
		for _, b := range c.buckets {
			if v, _ := b.table.get("default"); v == true {
				chosen = b
				break
			}
		}
		for _, b := range c.buckets {
			if chosen == nil && b.name == "default" {
				chosen = b
			}
		}
		if chosen == nil && len(c.buckets) > 0 {
			chosen = c.buckets[0]
		}
		if chosen != nil {
			chosen.isDefault = true
		}
	}
	for _, s := range []struct {
		key    string
		target **section
	}{{"database", &c.database}, {"cache", &c.cache}, {"queue", &c.queue}} {
		value, ok := doc.get(s.key)
		if !ok {
			continue
		}
		table, isTable := value.(*tomlTable)
		label := "[" + s.key + "]"
		if !isTable {
			return nil, c.invalid(`%s must be a table, e.g. %s with provider = "…" under it`, label, label)
		}
		if *s.target, err = c.section(table, label); err != nil {
			return nil, err
		}
	}
	return c, nil
}

func (c *projectConfig) section(table *tomlTable, label string) (*section, error) {
	s := &section{label: label, table: table}
	if value, ok := table.get("provider"); ok {
		provider, isString := value.(string)
		if !isString {
			return nil, c.invalid("%s provider must be a string", label)
		}
		s.provider = provider
	}
	return s, nil
}

// option is a string option of a section; ok is false when it is absent.
func (c *projectConfig) option(s *section, key string) (value string, ok bool, err error) {
	raw, present := s.table.get(key)
	if !present {
		return "", false, nil
	}
	str, isString := raw.(string)
	if !isString {
		return "", false, c.invalid("%s %s must be a string", s.label, key)
	}
	return str, true, nil
}

// nameOverride is names[env] of a section (`names = { prod = "myapp" }` or a [<section>.names] table).
func (c *projectConfig) nameOverride(s *section, env string) (string, bool, error) {
	raw, present := s.table.get("names")
	if !present {
		return "", false, nil
	}
	names, isTable := raw.(*tomlTable)
	if !isTable {
		return "", false, c.invalid(`%s names must be a table such as names = { prod = "myapp" }`, s.label)
	}
	for _, key := range names.keys {
		if _, isString := names.values[key].(string); !isString {
			return "", false, c.invalid("%s names.%s must be a string", s.label, key)
		}
	}
	name, ok := names.values[env].(string)
	return name, ok, nil
}

var placeholder = regexp.MustCompile(`\{([a-z_]+)\}`)

func (c *projectConfig) render(s *section, pattern string, values map[string]string) (string, error) {
	var unknown string
	out := placeholder.ReplaceAllStringFunc(pattern, func(whole string) string {
		value, ok := values[whole[1:len(whole)-1]]
		if !ok && unknown == "" {
			unknown = whole
		}
		return value
	})
	if unknown != "" {
		return "", c.invalid(`%s uses the unknown placeholder %s in "%s"`, s.label, unknown, pattern)
	}
	return out, nil
}

// first returns the first candidate that is set: names[env], then an option, then a default.
func (c *projectConfig) patternFor(s *section, env string, option string, fallback string) (string, error) {
	if name, ok, err := c.nameOverride(s, env); err != nil || ok {
		return name, err
	}
	if value, ok, err := c.option(s, option); err != nil || ok {
		return value, err
	}
	return fallback, nil
}

func (c *projectConfig) nameFor(s *section, values map[string]string, option, fallback string) (string, error) {
	pattern, err := c.patternFor(s, values["env"], option, fallback)
	if err != nil {
		return "", err
	}
	return c.render(s, pattern, values)
}
