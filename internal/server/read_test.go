package server_test

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/restgres/restgres/internal/apitest"
)

func newAPI(t *testing.T, opts ...apitest.Option) *apitest.API {
	t.Helper()
	return apitest.New(t, append([]apitest.Option{apitest.Fixture(apitest.BaseFixture())}, opts...)...)
}

// jwtHS256 signs claims (a JSON object) with the test secret.
func jwtHS256(claims string) string {
	enc := base64.RawURLEncoding
	head := enc.EncodeToString([]byte(`{"alg":"HS256","typ":"JWT"}`))
	body := enc.EncodeToString([]byte(claims))
	mac := hmac.New(sha256.New, []byte(apitest.Secret))
	mac.Write([]byte(head + "." + body))
	return head + "." + body + "." + enc.EncodeToString(mac.Sum(nil))
}

func TestReadBasics(t *testing.T) {
	t.Parallel()
	api := newAPI(t)
	tests := []struct {
		name, path string
		status     int
		want       string
		rangeHdr   string
	}{
		{"eq", "/films?id=eq.2&select=id,title", 200, `[{"id":2,"title":"Ikiru"}]`, "0-0/*"},
		{"not in", "/films?select=id&id=not.in.(1,2,3)&order=id", 200, `[{"id":4},{"id":5}]`, "0-1/*"},
		{"is null", "/films?select=id&year=is.null", 200, `[{"id":5}]`, "0-0/*"},
		{"gte and order desc", "/films?select=title&year=gte.1960&order=year.desc", 200, `[{"title":"Spirited Away"},{"title":"Cléo from 5 to 7"}]`, "0-1/*"},
		{"like star", "/films?select=id&title=like.*Samurai", 200, `[{"id":1}]`, "0-0/*"},
		{"ilike", "/films?select=id&title=ilike.ikiru", 200, `[{"id":2}]`, "0-0/*"},
		{"or tree", "/films?select=id&or=(id.eq.1,and(year.gt.2000,rating.gte.8))&order=id", 200, `[{"id":1},{"id":4}]`, "0-1/*"},
		{"negated or", "/films?select=id&not.or=(id.lt.3,year.is.null)&order=id", 200, `[{"id":3},{"id":4}]`, "0-1/*"},
		{"array contains", "/films?select=id&tags=cs.{drama}&order=id", 200, `[{"id":1},{"id":2},{"id":3}]`, "0-2/*"},
		{"json path filter", "/films?select=id&meta->>lang=eq.fr", 200, `[{"id":3}]`, "0-0/*"},
		{"json path select", "/films?select=id,lang:meta->>lang,runtime:meta->runtime&id=eq.1", 200, `[{"id":1,"lang":"ja","runtime":207}]`, "0-0/*"},
		{"cast", "/films?select=id,rating::text&id=eq.1", 200, `[{"id":1,"rating":"8.6"}]`, "0-0/*"},
		{"limit offset", "/films?select=id&order=id&limit=2&offset=1", 200, `[{"id":2},{"id":3}]`, "1-2/*"},
		{"nulls last", "/films?select=id&order=year.desc.nullslast&limit=1", 200, `[{"id":4}]`, "0-0/*"},
		{"any quantifier", "/films?select=id&id=eq(any).{1,3}&order=id", 200, `[{"id":1},{"id":3}]`, "0-1/*"},
		{"empty in", "/films?select=id&id=in.()", 200, `[]`, "*/*"},
		{"full text", "/films?select=id&title=fts(simple).samurai", 200, `[{"id":1}]`, "0-0/*"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			api.Get(t, tc.path).Status(t, tc.status).JSON(t, tc.want).
				HeaderIs(t, "Content-Range", tc.rangeHdr).
				HeaderIs(t, "Content-Type", "application/json; charset=utf-8")
		})
	}
}

func TestReadEmbedding(t *testing.T) {
	t.Parallel()
	api := newAPI(t)
	api.Get(t, "/films?select=title,director:directors(name)&id=eq.3").Status(t, 200).
		JSON(t, `[{"title":"Cléo from 5 to 7","director":{"name":"Agnès Varda"}}]`)
	api.Get(t, "/directors?select=name,films(id)&id=eq.1&films.order=id.desc").Status(t, 200).
		JSON(t, `[{"name":"Akira Kurosawa","films":[{"id":2},{"id":1}]}]`)
	api.Get(t, "/films?select=id,actors(name)&id=eq.1&actors.order=name").Status(t, 200).
		JSON(t, `[{"id":1,"actors":[{"name":"Takashi Shimura"},{"name":"Toshiro Mifune"}]}]`)
	api.Get(t, "/films?select=id,directors!inner(name)&directors.name=eq.Hayao Miyazaki").Status(t, 200).
		JSON(t, `[{"id":4,"directors":{"name":"Hayao Miyazaki"}}]`)
	api.Get(t, "/films?select=id,nope(*)").Error(t, 400, "PGRST200")
}

