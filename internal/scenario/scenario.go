// Package scenario defines the five requests restgres is benchmarked on
// (S1–S5, the same shapes PostgREST's usual comparisons use) and the schema
// cache of the benchmark database (bench/schema.sql), so that the bench
// command, the handler benchmark and the per-stage micro-benchmarks all
// measure the same requests.
//
// It holds data only: no HTTP server, no database. Only benchmarks, their
// tests and the bench command import it.
package scenario

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"

	"github.com/restgres/restgres/internal/plan"
	"github.com/restgres/restgres/internal/request"
	"github.com/restgres/restgres/internal/schema"
	"github.com/restgres/restgres/internal/sqlgen"
)

// Scenario is one benchmark request. "{n}" in Path and Body is replaced
// by a number from 1 to Max(films) for each request.
type Scenario struct {
	Name, Title  string
	Method, Path string
	Body         string
	// Headers are name, value pairs.
	Headers []string
	// Max is the largest {n} for a database of films films; 1 when the
	// request does not vary.
	Max func(films int) int
	// Status is the expected status; Rows the expected number of rows in
	// the JSON array body (-1: no body to check); Keys the keys every row
	// must have.
	Status int
	Rows   func(films int) int
	Keys   []string
	// ReadOnly is the transaction's access mode.
	ReadOnly bool
}

func one(int) int     { return 1 }
func films(n int) int { return n }
func dirs(n int) int  { return max(1, n/40) }
func rows(k int) func(int) int {
	return func(int) int { return k }
}

// All returns S1–S5.
func All() []Scenario {
	return []Scenario{
		{
			Name: "S1", Title: "GET one row by primary key",
			Method: "GET", Path: "/films?id=eq.{n}", Max: films,
			Status: 200, Rows: rows(1), Keys: []string{"id", "title", "year"}, ReadOnly: true,
		},
		{
			Name: "S2", Title: "GET 100 rows, filter + order",
			Method: "GET", Path: "/films?select=id,title,year&year=gte.1990&order=year.desc&limit=100", Max: one,
			Status: 200, Rows: rows(100), Keys: []string{"id", "title", "year"}, ReadOnly: true,
		},
		{
			Name: "S3", Title: "GET 50 rows + 2 embeds (to-one, many-to-many)",
			Method: "GET", Path: "/films?select=title,director:directors(name),actors(name)&limit=50", Max: one,
			Status: 200, Rows: rows(50), Keys: []string{"title", "director", "actors"}, ReadOnly: true,
		},
		{
			Name: "S4", Title: "POST insert one row, return=minimal",
			Method: "POST", Path: "/reviews", Body: `{"film_id":{n},"stars":4,"body":"benchmark review"}`,
			Headers: []string{"Content-Type", "application/json", "Prefer", "return=minimal"}, Max: films,
			Status: 201, Rows: rows(-1),
		},
		{
			Name: "S5", Title: "POST /rpc, set-returning function (40 rows)",
			Method: "POST", Path: "/rpc/films_by_director", Body: `{"p_director_id":{n}}`,
			Headers: []string{"Content-Type", "application/json"}, Max: dirs,
			Status: 200, Rows: func(n int) int { return n / dirs(n) }, Keys: []string{"id", "director_id"}, ReadOnly: true,
		},
	}
}

// Get returns the scenario named name (S1…S5), or false.
func Get(name string) (Scenario, bool) {
	for _, s := range All() {
		if strings.EqualFold(s.Name, name) {
			return s, true
		}
	}
	return Scenario{}, false
}

// Target returns the path and body with {n} replaced by n.
func (s Scenario) Target(n int) (path, body string) {
	v := strconv.Itoa(n)
	return strings.ReplaceAll(s.Path, "{n}", v), strings.ReplaceAll(s.Body, "{n}", v)
}

// Request returns the request for n as a server receives it (Host
// "example.com", as httptest sets it; a User-Agent like a load generator's).
func (s Scenario) Request(n int) *http.Request {
	path, body := s.Target(n)
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	r := httptest.NewRequest(s.Method, path, rd)
	r.Header.Set("User-Agent", "restgres-bench")
	for i := 0; i+1 < len(s.Headers); i += 2 {
		r.Header.Add(s.Headers[i], s.Headers[i+1])
	}
	return r
}

