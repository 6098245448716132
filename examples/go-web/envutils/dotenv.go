package envutils

import (
	"fmt"
	"strings"
)

// DotenvSyntaxError is a line of an env file that is not KEY=value in the fork-stack dialect.
type DotenvSyntaxError struct {
	Line   int
	Reason string
}

func (e *DotenvSyntaxError) Error() string { return fmt.Sprintf("line %d: %s", e.Line, e.Reason) }

var doubleEscapes = map[byte]string{'\\': "\\", '"': "\"", '$': "$", '`': "`", 'n': "\n", 'r': "\r", 't': "\t"}

func isKeyByte(c byte) bool {
	return c == '_' || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')
}

// IsValidKey reports whether key is a variable name: [A-Za-z_][A-Za-z0-9_]*.
func IsValidKey(key string) bool {
	if key == "" || (key[0] >= '0' && key[0] <= '9') {
		return false
	}
	for i := 0; i < len(key); i++ {
		if !isKeyByte(key[i]) {
			return false
		}
	}
	return true
}

// Dotenv is a parsed env file: keys in order of first appearance, later assignments winning.
type Dotenv struct {
	Keys   []string
	Values map[string]string
}

// ParseDotenv parses the fork-stack dotenv dialect, exactly as parseDotenv in the engine
// (packages/fork-stack/src/core/files/dotenv.ts) does. Every delimiter is ASCII, so working on the
// UTF-8 bytes gives the same result as the TypeScript code's UTF-16 units.
func ParseDotenv(text string) (*Dotenv, error) {
	out := &Dotenv{Values: map[string]string{}}
	set := func(key, value string) {
		if _, ok := out.Values[key]; !ok {
			out.Keys = append(out.Keys, key)
		}
		out.Values[key] = value
	}
	i, line, n := 0, 1, len(text)
	skipBlanks := func() {
		for i < n && (text[i] == ' ' || text[i] == '\t') {
			i++
		}
	}
	restOfLine := func(startLine int) error {
		skipBlanks()
		if i < n && text[i] == '#' {
			for i < n && text[i] != '\n' {
				i++
			}
		}
		if i+1 < n && text[i] == '\r' && text[i+1] == '\n' {
			i++
		}
		if i < n && text[i] != '\n' {
			return &DotenvSyntaxError{startLine, "unexpected text after the closing quote"}
		}
		if i < n {
			i++
			line++
		}
		return nil
	}
	for i < n {
		skipBlanks()
		if i >= n || text[i] == '\n' || text[i] == '\r' || text[i] == '#' {
			for i < n && text[i] != '\n' {
				i++
			}
			if i < n {
				i++
				line++
			}
			continue
		}
		startLine := line
		if strings.HasPrefix(text[i:], "export ") {
			i += 7
			skipBlanks()
		}
		keyStart := i
		for i < n && isKeyByte(text[i]) {
			i++
		}
		key := text[keyStart:i]
		if !IsValidKey(key) {
			return nil, &DotenvSyntaxError{startLine, "expected KEY=value"}
		}
		skipBlanks()
		if i >= n || text[i] != '=' {
			return nil, &DotenvSyntaxError{startLine, fmt.Sprintf("expected %q after %s", "=", key)}
		}
		i++
		skipBlanks()
		switch {
		case i < n && text[i] == '\'':
			end := strings.IndexByte(text[i+1:], '\'')
			if end < 0 {
				return nil, &DotenvSyntaxError{startLine, "unterminated single quote in " + key}
			}
			value := text[i+1 : i+1+end]
			line += strings.Count(value, "\n")
			set(key, value)
			i = i + 1 + end + 1
			if err := restOfLine(startLine); err != nil {
				return nil, err
			}
		case i < n && text[i] == '"':
			i++
			var value strings.Builder
			for {
				if i >= n {
					return nil, &DotenvSyntaxError{startLine, "unterminated double quote in " + key}
				}
				c := text[i]
				if c == '"' {
					break
				}
				if c == '\\' && i+1 < n {
					if mapped, ok := doubleEscapes[text[i+1]]; ok {
						value.WriteString(mapped)
						i += 2
						continue
					}
				}
				if c == '\n' {
					line++
				}
				value.WriteByte(c)
				i++
			}
			i++
			set(key, value.String())
			if err := restOfLine(startLine); err != nil {
				return nil, err
			}
		default:
			end := i
			for end < n && text[end] != '\n' {
				if text[end] == '#' && (end == i || text[end-1] == ' ' || text[end-1] == '\t') {
					break
				}
				end++
			}
			set(key, trim(strings.TrimSuffix(text[i:end], "\r")))
			i = end
			for i < n && text[i] != '\n' {
				i++
			}
			if i < n {
				i++
				line++
			}
		}
	}
	return out, nil
}
