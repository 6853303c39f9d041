package config

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// This file reads PostgREST's config file format, the one of the Haskell
// configurator-pg library:
//
//	# a comment
//	db-uri = "postgres://$(PGUSER)@localhost/db"   # strings: \" \\ \n \t \r \uXXXX; $(VAR) and $$
//	db-pool = 10                                   # numbers
//	db-config = false                              # true/false/on/off
//	app.settings.key = "value"                     # dotted keys
//	app { settings { other = "x" } }               # groups prefix the keys inside
//	import "other.conf"                            # relative to this file
//	#; db-pool = 20                                # "#;" comments out one directive
//
// Lists ([1, 2]) parse, but no setting takes one. The parser only builds the
// key/value map; which keys exist and what their values mean is decided by
// load.go.

// valueKind is the syntactic kind of a value in the file.
type valueKind int

const (
	kindString valueKind = iota
	kindNumber
	kindBool
	kindList
)

// fileValue is one binding read from a config file.
type fileValue struct {
	kind valueKind
	// text is the string after unescaping and interpolation, the number as
	// written, "true"/"false" for booleans, or the list as written.
	text string
	// where names the place for error messages: "line 3", or "other.conf
	// line 3" for an imported file.
	where string
	line  int // to report unknown keys in file order
	order int // binding order across imports, for the same reason
}

// maxImportDepth bounds nested imports. Cycles are refused outright
// (configurator-pg would recurse until it runs out of memory).
const maxImportDepth = 16

// fileParser reads one file; imports start a new fileParser sharing out.
type fileParser struct {
	src     string
	pos     int
	line    int
	path    string // as opened, for relative imports
	where   string // "" for the main file, else its path, for messages
	environ map[string]string
	out     map[string]fileValue
	chain   []string // absolute paths of the files importing this one, and it
	seq     *int
}

// syntaxError is a parse error at a line of a file.
type syntaxError struct {
	where string
	line  int
	msg   string
}

func (e *syntaxError) Error() string {
	if e.where != "" {
		return fmt.Sprintf("config: %s line %d: %s", e.where, e.line, e.msg)
	}
	return fmt.Sprintf("config: line %d: %s", e.line, e.msg)
}

// parseFile reads path and returns its bindings by full (prefixed) key.
// environ answers $(VAR) interpolations that no earlier binding answers.
func parseFile(path string, environ map[string]string) (map[string]fileValue, error) {
	out := map[string]fileValue{}
	seq := 0
	if err := parseInto(path, "", "", environ, out, nil, &seq); err != nil {
		return nil, err
	}
	return out, nil
}