// Cache returns the schema cache of bench/schema.sql, as schema.Load reads
// it (internal/server's TestScenarioCache checks that it still is).
func Cache() *schema.Cache {
	qi := func(name string) schema.QI { return schema.QI{Schema: "api", Name: name} }
	str := func(s string) *string { return &s }
	col := func(name, typ string, nullable bool) *schema.Column {
		return &schema.Column{Name: name, Type: typ, NominalType: typ, Nullable: nullable}
	}
	table := func(name string, cols ...*schema.Column) *schema.Table {
		return &schema.Table{
			Schema: "api", Name: name, Insertable: true, Updatable: true, Deletable: true,
			PKCols: []string{"id"}, Columns: cols,
		}
	}
	filmID := col("id", "bigint", false)
	filmID.Default = str("nextval('api.films_id_seq')")
	rating := col("rating", "numeric", true)
	rating.NominalType = "numeric(3,1)"
	reviewID := col("id", "bigint", false)
	reviewID.Default = str("nextval('api.reviews_id_seq')")
	created := col("created_at", "timestamp with time zone", false)
	created.Default = str("now()")
	roles := table("roles", col("film_id", "bigint", false), col("actor_id", "integer", false), col("character", "text", true))
	roles.PKCols = []string{"actor_id", "film_id"}
	tables := []*schema.Table{
		table("actors", col("id", "integer", false), col("name", "text", false), col("born", "date", true)),
		table("directors", col("id", "integer", false), col("name", "text", false), col("country", "text", false), col("born", "date", true)),
		table("films", filmID, col("director_id", "integer", false), col("title", "text", false), col("year", "integer", false),
			rating, col("runtime_min", "integer", true), col("language", "text", true)),
		table("reviews", reviewID, col("film_id", "bigint", false), col("stars", "integer", false), col("body", "text", true), created),
		roles,
	}

	pair := func(c, fc string) []schema.ColumnPair { return []schema.ColumnPair{{Column: c, ForeignColumn: fc}} }
	fk := func(from, to string, card schema.Cardinality, constraint, c, fc string) *schema.Relationship {
		return &schema.Relationship{
			Table: qi(from), ForeignTable: qi(to), Cardinality: card, Constraint: constraint, Columns: pair(c, fc),
		}
	}
	m2m := func(from, to, c1, c2, fromCol, toCol string) *schema.Relationship {
		return &schema.Relationship{
			Table: qi(from), ForeignTable: qi(to), Cardinality: schema.ManyToMany,
			Junction: &schema.Junction{
				Table: qi("roles"), Constraint1: c1, Constraint2: c2,
				ColsSource: pair("id", fromCol), ColsTarget: pair("id", toCol),
			},
		}
	}
	rels := map[schema.RelKey][]*schema.Relationship{
		{Table: qi("actors"), ForeignSchema: "api"}: {
			m2m("actors", "films", "roles_actor_id_fkey", "roles_film_id_fkey", "actor_id", "film_id"),
			fk("actors", "roles", schema.OneToMany, "roles_actor_id_fkey", "id", "actor_id"),
		},
		{Table: qi("directors"), ForeignSchema: "api"}: {
			fk("directors", "films", schema.OneToMany, "films_director_id_fkey", "id", "director_id"),
		},
		{Table: qi("films"), ForeignSchema: "api"}: {
			m2m("films", "actors", "roles_film_id_fkey", "roles_actor_id_fkey", "film_id", "actor_id"),
			fk("films", "directors", schema.ManyToOne, "films_director_id_fkey", "director_id", "id"),
			fk("films", "reviews", schema.OneToMany, "reviews_film_id_fkey", "id", "film_id"),
			fk("films", "roles", schema.OneToMany, "roles_film_id_fkey", "id", "film_id"),
		},
		{Table: qi("reviews"), ForeignSchema: "api"}: {
			fk("reviews", "films", schema.ManyToOne, "reviews_film_id_fkey", "film_id", "id"),
		},
		{Table: qi("roles"), ForeignSchema: "api"}: {
			fk("roles", "actors", schema.ManyToOne, "roles_actor_id_fkey", "actor_id", "id"),
			fk("roles", "films", schema.ManyToOne, "roles_film_id_fkey", "film_id", "id"),
		},
	}

	sc := &schema.Cache{
		Tables:        map[schema.QI]*schema.Table{},
		Relationships: rels,
		Routines: map[schema.QI][]*schema.Routine{
			qi("films_by_director"): {{
				Schema: "api", Name: "films_by_director",
				Params: []schema.RoutineParam{{Name: "p_director_id", Type: "integer", TypeMaxLength: "integer", Required: true}},
				Return: schema.RetType{SetOf: true, Composite: true, Type: qi("films")}, Volatility: schema.Stable,
			}},
		},
		Representations: map[schema.RepKey]*schema.Representation{},
		MediaHandlers:   schema.BuiltinMediaHandlers(),
		Schemas:         []string{"api"},
	}
	for _, t := range tables {
		sc.Tables[t.QI()] = t
	}
	sc.Finish()
	return sc
}

// Input returns the request for n, as Request does, and its body: what
// the server hands to request.Parse after reading the body.
func (s Scenario) Input(n int) (*http.Request, []byte) {
	_, body := s.Target(n)
	if body == "" {
		return s.Request(n), nil
	}
	return s.Request(n), []byte(body)
}

// Parse parses the request for n with db-schemas = api.
func (s Scenario) Parse(n int) (*request.APIRequest, error) {
	r, body := s.Input(n)
	return request.Parse(r, body, &request.Options{Schemas: []string{"api"}})
}

// Plan parses the request for n and plans it against sc with the default
// settings and the anonymous role, for the benchmarks of the stages after
// planning.
func (s Scenario) Plan(n int, sc *schema.Cache) (*request.APIRequest, *plan.Plan, error) {
	req, err := s.Parse(n)
	if err != nil {
		return nil, nil, err
	}
	p, err := plan.Build(req, sc, "web_anon", &plan.Options{})
	if err != nil {
		return nil, nil, err
	}
	return req, p, nil
}

// Main builds the main statement of a planned request, as the server does
// with the default settings (no db-max-rows); the zero Query for plans
// without one.
func Main(req *request.APIRequest, p *plan.Plan) sqlgen.Query {
	switch p.Kind {
	case plan.KindRead:
		return sqlgen.Read(p, req.Prefs.Count, 0, req.TopRange)
	case plan.KindMutate:
		return sqlgen.Mutate(p, req.Prefs)
	case plan.KindCall:
		return sqlgen.Call(p, req.Prefs.Count, 0, req.TopRange)
	}
	return sqlgen.Query{}
}
