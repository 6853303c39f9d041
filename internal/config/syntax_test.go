package config

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// writeFile writes content to name in dir and returns its path.
func writeFile(t testing.TB, dir, name, content string) string {
	t.Helper()
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// bindings renders parsed bindings as "key=kind:text" lines, sorted.
func bindings(m map[string]fileValue) string {
	kinds := []string{"str", "num", "bool", "list"}
	var lines []string
	for k, v := range m {
		lines = append(lines, k+"="+kinds[v.kind]+":"+v.text)
	}
	sort.Strings(lines)
	return strings.Join(lines, "\n")
}

func TestParseFile(t *testing.T) {
	env := map[string]string{"HOME": "/home/me", "EMPTY": "", "DOLLAR": "a$b"}
	tests := []struct {
		name, in string
		want     string // bindings(...) output; "" with err set
		err      string // substring of the error, "" when it parses
	}{
		{"empty", "", "", ""},
		{"comments and blanks", "# only a comment\n\n   \t\n# another\n", "", ""},
		{"string", `a = "x"`, "a=str:x", ""},
		{"spaces around =", "a   =\t\"x\"  # trailing comment", "a=str:x", ""},
		{"value on the next line", "a =\n  \"x\"", "a=str:x", ""},
		{"CRLF line ends", "a = 1\r\nb = 2\r\n", "a=num:1\nb=num:2", ""},
		{"escapes", `a = "q\" b\\ n\n t\t r\r"`, "a=str:q\" b\\ n\n t\t r\r", ""},
		{"unicode escape", `a = "\u00e9\u20ac"`, "a=str:é€", ""},
		{"surrogate pair", `a = "\ud83d\ude00"`, "a=str:😀", ""},
		{"raw UTF-8", "a = \"تست\" # commènt", "a=str:تست", ""},
		{"string over lines", "a = \"one\ntwo\"", "a=str:one\ntwo", ""},
		{"hash inside string", `a = "x # not a comment"`, "a=str:x # not a comment", ""},
		{"numbers", "a = 10\nb = -5\nc = 1.5\nd = 1e3\ne = +7", "a=num:10\nb=num:-5\nc=num:1.5\nd=num:1e3\ne=num:+7", ""},
		{"booleans", "a = true\nb = false\nc = on\nd = off", "a=bool:true\nb=bool:false\nc=bool:true\nd=bool:false", ""},
		{"list", `a = [1, "x", [true]]`, `a=list:[1, "x", [true]]`, ""},
		{"empty list", `a = []`, `a=list:[]`, ""},
		{"dotted key", `app.settings.jwt_secret = "s"`, "app.settings.jwt_secret=str:s", ""},
		{"dashes and digits", `db-pool2-x = 1`, "db-pool2-x=num:1", ""},
		{"digit after dot", `app.settings.2fa = "y"`, "app.settings.2fa=str:y", ""},
		{"group", "app {\n settings {\n  a = \"1\"\n }\n b = 2\n}", "app.b=num:2\napp.settings.a=str:1", ""},
		{"group on one line", `app { settings { a = "1" } }`, "app.settings.a=str:1", ""},
		{"last binding wins", "a = 1\na = 2", "a=num:2", ""},
		{"directive comment", "#; a = 1\nb = 2", "b=num:2", ""},
		{"directive comment on a group", "#; g { a = 1 }\nb = 2", "b=num:2", ""},
		{"interpolate env", `a = "$(HOME)/x"`, "a=str:/home/me/x", ""},
		{"interpolate empty env", `a = "<$(EMPTY)>"`, "a=str:<>", ""},
		{"env value not re-interpolated", `a = "$(DOLLAR)"`, "a=str:a$b", ""},
		{"interpolate earlier binding", "base = \"/srv\"\na = \"$(base)/x\"", "a=str:/srv/x\nbase=str:/srv", ""},
		{"interpolate number", "n = 8\na = \"p$(n)\"", "a=str:p8\nn=num:8", ""},
		{"interpolate number 1e3", "n = 1e3\na = \"$(n)\"", "a=str:1000\nn=num:1e3", ""},
		{"interpolate in group scope", "x = \"top\"\ng { x = \"in\"\n a = \"$(x)\" }\nb = \"$(x)\"", "b=str:top\ng.a=str:in\ng.x=str:in\nx=str:top", ""},
		{"binding shadows env", "HOME = \"/mine\"\na = \"$(HOME)\"", "HOME=str:/mine\na=str:/mine", ""},
		{"dollar dollar", `a = "$$.role and $$$$"`, "a=str:$.role and $$", ""},
		{"key named important", `important = 1`, "important=num:1", ""},

		{"missing value", "a =", "", "line 1: a: missing value"},
		{"missing =", "a \"x\"", "", `line 1: expected = after "a"`},
		{"bare word", "db-pool = ten", "", `line 1: db-pool: a value must be a "quoted string", a number, true/false/on/off or a [list], not "ten"`},
		{"two settings on a line", `a = 1 b = 2`, "", "line 1: unexpected 'b' after the value"},
		{"trailing garbage after true", "a = trueish", "", "line 1: unexpected 'i'"},
		{"unclosed string", "a = 1\nb = \"x\n\n", "", `line 2: b: string not closed`},
		{"unknown escape", `a = "\q"`, "", `line 1: a: unknown escape \q`},
		{"short unicode escape", `a = "\u12"`, "", `\u needs four hex digits`},
		{"lone low surrogate", `a = "\udc00"`, "", "invalid UTF-16 surrogate"},
		{"high surrogate alone", `a = "\ud800x"`, "", "invalid UTF-16 surrogate"},
		{"lone dollar", `a = "cost: 5$"`, "", "a lone $ in a string"},
		{"dollar escape", `a = "\$"`, "", `unknown escape \$`},
		{"unclosed interpolation", `a = "$(HOME"`, "", "not closed"},
		{"empty interpolation", `a = "$()"`, "", "empty interpolation"},
		{"unknown variable", `a = "$(NOPE_NOT_SET)"`, "", "$(NOPE_NOT_SET): no such setting or environment variable"},
		{"interpolate boolean", "b = true\na = \"$(b)\"", "", "$(b): b is not a string or a number"},
		{"key starting with digit", `1a = 1`, "", "a key must start with a letter"},
		{"key starting with dash", `-a = 1`, "", "a key must start with a letter"},
		{"key ending with dot", `a. = 1`, "", `key "a." must not end with a dot`},
		{"double dot", `a..b = 1`, "", "empty word in key"},
		{"import as key", `import = 1`, "", "import is a reserved word"},
		{"unclosed group", "g {\n a = 1\n", "", "missing } at the end of the file"},
		{"unclosed list", `a = [1, 2`, "", "expected , or ] in the list"},
		{"stray brace", "}", "", `expected a key, found '}'`},
		{"malformed number", "a = -x", "", "malformed number"},
		{"number then dot", "a = 1.", "", "unexpected '.'"},
		{"bad directive comment", "#; 5", "", "a key must start with a letter"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			path := writeFile(t, t.TempDir(), "x.conf", tc.in)
			got, err := parseFile(path, env)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("parseFile(%q) error = %v, want it to contain %q", tc.in, err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatalf("parseFile(%q): %v", tc.in, err)
			}
			if s := bindings(got); s != tc.want {
				t.Errorf("parseFile(%q) =\n%s\nwant\n%s", tc.in, s, tc.want)
			}
		})
	}
}

