package openapi

import (
	"bytes"
	"encoding/json"
	"path/filepath"
	"testing"

	"github.com/restgres/restgres/internal/golden"

	"github.com/restgres/restgres/internal/schema"
)

func ptr(s string) *string { return &s }

// sampleCache is a schema cache built by hand: tables and views with keys,
// comments, defaults of several kinds, arrays, json and an enum; functions
// of each volatility, a variadic one, overloads and an unnamed parameter;
// and objects of another schema that must stay out of the document.
func sampleCache() *schema.Cache {
	api := func(name string) schema.QI { return schema.QI{Schema: "api", Name: name} }
	col := func(name, typ string, nullable bool) *schema.Column {
		return &schema.Column{Name: name, Type: typ, NominalType: typ, Nullable: nullable}
	}
	withDefault := func(c *schema.Column, def string) *schema.Column {
		c.Default = &def
		return c
	}
	items := &schema.Table{
		Schema: "api", Name: "items", Description: ptr("Items\n\n\nfor sale"),
		Insertable: true, Updatable: true, Deletable: true, PKCols: []string{"id"},
		Columns: []*schema.Column{
			withDefault(col("id", "integer", false), "nextval('api.items_id_seq'::regclass)"),
			func() *schema.Column {
				c := withDefault(col("name", "text", false), "'unnamed'::text")
				c.Description = ptr("What it is called")
				return c
			}(),
			func() *schema.Column {
				c := withDefault(col("code", "character varying", true), `'a"b'::character varying`)
				c.MaxLen = 10
				return c
			}(),
			withDefault(col("price", "numeric", true), "4.20"),
			withDefault(col("active", "boolean", true), "true"),
			func() *schema.Column {
				c := withDefault(col("mood", "api.mood", true), "'happy'::api.mood")
				c.Enum = []string{"happy", "sad"}
				return c
			}(),
			col("tags", "text[]", true),
			col("extra", "jsonb", true),
			col("docs", "json[]", true),
			withDefault(col("created", "timestamp with time zone", true), "now()"),
		},
	}
	orders := &schema.Table{
		Schema: "api", Name: "orders", Description: ptr("Orders"),
		Insertable: true, PKCols: []string{"id"},
		Columns: []*schema.Column{col("id", "bigint", false), col("item_id", "integer", true), col("note", "text", true)},
	}
	itemsView := &schema.Table{
		Schema: "api", Name: "items_view", IsView: true, PKCols: []string{"id"},
		Columns: []*schema.Column{col("id", "integer", true), col("name", "text", true)},
	}
	orderView := &schema.Table{
		Schema: "api", Name: "order_view", IsView: true, Description: ptr("\nOnly a description"),
		Columns: []*schema.Column{col("id", "bigint", true), col("item_id", "integer", true)},
	}
	profiles := &schema.Table{
		Schema: "api", Name: "profiles", Insertable: true, Updatable: true, Deletable: true,
		PKCols:  []string{"item_id"},
		Columns: []*schema.Column{col("item_id", "integer", false), col("bio", "text", true)},
	}
	empty := &schema.Table{Schema: "api", Name: "empty"}
	hidden := &schema.Table{Schema: "private", Name: "secrets", Columns: []*schema.Column{col("id", "integer", false)}}

	m2o := func(from, to schema.QI, fromCol, toCol string, toView bool) *schema.Relationship {
		return &schema.Relationship{
			Table: from, ForeignTable: to, Cardinality: schema.ManyToOne, Constraint: from.Name + "_fk",
			Columns: []schema.ColumnPair{{Column: fromCol, ForeignColumn: toCol}}, FTableIsView: toView,
		}
	}
	o2o := func(from, to schema.QI, fromCol, toCol string, parent bool) *schema.Relationship {
		return &schema.Relationship{
			Table: from, ForeignTable: to, Cardinality: schema.OneToOne, Constraint: "profiles_fk",
			Columns: []schema.ColumnPair{{Column: fromCol, ForeignColumn: toCol}}, O2OIsParent: parent,
		}
	}
	routine := func(name string, vol schema.Volatility, desc *string, params ...schema.RoutineParam) *schema.Routine {
		return &schema.Routine{
			Schema: "api", Name: name, Description: desc, Params: params, Volatility: vol,
			Return: schema.RetType{Type: schema.QI{Schema: "pg_catalog", Name: "text"}},
		}
	}
	param := func(name, typ string, required bool) schema.RoutineParam {
		return schema.RoutineParam{Name: name, Type: typ, TypeMaxLength: typ, Required: required}
	}
	variadic := param("nums", "integer[]", true)
	variadic.Variadic = true

	sc := &schema.Cache{
		Tables: map[schema.QI]*schema.Table{},
		Relationships: map[schema.RelKey][]*schema.Relationship{
			{Table: api("orders"), ForeignSchema: "api"}: {m2o(api("orders"), api("items"), "item_id", "id", false)},
			// a key that reaches both a view and its table: the table wins
			{Table: api("order_view"), ForeignSchema: "api"}: {
				m2o(api("order_view"), api("items_view"), "item_id", "id", true),
				m2o(api("order_view"), api("items"), "item_id", "id", false),
			},
			{Table: api("profiles"), ForeignSchema: "api"}: {o2o(api("profiles"), api("items"), "item_id", "id", false)},
			{Table: api("items"), ForeignSchema: "api"}: {
				{Table: api("items"), ForeignTable: api("orders"), Cardinality: schema.OneToMany, Constraint: "orders_fk",
					Columns: []schema.ColumnPair{{Column: "id", ForeignColumn: "item_id"}}},
				o2o(api("items"), api("profiles"), "id", "item_id", true),
			},
		},
		Routines: map[schema.QI][]*schema.Routine{
			api("hello"):       {routine("hello", schema.Stable, ptr("Says hello\n\nto someone"), param("name", "text", true))},
			api("sum_all"):     {routine("sum_all", schema.Immutable, nil, variadic)},
			api("place_order"): {routine("place_order", schema.Volatile, nil, param("item", "integer", true), param("qty", "integer", false))},
			api("pick"): {
				routine("pick", schema.Stable, ptr("no arguments")),
				routine("pick", schema.Stable, ptr("one argument"), param("a", "text[]", true)),
			},
			api("body_fn"):                        {routine("body_fn", schema.Stable, nil, param("", "json", true))},
			{Schema: "private", Name: "internal"}: {routine("internal", schema.Stable, nil)},
		},
		Schemas: []string{"api", "private"},
	}
	for _, t := range []*schema.Table{items, orders, itemsView, orderView, profiles, empty, hidden} {
		sc.Tables[t.QI()] = t
	}
	sc.Finish()
	return sc
}

