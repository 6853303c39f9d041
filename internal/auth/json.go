package auth

import (
	"slices"
	"strings"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/restgres/restgres/internal/apierr"
)

// This file holds the small JSON model the package works on. PostgREST
// decodes JWT headers and claims with aeson, whose objects are maps ordered
// by key; the role claim key is evaluated against that order (the first
// JSONPath result wins) and request.jwt.claims is printed in it. Decoding
// into map[string]any would lose the order and float64 the digits, and
// encoding/json matches struct fields case-insensitively, so the package
// has its own parser and encoder that follow aeson.

type jsonKind uint8

const (
	jsonNull jsonKind = iota
	jsonFalse
	jsonTrue
	jsonNumber
	jsonString
	jsonArray
	jsonObject
)

// jsonValue is a parsed JSON value.
type jsonValue struct {
	kind jsonKind
	str  string       // jsonString: the value; jsonNumber: the literal as written
	arr  []jsonValue  // jsonArray: the elements
	obj  []jsonMember // jsonObject: sorted by key, one member per key
}

type jsonMember struct {
	key string
	val jsonValue
}

// get returns the member named key of an object, or nil.
func (v *jsonValue) get(key string) *jsonValue {
	if v.kind != jsonObject {
		return nil
	}
	i, ok := slices.BinarySearchFunc(v.obj, key, func(m jsonMember, k string) int { return strings.Compare(m.key, k) })
	if !ok {
		return nil
	}
	return &v.obj[i].val
}

// has reports whether an object has a member named key, whatever its value.
func (v *jsonValue) has(key string) bool { return v.get(key) != nil }

// jsonMaxDepth bounds nesting so that a hostile JWT header (parsed before
// its signature is checked) cannot exhaust the stack.
const jsonMaxDepth = 1000

// parseJSON parses one JSON text, surrounded by optional whitespace, as
// RFC 8259 defines it. Input that is not valid UTF-8 is rejected, as aeson
// rejects it. Duplicate object keys keep the last value (aeson builds its
// maps with Map.fromList).
//
// Strings without escapes, and number literals, are substrings of data,
// which is therefore a string: one conversion for the whole text instead of
// one allocation per value.
func parseJSON(data string) (jsonValue, bool) {
	if !utf8.ValidString(data) {
		return jsonValue{}, false
	}
	p := jsonParser{data: data}
	p.skipSpace()
	v, ok := p.value(0)
	if !ok {
		return jsonValue{}, false
	}
	p.skipSpace()
	if p.pos != len(p.data) {
		return jsonValue{}, false
	}
	return v, true
}

