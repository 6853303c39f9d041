package jsonpath

import (
	"strings"
	"testing"

	"github.com/restgres/restgres/internal/jsonvalue"
)

const jpDoc = `{
	"store": {"books": [
		{"title": "Guns", "category": "reference", "price": 24.99, "tags": ["a", "b"]},
		{"title": "Copperfield", "category": "fiction", "price": 12.99},
		{"title": "Moby Dick", "category": "fiction", "price": 8.99, "isbn": "0-553"},
		{"title": "Crime", "category": "fiction", "price": 19.99}
	]},
	"roles": ["other", "author", "admin"],
	"o": {"z": "last", "a": "first", "m": 5},
	"n": [0, 1, 2, 3, 4, 5],
	"mixed": [1, "1", 1.0, true, null, {"k": 1}, [1]],
	"https://x/role": "author",
	"sp ace": "s",
	"é": "accent",
	"realm_access": {"roles": ["author"]},
	"num": 10
}`

// selectCase is a path and what it selects from jpDoc: the JSON of every
// node, in order, joined by spaces ("" for none), or "invalid" when the
// path must not parse.
type selectCase struct{ path, want string }

// checkSelect runs cases through sel, which parses a path and returns what
// it selects from doc (ok false when the path does not parse).
func checkSelect(t *testing.T, cases []selectCase, sel func(path string, doc *jsonvalue.Value) (got []*jsonvalue.Value, ok bool)) {
	t.Helper()
	doc, ok := jsonvalue.Parse(jpDoc)
	if !ok {
		t.Fatal("bad test document")
	}
	for _, tc := range cases {
		t.Run(tc.path, func(t *testing.T) {
			nodes, ok := sel(tc.path, &doc)
			if tc.want == "invalid" {
				if ok {
					t.Fatalf("%q parses, want a failure", tc.path)
				}
				return
			}
			if !ok {
				t.Fatalf("%q does not parse", tc.path)
			}
			var got []string
			for _, n := range nodes {
				got = append(got, string(jsonvalue.Append(nil, n)))
			}
			want := tc.want
			if want == "*" {
				want = string(jsonvalue.Append(nil, &doc))
			}
			if g := strings.Join(got, " "); g != want {
				t.Fatalf("%s = %s, want %s", tc.path, g, want)
			}
		})
	}
}

