package jsonenc

import (
	"encoding/json"
	"strings"
	"testing"
	"unicode/utf8"
)

// valid is s with every byte that is not part of valid UTF-8 replaced by
// U+FFFD, what AppendString promises to encode.
func valid(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b.WriteRune(utf8.RuneError)
		} else {
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	return b.String()
}

func checkString(t *testing.T, s string) {
	t.Helper()
	out := AppendString([]byte("x"), s)
	if out[0] != 'x' {
		t.Fatalf("AppendString(%q) overwrote the buffer: %q", s, out)
	}
	var got string
	if err := json.Unmarshal(out[1:], &got); err != nil {
		t.Fatalf("AppendString(%q) = %s, not a JSON string: %v", s, out[1:], err)
	}
	if want := valid(s); got != want {
		t.Errorf("AppendString(%q) decodes to %q, want %q", s, got, want)
	}
}

func TestAppendString(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"", `""`},
		{"plain ascii", `"plain ascii"`},
		{`a"b\c`, `"a\"b\\c"`},
		{"tab\tnl\ncr\r\x01\x1f\x7f", `"tab\tnl\ncr\r\u0001\u001f` + "\x7f" + `"`},
		{"héllo €", `"héllo €"`},
		{"bad \xff byte", "\"bad \ufffd byte\""},
	} {
		if got := string(AppendString(nil, tc.in)); got != tc.want {
			t.Errorf("AppendString(%q) = %s, want %s", tc.in, got, tc.want)
		}
		checkString(t, tc.in)
	}
}

func FuzzAppendString(f *testing.F) {
	for _, s := range []string{"", "abc", `"\`, "\x00\n\xff", "é€𝄞", "a\xe2\x82"} {
		f.Add(s)
	}
	f.Fuzz(checkString)
}

// BenchmarkAppendString encodes typical request header values.
func BenchmarkAppendString(b *testing.B) {
	vals := []string{"127.0.0.1:3000", "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko)",
		"application/json", "return=representation", `{"a":"b"}`}
	buf := make([]byte, 0, 512)
	b.ReportAllocs()
	for b.Loop() {
		buf = buf[:0]
		for _, v := range vals {
			buf = AppendString(buf, v)
		}
	}
}