type jsonParser struct {
	data string
	pos  int
	// Members and elements of the objects and arrays being parsed are
	// collected on these stacks and copied out once each is complete, so
	// that every object or array costs one allocation of its final size.
	members []jsonMember
	elems   []jsonValue
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

func (p *jsonParser) value(depth int) (jsonValue, bool) {
	if p.pos >= len(p.data) || depth > jsonMaxDepth {
		return jsonValue{}, false
	}
	switch c := p.data[p.pos]; {
	case c == '{':
		return p.object(depth)
	case c == '[':
		return p.array(depth)
	case c == '"':
		s, ok := p.string()
		return jsonValue{kind: jsonString, str: s}, ok
	case c == 't':
		return jsonValue{kind: jsonTrue}, p.literal("true")
	case c == 'f':
		return jsonValue{kind: jsonFalse}, p.literal("false")
	case c == 'n':
		return jsonValue{kind: jsonNull}, p.literal("null")
	case c == '-' || isDigit(c):
		return p.number()
	}
	return jsonValue{}, false
}

func (p *jsonParser) object(depth int) (jsonValue, bool) {
	p.pos++ // {
	if p.members == nil {
		p.members = make([]jsonMember, 0, 16) // enough for usual claims
	}
	start := len(p.members)
	defer func() { p.members = p.members[:start] }()
	p.skipSpace()
	if p.pos < len(p.data) && p.data[p.pos] == '}' {
		p.pos++
		return jsonValue{kind: jsonObject}, true
	}
	for {
		p.skipSpace()
		if p.pos >= len(p.data) || p.data[p.pos] != '"' {
			return jsonValue{}, false
		}
		key, ok := p.string()
		if !ok {
			return jsonValue{}, false
		}
		p.skipSpace()
		if p.pos >= len(p.data) || p.data[p.pos] != ':' {
			return jsonValue{}, false
		}
		p.pos++
		p.skipSpace()
		val, ok := p.value(depth + 1)
		if !ok {
			return jsonValue{}, false
		}
		p.members = append(p.members, jsonMember{key: key, val: val})
		p.skipSpace()
		if p.pos >= len(p.data) {
			return jsonValue{}, false
		}
		if p.data[p.pos] == '}' {
			p.pos++
			break
		}
		if p.data[p.pos] != ',' {
			return jsonValue{}, false
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
	slices.SortStableFunc(order, func(a, b int32) int { return strings.Compare(members[a].key, members[b].key) })
	obj := make([]jsonMember, 0, len(members))
	for j, i := range order {
		if j+1 < len(order) && members[order[j+1]].key == members[i].key {
			continue
		}
		obj = append(obj, members[i])
	}
	return jsonValue{kind: jsonObject, obj: obj}, true
}

func (p *jsonParser) array(depth int) (jsonValue, bool) {
	p.pos++ // [
	start := len(p.elems)
	defer func() { p.elems = p.elems[:start] }()
	p.skipSpace()
	if p.pos < len(p.data) && p.data[p.pos] == ']' {
		p.pos++
		return jsonValue{kind: jsonArray}, true
	}
	for {
		p.skipSpace()
		v, ok := p.value(depth + 1)
		if !ok {
			return jsonValue{}, false
		}
		p.elems = append(p.elems, v)
		p.skipSpace()
		if p.pos >= len(p.data) {
			return jsonValue{}, false
		}
		if p.data[p.pos] == ']' {
			p.pos++
			return jsonValue{kind: jsonArray, arr: slices.Clone(p.elems[start:])}, true
		}
		if p.data[p.pos] != ',' {
			return jsonValue{}, false
		}
		p.pos++
	}
}

// number checks the RFC 8259 number grammar and keeps the literal.
func (p *jsonParser) number() (jsonValue, bool) {
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
		return jsonValue{}, false
	}
	if i < len(d) && d[i] == '.' {
		i++
		if i >= len(d) || !isDigit(d[i]) {
			return jsonValue{}, false
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
			return jsonValue{}, false
		}
		for i < len(d) && isDigit(d[i]) {
			i++
		}
	}
	p.pos = i
	return jsonValue{kind: jsonNumber, str: d[start:i]}, true
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

// appendJSON appends v the way aeson encodes it: compact, object keys in
// order, strings escaped as aeson escapes them (apierr.AppendJSONString
// follows the same rules), numbers as Scientific prints them.
func appendJSON(b []byte, v *jsonValue) []byte {
	switch v.kind {
	case jsonNull:
		return append(b, "null"...)
	case jsonFalse:
		return append(b, "false"...)
	case jsonTrue:
		return append(b, "true"...)
	case jsonNumber:
		return appendAesonNumber(b, v.str)
	case jsonString:
		return apierr.AppendJSONString(b, v.str)
	case jsonArray:
		b = append(b, '[')
		for i := range v.arr {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendJSON(b, &v.arr[i])
		}
		return append(b, ']')
	default:
		b = append(b, '{')
		for i := range v.obj {
			if i > 0 {
				b = append(b, ',')
			}
			b = apierr.AppendJSONString(b, v.obj[i].key)
			b = append(b, ':')
			b = appendJSON(b, &v.obj[i].val)
		}
		return append(b, '}')
	}
}

// appendClaimsWithRole appends the claims object with its "role" member set
// to role, which is what PostgREST puts in request.jwt.claims.
func appendClaimsWithRole(b []byte, claims *jsonValue, role string) []byte {
	b = append(b, '{')
	written, first := false, true
	sep := func() {
		if !first {
			b = append(b, ',')
		}
		first = false
	}
	writeRole := func() {
		sep()
		b = append(b, `"role":`...)
		b = apierr.AppendJSONString(b, role)
		written = true
	}
	for i := range claims.obj {
		m := &claims.obj[i]
		if !written && m.key >= "role" {
			writeRole()
			if m.key == "role" {
				continue
			}
		}
		sep()
		b = apierr.AppendJSONString(b, m.key)
		b = append(b, ':')
		b = appendJSON(b, &m.val)
	}
	if !written {
		writeRole()
	}
	return append(b, '}')
}

// equalJSON is aeson's Value equality: numbers compare by value, objects
// regardless of member order (ours are sorted, so pairwise).
func equalJSON(a, b *jsonValue) bool {
	if a.kind != b.kind {
		return false
	}
	switch a.kind {
	case jsonString:
		return a.str == b.str
	case jsonNumber:
		da, _ := parseDecimal(a.str)
		db, _ := parseDecimal(b.str)
		return compareDecimals(da, db) == 0
	case jsonArray:
		if len(a.arr) != len(b.arr) {
			return false
		}
		for i := range a.arr {
			if !equalJSON(&a.arr[i], &b.arr[i]) {
				return false
			}
		}
		return true
	case jsonObject:
		if len(a.obj) != len(b.obj) {
			return false
		}
		for i := range a.obj {
			if a.obj[i].key != b.obj[i].key || !equalJSON(&a.obj[i].val, &b.obj[i].val) {
				return false
			}
		}
		return true
	default:
		return true
	}
}
