package request

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"io"
	"slices"
	"strings"

	"github.com/restgres/restgres/internal/apierr"
	"github.com/restgres/restgres/internal/mediatype"
)

// setPayload reads the body for the actions that take one: writes other
// than DELETE, and POST to a function. JSON stays as the client sent it —
// PostgreSQL parses it — and is only scanned for validity and its keys.
func (req *APIRequest) setPayload(body []byte) error {
	isRoutine := req.Action == ActionInvoke
	switch {
	case req.Action == ActionCreate, req.Action == ActionUpdate, req.Action == ActionSingleUpsert:
	case isRoutine && !req.InvokeRead:
	default:
		return nil
	}
	// ?columns= applies to POST, PATCH and POST /rpc
	hasColumns := req.Query.HasColumns &&
		(req.Action == ActionCreate || req.Action == ActionUpdate || isRoutine)

	switch req.ContentType.Kind {
	case mediatype.JSON:
		if hasColumns {
			req.Payload = &Payload{Kind: PayloadRawJSON, Raw: body, IsObject: firstNonSpace(body) == '{'}
			req.Columns = req.Query.Columns
			return nil
		}
		if len(body) == 0 && isRoutine {
			body = []byte("{}")
		}
		p, err := scanJSONPayload(body)
		if err != nil {
			return err
		}
		req.Payload, req.Columns = p, p.Keys
	case mediatype.CSV:
		raw, keys, err := csvToJSON(body)
		if err != nil {
			return err
		}
		req.Payload = &Payload{Kind: PayloadJSON, Raw: raw, Keys: keys}
		req.Columns = keys
	case mediatype.URLEncoded:
		pairs := splitQuery(string(body))
		if isRoutine {
			form := make([][2]string, len(pairs))
			keys := make([]string, len(pairs))
			for i, p := range pairs {
				form[i] = [2]string{p.key, p.value}
				keys[i] = p.key
			}
			req.Payload = &Payload{Kind: PayloadURLEncoded, Form: form}
			req.Columns = sortedUnique(keys)
			return nil
		}
		// a form posted to a table is a JSON object of strings; a repeated
		// key keeps its last value
		last := map[string]string{}
		var keys []string
		for _, p := range pairs {
			if _, seen := last[p.key]; !seen {
				keys = append(keys, p.key)
			}
			last[p.key] = p.value
		}
		b := []byte{'{'}
		for i, k := range keys {
			if i > 0 {
				b = append(b, ',')
			}
			b = apierr.AppendJSONString(b, k)
			b = append(b, ':')
			b = apierr.AppendJSONString(b, last[k])
		}
		b = append(b, '}')
		req.Payload = &Payload{Kind: PayloadJSON, Raw: b, Keys: sortedUnique(keys), IsObject: true}
		req.Columns = req.Payload.Keys
	case mediatype.TextPlain, mediatype.TextXML, mediatype.OctetStream:
		if !isRoutine {
			return apierr.InvalidBody("Content-Type not acceptable: " + req.ContentType.Mime())
		}
		req.Payload = &Payload{Kind: PayloadRaw, Raw: body}
	default:
		return apierr.InvalidBody("Content-Type not acceptable: " + req.ContentType.Mime())
	}
	return nil
}

func firstNonSpace(b []byte) byte {
	for _, c := range b {
		switch c {
		case ' ', '\t', '\n', '\r':
			continue
		}
		return c
	}
	return 0
}

var (
	errInvalidJSON  = apierr.InvalidBody("Empty or invalid json")
	errKeysMismatch = apierr.InvalidBody("All object keys must match")
)

// scanJSONPayload validates a JSON body and finds its keys: those of the
// object, or those every object of the array shares (PGRST102 when they
// differ). Any other JSON value counts as an empty array, as in PostgREST.
func scanJSONPayload(body []byte) (*Payload, error) {
	if !json.Valid(body) {
		return nil, errInvalidJSON
	}
	i := skipSpace(body, 0)
	switch body[i] {
	case '{':
		keys, _, err := objectKeys(body, i, nil)
		if err != nil {
			return nil, err
		}
		return &Payload{Kind: PayloadJSON, Raw: body, Keys: sortedUnique(keys), IsObject: true}, nil
	case '[':
		i = skipSpace(body, i+1)
		if body[i] == ']' {
			return &Payload{Kind: PayloadJSON, Raw: body}, nil
		}
		if body[i] != '{' {
			return nil, errKeysMismatch
		}
		keys, end, err := objectKeys(body, i, nil)
		if err != nil {
			return nil, err
		}
		m := newKeyMatcher(sortedUnique(keys))
		for i = skipSpace(body, end); body[i] != ']'; i = skipSpace(body, i) {
			i = skipSpace(body, i+1) // the comma
			if body[i] != '{' {
				return nil, errKeysMismatch
			}
			var same bool
			if i, same, err = m.match(body, i); err != nil {
				return nil, err
			} else if !same {
				return nil, errKeysMismatch
			}
		}
		return &Payload{Kind: PayloadJSON, Raw: body, Keys: m.keys}, nil
	default:
		return &Payload{Kind: PayloadJSON, Raw: []byte("[]")}, nil
	}
}

// keyMatcher checks that the objects after the first in an array have the
// first one's keys. A bulk insert may bring millions of objects: their
// keys are looked up as the bytes they are, never made into strings.
type keyMatcher struct {
	keys  []string       // the first object's keys, sorted, unique
	index map[string]int // position in keys
	seen  []int          // seen[k] == stamp: keys[k] is in the current object
	stamp int
}

