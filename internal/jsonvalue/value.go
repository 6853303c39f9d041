// Package jsonvalue holds JSON the way PostgREST's JSON library, aeson,
// holds it: objects are maps ordered by key (the last of duplicate keys
// wins) and numbers keep their exact decimal value. Parse reads RFC 8259
// text as aeson accepts it and Append prints a value as aeson prints it.
//
// JWT headers, JSON Web Keys and claims are read with it (package auth),
// and role-claim paths are evaluated on it (package jsonpath): the first
// result of a path depends on the key order, and request.jwt.claims must
// carry PostgREST's text. Decoding into map[string]any would lose the order
// and turn numbers into float64, and encoding/json matches struct fields
// case-insensitively, hence this package. It parses and prints values and
// nothing else: it knows neither JWTs nor paths.
package jsonvalue

import (
	"slices"
	"strings"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/restgres/restgres/internal/jsonenc"
)

// Kind is the type of a [Value].
type Kind uint8

// The kinds of JSON value; false and true are kinds of their own.
const (
	Null Kind = iota
	False
	True
	Number
	String
	Array
	Object
)

// Value is a parsed JSON value. Only the field of its Kind is set.
type Value struct {
	Kind Kind
	// Text is the value of a String, and the literal of a Number as written
	// (RFC 8259 syntax, or with leading zeros for the literals of a JSONPath
	// filter; [Compare], [Equal] and [Append] accept both).
	Text string
	Arr  []Value  // Array: the elements
	Obj  []Member // Object: sorted by key, one member per key
}

// Member is one member of an object.
type Member struct {
	Key string
	Val Value
}

// Get returns the member named key of an object, or nil (also when v is
// not an object).
func (v *Value) Get(key string) *Value {
	if v.Kind != Object {
		return nil
	}
	i, ok := slices.BinarySearchFunc(v.Obj, key, func(m Member, k string) int { return strings.Compare(m.Key, k) })
	if !ok {
		return nil
	}
	return &v.Obj[i].Val
}

// Has reports whether an object has a member named key, whatever its value.
func (v *Value) Has(key string) bool { return v.Get(key) != nil }

// jsonMaxDepth bounds nesting so that a hostile JWT header (parsed before
// its signature is checked) cannot exhaust the stack.
const jsonMaxDepth = 1000

// Parse parses one JSON text, surrounded by optional whitespace, as
// RFC 8259 defines it. Input that is not valid UTF-8 is rejected, as aeson
// rejects it. Duplicate object keys keep the last value (aeson builds its
// maps with Map.fromList).
//
// Strings without escapes, and number literals, are substrings of data,
// which is therefore a string: one conversion for the whole text instead of
// one allocation per value.
func Parse(data string) (Value, bool) {
	if !utf8.ValidString(data) {
		return Value{}, false
	}
	p := jsonParser{data: data}
	p.skipSpace()
	v, ok := p.value(0)
	if !ok {
		return Value{}, false
	}
	p.skipSpace()
	if p.pos != len(p.data) {
		return Value{}, false
	}
	return v, true
}

type jsonParser struct {
	data string
	pos  int
	// Members and elements of the objects and arrays being parsed are
	// collected on these stacks and copied out once each is complete, so
	// that every object or array costs one allocation of its final size.
	members []Member
	elems   []Value
}

func (p *jsonParser) skipSpace() {
	for p.pos < len(p.data) {
		switch p.data[p.pos] {
		case ' ', '\t', '\n', '\r':
			p.pos++
		default:
			return
		}
	}
}

func (p *jsonParser) literal(word string) bool {
	if strings.HasPrefix(p.data[p.pos:], word) {
		p.pos += len(word)
		return true
	}
	return false
}

func (p *jsonParser) value(depth int) (Value, bool) {
	if p.pos >= len(p.data) || depth > jsonMaxDepth {
		return Value{}, false
	}
	switch c := p.data[p.pos]; {
	case c == '{':
		return p.object(depth)
	case c == '[':
		return p.array(depth)
	case c == '"':
		s, ok := p.string()
		return Value{Kind: String, Text: s}, ok
	case c == 't':
		return Value{Kind: True}, p.literal("true")
	case c == 'f':
		return Value{Kind: False}, p.literal("false")
	case c == 'n':
		return Value{Kind: Null}, p.literal("null")
	case c == '-' || isDigit(c):
		return p.number()
	}
	return Value{}, false
}

