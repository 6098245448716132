package envutils

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// Naming conventions: the value a variable would have, computed from fork-stack.toml the way the
// providers name their resources (conformance/README.md, section 4).
// BEGIN GENERATED conventions from conformance/v1/conventions.json by `npm run sync-readers -- --write`; edit that file, not this block.
const (
	defaultSqlitePath    = ".fork-stack/data/{project}.{env}.db"
	defaultTursoName     = "{project}-{env}"
	tursoAdoptedEnv      = "prod"
	tursoAdoptedName     = "{project}"
	defaultBucketPattern = "{project}-bucket-{env}"
	namedBucketPattern   = "{project}-{bucket}-{env}"
	defaultFsDir         = ".fork-stack/buckets"
	defaultKeyPrefix     = "forks/{env}/"
	defaultCachePrefix   = "{project}:{env}:"
	defaultQueuePrefix   = "bull:{project}:{env}"
)

var (
	cachePrefixProviders = []string{"redis", "valkey"}
	queuePrefixProviders = []string{"bullmq"}
)

// END GENERATED conventions

// resolvePath is Node's path.resolve(root, relative): lexical, so every reader gets the same string.
func resolvePath(root, relative string) string {
	if filepath.IsAbs(relative) {
		return filepath.Clean(relative)
	}
	return filepath.Join(root, relative)
}

func isURLSafe(b byte) bool {
	return (b >= 'A' && b <= 'Z') || (b >= 'a' && b <= 'z') || (b >= '0' && b <= '9') || strings.IndexByte("!$&'()*+,-.:;=@_/", b) >= 0
}

// fileURL is `file:` + the path, percent-encoded as the sqlite provider's fileUrl() (Node's
// pathToFileURL) does: every UTF-8 byte outside a fixed safe set.
func fileURL(path string) string {
	if os.PathSeparator != '/' {
		path = "/" + filepath.ToSlash(path)
	}
	var b strings.Builder
	b.WriteString("file:")
	for i := 0; i < len(path); i++ {
		if c := path[i]; isURLSafe(c) {
			b.WriteByte(c)
		} else {
			fmt.Fprintf(&b, "%%%02X", c)
		}
	}
	return b.String()
}

// bucketVariable is BUCKET_<NAME> for [storage.<name>].
func bucketVariable(name string) string {
	return "BUCKET_" + strings.ReplaceAll(strings.ToUpper(name), "-", "_")
}

func sqlitePath(c *projectConfig, database *section, root string, values map[string]string) (string, error) {
	relative, err := c.nameFor(database, values, "path", defaultSqlitePath)
	if err != nil {
		return "", err
	}
	return resolvePath(root, relative), nil
}

// databaseURLFallback: ok is false when the config has no convention for DATABASE_URL.
func databaseURLFallback(c *projectConfig, root string, values map[string]string) (string, bool, error) {
	if c == nil || c.database == nil {
		return "", false, nil
	}
	database := c.database
	switch database.provider {
	case "sqlite":
		path, err := sqlitePath(c, database, root, values)
		return fileURL(path), err == nil, err
	case "turso":
		pattern, ok, err := c.nameOverride(database, values["env"])
		if err != nil {
			return "", false, err
		}
		if !ok && values["env"] == tursoAdoptedEnv {
			// Adopted production databases are named after the project (the original templates).
			pattern, ok = tursoAdoptedName, true
		}
		if !ok {
			if pattern, ok, err = c.option(database, "name"); err != nil {
				return "", false, err
			}
		}
		if !ok {
			pattern = defaultTursoName
		}
		name, err := c.render(database, pattern, values)
		if err != nil {
			return "", false, err
		}
		// Turso's hostnames are <database>-<organization>.turso.io; without an organization, the
		// original templates' <database>.turso.io.
		organization, hasOrganization, err := c.option(database, "organization")
		if hasOrganization {
			name += "-" + organization
		}
		return "libsql://" + name + ".turso.io", err == nil, err
	}
	return "", false, nil
}

// bucketFallback: ok is false when the bucket has no convention (prefix mode without its shared bucket).
func bucketFallback(c *projectConfig, bucket *section, root string, values map[string]string) (string, bool, error) {
	named := map[string]string{"project": values["project"], "env": values["env"], "bucket": bucket.name}
	mode, _, err := c.option(bucket, "mode")
	if err != nil {
		return "", false, err
	}
	if mode == "prefix" {
		// S3-compatible prefix mode: every environment shares one bucket, under its own key prefix.
		return c.option(bucket, "bucket")
	}
	value, err := bucketName(c, bucket, root, named)
	return value, err == nil, err
}

func bucketName(c *projectConfig, bucket *section, root string, named map[string]string) (string, error) {
	pattern := namedBucketPattern
	if bucket.isDefault {
		pattern = defaultBucketPattern
	}
	if bucket.provider != "fs" {
		return c.nameFor(bucket, named, "name", pattern)
	}
	// The fs provider keeps <dir>/<name> per environment and publishes the absolute directory.
	dir, ok, err := c.option(bucket, "dir")
	if err != nil {
		return "", err
	}
	if !ok {
		dir = defaultFsDir
	}
	leaf, err := c.patternFor(bucket, named["env"], "name", pattern)
	if err != nil {
		return "", err
	}
	relative, err := c.render(bucket, dir+"/"+leaf, named)
	if err != nil {
		return "", err
	}
	return resolvePath(root, relative), nil
}

// prefixFallback: the key prefix where the provider isolates by prefix, "" for other providers of the
// kind; ok is false without the section.
func prefixFallback(c *projectConfig, s *section, providers []string, fallback string, values map[string]string) (string, bool, error) {
	if c == nil || s == nil {
		return "", false, nil
	}
	matches := false
	for _, p := range providers {
		matches = matches || s.provider == p
	}
	isolation, _, err := c.option(s, "isolation")
	if err != nil {
		return "", false, err
	}
	if !matches || isolation == "db" {
		return "", true, nil
	}
	value, err := c.nameFor(s, values, "prefix", fallback)
	return value, err == nil, err
}

// keyPrefixFallback is BUCKET_KEY_PREFIX when the default bucket is in prefix mode: names[env] ("/"
// added), "" for a root environment, else key_prefix; "" when it is not in prefix mode.
func keyPrefixFallback(c *projectConfig, values map[string]string) (string, error) {
	if c == nil {
		return "", nil
	}
	var bucket *section
	for _, b := range c.buckets {
		if b.isDefault {
			bucket = b
		}
	}
	if bucket == nil {
		return "", nil
	}
	if mode, _, err := c.option(bucket, "mode"); err != nil || mode != "prefix" {
		return "", err
	}
	env := values["env"]
	if explicit, ok, err := c.nameOverride(bucket, env); err != nil || ok {
		if ok && !strings.HasSuffix(explicit, "/") {
			explicit += "/"
		}
		return explicit, err
	}
	for _, root := range c.roots {
		if root == env {
			return "", nil
		}
	}
	pattern, ok, err := c.option(bucket, "key_prefix")
	if err != nil {
		return "", err
	}
	if !ok {
		pattern = defaultKeyPrefix
	}
	return c.render(bucket, pattern, values)
}
