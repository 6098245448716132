package envutils

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"unicode/utf8"
)

// EnvConfig reads one project's environment. The zero value reads the working directory and the
// process environment; Dir and Env override them (tests need no global state). Every call reads the
// files afresh, so a `fork-stack switch` in another terminal takes effect on the next call.
//
// EnvConfig implements Reader. To change one accessor for a stack, embed *EnvConfig in your own type,
// define that method, and assign your type to Default (methods of EnvConfig that call each other
// keep calling EnvConfig's own versions: Go has no virtual methods).
type EnvConfig struct {
	// Dir is where the project is looked for; "" means the working directory.
	Dir string
	// Env replaces the process environment when it is not nil.
	Env map[string]string
}

// New returns an EnvConfig for dir ("" = working directory) and env (nil = the process environment).
func New(dir string, env map[string]string) *EnvConfig { return &EnvConfig{Dir: dir, Env: env} }

func (c *EnvConfig) lookupEnv(key string) (string, bool) {
	if c.Env != nil {
		v, ok := c.Env[key]
		return v, ok
	}
	return os.LookupEnv(key)
}

func (c *EnvConfig) dir() string {
	dir := c.Dir
	if dir == "" {
		dir = "."
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return dir
	}
	return abs
}

func (c *EnvConfig) resolve() (resolved, error) { return resolveEnv(c.dir(), c.lookupEnv) }

func (c *EnvConfig) rootOrDir(r resolved) string {
	if r.root != "" {
		return r.root
	}
	return c.dir()
}

func envFilePath(root, env string) string {
	return filepath.Join(root, ".fork-stack", "envs", env+".env")
}

// readEnvFile returns nil without a project or an env file.
func readEnvFile(r resolved) (*Dotenv, error) {
	if r.root == "" {
		return nil, nil
	}
	path := envFilePath(r.root, r.env)
	unreadable := func(reason string) *Error {
		return newError(CodeUnreadableEnvFile, `%s: %s; fix it or run "fork-stack switch %s" to rewrite it`, path, reason, r.env)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		if isAbsent(err) {
			return nil, nil
		}
		return nil, unreadable("cannot be read (" + errorReason(err) + ")")
	}
	if !utf8.Valid(data) {
		return nil, unreadable("is not valid UTF-8 text")
	}
	values, err := ParseDotenv(string(data))
	if err != nil {
		return nil, unreadable(err.Error())
	}
	return values, nil
}

// lookup: the process environment, then the env file; an empty value counts as unset.
func (c *EnvConfig) lookup(key string, r resolved) (string, bool, error) {
	if v, _ := c.lookupEnv(key); v != "" {
		return v, true, nil
	}
	file, err := readEnvFile(r)
	if err != nil || file == nil {
		return "", false, err
	}
	v := file.Values[key]
	return v, v != "", nil
}

func (c *EnvConfig) missing(key string, r resolved, why string) *Error {
	where := ".fork-stack/envs/<env>.env (no fork-stack project found)"
	if r.root != "" {
		where = envFilePath(r.root, r.env)
	}
	return newError(CodeMissingValue,
		`%s is not set for environment "%s": not in the process environment, not in %s, and %s; run "fork-stack switch %s" (or "fork-stack create %s") to write it, or set %s`,
		key, r.env, where, why, r.env, r.env, key)
}

func (c *EnvConfig) projectName(r resolved) (string, error) {
	if v, ok, err := c.lookup("PROJECT_NAME", r); err != nil || ok {
		return v, err
	}
	config, err := readConfig(r.root)
	if err != nil {
		return "", err
	}
	if config != nil && config.project != nil {
		return *config.project, nil
	}
	return filepath.Base(c.rootOrDir(r)), nil
}

func (c *EnvConfig) naming(r resolved) (map[string]string, error) {
	project, err := c.projectName(r)
	return map[string]string{"project": project, "env": r.env}, err
}

