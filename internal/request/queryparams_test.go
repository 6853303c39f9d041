package request

import (
	"reflect"
	"slices"
	"testing"

	"github.com/restgres/restgres/internal/apierr"
)

func TestParseQuerySelect(t *testing.T) {
	tests := []struct {
		in   string
		want []*SelectItem
	}{
		{"select=id", []*SelectItem{{Kind: SelectField, Field: Field{Name: "id"}}}},
		{"select=", nil},
		{"select=alias:col->a->>b::text", []*SelectItem{{
			Kind: SelectField, Alias: "alias", Cast: "text",
			Field: Field{Name: "col", JSONPath: []JSONOp{{Key: "a"}, {Key: "b", DoubleArrow: true}}},
		}}},
		{"select=data->0->>-1", []*SelectItem{{
			Kind: SelectField, Field: Field{Name: "data", JSONPath: []JSONOp{{Key: "+0", IsIndex: true}, {Key: "-1", IsIndex: true, DoubleArrow: true}}},
		}}},
		{"select=total:amount.sum()::int", []*SelectItem{{
			Kind: SelectField, Alias: "total", Field: Field{Name: "amount"}, Agg: AggSum, AggCast: "int",
		}}},
		{"select=count()", []*SelectItem{{Kind: SelectField, Field: Field{Name: "*"}, Agg: AggCount}}},
		{"select=dir:directors!fk!inner(name)", []*SelectItem{{
			Kind: SelectRelation, Relation: "directors", Alias: "dir", Hint: "fk", Join: JoinInner,
			Children: []*SelectItem{{Kind: SelectField, Field: Field{Name: "name"}}},
		}}},
		{"select=...people(*)", []*SelectItem{{
			Kind: SelectSpread, Relation: "people",
			Children: []*SelectItem{{Kind: SelectField, Field: Field{Name: "*"}}},
		}}},
		{`select="quoted name",dashed-name`, []*SelectItem{
			{Kind: SelectField, Field: Field{Name: "quoted name"}},
			{Kind: SelectField, Field: Field{Name: "dashed-name"}},
		}},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			qp, err := parseQuery(tc.in, false)
			if err != nil {
				t.Fatalf("parseQuery(%q): %v", tc.in, err)
			}
			if !reflect.DeepEqual(qp.Select, tc.want) {
				t.Errorf("parseQuery(%q).Select =\n%s\nwant\n%s", tc.in, dump(qp.Select), dump(tc.want))
			}
		})
	}
}

func dump(items []*SelectItem) string {
	var s string
	for _, it := range items {
		s += reflect.ValueOf(*it).String()
		s += " " + it.Field.Name + "/" + it.Relation + "/" + it.Alias + ";"
	}
	return s
}