func TestReadHeadAndRanges(t *testing.T) {
	t.Parallel()
	api := newAPI(t)
	res := api.Do(t, apitest.Request{Method: http.MethodHead, Path: "/films?select=id"})
	res.Status(t, 200).HeaderIs(t, "Content-Range", "0-4/*").BodyIs(t, "")
	api.Get(t, "/films?select=id&order=id", "Range", "1-2").Status(t, 200).JSON(t, `[{"id":2},{"id":3}]`).
		HeaderIs(t, "Content-Range", "1-2/*")
	api.Get(t, "/films?select=id&order=id", "Range", "1-2", "Prefer", "count=exact").Status(t, 206).
		HeaderIs(t, "Content-Range", "1-2/5").HeaderIs(t, "Preference-Applied", "count=exact")
	api.Get(t, "/films?select=id", "Range", "10-12", "Prefer", "count=exact").Error(t, 416, "PGRST103").
		HeaderIs(t, "Content-Range", "*/5")
	api.Get(t, "/films?select=id", "Range", "3-1").Error(t, 416, "PGRST103")
	api.Get(t, "/films?select=id&limit=-1").Error(t, 416, "PGRST103")
	api.Get(t, "/films?select=id&limit=0").Status(t, 200).JSON(t, `[]`)
}

func TestReadMediaTypes(t *testing.T) {
	t.Parallel()
	api := newAPI(t)
	api.Get(t, "/films?select=id,title&id=eq.2", "Accept", "application/vnd.pgrst.object+json").Status(t, 200).
		JSON(t, `{"id":2,"title":"Ikiru"}`).HeaderIs(t, "Content-Type", "application/vnd.pgrst.object+json; charset=utf-8")
	api.Get(t, "/films?select=id&id=lt.3", "Accept", "application/vnd.pgrst.object+json").Error(t, 406, "PGRST116")
	api.Get(t, "/films?select=id,year&id=lt.3&order=id", "Accept", "text/csv").Status(t, 200).
		BodyIs(t, "id,year\n1,1954\n2,1952").HeaderIs(t, "Content-Type", "text/csv; charset=utf-8")
	api.Get(t, "/films?select=id,year&id=eq.5", "Accept", "application/vnd.pgrst.array+json;nulls=stripped").Status(t, 200).
		BodyIs(t, `[{"id":5}]`)
	api.Get(t, "/films", "Accept", "text/unknown").Error(t, 406, "PGRST107")
	api.Get(t, "/films?select=id&id=eq.1", "Accept", "text/unknown, */*;q=0.5").Status(t, 200).JSON(t, `[{"id":1}]`)
}

func TestReadErrors(t *testing.T) {
	t.Parallel()
	api := newAPI(t)
	// bad query string syntax: PGRST100 with the position
	res := api.Get(t, "/films?id=xx.1").Error(t, 400, "PGRST100")
	if got := res.Field(t, "message"); got != `"failed to parse filter (xx.1)" (line 1, column 1)` {
		t.Errorf("message = %v", got)
	}
	api.Get(t, "/films?order=id.sideways").Error(t, 400, "PGRST100")
	api.Get(t, "/films?select=id,").Error(t, 400, "PGRST100")
	// unknown column: PostgreSQL's own error
	res = api.Get(t, "/films?select=nope").Error(t, 400, "42703")
	if got := res.Field(t, "message"); got != "column films.nope does not exist" {
		t.Errorf("message = %v", got)
	}
	api.Get(t, "/films?nope=eq.1").Error(t, 400, "42703")
	// bad value for the column type
	api.Get(t, "/films?id=eq.abc").Error(t, 400, "22P02")
	// unknown table, with the fuzzy hint
	res = api.Get(t, "/film").Error(t, 404, "PGRST205")
	if got := res.Field(t, "hint"); got != "Perhaps you meant the table 'api.films'" {
		t.Errorf("hint = %v", got)
	}
	api.Get(t, "/a/b/c").Error(t, 404, "PGRST125")
	api.Do(t, apitest.Request{Method: "TRACE", Path: "/films"}).Error(t, 405, "PGRST117")
	api.Get(t, "/films", "Accept-Profile", "other").Error(t, 406, "PGRST106")
	api.Get(t, "/films?select=id", "Prefer", "handling=strict, bogus").Error(t, 400, "PGRST122")
	api.Get(t, "/films?select=id&id=eq.1", "Prefer", "handling=lenient, bogus").Status(t, 200)
}

