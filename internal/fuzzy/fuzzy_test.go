package fuzzy

import (
	"bufio"
	"math/rand/v2"
	"os"
	"slices"
	"testing"
)

// TestPostgRESTDoctests has the rows of the doctests of noRelBetweenHint and
// noRpcHint in PostgREST's Error.hs, at the Set level: which candidates,
// which fuzzyset call, which suggestion ("" for none).
func TestPostgRESTDoctests(t *testing.T) {
	parents := []string{"films"}
	children := []string{"directors", "roles", "actors"}
	procs := []string{"test", "another"} // schema api; private.other is not offered
	params := []string{"(name, param, val)", "(attr, id)"}
	tests := []struct {
		name       string
		candidates []string
		query      string
		minScore   float64
		want       string
	}{
		// noRelBetweenHint: getOne over the parents, get over the children
		// (where testChild below drops a score of 1).
		{"parent film", parents, "film", DefaultMinScore, "films"},
		{"parent noclosealternative", parents, "noclosealternative", DefaultMinScore, ""},
		// noRpcHint: getOneWithMinScore 0.75 over the function names.
		{"function testt", procs, "testt", 0.75, "test"},
		{"function other", procs, "other", 0.75, ""},
		{"function noclosealternative", procs, "noclosealternative", 0.75, ""},
		// noRpcHint: getOne over the sorted parameter lists of the overloads.
		{"params vall pqaram nam", params, "(nam, pqaram, vall)", DefaultMinScore, "(name, param, val)"},
		{"params val param", params, "(param, val)", DefaultMinScore, "(name, param, val)"},
		{"params id attrs", params, "(attrs, id)", DefaultMinScore, "(attr, id)"},
		{"params id", params, "(id)", DefaultMinScore, "(attr, id)"},
		{"params noclosealternative", params, "(noclosealternative)", DefaultMinScore, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := New(tc.candidates).GetOne(tc.query, tc.minScore)
			if got != tc.want || ok != (tc.want != "") {
				t.Errorf("New(%q).GetOne(%q, %v) = %q, %v; want %q", tc.candidates, tc.query, tc.minScore, got, ok, tc.want)
			}
		})
	}

	// noRelBetweenHint's child suggestion: the first of get that is not an
	// exact match.
	childTests := []struct{ query, want string }{
		{"role", "roles"},
		{"actors", ""}, // found: score 1 is not a suggestion
		{"noclosealternative", ""},
	}
	set := New(children)
	for _, tc := range childTests {
		t.Run("child "+tc.query, func(t *testing.T) {
			got := ""
			for _, m := range set.Get(tc.query, DefaultMinScore) {
				if m.Score < 1 {
					got = m.Value
					break
				}
			}
			if got != tc.want {
				t.Errorf("first of New(%q).Get(%q) below 1 = %q, want %q", children, tc.query, got, tc.want)
			}
		})
	}
}

// readLines reads testdata/name, one candidate a line.
func readLines(t testing.TB, name string) []string {
	t.Helper()
	f, err := os.Open("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var lines []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		lines = append(lines, sc.Text())
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return lines
}

// TestConformanceHints has the "Perhaps you meant" hints of the conformance
// suite (shared/conformance/cases). The candidates come from its fixtures,
// loaded into PostgreSQL 15: testdata/test_tables.txt holds the relations of
// schema test that PostgREST's allTables query lists (relkind v, r, m, f, p;
// no partitions), testdata/test_functions.txt the distinct names of the
// functions its funcsSqlQuery lists (prokind f, not returning trigger, at
// most one unnamed parameter, of type bytea, json, jsonb, text or xml).
//
// PostgREST builds these sets from HashMap keys, an order this package
// cannot know, so each row is also checked with the candidates reversed and
// shuffled: the suggestion must not depend on tie-breaking.
func TestConformanceHints(t *testing.T) {
	tables := readLines(t, "test_tables.txt")
	functions := readLines(t, "test_functions.txt")
	tests := []struct {
		name       string // case in shared/conformance/cases
		candidates []string
		query      string
		minScore   float64
		want       string
	}{
		// ErrorSpec, GET /projectx: "Perhaps you meant the table 'test.projects'"
		{"PGRST205 projectx", tables, "projectx", 0.75, "projects"},
		// ErrorSpec, GET /projecxx: "Perhaps you meant the table 'test.projects'"
		// (6/8 = 0.75 exactly: the minimum is inclusive)
		{"PGRST205 projecxx", tables, "projecxx", 0.75, "projects"},
		// RpcSpec, GET /rpc/sayhell: "... the function test.sayhello"
		{"PGRST202 sayhell", functions, "sayhell", 0.75, "sayhello"},
		// RpcSpec, POST /rpc/unnamed_int_param {"x":1,"y":2}: unnamed_int_param
		// takes an unnamed int, so it is not callable and not in the cache:
		// "... the function test.unnamed_text_param"
		{"PGRST202 unnamed_int_param", functions, "unnamed_int_param", 0.75, "unnamed_text_param"},
		// RpcSpec, GET /rpc/sayhello?nam=Peter: one overload, sayhello(name):
		// "... the function test.sayhello(name)"
		{"PGRST202 sayhello(nam)", []string{"(name)"}, "(nam)", DefaultMinScore, "(name)"},
		// RpcSpec, GET /rpc/overloaded?a=1&b=2&wrong_arg=value: overloads
		// (), (json) (one unnamed parameter, named ""), (a, b), (a, b, c):
		// "... the function test.overloaded(a, b, c)"
		{"PGRST202 overloaded(a, b, wrong_arg)", []string{"()", "()", "(a, b)", "(a, b, c)"}, "(a, b, wrong_arg)", DefaultMinScore, "(a, b, c)"},
		// QuerySpec, select=...,car_models_default(id,name) on car_model_sales,
		// whose only relationship is to car_models (partitions are not
		// relations): "Perhaps you meant 'car_models' instead of 'car_models_default'."
		{"PGRST200 car_models_default", []string{"car_models"}, "car_models_default", DefaultMinScore, "car_models"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rev := slices.Clone(tc.candidates)
			slices.Reverse(rev)
			orders := map[string][]string{"as listed": tc.candidates, "reversed": rev}
			r := rand.New(rand.NewPCG(1, 2))
			for i := range 5 {
				c := slices.Clone(tc.candidates)
				r.Shuffle(len(c), func(i, j int) { c[i], c[j] = c[j], c[i] })
				orders["shuffle "+string(rune('1'+i))] = c
			}
			for order, c := range orders {
				got, _ := New(c).GetOne(tc.query, tc.minScore)
				if got != tc.want {
					t.Errorf("%s: GetOne(%q, %v) = %q, want %q", order, tc.query, tc.minScore, got, tc.want)
				}
			}
		})
	}
}