// required: lookup, then the convention computed by fallback (ok false: none), else missing-value.
func (c *EnvConfig) required(key string, why string, fallback func(r resolved, config *projectConfig, values map[string]string) (string, bool, error)) (string, error) {
	r, err := c.resolve()
	if err != nil {
		return "", err
	}
	if v, ok, err := c.lookup(key, r); err != nil || ok {
		return v, err
	}
	if fallback != nil {
		config, err := readConfig(r.root)
		if err != nil {
			return "", err
		}
		values, err := c.naming(r)
		if err != nil {
			return "", err
		}
		if v, ok, err := fallback(r, config, values); err != nil || ok {
			return v, err
		}
	}
	return "", c.missing(key, r, why)
}

// CurrentEnv is the environment's name.
func (c *EnvConfig) CurrentEnv() (string, error) {
	r, err := c.resolve()
	return r.env, err
}

// ProjectRoot is the directory holding fork-stack.toml or .current-env ("" outside any project).
func (c *EnvConfig) ProjectRoot() (string, error) {
	r, err := c.resolve()
	return r.root, err
}

// ProjectName is PROJECT_NAME, else project in fork-stack.toml, else the project directory's name.
func (c *EnvConfig) ProjectName() (string, error) {
	r, err := c.resolve()
	if err != nil {
		return "", err
	}
	return c.projectName(r)
}

// DatabaseURL is DATABASE_URL, or the sqlite / turso naming convention.
func (c *EnvConfig) DatabaseURL() (string, error) {
	return c.required("DATABASE_URL", "fork-stack.toml has no [database] naming convention for it (sqlite and turso have one)",
		func(r resolved, config *projectConfig, values map[string]string) (string, bool, error) {
			return databaseURLFallback(config, c.rootOrDir(r), values)
		})
}

// DatabaseAuthToken is DATABASE_AUTH_TOKEN; ok is false when it is not set.
func (c *EnvConfig) DatabaseAuthToken() (string, bool, error) {
	r, err := c.resolve()
	if err != nil {
		return "", false, err
	}
	return c.lookup("DATABASE_AUTH_TOKEN", r)
}

// LocalDBPath is the sqlite file when the project uses sqlite, else {project}.{env}.db.
func (c *EnvConfig) LocalDBPath() (string, error) {
	r, err := c.resolve()
	if err != nil {
		return "", err
	}
	config, err := readConfig(r.root)
	if err != nil {
		return "", err
	}
	values, err := c.naming(r)
	if err != nil {
		return "", err
	}
	if config != nil && config.database != nil && config.database.provider == "sqlite" {
		return sqlitePath(config, config.database, c.rootOrDir(r), values)
	}
	return values["project"] + "." + values["env"] + ".db", nil
}

// BucketName is the default bucket (BUCKET_NAME) when name is "", else the bucket of
// [storage.<name>] (BUCKET_<NAME>).
func (c *EnvConfig) BucketName(name string) (string, error) {
	key := "BUCKET_NAME"
	if name != "" {
		key = bucketVariable(name)
	}
	r, err := c.resolve()
	if err != nil {
		return "", err
	}
	if v, ok, err := c.lookup(key, r); err != nil || ok {
		return v, err
	}
	config, err := readConfig(r.root)
	if err != nil {
		return "", err
	}
	var buckets []*section
	if config != nil {
		buckets = config.buckets
	}
	for _, b := range buckets {
		if (name == "" && b.isDefault) || (name != "" && bucketVariable(b.name) == key) {
			values, err := c.naming(r)
			if err != nil {
				return "", err
			}
			value, ok, err := bucketFallback(config, b, c.rootOrDir(r), values)
			if err != nil || ok {
				return value, err
			}
			return "", c.missing(key, r, b.label+` is in prefix mode without its shared bucket (bucket = "…")`)
		}
	}
	if name == "" && len(buckets) == 0 {
		// No storage configured at all: the original templates' convention.
		values, err := c.naming(r)
		return values["project"] + "-bucket-" + values["env"], err
	}
	known := make([]string, 0, len(buckets))
	for _, b := range buckets {
		known = append(known, b.name)
	}
	why := fmt.Sprintf("fork-stack.toml has no [storage.%s]", name)
	if len(known) > 0 {
		why += " (buckets: " + strings.Join(known, ", ") + ")"
	}
	return "", c.missing(key, r, why)
}

