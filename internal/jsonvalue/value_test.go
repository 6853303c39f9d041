package jsonvalue

import (
	"encoding/json"
	"testing"
	"unicode/utf8"
)

func TestParse(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want string // re-encoded; "" when the input must be rejected
	}{
		{`{}`, `{}`},
		{` {"b":1, "a" : [true,false,null]} `, `{"a":[true,false,null],"b":1}`},
		{`{"a":1,"a":2}`, `{"a":2}`},
		{`{"b":1,"a":1,"b":3,"a":null}`, `{"a":null,"b":3}`},
		{`"\u00e9\ud83d\ude00\n\t\"\\\/"`, `"é😀\n\t\"\\/"`},
		{`"\u0000"`, `"\u0000"`},
		{"\"\x7f\"", "\"\x7f\""},
		{`[1,-0,0.5,1E3,1e-3,-1.50e+2]`, `[1,0,0.5,1000,1.0e-3,-150]`},
		{`{"é":1,"z":2,"A":3}`, `{"A":3,"z":2,"é":1}`},
		// Rejected as aeson rejects them.
		{`{"a":1,}`, ""},
		{`[1,]`, ""},
		{`{'a':1}`, ""},
		{`01`, ""},
		{`1.`, ""},
		{`.5`, ""},
		{`+1`, ""},
		{`1e`, ""},
		{`NaN`, ""},
		{`tru`, ""},
		{`nulls`, ""},
		{`{"a":1} x`, ""},
		{"\"a\tb\"", ""},
		{`"\x41"`, ""},
		{`"\ud800"`, ""},
		{`"\udc00\ud800"`, ""},
		{`"\ud800\u0041"`, ""},
		{"\"\xff\"", ""},
		{"\ufeff{}", ""},
		{``, ""},
	} {
		v, ok := Parse(tc.in)
		got := ""
		if ok {
			got = string(Append(nil, &v))
		}
		if got != tc.want {
			t.Errorf("Parse(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestAesonNumber(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"0", "0"},
		{"-0", "0"},
		{"0.0", "0.0"},
		{"-0.0", "0.0"},
		{"0e5", "0"},
		{"0e-5", "0.0"},
		{"10", "10"},
		{"-5", "-5"},
		{"1e2", "100"},
		{"1.0e2", "100"},
		{"1.50e2", "150"},
		{"150.0", "150.0"},
		{"1.0", "1.0"},
		{"1.5", "1.5"},
		{"1.50", "1.5"},
		{"-1.5", "-1.5"},
		{"0.5", "0.5"},
		{"0.05", "5.0e-2"},
		{"0.123", "0.123"},
		{"1234567.5", "1234567.5"},
		{"12345678.5", "1.23456785e7"},
		{"9999999999.0", "9.999999999e9"},
		{"1e1024", "1" + zeros(1024)},
		{"1e1025", "1.0e1025"},
		{"10e1024", "1" + zeros(1025)},
		{"123.456e-789", "1.23456e-787"},
		{"1e-7", "1.0e-7"},
		{"12e-1", "1.2"},
		{"-12e-3", "-1.2e-2"},
	} {
		if got := string(appendAesonNumber(nil, tc.in)); got != tc.want {
			t.Errorf("appendAesonNumber(%s) = %s, want %s", tc.in, got, tc.want)
		}
	}
}

func TestCompare(t *testing.T) {
	for _, tc := range []struct {
		a, b string // JSON texts
		c    int
		ok   bool
	}{
		{`1`, `1.0`, 0, true},
		{`1`, `2e0`, -1, true},
		{`-1.5`, `-2`, 1, true},
		{`"a"`, `"b"`, -1, true},
		{`"é"`, `"z"`, 1, true}, // code point order
		{`"b"`, `"b"`, 0, true},
		{`1`, `"1"`, 0, false},
		{`true`, `true`, 0, false},
		{`null`, `null`, 0, false},
		{`[1]`, `[1]`, 0, false},
	} {
		a, _ := Parse(tc.a)
		b, _ := Parse(tc.b)
		if c, ok := Compare(&a, &b); c != tc.c || ok != tc.ok {
			t.Errorf("Compare(%s, %s) = %d, %v; want %d, %v", tc.a, tc.b, c, ok, tc.c, tc.ok)
		}
	}
}

func zeros(n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = '0'
	}
	return string(b)
}

func TestDecimal(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		cmp  int
	}{
		{"1", "1.0", 0},
		{"100", "1e2", 0},
		{"-0", "0.000", 0},
		{"1", "2", -1},
		{"-1", "-2", 1},
		{"0.15", "0.151", -1},
		{"-0.15", "-0.151", 1},
		{"1e300", "9e299", 1},
		{"-1", "0", -1},
		{"12", "2", 1},
	} {
		a, _ := parseDecimal(tc.a)
		b, _ := parseDecimal(tc.b)
		if got := compareDecimals(a, b); got != tc.cmp {
			t.Errorf("compare(%s, %s) = %d, want %d", tc.a, tc.b, got, tc.cmp)
		}
	}
	for _, tc := range []struct {
		in   string
		want int64
	}{
		{"0", 0},
		{"1700000000", 1700000000},
		{"1.7e9", 1700000000},
		{"17000000000e-1", 1700000000},
		{"1.5", 0},
		{"9223372036854775807", 9223372036854775807},
		{"9223372036854775808", 0},
		{"-9223372036854775808", -9223372036854775808},
		{"-9223372036854775809", 0},
		{"1e19", 0},
		{"1e999999999999999999999", 0},
		{"-5", -5},
	} {
		v := Value{Kind: Number, Text: tc.in}
		if got := v.Int64(); got != tc.want {
			t.Errorf("Int64(%s) = %d, want %d", tc.in, got, tc.want)
		}
	}
}

// FuzzParse checks the parser against encoding/json on what is valid
// (for valid UTF-8, which encoding/json does not insist on) and that what
// it accepts re-encodes to JSON encoding/json accepts.
func FuzzParse(f *testing.F) {
	for _, s := range []string{`{}`, `{"a":[1,2.5e3,"x\u00e9"],"b":null}`, `[1,]`, `"\ud83d\ude00"`, `-0.0e-0`, `{"a":{"a":{}}}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		v, ok := Parse(string(data))
		if !utf8.Valid(data) {
			if ok {
				t.Fatalf("accepted invalid UTF-8 %q", data)
			}
			return
		}
		if std := json.Valid(data); std != ok && !hasLoneSurrogateEscape(data) {
			t.Fatalf("Parse(%q) ok = %v, encoding/json says %v", data, ok, std)
		}
		if ok {
			out := Append(nil, &v)
			if !json.Valid(out) {
				t.Fatalf("re-encoded %q as invalid JSON %q", data, out)
			}
			if _, ok := Parse(string(out)); !ok {
				t.Fatalf("cannot re-parse %q", out)
			}
		}
	})
}

// hasLoneSurrogateEscape reports whether data may hold a \uD800-\uDFFF
// escape, which encoding/json accepts and aeson (so Parse) rejects.
func hasLoneSurrogateEscape(data []byte) bool {
	for i := 0; i+2 < len(data); i++ {
		if data[i] == '\\' && data[i+1] == 'u' && (data[i+2] == 'd' || data[i+2] == 'D') {
			return true
		}
	}
	return false
}
