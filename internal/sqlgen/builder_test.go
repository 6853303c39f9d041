package sqlgen

import (
	"strings"
	"testing"
)

// quoteIdentRef is the definition appendIdent implements.
func quoteIdentRef(s string) string {
	if i := strings.IndexByte(s, 0); i >= 0 {
		s = s[:i]
	}
	return `"` + strings.ReplaceAll(s, `"`, `""`) + `"`
}

func FuzzQuoteIdent(f *testing.F) {
	for _, s := range []string{"", "films", `a"b`, `""`, "x\x00y", `"`, "é"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := QuoteIdent(s), quoteIdentRef(s); got != want {
			t.Errorf("QuoteIdent(%q) = %s, want %s", s, got, want)
		}
	})
}
