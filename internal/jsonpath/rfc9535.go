package jsonpath

import (
	"regexp"
	"strings"

	"github.com/restgres/restgres/internal/jsonvalue"
)

// This file implements jwt-role-claim-key as an RFC 9535 JSONPath query,
// with the grammar and results of aeson-jsonpath 0.4, the library PostgREST
// 16 uses, rather than a general Go JSONPath library. aeson-jsonpath passes
// the RFC 9535 compliance suite except for functions other than search(),
// and so does this code; beyond the suite it differs from the RFC in ways
// kept here so that the same config selects the same role:
//
//   - search() is the only function extension (length, count, match and
//     value do not parse); its regular expressions are POSIX EREs.
//   - An index inside a filter comparison (@.a[-1] == 'x') is looked up
//     without counting from the end, so a negative one finds nothing.
//   - A negative decimal literal in a filter (-1.5) does not parse; "-0"
//     reads as 0.
//   - "[1:2: ]" (blanks after the second colon of a slice, then no step)
//     does not parse.
//
// Object members are visited in key order (aeson's maps are ordered), which
// decides which value comes first for wildcards, filters over objects and
// descendant segments.

type jpQuery struct {
	root bool // $ rather than @
	segs []jpSegment
	// simple: every segment is a child segment with one name or index
	// selector ($.role, $.a.b[0]), so the first result is found by walking
	// down, without building node lists.
	simple bool
}

type jpSegment struct {
	descendant bool // ..
	sels       []jpSelector
}

type jpSelKind uint8

const (
	selName jpSelKind = iota
	selIndex
	selSlice
	selWildcard
	selFilter
)

type jpSelector struct {
	kind             jpSelKind
	name             string // selName
	index            int64  // selIndex
	start, end, step int64  // selSlice
	hasStart, hasEnd bool   // selSlice
	filter           jpOr   // selFilter
}

// jpOr is a || b || ...; jpAnd is a && b && ....
type (
	jpOr  []jpAnd
	jpAnd []jpBasic
)

type jpBasicKind uint8

const (
	basicParen jpBasicKind = iota
	basicTest
	basicCompare
)

type jpBasic struct {
	kind jpBasicKind
	not  bool
	or   jpOr      // basicParen
	test jpTest    // basicTest
	cmp  jpCompare // basicCompare
}

type jpTest struct {
	query  *jpQuery  // a filter query, or
	search *jpSearch // search(...)
}

type jpCmpOp uint8

// The comparison operators, in the order of cmpOps.
const (
	opGreaterEq jpCmpOp = iota
	opLessEq
	opGreater
	opLess
	opNotEqual
	opEqual
)

// cmpOps spells the jpCmpOps, in the order aeson-jsonpath tries them.
var cmpOps = []string{">=", "<=", ">", "<", "!=", "=="}

type jpCompare struct {
	left, right jpComparable
	op          jpCmpOp
}

// jpComparable is a literal or a singular query.
type jpComparable struct {
	lit  *jsonvalue.Value
	root bool // singular query: $ rather than @
	segs []jpSingular
}

type jpSingular struct {
	name    string
	index   int64
	isIndex bool
}

type jpArgKind uint8

const (
	argLiteral jpArgKind = iota
	argQuery
	argLogical
	argSearch
)

type jpSearch struct {
	args [2]jpArg
}

type jpArg struct {
	kind   jpArgKind
	lit    *jsonvalue.Value
	re     *regexp.Regexp // argLiteral strings, compiled once; nil if invalid
	query  *jpQuery
	or     jpOr
	search *jpSearch
}

// parseJSONPath parses a role claim key; ok is false when it is not a
// query aeson-jsonpath accepts.
func parseJSONPath(s string) (*jpQuery, bool) {
	p := jpParser{s: []rune(s)}
	if !p.eat('$') {
		return nil, false
	}
	q := &jpQuery{root: true, segs: p.segments(), simple: true}
	if p.pos != len(p.s) {
		return nil, false
	}
	for _, seg := range q.segs {
		if seg.descendant || len(seg.sels) != 1 || (seg.sels[0].kind != selName && seg.sels[0].kind != selIndex) {
			q.simple = false
		}
	}
	return q, true
}