func (p *jsonParser) object(depth int) (Value, bool) {
	p.pos++ // {
	if p.members == nil {
		p.members = make([]Member, 0, 16) // enough for usual claims
	}
	start := len(p.members)
	defer func() { p.members = p.members[:start] }()
	p.skipSpace()
	if p.pos < len(p.data) && p.data[p.pos] == '}' {
		p.pos++
		return Value{Kind: Object}, true
	}
	for {
		p.skipSpace()
		if p.pos >= len(p.data) || p.data[p.pos] != '"' {
			return Value{}, false
		}
		key, ok := p.string()
		if !ok {
			return Value{}, false
		}
		p.skipSpace()
		if p.pos >= len(p.data) || p.data[p.pos] != ':' {
			return Value{}, false
		}
		p.pos++
		p.skipSpace()
		val, ok := p.value(depth + 1)
		if !ok {
			return Value{}, false
		}
		p.members = append(p.members, Member{Key: key, Val: val})
		p.skipSpace()
		if p.pos >= len(p.data) {
			return Value{}, false
		}
		if p.data[p.pos] == '}' {
			p.pos++
			break
		}
		if p.data[p.pos] != ',' {
			return Value{}, false
		}
		p.pos++
	}
	members := p.members[start:]
	// Sort indexes rather than members, which are large and hold pointers.
	// A stable sort keeps duplicates in input order, so the last of each
	// run is the last occurrence, the one aeson keeps.
	var orderBuf [32]int32
	order := orderBuf[:0]
	for i := range members {
		order = append(order, int32(i))
	}
	slices.SortStableFunc(order, func(a, b int32) int { return strings.Compare(members[a].Key, members[b].Key) })
	obj := make([]Member, 0, len(members))
	for j, i := range order {
		if j+1 < len(order) && members[order[j+1]].Key == members[i].Key {
			continue
		}
		obj = append(obj, members[i])
	}
	return Value{Kind: Object, Obj: obj}, true
}

func (p *jsonParser) array(depth int) (Value, bool) {
	p.pos++ // [
	start := len(p.elems)
	defer func() { p.elems = p.elems[:start] }()
	p.skipSpace()
	if p.pos < len(p.data) && p.data[p.pos] == ']' {
		p.pos++
		return Value{Kind: Array}, true
	}
	for {
		p.skipSpace()
		v, ok := p.value(depth + 1)
		if !ok {
			return Value{}, false
		}
		p.elems = append(p.elems, v)
		p.skipSpace()
		if p.pos >= len(p.data) {
			return Value{}, false
		}
		if p.data[p.pos] == ']' {
			p.pos++
			return Value{Kind: Array, Arr: slices.Clone(p.elems[start:])}, true
		}
		if p.data[p.pos] != ',' {
			return Value{}, false
		}
		p.pos++
	}
}

// number checks the RFC 8259 number grammar and keeps the literal.
func (p *jsonParser) number() (Value, bool) {
	start := p.pos
	d := p.data
	i := p.pos
	if i < len(d) && d[i] == '-' {
		i++
	}
	switch {
	case i < len(d) && d[i] == '0':
		i++
	case i < len(d) && '1' <= d[i] && d[i] <= '9':
		for i < len(d) && isDigit(d[i]) {
			i++
		}
	default:
		return Value{}, false
	}
	if i < len(d) && d[i] == '.' {
		i++
		if i >= len(d) || !isDigit(d[i]) {
			return Value{}, false
		}
		for i < len(d) && isDigit(d[i]) {
			i++
		}
	}
	if i < len(d) && (d[i] == 'e' || d[i] == 'E') {
		i++
		if i < len(d) && (d[i] == '+' || d[i] == '-') {
			i++
		}
		if i >= len(d) || !isDigit(d[i]) {
			return Value{}, false
		}
		for i < len(d) && isDigit(d[i]) {
			i++
		}
	}
	p.pos = i
	return Value{Kind: Number, Text: d[start:i]}, true
}

