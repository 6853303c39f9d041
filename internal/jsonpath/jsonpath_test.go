package jsonpath

import (
	"testing"

	"github.com/restgres/restgres/internal/jsonvalue"
)

func parseJSON(t testing.TB, s string) *jsonvalue.Value {
	t.Helper()
	v, ok := jsonvalue.Parse(s)
	if !ok {
		t.Fatalf("bad JSON in the test: %s", s)
	}
	return &v
}

// checkFirst checks that p selects want (JSON; "" for nothing) from claims.
func checkFirst(t *testing.T, p *Path, claims, want string) {
	t.Helper()
	got := p.First(parseJSON(t, claims))
	if want == "" {
		if got != nil {
			t.Errorf("%s.First(%s) = %s, want nothing", p, claims, jsonvalue.Append(nil, got))
		}
		return
	}
	if got == nil {
		t.Fatalf("%s.First(%s) selected nothing, want %s", p, claims, want)
	}
	if !jsonvalue.Equal(got, parseJSON(t, want)) {
		t.Errorf("%s.First(%s) = %s, want %s", p, claims, jsonvalue.Append(nil, got), want)
	}
}

// TestFirst runs RFC 9535 keys from PostgREST's tests and docs, and more,
// against claims.
func TestFirst(t *testing.T) {
	tests := []struct {
		path, claims string
		want         string // JSON of the selected value; "" when nothing is selected
	}{
		// PostgREST's role claim examples (test/io fixtures, docs).
		{"$.role", `{"role":"author"}`, `"author"`},
		{"$.postgrest.a_role", `{"postgrest":{"a_role":"postgrest_test_author"},"other":"claims"}`, `"postgrest_test_author"`},
		{"$.customObject.manyRoles[1]", `{"customObject":{"manyRoles":["other","postgrest_test_author"]}}`, `"postgrest_test_author"`},
		{`$["https://www.example.com/roles"][0].value`, `{"https://www.example.com/roles":[{"value":"postgrest_test_author"}]}`, `"postgrest_test_author"`},
		{`$['https://www.example.com/role'].key`, `{"https://www.example.com/role":{"key":"author"}}`, `"author"`},
		{"$.myDomain[3]", `{"myDomain":["other","postgrest_test_author"]}`, ""},
		{"$.myRole", `{"role":"postgrest_test_author"}`, ""},
		{`$.realm_access.roles[?(@ == "postgrest_test_author")]`, `{"realm_access":{"roles":["other","postgrest_test_author"]}}`, `"postgrest_test_author"`},
		{`$.realm_access.roles[?(@ != "other")]`, `{"realm_access":{"roles":["other","postgrest_test_author"]}}`, `"postgrest_test_author"`},
		{`$.postgrest.roles[?(@ == 'author')]`, `{"postgrest":{"roles":["other","author"]}}`, `"author"`},
		{`$.postgrest.roles[?search(@, '^au')]`, `{"postgrest":{"roles":["other","author"]}}`, `"author"`},
		{`$.roles[?search(@, 'thor$')]`, `{"roles":["other","author"]}`, `"author"`},
		{`$.roles[?search(@, 'a.b')]`, `{"roles":["a\nb","axb"]}`, `"axb"`},
		{"$.aud[0]", `{"aud":["postgrest_test_author"]}`, `"postgrest_test_author"`},
		{"$.aud", `{"aud":"x"}`, `"x"`},

		// RFC 9535 selectors.
		{"$.a[-1]", `{"a":[1,2,3]}`, `3`},
		{"$.a[-4]", `{"a":[1,2,3]}`, ""},
		{"$.a[1:]", `{"a":[1,2,3]}`, `2`},
		{"$.a[::-1]", `{"a":[1,2,3]}`, `3`},
		{"$.a[5:0:-2]", `{"a":[1,2,3,4,5,6,7]}`, `6`},
		{"$.a[1:1]", `{"a":[1,2,3]}`, ""},
		{"$.a[::0]", `{"a":[1,2,3]}`, ""},
		{"$.a[ 0 , 2 ]", `{"a":[1,2,3]}`, `1`},
		{"$.a[2,0]", `{"a":[1,2,3]}`, `3`},
		{"$.*", `{"b":"second","a":"first"}`, `"first"`},
		{"$[*]", `{"b":"second","a":"first"}`, `"first"`},
		{"$.a.*", `{"a":[7,8]}`, `7`},
		{"$..role", `{"x":{"y":{"role":"deep"}}}`, `"deep"`},
		{"$..[0]", `{"x":[["in"],"out"]}`, `["in"]`},
		{"$..*", `{"x":[5]}`, `[5]`},
		{"$['a','b']", `{"b":2}`, `2`},
		{`$["\u0041\"\\"]`, `{"A\"\\":1}`, `1`},
		{"$.é", `{"é":"accent"}`, `"accent"`},
		{"$._x1", `{"_x1":1}`, `1`},
		{"$ .a [0]", `{"a":[9]}`, `9`},
		{"$", `{"a":1}`, `{"a":1}`},

		// Filters.
		{"$.u[?@.admin == true].name", `{"u":[{"name":"a"},{"name":"b","admin":true}]}`, `"b"`},
		{"$.u[?@.admin].name", `{"u":[{"name":"a"},{"name":"b","admin":false}]}`, `"b"`},
		{"$.u[?!@.admin].name", `{"u":[{"name":"a"},{"name":"b","admin":false}]}`, `"a"`},
		{"$.u[?@.n > 1 && @.n <= 3].n", `{"u":[{"n":1},{"n":2},{"n":4}]}`, `2`},
		{"$.u[?@.n < 1 || @.n >= 4].n", `{"u":[{"n":1},{"n":2},{"n":4}]}`, `4`},
		{"$.u[?!(@.n == 1)].n", `{"u":[{"n":1},{"n":2}]}`, `2`},
		{"$.u[?(@.n == 2.0)].n", `{"u":[{"n":1},{"n":2}]}`, `2`},
		{"$.u[?@.n == -0].n", `{"u":[{"n":1},{"n":0}]}`, `0`},
		{"$.u[?@.n == 2e0].n", `{"u":[{"n":1},{"n":2}]}`, `2`},
		{"$.u[?@.v == null].k", `{"u":[{"k":1,"v":0},{"k":2,"v":null}]}`, `2`},
		{"$.u[?@.v == $.want].k", `{"want":"x","u":[{"k":1,"v":"y"},{"k":2,"v":"x"}]}`, `2`},
		{"$.u[?@.missing == @.alsomissing].k", `{"u":[{"k":1}]}`, `1`},
		{"$.u[?@.o == @.p].k", `{"u":[{"k":1,"o":{"a":[1]},"p":{"a":[1.0]}}]}`, `1`},
		{"$.u[?@.s < 'b'].s", `{"u":[{"s":"c"},{"s":"a"}]}`, `"a"`},
		{"$.u[?@.s < 1].s", `{"u":[{"s":"c"},{"s":"a"}]}`, ""},
		{"$.u[?@.b <= true].b", `{"u":[{"b":true}]}`, `true`},
		{"$.u[?@.b < true].b", `{"u":[{"b":true}]}`, ""},
		{"$.u[?@[0] == 'x']", `{"u":[["y"],["x"]]}`, `["x"]`},
		{"$.u[?search(@.r, $.pattern)].r", `{"pattern":"^b","u":[{"r":"abc"},{"r":"bcd"}]}`, `"bcd"`},
		{"$.u[?search(@.r, 'x')].r", `{"u":[{"r":1},{"r":"x"}]}`, `"x"`},
		{"$.u[?@..deep].k", `{"u":[{"k":1},{"k":2,"a":{"deep":0}}]}`, `2`},
	}
	for _, tc := range tests {
		t.Run(tc.path, func(t *testing.T) {
			p, err := Parse(tc.path)
			if err != nil {
				t.Fatalf("Parse(%q): %v", tc.path, err)
			}
			if p.Deprecated() || p.String() != tc.path || p.Equivalent() != tc.path {
				t.Errorf("Parse(%q): deprecated %v, String %q, Equivalent %q", tc.path, p.Deprecated(), p.String(), p.Equivalent())
			}
			checkFirst(t, p, tc.claims, tc.want)
		})
	}
}

