package request

import (
	"errors"
	"testing"

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