// jpParser is a backtracking parser: each production either succeeds or
// leaves pos where it was, as Parsec's try does around every alternative
// in aeson-jsonpath's grammar.
type jpParser struct {
	s   []rune
	pos int
}

func (p *jpParser) peek() rune {
	if p.pos < len(p.s) {
		return p.s[p.pos]
	}
	return -1
}

func (p *jpParser) eat(r rune) bool {
	if p.peek() == r {
		p.pos++
		return true
	}
	return false
}

func (p *jpParser) eatString(s string) bool {
	save := p.pos
	for _, r := range s {
		if !p.eat(r) {
			p.pos = save
			return false
		}
	}
	return true
}

// oneOf reads the first of ops that comes next and returns its index, or
// -1 when none does.
func (p *jpParser) oneOf(ops []string) int {
	for i, op := range ops {
		if p.eatString(op) {
			return i
		}
	}
	return -1
}

// spaces skips RFC 9535 blank space and reports whether any was skipped.
func (p *jpParser) spaces() bool {
	start := p.pos
	for {
		switch p.peek() {
		case ' ', '\n', '\r', '\t':
			p.pos++
		default:
			return p.pos > start
		}
	}
}

func (p *jpParser) segments() []jpSegment { return many(p, p.segment) }

// many parses zero or more items, each after optional blanks. Blanks that
// no item follows are left unread, as Parsec's many (try (spaces *> item))
// leaves them.
func many[T any](p *jpParser, item func() (T, bool)) []T {
	var items []T
	for {
		save := p.pos
		p.spaces()
		it, ok := item()
		if !ok {
			p.pos = save
			return items
		}
		items = append(items, it)
	}
}

// sepBy parses one or more items separated by sep with optional blanks
// around it. A separator that no item follows is left unread, as Parsec's
// many (try (spaces *> string sep *> spaces *> item)) leaves it.
func sepBy[T any](p *jpParser, sep string, item func() (T, bool)) ([]T, bool) {
	first, ok := item()
	if !ok {
		return nil, false
	}
	rest := many(p, func() (T, bool) {
		if !p.eatString(sep) {
			var none T
			return none, false
		}
		p.spaces()
		return item()
	})
	return append([]T{first}, rest...), true
}

func (p *jpParser) segment() (jpSegment, bool) {
	save := p.pos
	seg := jpSegment{descendant: p.eatString("..")}
	child := !seg.descendant
	if sels, ok := p.bracketed(); ok {
		seg.sels = sels
		return seg, true
	}
	if name, ok := p.dottedName(child); ok {
		seg.sels = []jpSelector{{kind: selName, name: name}}
		return seg, true
	}
	start := p.pos
	if (!child || p.eat('.')) && p.eat('*') {
		seg.sels = []jpSelector{{kind: selWildcard}}
		return seg, true
	}
	p.pos = start
	p.pos = save
	return jpSegment{}, false
}

func nameFirst(r rune) bool {
	return r == '_' || ('a' <= r && r <= 'z') || ('A' <= r && r <= 'Z') || r >= 0x80
}

func nameChar(r rune) bool { return nameFirst(r) || ('0' <= r && r <= '9') }

// dottedName parses .name (or name after ..).
func (p *jpParser) dottedName(needDot bool) (string, bool) {
	save := p.pos
	if needDot && !p.eat('.') {
		return "", false
	}
	if !nameFirst(p.peek()) {
		p.pos = save
		return "", false
	}
	start := p.pos
	for nameChar(p.peek()) {
		p.pos++
	}
	return string(p.s[start:p.pos]), true
}

func (p *jpParser) bracketed() ([]jpSelector, bool) {
	save := p.pos
	if !p.eat('[') {
		return nil, false
	}
	p.spaces()
	sels, ok := sepBy(p, ",", p.selector)
	if !ok {
		p.pos = save
		return nil, false
	}
	p.spaces()
	if !p.eat(']') {
		p.pos = save
		return nil, false
	}
	return sels, true
}

