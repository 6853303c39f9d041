package server_test

import (
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
)

func TestAdminEndpoints(t *testing.T) {
	t.Parallel()
	api := newAPI(t)
	port := freePort(t)
	r := startServer(t, api, "PGRST_ADMIN_SERVER_PORT="+strconv.Itoa(port), "PGRST_ADMIN_SERVER_HOST=127.0.0.1")
	admin := "http://127.0.0.1:" + strconv.Itoa(port)
	get := func(path string) (int, string) {
		t.Helper()
		resp, err := http.Get(admin + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	for _, path := range []string{"/live", "/ready"} {
		if code, _ := get(path); code != http.StatusOK {
			t.Errorf("GET %s = %d, want 200", path, code)
		}
	}
	if code, body := get("/schema_cache"); code != http.StatusOK || !strings.Contains(body, `"films"`) {
		t.Errorf("GET /schema_cache = %d, body lacks api.films", code)
	}
	r.waitStatus(t, "/films?select=id&limit=1", http.StatusOK)
	code, metrics := get("/metrics")
	if code != http.StatusOK {
		t.Fatalf("GET /metrics = %d", code)
	}
	for _, want := range []string{
		`pgrst_schema_cache_loads_total{status="SUCCESS"} 1`,
		`pgrst_schema_cache_loads_total{status="FAIL"} 0`,
		"pgrst_schema_cache_query_time_seconds ",
		"pgrst_db_pool_max 10",
		"pgrst_db_pool_available ",
		"pgrst_db_pool_waiting 0",
		"pgrst_db_pool_timeouts_total 0",
		"pgrst_jwt_cache_requests_total ",
		"go_goroutines ",
	} {
		if !strings.Contains(metrics, want) {
			t.Errorf("/metrics lacks %q", want)
		}
	}
	if code, _ := get("/nope"); code != http.StatusNotFound {
		t.Errorf("GET /nope = %d, want 404", code)
	}
}