func TestParseQueryFilters(t *testing.T) {
	tests := []struct {
		in   string
		want []PathFilter
	}{
		{"id=eq.5", []PathFilter{{Filter: Filter{Field: Field{Name: "id"}, Expr: OpExpr{Op: OpEq, Value: "5"}}}}},
		{"id=not.in.(1,\"a,b\",3)", []PathFilter{{Filter: Filter{Field: Field{Name: "id"}, Expr: OpExpr{Not: true, Op: OpIn, List: []string{"1", "a,b", "3"}}}}}},
		{"a=is.NULL", []PathFilter{{Filter: Filter{Field: Field{Name: "a"}, Expr: OpExpr{Op: OpIs, Is: IsNull}}}}},
		{"t=wfts(english).a b", []PathFilter{{Filter: Filter{Field: Field{Name: "t"}, Expr: OpExpr{Op: OpWFts, Lang: "english", Value: "a b"}}}}},
		{"t=fts.x+y", []PathFilter{{Filter: Filter{Field: Field{Name: "t"}, Expr: OpExpr{Op: OpFts, Value: "x y"}}}}},
		{"id=gt(all).{1,2}", []PathFilter{{Filter: Filter{Field: Field{Name: "id"}, Expr: OpExpr{Op: OpGt, Quant: QuantAll, Value: "{1,2}"}}}}},
		{"clients.projects.id=neq.3", []PathFilter{{Path: []string{"clients", "projects"}, Filter: Filter{Field: Field{Name: "id"}, Expr: OpExpr{Op: OpNeq, Value: "3"}}}}},
		{"d->>a=like.*x*", []PathFilter{{Filter: Filter{Field: Field{Name: "d", JSONPath: []JSONOp{{Key: "a", DoubleArrow: true}}}, Expr: OpExpr{Op: OpLike, Value: "*x*"}}}}},
		{"r=adj.[1,2)", []PathFilter{{Filter: Filter{Field: Field{Name: "r"}, Expr: OpExpr{Op: OpAdjacent, Value: "[1,2)"}}}}},
		{"a=isdistinct.b", []PathFilter{{Filter: Filter{Field: Field{Name: "a"}, Expr: OpExpr{Op: OpIsDistinct, Value: "b"}}}}},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			qp, err := parseQuery(tc.in, false)
			if err != nil {
				t.Fatalf("parseQuery(%q): %v", tc.in, err)
			}
			if !reflect.DeepEqual(qp.Filters, tc.want) {
				t.Errorf("parseQuery(%q).Filters = %+v, want %+v", tc.in, qp.Filters, tc.want)
			}
		})
	}
}

func TestParseQueryOrderLogicRanges(t *testing.T) {
	qp, err := parseQuery("order=a.desc.nullslast,b&clients.order=rel(c).asc&or=(a.eq.1,not.and(b.gt.2,c.is.true))&limit=10&offset=5&clients.limit=2", false)
	if err != nil {
		t.Fatal(err)
	}
	wantOrder := []PathOrder{
		{Terms: []OrderTerm{{Field: Field{Name: "a"}, Direction: OrderDesc, Nulls: NullsLast}, {Field: Field{Name: "b"}}}},
		{Path: []string{"clients"}, Terms: []OrderTerm{{Relation: "rel", Field: Field{Name: "c"}, Direction: OrderAsc}}},
	}
	if !reflect.DeepEqual(qp.Order, wantOrder) {
		t.Errorf("Order = %+v, want %+v", qp.Order, wantOrder)
	}
	wantLogic := []PathLogic{{Tree: LogicTree{IsExpr: true, Or: true, Trees: []LogicTree{
		{Filter: Filter{Field: Field{Name: "a"}, Expr: OpExpr{Op: OpEq, Value: "1"}}},
		{IsExpr: true, Not: true, Trees: []LogicTree{
			{Filter: Filter{Field: Field{Name: "b"}, Expr: OpExpr{Op: OpGt, Value: "2"}}},
			{Filter: Filter{Field: Field{Name: "c"}, Expr: OpExpr{Op: OpIs, Is: IsTrue}}},
		}},
	}}}}
	if !reflect.DeepEqual(qp.Logic, wantLogic) {
		t.Errorf("Logic = %+v, want %+v", qp.Logic, wantLogic)
	}
	wantRanges := map[string]Range{
		"limit":         {Offset: 5, Limit: 10, HasLimit: true},
		"clients.limit": {Limit: 2, HasLimit: true},
	}
	if !reflect.DeepEqual(qp.RangeParams, wantRanges) {
		t.Errorf("RangeParams = %+v, want %+v", qp.RangeParams, wantRanges)
	}
}