func (p *jpParser) selector() (jpSelector, bool) {
	if s, ok := p.quoted(); ok {
		return jpSelector{kind: selName, name: s}, true
	}
	if sel, ok := p.slice(); ok {
		return sel, true
	}
	if i, ok := p.signedInt(); ok {
		return jpSelector{kind: selIndex, index: i}, true
	}
	if p.eat('*') {
		return jpSelector{kind: selWildcard}, true
	}
	save := p.pos
	if p.eat('?') {
		p.spaces()
		if or, ok := p.logicalOr(); ok {
			return jpSelector{kind: selFilter, filter: or}, true
		}
	}
	p.pos = save
	return jpSelector{}, false
}

// slice parses start:end:step. After the second colon, blanks must be
// followed by a step: Parsec fails there without backtracking.
func (p *jpParser) slice() (jpSelector, bool) {
	save := p.pos
	sel := jpSelector{kind: selSlice, step: 1}
	if i, ok := p.signedInt(); ok {
		sel.start, sel.hasStart = i, true
		p.spaces()
	}
	if !p.eat(':') {
		p.pos = save
		return jpSelector{}, false
	}
	p.spaces()
	if i, ok := p.signedInt(); ok {
		sel.end, sel.hasEnd = i, true
		p.spaces()
	}
	if p.eat(':') {
		blanks := p.spaces()
		if i, ok := p.signedInt(); ok {
			sel.step = i
		} else if blanks {
			p.pos = save
			return jpSelector{}, false
		}
	}
	return sel, true
}

// maxJSONPathInt is the I-JSON bound RFC 9535 puts on indexes.
const maxJSONPathInt = 9007199254740991

// signedInt parses an RFC 9535 int: no leading zeros, no "-0", within
// ±(2^53-1).
func (p *jpParser) signedInt() (int64, bool) {
	save := p.pos
	if p.peek() == '-' && p.pos+1 < len(p.s) && p.s[p.pos+1] == '0' {
		return 0, false
	}
	if p.peek() == '0' && p.pos+1 < len(p.s) && isDigitRune(p.s[p.pos+1]) {
		return 0, false
	}
	neg := p.eat('-')
	start := p.pos
	var n int64
	for isDigitRune(p.peek()) {
		if n <= maxJSONPathInt {
			n = n*10 + int64(p.peek()-'0')
		}
		p.pos++
	}
	if p.pos == start || n > maxJSONPathInt {
		p.pos = save
		return 0, false
	}
	if neg {
		n = -n
	}
	return n, true
}

func isDigitRune(r rune) bool { return '0' <= r && r <= '9' }

// quoted parses a single- or double-quoted string literal.
func (p *jpParser) quoted() (string, bool) {
	save := p.pos
	q := p.peek()
	if q != '\'' && q != '"' {
		return "", false
	}
	p.pos++
	var b strings.Builder
	for {
		r := p.peek()
		switch {
		case r == q:
			p.pos++
			return b.String(), true
		case r == '\\':
			if c, ok := p.escape(q); ok {
				b.WriteRune(c)
				continue
			}
		case r == '\'' || r == '"':
			// the other quote
			b.WriteRune(r)
			p.pos++
			continue
		case unescaped(r):
			b.WriteRune(r)
			p.pos++
			continue
		}
		p.pos = save
		return "", false
	}
}

func unescaped(r rune) bool {
	return (r >= 0x20 && r <= 0x21) || (r >= 0x23 && r <= 0x26) || (r >= 0x28 && r <= 0x5B) ||
		(r >= 0x5D && r <= 0xD7FF) || (r >= 0xE000 && r <= 0x10FFFF)
}

