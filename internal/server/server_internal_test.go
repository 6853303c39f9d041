package server

import (
	"net/http"
	"testing"

	"github.com/restgres/restgres/internal/response"
)

// BenchmarkWriteResponse writes a typical read response's headers and
// body to the ResponseWriter.
func BenchmarkWriteResponse(b *testing.B) {
	resp := &response.Response{
		Status: http.StatusOK,
		Headers: []response.Header{
			{Name: "Content-Range", Value: "0-0/*"},
			{Name: "Content-Location", Value: "/films?id=eq.42"},
			{Name: "Content-Type", Value: "application/json; charset=utf-8"},
		},
		Body: []byte(`[{"id":42,"director_id":43,"title":"Film 0123456789","year":1999,"rating":4.1,"runtime_min":93,"language":"fr"}]`),
	}
	w := &nullWriter{h: http.Header{}}
	r, _ := http.NewRequest(http.MethodGet, "/films?id=eq.42", nil)
	b.ReportAllocs()
	for b.Loop() {
		clear(w.h)
		writeResponse(w, r, resp)
	}
}

type nullWriter struct{ h http.Header }

func (w *nullWriter) Header() http.Header         { return w.h }
func (w *nullWriter) WriteHeader(int)             {}
func (w *nullWriter) Write(p []byte) (int, error) { return len(p), nil }

// TestCanonicalNames checks that canonicalKey's shortcut names are
// canonical, so that skipping http.CanonicalHeaderKey for them changes
// nothing.
func TestCanonicalNames(t *testing.T) {
	for _, n := range canonicalNames {
		if c := http.CanonicalHeaderKey(n); c != n {
			t.Errorf("%q is not canonical: %q", n, c)
		}
	}
}