func parseInto(path, where, prefix string, environ map[string]string, out map[string]fileValue, chain []string, seq *int) error {
	abs, err := filepath.Abs(path)
	if err != nil {
		return fmt.Errorf("config: %w", err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("config: %w", err)
	}
	return parseText(string(b), path, where, prefix, environ, out, append(chain[:len(chain):len(chain)], abs), seq)
}

// parseText parses the text of the file at path (which imports are
// relative to).
func parseText(src, path, where, prefix string, environ map[string]string, out map[string]fileValue, chain []string, seq *int) error {
	if !utf8.ValidString(src) {
		return fmt.Errorf("config: %s is not valid UTF-8", path)
	}
	p := &fileParser{src: src, line: 1, path: path, where: where, environ: environ, out: out, chain: chain, seq: seq}
	return p.directives(prefix, false)
}

func (p *fileParser) errorf(format string, args ...any) error {
	return &syntaxError{where: p.where, line: p.line, msg: fmt.Sprintf(format, args...)}
}

func (p *fileParser) eof() bool { return p.pos >= len(p.src) }

func (p *fileParser) peek() rune {
	if p.eof() {
		return -1
	}
	r, _ := utf8.DecodeRuneInString(p.src[p.pos:])
	return r
}

func (p *fileParser) next() rune {
	r, n := utf8.DecodeRuneInString(p.src[p.pos:])
	p.pos += n
	if r == '\n' {
		p.line++
	}
	return r
}

// skipLWS skips white space, newlines included, and comments, but stops
// before "#;", which starts a commented-out directive.
func (p *fileParser) skipLWS() {
	for !p.eof() {
		r := p.peek()
		switch {
		case unicode.IsSpace(r):
			p.next()
		case r == '#' && !strings.HasPrefix(p.src[p.pos:], "#;"):
			p.skipComment()
		default:
			return
		}
	}
}

// skipHWS skips blanks and a trailing comment, never a newline.
func (p *fileParser) skipHWS() {
	for !p.eof() {
		switch p.peek() {
		case ' ', '\t':
			p.next()
		case '#':
			p.skipComment()
		default:
			return
		}
	}
}

func (p *fileParser) skipComment() {
	for !p.eof() && p.peek() != '\n' && p.peek() != '\r' {
		p.next()
	}
}

// directives reads directives up to the end of the file, or up to the
// closing brace of a group.
func (p *fileParser) directives(prefix string, inGroup bool) error {
	for {
		p.skipLWS()
		if p.eof() {
			if inGroup {
				return p.errorf("missing } at the end of the file")
			}
			return nil
		}
		if inGroup && p.peek() == '}' {
			p.next()
			return nil
		}
		if err := p.directive(prefix, true); err != nil {
			return err
		}
		p.skipHWS()
		switch r := p.peek(); {
		case r == -1, r == '\n', r == '\r':
		case inGroup && r == '}':
		default:
			return p.errorf("unexpected %q after the value: one setting per line", r)
		}
	}
}

// directive reads one directive; apply is false inside a "#;" comment,
// which must still parse but has no effect.
func (p *fileParser) directive(prefix string, apply bool) error {
	if strings.HasPrefix(p.src[p.pos:], "#;") {
		p.pos += 2
		p.skipHWS()
		return p.directive(prefix, false)
	}
	if rest := p.src[p.pos:]; strings.HasPrefix(rest, "import") && len(rest) > 6 && (rest[6] == '"' || unicode.IsSpace(rune(rest[6]))) {
		save, saveLine := p.pos, p.line
		p.pos += 6
		p.skipLWS()
		if p.peek() == '"' {
			target, err := p.quoted()
			if err != nil {
				return err
			}
			if !apply {
				return nil
			}
			return p.importFile(prefix, target)
		}
		// "import" followed by something else: read it as a key, which
		// then fails the reserved-word check with a clear message.
		p.pos, p.line = save, saveLine
	}
	line := p.line
	key, err := p.ident()
	if err != nil {
		return err
	}
	p.skipLWS()
	switch p.peek() {
	case '=':
		p.next()
		p.skipLWS()
		if p.eof() {
			p.line = line // the key's line, not the end of the file
			return p.errorf("%s: missing value", key)
		}
		v, err := p.value(prefix)
		if err != nil {
			return p.wrapKey(key, err)
		}
		if apply {
			v.where = p.place(line)
			v.line = line
			*p.seq++
			v.order = *p.seq
			p.out[prefix+key] = v
		}
		return nil
	case '{':
		p.next()
		if !apply {
			// A commented-out group: parse it into a throwaway map.
			saved := p.out
			p.out = map[string]fileValue{}
			err := p.directives(prefix+key+".", true)
			p.out = saved
			return err
		}
		return p.directives(prefix+key+".", true)
	default:
		return p.errorf("expected = after %q", prefix+key)
	}
}

func (p *fileParser) wrapKey(key string, err error) error {
	if se, ok := err.(*syntaxError); ok {
		se.msg = key + ": " + se.msg
	}
	return err
}

// place describes a line for error messages.
func (p *fileParser) place(line int) string {
	if p.where != "" {
		return fmt.Sprintf("%s line %d", p.where, line)
	}
	return fmt.Sprintf("line %d", line)
}

func (p *fileParser) importFile(prefix, target string) error {
	if target == "" {
		return p.errorf("import: empty file name")
	}
	if len(p.chain) > maxImportDepth {
		return p.errorf("import %q: imports nested deeper than %d", target, maxImportDepth)
	}
	path := target
	if !filepath.IsAbs(path) {
		path = filepath.Join(filepath.Dir(p.path), path)
	}
	if abs, err := filepath.Abs(path); err == nil && slices.Contains(p.chain, abs) {
		return p.errorf("import %q: the file imports itself (through %s)", target, strings.Join(p.chain, " -> "))
	}
	return parseInto(path, path, prefix, p.environ, p.out, p.chain, p.seq)
}

// ident reads a key: dot-separated words of letters, digits, '_' and '-',
// the first starting with a letter. configurator-pg also wants a letter after
// each dot; we accept a digit or '_' there too so that any app.settings name
// an environment variable can give (PGRST_APP_SETTINGS_2FA) dumps to a file
// that loads back.
func (p *fileParser) ident() (string, error) {
	start := p.pos
	first := true
scan:
	for !p.eof() {
		r := p.peek()
		switch {
		case unicode.IsLetter(r):
		case unicode.IsNumber(r) || r == '_':
			if p.pos == start {
				return "", p.errorf("a key must start with a letter, not %q", r)
			}
		case r == '-':
			if first {
				return "", p.errorf("a key must start with a letter, not %q", r)
			}
		case r == '.':
			if first {
				return "", p.errorf("empty word in key %q", p.src[start:p.pos+1])
			}
			p.next()
			first = true
			continue
		default:
			break scan
		}
		first = false
		p.next()
	}
	key := p.src[start:p.pos]
	switch {
	case key == "":
		if p.eof() {
			return "", p.errorf("expected a key")
		}
		return "", p.errorf("expected a key, found %q", p.peek())
	case strings.HasSuffix(key, "."):
		return "", p.errorf("key %q must not end with a dot", key)
	case key == "import":
		return "", p.errorf("import is a reserved word and cannot be a key")
	}
	return key, nil
}

// value reads a value: a boolean word, a string, a number or a list.
func (p *fileParser) value(prefix string) (fileValue, error) {
	rest := p.src[p.pos:]
	// Like configurator-pg, the boolean words match as prefixes; whatever
	// follows them ("trueish") then fails the end-of-line check.
	for _, w := range []struct {
		word string
		val  string
	}{{"on", "true"}, {"off", "false"}, {"true", "true"}, {"false", "false"}} {
		if strings.HasPrefix(rest, w.word) {
			p.pos += len(w.word)
			return fileValue{kind: kindBool, text: w.val}, nil
		}
	}
	switch r := p.peek(); {
	case r == '"':
		s, err := p.quoted()
		if err != nil {
			return fileValue{}, err
		}
		if strings.Contains(s, "$") {
			if s, err = p.interpolate(prefix, s); err != nil {
				return fileValue{}, err
			}
		}
		return fileValue{kind: kindString, text: s}, nil
	case r == '-' || r == '+' || (r >= '0' && r <= '9'):
		return p.number()
	case r == '[':
		return p.list(prefix)
	case r == -1:
		return fileValue{}, p.errorf("missing value")
	default:
		return fileValue{}, p.errorf("a value must be a \"quoted string\", a number, true/false/on/off or a [list], not %s", p.word())
	}
}

// word returns the text up to the end of the line, for error messages.
func (p *fileParser) word() string {
	rest := p.src[p.pos:]
	if i := strings.IndexAny(rest, "\r\n#"); i >= 0 {
		rest = rest[:i]
	}
	return strconv.Quote(strings.TrimSpace(rest))
}

// number reads [+-]digits[.digits][(e|E)[+-]digits], Haskell's scientific.
func (p *fileParser) number() (fileValue, error) {
	start := p.pos
	digits := func() int {
		n := 0
		for !p.eof() && p.src[p.pos] >= '0' && p.src[p.pos] <= '9' {
			p.pos++
			n++
		}
		return n
	}
	if c := p.src[p.pos]; c == '-' || c == '+' {
		p.pos++
	}
	if digits() == 0 {
		p.pos = start
		return fileValue{}, p.errorf("malformed number %s", p.word())
	}
	if strings.HasPrefix(p.src[p.pos:], ".") && p.pos+1 < len(p.src) && isDigit(p.src[p.pos+1]) {
		p.pos++
		digits()
	}
	if !p.eof() && (p.src[p.pos] == 'e' || p.src[p.pos] == 'E') {
		save := p.pos
		p.pos++
		if !p.eof() && (p.src[p.pos] == '-' || p.src[p.pos] == '+') {
			p.pos++
		}
		if digits() == 0 {
			p.pos = save
		}
	}
	return fileValue{kind: kindNumber, text: p.src[start:p.pos]}, nil
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func (p *fileParser) list(prefix string) (fileValue, error) {
	start := p.pos
	p.next() // [
	p.skipLWS()
	if p.peek() != ']' {
		for {
			if _, err := p.value(prefix); err != nil {
				return fileValue{}, err
			}
			p.skipLWS()
			if p.peek() != ',' {
				break
			}
			p.next()
			p.skipLWS()
		}
	}
	if p.peek() != ']' {
		return fileValue{}, p.errorf("expected , or ] in the list")
	}
	p.next()
	return fileValue{kind: kindList, text: p.src[start:p.pos]}, nil
}

// quoted reads a double-quoted string and resolves its backslash escapes.
// A string may span lines.
func (p *fileParser) quoted() (string, error) {
	startLine := p.line
	p.next() // "
	var b strings.Builder
	for {
		if p.eof() {
			p.line = startLine
			return "", p.errorf("string not closed: missing \"")
		}
		r := p.next()
		switch r {
		case '"':
			return b.String(), nil
		case '\\':
			if p.eof() {
				continue // reported as an unclosed string
			}
			switch e := p.next(); e {
			case 'n':
				b.WriteByte('\n')
			case 't':
				b.WriteByte('\t')
			case 'r':
				b.WriteByte('\r')
			case '"', '\\':
				b.WriteRune(e)
			case 'u':
				c, n, err := hexEscape(p.src[p.pos:])
				if err != nil {
					return "", p.errorf("%v", err)
				}
				p.pos += n
				b.WriteRune(c)
			default:
				return "", p.errorf("unknown escape \\%c in string (use \\\\ for a backslash)", e)
			}
		default:
			b.WriteRune(r)
		}
	}
}

// hexEscape decodes the XXXX of a \uXXXX escape at the start of s, and
// the \uXXXX after it when the first is a UTF-16 high surrogate; n is the
// number of bytes it read.
func hexEscape(s string) (r rune, n int, err error) {
	hex4 := func(s string) (rune, bool) {
		if len(s) < 4 {
			return 0, false
		}
		v, err := strconv.ParseUint(s[:4], 16, 16)
		return rune(v), err == nil
	}
	hi, ok := hex4(s)
	switch {
	case !ok:
		return 0, 0, errors.New(`\u needs four hex digits`)
	case hi < 0xd800 || hi > 0xdfff:
		return hi, 4, nil
	case hi > 0xdbff || !strings.HasPrefix(s[4:], `\u`):
		return 0, 0, errors.New("invalid UTF-16 surrogate in \\u escape")
	}
	lo, ok := hex4(s[6:])
	if !ok || lo < 0xdc00 || lo > 0xdfff {
		return 0, 0, errors.New("invalid UTF-16 surrogate in \\u escape")
	}
	return (hi-0xd800)<<10 + (lo - 0xdc00) + 0x10000, 10, nil
}

// interpolate replaces $(name) by the value of an earlier binding (looked
// up from the innermost group outwards) or else of the environment
// variable, and $$ by $.
func (p *fileParser) interpolate(prefix, s string) (string, error) {
	var b strings.Builder
	for {
		i := strings.IndexByte(s, '$')
		if i < 0 {
			b.WriteString(s)
			return b.String(), nil
		}
		b.WriteString(s[:i])
		s = s[i+1:]
		switch {
		case strings.HasPrefix(s, "$"):
			b.WriteByte('$')
			s = s[1:]
		case strings.HasPrefix(s, "("):
			end := strings.IndexByte(s, ')')
			if end < 0 {
				return "", p.errorf("interpolation $(... not closed: missing )")
			}
			name := s[1:end]
			if name == "" {
				return "", p.errorf("empty interpolation $()")
			}
			v, err := p.lookup(prefix, name)
			if err != nil {
				return "", err
			}
			b.WriteString(v)
			s = s[end+1:]
		default:
			return "", p.errorf("a lone $ in a string: write $$ for a literal $ or $(NAME) to interpolate")
		}
	}
}

func (p *fileParser) lookup(prefix, name string) (string, error) {
	// Inside group a.b, $(x) tries a.b.x, a.x, then x.
	scopes := strings.Split(strings.TrimSuffix(prefix, "."), ".")
	if prefix == "" {
		scopes = nil
	}
	for i := len(scopes); i >= 0; i-- {
		full := name
		if i > 0 {
			full = strings.Join(scopes[:i], ".") + "." + name
		}
		if v, ok := p.out[full]; ok {
			switch v.kind {
			case kindString:
				return v.text, nil
			case kindNumber:
				return interpolatedNumber(v.text), nil
			default:
				return "", p.errorf("$(%s): %s is not a string or a number", name, full)
			}
		}
	}
	if v, ok := p.environ[name]; ok {
		return v, nil
	}
	return "", p.errorf("$(%s): no such setting or environment variable", name)
}

// interpolatedNumber formats a number the way configurator-pg interpolates
// it: integers in decimal, others as a float.
func interpolatedNumber(text string) string {
	if n, ok := integralNumber(text); ok {
		return strconv.FormatInt(n, 10)
	}
	f, _ := strconv.ParseFloat(text, 64)
	return strconv.FormatFloat(f, 'g', -1, 64)
}

// integralNumber returns the value of a file number when it is a whole
// number that fits an int64 (10, 1e3, 10.0, -5).
func integralNumber(text string) (int64, bool) {
	if n, err := strconv.ParseInt(strings.TrimPrefix(text, "+"), 10, 64); err == nil {
		return n, true
	}
	f, err := strconv.ParseFloat(text, 64)
	if err != nil || f != float64(int64(f)) || f > 1<<62 || f < -(1<<62) {
		return 0, false
	}
	return int64(f), true
}
