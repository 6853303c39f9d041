package server_test

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/restgres/restgres/internal/config"
	"github.com/restgres/restgres/internal/execute"
	"github.com/restgres/restgres/internal/pgtest"
	"github.com/restgres/restgres/internal/schema"
	"github.com/restgres/restgres/internal/server"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

const jwtSecret = "a secret of at least thirty-two characters"

// testServer is a Server on a fresh clone of testdata/openapi.sql,
// connected as oa_authenticator, and a superuser pool on the same
// database for changes made after the schema cache loaded.
type testServer struct {
	*server.Server
	admin *pgxpool.Pool
}

func newTestServer(t *testing.T, mode config.OpenAPIMode) *testServer {
	t.Helper()
	admin, db := pgtest.NewDB(t, "testdata/openapi.sql")
	cfg := &config.Config{
		DBURI:                pgtest.Shared(t).URI(db, "oa_authenticator"),
		DBSchemas:            []string{"api", "Other Schema"},
		DBAnonRole:           "oa_anon",
		DBPreparedStatements: true,
		JWTSecret:            []byte(jwtSecret),
		OpenAPIMode:          mode,
		ServerHost:           "localhost",
		ServerPort:           3000,
		ServerTimingEnabled:  true,
	}
	pc, err := server.PoolConfig(cfg)
	if err != nil {
		t.Fatal(err)
	}
	pool, err := pgxpool.NewWithConfig(t.Context(), pc)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	s, err := server.New(cfg, execute.New(pool, execute.Options{Prepared: cfg.DBPreparedStatements}), slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	conn, err := pool.Acquire(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	sc, err := schema.Load(t.Context(), conn.Conn(), schema.Options{Schemas: cfg.DBSchemas})
	conn.Release()
	if err != nil {
		t.Fatal(err)
	}
	s.SetSchema(sc)
	return &testServer{Server: s, admin: admin}
}

// signed returns an HS256 token for role.
func signed(role string) string {
	enc := base64.RawURLEncoding
	msg := enc.EncodeToString([]byte(`{"alg":"HS256","typ":"JWT"}`)) + "." +
		enc.EncodeToString([]byte(`{"role":"`+role+`"}`))
	mac := hmac.New(sha256.New, []byte(jwtSecret))
	mac.Write([]byte(msg))
	return msg + "." + enc.EncodeToString(mac.Sum(nil))
}

// do serves method / with the headers given as name, value pairs.
func (s *testServer) do(t *testing.T, method string, headers ...string) *httptest.ResponseRecorder {
	t.Helper()
	r := httptest.NewRequestWithContext(t.Context(), method, "/", nil)
	for i := 0; i+1 < len(headers); i += 2 {
		r.Header.Add(headers[i], headers[i+1])
	}
	w := httptest.NewRecorder()
	s.ServeHTTP(w, r)
	return w
}

// document gets / and decodes the document, checking the headers every
// successful GET / has.
func (s *testServer) document(t *testing.T, headers ...string) map[string]any {
	t.Helper()
	w := s.do(t, http.MethodGet, headers...)
	if w.Code != http.StatusOK {
		t.Fatalf("GET / = %d %s, want 200", w.Code, w.Body)
	}
	if got, want := w.Header().Get("Content-Type"), "application/openapi+json; charset=utf-8"; got != want {
		t.Errorf("Content-Type = %q, want %q", got, want)
	}
	if got, want := w.Header().Get("Content-Length"), strconv.Itoa(w.Body.Len()); got != want {
		t.Errorf("Content-Length = %q, want %q", got, want)
	}
	var doc map[string]any
	if err := json.Unmarshal(w.Body.Bytes(), &doc); err != nil {
		t.Fatalf("GET / body is not JSON: %v", err)
	}
	return doc
}

// at returns the value at path inside v, nil when it is absent.
func at(v any, path ...any) any {
	for _, p := range path {
		switch k := p.(type) {
		case string:
			m, _ := v.(map[string]any)
			v = m[k]
		case int:
			a, _ := v.([]any)
			if k >= len(a) {
				return nil
			}
			v = a[k]
		}
	}
	return v
}

// checkPaths checks which paths the document has and lacks.
func checkPaths(t *testing.T, doc map[string]any, has, lacks []string) {
	t.Helper()
	for _, p := range has {
		if at(doc, "paths", p) == nil {
			t.Errorf("paths[%q] missing", p)
		}
	}
	for _, p := range lacks {
		if at(doc, "paths", p) != nil {
			t.Errorf("paths[%q] present, want it left out", p)
		}
	}
}

func checkEqual(t *testing.T, doc map[string]any, want any, path ...any) {
	t.Helper()
	if got := at(doc, path...); !jsonEqual(got, want) {
		t.Errorf("%v = %#v, want %#v", path, got, want)
	}
}

func jsonEqual(a, b any) bool {
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	return string(ja) == string(jb)
}

func TestOpenAPIFollowPrivileges(t *testing.T) {
	t.Parallel()
	s := newTestServer(t, config.OpenAPIFollowPrivileges)

	anon := s.document(t)
	checkPaths(t, anon,
		[]string{"/", "/items", "/rpc/hello", "/rpc/cheer"},
		[]string{"/orders", "/rpc/place_order"})
	checkEqual(t, anon, "Shop API", "info", "title")
	checkEqual(t, anon, "sells things", "info", "description")
	checkEqual(t, anon, "localhost:3000", "host")
	// the verbs come from what the table accepts, not from the grants
	checkEqual(t, anon, []any{"items"}, "paths", "/items", "post", "tags")
	checkEqual(t, anon, "Items", "paths", "/items", "get", "summary")
	checkEqual(t, anon, "for sale", "paths", "/items", "get", "description")
	// the function's parameter types come from the request's search_path
	// (api): unqualified; the column's from the schema cache: qualified
	checkEqual(t, anon, "mood", "paths", "/rpc/cheer", "get", "parameters", 0, "format")
	checkEqual(t, anon, "api.mood", "definitions", "items", "properties", "mood", "format")
	checkEqual(t, anon, []any{"happy", "sad"}, "definitions", "items", "properties", "mood", "enum")
	checkEqual(t, anon, "unnamed", "definitions", "items", "properties", "name", "default")

	user := s.document(t, "Authorization", "Bearer "+signed("oa_user"))
	checkPaths(t, user, []string{"/items", "/orders", "/rpc/hello", "/rpc/place_order"}, nil)
	if at(user, "paths", "/rpc/place_order", "get") != nil {
		t.Error("volatile function place_order has a GET operation")
	}
	checkEqual(t, user, "Note:\nThis is a Foreign Key to `items.id`.<fk table='items' column='id'/>",
		"definitions", "orders", "properties", "item_id", "description")

	// Functions are read when the request comes, tables from the schema
	// cache, as in PostgREST: objects created since the load differ.
	if _, err := s.admin.Exec(t.Context(), `
		CREATE FUNCTION api.late() RETURNS int LANGUAGE sql STABLE AS 'SELECT 1';
		GRANT EXECUTE ON FUNCTION api.late() TO oa_anon;
		CREATE TABLE api.late_table (id int);
		GRANT SELECT ON api.late_table TO oa_anon;
		REVOKE EXECUTE ON FUNCTION api.cheer(api.mood) FROM oa_anon;
		REVOKE SELECT ON api.items FROM oa_anon`); err != nil {
		t.Fatal(err)
	}
	later := s.document(t)
	checkPaths(t, later, []string{"/rpc/late", "/rpc/hello"}, []string{"/late_table", "/rpc/cheer", "/items"})
}

func TestOpenAPIIgnorePrivileges(t *testing.T) {
	t.Parallel()
	s := newTestServer(t, config.OpenAPIIgnorePrivileges)
	doc := s.document(t)
	checkPaths(t, doc, []string{"/", "/items", "/orders", "/rpc/hello", "/rpc/cheer", "/rpc/place_order"}, nil)
	checkEqual(t, doc, "Shop API", "info", "title")
	// parameter types as the schema cache has them: qualified
	checkEqual(t, doc, "api.mood", "paths", "/rpc/cheer", "get", "parameters", 0, "format")
}

func TestOpenAPIProfiles(t *testing.T) {
	t.Parallel()
	for _, mode := range []config.OpenAPIMode{config.OpenAPIFollowPrivileges, config.OpenAPIIgnorePrivileges} {
		t.Run(mode.String(), func(t *testing.T) {
			t.Parallel()
			s := newTestServer(t, mode)
			w := s.do(t, http.MethodGet, "Accept-Profile", "Other Schema")
			if got := w.Header().Get("Content-Profile"); got != "Other Schema" {
				t.Errorf("Content-Profile = %q, want %q", got, "Other Schema")
			}
			var doc map[string]any
			if err := json.Unmarshal(w.Body.Bytes(), &doc); err != nil {
				t.Fatalf("GET / (Other Schema) = %d %s", w.Code, w.Body)
			}
			checkPaths(t, doc, []string{"/notes"}, []string{"/items", "/rpc/hello"})
			// no comment on the schema: PostgREST's title
			checkEqual(t, doc, "PostgREST API", "info", "title")

			// several schemas: the default one is named too
			if got := s.do(t, http.MethodGet).Header().Get("Content-Profile"); got != "api" {
				t.Errorf("Content-Profile without Accept-Profile = %q, want api", got)
			}
		})
	}
}

func TestOpenAPIHead(t *testing.T) {
	t.Parallel()
	s := newTestServer(t, config.OpenAPIFollowPrivileges)
	w := s.do(t, http.MethodHead)
	if w.Code != http.StatusOK || w.Body.Len() != 0 {
		t.Fatalf("HEAD / = %d with %d bytes, want 200 and no body", w.Code, w.Body.Len())
	}
	if got, want := w.Header().Get("Content-Type"), "application/openapi+json; charset=utf-8"; got != want {
		t.Errorf("Content-Type = %q, want %q", got, want)
	}
	if cl, ok := w.Header()["Content-Length"]; ok {
		t.Errorf("HEAD / has Content-Length %q, want none", cl)
	}
	if st := w.Header().Get("Server-Timing"); !strings.Contains(st, "transaction;dur=") {
		t.Errorf("Server-Timing = %q, want a transaction duration", st)
	}
}
