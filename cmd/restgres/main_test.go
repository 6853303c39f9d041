package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/restgres/restgres/internal/pgtest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

func runCmd(t *testing.T, environ []string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = run(args, environ, &out, &errb)
	return code, out.String(), errb.String()
}

func TestInformationalFlags(t *testing.T) {
	code, out, _ := runCmd(t, nil, "--help")
	if code != 0 || !strings.HasPrefix(out, "Usage: restgres") {
		t.Errorf("--help: %d %q", code, out)
	}
	code, out, _ = runCmd(t, nil, "--version")
	if code != 0 || !strings.HasPrefix(out, "restgres ") {
		t.Errorf("--version: %d %q", code, out)
	}
	code, out, _ = runCmd(t, nil, "--example")
	if code != 0 || !strings.Contains(out, "db-uri") || !strings.Contains(out, "db-schemas") {
		t.Errorf("--example: %d, missing keys", code)
	}
	// the example is itself a valid config file
	path := filepath.Join(t.TempDir(), "example.conf")
	if err := os.WriteFile(path, []byte(out), 0o600); err != nil {
		t.Fatal(err)
	}
	if code, _, errOut := runCmd(t, nil, "--help", path); code != 0 {
		t.Errorf("--help with a file: %d %s", code, errOut)
	}
	code, _, errOut := runCmd(t, nil, "--bogus")
	if code != 1 || !strings.Contains(errOut, "--bogus") {
		t.Errorf("--bogus: %d %q", code, errOut)
	}
}

func TestBadConfigStopsStartup(t *testing.T) {
	path := filepath.Join(t.TempDir(), "bad.conf")
	if err := os.WriteFile(path, []byte("db-uri = \"postgresql://x\"\ndb-shemas = \"api\"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	code, _, errOut := runCmd(t, nil, path)
	if code != 1 || !strings.Contains(errOut, "db-shemas") {
		t.Errorf("unknown key: exit %d, stderr %q; want 1 naming the key", code, errOut)
	}
	code, _, errOut = runCmd(t, []string{"PGRST_DB_POOL=ten"}, "--dump-config")
	if code != 1 || !strings.Contains(errOut, "db-pool") {
		t.Errorf("bad value: exit %d, stderr %q; want 1 naming the key", code, errOut)
	}
}

func TestDumps(t *testing.T) {
	_, db := pgtest.NewDB(t, "testdata/demo.sql")
	env := []string{
		"PGRST_DB_URI=" + pgtest.Shared(t).URI(db, "cmdtest_auth"),
		"PGRST_DB_SCHEMAS=api",
		"PGRST_DB_ANON_ROLE=cmdtest_anon",
	}
	code, out, errOut := runCmd(t, env, "--dump-config")
	if code != 0 || !strings.Contains(out, `db-schemas = "api"`) || !strings.Contains(out, `db-anon-role = "cmdtest_anon"`) {
		t.Errorf("--dump-config: %d %q %s", code, out, errOut)
	}
	code, out, errOut = runCmd(t, env, "--dump-schema")
	if code != 0 {
		t.Fatalf("--dump-schema: %d %s", code, errOut)
	}
	var dump map[string]any
	if err := json.Unmarshal([]byte(out), &dump); err != nil {
		t.Fatalf("--dump-schema is not JSON: %v", err)
	}
	if !strings.Contains(out, `"things"`) {
		t.Errorf("--dump-schema lacks api.things: %s", out)
	}
}
