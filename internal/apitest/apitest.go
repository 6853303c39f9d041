// Package apitest runs end-to-end HTTP tests: a real restgres handler on a
// database cloned from a fixture in the throwaway cluster of internal/pgtest.
// Tests send requests through httptest and assert status, headers and body.
// Nothing here mocks the database or the handler.
//
// A test binary calls pgtest.Main from TestMain; then:
//
//	api := apitest.New(t, apitest.Fixture("testdata/fixture.sql"), apitest.Env("PGRST_DB_MAX_ROWS", "2"))
//	res := api.Get(t, "/films?id=eq.1")
//	res.Status(t, 200)
//	res.JSON(t, `[{"id":1}]`)
package apitest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"reflect"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/restgres/restgres/internal/config"
	"github.com/restgres/restgres/internal/pgtest"
	"github.com/restgres/restgres/internal/server"
)

// Authenticator is the login role fixtures must create (LOGIN NOINHERIT)
// and grant the roles requests switch to; AnonRole is the default
// db-anon-role; Secret the default jwt-secret.
const (
	Authenticator = "restgres_test_authenticator"
	AnonRole      = "restgres_test_anon"
	Secret        = "reallyreallyreallyreallyverysafe"
)

// Option configures New.
type Option func(*options)

type options struct {
	fixtures []string
	env      map[string]string
	through  func(uri string) string
}

// Fixture adds SQL files loaded (in order, by psql as the superuser) into
// the template the test database is cloned from.
func Fixture(files ...string) Option {
	return func(o *options) { o.fixtures = append(o.fixtures, files...) }
}

// Env sets a PGRST_* variable (or overrides a default) for the server.
func Env(name, value string) Option {
	return func(o *options) { o.env[name] = value }
}

// Through makes the server reach PostgreSQL at wrap(uri) instead of uri,
// the connection string New would use: a test can put a proxy in between
// to see the wire traffic. It has no effect when PGRST_DB_URI is set.
func Through(wrap func(uri string) string) Option {
	return func(o *options) { o.through = wrap }
}

// API is a running handler on a test database.
type API struct {
	Handler http.Handler
	App     *server.App
	// Admin is a superuser pool on the test database, to prepare or check
	// data behind the API's back.
	Admin *pgxpool.Pool
	// DB is the test database's name.
	DB string
}

