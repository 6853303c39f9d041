package fuzzy

import "testing"

// FuzzGet checks, for any query against the doctest candidates plus one
// fuzzed candidate: no panic, scores in [0, 1] and at least minScore, best
// first, every value one of the candidates, and GetOne agreeing with Get.
func FuzzGet(f *testing.F) {
	for _, q := range []string{"film", "role", "testt", "(nam, pqaram, vall)", "(id)", "", "İ", "a\xff"} {
		f.Add(q, "films")
	}
	f.Fuzz(func(t *testing.T, query, extra string) {
		candidates := []string{"films", "directors", "roles", "actors", "(name, param, val)", "(attr, id)", extra}
		s := New(candidates)
		ms := s.Get(query, DefaultMinScore)
		for i, m := range ms {
			if m.Score < DefaultMinScore || m.Score > 1 {
				t.Errorf("Get(%q)[%d].Score = %v, out of [%v, 1]", query, i, m.Score, DefaultMinScore)
			}
			if i > 0 && m.Score > ms[i-1].Score {
				t.Errorf("Get(%q) = %v: not best first", query, ms)
			}
			found := false
			for _, c := range candidates {
				found = found || c == m.Value
			}
			if !found {
				t.Errorf("Get(%q) returned %q, not a candidate", query, m.Value)
			}
		}
		one, ok := s.GetOne(query, DefaultMinScore)
		if ok != (len(ms) > 0) || ok && one != ms[0].Value {
			t.Errorf("GetOne(%q) = %q, %v; Get = %v", query, one, ok, ms)
		}
		if len(ms) > 0 && ms[0].Score == 1 && lower(query) != lower(ms[0].Value) {
			t.Errorf("Get(%q) = %v: score 1 for a different text", query, ms)
		}
	})
}
