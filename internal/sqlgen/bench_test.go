package sqlgen_test

import (
	"testing"

	"github.com/restgres/restgres/internal/scenario"
	"github.com/restgres/restgres/internal/sqlgen"
)

// BenchmarkMain builds the main statement of each benchmark scenario
// from its plan.
func BenchmarkMain(b *testing.B) {
	sc := scenario.Cache()
	for _, s := range scenario.All() {
		b.Run(s.Name, func(b *testing.B) {
			req, p, err := s.Plan(7, sc)
			if err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			for b.Loop() {
				_ = scenario.Main(req, p)
			}
		})
	}
}

// BenchmarkTxSetup builds the statement setting an anonymous request's
// transaction variables.
func BenchmarkTxSetup(b *testing.B) {
	vars := &sqlgen.TxVars{
		SearchPath: sqlgen.SearchPath([]string{"api"}),
		Role:       "web_anon",
		Claims:     []byte(`{"role":"web_anon"}`),
		Method:     "GET",
		Path:       "/films",
		Headers:    []byte(`{"host":"127.0.0.1:3000","user-agent":"wrk","accept":"*/*"}`),
		Cookies:    []byte(`{}`),
	}
	b.ReportAllocs()
	for b.Loop() {
		_ = sqlgen.TxSetup(vars)
	}
}