// New starts a handler on a fresh clone of the fixtures. The defaults are
// db-schemas "api", db-anon-role AnonRole, jwt-secret Secret, connecting as
// Authenticator; Env overrides them.
func New(t testing.TB, opts ...Option) *API {
	t.Helper()
	o := &options{env: map[string]string{
		"PGRST_DB_SCHEMAS":         "api",
		"PGRST_DB_ANON_ROLE":       AnonRole,
		"PGRST_JWT_SECRET":         Secret,
		"PGRST_DB_POOL":            "4",
		"PGRST_DB_CHANNEL_ENABLED": "false",
		"PGRST_LOG_LEVEL":          "crit",
	}}
	for _, opt := range opts {
		opt(o)
	}
	admin, db := pgtest.NewDB(t, o.fixtures...)
	if _, ok := o.env["PGRST_DB_URI"]; !ok {
		uri := pgtest.Shared(t).URI(db, Authenticator)
		if o.through != nil {
			uri = o.through(uri)
		}
		o.env["PGRST_DB_URI"] = uri
	}
	environ := make([]string, 0, len(o.env))
	for k, v := range o.env {
		environ = append(environ, k+"="+v)
	}
	cfg, err := config.Load("", environ)
	if err != nil {
		t.Fatalf("apitest: config: %v", err)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	app, err := server.NewApp(cfg, log)
	if err != nil {
		t.Fatalf("apitest: %v", err)
	}
	t.Cleanup(app.Close)
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	c, err := server.WithDatabaseConfig(ctx, app.Pool, cfg)
	if err != nil {
		t.Fatalf("apitest: %v", err)
	}
	if err := app.Server.SetConfig(c); err != nil {
		t.Fatalf("apitest: %v", err)
	}
	if err := app.LoadSchema(ctx); err != nil {
		t.Fatalf("apitest: schema cache: %v", err)
	}
	return &API{Handler: app.Server, App: app, Admin: admin, DB: db}
}

// Request is a request to send: headers as name, value pairs.
type Request struct {
	Method  string
	Path    string
	Body    string
	Headers []string
}

// Do sends req through the handler.
func (a *API) Do(t testing.TB, req Request) *Response {
	t.Helper()
	var body io.Reader
	if req.Body != "" {
		body = strings.NewReader(req.Body)
	}
	r := httptest.NewRequestWithContext(t.Context(), req.Method, escapePath(req.Path), body)
	if len(req.Headers)%2 != 0 {
		t.Fatalf("apitest: odd number of header strings %q", req.Headers)
	}
	for i := 0; i < len(req.Headers); i += 2 {
		r.Header.Add(req.Headers[i], req.Headers[i+1])
	}
	w := httptest.NewRecorder()
	a.Handler.ServeHTTP(w, r)
	return &Response{Code: w.Code, Header: w.Header(), Body: w.Body.Bytes(), req: req}
}

// Get sends a GET with optional header pairs.
func (a *API) Get(t testing.TB, path string, headers ...string) *Response {
	t.Helper()
	return a.Do(t, Request{Method: http.MethodGet, Path: path, Headers: headers})
}

// Post sends a POST with a body and optional header pairs.
func (a *API) Post(t testing.TB, path, body string, headers ...string) *Response {
	t.Helper()
	return a.Do(t, Request{Method: http.MethodPost, Path: path, Body: body, Headers: headers})
}

// Response is what the handler answered.
type Response struct {
	Code   int
	Header http.Header
	Body   []byte
	req    Request
}

func (r *Response) describe() string {
	return fmt.Sprintf("%s %s -> %d %s", r.req.Method, r.req.Path, r.Code, r.Body)
}

// Status asserts the status code.
func (r *Response) Status(t testing.TB, want int) *Response {
	t.Helper()
	if r.Code != want {
		t.Errorf("status %d, want %d: %s", r.Code, want, r.describe())
	}
	return r
}

// HeaderIs asserts a header value ("" asserts absence).
func (r *Response) HeaderIs(t testing.TB, name, want string) *Response {
	t.Helper()
	got, present := r.Header[http.CanonicalHeaderKey(name)]
	switch {
	case want == "" && present:
		t.Errorf("header %s = %q, want it absent: %s", name, got, r.describe())
	case want != "" && (!present || len(got) == 0 || got[0] != want):
		t.Errorf("header %s = %q, want %q: %s", name, got, want, r.describe())
	}
	return r
}

// JSON asserts that the body is the JSON value want (object key order does
// not matter, array order does).
func (r *Response) JSON(t testing.TB, want string) *Response {
	t.Helper()
	var g, w any
	if err := json.Unmarshal(r.Body, &g); err != nil {
		t.Errorf("body is not JSON (%v): %s", err, r.describe())
		return r
	}
	if err := json.Unmarshal([]byte(want), &w); err != nil {
		t.Fatalf("apitest: expected value is not JSON: %v", err)
	}
	if !reflect.DeepEqual(g, w) {
		t.Errorf("body = %s\nwant   %s\n(%s %s)", r.Body, want, r.req.Method, r.req.Path)
	}
	return r
}

// BodyIs asserts the exact body bytes.
func (r *Response) BodyIs(t testing.TB, want string) *Response {
	t.Helper()
	if !bytes.Equal(r.Body, []byte(want)) {
		t.Errorf("body = %q, want %q (%s %s)", r.Body, want, r.req.Method, r.req.Path)
	}
	return r
}

// Error asserts a PostgREST-style error: status, code, and that the body
// has exactly code/message/details/hint.
func (r *Response) Error(t testing.TB, status int, code string) *Response {
	t.Helper()
	r.Status(t, status)
	var body map[string]any
	if err := json.Unmarshal(r.Body, &body); err != nil {
		t.Errorf("error body is not a JSON object (%v): %s", err, r.describe())
		return r
	}
	if body["code"] != code {
		t.Errorf("error code %v, want %s: %s", body["code"], code, r.describe())
	}
	for _, k := range []string{"code", "message", "details", "hint"} {
		if _, ok := body[k]; !ok {
			t.Errorf("error body lacks %q: %s", k, r.describe())
		}
	}
	if len(body) != 4 {
		t.Errorf("error body has %d keys, want 4: %s", len(body), r.describe())
	}
	return r
}

// Field returns a top-level field of a JSON object body.
func (r *Response) Field(t testing.TB, name string) any {
	t.Helper()
	var body map[string]any
	if err := json.Unmarshal(r.Body, &body); err != nil {
		t.Fatalf("body is not a JSON object (%v): %s", err, r.describe())
	}
	return body[name]
}

// BaseFixture is the path of the base fixture (roles and schema "api").
func BaseFixture() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "testdata", "base.sql")
}

// escapePath percent-encodes spaces, control and non-ASCII bytes and '#',
// so tests can write paths as a client would type them; everything else is
// sent as written.
func escapePath(p string) string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(p); i++ {
		c := p[i]
		if c <= ' ' || c >= 0x7f || c == '#' {
			b.WriteByte('%')
			b.WriteByte(hex[c>>4])
			b.WriteByte(hex[c&15])
		} else {
			b.WriteByte(c)
		}
	}
	return b.String()
}
