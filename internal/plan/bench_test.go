package plan_test

import (
	"testing"

	"github.com/restgres/restgres/internal/plan"
	"github.com/restgres/restgres/internal/scenario"
)

// BenchmarkBuild plans the benchmark scenarios against the schema cache
// of the benchmark database.
func BenchmarkBuild(b *testing.B) {
	sc := scenario.Cache()
	opts := &plan.Options{}
	for _, s := range scenario.All() {
		b.Run(s.Name, func(b *testing.B) {
			req, err := s.Parse(7)
			if err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			for b.Loop() {
				if _, err := plan.Build(req, sc, "web_anon", opts); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
