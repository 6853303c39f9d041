package request_test

import (
	"testing"

	"github.com/restgres/restgres/internal/request"
	"github.com/restgres/restgres/internal/scenario"
)

// BenchmarkParse parses the benchmark scenarios' requests: path, query
// string, headers, preferences and body.
func BenchmarkParse(b *testing.B) {
	opts := &request.Options{Schemas: []string{"api"}}
	for _, s := range scenario.All() {
		b.Run(s.Name, func(b *testing.B) {
			r, body := s.Input(7)
			b.ReportAllocs()
			for b.Loop() {
				if _, err := request.Parse(r, body, opts); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
