package envutils_test

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/fork-stack/fork-stack/templates/base/go/envutils"
)

// A stack whose database has its own URL shape overrides one accessor and keeps the rest.
type planetscaleConfig struct{ *envutils.EnvConfig }

func (c planetscaleConfig) DatabaseURL() (string, error) {
	project, err := c.ProjectName()
	if err != nil {
		return "", err
	}
	env, err := c.CurrentEnv()
	return "mysql://aws.connect.psdb.cloud/" + project + "-" + env, err
}

func exampleProject() string {
	dir, _ := os.MkdirTemp("", "envutils-example-")
	_ = os.WriteFile(filepath.Join(dir, "fork-stack.toml"), []byte("project = \"shop\"\n[database]\nprovider = \"turso\"\n"), 0o644)
	return dir
}

func ExampleEnvConfig() {
	dir := exampleProject()
	defer os.RemoveAll(dir)
	reader := envutils.New(dir, map[string]string{"ENV": "production"})
	env, _ := reader.CurrentEnv()
	url, _ := reader.DatabaseURL()
	bucket, _ := reader.BucketName("")
	fmt.Println(env, url, bucket)
	// Output: prod libsql://shop.turso.io shop-bucket-prod
}

func ExampleReader() {
	dir := exampleProject()
	defer os.RemoveAll(dir)
	previous := envutils.Default
	defer func() { envutils.Default = previous }()

	envutils.Default = planetscaleConfig{envutils.New(dir, map[string]string{"ENV": "alice"})}
	url, _ := envutils.DatabaseURL()
	bucket, _ := envutils.BucketName("")
	fmt.Println(url, bucket)
	// Output: mysql://aws.connect.psdb.cloud/shop-alice shop-bucket-alice
}

func ExampleError() {
	dir := exampleProject()
	defer os.RemoveAll(dir)
	_, err := envutils.New(dir, map[string]string{"ENV": "alice"}).Secret("STRIPE_KEY")
	var readerErr *envutils.Error
	if errors.As(err, &readerErr) {
		fmt.Println(readerErr.Code)
	}
	// Output: missing-value
}
