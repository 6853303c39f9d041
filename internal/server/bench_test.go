package server_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/restgres/restgres/internal/apitest"
	"github.com/restgres/restgres/internal/scenario"
)

// benchSchema is bench/schema.sql, at its default (test) size.
func benchSchema() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..", "bench", "schema.sql")
}

func newBenchAPI(tb testing.TB) *apitest.API {
	tb.Helper()
	return apitest.New(tb, apitest.Fixture(benchSchema(), "testdata/bench.sql"),
		apitest.Env("PGRST_DB_ANON_ROLE", "web_anon"), apitest.Env("PGRST_DB_POOL", "2"))
}

// TestScenarioCache checks that scenario.Cache, which the stage
// benchmarks plan against, is what schema.Load reads from
// bench/schema.sql.
func TestScenarioCache(t *testing.T) {
	t.Parallel()
	api := newBenchAPI(t)
	got, err := json.MarshalIndent(scenario.Cache(), "", " ")
	if err != nil {
		t.Fatal(err)
	}
	want, err := json.MarshalIndent(api.App.Server.State().Schema, "", " ")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("scenario.Cache() differs from the loaded cache:\ngot  %s\nwant %s", got, want)
	}
}

// TestScenarios checks that every scenario answers as the bench command
// expects.
func TestScenarios(t *testing.T) {
	t.Parallel()
	api := newBenchAPI(t)
	const films = 4000 // bench/schema.sql's default
	for _, s := range scenario.All() {
		t.Run(s.Name, func(t *testing.T) {
			w := &discardWriter{}
			api.Handler.ServeHTTP(w, s.Request(7))
			if w.status != s.Status {
				t.Fatalf("status %d, want %d: %s", w.status, s.Status, w.body.Bytes())
			}
			if n := s.Rows(films); n >= 0 {
				var rows []map[string]any
				if err := json.Unmarshal(w.body.Bytes(), &rows); err != nil {
					t.Fatalf("body: %v: %s", err, w.body.Bytes())
				}
				if len(rows) != n {
					t.Errorf("%d rows, want %d", len(rows), n)
				}
				for _, k := range s.Keys {
					if _, ok := rows[0][k]; !ok {
						t.Errorf("row lacks %q: %v", k, rows[0])
					}
				}
			}
		})
	}
}

// BenchmarkHandler runs the scenarios through the whole handler against
// the test cluster: auth, parsing, planning, SQL, the pipeline to
// PostgreSQL and back, and the response. The time includes PostgreSQL's
// work (on the same machine); the allocations are the server's alone,
// since requests and the response writer are reused.
func BenchmarkHandler(b *testing.B) {
	api := newBenchAPI(b)
	for _, s := range scenario.All() {
		b.Run(s.Name, func(b *testing.B) {
			reqs := newReplayer(s, 64, 4000)
			w := &discardWriter{}
			b.ReportAllocs()
			for b.Loop() {
				w.reset()
				api.Handler.ServeHTTP(w, reqs.next())
				if w.status != s.Status {
					b.Fatalf("status %d: %s", w.status, w.body.Bytes())
				}
			}
		})
	}
}

// replayer cycles through prebuilt requests of a scenario, rewinding
// their bodies, so that building requests is not measured.
type replayer struct {
	reqs   []*http.Request
	bodies []*rewindBody
	i      int
}

func newReplayer(s scenario.Scenario, n, films int) *replayer {
	rp := &replayer{}
	for i := range n {
		r := s.Request(1 + (i*7919)%s.Max(films))
		var rb *rewindBody
		if r.Body != nil && r.Body != http.NoBody {
			data, _ := io.ReadAll(r.Body)
			rb = &rewindBody{data: data}
			r.Body = rb
		}
		rp.reqs = append(rp.reqs, r)
		rp.bodies = append(rp.bodies, rb)
	}
	return rp
}

func (rp *replayer) next() *http.Request {
	i := rp.i % len(rp.reqs)
	rp.i++
	if b := rp.bodies[i]; b != nil {
		b.off = 0
	}
	return rp.reqs[i]
}

type rewindBody struct {
	data []byte
	off  int
}

func (b *rewindBody) Read(p []byte) (int, error) {
	if b.off >= len(b.data) {
		return 0, io.EOF
	}
	n := copy(p, b.data[b.off:])
	b.off += n
	return n, nil
}

func (b *rewindBody) Close() error { return nil }

// discardWriter is a reusable http.ResponseWriter.
type discardWriter struct {
	h      http.Header
	status int
	body   bytes.Buffer
}

func (w *discardWriter) Header() http.Header {
	if w.h == nil {
		w.h = http.Header{}
	}
	return w.h
}

func (w *discardWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
}

func (w *discardWriter) Write(p []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.body.Write(p)
}

func (w *discardWriter) reset() {
	clear(w.h)
	w.status = 0
	w.body.Reset()
}
