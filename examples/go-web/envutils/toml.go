package envutils

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// A minimal TOML reader: what fork-stack.toml's naming conventions need, and the same algorithm as
// the other readers (conformance/README.md, section 4). Values are string, bool, *tomlTable,
// []any (arrays) or tomlOther (numbers and dates, kept as written and never interpreted).

type tomlTable struct {
	keys   []string
	values map[string]any
}

func newTable() *tomlTable { return &tomlTable{values: map[string]any{}} }

func (t *tomlTable) get(key string) (any, bool) {
	v, ok := t.values[key]
	return v, ok
}

func (t *tomlTable) set(key string, value any) {
	if _, ok := t.values[key]; !ok {
		t.keys = append(t.keys, key)
	}
	t.values[key] = value
}

type tomlOther struct{ raw string }

type tomlSyntaxError struct {
	line   int
	reason string
}

func (e *tomlSyntaxError) Error() string { return fmt.Sprintf("line %d: %s", e.line, e.reason) }

var tomlEscapes = map[byte]string{'b': "\b", 't': "\t", 'n': "\n", 'f': "\f", 'r': "\r", 'e': "\x1b", '"': "\"", '\\': "\\"}
var tomlHexDigits = map[byte]int{'x': 2, 'u': 4, 'U': 8}

type tomlReader struct {
	t    string
	i    int
	line int
}

// tomlPanic carries a syntax error up the recursive descent; parseTOML turns it back into an error.
type tomlPanic struct{ err *tomlSyntaxError }

func parseTOML(text string) (table *tomlTable, err error) {
	defer func() {
		if r := recover(); r != nil {
			p, ok := r.(tomlPanic)
			if !ok {
				panic(r)
			}
			table, err = nil, p.err
		}
	}()
	r := &tomlReader{t: text, line: 1}
	return r.document(), nil
}

func (r *tomlReader) fail(format string, args ...any) {
	panic(tomlPanic{&tomlSyntaxError{r.line, fmt.Sprintf(format, args...)}})
}

func (r *tomlReader) at(offset int) byte {
	if j := r.i + offset; j < len(r.t) {
		return r.t[j]
	}
	return 0
}

func (r *tomlReader) document() *tomlTable {
	root := newTable()
	current := root
	for {
		r.skipSpaces()
		if r.i >= len(r.t) {
			return root
		}
		switch c := r.at(0); {
		case c == '\n' || c == '\r' || c == '#':
			r.endOfLine()
		case c == '[':
			array := r.at(1) == '['
			if array {
				r.i += 2
			} else {
				r.i++
			}
			path := r.key(']')
			if r.at(0) != ']' || (array && r.at(1) != ']') {
				if array {
					r.fail(`expected "]]" after the table name`)
				}
				r.fail(`expected "]" after the table name`)
			}
			if array {
				r.i += 2
				// Arrays of tables hold nothing the readers use: their keys go to a dropped table.
				r.tableAt(root, path[:len(path)-1])
				current = newTable()
			} else {
				r.i++
				current = r.tableAt(root, path)
			}
			r.endOfLine()
		default:
			r.keyValue(current)
			r.endOfLine()
		}
	}
}

func (r *tomlReader) skipSpaces() {
	for r.i < len(r.t) && (r.t[r.i] == ' ' || r.t[r.i] == '\t') {
		r.i++
	}
}

func (r *tomlReader) skipToNewline() {
	for r.i < len(r.t) && r.t[r.i] != '\n' {
		r.i++
	}
}

func (r *tomlReader) skipSpacesAndLines() {
	for {
		r.skipSpaces()
		switch {
		case r.at(0) == '#':
			r.skipToNewline()
		case r.at(0) == '\r' && r.at(1) == '\n':
			r.i++
		case r.i < len(r.t) && r.t[r.i] == '\n':
			r.i++
			r.line++
		default:
			return
		}
	}
}

func (r *tomlReader) endOfLine() {
	r.skipSpaces()
	if r.at(0) == '#' {
		r.skipToNewline()
	}
	if r.at(0) == '\r' && r.at(1) == '\n' {
		r.i++
	}
	if r.i >= len(r.t) {
		return
	}
	if r.t[r.i] != '\n' {
		r.fail(`unexpected text after the value (a value needs quotes: key = "value")`)
	}
	r.i++
	r.line++
}

func isBareKeyByte(c byte) bool {
	return c == '_' || c == '-' || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')
}

func (r *tomlReader) key(terminator byte) []string {
	var parts []string
	for {
		r.skipSpaces()
		switch r.at(0) {
		case '"':
			parts = append(parts, r.basicString())
		case '\'':
			parts = append(parts, r.literalString())
		default:
			start := r.i
			for r.i < len(r.t) && isBareKeyByte(r.t[r.i]) {
				r.i++
			}
			if r.i == start {
				if terminator == '=' {
					r.fail(`expected a key (key = "value")`)
				}
				r.fail("expected a table name")
			}
			parts = append(parts, r.t[start:r.i])
		}
		r.skipSpaces()
		if r.at(0) != '.' {
			return parts
		}
		r.i++
	}
}

func (r *tomlReader) keyValue(table *tomlTable) {
	path := r.key('=')
	if r.at(0) != '=' {
		r.fail(`expected "=" after %s`, strings.Join(path, "."))
	}
	r.i++
	r.skipSpaces()
	value := r.value()
	r.tableAt(table, path[:len(path)-1]).set(path[len(path)-1], value)
}

func (r *tomlReader) tableAt(root *tomlTable, path []string) *tomlTable {
	table := root
	for _, part := range path {
		existing, ok := table.get(part)
		if !ok {
			created := newTable()
			table.set(part, created)
			table = created
			continue
		}
		next, isTable := existing.(*tomlTable)
		if !isTable {
			r.fail("%s is already a value, not a table", strings.Join(path, "."))
		}
		table = next
	}
	return table
}