// followAccess is what a role that may use some of sampleCache's objects
// gets back; "gone" has been dropped since the cache loaded.
func followAccess(sc *schema.Cache) *Access {
	api := func(name string) schema.QI { return schema.QI{Schema: "api", Name: name} }
	return &Access{
		Description: ptr("Shop API\nsells things\nto people"),
		Filtered:    true,
		Tables:      []string{"items", "order_view", "orders", "profiles", "gone"},
		Routines: map[schema.QI][]*schema.Routine{
			api("hello"):   sc.Routines[api("hello")],
			api("sum_all"): sc.Routines[api("sum_all")],
			api("pick"):    sc.Routines[api("pick")],
		},
	}
}

var documentCases = []struct {
	name   string
	access func(*schema.Cache) *Access
	opts   Options
}{
	{
		name:   "follow_proxy_security",
		access: followAccess,
		opts: Options{
			SecurityActive: true, ProxyURI: "https://api.example.com/v1", ServerHost: "127.0.0.1", ServerPort: 3000,
			Version: "16.1", DocsVersion: "v16",
		},
	},
	{
		name:   "ignore_privileges",
		access: func(*schema.Cache) *Access { return &Access{} },
		opts:   Options{ServerHost: "*", ServerPort: 3000, Version: "16.1", DocsVersion: "v16"},
	},
}

func TestDocument(t *testing.T) {
	for _, tc := range documentCases {
		t.Run(tc.name, func(t *testing.T) {
			sc := sampleCache()
			doc := Document(sc, "api", tc.access(sc), &tc.opts)
			if again := Document(sc, "api", tc.access(sc), &tc.opts); !bytes.Equal(doc, again) {
				t.Fatal("two documents from the same input differ")
			}
			var indented bytes.Buffer
			if err := json.Indent(&indented, doc, "", "  "); err != nil {
				t.Fatalf("document is not valid JSON: %v\n%s", err, doc)
			}
			indented.WriteByte('\n')
			golden.Check(t, filepath.Join("testdata", tc.name+".golden"), indented.Bytes())
		})
	}
}

