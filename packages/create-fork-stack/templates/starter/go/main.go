// The example app: which environment is it in, and what are that environment's values?
//
//	make run                         # the current environment (.current-env, set by make envs-switch)
//	FORK_STACK_ENV=alice make run    # another environment, without switching
//
// Replace it with your app; keep asking envutils for every URL and name instead of hard-coding them.
package main

import (
	"fmt"
	"os"
	"strings"

	"{{project}}/app"
	"{{project}}/envutils"
)

func main() {
	lines, err := app.Describe(envutils.New("", nil))
	if err != nil {
		fmt.Fprintln(os.Stderr, "error:", err)
		os.Exit(1)
	}
	width := 0
	for _, line := range lines {
		if len(line.Label) > width {
			width = len(line.Label)
		}
	}
	for _, line := range lines {
		value := line.Value
		if !line.Set {
			value = "(not set)"
		}
		fmt.Printf("%s %s\n", line.Label+":"+strings.Repeat(" ", width-len(line.Label)), value)
	}
}
