package config

import (
	"encoding/json"
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// DefaultRoleClaimKey is jwt-role-claim-key when it is not set.
const DefaultRoleClaimKey = "$.role"

// JSPath is a parsed jwt-role-claim-key: where the role is inside the JWT
// claims. Two syntaxes are accepted, as in PostgREST v16:
//
//   - a JSONPath query (RFC 9535), e.g. $.realm_access.roles[?(@ == "admin")]
//     or $.roles[?search(@, '^app_')]; search() is the only function, as in
//     PostgREST;
//   - the deprecated syntax of PostgREST 14 and earlier, which starts with
//     '.' or '[': .key, ."quoted key", [0], and a final [?(@ op "text")]
//     with op one of == != ^== ==^ *==.
//
// A JSPath is immutable and safe for concurrent use.
type JSPath struct {
	text       string
	deprecated bool
	segments   []jpSegment
	// depFilter is the final filter of the deprecated syntax, nil if none.
	depFilter *depFilter
}

// ParseJSPath parses a jwt-role-claim-key value (with a single $: the $$
// of config files is already undone by then).
func ParseJSPath(s string) (*JSPath, error) {
	if strings.HasPrefix(s, "$") {
		p := &jpParser{src: s}
		q, err := p.query()
		if err == nil && p.pos < len(s) {
			err = p.errorf("unexpected %q", p.rest())
		}
		if err != nil {
			return nil, fmt.Errorf("failed to parse role-claim-key value (%s): %w", s, err)
		}
		return &JSPath{text: s, segments: q.segments}, nil
	}
	jp, err := parseDeprecatedJSPath(s)
	if err != nil {
		return nil, fmt.Errorf("failed to parse role-claim-key value (%s): %w", s, err)
	}
	return jp, nil
}

// String returns the path as written.
func (p *JSPath) String() string { return p.text }

// Deprecated reports whether the path uses the pre-v16 syntax, which
// PostgREST warns about at start-up and on reload.
func (p *JSPath) Deprecated() bool { return p.deprecated }

// Equivalent returns, for a path in the deprecated syntax, an RFC 9535
// path that selects the same role; for an RFC 9535 path, the path itself.
func (p *JSPath) Equivalent() string {
	if !p.deprecated {
		return p.text
	}
	var b strings.Builder
	b.WriteByte('$')
	for _, seg := range p.segments {
		sel := seg.selectors[0]
		if sel.kind == selIndex {
			b.WriteString("[" + strconv.FormatInt(sel.index, 10) + "]")
			continue
		}
		if isShorthandName(sel.name) {
			b.WriteString("." + sel.name)
		} else {
			b.WriteString("[" + rfcString(sel.name) + "]")
		}
	}
	if f := p.depFilter; f != nil {
		lit := rfcString(f.value)
		switch f.op {
		case "==":
			b.WriteString("[?(@ == " + lit + ")]")
		case "!=":
			// The old filter only ever picks strings; search(@, '') is true
			// for any string and false for anything else.
			b.WriteString("[?(@ != " + lit + " && search(@, ''))]")
		case "^==":
			b.WriteString("[?search(@, " + rfcString("^"+regexp.QuoteMeta(f.value)) + ")]")
		case "==^":
			b.WriteString("[?search(@, " + rfcString(regexp.QuoteMeta(f.value)+"$") + ")]")
		case "*==":
			b.WriteString("[?search(@, " + rfcString(regexp.QuoteMeta(f.value)) + ")]")
		}
	}
	return b.String()
}

// isShorthandName reports whether name can be written .name in RFC 9535.
func isShorthandName(name string) bool {
	p := &jpParser{src: name}
	n, err := p.shorthandName()
	return err == nil && n == name
}

// rfcString writes s as an RFC 9535 single-quoted string literal.
func rfcString(s string) string {
	var b strings.Builder
	b.WriteByte('\'')
	for _, r := range s {
		switch {
		case r == '\'' || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r < 0x20:
			fmt.Fprintf(&b, "\\u%04x", r)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('\'')
	return b.String()
}

// Eval applies the path to claims as decoded by encoding/json (maps,
// slices, strings, float64 or json.Number, bools, nil) and returns the first
// value it selects; ok is false when it selects nothing. Object members are
// visited in key order, as PostgREST's JSON library stores them.
func (p *JSPath) Eval(claims any) (v any, ok bool) {
	if p.deprecated {
		return p.evalDeprecated(claims)
	}
	nodes := evalSegments(p.segments, claims, claims)
	if len(nodes) == 0 {
		return nil, false
	}
	return nodes[0], true
}

// ---- RFC 9535 syntax tree ----

type jpSegment struct {
	descendant bool
	selectors  []jpSelector
}

type jpSelectorKind int

const (
	selName jpSelectorKind = iota
	selWildcard
	selIndex
	selSlice
	selFilter
)

type jpSelector struct {
	kind       jpSelectorKind
	name       string
	index      int64
	start, end *int64
	step       int64
	filter     *jpOr
}

// jpQuery is a query inside a filter: relative (@) or absolute ($).
type jpQuery struct {
	root     bool
	segments []jpSegment
}

// singular reports whether q selects at most one node (RFC 9535 2.3.5.1):
// only name and index selectors, one per segment, no descendants.
func (q jpQuery) singular() bool {
	for _, s := range q.segments {
		if s.descendant || len(s.selectors) != 1 || (s.selectors[0].kind != selName && s.selectors[0].kind != selIndex) {
			return false
		}
	}
	return true
}

type jpOr struct{ ands [][]jpBasic }

type jpBasic struct {
	not   bool
	paren *jpOr
	test  *jpQuery   // existence test
	fn    *jpFunc    // logical function used as a test
	cmp   *jpCompare // comparison
}

type jpCompare struct {
	op          string
	left, right jpComparable
}

type jpComparable struct {
	lit   any      // a JSON value; valid when query is nil and fn is nil
	query *jpQuery // singular
}

// jpFunc is search(value, regex), the one function PostgREST offers.
type jpFunc struct {
	args [2]jpComparable
	re   *regexp.Regexp // compiled once when the regex is a literal
}

// ---- RFC 9535 parser ----

type jpParser struct {
	src string
	pos int
}

func (p *jpParser) errorf(format string, args ...any) error {
	return fmt.Errorf("at offset %d: "+format, append([]any{p.pos}, args...)...)
}

func (p *jpParser) rest() string { return p.src[p.pos:] }

func (p *jpParser) peekByte() byte {
	if p.pos < len(p.src) {
		return p.src[p.pos]
	}
	return 0
}

func (p *jpParser) skipS() {
	for p.pos < len(p.src) && strings.IndexByte(" \t\n\r", p.src[p.pos]) >= 0 {
		p.pos++
	}
}

func (p *jpParser) accept(s string) bool {
	if strings.HasPrefix(p.rest(), s) {
		p.pos += len(s)
		return true
	}
	return false
}

// query reads "$" or "@" and the segments after it.
func (p *jpParser) query() (jpQuery, error) {
	var q jpQuery
	switch p.peekByte() {
	case '$':
		q.root = true
	case '@':
	default:
		return q, p.errorf("expected $ or @")
	}
	p.pos++
	for {
		save := p.pos
		p.skipS()
		c := p.peekByte()
		if c != '.' && c != '[' {
			p.pos = save // blanks belong to whatever follows the query
			return q, nil
		}
		seg, err := p.segment()
		if err != nil {
			return q, err
		}
		q.segments = append(q.segments, seg)
	}
}

func (p *jpParser) segment() (jpSegment, error) {
	var seg jpSegment
	if p.accept("..") {
		seg.descendant = true
		switch c := p.peekByte(); {
		case c == '[':
		case c == '*':
			p.pos++
			seg.selectors = []jpSelector{{kind: selWildcard}}
			return seg, nil
		default:
			name, err := p.shorthandName()
			if err != nil {
				return seg, err
			}
			seg.selectors = []jpSelector{{kind: selName, name: name}}
			return seg, nil
		}
	} else if p.accept(".") {
		if p.accept("*") {
			seg.selectors = []jpSelector{{kind: selWildcard}}
			return seg, nil
		}
		name, err := p.shorthandName()
		if err != nil {
			return seg, err
		}
		seg.selectors = []jpSelector{{kind: selName, name: name}}
		return seg, nil
	}
	if !p.accept("[") {
		return seg, p.errorf("expected [")
	}
	for {
		p.skipS()
		sel, err := p.selector()
		if err != nil {
			return seg, err
		}
		seg.selectors = append(seg.selectors, sel)
		p.skipS()
		if p.accept(",") {
			continue
		}
		if p.accept("]") {
			return seg, nil
		}
		return seg, p.errorf("expected , or ] in brackets")
	}
}

// shorthandName reads the name of .name: a letter, '_' or non-ASCII
// character, then those or digits.
func (p *jpParser) shorthandName() (string, error) {
	start := p.pos
	for p.pos < len(p.src) {
		r, n := utf8.DecodeRuneInString(p.rest())
		first := p.pos == start
		if r >= 0x80 && r != utf8.RuneError || r == '_' || r < 0x80 && unicode.IsLetter(r) || !first && r < 0x80 && isDigit(byte(r)) {
			p.pos += n
			continue
		}
		break
	}
	if p.pos == start {
		return "", p.errorf("expected a member name after .")
	}
	return p.src[start:p.pos], nil
}

func (p *jpParser) selector() (jpSelector, error) {
	switch c := p.peekByte(); {
	case c == '\'' || c == '"':
		s, err := p.stringLiteral()
		return jpSelector{kind: selName, name: s}, err
	case c == '*':
		p.pos++
		return jpSelector{kind: selWildcard}, nil
	case c == '?':
		p.pos++
		p.skipS()
		f, err := p.logicalOr()
		return jpSelector{kind: selFilter, filter: f}, err
	case c == ':' || c == '-' || isDigit(c):
		return p.indexOrSlice()
	}
	return jpSelector{}, p.errorf("expected a selector ('name', *, index, slice or ?filter)")
}

func (p *jpParser) indexOrSlice() (jpSelector, error) {
	var ints [3]*int64
	colons := 0
	for {
		p.skipS()
		if c := p.peekByte(); c == '-' || isDigit(c) {
			n, err := p.integer()
			if err != nil {
				return jpSelector{}, err
			}
			ints[colons] = &n
			p.skipS()
		}
		if colons < 2 && p.accept(":") {
			colons++
			continue
		}
		break
	}
	if colons == 0 {
		if ints[0] == nil {
			return jpSelector{}, p.errorf("expected an index")
		}
		return jpSelector{kind: selIndex, index: *ints[0]}, nil
	}
	sel := jpSelector{kind: selSlice, start: ints[0], end: ints[1], step: 1}
	if ints[2] != nil {
		sel.step = *ints[2]
	}
	return sel, nil
}

// integer reads an RFC 9535 int: 0, or an optional '-' and digits without
// a leading zero, within ±(2^53-1).
func (p *jpParser) integer() (int64, error) {
	start := p.pos
	p.accept("-")
	digits := p.pos
	for p.pos < len(p.src) && isDigit(p.src[p.pos]) {
		p.pos++
	}
	text := p.src[start:p.pos]
	switch {
	case p.pos == digits:
		return 0, p.errorf("expected digits")
	case p.src[digits] == '0' && (p.pos-digits > 1 || digits > start):
		return 0, p.errorf("malformed integer %q", text)
	}
	n, err := strconv.ParseInt(text, 10, 64)
	if err != nil || n > 1<<53-1 || n < -(1<<53-1) {
		return 0, p.errorf("integer %s out of range", text)
	}
	return n, nil
}

// stringLiteral reads a '...' or "..." string with JSON-like escapes.
func (p *jpParser) stringLiteral() (string, error) {
	quoteChar := p.src[p.pos]
	p.pos++
	var b strings.Builder
	for {
		if p.pos >= len(p.src) {
			return "", p.errorf("string not closed")
		}
		r, n := utf8.DecodeRuneInString(p.rest())
		switch {
		case r == rune(quoteChar):
			p.pos++
			return b.String(), nil
		case r == '\\':
			p.pos++
			c := p.peekByte()
			p.pos++
			switch c {
			case 'b':
				b.WriteByte('\b')
			case 'f':
				b.WriteByte('\f')
			case 'n':
				b.WriteByte('\n')
			case 'r':
				b.WriteByte('\r')
			case 't':
				b.WriteByte('\t')
			case '/', '\\':
				b.WriteByte(c)
			case quoteChar:
				b.WriteByte(c)
			case 'u':
				r, n, err := hexEscape(p.rest())
				if err != nil {
					return "", p.errorf("%v", err)
				}
				p.pos += n
				b.WriteRune(r)
			default:
				p.pos--
				return "", p.errorf("invalid escape in string")
			}
		case r < 0x20 || r == utf8.RuneError && n == 1:
			return "", p.errorf("invalid character in string")
		default:
			b.WriteRune(r)
			p.pos += n
		}
	}
}

func (p *jpParser) logicalOr() (*jpOr, error) {
	or := &jpOr{}
	for {
		var and []jpBasic
		for {
			b, err := p.basic()
			if err != nil {
				return nil, err
			}
			and = append(and, b)
			if !p.infix("&&") {
				break
			}
		}
		or.ands = append(or.ands, and)
		if !p.infix("||") {
			return or, nil
		}
	}
}

// infix reads blanks, op and blanks, and reports whether op was there;
// when it was not, it reads nothing.
func (p *jpParser) infix(op string) bool {
	save := p.pos
	p.skipS()
	if p.accept(op) {
		p.skipS()
		return true
	}
	p.pos = save
	return false
}

func (p *jpParser) basic() (jpBasic, error) {
	var b jpBasic
	if p.accept("!") {
		b.not = true
		p.skipS()
	}
	if p.accept("(") {
		p.skipS()
		inner, err := p.logicalOr()
		if err != nil {
			return b, err
		}
		p.skipS()
		if !p.accept(")") {
			return b, p.errorf("expected )")
		}
		b.paren = inner
		return b, nil
	}
	left, fn, query, err := p.primary()
	if err != nil {
		return b, err
	}
	save := p.pos
	p.skipS()
	if op := p.comparisonOp(); op != "" {
		if b.not {
			return b, p.errorf("! cannot negate a comparison without parentheses")
		}
		if fn != nil {
			return b, p.errorf("search() returns a boolean and cannot be compared")
		}
		p.skipS()
		right, fn2, _, err := p.primary()
		if err != nil {
			return b, err
		}
		if fn2 != nil {
			return b, p.errorf("search() returns a boolean and cannot be compared")
		}
		b.cmp = &jpCompare{op: op, left: left, right: right}
		for _, c := range []jpComparable{left, right} {
			if c.query != nil && !c.query.singular() {
				return b, p.errorf("a comparison needs a singular query (names and indexes only)")
			}
		}
		return b, nil
	}
	p.pos = save
	switch {
	case fn != nil:
		b.fn = fn
	case query != nil:
		b.test = query
	default:
		return b, p.errorf("a literal alone is not a filter; compare it with ==, !=, <, <=, > or >=")
	}
	return b, nil
}

func (p *jpParser) comparisonOp() string {
	for _, op := range []string{"==", "!=", "<=", ">=", "<", ">"} {
		if p.accept(op) {
			return op
		}
	}
	return ""
}

// primary reads a literal, a query or a function call. For a query it
// returns both the comparable and the query itself (a test needs the
// query, singular or not).
func (p *jpParser) primary() (jpComparable, *jpFunc, *jpQuery, error) {
	switch c := p.peekByte(); {
	case c == '$' || c == '@':
		q, err := p.query()
		if err != nil {
			return jpComparable{}, nil, nil, err
		}
		return jpComparable{query: &q}, nil, &q, nil
	case c == '\'' || c == '"':
		s, err := p.stringLiteral()
		return jpComparable{lit: s}, nil, nil, err
	case c == '-' || isDigit(c):
		n, err := p.number()
		return jpComparable{lit: n}, nil, nil, err
	}
	for _, w := range []struct {
		word string
		val  any
	}{{"true", true}, {"false", false}, {"null", nil}} {
		if strings.HasPrefix(p.rest(), w.word) && !isFuncNameChar(p.src, p.pos+len(w.word)) {
			p.pos += len(w.word)
			return jpComparable{lit: w.val}, nil, nil, nil
		}
	}
	start := p.pos
	for p.pos < len(p.src) && isFuncNameChar(p.src, p.pos) {
		p.pos++
	}
	name := p.src[start:p.pos]
	if name == "" {
		return jpComparable{}, nil, nil, p.errorf("expected a query, a literal or search(...)")
	}
	if !p.accept("(") {
		return jpComparable{}, nil, nil, p.errorf("unknown word %q", name)
	}
	if name != "search" {
		return jpComparable{}, nil, nil, p.errorf("unknown function %s(): search() is the only one", name)
	}
	fn := &jpFunc{}
	for i := range fn.args {
		p.skipS()
		if i == 1 {
			if !p.accept(",") {
				return jpComparable{}, nil, nil, p.errorf("search() takes two arguments")
			}
			p.skipS()
		}
		arg, fn2, _, err := p.primary()
		if err != nil {
			return jpComparable{}, nil, nil, err
		}
		if fn2 != nil || (arg.query != nil && !arg.query.singular()) {
			return jpComparable{}, nil, nil, p.errorf("search() arguments must be literals or singular queries")
		}
		fn.args[i] = arg
	}
	p.skipS()
	if !p.accept(")") {
		return jpComparable{}, nil, nil, p.errorf("search() takes two arguments")
	}
	if s, ok := fn.args[1].lit.(string); ok && fn.args[1].query == nil {
		re, err := compileIRegexp(s)
		if err != nil {
			return jpComparable{}, nil, nil, p.errorf("search(): invalid regular expression %q: %v", s, err)
		}
		fn.re = re
	}
	return jpComparable{}, fn, nil, nil
}

func isFuncNameChar(s string, i int) bool {
	if i >= len(s) {
		return false
	}
	c := s[i]
	return c >= 'a' && c <= 'z' || c == '_' || isDigit(c)
}

// number reads an RFC 9535 number literal: int or -0, an optional
// fraction and exponent.
func (p *jpParser) number() (float64, error) {
	start := p.pos
	if p.accept("-0") {
		if isDigit(p.peekByte()) {
			return 0, p.errorf("malformed number")
		}
	} else if _, err := p.integer(); err != nil {
		return 0, err
	}
	if p.accept(".") {
		n := p.pos
		for p.pos < len(p.src) && isDigit(p.src[p.pos]) {
			p.pos++
		}
		if p.pos == n {
			return 0, p.errorf("malformed number")
		}
	}
	if c := p.peekByte(); c == 'e' || c == 'E' {
		p.pos++
		if c := p.peekByte(); c == '+' || c == '-' {
			p.pos++
		}
		n := p.pos
		for p.pos < len(p.src) && isDigit(p.src[p.pos]) {
			p.pos++
		}
		if p.pos == n {
			return 0, p.errorf("malformed number")
		}
	}
	f, err := strconv.ParseFloat(p.src[start:p.pos], 64)
	if err != nil {
		return 0, p.errorf("malformed number %q", p.src[start:p.pos])
	}
	return f, nil
}

// compileIRegexp compiles an I-Regexp (RFC 9485) for search(). Its '.'
// matches anything but \n and \r; Go's matches anything but \n.
func compileIRegexp(s string) (*regexp.Regexp, error) {
	var b strings.Builder
	inClass, escaped := false, false
	for _, r := range s {
		switch {
		case escaped:
			escaped = false
		case r == '\\':
			escaped = true
		case inClass:
			inClass = r != ']'
		case r == '[':
			inClass = true
		case r == '.':
			b.WriteString(`[^\n\r]`)
			continue
		}
		b.WriteRune(r)
	}
	return regexp.Compile(b.String())
}

// ---- RFC 9535 evaluation ----

func evalSegments(segs []jpSegment, root, v any) []any {
	nodes := []any{v}
	for _, seg := range segs {
		var next []any
		for _, n := range nodes {
			if seg.descendant {
				walkDescendants(n, func(d any) {
					next = append(next, applySelectors(seg.selectors, root, d)...)
				})
			} else {
				next = append(next, applySelectors(seg.selectors, root, n)...)
			}
		}
		nodes = next
		if len(nodes) == 0 {
			return nil
		}
	}
	return nodes
}

// walkDescendants calls f on v and then on every value inside it, in
// document order (object members by key).
func walkDescendants(v any, f func(any)) {
	f(v)
	for _, c := range children(v) {
		walkDescendants(c, f)
	}
}

// children returns the members of an object (by key) or the elements of
// an array; nothing for other values.
func children(v any) []any {
	switch t := v.(type) {
	case map[string]any:
		keys := sortedKeys(t)
		out := make([]any, len(keys))
		for i, k := range keys {
			out[i] = t[k]
		}
		return out
	case []any:
		return t
	}
	return nil
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func applySelectors(sels []jpSelector, root, v any) []any {
	var out []any
	for _, s := range sels {
		switch s.kind {
		case selName:
			if m, ok := v.(map[string]any); ok {
				if c, ok := m[s.name]; ok {
					out = append(out, c)
				}
			}
		case selWildcard:
			out = append(out, children(v)...)
		case selIndex:
			if a, ok := v.([]any); ok {
				i := s.index
				if i < 0 {
					i += int64(len(a))
				}
				if i >= 0 && i < int64(len(a)) {
					out = append(out, a[i])
				}
			}
		case selSlice:
			if a, ok := v.([]any); ok {
				out = append(out, slice(a, s)...)
			}
		case selFilter:
			for _, c := range children(v) {
				if s.filter.eval(root, c) {
					out = append(out, c)
				}
			}
		}
	}
	return out
}

// slice applies [start:end:step] as RFC 9535 2.3.4.2.2 defines it.
func slice(a []any, s jpSelector) []any {
	n, step := int64(len(a)), s.step
	if step == 0 {
		return nil
	}
	norm := func(i int64) int64 {
		if i < 0 {
			return n + i
		}
		return i
	}
	if step > 0 {
		start, end := int64(0), n
		if s.start != nil {
			start = norm(*s.start)
		}
		if s.end != nil {
			end = norm(*s.end)
		}
		lower, upper := min(max(start, 0), n), min(max(end, 0), n)
		var out []any
		for i := lower; i < upper; i += step {
			out = append(out, a[i])
		}
		return out
	}
	start, end := n-1, -n-1
	if s.start != nil {
		start = norm(*s.start)
	}
	if s.end != nil {
		end = norm(*s.end)
	}
	upper, lower := min(max(start, -1), n-1), min(max(end, -1), n-1)
	var out []any
	for i := upper; lower < i; i += step {
		out = append(out, a[i])
	}
	return out
}

func (o *jpOr) eval(root, cur any) bool {
	for _, and := range o.ands {
		all := true
		for _, b := range and {
			if !b.eval(root, cur) {
				all = false
				break
			}
		}
		if all {
			return true
		}
	}
	return false
}

func (b jpBasic) eval(root, cur any) bool {
	var r bool
	switch {
	case b.paren != nil:
		r = b.paren.eval(root, cur)
	case b.test != nil:
		r = len(b.test.eval(root, cur)) > 0
	case b.fn != nil:
		r = b.fn.eval(root, cur)
	case b.cmp != nil:
		r = b.cmp.eval(root, cur)
	}
	return r != b.not
}

func (q jpQuery) eval(root, cur any) []any {
	start := cur
	if q.root {
		start = root
	}
	return evalSegments(q.segments, root, start)
}

// value returns a comparable's value; ok is false for a query that selects
// nothing (RFC 9535's "Nothing").
func (c jpComparable) value(root, cur any) (any, bool) {
	if c.query == nil {
		return c.lit, true
	}
	nodes := c.query.eval(root, cur)
	if len(nodes) == 0 {
		return nil, false
	}
	return nodes[0], true
}

func (f *jpFunc) eval(root, cur any) bool {
	v, ok := f.args[0].value(root, cur)
	s, isStr := v.(string)
	if !ok || !isStr {
		return false
	}
	re := f.re
	if re == nil {
		pat, ok := f.args[1].value(root, cur)
		ps, isStr := pat.(string)
		if !ok || !isStr {
			return false
		}
		var err error
		if re, err = compileIRegexp(ps); err != nil {
			return false
		}
	}
	return re.MatchString(s)
}

func (c *jpCompare) eval(root, cur any) bool {
	l, lok := c.left.value(root, cur)
	r, rok := c.right.value(root, cur)
	switch c.op {
	case "==":
		return jsonEqual(l, lok, r, rok)
	case "!=":
		return !jsonEqual(l, lok, r, rok)
	case "<":
		return jsonLess(l, lok, r, rok)
	case ">":
		return jsonLess(r, rok, l, lok)
	case "<=":
		return jsonLess(l, lok, r, rok) || jsonEqual(l, lok, r, rok)
	case ">=":
		return jsonLess(r, rok, l, lok) || jsonEqual(l, lok, r, rok)
	}
	return false
}

// jsonNumber returns v as a float64 when it is a JSON number.
func jsonNumber(v any) (float64, bool) {
	switch n := v.(type) {
	case float64:
		return n, true
	case json.Number:
		f, err := n.Float64()
		return f, err == nil
	case int:
		return float64(n), true
	case int64:
		return float64(n), true
	}
	return 0, false
}

func jsonEqual(a any, aok bool, b any, bok bool) bool {
	if !aok || !bok {
		return aok == bok
	}
	if x, ok := jsonNumber(a); ok {
		y, ok := jsonNumber(b)
		return ok && x == y
	}
	switch x := a.(type) {
	case nil:
		return b == nil
	case string:
		y, ok := b.(string)
		return ok && x == y
	case bool:
		y, ok := b.(bool)
		return ok && x == y
	case []any:
		y, ok := b.([]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for i := range x {
			if !jsonEqual(x[i], true, y[i], true) {
				return false
			}
		}
		return true
	case map[string]any:
		y, ok := b.(map[string]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for k, xv := range x {
			yv, ok := y[k]
			if !ok || !jsonEqual(xv, true, yv, true) {
				return false
			}
		}
		return true
	}
	return false
}

func jsonLess(a any, aok bool, b any, bok bool) bool {
	if !aok || !bok {
		return false
	}
	if x, ok := jsonNumber(a); ok {
		y, ok := jsonNumber(b)
		return ok && x < y
	}
	if x, ok := a.(string); ok {
		y, ok := b.(string)
		return ok && x < y // byte order of UTF-8 is code point order
	}
	return false
}

// ---- the deprecated syntax of PostgREST 14 and earlier ----

type depFilter struct {
	op, value string
}

// parseDeprecatedJSPath reads one or more of .key, ."key", [n], with an
// optional [?(@ op "text")] at the very end.
func parseDeprecatedJSPath(s string) (*JSPath, error) {
	jp := &JSPath{text: s, deprecated: true}
	pos := 0
	fail := func(msg string) (*JSPath, error) {
		return nil, fmt.Errorf("at offset %d: %s", pos, msg)
	}
	quoted := func() (string, bool) {
		if pos >= len(s) || s[pos] != '"' {
			return "", false
		}
		end := strings.IndexByte(s[pos+1:], '"')
		if end < 0 {
			return "", false
		}
		v := s[pos+1 : pos+1+end]
		pos += end + 2
		return v, true
	}
	if s == "" {
		return fail("empty path")
	}
	for pos < len(s) {
		switch {
		case s[pos] == '.':
			pos++
			start := pos
			for pos < len(s) {
				r, n := utf8.DecodeRuneInString(s[pos:])
				if !unicode.IsLetter(r) && !unicode.IsNumber(r) && !strings.ContainsRune("_$@", r) {
					break
				}
				pos += n
			}
			key := s[start:pos]
			if key == "" {
				var ok bool
				if key, ok = quoted(); !ok {
					return fail(`expected a key or a "quoted key" after .`)
				}
			}
			jp.segments = append(jp.segments, jpSegment{selectors: []jpSelector{{kind: selName, name: key}}})
		case strings.HasPrefix(s[pos:], "[?("):
			pos += 3
			if pos >= len(s) || s[pos] != '@' {
				return fail("expected @ in the filter")
			}
			pos++
			pos += len(s[pos:]) - len(strings.TrimLeftFunc(s[pos:], unicode.IsSpace))
			f := &depFilter{}
			for _, op := range []string{"==^", "==", "!=", "^==", "*=="} {
				if strings.HasPrefix(s[pos:], op) {
					f.op = op
					pos += len(op)
					break
				}
			}
			if f.op == "" {
				return fail("expected one of == != ^== ==^ *== in the filter")
			}
			pos += len(s[pos:]) - len(strings.TrimLeftFunc(s[pos:], unicode.IsSpace))
			v, ok := quoted()
			if !ok {
				return fail(`expected a "quoted value" in the filter`)
			}
			f.value = v
			if !strings.HasPrefix(s[pos:], ")]") {
				return fail("expected )] to close the filter")
			}
			pos += 2
			if pos != len(s) {
				return fail("the filter must end the path")
			}
			jp.depFilter = f
		case s[pos] == '[':
			pos++
			start := pos
			for pos < len(s) && isDigit(s[pos]) {
				pos++
			}
			n, err := strconv.ParseInt(s[start:pos], 10, 64)
			if err != nil || pos >= len(s) || s[pos] != ']' {
				return fail("expected [digits]")
			}
			pos++
			jp.segments = append(jp.segments, jpSegment{selectors: []jpSelector{{kind: selIndex, index: n}}})
		default:
			return fail(fmt.Sprintf("unexpected %q", s[pos:]))
		}
	}
	return jp, nil
}

// evalDeprecated follows PostgREST's evaluateDeprecatedJSPath: keys on
// objects, indexes on arrays, and the final filter picks the first string
// element of an array that matches.
func (p *JSPath) evalDeprecated(v any) (any, bool) {
	for _, seg := range p.segments {
		sel := seg.selectors[0]
		switch sel.kind {
		case selName:
			m, ok := v.(map[string]any)
			if !ok {
				return nil, false
			}
			if v, ok = m[sel.name]; !ok {
				return nil, false
			}
		case selIndex:
			a, ok := v.([]any)
			if !ok || sel.index >= int64(len(a)) {
				return nil, false
			}
			v = a[sel.index]
		}
	}
	if p.depFilter == nil {
		return v, true
	}
	a, ok := v.([]any)
	if !ok {
		return nil, false
	}
	for _, e := range a {
		s, ok := e.(string)
		if ok && p.depFilter.match(s) {
			return s, true
		}
	}
	return nil, false
}

func (f *depFilter) match(s string) bool {
	switch f.op {
	case "==":
		return s == f.value
	case "!=":
		return s != f.value
	case "^==":
		return strings.HasPrefix(s, f.value)
	case "==^":
		return strings.HasSuffix(s, f.value)
	case "*==":
		return strings.Contains(s, f.value)
	}
	return false
}