// S3Key is {BUCKET_KEY_PREFIX}{resourceType}/{filename}: prefixed where storage isolates by prefix.
func (c *EnvConfig) S3Key(resourceType, filename string) (string, error) {
	r, err := c.resolve()
	if err != nil {
		return "", err
	}
	prefix, ok, err := c.lookup("BUCKET_KEY_PREFIX", r)
	if err != nil {
		return "", err
	}
	if !ok {
		config, err := readConfig(r.root)
		if err != nil {
			return "", err
		}
		values, err := c.naming(r)
		if err != nil {
			return "", err
		}
		if prefix, err = keyPrefixFallback(config, values); err != nil {
			return "", err
		}
	}
	return prefix + resourceType + "/" + filename, nil
}

// Secret is a secret from the process environment or the env file, or a missing-value error.
func (c *EnvConfig) Secret(key string) (string, error) {
	return c.required(key, "secrets have no naming convention", nil)
}

// LookupSecret is like Secret; ok is false when the secret is not set.
func (c *EnvConfig) LookupSecret(key string) (string, bool, error) {
	r, err := c.resolve()
	if err != nil {
		return "", false, err
	}
	return c.lookup(key, r)
}

// AllSecrets is every value of the env file, each overridden by a non-empty process variable.
func (c *EnvConfig) AllSecrets() (map[string]string, error) {
	r, err := c.resolve()
	if err != nil {
		return nil, err
	}
	file, err := readEnvFile(r)
	if err != nil {
		return nil, err
	}
	out := map[string]string{}
	if file == nil {
		return out, nil
	}
	for key, value := range file.Values {
		if v, _ := c.lookupEnv(key); v != "" {
			value = v
		}
		out[key] = value
	}
	return out, nil
}

// CacheURL is CACHE_URL, else REDIS_URL; the process environment before the env file.
func (c *EnvConfig) CacheURL() (string, error) {
	r, err := c.resolve()
	if err != nil {
		return "", err
	}
	for _, key := range []string{"CACHE_URL", "REDIS_URL"} {
		if v, _ := c.lookupEnv(key); v != "" {
			return v, nil
		}
	}
	file, err := readEnvFile(r)
	if err != nil {
		return "", err
	}
	if file != nil {
		for _, key := range []string{"CACHE_URL", "REDIS_URL"} {
			if v := file.Values[key]; v != "" {
				return v, nil
			}
		}
	}
	return "", c.missing("CACHE_URL", r, "neither is REDIS_URL")
}

// CacheKeyPrefix is CACHE_KEY_PREFIX, or the redis / valkey convention ("" for other cache providers).
func (c *EnvConfig) CacheKeyPrefix() (string, error) {
	return c.required("CACHE_KEY_PREFIX", "fork-stack.toml has no [cache] section",
		func(_ resolved, config *projectConfig, values map[string]string) (string, bool, error) {
			if config == nil {
				return "", false, nil
			}
			return prefixFallback(config, config.cache, cachePrefixProviders, defaultCachePrefix, values)
		})
}

// QueueURL is QUEUE_URL.
func (c *EnvConfig) QueueURL() (string, error) {
	return c.required("QUEUE_URL", "queue URLs have no naming convention", nil)
}

// QueuePrefix is QUEUE_PREFIX, or the bullmq convention ("" for other queue providers).
func (c *EnvConfig) QueuePrefix() (string, error) {
	return c.required("QUEUE_PREFIX", "fork-stack.toml has no [queue] section",
		func(_ resolved, config *projectConfig, values map[string]string) (string, bool, error) {
			if config == nil {
				return "", false, nil
			}
			return prefixFallback(config, config.queue, queuePrefixProviders, defaultQueuePrefix, values)
		})
}
