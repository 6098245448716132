package envutils

import "fmt"

// Error codes, the same in every fork-stack reader (conformance/README.md, "Errors").
const (
	CodeInvalidEnvVariable = "invalid-env-variable"
	CodeInvalidCurrentEnv  = "invalid-current-env"
	CodeUnreadableEnvFile  = "unreadable-env-file"
	CodeMissingValue       = "missing-value"
	CodeInvalidConfig      = "invalid-config"
	CodeInvalidKey         = "invalid-key"
	CodeCLIFailed          = "cli-failed"
)

// Error is what every accessor returns on failure: a stable Code and a message naming the file or
// variable and the fix. Use errors.As to get at the code.
type Error struct {
	Code    string
	Message string
}

func (e *Error) Error() string { return e.Message }

func newError(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}