// TestQuery evaluates RFC 9535 queries, as aeson-jsonpath reads them,
// against jpDoc.
func TestQuery(t *testing.T) {
	checkSelect(t, []selectCase{
		{"$", "*"},
		{"$.roles", `["other","author","admin"]`},
		{"$.roles[0]", `"other"`},
		{"$.roles[-1]", `"admin"`},
		{"$.roles[3]", ``},
		{"$.roles[-4]", ``},
		{"$.realm_access.roles[0]", `"author"`},
		{"$['https://x/role']", `"author"`},
		{`$["https://x/role"]`, `"author"`},
		{"$['sp ace']", `"s"`},
		{"$.é", `"accent"`},
		{`$["\u00e9"]`, `"accent"`},
		{"$.o.*", `"first" 5 "last"`},
		{"$.o[*]", `"first" 5 "last"`},
		{"$.o['z','a']", `"last" "first"`},
		{"$.roles[0, 2]", `"other" "admin"`},
		{"$ .roles [ 1 ]", `"author"`},
		{"$.n[1:3]", `1 2`},
		{"$.n[:2]", `0 1`},
		{"$.n[4:]", `4 5`},
		{"$.n[::2]", `0 2 4`},
		{"$.n[::-1]", `5 4 3 2 1 0`},
		{"$.n[-2:]", `4 5`},
		{"$.n[5:1:-2]", `5 3`},
		{"$.n[1:2:0]", ``},
		{"$.n[1 : 3 : 1]", `1 2`},
		{"$.store.books[?@.price < 10].title", `"Moby Dick"`},
		{"$.store.books[?@.price >= 19.99].title", `"Guns" "Crime"`},
		{"$.store.books[?@.category == 'fiction' && @.price > 15].title", `"Crime"`},
		{"$.store.books[?@.category == 'reference' || @.isbn].title", `"Guns" "Moby Dick"`},
		{"$.store.books[?!@.isbn].title", `"Guns" "Copperfield" "Crime"`},
		{"$.store.books[?!(@.price > 10)].title", `"Moby Dick"`},
		{"$.store.books[?(@.price == 8.99)].title", `"Moby Dick"`},
		{"$.store.books[?@.tags[1] == 'b'].title", `"Guns"`},
		{"$.store.books[?@.tags[-1] == 'b'].title", ``}, // aeson-jsonpath: no negative index in comparisons
		{"$.store.books[?@.price > $.num].title", `"Guns" "Copperfield" "Crime"`},
		{"$.store.books[?@.missing == @.missing2].title", `"Guns" "Copperfield" "Moby Dick" "Crime"`},
		{"$.store.books[?@.missing <= @.missing2].title", `"Guns" "Copperfield" "Moby Dick" "Crime"`},
		{"$.store.books[?@.missing < @.missing2].title", ``},
		{"$.store.books[?search(@.title, 'ck$')].title", `"Moby Dick"`},
		{"$.store.books[?search(@.title, $.roles[0])].title", ``},
		{"$.roles[?search(@, '^a')]", `"author" "admin"`},
		{"$.roles[?search('author', @)]", `"author"`},
		{"$.roles[?search(@, '[')]", ``}, // an invalid pattern matches nothing
		{"$.roles[?search(@, '(')]", ``},
		{"$.realm_access[?search(@.*, 'auth')]", `["author"]`}, // any query is a search() argument,
		{"$.store.books[?search(@.tags.*, 'a')].title", ``},    // but it must select one node
		{"$.roles[?(@ == 'author')]", `"author"`},
		{"$.roles[?@ != 'author']", `"other" "admin"`},
		{"$.roles[?@ > 'author']", `"other"`},
		{"$.mixed[?@ == 1]", `1 1.0`},
		{"$.mixed[?@ == '1']", `"1"`},
		{"$.mixed[?@ == true]", `true`},
		{"$.mixed[?@ == null]", `null`},
		{"$.mixed[?@ == -0]", ``},
		{"$.n[?@ == 1e0]", `1`},
		{"$.n[?@ > 0.5e1]", ``},
		{"$.n[?@ >= 5]", `5`},
		{"$.n[?@ == 005.0]", `5`}, // leading zeros in a decimal
		{"$.n[?@ > 1e400]", ``},
		{"$.mixed[?@.k]", `{"k":1}`},
		{"$.mixed[?@[0]]", `[1]`},
		{"$.o[?@ == 5]", `5`},
		{"$.mixed[?@ == $.mixed[5]]", `{"k":1}`},
		{"$.mixed[?@ == $.mixed[6]]", `[1]`},
		{"$.mixed[?@ != $.mixed[6]]", `1 "1" 1.0 true null {"k":1}`},
		{`$["\b\f\n\r\t\/\\"]`, ``},
		{`$['\u00E9']`, `"accent"`},
		{`$['\uD83D\uDE00']`, ``},
		{"$.roles[?search(@, 1)]", ``},
		{"$.roles[?search((@), 'a')]", ``},
		{"$.roles[?search(search(@, 'a'), 'a')]", ``},
		{"$.roles[?search($.roles[1], $.roles[1])]", `"other" "author" "admin"`},
		{"$..roles", `["other","author","admin"] ["author"]`}, // the root comes first
		{"$..roles[0]", `"other" "author"`},
		{"$.o..*", `"first" 5 "last"`},
		{"$.realm_access..*", `["author"] "author"`},
		{"$..[?@ == 'author']", `"author" "author" "author"`},
		// Not queries aeson-jsonpath accepts.
		{"", "invalid"},
		{"role", "invalid"},
		{".role", "invalid"},
		{"$.", "invalid"},
		{"$..", "invalid"},
		{"$...a", "invalid"},
		{"$.roles[", "invalid"},
		{"$.roles[01]", "invalid"},
		{"$.roles[-0]", "invalid"},
		{"$.roles[9007199254740992]", "invalid"},
		{"$.roles[1:2: ]", "invalid"}, // Parsec commits after the blank
		{"$['a\\'']", ``},
		{"$[\"a\\'\"]", "invalid"},
		{"$['\\u0041']", ``},
		{"$['\\ud800']", "invalid"},
		{"$ ", "invalid"},
		{" $", "invalid"},
		{"$.1a", "invalid"},
		{"$.a-b", "invalid"},
		{"$[?@.a == -1.5]", "invalid"}, // no negative decimals in aeson-jsonpath
		{"$[?length(@) > 1]", "invalid"},
		{"$[?match(@, 'a')]", "invalid"},
		{"$[?search(@, 'a') == true]", "invalid"},
		{"$[?@.a[*] == 1]", "invalid"},
		{"$[?@ == 'a' ]", ``},
		{"$[?@==1e]", "invalid"},
		{`$['\uDE00']`, "invalid"},
		{`$['\uD83D\u0041']`, "invalid"},
		{`$['\x']`, "invalid"},
		{"$['a\x01']", "invalid"}, // a raw control character
		{"$[?search(@, 'a'", "invalid"},
	}, func(path string, doc *jsonvalue.Value) ([]*jsonvalue.Value, bool) {
		q, ok := parseJSONPath(path)
		if !ok {
			return nil, false
		}
		return q.eval(doc, doc), true
	})
}

// TestJSPath evaluates paths in the deprecated syntax against jpDoc.
func TestJSPath(t *testing.T) {
	checkSelect(t, []selectCase{
		{".roles", `["other","author","admin"]`},
		{".roles[1]", `"author"`},
		{".roles[3]", ``},
		{".realm_access.roles[0]", `"author"`},
		{`."https://x/role"`, `"author"`},
		{`."sp ace"`, `"s"`},
		{".é", `"accent"`},
		{`.roles[?(@ == "admin")]`, `"admin"`},
		{`.roles[?(@=="admin")]`, `"admin"`},
		{`.roles[?(@ != "other")]`, `"author"`},
		{`.roles[?(@ ^== "ad")]`, `"admin"`},
		{`.roles[?(@ ==^ "hor")]`, `"author"`},
		{`.roles[?(@ *== "th")]`, `"other"`},
		{`.mixed[?(@ == "1")]`, `"1"`},
		{`.o[?(@ == "first")]`, ``}, // filters apply to arrays only
		{`.roles.x`, ``},
		{`.o[0]`, ``},
		{`.n[18446744073709551617]`, `1`}, // Haskell's read :: Int wraps
		// Invalid.
		{"", "invalid"},
		{"roles", "invalid"},
		{".", "invalid"},
		{".roles[]", "invalid"},
		{".roles[-1]", "invalid"},
		{`.roles[?(@ == "a")].x`, "invalid"},
		{`.roles[?(@ = "a")]`, "invalid"},
		{`.roles[?(@ == 'a')]`, "invalid"},
		{`."unterminated`, "invalid"},
		{".a b", "invalid"},
	}, func(path string, doc *jsonvalue.Value) ([]*jsonvalue.Value, bool) {
		steps, ok := parseJSPath(path)
		if !ok {
			return nil, false
		}
		if v := evalJSPath(steps, doc); v != nil {
			return []*jsonvalue.Value{v}, true
		}
		return nil, true
	})
}