func TestParseQueryRPCArguments(t *testing.T) {
	qp, err := parseQuery("a=1&b=eq.2&c=hello", true)
	if err != nil {
		t.Fatal(err)
	}
	wantParams := [][2]string{{"a", "1"}, {"c", "hello"}}
	if !reflect.DeepEqual(qp.Params, wantParams) {
		t.Errorf("Params = %v, want %v", qp.Params, wantParams)
	}
	if len(qp.Filters) != 1 || qp.Filters[0].Filter.Field.Name != "b" {
		t.Errorf("Filters = %+v, want the filter on b", qp.Filters)
	}
	// a value that starts like a filter and then fails is an error
	if _, err := parseQuery("a=not.xyz", true); err == nil {
		t.Error("a=not.xyz parsed, want PGRST100")
	}
}

func TestParseQueryCanonical(t *testing.T) {
	qp, err := parseQuery("b=2&a=1&c=x y&a=3", false)
	if err == nil {
		// the filters do not parse; canonical is computed first anyway
		t.Fatal("want an error for filters without operators")
	}
	qp, err = parseQuery("select=id&b=eq.2&a=eq.1&a=eq.3", false)
	if err != nil {
		t.Fatal(err)
	}
	if want := "a=eq.1,eq.3&b=eq.2&select=id"; qp.Canonical != want {
		t.Errorf("Canonical = %q, want %q", qp.Canonical, want)
	}
}

func TestParseQueryErrorsAre400(t *testing.T) {
	for _, in := range []string{"id=xx.1", "select=a(", "order=a.b.c", "or=(a.eq.1", "columns=", "on_conflict=", "select=a->>--1"} {
		_, err := parseQuery(in, false)
		ae, ok := err.(*apierr.Error)
		if !ok || ae.Status != 400 || ae.Code != "PGRST100" {
			t.Errorf("parseQuery(%q) error = %v, want a PGRST100 400", in, err)
		}
	}
}

func TestPreferences(t *testing.T) {
	p := ParsePreferences([]string{"return=representation, count=exact", "count=planned,tx=rollback, timezone=UTC, max-affected=5, nope"}, true)
	if p.Representation != ReturnRepresentation || p.Count != CountExact || p.Tx != TxRollback ||
		p.Timezone != "UTC" || !p.HasMaxAffected || p.MaxAffected != 5 {
		t.Errorf("ParsePreferences = %+v", p)
	}
	if !reflect.DeepEqual(p.Invalid, []string{"nope"}) {
		t.Errorf("Invalid = %v, want [nope]", p.Invalid)
	}
	if q := ParsePreferences([]string{"tx=commit"}, false); q.Tx != TxDefault {
		t.Errorf("tx= without allow-override = %v, want ignored", q.Tx)
	}
	p.Handling = HandlingStrict
	if got, want := p.Applied(), "return=representation, count=exact, tx=rollback, handling=strict, timezone=UTC, max-affected=5"; got != want {
		t.Errorf("Applied() = %q, want %q", got, want)
	}
}

// TestPreferenceValues: every value a preference takes is understood and
// reported back in Preference-Applied under the same name.
func TestPreferenceValues(t *testing.T) {
	for _, v := range []string{
		"resolution=merge-duplicates", "resolution=ignore-duplicates",
		"missing=default", "missing=null",
		"return=representation", "return=minimal", "return=headers-only",
		"count=exact", "count=planned", "count=estimated",
		"tx=commit", "tx=rollback",
		"handling=strict", "handling=lenient",
	} {
		p := ParsePreferences([]string{v}, true)
		if len(p.Invalid) != 0 {
			t.Errorf("%s: not understood (Invalid = %q)", v, p.Invalid)
		}
		if got := p.Applied(); got != v {
			t.Errorf("%s: Applied() = %q", v, got)
		}
	}
}

