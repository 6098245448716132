// Package envutils is the fork-stack reader for Go: which environment am I in, and what are its values?
//
// Standard library only. It implements the fork-stack reader contract, version 1
// (conformance/README.md in the fork-stack repository), exactly as the TypeScript, Python and Rust
// readers do:
//
//   - the environment: FORK_STACK_ENV, else ENV (production → prod, development → dev), else
//     .current-env in the project root, else "dev";
//   - a value: the process environment, else .fork-stack/envs/<env>.env (written by
//     `fork-stack switch`), else the naming convention of fork-stack.toml.
//
// For example:
//
//	url, err := envutils.DatabaseURL()
//	bucket, err := envutils.BucketName("")        // the default bucket; BucketName("uploads") for another
//	key, err := envutils.Secret("STRIPE_KEY")
//
// The package functions use Default; envutils.New(dir, env) reads another directory or environment.
// Errors are *envutils.Error with a Code that is the same in every language.
package envutils

// ContractVersion is the version of the reader contract this package implements.
const ContractVersion = "1"

// Reader is every accessor; EnvConfig implements it, and a stack may assign its own to Default.
type Reader interface {
	CurrentEnv() (string, error)
	ProjectRoot() (string, error)
	ProjectName() (string, error)
	DatabaseURL() (string, error)
	DatabaseAuthToken() (string, bool, error)
	LocalDBPath() (string, error)
	BucketName(name string) (string, error)
	S3Key(resourceType, filename string) (string, error)
	Secret(key string) (string, error)
	LookupSecret(key string) (string, bool, error)
	AllSecrets() (map[string]string, error)
	SetSecret(key, value string) error
	CacheURL() (string, error)
	CacheKeyPrefix() (string, error)
	QueueURL() (string, error)
	QueuePrefix() (string, error)
}

var _ Reader = (*EnvConfig)(nil)

// Default is what the package functions use: the working directory and the process environment.
var Default Reader = &EnvConfig{}

// CurrentEnv is the current environment's name.
func CurrentEnv() (string, error) { return Default.CurrentEnv() }

// ProjectRoot is the directory holding fork-stack.toml or .current-env ("" outside any project).
func ProjectRoot() (string, error) { return Default.ProjectRoot() }

// ProjectName is PROJECT_NAME, else project in fork-stack.toml, else the project directory's name.
func ProjectName() (string, error) { return Default.ProjectName() }

// DatabaseURL is DATABASE_URL, or the sqlite / turso naming convention.
func DatabaseURL() (string, error) { return Default.DatabaseURL() }

// DatabaseAuthToken is DATABASE_AUTH_TOKEN; ok is false when it is not set.
func DatabaseAuthToken() (string, bool, error) { return Default.DatabaseAuthToken() }

// LocalDBPath is the sqlite file when the project uses sqlite, else {project}.{env}.db.
func LocalDBPath() (string, error) { return Default.LocalDBPath() }

// BucketName is BUCKET_NAME when name is "", else BUCKET_<NAME> for [storage.<name>].
func BucketName(name string) (string, error) { return Default.BucketName(name) }

// S3Key is {BUCKET_KEY_PREFIX}{resourceType}/{filename}.
func S3Key(resourceType, filename string) (string, error) {
	return Default.S3Key(resourceType, filename)
}

// Secret is a secret's value, or a missing-value error.
func Secret(key string) (string, error) { return Default.Secret(key) }

// LookupSecret is a secret's value; ok is false when it is not set.
func LookupSecret(key string) (string, bool, error) { return Default.LookupSecret(key) }

// AllSecrets is every value of the env file, process variables overriding.
func AllSecrets() (map[string]string, error) { return Default.AllSecrets() }

// SetSecret stores a secret through `fork-stack secrets set`.
func SetSecret(key, value string) error { return Default.SetSecret(key, value) }

// CacheURL is CACHE_URL, else REDIS_URL.
func CacheURL() (string, error) { return Default.CacheURL() }

// CacheKeyPrefix is CACHE_KEY_PREFIX, or the redis / valkey convention.
func CacheKeyPrefix() (string, error) { return Default.CacheKeyPrefix() }

// QueueURL is QUEUE_URL.
func QueueURL() (string, error) { return Default.QueueURL() }

// QueuePrefix is QUEUE_PREFIX, or the bullmq convention.
func QueuePrefix() (string, error) { return Default.QueuePrefix() }