func TestDefaultValue(t *testing.T) {
	tests := []struct {
		typ, def string
		want     string // "" when there is none
	}{
		{"integer", "42", "42"},
		{"numeric", "42.2", "42.2"},
		{"boolean", "false", "false"},
		{"integer", "nextval('s'::regclass)", ""},
		{"integer", "'-1'::integer", ""},
		{"date", "'1900-01-01'::date", `"1900-01-01"`},
		{"time without time zone", "'13:00:00'::time without time zone", `"13:00:00"`},
		{"text", "'it''s'::text", `"it''s"`},
		{"text", `'say "hi"'::text`, ""},
		{"text", `'a\nb'::text`, `"a\nb"`},
		{"timestamp with time zone", "now()", `"now()"`},
		{"character varying", "'x'::character varying", `"x"`},
		// a cast to another type is not stripped
		{"text", "'x'::character varying", `"'x'::character varying"`},
		{"jsonb", `'{"a": 1}'::jsonb`, ""},
		{"integer[]", "'{1,2}'::integer[]", ""},
	}
	for _, tc := range tests {
		got, ok := defaultValue(tc.typ, tc.def)
		if string(got) != tc.want || ok != (tc.want != "") {
			t.Errorf("defaultValue(%q, %q) = %s, %v, want %s", tc.typ, tc.def, got, ok, tc.want)
		}
	}
}

func TestServer(t *testing.T) {
	tests := []struct {
		proxy, host      string
		port             int
		scheme, hp, base string
	}{
		{"", "127.0.0.1", 3000, "http", "127.0.0.1:3000", "/"},
		{"", "!4", 3000, "http", "0.0.0.0:3000", "/"},
		{"", "*6", 80, "http", "0.0.0.0:80", "/"},
		{"https://postgrest.com/openapi.json", "x", 1, "https", "postgrest.com:443", "/openapi.json"},
		{"http://example.com", "x", 1, "http", "example.com:80", "/"},
		{"HTTP://example.com:8080/api/", "x", 1, "http", "example.com:8080", "/api/"},
		{"https://[::1]:8443/a%20b", "x", 1, "https", "[::1]:8443", "/a%20b"},
		// malformed: the server's own address
		{"ftp://example.com", "h", 1, "http", "h:1", "/"},
		{"https://example.com?x=1", "h", 1, "http", "h:1", "/"},
		{"https://user@example.com", "h", 1, "http", "h:1", "/"},
		{"https://example.com:99999", "h", 1, "http", "h:1", "/"},
		{"https://example.com:", "h", 1, "http", "h:1", "/"},
		{"/relative", "h", 1, "http", "h:1", "/"},
	}
	for _, tc := range tests {
		scheme, hp, base := server(&Options{ProxyURI: tc.proxy, ServerHost: tc.host, ServerPort: tc.port})
		if scheme != tc.scheme || hp != tc.hp || base != tc.base {
			t.Errorf("server(%q, %q, %d) = %q, %q, %q, want %q, %q, %q",
				tc.proxy, tc.host, tc.port, scheme, hp, base, tc.scheme, tc.hp, tc.base)
		}
	}
}

func TestParseAccess(t *testing.T) {
	a, err := ParseAccess([]byte(`{"description": null}`))
	if err != nil || a.Filtered || a.Description != nil {
		t.Errorf("ParseAccess(description only) = %+v, %v, want unfiltered, no description", a, err)
	}
	a, err = ParseAccess([]byte(`{"tables": ["a", "b"], "routines": [
		{"oid": 1, "schema": "api", "name": "f", "description": "d", "params": [{"name": "x", "type": "integer",
		 "type_max_length": "integer", "required": true, "variadic": false}], "ret_schema": "pg_catalog",
		 "ret_name": "int4", "ret_setof": false, "ret_composite": false, "ret_composite_alias": false,
		 "volatility": "s", "has_variadic": false, "isolation_level": null, "settings": []}],
		"description": "API"}`))
	if err != nil {
		t.Fatal(err)
	}
	f := a.Routines[schema.QI{Schema: "api", Name: "f"}]
	if !a.Filtered || len(a.Tables) != 2 || *a.Description != "API" || len(f) != 1 ||
		f[0].Volatility != schema.Stable || len(f[0].Params) != 1 || !f[0].Params[0].Required {
		t.Errorf("ParseAccess = %+v, routines %+v", a, a.Routines)
	}
	if _, err := ParseAccess([]byte(`{"tables": 1}`)); err == nil {
		t.Error("ParseAccess(tables: 1) succeeded")
	}
}

func BenchmarkDocument(b *testing.B) {
	sc := sampleCache()
	access := followAccess(sc)
	opts := &documentCases[0].opts
	b.ReportAllocs()
	for b.Loop() {
		Document(sc, "api", access, opts)
	}
}