func TestScanJSONPayload(t *testing.T) {
	tests := []struct {
		body     string
		keys     []string
		isObject bool
		code     string
	}{
		{`{"b":1,"a":{"x":[1,2]}}`, []string{"a", "b"}, true, ""},
		{` [ {"a":1,"b":"}"} , {"b":null,"a":[{}]} ] `, []string{"a", "b"}, false, ""},
		{`[]`, nil, false, ""},
		{`[{"a":1},{"b":1}]`, nil, false, "PGRST102"},
		{`[{"a":1},2]`, nil, false, "PGRST102"},
		{`{"a":`, nil, false, "PGRST102"},
		{``, nil, false, "PGRST102"},
		{`{"a\u0062":1}`, []string{"ab"}, true, ""},
		{`"just a string"`, nil, false, ""},
		// arrays: each object against the first one's keys
		{`[{"a":1,"a":2},{"a":3}]`, []string{"a"}, false, ""},
		{`[{"b":1,"a":2},{"a":3,"b":4,"a":5},{"b":0,"a":0}]`, []string{"a", "b"}, false, ""},
		{`[{"a":1,"b":2},{"a":1,"a":2}]`, nil, false, "PGRST102"},
		{`[{"a":1},{"a":1,"b":2}]`, nil, false, "PGRST102"},
		{`[{"a":1,"b":2},{"a":1}]`, nil, false, "PGRST102"},
		{`[{"a\u0062":1},{"ab":2},{"\u0061b":3}]`, []string{"ab"}, false, ""},
		{`[{"ab":1},{"a\u0063":2}]`, nil, false, "PGRST102"},
		{`[{},{}]`, []string{}, false, ""},
		{`[{"a":1},{}]`, nil, false, "PGRST102"},
		{`[{},{"a":1}]`, nil, false, "PGRST102"},
		{`[{"a":1},[]]`, nil, false, "PGRST102"},
		{`[1,{"a":1}]`, nil, false, "PGRST102"},
	}
	for _, tc := range tests {
		t.Run(tc.body, func(t *testing.T) {
			p, err := scanJSONPayload([]byte(tc.body))
			if tc.code != "" {
				ae, ok := err.(*apierr.Error)
				if !ok || ae.Code != tc.code {
					t.Fatalf("scanJSONPayload(%q) error = %v, want %s", tc.body, err, tc.code)
				}
				return
			}
			if err != nil {
				t.Fatalf("scanJSONPayload(%q): %v", tc.body, err)
			}
			if !slices.Equal(p.Keys, tc.keys) || p.IsObject != tc.isObject {
				t.Errorf("scanJSONPayload(%q) = keys %v object %v, want %v %v", tc.body, p.Keys, p.IsObject, tc.keys, tc.isObject)
			}
		})
	}
}

func TestCSVToJSON(t *testing.T) {
	raw, keys, err := csvToJSON([]byte("name,age\n\"Doe, J\",NULL\nAnn,3\n"))
	if err != nil {
		t.Fatal(err)
	}
	if want := `[{"name":"Doe, J","age":null},{"name":"Ann","age":"3"}]`; string(raw) != want {
		t.Errorf("csvToJSON = %s, want %s", raw, want)
	}
	if !reflect.DeepEqual(keys, []string{"age", "name"}) {
		t.Errorf("keys = %v", keys)
	}
	if _, _, err := csvToJSON([]byte("a,b\n1\n")); err == nil {
		t.Error("ragged CSV parsed, want an error")
	}
}

// A bulk body's later objects cost no allocation each: their keys are
// matched as bytes (before, every key of every object became a string).
func TestScanJSONPayloadAllocs(t *testing.T) {
	body := []byte("[")
	for i := range 1000 {
		if i > 0 {
			body = append(body, ',')
		}
		body = append(body, `{"id":1,"title":"x","tags":["a"],"meta":{"k":[{"a":1}]}}`...)
	}
	body = append(body, ']')
	allocs := testing.AllocsPerRun(10, func() {
		if _, err := scanJSONPayload(body); err != nil {
			t.Fatal(err)
		}
	})
	// the first object's keys, the matcher and the Payload: a dozen,
	// however many objects follow (a key written with escapes would
	// still be decoded, with allocations, in every object)
	if allocs > 20 {
		t.Errorf("%v allocations for 1000 objects", allocs)
	}
}
