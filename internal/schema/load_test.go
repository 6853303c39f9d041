package schema_test

import (
	"bytes"
	"encoding/json"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/restgres/restgres/internal/golden"

	"github.com/jackc/pgx/v5"

	"github.com/restgres/restgres/internal/mediatype"
	"github.com/restgres/restgres/internal/pgtest"
	"github.com/restgres/restgres/internal/schema"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

const fixture = "testdata/schema.sql"

var defaultOpts = schema.Options{
	Schemas:           []string{"api", "api2"},
	HoistedTxSettings: []string{"statement_timeout", "default_transaction_isolation"},
}

// connect opens a connection to a fresh clone of the fixture, as the
// superuser, or as role (SET ROLE) when role is not "".
func connect(t *testing.T, role string) *pgx.Conn {
	t.Helper()
	_, db := pgtest.NewDB(t, fixture)
	conn, err := pgx.Connect(t.Context(), pgtest.Shared(t).URI(db, "postgres"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close(t.Context()) })
	if role != "" {
		if _, err := conn.Exec(t.Context(), "set role "+pgx.Identifier{role}.Sanitize()); err != nil {
			t.Fatal(err)
		}
	}
	return conn
}

func load(t *testing.T, opts schema.Options) *schema.Cache {
	t.Helper()
	c, err := schema.Load(t.Context(), connect(t, ""), opts)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func qi(s, n string) schema.QI { return schema.QI{Schema: s, Name: n} }

// pairs builds column pairs from "column:foreign_column" strings.
func pairs(ps ...string) []schema.ColumnPair {
	out := make([]schema.ColumnPair, len(ps))
	for i, p := range ps {
		a, b, _ := strings.Cut(p, ":")
		out[i] = schema.ColumnPair{Column: a, ForeignColumn: b}
	}
	return out
}

func str(s string) *string { return &s }

func jsonString(t *testing.T, v any) string {
	t.Helper()
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestLoadTables(t *testing.T) {
	t.Parallel()
	c := load(t, defaultOpts)
	tests := []struct {
		table               schema.QI
		isView              bool
		insert, update, del bool
		pk                  []string
		description         *string
		columns             []string // names, in order
	}{
		{qi("api", "clients"), false, true, true, true, []string{"id"}, str("Our clients"), []string{"id", "name"}},
		// table primary keys are sorted by column name, not key order
		{qi("api", "users_projects"), false, true, true, true, []string{"project_id", "user_id"}, nil, []string{"user_id", "project_id"}},
		{qi("api", "measurements"), false, true, true, true, []string{"id", "taken"}, nil, []string{"id", "taken", "client_id"}},
		// view primary keys: the first view column exposing each key column
		{qi("api", "projects_view"), true, true, true, true, []string{"project_id"}, nil, []string{"project_id", "name", "client_id", "client_ref"}},
		{qi("api", "projects_view2"), true, true, true, true, []string{"pid"}, nil, []string{"pid", "client_id"}},
		{qi("api2", "clients_view"), true, true, true, true, []string{"client_id"}, nil, []string{"client_id", "name"}},
		{qi("api", "projects_mat"), true, false, false, false, []string{"id"}, nil, []string{"id", "client_id"}},
		{qi("api", "client_counts"), true, false, false, false, nil, nil, []string{"client_id", "n"}},
		// its base view is in a schema that is neither exposed nor in the
		// extra search path
		{qi("api", "projects_via_internal"), true, true, true, true, nil, nil, []string{"id", "client_id"}},
	}
	for _, tc := range tests {
		t.Run(tc.table.String(), func(t *testing.T) {
			tbl := c.Table(tc.table)
			if tbl == nil {
				t.Fatalf("table %s not loaded", tc.table)
			}
			if tbl.IsView != tc.isView || tbl.Insertable != tc.insert || tbl.Updatable != tc.update || tbl.Deletable != tc.del {
				t.Errorf("view/insertable/updatable/deletable = %v/%v/%v/%v, want %v/%v/%v/%v",
					tbl.IsView, tbl.Insertable, tbl.Updatable, tbl.Deletable, tc.isView, tc.insert, tc.update, tc.del)
			}
			if !reflect.DeepEqual(tbl.PKCols, tc.pk) {
				t.Errorf("PKCols = %q, want %q", tbl.PKCols, tc.pk)
			}
			if !reflect.DeepEqual(tbl.Description, tc.description) {
				t.Errorf("Description = %v, want %v", tbl.Description, tc.description)
			}
			var names []string
			for _, col := range tbl.Columns {
				names = append(names, col.Name)
			}
			if !reflect.DeepEqual(names, tc.columns) {
				t.Errorf("columns = %q, want %q", names, tc.columns)
			}
		})
	}

	var want []string
	for _, n := range []string{"client_counts", "client_details", "clients", "comments", "downloads", "employees",
		"kitchen_sink", "measurements", "paints", "passports", "projects", "projects_mat", "projects_via_internal",
		"projects_view", "projects_view2", "releases", "users", "users_projects"} {
		want = append(want, "api."+n)
	}
	want = append(want, "api2.clients_view")
	var got []string
	for q := range c.Tables {
		got = append(got, q.String())
	}
	if !equalSorted(got, want) {
		t.Errorf("tables = %q, want %q (no partitions, nothing internal)", got, want)
	}
	if names := c.TableNames("api2"); !reflect.DeepEqual(names, []string{"clients_view"}) {
		t.Errorf("TableNames(api2) = %q", names)
	}
}

func equalSorted(a, b []string) bool {
	a, b = slices.Sorted(slices.Values(a)), slices.Sorted(slices.Values(b))
	return slices.Equal(a, b)
}

func TestLoadColumns(t *testing.T) {
	t.Parallel()
	c := load(t, defaultOpts)
	tests := []struct {
		table schema.QI
		want  schema.Column
	}{
		{qi("api", "clients"), schema.Column{Name: "name", Description: str("What they are called"), Type: "text", NominalType: "text"}},
		{qi("api", "kitchen_sink"), schema.Column{Name: "id", Type: "bigint", NominalType: "bigint",
			Default: str("nextval('api.kitchen_sink_id_seq')")}},
		{qi("api", "kitchen_sink"), schema.Column{Name: "label", Nullable: true, Type: "character varying",
			NominalType: "character varying(40)", MaxLen: 40, Default: str("'none'::character varying")}},
		{qi("api", "kitchen_sink"), schema.Column{Name: "code", Nullable: true, Type: "character", NominalType: "character(3)", MaxLen: 3}},
		{qi("api", "kitchen_sink"), schema.Column{Name: "mood", Nullable: true, Type: "api.mood", NominalType: "api.mood",
			Enum: []string{"sad", "ok", "happy"}}},
		{qi("api", "kitchen_sink"), schema.Column{Name: "amount", Nullable: true, Type: "numeric", NominalType: "numeric(10,2)"}},
		{qi("api", "kitchen_sink"), schema.Column{Name: "tags", Nullable: true, Type: "text[]", NominalType: "text[]"}},
		// a NOT NULL domain with a default, over a pg_catalog type
		{qi("api", "kitchen_sink"), schema.Column{Name: "qty", Type: "integer", NominalType: "api.positive", Default: str("1")}},
		// generated: no default
		{qi("api", "kitchen_sink"), schema.Column{Name: "doubled", Nullable: true, Type: "bigint", NominalType: "bigint"}},
		{qi("api", "paints"), schema.Column{Name: "color", Nullable: true, Type: "integer", NominalType: "api.color"}},
		// views: columns are nullable
		{qi("api", "projects_view"), schema.Column{Name: "project_id", Nullable: true, Type: "integer", NominalType: "integer"}},
	}
	for _, tc := range tests {
		t.Run(tc.table.String()+"."+tc.want.Name, func(t *testing.T) {
			tbl := c.Table(tc.table)
			if tbl == nil {
				t.Fatalf("table %s not loaded", tc.table)
			}
			got := tbl.Column(tc.want.Name)
			if got == nil {
				t.Fatalf("column %s not loaded", tc.want.Name)
			}
			if !reflect.DeepEqual(*got, tc.want) {
				t.Errorf("column =\n%s\nwant\n%s", jsonString(t, got), jsonString(t, tc.want))
			}
		})
	}
}

func TestLoadRelationships(t *testing.T) {
	t.Parallel()
	c := load(t, defaultOpts)

	m2o := func(table, ftable schema.QI, cons string, cols ...string) *schema.Relationship {
		return &schema.Relationship{Table: table, ForeignTable: ftable, Cardinality: schema.ManyToOne,
			Constraint: cons, Columns: pairs(cols...)}
	}
	withCard := func(r *schema.Relationship, card schema.Cardinality) *schema.Relationship {
		r.Cardinality = card
		return r
	}
	views := func(r *schema.Relationship, table, ftable bool) *schema.Relationship {
		r.TableIsView, r.FTableIsView = table, ftable
		return r
	}
	self := func(r *schema.Relationship) *schema.Relationship { r.IsSelf = true; return r }
	parent := func(r *schema.Relationship) *schema.Relationship { r.O2OIsParent = true; return r }
	m2m := func(table, ftable, junction schema.QI, cons1, cons2 string, src, tgt []schema.ColumnPair) *schema.Relationship {
		return &schema.Relationship{Table: table, ForeignTable: ftable, Cardinality: schema.ManyToMany,
			Junction: &schema.Junction{Table: junction, Constraint1: cons1, Constraint2: cons2, ColsSource: src, ColsTarget: tgt}}
	}
	computed := func(table, ftable, fn schema.QI, toOne, isSelf bool) *schema.Relationship {
		return &schema.Relationship{Table: table, ForeignTable: ftable, Computed: true, Function: fn, ToOne: toOne, IsSelf: isSelf}
	}

	var (
		clients       = qi("api", "clients")
		clientCounts  = qi("api", "client_counts")
		clientDetails = qi("api", "client_details")
		clientsView   = qi("api2", "clients_view")
		comments      = qi("api", "comments")
		downloads     = qi("api", "downloads")
		employees     = qi("api", "employees")
		measurements  = qi("api", "measurements")
		passports     = qi("api", "passports")
		projects      = qi("api", "projects")
		projectsMat   = qi("api", "projects_mat")
		projectsView  = qi("api", "projects_view")
		projectsView2 = qi("api", "projects_view2")
		releases      = qi("api", "releases")
		users         = qi("api", "users")
		usersProjects = qi("api", "users_projects")
	)

	tests := []struct {
		name          string
		table         schema.QI
		foreignSchema string
		want          []*schema.Relationship
	}{
		{"composite many-to-one", downloads, "api", []*schema.Relationship{
			m2o(downloads, releases, "downloads_release_fkey", "project_id:project_id", "version:version"),
		}},
		{"one-to-many and many-to-one to a table and the views over it", releases, "api", []*schema.Relationship{
			withCard(m2o(releases, downloads, "downloads_release_fkey", "project_id:project_id", "version:version"), schema.OneToMany),
			m2o(releases, projects, "releases_project_id_fkey", "project_id:id"),
			views(m2o(releases, projectsMat, "releases_project_id_fkey", "project_id:id"), false, true),
			views(m2o(releases, projectsView, "releases_project_id_fkey", "project_id:project_id"), false, true),
			views(m2o(releases, projectsView2, "releases_project_id_fkey", "project_id:pid"), false, true),
		}},
		{"one-to-one by a unique foreign key", passports, "api", []*schema.Relationship{
			withCard(m2o(passports, clients, "passports_client_id_fkey", "client_id:id"), schema.OneToOne),
		}},
		{"one-to-one by a primary key that is a foreign key", clientDetails, "api", []*schema.Relationship{
			withCard(m2o(clientDetails, clients, "client_details_client_id_fkey", "client_id:id"), schema.OneToOne),
		}},
		{"one-to-one to a view in another schema", passports, "api2", []*schema.Relationship{
			views(withCard(m2o(passports, clientsView, "passports_client_id_fkey", "client_id:client_id"), schema.OneToOne), false, true),
		}},
		{"referenced side: one-to-one parents, one-to-many, a computed relationship overriding projects", clients, "api", []*schema.Relationship{
			views(withCard(m2o(clients, clientCounts, "projects_client_id_fkey", "id:client_id"), schema.OneToMany), false, true),
			parent(withCard(m2o(clients, clientDetails, "client_details_client_id_fkey", "id:client_id"), schema.OneToOne)),
			withCard(m2o(clients, measurements, "measurements_client_id_fkey", "id:client_id"), schema.OneToMany),
			parent(withCard(m2o(clients, passports, "passports_client_id_fkey", "id:client_id"), schema.OneToOne)),
			views(withCard(m2o(clients, projectsMat, "projects_client_id_fkey", "id:client_id"), schema.OneToMany), false, true),
			views(withCard(m2o(clients, projectsView, "projects_client_id_fkey", "id:client_id"), schema.OneToMany), false, true),
			views(withCard(m2o(clients, projectsView, "projects_client_id_fkey", "id:client_ref"), schema.OneToMany), false, true),
			views(withCard(m2o(clients, projectsView2, "projects_client_id_fkey", "id:client_id"), schema.OneToMany), false, true),
			computed(clients, projects, qi("api", "projects"), false, false),
		}},
		{"many-to-many through a junction, and to the views of the target", users, "api", []*schema.Relationship{
			withCard(m2o(users, comments, "comments_user_id_fkey", "id:user_id"), schema.OneToMany),
			m2m(users, projects, usersProjects, "users_projects_user_id_fkey", "users_projects_project_id_fkey",
				pairs("id:user_id"), pairs("id:project_id")),
			views(m2m(users, projectsMat, usersProjects, "users_projects_user_id_fkey", "users_projects_project_id_fkey",
				pairs("id:user_id"), pairs("id:project_id")), false, true),
			views(m2m(users, projectsView, usersProjects, "users_projects_user_id_fkey", "users_projects_project_id_fkey",
				pairs("id:user_id"), pairs("project_id:project_id")), false, true),
			views(m2m(users, projectsView2, usersProjects, "users_projects_user_id_fkey", "users_projects_project_id_fkey",
				pairs("id:user_id"), pairs("pid:project_id")), false, true),
			withCard(m2o(users, usersProjects, "users_projects_user_id_fkey", "id:user_id"), schema.OneToMany),
		}},
		{"computed to-one overriding projects -> clients; comments is no junction", projects, "api", []*schema.Relationship{
			withCard(m2o(projects, comments, "comments_project_id_fkey", "id:project_id"), schema.OneToMany),
			withCard(m2o(projects, releases, "releases_project_id_fkey", "id:project_id"), schema.OneToMany),
			m2m(projects, users, usersProjects, "users_projects_project_id_fkey", "users_projects_user_id_fkey",
				pairs("id:project_id"), pairs("id:user_id")),
			withCard(m2o(projects, usersProjects, "users_projects_project_id_fkey", "id:project_id"), schema.OneToMany),
			computed(projects, clients, qi("api", "clients"), true, false),
		}},
		{"the computed relationship only overrides its own key", projects, "api2", []*schema.Relationship{
			views(m2o(projects, clientsView, "projects_client_id_fkey", "client_id:client_id"), false, true),
		}},
		{"self", employees, "api", []*schema.Relationship{
			self(withCard(m2o(employees, employees, "employees_manager_id_fkey", "id:manager_id"), schema.OneToMany)),
			self(m2o(employees, employees, "employees_manager_id_fkey", "manager_id:id")),
			computed(employees, employees, qi("api", "boss"), true, true),
		}},
		{"partitioned table: its own foreign key, once", measurements, "api", []*schema.Relationship{
			m2o(measurements, clients, "measurements_client_id_fkey", "client_id:id"),
		}},
		{"view inheriting foreign keys, one relationship per exposing column", projectsView, "api", []*schema.Relationship{
			views(m2o(projectsView, clients, "projects_client_id_fkey", "client_id:id"), true, false),
			views(m2o(projectsView, clients, "projects_client_id_fkey", "client_ref:id"), true, false),
			views(withCard(m2o(projectsView, comments, "comments_project_id_fkey", "project_id:project_id"), schema.OneToMany), true, false),
			views(withCard(m2o(projectsView, releases, "releases_project_id_fkey", "project_id:project_id"), schema.OneToMany), true, false),
			views(m2m(projectsView, users, usersProjects, "users_projects_project_id_fkey", "users_projects_user_id_fkey",
				pairs("project_id:project_id"), pairs("id:user_id")), true, false),
			views(withCard(m2o(projectsView, usersProjects, "users_projects_project_id_fkey", "project_id:project_id"), schema.OneToMany), true, false),
		}},
		{"view to view across schemas", projectsView, "api2", []*schema.Relationship{
			views(m2o(projectsView, clientsView, "projects_client_id_fkey", "client_id:client_id"), true, true),
			views(m2o(projectsView, clientsView, "projects_client_id_fkey", "client_ref:client_id"), true, true),
		}},
		{"view over view", projectsView2, "api", []*schema.Relationship{
			views(m2o(projectsView2, clients, "projects_client_id_fkey", "client_id:id"), true, false),
			views(withCard(m2o(projectsView2, comments, "comments_project_id_fkey", "pid:project_id"), schema.OneToMany), true, false),
			views(withCard(m2o(projectsView2, releases, "releases_project_id_fkey", "pid:project_id"), schema.OneToMany), true, false),
			views(m2m(projectsView2, users, usersProjects, "users_projects_project_id_fkey", "users_projects_user_id_fkey",
				pairs("pid:project_id"), pairs("id:user_id")), true, false),
			views(withCard(m2o(projectsView2, usersProjects, "users_projects_project_id_fkey", "pid:project_id"), schema.OneToMany), true, false),
		}},
		{"view in another exposed schema", clientsView, "api", []*schema.Relationship{
			views(withCard(m2o(clientsView, clientCounts, "projects_client_id_fkey", "client_id:client_id"), schema.OneToMany), true, true),
			parent(views(withCard(m2o(clientsView, clientDetails, "client_details_client_id_fkey", "client_id:client_id"), schema.OneToOne), true, false)),
			views(withCard(m2o(clientsView, measurements, "measurements_client_id_fkey", "client_id:client_id"), schema.OneToMany), true, false),
			parent(views(withCard(m2o(clientsView, passports, "passports_client_id_fkey", "client_id:client_id"), schema.OneToOne), true, false)),
			views(withCard(m2o(clientsView, projects, "projects_client_id_fkey", "client_id:client_id"), schema.OneToMany), true, false),
			views(withCard(m2o(clientsView, projectsMat, "projects_client_id_fkey", "client_id:client_id"), schema.OneToMany), true, true),
			views(withCard(m2o(clientsView, projectsView, "projects_client_id_fkey", "client_id:client_id"), schema.OneToMany), true, true),
			views(withCard(m2o(clientsView, projectsView, "projects_client_id_fkey", "client_id:client_ref"), schema.OneToMany), true, true),
			views(withCard(m2o(clientsView, projectsView2, "projects_client_id_fkey", "client_id:client_id"), schema.OneToMany), true, true),
		}},
		// internal.secrets references clients and internal.users_clients
		// joins users and clients: PostgREST keeps the keys, empty.
		{"to a non-exposed schema", clients, "internal", []*schema.Relationship{}},
		{"through a non-exposed junction", users, "internal", []*schema.Relationship{}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := c.Relationships[schema.RelKey{Table: tc.table, ForeignSchema: tc.foreignSchema}]
			if !ok {
				t.Fatalf("no relationships from %s to schema %s", tc.table, tc.foreignSchema)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("Relations(%s, %s) =\n%s\nwant\n%s", tc.table, tc.foreignSchema, jsonString(t, got), jsonString(t, tc.want))
			}
		})
	}

	for k, rels := range c.Relationships {
		if k.Table.Schema != "api" && k.Table.Schema != "api2" {
			t.Errorf("relationships from non-exposed %s", k.Table)
		}
		for _, r := range rels {
			if r.ForeignTable.Schema == "internal" || r.Junction != nil && r.Junction.Table.Schema == "internal" {
				t.Errorf("relationship %s -> %s involves the internal schema", r.Table, r.ForeignTable)
			}
		}
	}
}

func TestLoadExtraSearchPath(t *testing.T) {
	t.Parallel()
	opts := defaultOpts
	opts.ExtraSearchPath = []string{"internal"}
	c := load(t, opts)
	view := qi("api", "projects_via_internal")
	if got := c.Table(view).PKCols; !reflect.DeepEqual(got, []string{"id"}) {
		t.Errorf("PKCols through a view of the extra search path = %q, want [id]", got)
	}
	want := []*schema.Relationship{{
		Table: view, ForeignTable: qi("api", "clients"), Cardinality: schema.ManyToOne,
		Constraint: "projects_client_id_fkey", Columns: pairs("client_id:id"), TableIsView: true,
	}}
	if got := c.Relations(view, "api"); !reflect.DeepEqual(got[:1], want) {
		t.Errorf("first relationship = %s, want %s", jsonString(t, got[:1]), jsonString(t, want))
	}
	if c.Table(qi("internal", "projects_hidden")) != nil {
		t.Error("a view of the extra search path is exposed")
	}
}

func TestLoadRoutines(t *testing.T) {
	t.Parallel()
	c := load(t, defaultOpts)
	param := func(name, typ string, required bool) schema.RoutineParam {
		return schema.RoutineParam{Name: name, Type: typ, TypeMaxLength: typ, Required: required}
	}
	scalar := func(typ string) schema.RetType { return schema.RetType{Type: qi("pg_catalog", typ)} }
	ints := []schema.RoutineParam{param("a", "integer", true), param("b", "integer", true)}

	tests := []struct {
		name string
		want []*schema.Routine // overloads, in lookup order
	}{
		{"add", []*schema.Routine{
			{Schema: "api", Name: "add", Description: str("Adds two numbers"), Params: ints,
				Return: scalar("int4"), Volatility: schema.Immutable},
			{Schema: "api", Name: "add", Params: append(ints[:2:2], param("c", "integer", true)),
				Return: scalar("int4"), Volatility: schema.Immutable},
		}},
		{"join_words", []*schema.Routine{{Schema: "api", Name: "join_words",
			Params: []schema.RoutineParam{param("sep", "text", true),
				{Name: "words", Type: "text[]", TypeMaxLength: "text[]", Required: true, Variadic: true}},
			Return: scalar("text"), Volatility: schema.Immutable, HasVariadic: true}}},
		{"slow", []*schema.Routine{{Schema: "api", Name: "slow",
			Params: []schema.RoutineParam{param("n", "integer", false)},
			Return: scalar("void"), Volatility: schema.Volatile,
			// work_mem is set too, but not hoisted
			IsolationLevel: schema.RepeatableRead,
			Settings: []schema.Setting{{Name: "statement_timeout", Value: "5s"},
				{Name: "default_transaction_isolation", Value: "repeatable read"}}}}},
		{"padded", []*schema.Routine{{Schema: "api", Name: "padded",
			Params: []schema.RoutineParam{
				{Name: "c", Type: "character", TypeMaxLength: "character varying", Required: true},
				{Name: "b", Type: "bit", TypeMaxLength: "bit varying", Required: true}},
			Return: scalar("text"), Volatility: schema.Stable}}},
		{"project_rows", []*schema.Routine{{Schema: "api", Name: "project_rows",
			Return:     schema.RetType{SetOf: true, Composite: true, Type: qi("api", "projects")},
			Volatility: schema.Stable}}},
		{"pairs", []*schema.Routine{{Schema: "api", Name: "pairs",
			Return:     schema.RetType{SetOf: true, Composite: true, Type: qi("pg_catalog", "record")},
			Volatility: schema.Stable}}},
		// one unnamed json parameter: callable with the whole body
		{"echo", []*schema.Routine{{Schema: "api", Name: "echo",
			Params: []schema.RoutineParam{param("", "json", true)},
			Return: scalar("json"), Volatility: schema.Immutable}}},
		// returns a domain: its base type, and not a composite alias
		{"logo", []*schema.Routine{{Schema: "api", Name: "logo",
			Return: scalar("bytea"), Volatility: schema.Immutable}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := c.RoutinesNamed(qi("api", tc.name))
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("RoutinesNamed(api.%s) =\n%s\nwant\n%s", tc.name, jsonString(t, got), jsonString(t, tc.want))
			}
		})
	}

	// not callable (unnamed int), trigger, procedure, computed relationship
	// function (unnamed row), internal
	for _, q := range []schema.QI{qi("api", "twice"), qi("api", "touch"), qi("api", "do_nothing"),
		qi("api", "clients"), qi("internal", "hidden")} {
		if got := c.RoutinesNamed(q); got != nil {
			t.Errorf("RoutinesNamed(%s) = %s, want none", q, jsonString(t, got))
		}
	}
	if len(c.Routines) != 13 {
		t.Errorf("%d routines, want 13", len(c.Routines))
	}
}

func TestLoadRepresentations(t *testing.T) {
	t.Parallel()
	all := map[schema.RepKey]*schema.Representation{
		{Source: "api.color", Target: "json"}: {SourceType: "api.color", TargetType: "json", Function: "api.color_to_json"},
		{Source: "json", Target: "api.color"}: {SourceType: "json", TargetType: "api.color", Function: "api.color_from_json"},
		{Source: "text", Target: "api.color"}: {SourceType: "text", TargetType: "api.color", Function: "api.color_from_text"},
	}
	t.Run("superuser", func(t *testing.T) {
		t.Parallel()
		c := load(t, defaultOpts)
		if !reflect.DeepEqual(c.Representations, all) {
			t.Errorf("Representations = %s, want %s", jsonString(t, c.Representations), jsonString(t, all))
		}
	})
	t.Run("role without execute on a cast function", func(t *testing.T) {
		t.Parallel()
		c, err := schema.Load(t.Context(), connect(t, "schema_test_reader"), defaultOpts)
		if err != nil {
			t.Fatal(err)
		}
		want := map[schema.RepKey]*schema.Representation{}
		for k, v := range all {
			if k.Source != "text" {
				want[k] = v
			}
		}
		if !reflect.DeepEqual(c.Representations, want) {
			t.Errorf("Representations = %s, want %s", jsonString(t, c.Representations), jsonString(t, want))
		}
	})
}

func TestLoadMediaHandlers(t *testing.T) {
	t.Parallel()
	c := load(t, defaultOpts)
	key := func(target schema.QI, mime string) schema.HandlerKey {
		return schema.HandlerKey{Target: target, Media: mediatype.Parse(mime).Key()}
	}
	anyKey := func(k mediatype.Kind) schema.HandlerKey {
		return schema.HandlerKey{AnyElement: true, Media: mediatype.MediaType{Kind: k}.Key()}
	}
	builtin := func(h schema.HandlerKind, k mediatype.Kind) schema.ResolvedHandler {
		return schema.ResolvedHandler{Handler: schema.Handler{Kind: h}, MediaType: mediatype.MediaType{Kind: k}}
	}
	custom := func(fn, target schema.QI, mime string) schema.ResolvedHandler {
		return schema.ResolvedHandler{
			Handler:   schema.Handler{Kind: schema.CustomFunc, Function: fn, Target: target},
			MediaType: mediatype.Parse(mime),
		}
	}
	want := map[schema.HandlerKey]schema.ResolvedHandler{
		anyKey(mediatype.Any):     builtin(schema.BuiltinJSON, mediatype.JSON),
		anyKey(mediatype.JSON):    builtin(schema.BuiltinJSON, mediatype.JSON),
		anyKey(mediatype.GeoJSON): builtin(schema.BuiltinGeoJSON, mediatype.GeoJSON),
		// the anyelement aggregate overrides the builtin CSV handler
		anyKey(mediatype.CSV): {
			Handler:   schema.Handler{Kind: schema.CustomFunc, Function: qi("api", "csv_agg"), AnyElement: true},
			MediaType: mediatype.MediaType{Kind: mediatype.CSV},
		},
		key(qi("api", "projects"), "text/tab-separated-values"): custom(qi("api", "tsv_agg"), qi("api", "projects"), "text/tab-separated-values"),
		// functions returning a media type domain
		key(qi("api", "logo"), "image/png"):                     custom(qi("api", "image/png"), qi("api", "logo"), "image/png"),
		key(qi("api", "anything"), "*/*"):                       custom(qi("api", "*/*"), qi("api", "anything"), "application/octet-stream"),
		key(qi("api", "csv_step"), "text/csv"):                  custom(qi("api", "text/csv"), qi("api", "csv_step"), "text/csv"),
		key(qi("api", "tsv_step"), "text/tab-separated-values"): custom(qi("api", "text/tab-separated-values"), qi("api", "tsv_step"), "text/tab-separated-values"),
	}
	if !reflect.DeepEqual(c.MediaHandlers, want) {
		t.Errorf("MediaHandlers =\n%s\nwant\n%s", jsonString(t, handlerList(c.MediaHandlers)), jsonString(t, handlerList(want)))
	}
}

// handlerList makes a handler map printable (its keys are structs).
func handlerList(m map[schema.HandlerKey]schema.ResolvedHandler) []string {
	var out []string
	for k, v := range m {
		b, _ := json.Marshal(v.Handler)
		out = append(out, k.Target.String()+" "+k.Media.MediaType().Mime()+" -> "+string(b)+" "+v.MediaType.Mime())
	}
	slices.Sort(out)
	return out
}

func TestLoadErrors(t *testing.T) {
	t.Parallel()
	conn := connect(t, "")
	if _, err := schema.Load(t.Context(), conn, schema.Options{}); err == nil {
		t.Error("Load without schemas succeeded")
	}
	_, err := schema.Load(t.Context(), conn, schema.Options{Schemas: []string{"api", "no_such_schema"}})
	if err == nil || !strings.Contains(err.Error(), `schema "no_such_schema" does not exist`) {
		t.Errorf("Load with an unknown schema: err = %v", err)
	}
	// the failed load left the connection usable
	if _, err := schema.Load(t.Context(), conn, defaultOpts); err != nil {
		t.Errorf("Load after a failed load: %v", err)
	}
}

func TestSummary(t *testing.T) {
	t.Parallel()
	c := load(t, defaultOpts)
	const want = "19 Relations, 28 Relationships, 13 RPCs, 3 Domain Representations, 9 Media Type Handlers"
	if got := c.Summary(); got != want {
		t.Errorf("Summary() = %q, want %q", got, want)
	}
}

// TestDump compares the dump of the fixture with testdata/schema.golden.json
// (go test -update rewrites it; review the diff like code) and checks that
// it does not depend on map order.
func TestDump(t *testing.T) {
	t.Parallel()
	c := load(t, defaultOpts)
	var a, b bytes.Buffer
	if err := c.Dump(&a); err != nil {
		t.Fatal(err)
	}
	golden.Check(t, "testdata/schema.golden.json", a.Bytes())
	c2 := load(t, defaultOpts)
	if err := c2.Dump(&b); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a.Bytes(), b.Bytes()) {
		t.Error("two loads of the same database dump differently")
	}
	if !json.Valid(a.Bytes()) {
		t.Error("dump is not valid JSON")
	}
}
