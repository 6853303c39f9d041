package sqlgen_test

import (
	"net/http/httptest"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/restgres/restgres/internal/golden"

	"github.com/restgres/restgres/internal/plan"
	"github.com/restgres/restgres/internal/request"
	"github.com/restgres/restgres/internal/schema"
	"github.com/restgres/restgres/internal/sqlgen"
)

// goldenCache is a schema cache built by hand (no database): films with a
// director (many-to-one), actors through roles (many-to-many) and a
// set-returning function.
func goldenCache() *schema.Cache {
	col := func(name, typ string) *schema.Column {
		return &schema.Column{Name: name, Type: typ, NominalType: typ, Nullable: true}
	}
	qi := func(n string) schema.QI { return schema.QI{Schema: "api", Name: n} }
	films := &schema.Table{Schema: "api", Name: "films", Insertable: true, Updatable: true, Deletable: true,
		PKCols: []string{"id"}, Columns: []*schema.Column{col("id", "integer"), col("title", "text"), col("year", "integer"), col("director_id", "integer"), col("meta", "jsonb")}}
	directors := &schema.Table{Schema: "api", Name: "directors", Insertable: true, Updatable: true, Deletable: true,
		PKCols: []string{"id"}, Columns: []*schema.Column{col("id", "integer"), col("name", "text")}}
	actors := &schema.Table{Schema: "api", Name: "actors", Insertable: true, Updatable: true, Deletable: true,
		PKCols: []string{"id"}, Columns: []*schema.Column{col("id", "integer"), col("name", "text")}}
	roles := &schema.Table{Schema: "api", Name: "roles", Insertable: true, Updatable: true, Deletable: true,
		PKCols: []string{"actor_id", "film_id"}, Columns: []*schema.Column{col("film_id", "integer"), col("actor_id", "integer"), col("character", "text")}}

	filmDirector := &schema.Relationship{Table: qi("films"), ForeignTable: qi("directors"), Cardinality: schema.ManyToOne,
		Constraint: "films_director_id_fkey", Columns: []schema.ColumnPair{{Column: "director_id", ForeignColumn: "id"}}}
	directorFilms := &schema.Relationship{Table: qi("directors"), ForeignTable: qi("films"), Cardinality: schema.OneToMany,
		Constraint: "films_director_id_fkey", Columns: []schema.ColumnPair{{Column: "id", ForeignColumn: "director_id"}}}
	filmActors := &schema.Relationship{Table: qi("films"), ForeignTable: qi("actors"), Cardinality: schema.ManyToMany,
		Junction: &schema.Junction{Table: qi("roles"), Constraint1: "roles_film_id_fkey", Constraint2: "roles_actor_id_fkey",
			ColsSource: []schema.ColumnPair{{Column: "id", ForeignColumn: "film_id"}},
			ColsTarget: []schema.ColumnPair{{Column: "id", ForeignColumn: "actor_id"}}}}
	filmRoles := &schema.Relationship{Table: qi("films"), ForeignTable: qi("roles"), Cardinality: schema.OneToMany,
		Constraint: "roles_film_id_fkey", Columns: []schema.ColumnPair{{Column: "id", ForeignColumn: "film_id"}}}

	sc := &schema.Cache{
		Tables: map[schema.QI]*schema.Table{qi("films"): films, qi("directors"): directors, qi("actors"): actors, qi("roles"): roles},
		Relationships: map[schema.RelKey][]*schema.Relationship{
			{Table: qi("films"), ForeignSchema: "api"}:     {filmDirector, filmRoles, filmActors},
			{Table: qi("directors"), ForeignSchema: "api"}: {directorFilms},
		},
		Routines: map[schema.QI][]*schema.Routine{
			qi("films_by_director"): {{Schema: "api", Name: "films_by_director", Volatility: schema.Stable,
				Params: []schema.RoutineParam{{Name: "p_director_id", Type: "integer", TypeMaxLength: "integer", Required: true}},
				Return: schema.RetType{SetOf: true, Composite: true, Type: qi("films")}}},
		},
		Representations: map[schema.RepKey]*schema.Representation{},
		MediaHandlers:   schema.BuiltinMediaHandlers(),
		Schemas:         []string{"api"},
	}
	sc.Finish()
	return sc
}

