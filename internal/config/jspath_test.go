package config

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

func decodeJSON(t testing.TB, s string) any {
	t.Helper()
	var v any
	if err := json.Unmarshal([]byte(s), &v); err != nil {
		t.Fatalf("decoding %s: %v", s, err)
	}
	return v
}

func TestJSPathEval(t *testing.T) {
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
			p, err := ParseJSPath(tc.path)
			if err != nil {
				t.Fatalf("ParseJSPath(%q): %v", tc.path, err)
			}
			if p.Deprecated() || p.String() != tc.path || p.Equivalent() != tc.path {
				t.Errorf("ParseJSPath(%q): deprecated %v, String %q, Equivalent %q", tc.path, p.Deprecated(), p.String(), p.Equivalent())
			}
			checkEval(t, p, tc.claims, tc.want)
		})
	}
}

func checkEval(t *testing.T, p *JSPath, claims, want string) {
	t.Helper()
	got, ok := p.Eval(decodeJSON(t, claims))
	if want == "" {
		if ok {
			t.Errorf("Eval(%s) = %v, want nothing", claims, got)
		}
		return
	}
	if !ok {
		t.Fatalf("Eval(%s) selected nothing, want %s", claims, want)
	}
	if w := decodeJSON(t, want); !reflect.DeepEqual(got, w) {
		t.Errorf("Eval(%s) = %#v, want %#v", claims, got, w)
	}
}

func TestJSPathDeprecated(t *testing.T) {
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
	}
	for _, tc := range tests {
		t.Run(tc.path, func(t *testing.T) {
			p, err := ParseJSPath(tc.path)
			if err != nil {
				t.Fatalf("ParseJSPath(%q): %v", tc.path, err)
			}
			if !p.Deprecated() {
				t.Errorf("ParseJSPath(%q) is not deprecated", tc.path)
			}
			if p.Equivalent() != tc.equivalent {
				t.Errorf("Equivalent() = %q, want %q", p.Equivalent(), tc.equivalent)
			}
			checkEval(t, p, tc.claims, tc.want)
			// The suggested replacement selects the same value.
			q, err := ParseJSPath(p.Equivalent())
			if err != nil {
				t.Fatalf("the equivalent %q does not parse: %v", p.Equivalent(), err)
			}
			checkEval(t, q, tc.claims, tc.want)
		})
	}
}

func TestJSPathInvalid(t *testing.T) {
	for _, s := range []string{
		// PostgREST's invalid role claim keys (test/io fixtures).
		"$.my_role;;domain", "@@.role.other", "role.other", ".role##", ".my_role;;domain", ".#$$%&$%/", "1234", ".role[?(@ =)]",
		// RFC 9535.
		"", "$.", "$..", "$.1a", "$.a-b", "$[", "$[]", "$['a'", "$['a',]", "$[01]", "$[-0]", "$[1.5]",
		"$[9007199254740992]", "$ ", " $.a", "$.a ", `$["a\x"]`, `$['\"']`, "$['\u0001']", `$["\udc00"]`,
		"$[?@.a == ]", "$[?(@.a]", "$[?@.a === 1]", "$[?@.* == 1]", "$[?@..a == 1]", "$[?@['a','b'] == 1]",
		"$[?1]", "$[?'x']", "$[?true]", "$[?!@.a == 1]", "$[?@.a == 01]", "$[?@.a == 1.]", "$[?@.a == 1e]",
		"$[?length(@) == 1]", "$[?match(@, 'a')]", "$[?search(@)]", "$[?search(@, 'a', 'b')]", "$[?search(@, '(')]",
		"$[?search(@, 'a') == true]", "$[?search(@.*, 'a')]", "$[?foo]",
		// The deprecated syntax.
		".", `."unclosed`, "[x]", "[1", ".a[?(@ == x)]", `.a[?(@ == "x")].b`, `.a[?(@ == "x")`, ".a[?(x == \"y\")]",
	} {
		t.Run(s, func(t *testing.T) {
			p, err := ParseJSPath(s)
			if err == nil {
				t.Fatalf("ParseJSPath(%q) = %+v, want an error", s, p)
			}
			if !strings.HasPrefix(err.Error(), "failed to parse role-claim-key value ("+s+")") {
				t.Errorf("error %q does not say what PostgREST says", err)
			}
		})
	}
}

// FuzzParseJSPath checks that parsing and evaluating never panic, and
// that a deprecated path's equivalent parses.
func FuzzParseJSPath(f *testing.F) {
	for _, s := range []string{
		"$.role", `$.a[?(@ == "x")]`, "$..a[1:2:-1]", `$[?search(@.r, '^a') && !(@.n < 2)]`, `.a."b"[0][?(@ *== "x")]`,
		`$['a\u00e9']`, "$.a[?@.b == $.c]",
	} {
		f.Add(s)
	}
	claims := decodeJSON(f, `{"role":"r","a":[{"b":1,"c":"x"},["y",2.5,null,true]],"r":{"n":{"role":"deep"}}}`)
	f.Fuzz(func(t *testing.T, s string) {
		p, err := ParseJSPath(s)
		if err != nil {
			return
		}
		p.Eval(claims)
		if p.Deprecated() {
			if _, err := ParseJSPath(p.Equivalent()); err != nil {
				t.Fatalf("equivalent of %q = %q does not parse: %v", s, p.Equivalent(), err)
			}
		}
	})
}
