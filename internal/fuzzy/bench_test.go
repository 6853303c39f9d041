package fuzzy

import "testing"

// BenchmarkNewGetOne builds a set of the 274 relations of the conformance
// fixtures' schema test and asks for one hint, as a PGRST205 does the first
// time (PostgREST builds the set once per schema cache load).
func BenchmarkNewGetOne(b *testing.B) {
	tables := readLines(b, "test_tables.txt")
	b.ReportAllocs()
	for b.Loop() {
		if _, ok := New(tables).GetOne("projectx", 0.75); !ok {
			b.Fatal("no match")
		}
	}
}

// BenchmarkGetOne is the hint alone, on a set built once.
func BenchmarkGetOne(b *testing.B) {
	s := New(readLines(b, "test_tables.txt"))
	b.ReportAllocs()
	for b.Loop() {
		if _, ok := s.GetOne("projectx", 0.75); !ok {
			b.Fatal("no match")
		}
	}
}
