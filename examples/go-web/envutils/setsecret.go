package envutils

import (
	"bytes"
	"errors"
	"os/exec"
	"strconv"
	"strings"
)

// DefaultCLI runs the project's own fork-stack (never downloads one).
const DefaultCLI = "npx --no-install fork-stack"

// SetSecret runs `fork-stack secrets set KEY --env <env>` in the project root, with the value on
// stdin (never on the command line, where ps would show it). FORK_STACK_CLI replaces the command;
// it is split on whitespace, without a shell.
func (c *EnvConfig) SetSecret(key, value string) error {
	if !IsValidKey(key) {
		return newError(CodeInvalidKey, `%s is not a valid variable name; use letters, digits and "_", not starting with a digit (e.g. STRIPE_KEY)`, strconv.Quote(key))
	}
	r, err := c.resolve()
	if err != nil {
		return err
	}
	cli, _ := c.lookupEnv("FORK_STACK_CLI")
	command := strings.Fields(cli)
	if len(command) == 0 {
		command = strings.Fields(DefaultCLI)
	}
	args := append(command[1:len(command):len(command)], "secrets", "set", key, "--env", r.env)
	shown := command[0] + " " + strings.Join(args, " ")
	cmd := exec.Command(command[0], args...)
	cmd.Dir = c.rootOrDir(r)
	if c.Env != nil {
		cmd.Env = make([]string, 0, len(c.Env))
		for k, v := range c.Env {
			cmd.Env = append(cmd.Env, k+"="+v)
		}
	}
	// The CLI drops one trailing "\n" or "\r\n" from stdin; sending one keeps a value's own, and a
	// value ending with "\r" gets "\r\n" (else its "\r" would be taken for the line end and lost).
	lineEnd := "\n"
	if strings.HasSuffix(value, "\r") {
		lineEnd = "\r\n"
	}
	cmd.Stdin = strings.NewReader(value + lineEnd)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	err = cmd.Run()
	var exit *exec.ExitError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &exit):
		lines := strings.Split(strings.TrimSpace(stderr.String()), "\n")
		if len(lines) > 3 {
			lines = lines[len(lines)-3:]
		}
		detail := strings.TrimSpace(strings.Join(lines, " "))
		how := "exited with code " + strconv.Itoa(exit.ExitCode())
		if exit.ExitCode() < 0 {
			how = "was stopped by " + exit.String()
		}
		if detail != "" {
			how += ": " + detail
		}
		return newError(CodeCLIFailed, `"%s" %s`, shown, how)
	default:
		return newError(CodeCLIFailed, `could not run "%s" (%s); install fork-stack (npm i -D fork-stack) or set FORK_STACK_CLI`, shown, err)
	}
}