func newKeyMatcher(keys []string) *keyMatcher {
	m := &keyMatcher{keys: keys, index: make(map[string]int, len(keys)), seen: make([]int, len(keys))}
	for k, key := range keys {
		m.index[key] = k
	}
	return m
}

// match reports whether the (valid) object at b[i] has exactly m.keys
// (a repeated key counts once) and returns the index after it.
func (m *keyMatcher) match(b []byte, i int) (int, bool, error) {
	m.stamp++
	found, same := 0, true
	end, err := eachKey(b, i, func(raw []byte) error {
		var k int
		var ok bool
		if bytes.IndexByte(raw, '\\') >= 0 {
			key, err := unescapeKey(raw)
			if err != nil {
				return err
			}
			k, ok = m.index[key]
		} else {
			k, ok = m.index[string(raw)] // no allocation: Go looks the bytes up
		}
		switch {
		case !ok:
			same = false
		case m.seen[k] != m.stamp:
			m.seen[k] = m.stamp
			found++
		}
		return nil
	})
	return end, same && found == len(m.keys), err
}

// objectKeys appends the keys of the (valid) object starting at b[i] to
// keys and returns the index after it.
func objectKeys(b []byte, i int, keys []string) ([]string, int, error) {
	end, err := eachKey(b, i, func(raw []byte) error {
		if bytes.IndexByte(raw, '\\') < 0 {
			keys = append(keys, string(raw))
			return nil
		}
		key, err := unescapeKey(raw)
		keys = append(keys, key)
		return err
	})
	return keys, end, err
}

// eachKey calls fn with each key of the (valid) object starting at b[i],
// as written between its quotes, and returns the index after the object.
func eachKey(b []byte, i int, fn func(raw []byte) error) (int, error) {
	i = skipSpace(b, i+1)
	if b[i] == '}' {
		return i + 1, nil
	}
	for {
		end := stringEnd(b, i)
		if err := fn(b[i+1 : end-1]); err != nil {
			return 0, err
		}
		i = skipSpace(b, end)
		i = skipSpace(b, i+1) // the colon
		i = skipValue(b, i)
		i = skipSpace(b, i)
		if b[i] == '}' {
			return i + 1, nil
		}
		i = skipSpace(b, i+1) // the comma
	}
}

// unescapeKey decodes a key written with escapes (raw is without quotes).
func unescapeKey(raw []byte) (string, error) {
	var key string
	quoted := make([]byte, 0, len(raw)+2)
	quoted = append(append(append(quoted, '"'), raw...), '"')
	if err := json.Unmarshal(quoted, &key); err != nil {
		return "", errInvalidJSON
	}
	return key, nil
}

func skipSpace(b []byte, i int) int {
	for i < len(b) {
		switch b[i] {
		case ' ', '\t', '\n', '\r':
			i++
			continue
		}
		return i
	}
	return i
}

// stringEnd returns the index after the string literal starting at b[i].
func stringEnd(b []byte, i int) int {
	for j := i + 1; j < len(b); j++ {
		switch b[j] {
		case '\\':
			j++
		case '"':
			return j + 1
		}
	}
	return len(b)
}

// skipValue returns the index after the (valid) JSON value at b[i]; nested
// values are skipped by counting brackets, never by recursion.
func skipValue(b []byte, i int) int {
	depth := 0
	for i < len(b) {
		switch c := b[i]; c {
		case '"':
			i = stringEnd(b, i)
			if depth == 0 {
				return i
			}
			continue
		case '{', '[':
			depth++
		case '}', ']':
			depth--
			if depth == 0 {
				return i + 1
			}
			if depth < 0 {
				return i
			}
		case ',':
			if depth == 0 {
				return i
			}
		case ' ', '\t', '\n', '\r':
			if depth == 0 {
				return i
			}
		}
		i++
	}
	return i
}

// csvToJSON converts a CSV body with a header line into a JSON array of
// objects; the unquoted value NULL becomes null.
func csvToJSON(body []byte) ([]byte, []string, error) {
	r := csv.NewReader(bytes.NewReader(body))
	r.FieldsPerRecord = 0
	r.ReuseRecord = true
	header, err := r.Read()
	if err != nil {
		if errors.Is(err, io.EOF) {
			return []byte("[]"), nil, nil
		}
		return nil, nil, apierr.InvalidBody(csvError(err))
	}
	header = slices.Clone(header)
	out := make([]byte, 0, len(body)*2)
	out = append(out, '[')
	n := 0
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			if errors.Is(err, csv.ErrFieldCount) {
				return nil, nil, apierr.InvalidBody("All lines must have same number of fields")
			}
			return nil, nil, apierr.InvalidBody(csvError(err))
		}
		if n > 0 {
			out = append(out, ',')
		}
		n++
		out = append(out, '{')
		for i, k := range header {
			if i > 0 {
				out = append(out, ',')
			}
			out = apierr.AppendJSONString(out, k)
			out = append(out, ':')
			if rec[i] == "NULL" {
				out = append(out, "null"...)
			} else {
				out = apierr.AppendJSONString(out, rec[i])
			}
		}
		out = append(out, '}')
	}
	out = append(out, ']')
	return out, sortedUnique(header), nil
}

func csvError(err error) string {
	msg := err.Error()
	return strings.TrimPrefix(msg, "record on ")
}