// TestGoldenSQL checks the SQL generated for representative request
// shapes against testdata/<name>.golden; `go test -update` rewrites them
// and the diff is reviewed like code. The end-to-end tests of package
// server prove PostgreSQL accepts these shapes.
func TestGoldenSQL(t *testing.T) {
	sc := goldenCache()
	tests := []struct {
		name, method, target, body string
		headers                    []string
	}{
		{"read_pk", "GET", "/films?id=eq.1", "", nil},
		{"read_filters_order_limit", "GET", "/films?select=id,title,year&year=gte.1990&title=like.*x*&order=year.desc.nullslast&limit=100&offset=10", "", nil},
		{"read_logic_tree", "GET", "/films?select=id&or=(id.in.(1,2),and(year.is.null,title.ilike.a*))&meta->>lang=eq.fr", "", nil},
		{"read_embeds", "GET", "/films?select=title,director:directors(name),actors(name)&limit=50", "", nil},
		{"read_inner_embed_filter", "GET", "/directors?select=name,films!inner(title)&films.year=lt.2000&films.order=year", "", nil},
		{"read_count_exact_range", "GET", "/films?select=id", "", []string{"Prefer", "count=exact", "Range", "0-9"}},
		{"read_singular", "GET", "/films?id=eq.1", "", []string{"Accept", "application/vnd.pgrst.object+json"}},
		{"read_csv", "GET", "/films?select=id,title", "", []string{"Accept", "text/csv"}},
		{"insert_minimal", "POST", "/films", `{"id":1,"title":"x"}`, nil},
		{"insert_bulk_representation", "POST", "/films?select=id,director:directors(name)", `[{"id":1,"title":"x","director_id":1},{"id":2,"title":"y","director_id":1}]`, []string{"Prefer", "return=representation"}},
		{"upsert_merge", "POST", "/films", `[{"id":1,"title":"x"}]`, []string{"Prefer", "resolution=merge-duplicates"}},
		{"put", "PUT", "/films?id=eq.1", `{"id":1,"title":"x"}`, nil},
		{"update_filtered", "PATCH", "/films?year=lt.1950", `{"title":"old"}`, []string{"Prefer", "return=representation"}},
		{"delete_filtered", "DELETE", "/films?id=in.(1,2)", "", nil},
		{"call_get", "GET", "/rpc/films_by_director?p_director_id=1&select=id,title&order=id", "", nil},
		{"call_post", "POST", "/rpc/films_by_director", `{"p_director_id":1}`, nil},
	}
	opts := &request.Options{Schemas: []string{"api"}}
	popts := &plan.Options{}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := httptest.NewRequest(tc.method, tc.target, nil)
			for i := 0; i+1 < len(tc.headers); i += 2 {
				r.Header.Add(tc.headers[i], tc.headers[i+1])
			}
			req, err := request.Parse(r, []byte(tc.body), opts)
			if err != nil {
				t.Fatalf("request.Parse: %v", err)
			}
			p, err := plan.Build(req, sc, "web_anon", popts)
			if err != nil {
				t.Fatalf("plan.Build: %v", err)
			}
			var q sqlgen.Query
			switch p.Kind {
			case plan.KindRead:
				q = sqlgen.Read(p, req.Prefs.Count, 0, req.TopRange)
			case plan.KindMutate:
				q = sqlgen.Mutate(p, req.Prefs)
			case plan.KindCall:
				q = sqlgen.Call(p, req.Prefs.Count, 0, req.TopRange)
			default:
				t.Fatalf("plan kind %v has no statement", p.Kind)
			}
			golden.Check(t, filepath.Join("testdata", tc.name+".golden"), []byte(render(q)))
		})
	}
}

func render(q sqlgen.Query) string {
	var b strings.Builder
	b.WriteString(q.SQL)
	b.WriteString("\n")
	for i, a := range q.Args {
		b.WriteString("$" + strconv.Itoa(i+1) + " = ")
		if a == nil {
			b.WriteString("NULL")
		} else {
			b.WriteString(strconv.Quote(string(a)))
		}
		if q.OIDs[i] != 0 {
			b.WriteString(" (oid " + strconv.FormatUint(uint64(q.OIDs[i]), 10) + ")")
		}
		b.WriteString("\n")
	}
	return b.String()
}
