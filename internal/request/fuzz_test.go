package request

import (
	"encoding/json"
	"errors"
	"slices"
	"testing"
	"unicode/utf8"

	"github.com/restgres/restgres/internal/apierr"
)

// FuzzParseQuery checks that any query string either parses or fails with
// a client error (400, PGRST100): never a panic, never anything else.
func FuzzParseQuery(f *testing.F) {
	for _, seed := range []string{
		"select=id,name,clients(*)&id=eq.1",
		"select=a:b->c->>0::text,d.sum()&or=(a.eq.1,not.and(b.in.(1,2),c.is.null))",
		"order=a.desc.nullsfirst,rel(c)&limit=10&offset=2&c.limit=1",
		"id=not.in.(\"a\\\"b\",c)&t=fts(english).x&r=adj.[1,2)",
		"select=...rel!hint!inner(*),count()&columns=a,b&on_conflict=a",
		"a=eq(any).{1,2}&b=like(all).{x*,*y}",
		"select=id,clients(name[])",
		"%ZZ=%41&;&&=",
	} {
		f.Add(seed, false)
		f.Add(seed, true)
	}
	f.Fuzz(func(t *testing.T, raw string, rpcRead bool) {
		_, err := parseQuery(raw, rpcRead)
		if err == nil {
			return
		}
		var ae *apierr.Error
		if !errors.As(err, &ae) || ae.Status != 400 || ae.Code != "PGRST100" {
			t.Fatalf("parseQuery(%q) = %v, want a PGRST100 400", raw, err)
		}
	})
}

// FuzzScanJSONPayload checks scanJSONPayload, which finds keys without
// decoding, against encoding/json decoding the same body.
func FuzzScanJSONPayload(f *testing.F) {
	for _, seed := range []string{
		`{"b":1,"a":{"x":[1,2]}}`, `[{"a":1,"b":"}"},{"b":null,"a":[{}]}]`, `[]`, `[{}]`, `[{},{}]`,
		`[{"a":1},{"b":1}]`, `[{"a":1,"a":2},{"a":3}]`, `[{"a":1,"b":2},{"a":1,"a":2}]`,
		`[{"a\u0062":1},{"ab":2}]`, `[{"a":1},2]`, `{"a":`, ``, `"s"`, `[1]`, ` [ {"\"":1} , {"\"" : 2} ] `,
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, body string) {
		if !utf8.ValidString(body) {
			return // PostgreSQL refuses such bodies; keys may then differ
		}
		p, err := scanJSONPayload([]byte(body))
		keys, wantErr := decodedKeys(body)
		if (err != nil) != (wantErr != "") {
			t.Fatalf("scanJSONPayload(%q) = %v, want error %q", body, err, wantErr)
		}
		if err != nil {
			var ae *apierr.Error
			if !errors.As(err, &ae) || ae.Status != 400 || ae.Code != "PGRST102" || ae.Message != wantErr {
				t.Fatalf("scanJSONPayload(%q) = %v, want PGRST102 %q", body, err, wantErr)
			}
			return
		}
		if !slices.Equal(p.Keys, keys) {
			t.Fatalf("scanJSONPayload(%q) keys = %q, want %q", body, p.Keys, keys)
		}
	})
}

// decodedKeys is what scanJSONPayload must find, by decoding the body.
func decodedKeys(body string) ([]string, string) {
	var v any
	if err := json.Unmarshal([]byte(body), &v); err != nil {
		return nil, "Empty or invalid json"
	}
	keysOf := func(v any) ([]string, bool) {
		o, ok := v.(map[string]any)
		if !ok {
			return nil, false
		}
		keys := make([]string, 0, len(o))
		for k := range o {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		return keys, true
	}
	switch v := v.(type) {
	case map[string]any:
		keys, _ := keysOf(v)
		return keys, ""
	case []any:
		if len(v) == 0 {
			return nil, ""
		}
		first, ok := keysOf(v[0])
		if !ok {
			return nil, "All object keys must match"
		}
		for _, o := range v[1:] {
			if keys, ok := keysOf(o); !ok || !slices.Equal(keys, first) {
				return nil, "All object keys must match"
			}
		}
		return first, ""
	}
	return nil, ""
}