// escape parses a backslash escape inside a string quoted with q.
func (p *jpParser) escape(q rune) (rune, bool) {
	save := p.pos
	p.pos++ // backslash
	r := p.peek()
	p.pos++
	switch r {
	case q:
		return q, true
	case 'b':
		return '\b', true
	case 'f':
		return '\f', true
	case 'n':
		return '\n', true
	case 'r':
		return '\r', true
	case 't':
		return '\t', true
	case '/':
		return '/', true
	case '\\':
		return '\\', true
	case 'u':
		if hi, ok := p.hex4(); ok {
			switch {
			case hi < 0xD800 || hi > 0xDFFF:
				return hi, true
			case hi <= 0xDBFF && p.eatString(`\u`):
				if lo, ok := p.hex4(); ok && lo >= 0xDC00 && lo <= 0xDFFF {
					return (hi-0xD800)*0x400 + (lo - 0xDC00) + 0x10000, true
				}
			}
		}
	}
	p.pos = save
	return 0, false
}

func (p *jpParser) hex4() (rune, bool) {
	if p.pos+4 > len(p.s) {
		return 0, false
	}
	var v rune
	for _, c := range p.s[p.pos : p.pos+4] {
		switch {
		case '0' <= c && c <= '9':
			v = v<<4 | (c - '0')
		case 'a' <= c && c <= 'f':
			v = v<<4 | (c - 'a' + 10)
		case 'A' <= c && c <= 'F':
			v = v<<4 | (c - 'A' + 10)
		default:
			return 0, false
		}
	}
	p.pos += 4
	return v, true
}

func (p *jpParser) logicalOr() (jpOr, bool) { return sepBy(p, "||", p.logicalAnd) }

func (p *jpParser) logicalAnd() (jpAnd, bool) { return sepBy(p, "&&", p.basic) }

// basic tries a parenthesised expression, then a comparison, then a test,
// in aeson-jsonpath's order.
func (p *jpParser) basic() (jpBasic, bool) {
	save := p.pos
	not := p.eat('!')
	if not {
		p.spaces()
	}
	if p.eat('(') {
		p.spaces()
		if or, ok := p.logicalOr(); ok {
			p.spaces()
			if p.eat(')') {
				return jpBasic{kind: basicParen, not: not, or: or}, true
			}
		}
	}
	p.pos = save
	if c, ok := p.comparison(); ok {
		return jpBasic{kind: basicCompare, cmp: c}, true
	}
	p.pos = save
	not = p.eat('!')
	if not {
		p.spaces()
	}
	if q, ok := p.filterQuery(); ok {
		return jpBasic{kind: basicTest, not: not, test: jpTest{query: q}}, true
	}
	if s, ok := p.searchFunc(); ok {
		return jpBasic{kind: basicTest, not: not, test: jpTest{search: s}}, true
	}
	p.pos = save
	return jpBasic{}, false
}

// filterQuery parses a query inside a filter: $... or @..., with no
// requirement to end the input.
func (p *jpParser) filterQuery() (*jpQuery, bool) {
	switch {
	case p.eat('$'):
		return &jpQuery{root: true, segs: p.segments()}, true
	case p.eat('@'):
		return &jpQuery{segs: p.segments()}, true
	}
	return nil, false
}

func (p *jpParser) comparison() (jpCompare, bool) {
	save := p.pos
	left, ok := p.comparable()
	if !ok {
		return jpCompare{}, false
	}
	p.spaces()
	op := p.oneOf(cmpOps)
	if op < 0 {
		p.pos = save
		return jpCompare{}, false
	}
	p.spaces()
	right, ok := p.comparable()
	if !ok {
		p.pos = save
		return jpCompare{}, false
	}
	return jpCompare{left: left, right: right, op: jpCmpOp(op)}, true
}

func (p *jpParser) comparable() (jpComparable, bool) {
	if lit, ok := p.literal(); ok {
		return jpComparable{lit: lit}, true
	}
	var c jpComparable
	switch {
	case p.eat('@'):
	case p.eat('$'):
		c.root = true
	default:
		return jpComparable{}, false
	}
	c.segs = many(p, p.singularSegment)
	return c, true
}