// TestEquivalent checks the RFC 9535 query suggested for each deprecated
// path, and that it selects what the deprecated path selects.
func TestEquivalent(t *testing.T) {
	tests := []struct {
		path, equivalent, claims string
		want                     string
	}{
		{".role", "$.role", `{"role":"author"}`, `"author"`},
		{".postgrest.a_role", "$.postgrest.a_role", `{"postgrest":{"a_role":"x"}}`, `"x"`},
		{".customObject.manyRoles[1]", "$.customObject.manyRoles[1]", `{"customObject":{"manyRoles":["other","y"]}}`, `"y"`},
		{`."https://www.example.com/roles"[0].value`, `$['https://www.example.com/roles'][0].value`, `{"https://www.example.com/roles":[{"value":"z"}]}`, `"z"`},
		{".myDomain[3]", "$.myDomain[3]", `{"myDomain":["a"]}`, ""},
		{".a$b.c@d", "$['a$b']['c@d']", `{"a$b":{"c@d":1}}`, `1`},
		{".role", "$.role", `{"role":5}`, `5`},
		{`.realm_access.roles[?(@ == "postgrest_test_author")]`, `$.realm_access.roles[?(@ == 'postgrest_test_author')]`, `{"realm_access":{"roles":["other","postgrest_test_author"]}}`, `"postgrest_test_author"`},
		{`.roles[?(@ != "other")]`, `$.roles[?(@ != 'other' && search(@, ''))]`, `{"roles":["other",7,"me"]}`, `"me"`},
		{`.roles[?(@ ^== "app_")]`, `$.roles[?search(@, '^app_')]`, `{"roles":["x_app_","app_user"]}`, `"app_user"`},
		{`.roles[?(@ ==^ ".admin")]`, `$.roles[?search(@, '\\.admin$')]`, `{"roles":["xadmin","a.admin"]}`, `"a.admin"`},
		{`.roles[?(@*=="min")]`, `$.roles[?search(@, 'min')]`, `{"roles":["user","admin"]}`, `"admin"`},
		{`.roles[?(@ == "x")]`, `$.roles[?(@ == 'x')]`, `{"roles":"x"}`, ""},
		{`[0]`, `$[0]`, `["first"]`, `"first"`},
		// Beyond what config's parser accepted.
		{`."it's \x"`, `$['it\'s \\x']`, `{"it's \\x":1}`, `1`},
		{".a1.é.1a._", "$.a1.é['1a']._", `{"a1":{"é":{"1a":{"_":true}}}}`, `true`},
		{".n[007]", "$.n[7]", `{"n":[0,1,2,3,4,5,6,7]}`, `7`},
		{".n[18446744073709551617]", "$.n[1]", `{"n":[0,1]}`, `1`}, // Haskell's read :: Int wraps
		{".n[9223372036854775808]", "$.n[9007199254740991]", `{"n":[0,1]}`, ""},
		{".n[9007199254740992]", "$.n[9007199254740991]", `{"n":[0,1]}`, ""},
		{`.r[?(@ *== "a(b)")]`, `$.r[?search(@, 'a\\(b\\)')]`, `{"r":["ab","xa(b)"]}`, `"xa(b)"`},
	}
	for _, tc := range tests {
		t.Run(tc.path, func(t *testing.T) {
			p, err := Parse(tc.path)
			if err != nil {
				t.Fatalf("Parse(%q): %v", tc.path, err)
			}
			if !p.Deprecated() || p.String() != tc.path {
				t.Errorf("Parse(%q): deprecated %v, String %q", tc.path, p.Deprecated(), p.String())
			}
			if p.Equivalent() != tc.equivalent {
				t.Errorf("Equivalent() = %q, want %q", p.Equivalent(), tc.equivalent)
			}
			checkFirst(t, p, tc.claims, tc.want)
			q, err := Parse(p.Equivalent())
			if err != nil || q.Deprecated() {
				t.Fatalf("the equivalent %q does not parse as RFC 9535: %v", p.Equivalent(), err)
			}
			checkFirst(t, q, tc.claims, tc.want)
		})
	}
}

