// Package app is the example app's logic: what it reads from the environment it runs in.
package app

import (
	"errors"

	"{{project}}/envutils"
)

// Line is one value the app reads; Set is false for a value the environment does not have.
type Line struct {
	Label string
	Value string
	Set   bool
}

// Describe reads the project, the environment and its values through the reader.
func Describe(config *envutils.EnvConfig) ([]Line, error) {
	project, err := config.ProjectName()
	if err != nil {
		return nil, err
	}
	env, err := config.CurrentEnv()
	if err != nil {
		return nil, err
	}
	lines := []Line{{"project", project, true}, {"environment", env, true}}
	values := []struct {
		label string
		read  func() (string, error)
	}{
		{"DATABASE_URL", config.DatabaseURL},
		{"BUCKET_NAME", func() (string, error) { return config.BucketName("") }},
		{"CACHE_URL", config.CacheURL},
		{"QUEUE_URL", config.QueueURL},
	}
	for _, v := range values {
		value, err := v.read()
		var readerErr *envutils.Error
		if errors.As(err, &readerErr) && readerErr.Code == envutils.CodeMissingValue {
			lines = append(lines, Line{Label: v.label})
			continue
		}
		if err != nil {
			return nil, err
		}
		lines = append(lines, Line{v.label, value, true})
	}
	return lines, nil
}
