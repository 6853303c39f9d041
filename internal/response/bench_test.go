package response_test

import (
	"bytes"
	"testing"

	"github.com/restgres/restgres/internal/execute"
	"github.com/restgres/restgres/internal/response"
	"github.com/restgres/restgres/internal/scenario"
)

// BenchmarkBuild builds the responses of the benchmark scenarios from a
// result as the pipeline returns it.
func BenchmarkBuild(b *testing.B) {
	sc := scenario.Cache()
	body := []byte("[" + string(bytes.Repeat([]byte(`{"id":1,"title":"Film 0123456789","year":1999},`), 99)) + `{"id":1,"title":"Film 0123456789","year":1999}]`)
	for _, s := range scenario.All() {
		b.Run(s.Name, func(b *testing.B) {
			req, p, err := s.Plan(7, sc)
			if err != nil {
				b.Fatal(err)
			}
			res := &execute.Result{PageTotal: 1, Body: body}
			if s.Method == "POST" && s.Status == 201 {
				res.Body = nil
			}
			opts := &response.Options{}
			b.ReportAllocs()
			for b.Loop() {
				if _, err := response.Build(p, req, res, opts); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
