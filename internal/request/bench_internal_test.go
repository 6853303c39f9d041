package request

import "testing"

// BenchmarkParseQuery parses query strings alone, from the common shapes
// to ones that need the full grammar.
func BenchmarkParseQuery(b *testing.B) {
	for _, tc := range []struct{ name, raw string }{
		{"eq", "id=eq.42"},
		{"select-filter-order", "select=id,title,year&year=gte.1990&order=year.desc&limit=100"},
		{"embeds", "select=title,director:directors(name),actors(name)&limit=50"},
		{"in-list", "id=in.(1,2,3)&select=id"},
		{"logic-json", "select=id,meta->>lang&or=(year.gt.2000,rating.gte.8)&order=id"},
	} {
		b.Run(tc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := parseQuery(tc.raw, false); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