// singularSegment parses ['name'], .name or [index], with no blanks inside
// the brackets (aeson-jsonpath allows none there).
func (p *jpParser) singularSegment() (jpSingular, bool) {
	save := p.pos
	if p.eat('[') {
		if s, ok := p.quoted(); ok && p.eat(']') {
			return jpSingular{name: s}, true
		}
		p.pos = save + 1
		if i, ok := p.signedInt(); ok && p.eat(']') {
			return jpSingular{index: i, isIndex: true}, true
		}
		p.pos = save
		return jpSingular{}, false
	}
	if name, ok := p.dottedName(true); ok {
		return jpSingular{name: name}, true
	}
	return jpSingular{}, false
}

// literal parses a string, number, true, false or null.
func (p *jpParser) literal() (*jsonvalue.Value, bool) {
	if s, ok := p.quoted(); ok {
		return &jsonvalue.Value{Kind: jsonvalue.String, Text: s}, true
	}
	if n, ok := p.number(); ok {
		return &jsonvalue.Value{Kind: jsonvalue.Number, Text: n}, true
	}
	switch {
	case p.eatString("true"):
		return &jsonvalue.Value{Kind: jsonvalue.True}, true
	case p.eatString("false"):
		return &jsonvalue.Value{Kind: jsonvalue.False}, true
	case p.eatString("null"):
		return &jsonvalue.Value{Kind: jsonvalue.Null}, true
	}
	return nil, false
}

// number parses aeson-jsonpath's number literals: "-0", digits.digits with
// an optional exponent (unsigned, leading zeros allowed), or an int with an
// optional exponent. It returns the literal, which a jsonvalue Number may
// hold (leading zeros included).
func (p *jpParser) number() (string, bool) {
	if p.eatString("-0") {
		return "0", true
	}
	save := p.pos
	start := p.pos
	// digits '.' digits [exponent]
	for isDigitRune(p.peek()) {
		p.pos++
	}
	if p.pos > start && p.eat('.') {
		frac := p.pos
		for isDigitRune(p.peek()) {
			p.pos++
		}
		if p.pos > frac && p.exponent() {
			return string(p.s[start:p.pos]), true
		}
	}
	p.pos = save
	if _, ok := p.signedInt(); !ok {
		return "", false
	}
	if !p.exponent() {
		p.pos = save
		return "", false
	}
	return string(p.s[start:p.pos]), true
}

// exponent parses an optional exponent; false means an 'e' without digits.
func (p *jpParser) exponent() bool {
	if p.peek() != 'e' && p.peek() != 'E' {
		return true
	}
	p.pos++
	if p.peek() == '+' || p.peek() == '-' {
		p.pos++
	}
	if !isDigitRune(p.peek()) {
		return false
	}
	for isDigitRune(p.peek()) {
		p.pos++
	}
	return true
}

// searchFunc parses search(arg, arg).
func (p *jpParser) searchFunc() (*jpSearch, bool) {
	save := p.pos
	if !p.eatString("search(") {
		return nil, false
	}
	var s jpSearch
	for i := range s.args {
		if i == 1 {
			p.spaces()
			if !p.eat(',') {
				p.pos = save
				return nil, false
			}
		}
		p.spaces()
		a, ok := p.funcArg()
		if !ok {
			p.pos = save
			return nil, false
		}
		s.args[i] = a
	}
	p.spaces()
	if !p.eat(')') {
		p.pos = save
		return nil, false
	}
	return &s, true
}

func (p *jpParser) funcArg() (jpArg, bool) {
	if lit, ok := p.literal(); ok {
		a := jpArg{kind: argLiteral, lit: lit}
		if lit.Kind == jsonvalue.String {
			a.re = compileRegex(lit.Text)
		}
		return a, true
	}
	if q, ok := p.filterQuery(); ok {
		return jpArg{kind: argQuery, query: q}, true
	}
	if or, ok := p.logicalOr(); ok {
		return jpArg{kind: argLogical, or: or}, true
	}
	if s, ok := p.searchFunc(); ok {
		return jpArg{kind: argSearch, search: s}, true
	}
	return jpArg{}, false
}