// TestParseErrors checks keys that PostgREST rejects, and its message.
func TestParseErrors(t *testing.T) {
	for _, s := range []string{
		// PostgREST's invalid role claim keys (test/io fixtures).
		"$.my_role;;domain", "@@.role.other", "role.other", ".role##", ".my_role;;domain", ".#$$%&$%/", "1234", ".role[?(@ =)]",
		// RFC 9535.
		"", "$.", "$..", "$.1a", "$.a-b", "$[", "$[]", "$['a'", "$['a',]", "$[01]", "$[-0]", "$[1.5]",
		"$[9007199254740992]", "$ ", " $.a", "$.a ", `$["a\x"]`, `$['\"']`, "$['\u0001']", `$["\udc00"]`,
		"$[?@.a == ]", "$[?(@.a]", "$[?@.a === 1]", "$[?@.* == 1]", "$[?@..a == 1]", "$[?@['a','b'] == 1]",
		"$[?1]", "$[?'x']", "$[?true]", "$[?!@.a == 1]", "$[?@.a == 01]", "$[?@.a == 1.]", "$[?@.a == 1e]",
		"$[?length(@) == 1]", "$[?match(@, 'a')]", "$[?search(@)]", "$[?search(@, 'a', 'b')]",
		"$[?search(@, 'a') == true]", "$[?foo]",
		// aeson-jsonpath's limits, where the RFC would accept the key.
		"$[?@.a == -1.5]", "$.roles[1:2: ]", "$[?@ == -0.0]", "$[?@.a[ 0 ] == 1]", "$[?@[ 'a'] == 1]",
		// The deprecated syntax.
		".", `."unclosed`, "[x]", "[1", ".a[?(@ == x)]", `.a[?(@ == "x")].b`, `.a[?(@ == "x")`, ".a[?(x == \"y\")]",
		".a[?(@\u0085== \"x\")]", // Haskell's isSpace is not unicode.IsSpace
	} {
		t.Run(s, func(t *testing.T) {
			p, err := Parse(s)
			if err == nil {
				t.Fatalf("Parse(%q) = %v, want an error", s, p)
			}
			if want := "failed to parse role-claim-key value (" + s + ")"; err.Error() != want {
				t.Errorf("Parse(%q) error = %q, want %q", s, err, want)
			}
		})
	}
}

