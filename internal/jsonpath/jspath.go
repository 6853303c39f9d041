package jsonpath

import (
	"strings"
	"unicode"

	"github.com/restgres/restgres/internal/jsonvalue"
)

// This file is the role claim key syntax of PostgREST before v16
// (".role", ".a.b[0]", `."https://x/role"`, `.roles[?(@ ^== "adm")]`),
// still accepted, with a deprecation warning, when a value is not valid
// RFC 9535. Its grammar and lookup follow PostgREST's DeprecatedJSPath.

type jspStepKind uint8

const (
	jspKey jspStepKind = iota
	jspIndex
	jspFilter
)

type jspFilterOp uint8

// The filter operators, in the order of jspOps.
const (
	jspEndsWith jspFilterOp = iota
	jspEquals
	jspNotEquals
	jspStartsWith
	jspContains
)

// jspOps spells the jspFilterOps, in the order PostgREST tries them ("==^"
// before "==").
var jspOps = []string{"==^", "==", "!=", "^==", "*=="}

type jspStep struct {
	kind  jspStepKind
	key   string      // jspKey
	index int64       // jspIndex
	op    jspFilterOp // jspFilter
	text  string      // jspFilter: the quoted operand
}

// parseJSPath parses the deprecated syntax: one or more .key, ."key" or
// [index] steps, optionally ending with one [?(@ op "text")] filter.
func parseJSPath(s string) ([]jspStep, bool) {
	p := jpParser{s: []rune(s)}
	var steps []jspStep
	for p.pos < len(p.s) {
		switch {
		case p.eat('.'):
			start := p.pos
			for r := p.peek(); r != -1 && (isHaskellAlphaNum(r) || r == '_' || r == '$' || r == '@'); r = p.peek() {
				p.pos++
			}
			key := string(p.s[start:p.pos])
			if key == "" {
				var ok bool
				if key, ok = p.jspQuoted(); !ok {
					return nil, false
				}
			}
			steps = append(steps, jspStep{kind: jspKey, key: key})
		case p.eatString("[?("):
			if !p.eat('@') {
				return nil, false
			}
			p.haskellSpaces()
			op := p.oneOf(jspOps)
			if op < 0 {
				return nil, false
			}
			p.haskellSpaces()
			text, ok := p.jspQuoted()
			if !ok || !p.eatString(")]") || p.pos != len(p.s) {
				return nil, false // the filter must be the last step
			}
			steps = append(steps, jspStep{kind: jspFilter, op: jspFilterOp(op), text: text})
		case p.eat('['):
			start := p.pos
			var n int64
			for isDigitRune(p.peek()) {
				// Haskell's read :: Int wraps around on overflow; so does this.
				n = n*10 + int64(p.peek()-'0')
				p.pos++
			}
			if p.pos == start || !p.eat(']') {
				return nil, false
			}
			steps = append(steps, jspStep{kind: jspIndex, index: n})
		default:
			return nil, false
		}
	}
	return steps, len(steps) > 0
}

// jspQuoted parses "text": any characters but a double quote, no escapes.
func (p *jpParser) jspQuoted() (string, bool) {
	if !p.eat('"') {
		return "", false
	}
	start := p.pos
	for p.pos < len(p.s) && p.s[p.pos] != '"' {
		p.pos++
	}
	if p.pos == len(p.s) {
		return "", false
	}
	p.pos++
	return string(p.s[start : p.pos-1]), true
}

// haskellSpaces skips what Parsec's spaces skips: Data.Char.isSpace.
func (p *jpParser) haskellSpaces() {
	for p.pos < len(p.s) && isHaskellSpace(p.s[p.pos]) {
		p.pos++
	}
}

func isHaskellSpace(r rune) bool {
	switch {
	case r == ' ' || (r >= '\t' && r <= '\r') || r == 0xA0:
		return true
	case r < 0x378:
		return false
	}
	return unicode.Is(unicode.Zs, r)
}

// isHaskellAlphaNum is Data.Char.isAlphaNum: a letter or a number of any
// script.
func isHaskellAlphaNum(r rune) bool { return unicode.IsLetter(r) || unicode.IsNumber(r) }

// evalJSPath looks the path up in the claims; nil when it finds nothing.
func evalJSPath(steps []jspStep, v *jsonvalue.Value) *jsonvalue.Value {
	for _, s := range steps {
		switch {
		case s.kind == jspKey && v.Kind == jsonvalue.Object:
			if v = v.Get(s.key); v == nil {
				return nil
			}
		case s.kind == jspIndex && v.Kind == jsonvalue.Array:
			if s.index < 0 || s.index >= int64(len(v.Arr)) {
				return nil
			}
			v = &v.Arr[s.index]
		case s.kind == jspFilter && v.Kind == jsonvalue.Array:
			for i := range v.Arr {
				if e := &v.Arr[i]; e.Kind == jsonvalue.String && s.match(e.Text) {
					return e
				}
			}
			return nil
		default:
			return nil
		}
	}
	return v
}

func (s *jspStep) match(str string) bool {
	switch s.op {
	case jspEquals:
		return str == s.text
	case jspNotEquals:
		return str != s.text
	case jspStartsWith:
		return strings.HasPrefix(str, s.text)
	case jspEndsWith:
		return strings.HasSuffix(str, s.text)
	default:
		return strings.Contains(str, s.text)
	}
}