func TestParseFileLines(t *testing.T) {
	path := writeFile(t, t.TempDir(), "x.conf", "# one\n\na = 1\n\n\nb = \"x\ny\"\nc = 3\n")
	got, err := parseFile(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	for key, want := range map[string]string{"a": "line 3", "b": "line 6", "c": "line 8"} {
		if got[key].where != want {
			t.Errorf("%s is at %q, want %q", key, got[key].where, want)
		}
	}
}

func TestParseFileImport(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "secrets.conf", "jwt_secret = \"from import\"\nbad = \n")
	writeFile(t, dir, "ok.conf", "jwt_secret = \"from import\"\n")
	main := writeFile(t, dir, "main.conf", "db-pool = 3\napp { settings { import \"ok.conf\" } }\n")
	got, err := parseFile(main, nil)
	if err != nil {
		t.Fatal(err)
	}
	if s := bindings(got); s != "app.settings.jwt_secret=str:from import\ndb-pool=num:3" {
		t.Errorf("bindings = %s", s)
	}
	if w := got["app.settings.jwt_secret"].where; w != filepath.Join(dir, "ok.conf")+" line 1" {
		t.Errorf("where = %q", w)
	}

	bad := writeFile(t, dir, "bad.conf", "import \"secrets.conf\"\n")
	if _, err := parseFile(bad, nil); err == nil || !strings.Contains(err.Error(), "secrets.conf line 2: bad: missing value") {
		t.Errorf("error in an imported file = %v", err)
	}
	cycle := writeFile(t, dir, "cycle.conf", "import \"cycle.conf\"\n")
	if _, err := parseFile(cycle, nil); err == nil || !strings.Contains(err.Error(), "imports itself") {
		t.Errorf("import cycle: %v", err)
	}
	// Two imports of a file that imports itself twice would read 2^depth
	// files without the cycle check.
	twice := writeFile(t, dir, "twice.conf", "import \"twice.conf\"\nimport \"twice.conf\"\n")
	if _, err := parseFile(twice, nil); err == nil || !strings.Contains(err.Error(), "imports itself") {
		t.Errorf("double import cycle: %v", err)
	}
	deep := ""
	for i := 0; i <= maxImportDepth+1; i++ {
		writeFile(t, dir, fmt.Sprintf("d%d.conf", i), fmt.Sprintf("import \"d%d.conf\"\n", i+1))
		deep = filepath.Join(dir, "d0.conf")
	}
	if _, err := parseFile(deep, nil); err == nil || !strings.Contains(err.Error(), "nested deeper") {
		t.Errorf("deep imports: %v", err)
	}
	missing := writeFile(t, dir, "missing.conf", "import \"nope.conf\"\n")
	if _, err := parseFile(missing, nil); err == nil || !strings.Contains(err.Error(), "nope.conf") {
		t.Errorf("missing import: %v", err)
	}
}

func TestParseFileNotUTF8(t *testing.T) {
	path := writeFile(t, t.TempDir(), "x.conf", "a = \"\xff\"\n")
	if _, err := parseFile(path, nil); err == nil || !strings.Contains(err.Error(), "not valid UTF-8") {
		t.Errorf("error = %v", err)
	}
}

// FuzzParseFile checks that no input makes the parser panic or loop.
func FuzzParseFile(f *testing.F) {
	for _, s := range []string{
		"a = 1", `a = "x\u00e9$(HOME)$$"`, "g { a = [1, \"2\"] }", "#; a = 1\nb = on",
		"a = \"\\ud83d\\ude00\"", "import \"x\"", "a.b.c = -1.5e3", "a = \"", "a = [", "g {",
	} {
		f.Add(s)
	}
	path := filepath.Join(f.TempDir(), "fuzz.conf") // no such file: imports of it fail
	f.Fuzz(func(t *testing.T, s string) {
		m := map[string]fileValue{}
		seq := 0
		if err := parseText(s, path, "", "", map[string]string{"HOME": "/h"}, m, []string{path}, &seq); err == nil {
			for k := range m {
				if k == "" {
					t.Fatalf("empty key from %q", s)
				}
			}
		}
	})
}
