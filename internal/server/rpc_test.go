package server_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/restgres/restgres/internal/apitest"
)

// rpcAPI starts a handler on the base fixture plus the function fixture.
func rpcAPI(t *testing.T, opts ...apitest.Option) *apitest.API {
	t.Helper()
	return newAPI(t, append([]apitest.Option{apitest.Fixture("testdata/rpc.sql")}, opts...)...)
}

// fieldsAre asserts top-level string fields of a JSON object body (an
// error's message, details, hint).
func fieldsAre(t *testing.T, res *apitest.Response, kv ...string) {
	t.Helper()
	for i := 0; i+1 < len(kv); i += 2 {
		if got := res.Field(t, kv[i]); got != kv[i+1] {
			t.Errorf("%s = %#v, want %q", kv[i], got, kv[i+1])
		}
	}
}

const (
	jsonCT = "application/json"
	formCT = "application/x-www-form-urlencoded"
)

func TestRPCCallStyles(t *testing.T) {
	t.Parallel()
	api := rpcAPI(t)
	tests := []struct {
		name, method, path, body, contentType string
		want                                  string
	}{
		{"POST named args", "POST", "/rpc/add", `{"a": 1, "b": 2}`, jsonCT, `3`},
		{"POST args as strings", "POST", "/rpc/add", `{"a": "4", "b": "5"}`, jsonCT, `9`},
		{"GET query args", "GET", "/rpc/add?a=1&b=2", "", "", `3`},
		{"GET default used", "GET", "/rpc/greet", "", "", `"Hello guest!"`},
		{"GET default overridden", "GET", "/rpc/greet?name=Ann", "", "", `"Hello Ann!"`},
		{"POST default used", "POST", "/rpc/greet", `{}`, jsonCT, `"Hello guest!"`},
		{"POST without body", "POST", "/rpc/greet", "", "", `"Hello guest!"`},
		{"required and defaults", "GET", "/rpc/label?id=5", "", "", `"#5"`},
		{"required and some defaults", "GET", "/rpc/label?id=5&suffix=!", "", "", `"#5!"`},
		{"POST required and defaults", "POST", "/rpc/label", `{"id": 5, "prefix": "no. "}`, jsonCT, `"no. 5"`},
		{"no arguments GET", "GET", "/rpc/answer", "", "", `42`},
		{"no arguments POST", "POST", "/rpc/answer", `{}`, jsonCT, `42`},
		{"array literal in GET", "GET", "/rpc/sum_arr?arr={1,2,3}", "", "", `6`},
		{"quoted array literal in GET", "GET", `/rpc/words?arr={"a b",c}`, "", "", `["a b","c"]`},
		{"JSON array in POST", "POST", "/rpc/sum_arr", `{"arr": [4, 5, 6]}`, jsonCT, `15`},
		{"form body", "POST", "/rpc/add", "a=10&b=20", formCT, `30`},
		{"form body with default", "POST", "/rpc/greet", "name=Bo+Bo", formCT, `"Hello Bo Bo!"`},
		{"variadic repeated query params", "GET", "/rpc/plus_one?v=1&v=2&v=3", "", "", `[2,3,4]`},
		{"variadic single query param", "GET", "/rpc/plus_one?v=9", "", "", `[10]`},
		{"variadic JSON array", "POST", "/rpc/plus_one", `{"v": [1, 2, 3, 4]}`, jsonCT, `[2,3,4,5]`},
		{"variadic repeated form fields", "POST", "/rpc/join_words", "words=a&words=b&words=c", formCT, `"a b c"`},
		{"variadic text GET", "GET", "/rpc/join_words?words=hello&words=world", "", "", `"hello world"`},
		{"overload by one name", "GET", "/rpc/area?side=3", "", "", `9`},
		{"overload by two names", "GET", "/rpc/area?w=3&h=4", "", "", `12`},
		{"overload by names POST", "POST", "/rpc/area", `{"w": 2, "h": 5}`, jsonCT, `10`},
		{"named overload preferred", "POST", "/rpc/mixed", `{"a": 1}`, jsonCT, `"named 1"`},
		{"unnamed json overload as fallback", "POST", "/rpc/mixed", `{"b": 1}`, jsonCT, `"fallback {\"b\": 1}"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var headers []string
			if tc.contentType != "" {
				headers = []string{"Content-Type", tc.contentType}
			}
			api.Do(t, apitest.Request{Method: tc.method, Path: tc.path, Body: tc.body, Headers: headers}).
				Status(t, 200).JSON(t, tc.want).
				HeaderIs(t, "Content-Type", "application/json; charset=utf-8")
		})
	}
}

func TestRPCHead(t *testing.T) {
	t.Parallel()
	api := rpcAPI(t)
	api.Do(t, apitest.Request{Method: http.MethodHead, Path: "/rpc/film_ids"}).
		Status(t, 200).BodyIs(t, "").HeaderIs(t, "Content-Range", "0-4/*").
		HeaderIs(t, "Content-Type", "application/json; charset=utf-8")
	api.Do(t, apitest.Request{Method: http.MethodHead, Path: "/rpc/add?a=1&b=1"}).Status(t, 200).BodyIs(t, "")
	// HEAD is a read: a writer still runs read only
	api.Do(t, apitest.Request{Method: http.MethodHead, Path: "/rpc/log_call?note=x"}).Status(t, 405)
}

func TestRPCSingleUnnamedParam(t *testing.T) {
	t.Parallel()
	api := rpcAPI(t)
	api.Post(t, "/rpc/echo_json", `{"x": [1, 2], "y": null}`, "Content-Type", jsonCT).
		Status(t, 200).JSON(t, `{"x": [1, 2], "y": null}`)
	// as in PostgREST, a JSON body is first checked like a write's: an
	// array must hold objects with the same keys, and a bare scalar reads
	// as an empty array
	api.Post(t, "/rpc/echo_jsonb", `[{"a": 1}, {"a": 2}]`, "Content-Type", jsonCT).
		Status(t, 200).JSON(t, `[{"a": 1}, {"a": 2}]`)
	api.Post(t, "/rpc/echo_jsonb", `[1, "two"]`, "Content-Type", jsonCT).Error(t, 400, "PGRST102")
	api.Post(t, "/rpc/echo_jsonb", `"just a string"`, "Content-Type", jsonCT).Status(t, 200).JSON(t, `[]`)
	api.Post(t, "/rpc/echo_jsonb", `{"a": `, "Content-Type", jsonCT).Error(t, 400, "PGRST102")
	api.Post(t, "/rpc/echo_jsonb", `{"nested": {"deep": true}}`).
		Status(t, 200).JSON(t, `{"nested": {"deep": true}}`)
	api.Post(t, "/rpc/echo_text", "plain words, not JSON {", "Content-Type", "text/plain").
		Status(t, 200).JSON(t, `"plain words, not JSON {"`)
	api.Post(t, "/rpc/echo_xml", "<greeting>hi there</greeting>", "Content-Type", "text/xml").
		Status(t, 200).JSON(t, `"{\"hi there\"}"`)
	// bytes arrive unchanged, NUL and high bytes included
	api.Post(t, "/rpc/byte_count", "\x00abc\xff", "Content-Type", "application/octet-stream").
		Status(t, 200).JSON(t, `{"length": 5, "first": 0, "last": 255}`)

	// the parameter's type must fit the Content-Type
	res := api.Post(t, "/rpc/echo_text", `{"a": 1}`, "Content-Type", jsonCT).Error(t, 404, "PGRST202")
	fieldsAre(t, res,
		"message", "Could not find the function api.echo_text(a) in the schema cache",
		"details", "Searched for the function api.echo_text with parameter a or with a single unnamed json/jsonb parameter, but no matches were found in the schema cache.")
	res = api.Post(t, "/rpc/echo_json", "text", "Content-Type", "text/plain").Error(t, 404, "PGRST202")
	fieldsAre(t, res,
		"message", "Could not find the function api.echo_json in the schema cache",
		"details", "Searched for the function api.echo_json with a single unnamed text parameter, but no matches were found in the schema cache.")
	if res.Field(t, "hint") != nil {
		t.Errorf("hint = %v, want null for a raw body", res.Field(t, "hint"))
	}
	api.Post(t, "/rpc/echo_text", "<a/>", "Content-Type", "text/xml").Error(t, 404, "PGRST202")
	api.Post(t, "/rpc/echo_text", "abc", "Content-Type", "application/octet-stream").Error(t, 404, "PGRST202")
	// GET never passes a body: the single unnamed parameter is not found
	api.Get(t, "/rpc/echo_json").Error(t, 404, "PGRST202")
	// a function without parameters takes no raw body
	api.Post(t, "/rpc/answer", "abc", "Content-Type", "text/plain").Error(t, 404, "PGRST202")
}

func TestRPCNotFoundAndAmbiguous(t *testing.T) {
	t.Parallel()
	api := rpcAPI(t)
	// a close function name
	res := api.Get(t, "/rpc/gret").Error(t, 404, "PGRST202")
	fieldsAre(t, res,
		"message", "Could not find the function api.gret without parameters in the schema cache",
		"details", "Searched for the function api.gret without parameters, but no matches were found in the schema cache.",
		"hint", "Perhaps you meant to call the function api.greet")
	// nothing close
	res = api.Get(t, "/rpc/zzzzzzzzzzzz").Error(t, 404, "PGRST202")
	if res.Field(t, "hint") != nil {
		t.Errorf("hint = %v, want null", res.Field(t, "hint"))
	}
	// the function exists: the closest parameter list among its overloads
	res = api.Get(t, "/rpc/area?w=1&hh=2").Error(t, 404, "PGRST202")
	fieldsAre(t, res,
		"message", "Could not find the function api.area(hh, w) in the schema cache",
		"details", "Searched for the function api.area with parameters hh, w, but no matches were found in the schema cache.",
		"hint", "Perhaps you meant to call the function api.area(h, w)")
	res = api.Post(t, "/rpc/area", `{"sidee": 1}`).Error(t, 404, "PGRST202")
	fieldsAre(t, res,
		"message", "Could not find the function api.area(sidee) in the schema cache",
		"details", "Searched for the function api.area with parameter sidee or with a single unnamed json/jsonb parameter, but no matches were found in the schema cache.",
		"hint", "Perhaps you meant to call the function api.area(side)")
	// a missing required argument
	api.Get(t, "/rpc/add?a=1").Error(t, 404, "PGRST202")
	// an unknown extra argument
	api.Get(t, "/rpc/greet?name=x&other=y").Error(t, 404, "PGRST202")

	res = api.Get(t, "/rpc/twin?x=1").Error(t, 300, "PGRST203")
	fieldsAre(t, res,
		"message", "Could not choose the best candidate function between: api.twin(x => integer), api.twin(x => text)",
		"hint", "Try renaming the parameters or the function itself in the database so function overloading can be resolved")
	api.Post(t, "/rpc/twin", `{"x": 1}`).Error(t, 300, "PGRST203")
}

func TestRPCMethods(t *testing.T) {
	t.Parallel()
	api := rpcAPI(t)
	for _, m := range []string{http.MethodPut, http.MethodPatch, http.MethodDelete, "TRACE"} {
		res := api.Do(t, apitest.Request{Method: m, Path: "/rpc/add?a=1&b=2", Body: `{}`}).Error(t, 405, "PGRST101")
		fieldsAre(t, res, "message", "Cannot use the "+m+" method on RPC")
	}
	// GET runs in a read-only transaction whatever the volatility: a
	// volatile function that writes fails there (25006 → 405) ...
	res := api.Get(t, "/rpc/log_call?note=by-get").Error(t, 405, "25006")
	fieldsAre(t, res, "message", "cannot execute INSERT in a read-only transaction")
	// ... and one that only reads runs
	api.Get(t, "/rpc/volatile_read").Status(t, 200).JSON(t, `0`)
	// POST runs a volatile function read-write and commits
	api.Post(t, "/rpc/log_call", `{"note": "by-post"}`).Status(t, 200).JSON(t, `1`)
	api.Get(t, "/rpc/volatile_read").Status(t, 200).JSON(t, `1`)
}

func TestRPCParamsSingleObject(t *testing.T) {
	t.Parallel()
	api := rpcAPI(t)
	// PostgREST deprecated Prefer: params=single-object in v12.2 and
	// removed it in v13: for v16 it is an unknown preference, ignored
	// unless handling=strict, and the body is read as named arguments as
	// usual.
	api.Post(t, "/rpc/add", `{"a": 1, "b": 2}`, "Prefer", "params=single-object").
		Status(t, 200).JSON(t, `3`).HeaderIs(t, "Preference-Applied", "")
	api.Post(t, "/rpc/echo_json", `{"a": 1}`, "Prefer", "params=single-object").
		Status(t, 200).JSON(t, `{"a": 1}`)
	res := api.Post(t, "/rpc/add", `{"a": 1, "b": 2}`, "Prefer", "handling=strict, params=single-object").
		Error(t, 400, "PGRST122")
	fieldsAre(t, res, "details", "Invalid preferences: params=single-object")
	api.Post(t, "/rpc/add", `{"a": 1, "b": 2}`, "Prefer", "handling=lenient, params=single-object").
		Status(t, 200).HeaderIs(t, "Preference-Applied", "handling=lenient")
}

func TestRPCResultShapes(t *testing.T) {
	t.Parallel()
	api := rpcAPI(t)
	tests := []struct {
		name, path, want, rangeHdr string
	}{
		{"scalar", "/rpc/add?a=2&b=3", `5`, "0-0/*"},
		{"composite", "/rpc/film?fid=2", `{"id":2,"title":"Ikiru","year":1952,"director_id":1,"rating":8.3,"tags":["drama"],"meta":{"lang":"ja","runtime":143}}`, "0-0/*"},
		{"composite with no row", "/rpc/no_film", `{"id":null,"title":null,"year":null,"director_id":null,"rating":null,"tags":null,"meta":null}`, "0-0/*"},
		{"composite select", "/rpc/film?fid=2&select=title", `{"title":"Ikiru"}`, "0-0/*"},
		{"setof scalar", "/rpc/film_ids", `[1,2,3,4,5]`, "0-4/*"},
		{"setof scalar limited", "/rpc/film_ids?limit=2&offset=1", `[2,3]`, "1-2/*"},
		{"setof composite", "/rpc/films_by_director?p_director_id=1&select=id,title&order=id", `[{"id":1,"title":"Seven Samurai"},{"id":2,"title":"Ikiru"}]`, "0-1/*"},
		{"setof composite empty", "/rpc/films_by_director?p_director_id=99", `[]`, "*/*"},
		{"returns table", "/rpc/film_titles?min_year=1960", `[{"id":3,"title":"Cléo from 5 to 7"},{"id":4,"title":"Spirited Away"}]`, "0-1/*"},
		{"filter on an unselected column", "/rpc/all_films?select=id&year=lt.1960&order=id", `[{"id":1},{"id":2}]`, "0-1/*"},
		{"or filter", "/rpc/all_films?select=id&or=(id.eq.1,rating.lt.8)&order=id", `[{"id":1},{"id":3}]`, "0-1/*"},
		{"order and offset", "/rpc/all_films?select=id&order=rating.desc.nullslast,id&offset=1&limit=2", `[{"id":4},{"id":2}]`, "1-2/*"},
		{"json path and cast", "/rpc/all_films?select=id,lang:meta->>lang,rating::text&id=eq.3", `[{"id":3,"lang":"fr","rating":"7.8"}]`, "0-0/*"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			api.Get(t, tc.path).Status(t, 200).JSON(t, tc.want).HeaderIs(t, "Content-Range", tc.rangeHdr)
		})
	}
	t.Run("setof scalar has no column to filter or order by", func(t *testing.T) {
		// as in PostgREST v16, the values have no name a filter could use
		res := api.Get(t, "/rpc/film_ids?film_ids=gt.3").Error(t, 400, "42703")
		fieldsAre(t, res, "message", "column film_ids.film_ids does not exist")
		api.Get(t, "/rpc/film_ids?order=film_ids.desc").Error(t, 400, "42703")
	})
	t.Run("POST reads alike", func(t *testing.T) {
		api.Post(t, "/rpc/films_by_director?select=title&order=title", `{"p_director_id": 1}`).
			Status(t, 200).JSON(t, `[{"title":"Ikiru"},{"title":"Seven Samurai"}]`)
	})
	t.Run("void", func(t *testing.T) {
		api.Post(t, "/rpc/do_nothing", `{}`).Status(t, 204).BodyIs(t, "").HeaderIs(t, "Content-Type", "")
		api.Get(t, "/rpc/do_nothing").Status(t, 204).BodyIs(t, "")
	})
}

func TestRPCEmbeddingAndCounting(t *testing.T) {
	t.Parallel()
	api := rpcAPI(t)
	// a function returning a table's rows embeds that table's relations
	api.Get(t, "/rpc/films_by_director?p_director_id=1&select=title,director:directors(name),actors(name)&order=id&actors.order=name").
		Status(t, 200).JSON(t, `[
			{"title":"Seven Samurai","director":{"name":"Akira Kurosawa"},"actors":[{"name":"Takashi Shimura"},{"name":"Toshiro Mifune"}]},
			{"title":"Ikiru","director":{"name":"Akira Kurosawa"},"actors":[{"name":"Takashi Shimura"}]}]`)
	api.Get(t, "/rpc/all_films?select=id,reviews(stars)&reviews=not.is.null&order=id").
		Status(t, 200).JSON(t, `[{"id":1,"reviews":[{"stars":5}]},{"id":2,"reviews":[{"stars":4}]},{"id":4,"reviews":[{"stars":5}]}]`)
	api.Get(t, "/rpc/all_films?select=id,directors!inner(name)&directors.name=eq.Agnès Varda").
		Status(t, 200).JSON(t, `[{"id":3,"directors":{"name":"Agnès Varda"}}]`)

	// counting
	api.Get(t, "/rpc/all_films?select=id&order=id&limit=2", "Prefer", "count=exact").
		Status(t, 206).JSON(t, `[{"id":1},{"id":2}]`).
		HeaderIs(t, "Content-Range", "0-1/5").HeaderIs(t, "Preference-Applied", "count=exact")
	api.Get(t, "/rpc/all_films?select=id&year=gt.1953", "Prefer", "count=exact").
		Status(t, 200).HeaderIs(t, "Content-Range", "0-2/3")
	api.Get(t, "/rpc/film_ids", "Range", "1-3", "Prefer", "count=exact").
		Status(t, 206).JSON(t, `[2,3,4]`).HeaderIs(t, "Content-Range", "1-3/5")
	api.Post(t, "/rpc/films_by_director?limit=1&order=id", `{"p_director_id": 1}`, "Prefer", "count=exact").
		Status(t, 206).HeaderIs(t, "Content-Range", "0-0/2")
	api.Get(t, "/rpc/all_films?offset=9", "Prefer", "count=exact").Error(t, 416, "PGRST103").
		HeaderIs(t, "Content-Range", "*/5")
	// a function returning one value or row counts one, as in PostgREST,
	// even when a filter leaves nothing
	api.Get(t, "/rpc/add?a=1&b=1", "Prefer", "count=exact").Status(t, 200).HeaderIs(t, "Content-Range", "0-0/1")
	api.Get(t, "/rpc/film?fid=1&id=eq.2", "Prefer", "count=exact").Status(t, 200).JSON(t, `null`).
		HeaderIs(t, "Content-Range", "0-0/1")
	// count=planned has no plan to read for a call: no total
	api.Get(t, "/rpc/all_films?select=id", "Prefer", "count=planned").Status(t, 200).
		HeaderIs(t, "Content-Range", "0-4/*")

	// past db-max-rows, count=estimated counts a call's rows exactly
	capped := rpcAPI(t, apitest.Env("PGRST_DB_MAX_ROWS", "2"))
	capped.Get(t, "/rpc/all_films?select=id", "Prefer", "count=estimated").Status(t, 206).
		JSON(t, `[{"id":1},{"id":2}]`).HeaderIs(t, "Content-Range", "0-1/5")
	capped.Get(t, "/rpc/all_films?select=id", "Prefer", "count=exact").Status(t, 206).
		HeaderIs(t, "Content-Range", "0-1/5")
	// (here PostgREST counts the read, so the filter shows)
	capped.Get(t, "/rpc/film?fid=1&id=eq.2", "Prefer", "count=exact").Status(t, 200).
		HeaderIs(t, "Content-Range", "*/0")
}

func TestRPCSingularObject(t *testing.T) {
	t.Parallel()
	api := rpcAPI(t)
	const obj = "application/vnd.pgrst.object+json"
	api.Get(t, "/rpc/films_by_director?p_director_id=2&select=title", "Accept", obj).
		Status(t, 200).JSON(t, `{"title":"Cléo from 5 to 7"}`).
		HeaderIs(t, "Content-Type", obj+"; charset=utf-8")
	res := api.Get(t, "/rpc/films_by_director?p_director_id=1", "Accept", obj).Error(t, 406, "PGRST116")
	fieldsAre(t, res, "details", "The result contains 2 rows")
	api.Get(t, "/rpc/films_by_director?p_director_id=9", "Accept", obj).Error(t, 406, "PGRST116")
	api.Get(t, "/rpc/film?fid=1&select=id", "Accept", obj).Status(t, 200).JSON(t, `{"id":1}`)
	api.Get(t, "/rpc/add?a=1&b=2", "Accept", obj).Status(t, 200).JSON(t, `3`)
	// one value of a set: the value, not the row around it
	api.Get(t, "/rpc/film_ids?limit=1&offset=3", "Accept", obj).Status(t, 200).BodyIs(t, `4`)
	api.Get(t, "/rpc/film_ids?limit=1", "Accept", obj+";nulls=stripped").Status(t, 200).BodyIs(t, `1`)
	api.Get(t, "/rpc/film_ids?limit=2", "Accept", obj).Error(t, 406, "PGRST116")
	api.Get(t, "/rpc/film?fid=5", "Accept", obj+";nulls=stripped").Status(t, 200).
		JSON(t, `{"id":5,"title":"Untitled"}`)
	// a volatile function's writes are rolled back when the result is not
	// one row
	api.Post(t, "/rpc/log_call", `{"note": "single"}`, "Accept", obj).Status(t, 200).JSON(t, `1`)
	api.Get(t, "/rpc/volatile_read").JSON(t, `1`)
}

// TestRPCRollbacks: a volatile function's writes are undone when the
// response cannot be what the client asked for.
func TestRPCRollbacks(t *testing.T) {
	t.Parallel()
	api := rpcAPI(t, apitest.Env("PGRST_DB_TX_END", "commit-allow-override"))
	const obj = "application/vnd.pgrst.object+json"
	api.Post(t, "/rpc/log_calls", `{"n": 2}`, "Accept", obj).Error(t, 406, "PGRST116")
	api.Get(t, "/rpc/volatile_read").JSON(t, `0`)
	res := api.Post(t, "/rpc/log_calls", `{"n": 3}`, "Prefer", "handling=strict, max-affected=2").Error(t, 400, "PGRST124")
	fieldsAre(t, res, "details", "The query affects 3 rows")
	api.Get(t, "/rpc/volatile_read").JSON(t, `0`)
	api.Post(t, "/rpc/log_calls", `{"n": 2}`, "Prefer", "tx=rollback").Status(t, 200).JSON(t, `["bulk 1","bulk 2"]`).
		HeaderIs(t, "Preference-Applied", "tx=rollback")
	api.Get(t, "/rpc/volatile_read").JSON(t, `0`)
	// max-affected needs a set to count
	api.Post(t, "/rpc/log_call", `{"note": "x"}`, "Prefer", "handling=strict, max-affected=2").Error(t, 400, "PGRST128")
	api.Get(t, "/rpc/volatile_read").JSON(t, `0`)
	// within the limits, the writes stay
	api.Post(t, "/rpc/log_calls", `{"n": 2}`, "Prefer", "handling=strict, max-affected=2").Status(t, 200).
		JSON(t, `["bulk 1","bulk 2"]`).HeaderIs(t, "Preference-Applied", "handling=strict, max-affected=2")
	// one value of a set: the value (PostgREST answers {"pgrst_scalar": v})
	api.Post(t, "/rpc/log_calls", `{"n": 1}`, "Accept", obj).Status(t, 200).JSON(t, `"bulk 1"`)
	api.Get(t, "/rpc/volatile_read").JSON(t, `3`)
}

func TestRPCReadOnlyTransactions(t *testing.T) {
	t.Parallel()
	api := rpcAPI(t)
	// STABLE and IMMUTABLE functions run READ ONLY, even by POST
	api.Get(t, "/rpc/read_only_mode").Status(t, 200).JSON(t, `"on"`)
	api.Post(t, "/rpc/read_only_mode", `{}`).Status(t, 200).JSON(t, `"on"`)
	api.Post(t, "/rpc/read_only_mode_volatile", `{}`).Status(t, 200).JSON(t, `"off"`)
	api.Get(t, "/rpc/read_only_mode_volatile").Status(t, 200).JSON(t, `"on"`)
	// so a stable function that (through a volatile one) writes is stopped
	res := api.Post(t, "/rpc/stable_writer", `{"note": "sneaky"}`).Error(t, 405, "25006")
	fieldsAre(t, res, "message", "cannot execute INSERT in a read-only transaction")
	api.Get(t, "/rpc/volatile_read").JSON(t, `0`)
}

func TestRPCHoistedSettings(t *testing.T) {
	t.Parallel()
	t.Run("statement_timeout hoisted by default", func(t *testing.T) {
		t.Parallel()
		api := rpcAPI(t)
		// set on the function alone, the timeout would not cover the
		// running statement; hoisted, it does
		res := api.Post(t, "/rpc/sleepy", `{"secs": 2}`).Error(t, 500, "57014")
		fieldsAre(t, res, "message", "canceling statement due to statement timeout")
		api.Post(t, "/rpc/sleepy", `{"secs": 0}`).Status(t, 200).JSON(t, `"awake"`)
	})
	t.Run("only allowed settings are hoisted", func(t *testing.T) {
		t.Parallel()
		def := rpcAPI(t, apitest.Env("PGRST_DB_PRE_REQUEST", "api.expose_settings"))
		// the pre-request function runs after the hoisted settings
		def.Get(t, "/rpc/with_settings").Status(t, 200).JSON(t, `"ok"`).
			HeaderIs(t, "X-Statement-Timeout", "7s").HeaderIs(t, "X-Work-Mem", "4MB")
		def.Get(t, "/rpc/answer").Status(t, 200).
			HeaderIs(t, "X-Statement-Timeout", "0").HeaderIs(t, "X-Work-Mem", "4MB")
		custom := rpcAPI(t, apitest.Env("PGRST_DB_PRE_REQUEST", "api.expose_settings"),
			apitest.Env("PGRST_DB_HOISTED_TX_SETTINGS", "work_mem"))
		custom.Get(t, "/rpc/with_settings").Status(t, 200).
			HeaderIs(t, "X-Statement-Timeout", "0").HeaderIs(t, "X-Work-Mem", "2MB")
		// nor is statement_timeout then: the sleep is not cut short
		custom.Post(t, "/rpc/sleepy", `{"secs": 0.3}`).Status(t, 200).JSON(t, `"awake"`)
	})
	t.Run("isolation level from the function", func(t *testing.T) {
		t.Parallel()
		api := rpcAPI(t)
		api.Get(t, "/rpc/serializable_isolation").Status(t, 200).JSON(t, `"serializable"`)
		api.Get(t, "/rpc/default_isolation").Status(t, 200).JSON(t, `"read committed"`)
	})
}

func TestRPCResponseSettings(t *testing.T) {
	t.Parallel()
	api := rpcAPI(t)
	res := api.Post(t, "/rpc/created_thing", `{}`).Status(t, 201).JSON(t, `{"id": 7}`).
		HeaderIs(t, "Location", "/things/7").HeaderIs(t, "Content-Type", "application/x-thing")
	if got := res.Header.Values("Set-Cookie"); len(got) != 2 || got[0] != "a=1" || got[1] != "b=2" {
		t.Errorf("Set-Cookie = %q, want [a=1 b=2]", got)
	}
	res = api.Get(t, "/rpc/bad_status").Error(t, 500, "PGRST112")
	fieldsAre(t, res, "message", "response.status guc must be a valid status code")
	res = api.Get(t, "/rpc/bad_headers").Error(t, 500, "PGRST111")
	fieldsAre(t, res, "message", "response.headers guc must be a JSON array composed of objects with a single key and a string value")
	api.Get(t, "/rpc/bad_header_value").Error(t, 500, "PGRST111")
}

func TestRPCRaisedErrors(t *testing.T) {
	t.Parallel()
	api := rpcAPI(t)
	res := api.Post(t, "/rpc/pay_up", `{}`).Error(t, 402, "PT402")
	fieldsAre(t, res, "message", "Payment Required", "details", "Quota exceeded", "hint", "Upgrade")

	res = api.Post(t, "/rpc/raise_pgrst", `{}`).Error(t, 402, "123").
		HeaderIs(t, "X-Powered-By", "Nerd Rage").HeaderIs(t, "Content-Type", "application/json; charset=utf-8")
	fieldsAre(t, res, "message", "Payment Required", "details", "Quota exceeded", "hint", "Upgrade your plan")

	res = api.Post(t, "/rpc/page_expired", `{}`).Error(t, 419, "PT419")
	fieldsAre(t, res, "message", "Page Expired")

	res = api.Post(t, "/rpc/raise_pgrst_bad_message", `{}`).Error(t, 500, "PGRST121")
	fieldsAre(t, res,
		"message", `Could not parse JSON in the "RAISE SQLSTATE 'PGRST'" error`,
		"details", "Invalid JSON value for MESSAGE: 'not json'",
		"hint", "MESSAGE must be a JSON object with obligatory keys: 'code', 'message' and optional keys: 'details', 'hint'.")
	res = api.Post(t, "/rpc/raise_pgrst_bad_detail", `{}`).Error(t, 500, "PGRST121")
	fieldsAre(t, res,
		"details", "Invalid JSON value for DETAIL: 'not json'",
		"hint", "DETAIL must be a JSON object with obligatory keys: 'status', 'headers' and optional key: 'status_text'.")
	res = api.Post(t, "/rpc/raise_pgrst_no_detail", `{}`).Error(t, 500, "PGRST121")
	fieldsAre(t, res, "details", "DETAIL is missing in the RAISE statement")

	res = api.Post(t, "/rpc/raise_plain", `{}`).Error(t, 400, "P0001")
	fieldsAre(t, res, "message", "plain failure")
}

// TestRPCReasonPhrase checks the status line on the wire: the recorder
// the other tests use has no reason phrase.
func TestRPCReasonPhrase(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(rpcAPI(t).Handler)
	t.Cleanup(srv.Close)
	tests := []struct {
		method, path, status string
		header, value, body  string
	}{
		// status_text of a PGRST raise
		{"GET", "/rpc/raise_pgrst", "402 Pay Me", "X-Powered-By", "Nerd Rage", `"message":"Payment Required"`},
		// a PTnnn raise keeps the standard phrase (see apierr.FromPostgres)
		{"POST", "/rpc/page_expired", "419 status code 419", "Proxy-Status", "PostgREST; error=PT419", `"message":"Page Expired"`},
		{"POST", "/rpc/pay_up", "402 Payment Required", "Content-Type", "application/json; charset=utf-8", `"code":"PT402"`},
		// control characters cannot end the status line
		{"POST", "/rpc/raise_pgrst_crlf", "418 Short  X-Injected: yes", "X-Injected", "", `"code":"c"`},
		// otherwise the standard phrase
		{"GET", "/rpc/raise_pgrst_no_detail", "500 Internal Server Error", "Content-Type", "application/json; charset=utf-8", `"code":"PGRST121"`},
		{"GET", "/rpc/add?a=1&b=2", "200 OK", "Content-Range", "0-0/*", `3`},
	}
	for _, tc := range tests {
		t.Run(tc.path, func(t *testing.T) {
			req, err := http.NewRequestWithContext(t.Context(), tc.method, srv.URL+tc.path, strings.NewReader("{}"))
			if err != nil {
				t.Fatal(err)
			}
			res, err := srv.Client().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			body, err := io.ReadAll(res.Body)
			res.Body.Close()
			if err != nil {
				t.Fatal(err)
			}
			if res.Status != tc.status {
				t.Errorf("status line %q, want %q", res.Status, tc.status)
			}
			if got := res.Header.Get(tc.header); got != tc.value {
				t.Errorf("%s = %q, want %q", tc.header, got, tc.value)
			}
			if !strings.Contains(string(body), tc.body) || res.ContentLength != int64(len(body)) {
				t.Errorf("body %q (Content-Length %d), want it to hold %q", body, res.ContentLength, tc.body)
			}
		})
	}
}

func TestRootSpec(t *testing.T) {
	t.Parallel()
	api := rpcAPI(t, apitest.Env("PGRST_DB_ROOT_SPEC", "root"))
	api.Get(t, "/").Status(t, 200).JSON(t, `{"openapi": "3.0.0", "paths": {}}`).
		HeaderIs(t, "Content-Type", "application/json; charset=utf-8")
	api.Do(t, apitest.Request{Method: http.MethodHead, Path: "/"}).Status(t, 200).BodyIs(t, "")
	// the rest of the API is unchanged
	api.Get(t, "/rpc/root").Status(t, 200).JSON(t, `{"openapi": "3.0.0", "paths": {}}`)
	api.Get(t, "/films?select=id&id=eq.1").Status(t, 200).JSON(t, `[{"id":1}]`)
	// without db-root-spec, / is the OpenAPI description
	plain := rpcAPI(t)
	plain.Get(t, "/").Status(t, 200).HeaderIs(t, "Content-Type", "application/openapi+json; charset=utf-8")
}