// compileRegex compiles a search() pattern. aeson-jsonpath uses regex-tdfa,
// a POSIX ERE engine; CompilePOSIX is the closest Go has. A pattern that
// does not compile never matches.
func compileRegex(s string) *regexp.Regexp {
	re, err := regexp.CompilePOSIX(s)
	if err != nil {
		return nil
	}
	return re
}

// first returns the first node the query selects from root, or nil.
func (q *jpQuery) first(root *jsonvalue.Value) *jsonvalue.Value {
	if q.simple {
		v := root
		for i := range q.segs {
			if v = q.segs[i].sels[0].child(v); v == nil {
				return nil
			}
		}
		return v
	}
	nodes := q.eval(root, root)
	if len(nodes) == 0 {
		return nil
	}
	return nodes[0]
}

// eval returns the nodelist of q; cur is @.
func (q *jpQuery) eval(root, cur *jsonvalue.Value) []*jsonvalue.Value {
	start := cur
	if q.root {
		start = root
	}
	nodes := []*jsonvalue.Value{start}
	for i := range q.segs {
		seg := &q.segs[i]
		var next []*jsonvalue.Value
		for _, n := range nodes {
			if seg.descendant {
				for _, d := range descendants(n, nil) {
					next = seg.apply(root, d, next)
				}
			} else {
				next = seg.apply(root, n, next)
			}
		}
		nodes = next
	}
	return nodes
}

// descendants lists n and everything below it that is an object or an
// array, parents first (aeson-jsonpath's allElemsRecursive).
func descendants(n *jsonvalue.Value, out []*jsonvalue.Value) []*jsonvalue.Value {
	switch n.Kind {
	case jsonvalue.Object:
		out = append(out, n)
		for i := range n.Obj {
			out = descendants(&n.Obj[i].Val, out)
		}
	case jsonvalue.Array:
		out = append(out, n)
		for i := range n.Arr {
			out = descendants(&n.Arr[i], out)
		}
	}
	return out
}

func (seg *jpSegment) apply(root, n *jsonvalue.Value, out []*jsonvalue.Value) []*jsonvalue.Value {
	for i := range seg.sels {
		out = seg.sels[i].apply(root, n, out)
	}
	return out
}

// child is what a name or index selector selects from n, or nil.
func (sel *jpSelector) child(n *jsonvalue.Value) *jsonvalue.Value {
	if sel.kind == selName {
		return n.Get(sel.name)
	}
	if n.Kind != jsonvalue.Array {
		return nil
	}
	i := sel.index
	if i < 0 {
		i += int64(len(n.Arr))
	}
	if i < 0 || i >= int64(len(n.Arr)) {
		return nil
	}
	return &n.Arr[i]
}

func (sel *jpSelector) apply(root, n *jsonvalue.Value, out []*jsonvalue.Value) []*jsonvalue.Value {
	switch sel.kind {
	case selName, selIndex:
		if v := sel.child(n); v != nil {
			out = append(out, v)
		}
	case selSlice:
		if n.Kind == jsonvalue.Array {
			out = sel.slice(n.Arr, out)
		}
	case selWildcard:
		out = children(n, out)
	case selFilter:
		for _, c := range children(n, nil) {
			if sel.filter.eval(root, c) {
				out = append(out, c)
			}
		}
	}
	return out
}

func children(n *jsonvalue.Value, out []*jsonvalue.Value) []*jsonvalue.Value {
	switch n.Kind {
	case jsonvalue.Object:
		for i := range n.Obj {
			out = append(out, &n.Obj[i].Val)
		}
	case jsonvalue.Array:
		for i := range n.Arr {
			out = append(out, &n.Arr[i])
		}
	}
	return out
}