func isScalar(raw string) bool {
	s := strings.TrimLeft(raw, "+-")
	if len(raw)-len(s) > 1 {
		return false
	}
	return (s != "" && s[0] >= '0' && s[0] <= '9') || s == "inf" || s == "nan"
}

func (r *tomlReader) value() any {
	switch r.at(0) {
	case '"':
		if strings.HasPrefix(r.t[r.i:], `"""`) {
			return r.multilineString('"')
		}
		return r.basicString()
	case '\'':
		if strings.HasPrefix(r.t[r.i:], "'''") {
			return r.multilineString('\'')
		}
		return r.literalString()
	case '{':
		return r.inlineTable()
	case '[':
		return r.array()
	}
	start := r.i
	for r.i < len(r.t) && !strings.ContainsRune(",]}#\n\r", rune(r.t[r.i])) {
		r.i++
	}
	raw := strings.TrimRight(r.t[start:r.i], " \t")
	r.i = start + len(raw)
	switch {
	case raw == "true":
		return true
	case raw == "false":
		return false
	case raw == "":
		r.fail("expected a value")
	case !isScalar(raw):
		r.fail(`%s is not a TOML value (strings need quotes: "%s")`, raw, raw)
	}
	return tomlOther{raw}
}

func (r *tomlReader) inlineTable() *tomlTable {
	r.i++
	table := newTable()
	r.skipSpacesAndLines()
	if r.at(0) == '}' {
		r.i++
		return table
	}
	for {
		r.keyValue(table)
		r.skipSpacesAndLines()
		c := r.at(0)
		r.i++
		if c == '}' {
			return table
		}
		if c != ',' {
			r.fail(`expected "," or "}" in the inline table`)
		}
		r.skipSpacesAndLines()
		if r.at(0) == '}' {
			r.i++
			return table
		}
	}
}

func (r *tomlReader) array() []any {
	r.i++
	items := []any{}
	for {
		r.skipSpacesAndLines()
		if r.at(0) == ']' {
			r.i++
			return items
		}
		items = append(items, r.value())
		r.skipSpacesAndLines()
		c := r.at(0)
		r.i++
		if c == ']' {
			return items
		}
		if c != ',' {
			r.fail(`expected "," or "]" in the array`)
		}
	}
}

func (r *tomlReader) literalString() string {
	rest := r.t[r.i+1:]
	end := strings.IndexByte(rest, '\'')
	newline := strings.IndexByte(rest, '\n')
	if end < 0 || (newline >= 0 && newline < end) {
		r.fail("unterminated string")
	}
	r.i += 1 + end + 1
	return rest[:end]
}

func (r *tomlReader) basicString() string {
	r.i++
	var b strings.Builder
	for {
		if r.i >= len(r.t) || r.t[r.i] == '\n' {
			r.fail("unterminated string")
		}
		c := r.t[r.i]
		if c == '"' {
			r.i++
			return b.String()
		}
		if c == '\\' {
			b.WriteString(r.escape())
		} else {
			b.WriteByte(c)
			r.i++
		}
	}
}

func (r *tomlReader) multilineString(quote byte) string {
	startLine := r.line
	r.i += 3
	if r.at(0) == '\n' {
		r.i++
		r.line++
	} else if r.at(0) == '\r' && r.at(1) == '\n' {
		r.i += 2
		r.line++
	}
	closing := strings.Repeat(string(quote), 3)
	var b strings.Builder
	for {
		if r.i >= len(r.t) {
			panic(tomlPanic{&tomlSyntaxError{startLine, "unterminated multi-line string"}})
		}
		c := r.t[r.i]
		if c == quote && strings.HasPrefix(r.t[r.i:], closing) {
			// Up to two quotes right before the closing three belong to the value.
			run := 3
			for run < 5 && r.at(run) == quote {
				run++
			}
			b.WriteString(strings.Repeat(string(quote), run-3))
			r.i += run
			return b.String()
		}
		if quote == '"' && c == '\\' {
			// A backslash at the end of a line joins it with the next non-blank text.
			j := r.i + 1
			for j < len(r.t) && (r.t[j] == ' ' || r.t[j] == '\t') {
				j++
			}
			if strings.HasPrefix(r.t[j:], "\n") || strings.HasPrefix(r.t[j:], "\r\n") {
				r.i = j
				for r.i < len(r.t) && strings.IndexByte(" \t\n\r", r.t[r.i]) >= 0 {
					if r.t[r.i] == '\n' {
						r.line++
					}
					r.i++
				}
				continue
			}
			b.WriteString(r.escape())
			continue
		}
		if c == '\n' {
			r.line++
		}
		b.WriteByte(c)
		r.i++
	}
}

func (r *tomlReader) escape() string {
	next := r.at(1)
	if simple, ok := tomlEscapes[next]; ok {
		r.i += 2
		return simple
	}
	if digits, ok := tomlHexDigits[next]; ok {
		end := r.i + 2 + digits
		if end > len(r.t) {
			end = len(r.t)
		}
		hex := r.t[r.i+2 : end]
		code, err := strconv.ParseUint(hex, 16, 32)
		if len(hex) != digits || err != nil || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff) || strings.ContainsAny(hex, "+-_xX") {
			r.fail(`invalid escape \%c%s`, next, hex)
		}
		r.i = end
		var buf [4]byte
		return string(buf[:utf8.EncodeRune(buf[:], rune(code))])
	}
	if next == 0 {
		r.fail(`invalid escape \ at the end of the file`)
	}
	r.fail(`invalid escape \%c in a string (write \\ for a backslash)`, next)
	return ""
}
