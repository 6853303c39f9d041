package config

import (
	"strings"
	"testing"
)

func TestParseArgs(t *testing.T) {
	tests := []struct {
		args string // space-separated
		want Options
		err  string
	}{
		{"", Options{}, ""},
		{"postgrest.conf", Options{Path: "postgrest.conf"}, ""},
		{"--dump-config x.conf", Options{Path: "x.conf", DumpConfig: true}, ""},
		{"x.conf --dump-config", Options{Path: "x.conf", DumpConfig: true}, ""},
		{"--dump-schema", Options{DumpSchema: true}, ""},
		{"--ready x.conf", Options{Path: "x.conf", Ready: true}, ""},
		{"--help", Options{Help: true}, ""},
		{"-h", Options{Help: true}, ""},
		{"--version", Options{Version: true}, ""},
		{"-v", Options{Version: true}, ""},
		{"--example", Options{Example: true}, ""},
		{"-e", Options{Example: true}, ""},
		{"-ve", Options{Version: true}, ""},
		{"x.conf --version --bogus", Options{Version: true}, ""},
		{"--dump-config --help", Options{Help: true}, ""},
		{"-- --dump-config", Options{Path: "--dump-config"}, ""},
		{"-", Options{Path: "-"}, ""},

		{"--bogus", Options{}, "unknown option --bogus"},
		{"-x", Options{}, "unknown option -x"},
		{"--dump-config=yes", Options{}, "unknown option --dump-config=yes"},
		{"--dump-config --dump-schema", Options{}, "--dump-config and --dump-schema cannot be used together"},
		{"--ready --dump-config", Options{}, "--ready and --dump-config cannot be used together"},
		{"a.conf b.conf", Options{}, "one config file at most, got a.conf b.conf"},
	}
	for _, tc := range tests {
		t.Run(tc.args, func(t *testing.T) {
			got, err := ParseArgs(strings.Fields(tc.args))
			if tc.err != "" {
				if err == nil || err.Error() != tc.err {
					t.Fatalf("ParseArgs(%q) error = %v, want %q", tc.args, err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParseArgs(%q): %v", tc.args, err)
			}
			if got != tc.want {
				t.Errorf("ParseArgs(%q) = %+v, want %+v", tc.args, got, tc.want)
			}
		})
	}
}

func TestUsage(t *testing.T) {
	u := Usage()
	for _, flag := range []string{"--help", "--version", "--example", "--dump-config", "--dump-schema", "--ready", "FILENAME"} {
		if !strings.Contains(u, flag) {
			t.Errorf("Usage() does not mention %s", flag)
		}
	}
}