// slice is RFC 9535's array slice (aeson-jsonpath's sliceArray).
func (sel *jpSelector) slice(arr []jsonvalue.Value, out []*jsonvalue.Value) []*jsonvalue.Value {
	n := int64(len(arr))
	norm := func(i int64) int64 {
		if i >= 0 {
			return i
		}
		return n + i
	}
	switch {
	case sel.step > 0:
		lo, hi := int64(0), n
		if sel.hasStart {
			lo = norm(sel.start)
		}
		if sel.hasEnd {
			hi = norm(sel.end)
		}
		lo, hi = min(max(lo, 0), n), min(max(hi, 0), n)
		for i := lo; i < hi; i += sel.step {
			out = append(out, &arr[i])
		}
	case sel.step < 0:
		st, en := n-1, int64(-1)
		if sel.hasStart {
			st = norm(sel.start)
		}
		if sel.hasEnd {
			en = norm(sel.end)
		}
		lo, hi := min(max(en, -1), n-1), min(max(st, -1), n-1)
		for i := hi; lo < i; i += sel.step {
			out = append(out, &arr[i])
		}
	}
	return out
}

func (or jpOr) eval(root, cur *jsonvalue.Value) bool {
	for _, and := range or {
		if and.eval(root, cur) {
			return true
		}
	}
	return false
}

func (and jpAnd) eval(root, cur *jsonvalue.Value) bool {
	for i := range and {
		if !and[i].eval(root, cur) {
			return false
		}
	}
	return true
}

func (b *jpBasic) eval(root, cur *jsonvalue.Value) bool {
	var r bool
	switch b.kind {
	case basicParen:
		r = b.or.eval(root, cur)
	case basicTest:
		if b.test.query != nil {
			r = len(b.test.query.eval(root, cur)) > 0
		} else {
			r = b.test.search.eval(root, cur)
		}
	case basicCompare:
		r = b.cmp.eval(root, cur)
	}
	return r != b.not
}

func (c *jpCompare) eval(root, cur *jsonvalue.Value) bool {
	l, r := c.left.value(root, cur), c.right.value(root, cur)
	switch c.op {
	case opLess:
		return less(l, r)
	case opLessEq:
		return less(l, r) || equal(l, r)
	case opGreater:
		return less(r, l)
	case opGreaterEq:
		return less(r, l) || equal(l, r)
	case opEqual:
		return equal(l, r)
	default:
		return !equal(l, r)
	}
}

// equal compares two comparables, nil meaning "selects nothing": two
// empty results are equal, as RFC 9535 says.
func equal(a, b *jsonvalue.Value) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	return jsonvalue.Equal(a, b)
}

// less is RFC 9535's <: only two strings or two numbers are ordered, and
// "selects nothing" is less than nothing.
func less(a, b *jsonvalue.Value) bool {
	if a == nil || b == nil {
		return false
	}
	c, ok := jsonvalue.Compare(a, b)
	return ok && c < 0
}

func (c *jpComparable) value(root, cur *jsonvalue.Value) *jsonvalue.Value {
	if c.lit != nil {
		return c.lit
	}
	v := cur
	if c.root {
		v = root
	}
	for _, s := range c.segs {
		if v == nil {
			return nil
		}
		if s.isIndex {
			// aeson-jsonpath does not count negative indexes from the end here.
			if v.Kind != jsonvalue.Array || s.index < 0 || s.index >= int64(len(v.Arr)) {
				return nil
			}
			v = &v.Arr[s.index]
		} else {
			v = v.Get(s.name)
		}
	}
	return v
}

// eval is search(): a string argument and a pattern argument, each a
// string literal or a query selecting exactly one string.
func (s *jpSearch) eval(root, cur *jsonvalue.Value) bool {
	var texts [2]string
	var re *regexp.Regexp
	for i := range s.args {
		a := &s.args[i]
		switch a.kind {
		case argLiteral:
			if a.lit.Kind != jsonvalue.String {
				return false
			}
			texts[i] = a.lit.Text
			if i == 1 {
				re = a.re
			}
		case argQuery:
			nodes := a.query.eval(root, cur)
			if len(nodes) != 1 || nodes[0].Kind != jsonvalue.String {
				return false
			}
			texts[i] = nodes[0].Text
			if i == 1 {
				re = compileRegex(texts[1])
			}
		default:
			return false
		}
	}
	return re != nil && re.MatchString(texts[0])
}
