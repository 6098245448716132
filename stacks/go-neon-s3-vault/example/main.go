// Command example prints what this app connects to in the current environment — stack go-neon-s3-vault:
// Neon, AWS S3, HashiCorp Vault.
//
//	go run ./example          the current environment's connections (passwords masked)
//	go run ./example -json    the same, as JSON
//
// Every value comes from the reader (package envutils): the process environment first (production),
// then .fork-stack/envs/<env>.env written by `fork-stack switch`, then fork-stack.toml's naming
// conventions — so `make envs-switch alice` points it at alice's database, bucket and secrets without a code change.
//
// Nothing leaves this machine: the reader has no dependencies and this stack brings no cloud client.
// In your app, hand the same values to your clients:
//   - Neon: github.com/jackc/pgx/v5, pgx.Connect(ctx, url) (the URL carries sslmode=require)
//   - S3: github.com/aws/aws-sdk-go-v2/service/s3; config.LoadDefaultConfig reads AWS_REGION (and AWS_ENDPOINT_URL_S3)
//   - Vault: nothing — fork-stack copies the environment's KV entry into the env file
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"net/url"
	"os"
	"sort"
	"strings"

	"example.com/myapp/envutils"
)

// stackKeys are the variables fork-stack writes for the providers; every other key in the env file
// comes from the secrets provider and is the app's own.
var stackKeys = []string{"FORK_STACK_ENV", "DATABASE_URL", "DATABASE_AUTH_TOKEN", "BUCKET_", "AWS_", "CACHE_", "REDIS_URL", "QUEUE_"}

// Summary is what the current environment's app would connect to.
type Summary struct {
	Env      string   `json:"env"`
	Project  string   `json:"project"`
	Database Database `json:"database"`
	Storage  Storage  `json:"storage"`
	Secrets  []string `json:"secrets"`
}

type Database struct {
	Provider  string  `json:"provider"`
	URL       string  `json:"url"`
	AuthToken *string `json:"auth_token"`
}

type Storage struct {
	Provider string  `json:"provider"`
	Bucket   string  `json:"bucket"`
	Endpoint *string `json:"endpoint"`
	Region   *string `json:"region"`
}

// MaskURL replaces the password of a URL with ****, for printing.
func MaskURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.User == nil {
		return raw
	}
	if _, has := u.User.Password(); !has {
		return raw
	}
	return strings.Replace(u.Redacted(), "xxxxx", "****", 1)
}

func optional(r envutils.Reader, key string) (*string, error) {
	value, ok, err := r.LookupSecret(key)
	if err != nil || !ok {
		return nil, err
	}
	return &value, nil
}

// Describe reads the current environment's values through the reader.
func Describe(r envutils.Reader) (Summary, error) {
	var s Summary
	var err error
	if s.Env, err = r.CurrentEnv(); err != nil {
		return s, err
	}
	if s.Project, err = r.ProjectName(); err != nil {
		return s, err
	}
	dbURL, err := r.DatabaseURL()
	if err != nil {
		return s, err
	}
	s.Database = Database{Provider: "neon", URL: MaskURL(dbURL)}
	if _, ok, err := r.DatabaseAuthToken(); err != nil {
		return s, err
	} else if ok {
		set := "set"
		s.Database.AuthToken = &set
	}
	s.Storage.Provider = "s3"
	if s.Storage.Bucket, err = r.BucketName(""); err != nil {
		return s, err
	}
	if s.Storage.Endpoint, err = optional(r, "AWS_ENDPOINT_URL_S3"); err != nil {
		return s, err
	}
	if s.Storage.Region, err = optional(r, "AWS_REGION"); err != nil {
		return s, err
	}
	all, err := r.AllSecrets()
	if err != nil {
		return s, err
	}
	s.Secrets = []string{}
	for key := range all {
		if !isStackKey(key) {
			s.Secrets = append(s.Secrets, key)
		}
	}
	sort.Strings(s.Secrets)
	return s, nil
}

func isStackKey(key string) bool {
	for _, prefix := range stackKeys {
		if strings.HasPrefix(key, prefix) {
			return true
		}
	}
	return false
}

func orNone(p *string) string {
	if p == nil {
		return "(none)"
	}
	return *p
}

func run(args []string, r envutils.Reader) int {
	flags := flag.NewFlagSet("example", flag.ContinueOnError)
	asJSON := flags.Bool("json", false, "print JSON")
	if err := flags.Parse(args); err != nil {
		return 2
	}
	s, err := Describe(r)
	if err != nil {
		fmt.Fprintln(os.Stderr, "error:", err)
		return 1
	}
	if *asJSON {
		out, _ := json.MarshalIndent(s, "", "  ")
		fmt.Println(string(out))
		return 0
	}
	fmt.Printf("environment  %s  (project %s)\n", s.Env, s.Project)
	fmt.Printf("database     %s  %s  auth_token=%s\n", s.Database.Provider, s.Database.URL, orNone(s.Database.AuthToken))
	fmt.Printf("storage      %s  bucket=%s  endpoint=%s  region=%s\n", s.Storage.Provider, s.Storage.Bucket, orNone(s.Storage.Endpoint), orNone(s.Storage.Region))
	secrets := strings.Join(s.Secrets, ", ")
	if secrets == "" {
		secrets = "(none)"
	}
	fmt.Printf("secrets      %s\n", secrets)
	return 0
}

func main() {
	os.Exit(run(os.Args[1:], envutils.Default))
}