func TestReadAuth(t *testing.T) {
	t.Parallel()
	api := newAPI(t, apitest.Fixture("testdata/private.sql"))
	// anonymous may not read the secrets
	api.Get(t, "/secrets").Error(t, 401, "42501").HeaderIs(t, "WWW-Authenticate", "Bearer")
	exp := strconv.FormatInt(time.Now().Add(time.Hour).Unix(), 10)
	user := jwtHS256(`{"role":"restgres_test_user","exp":` + exp + `}`)
	api.Get(t, "/secrets?select=id", "Authorization", "Bearer "+user).Status(t, 200).JSON(t, `[{"id":1}]`)
	// the claims reach SQL
	api.Get(t, "/rpc/whoami", "Authorization", "Bearer "+user).Status(t, 200).JSON(t, `"restgres_test_user"`)
	api.Get(t, "/rpc/whoami").Status(t, 200).JSON(t, `"restgres_test_anon"`)
	// bad tokens
	api.Get(t, "/films", "Authorization", "Bearer abc").Error(t, 401, "PGRST301")
	api.Get(t, "/films", "Authorization", "Bearer "+user+"x").Error(t, 401, "PGRST301")
	past := strconv.FormatInt(time.Now().Add(-time.Hour).Unix(), 10)
	api.Get(t, "/films", "Authorization", "Bearer "+jwtHS256(`{"role":"restgres_test_user","exp":`+past+`}`)).
		Error(t, 401, "PGRST303").HeaderIs(t, "WWW-Authenticate", `Bearer error="invalid_token", error_description="JWT expired"`)
	// a role that does not exist
	api.Get(t, "/films", "Authorization", "Bearer "+jwtHS256(`{"role":"nobody_at_all"}`)).Error(t, 401, "22023")
	// a role with rights but denied on this table: 403 when authenticated
	other := jwtHS256(`{"role":"restgres_test_anon","x":1}`)
	api.Get(t, "/secrets", "Authorization", "Bearer "+other).Status(t, 401)
}

func TestReadTransactionSettings(t *testing.T) {
	t.Parallel()
	api := newAPI(t, apitest.Fixture("testdata/private.sql"))
	// response.status and response.headers set in SQL shape the response
	api.Get(t, "/rpc/teapot").Status(t, 418).HeaderIs(t, "X-Tea", "earl grey")
	// request.method, request.path, request.headers reach SQL
	api.Get(t, "/rpc/request_info", "X-Custom", "hello").Status(t, 200).
		JSON(t, `{"method":"GET","path":"/rpc/request_info","custom":"hello"}`)
	// GET runs read only
	api.Get(t, "/rpc/write_something").Error(t, 405, "25006")
}

func TestCORSAndOptions(t *testing.T) {
	t.Parallel()
	api := newAPI(t)
	api.Get(t, "/films?select=id&id=eq.1", "Origin", "http://example.com").Status(t, 200).
		HeaderIs(t, "Access-Control-Allow-Origin", "*")
	api.Do(t, apitest.Request{Method: http.MethodOptions, Path: "/films", Headers: []string{
		"Origin", "http://example.com", "Access-Control-Request-Method", "POST", "Access-Control-Request-Headers", "Content-Type"}}).
		Status(t, 200).HeaderIs(t, "Access-Control-Allow-Origin", "*").
		HeaderIs(t, "Access-Control-Allow-Methods", "GET, POST, PATCH, PUT, DELETE, OPTIONS").
		HeaderIs(t, "Access-Control-Allow-Headers", "Authorization, Content-Type")
	api.Do(t, apitest.Request{Method: http.MethodOptions, Path: "/films"}).Status(t, 200).
		HeaderIs(t, "Allow", "OPTIONS,GET,HEAD,POST,PUT,PATCH,DELETE")
	// as in PostgREST, OPTIONS finds a function by its (absent) arguments
	api.Do(t, apitest.Request{Method: http.MethodOptions, Path: "/rpc/add"}).Error(t, 404, "PGRST202")
	priv := newAPI(t, apitest.Fixture("testdata/private.sql"))
	priv.Do(t, apitest.Request{Method: http.MethodOptions, Path: "/rpc/whoami"}).Status(t, 200).
		HeaderIs(t, "Allow", "OPTIONS,GET,HEAD,POST")
	priv.Do(t, apitest.Request{Method: http.MethodOptions, Path: "/rpc/write_something"}).Status(t, 200).
		HeaderIs(t, "Allow", "OPTIONS,POST")
}