// string parses a string literal at p.pos (which holds the opening quote).
func (p *jsonParser) string() (string, bool) {
	p.pos++ // "
	start := p.pos
	// Fast path: no escapes, which is the common case for claims.
	for i := p.pos; i < len(p.data); i++ {
		c := p.data[i]
		if c == '"' {
			p.pos = i + 1
			return p.data[start:i], true
		}
		if c == '\\' {
			break
		}
		if c < 0x20 {
			return "", false
		}
	}
	var b []byte
	for p.pos < len(p.data) {
		c := p.data[p.pos]
		switch {
		case c == '"':
			p.pos++
			return string(append(b, p.data[start:p.pos-1]...)), true
		case c < 0x20:
			return "", false
		case c != '\\':
			p.pos++
			continue
		}
		b = append(b, p.data[start:p.pos]...)
		p.pos++ // backslash
		if p.pos >= len(p.data) {
			return "", false
		}
		e := p.data[p.pos]
		p.pos++
		switch e {
		case '"', '\\', '/':
			b = append(b, e)
		case 'b':
			b = append(b, '\b')
		case 'f':
			b = append(b, '\f')
		case 'n':
			b = append(b, '\n')
		case 'r':
			b = append(b, '\r')
		case 't':
			b = append(b, '\t')
		case 'u':
			r, ok := p.hex4()
			if !ok {
				return "", false
			}
			if utf16.IsSurrogate(r) {
				// Only a high surrogate followed by an escaped low one is a
				// character; aeson rejects the text otherwise.
				if p.pos+1 >= len(p.data) || p.data[p.pos] != '\\' || p.data[p.pos+1] != 'u' {
					return "", false
				}
				p.pos += 2
				low, ok := p.hex4()
				if !ok {
					return "", false
				}
				if r = utf16.DecodeRune(r, low); r == utf8.RuneError {
					return "", false
				}
			}
			b = utf8.AppendRune(b, r)
		default:
			return "", false
		}
		start = p.pos
	}
	return "", false
}

func (p *jsonParser) hex4() (rune, bool) {
	if p.pos+4 > len(p.data) {
		return 0, false
	}
	var r rune
	for i := p.pos; i < p.pos+4; i++ {
		c := p.data[i]
		var v byte
		switch {
		case '0' <= c && c <= '9':
			v = c - '0'
		case 'a' <= c && c <= 'f':
			v = c - 'a' + 10
		case 'A' <= c && c <= 'F':
			v = c - 'A' + 10
		default:
			return 0, false
		}
		r = r<<4 | rune(v)
	}
	p.pos += 4
	return r, true
}

// Append appends v the way aeson encodes it: compact, object keys in
// order, strings escaped as aeson escapes them (jsonenc.AppendString
// follows the same rules), numbers as Scientific prints them.
func Append(b []byte, v *Value) []byte {
	switch v.Kind {
	case Null:
		return append(b, "null"...)
	case False:
		return append(b, "false"...)
	case True:
		return append(b, "true"...)
	case Number:
		return appendAesonNumber(b, v.Text)
	case String:
		return jsonenc.AppendString(b, v.Text)
	case Array:
		b = append(b, '[')
		for i := range v.Arr {
			if i > 0 {
				b = append(b, ',')
			}
			b = Append(b, &v.Arr[i])
		}
		return append(b, ']')
	default:
		b = append(b, '{')
		for i := range v.Obj {
			if i > 0 {
				b = append(b, ',')
			}
			b = jsonenc.AppendString(b, v.Obj[i].Key)
			b = append(b, ':')
			b = Append(b, &v.Obj[i].Val)
		}
		return append(b, '}')
	}
}

// Equal is aeson's Value equality: numbers compare by value (1 equals
// 1.0), objects regardless of member order (ours are sorted, so pairwise).
func Equal(a, b *Value) bool {
	if a.Kind != b.Kind {
		return false
	}
	switch a.Kind {
	case String:
		return a.Text == b.Text
	case Number:
		da, _ := parseDecimal(a.Text)
		db, _ := parseDecimal(b.Text)
		return compareDecimals(da, db) == 0
	case Array:
		if len(a.Arr) != len(b.Arr) {
			return false
		}
		for i := range a.Arr {
			if !Equal(&a.Arr[i], &b.Arr[i]) {
				return false
			}
		}
		return true
	case Object:
		if len(a.Obj) != len(b.Obj) {
			return false
		}
		for i := range a.Obj {
			if a.Obj[i].Key != b.Obj[i].Key || !Equal(&a.Obj[i].Val, &b.Obj[i].Val) {
				return false
			}
		}
		return true
	default:
		return true
	}
}

// Compare orders two strings (by code point) or two numbers (by value),
// returning -1, 0 or +1; ok is false when a and b are not both strings or
// both numbers, which have no order.
func Compare(a, b *Value) (c int, ok bool) {
	switch {
	case a.Kind != b.Kind:
		return 0, false
	case a.Kind == String:
		return strings.Compare(a.Text, b.Text), true // UTF-8 byte order is code point order
	case a.Kind == Number:
		da, _ := parseDecimal(a.Text)
		db, _ := parseDecimal(b.Text)
		return compareDecimals(da, db), true
	}
	return 0, false
}

// Int64 returns a number as an int64 the way PostgREST reads the exp, nbf
// and iat claims: Scientific's toBoundedInteger, or 0 when the number is
// fractional or beyond int64 (PostgREST's fromMaybe 0). It returns 0 for
// a value that is not a number.
func (v *Value) Int64() int64 {
	if v.Kind != Number {
		return 0
	}
	d, _ := parseDecimal(v.Text)
	return d.int64Value()
}