// FuzzParse checks that no key, valid or not, makes parsing or evaluation
// panic or loop, that every error is PostgREST's, and that the equivalent
// of a deprecated path is an RFC 9535 query.
func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"$.role", "$..a[?@.b == 'x' && search(@.c, '^a')]", "$.a[1:-1:2]", ".a.b[0]", `.r[?(@ ^== "x")]`, "$['\\u00e9']",
		`$.a[?(@ == "x")]`, "$..a[1:2:-1]", `$[?search(@.r, '^a') && !(@.n < 2)]`, `.a."b"[0][?(@ *== "x")]`,
		`$['a\u00e9']`, "$.a[?@.b == $.c]",
	} {
		f.Add(s)
	}
	docs := []*jsonvalue.Value{
		parseJSON(f, jpDoc),
		parseJSON(f, `{"role":"r","a":[{"b":1,"c":"x"},["y",2.5,null,true]],"r":{"n":{"role":"deep"}}}`),
	}
	f.Fuzz(func(t *testing.T, key string) {
		p, err := Parse(key)
		if err != nil {
			if want := "failed to parse role-claim-key value (" + key + ")"; err.Error() != want {
				t.Fatalf("Parse(%q) error = %q, want %q", key, err, want)
			}
			return
		}
		for _, doc := range docs {
			p.First(doc)
			if p.query != nil {
				p.query.eval(doc, doc)
			}
		}
		if !p.Deprecated() {
			if p.Equivalent() != key {
				t.Fatalf("Equivalent of %q = %q", key, p.Equivalent())
			}
			return
		}
		if q, err := Parse(p.Equivalent()); err != nil || q.Deprecated() {
			t.Fatalf("the equivalent of %q, %q, is no RFC 9535 query: %v", key, p.Equivalent(), err)
		}
	})
}
