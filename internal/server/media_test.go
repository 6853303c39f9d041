package server_test

import (
	"encoding/json"
	"reflect"
	"testing"

	"github.com/restgres/restgres/internal/apitest"
)

// mediaAPI starts a handler on the base, function and media type fixtures.
func mediaAPI(t *testing.T, opts ...apitest.Option) *apitest.API {
	t.Helper()
	return rpcAPI(t, append([]apitest.Option{apitest.Fixture("testdata/media.sql")}, opts...)...)
}

func TestMediaBuiltinHandlers(t *testing.T) {
	t.Parallel()
	api := mediaAPI(t)
	// CSV of a function's rows: a header line, then one line per row
	api.Get(t, "/rpc/films_by_director?p_director_id=1&order=id", "Accept", "text/csv").
		Status(t, 200).HeaderIs(t, "Content-Type", "text/csv; charset=utf-8").
		BodyIs(t, "id,title,year,director_id,rating,tags,meta\n1,\"Seven Samurai\",1954,1,8.6,\"{epic,drama}\",\"{\"\"lang\"\": \"\"ja\"\", \"\"runtime\"\": 207}\"\n2,Ikiru,1952,1,8.3,{drama},\"{\"\"lang\"\": \"\"ja\"\", \"\"runtime\"\": 143}\"")
	// the header names the columns of the lines, in the select's order,
	// whatever the function returns and the read needs besides
	api.Get(t, "/rpc/films_by_director?p_director_id=1&select=id,title,rating&order=id", "Accept", "text/csv").
		Status(t, 200).BodyIs(t, "id,title,rating\n1,\"Seven Samurai\",8.6\n2,Ikiru,8.3")
	api.Post(t, "/rpc/film_titles?id=lt.4", `{"min_year": 1960}`, "Accept", "text/csv").
		Status(t, 200).BodyIs(t, "id,title\n3,\"Cléo from 5 to 7\"")
	api.Get(t, "/rpc/all_films?select=title&year=lt.1960&order=id", "Accept", "text/csv").
		Status(t, 200).BodyIs(t, "title\n\"Seven Samurai\"\nIkiru")
	api.Get(t, "/rpc/all_films?select=title,director:directors(name)&id=eq.2", "Accept", "text/csv").
		Status(t, 200).BodyIs(t, "title,director\nIkiru,\"{\"\"name\"\": \"\"Akira Kurosawa\"\"}\"")
	api.Get(t, "/rpc/film?fid=2&select=title,year", "Accept", "text/csv").
		Status(t, 200).BodyIs(t, "title,year\nIkiru,1952")
	// and so for a write's representation
	api.Post(t, "/calls?select=note,id", `{"note": "csv"}`, "Accept", "text/csv", "Prefer", "return=representation").
		Status(t, 201).BodyIs(t, "note,id\ncsv,1")
	// no rows: no header either
	api.Get(t, "/rpc/films_by_director?p_director_id=99", "Accept", "text/csv").Status(t, 200).BodyIs(t, "\n")
	// */* and no Accept at all are JSON
	api.Get(t, "/rpc/add?a=1&b=2", "Accept", "*/*").Status(t, 200).BodyIs(t, "3").
		HeaderIs(t, "Content-Type", "application/json; charset=utf-8")
	api.Get(t, "/rpc/add?a=1&b=2", "Accept", "application/json").Status(t, 200).BodyIs(t, "3")
	api.Get(t, "/rpc/film_ids", "Accept", "application/vnd.pgrst.array+json").Status(t, 200).BodyIs(t, "[1, 2, 3, 4, 5]")
	api.Get(t, "/rpc/film?fid=5&select=id,year", "Accept", "application/vnd.pgrst.array+json;nulls=stripped").
		Status(t, 200).BodyIs(t, `{"id":5}`)
}

func TestMediaDomainFunctions(t *testing.T) {
	t.Parallel()
	api := mediaAPI(t)
	tests := []struct {
		name, path, accept string
		contentType, body  string
	}{
		{"text/plain", "/rpc/plain_note", "text/plain", "text/plain; charset=utf-8", `just words, "not" JSON`},
		{"text/xml", "/rpc/xml_doc", "text/xml", "text/xml; charset=utf-8", `<film id="1">Seven Samurai</film>`},
		{"octet-stream", "/rpc/raw_bytes", "application/octet-stream", "application/octet-stream", "\x00\xff\x0a\x7f"},
		{"image/png", "/rpc/pixel", "image/png", "image/png", "\x89PNG\r\n\x1a\n"},
		{"image/png with args", "/rpc/pixel?label=x", "image/png", "image/png", "\x89PNG\r\n\x1a\n"},
		{"a domain over json", "/rpc/film_doc?fid=2", "application/vnd.film+json", "application/vnd.film+json", `{"film" : "Ikiru", "year" : 1952}`},
		{"chosen by q-value", "/rpc/pixel", "application/json;q=0.5, image/png", "image/png", "\x89PNG\r\n\x1a\n"},
		{"media type compared case-insensitively", "/rpc/plain_note", "Text/Plain", "text/plain; charset=utf-8", `just words, "not" JSON`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			api.Get(t, tc.path, "Accept", tc.accept).Status(t, 200).
				HeaderIs(t, "Content-Type", tc.contentType).BodyIs(t, tc.body)
		})
	}
	// by POST too
	api.Post(t, "/rpc/pixel", `{"label": "y"}`, "Accept", "image/png").Status(t, 200).BodyIs(t, "\x89PNG\r\n\x1a\n")
	// JSON stays available: the value as JSON
	api.Get(t, "/rpc/plain_note", "Accept", "application/json").Status(t, 200).JSON(t, `"just words, \"not\" JSON"`)
	// as in PostgREST v16 (its issue 3391), */* does not pick the domain's
	// media type but JSON
	api.Get(t, "/rpc/pixel").Status(t, 200).HeaderIs(t, "Content-Type", "application/json; charset=utf-8").
		JSON(t, `"\\x89504e470d0a1a0a"`)
	api.Get(t, "/rpc/pixel", "Accept", "image/*").Error(t, 406, "PGRST107")
	// a function of plain text has no text/plain handler: builtin handlers
	// are JSON, CSV and GeoJSON only
	res := api.Get(t, "/rpc/untyped_note", "Accept", "text/plain").Error(t, 406, "PGRST107")
	fieldsAre(t, res, "message", "None of these media types are available: text/plain")
	api.Get(t, "/rpc/raw_bytes", "Accept", "text/plain").Error(t, 406, "PGRST107")
	res = api.Get(t, "/rpc/pixel", "Accept", "image/gif, text/html").Error(t, 406, "PGRST107")
	fieldsAre(t, res, "message", "None of these media types are available: image/gif, text/html")
	// HEAD: the headers of the chosen media type, no body
	api.Do(t, apitest.Request{Method: "HEAD", Path: "/rpc/pixel", Headers: []string{"Accept", "image/png"}}).
		Status(t, 200).HeaderIs(t, "Content-Type", "image/png").BodyIs(t, "")
}

func TestMediaAggregateHandlers(t *testing.T) {
	t.Parallel()
	api := mediaAPI(t)
	const tsv = "text/tab-separated-values"
	const allFilms = "1\tSeven Samurai\n2\tIkiru\n3\tCléo from 5 to 7\n4\tSpirited Away\n5\tUntitled\n"
	// a table's aggregate
	// (a media type PostgREST has no name for gets no charset)
	api.Get(t, "/films?order=id", "Accept", tsv).Status(t, 200).
		HeaderIs(t, "Content-Type", tsv).BodyIs(t, allFilms)
	api.Get(t, "/films?id=lt.3&order=id.desc", "Accept", tsv).Status(t, 200).BodyIs(t, "2\tIkiru\n1\tSeven Samurai\n")
	// the same aggregate serves functions returning that table's rows
	api.Get(t, "/rpc/films_by_director?p_director_id=1&order=id", "Accept", tsv).Status(t, 200).
		BodyIs(t, "1\tSeven Samurai\n2\tIkiru\n")
	api.Post(t, "/rpc/all_films?order=id", `{}`, "Accept", tsv).Status(t, 200).BodyIs(t, allFilms)
	// a view's own aggregate
	api.Get(t, "/film_years?order=id&id=gt.3", "Accept", tsv).Status(t, 200).BodyIs(t, "4\t2001\n5\t\n")
	// a custom handler needs the default select: with another select only
	// the builtin ones apply
	api.Get(t, "/films?select=id", "Accept", tsv).Error(t, 406, "PGRST107")
	// no aggregate for this table
	api.Get(t, "/directors", "Accept", tsv).Error(t, 406, "PGRST107")

	// overriding the builtin CSV handler for one table
	api.Get(t, "/directors?order=id", "Accept", "text/csv").Status(t, 200).
		HeaderIs(t, "Content-Type", "text/csv; charset=utf-8").
		HeaderIs(t, "Content-Disposition", `attachment; filename="directors.csv"`).
		BodyIs(t, "ID;NAME\n1;Akira Kurosawa\n2;Agnès Varda\n3;Hayao Miyazaki\n")
	api.Get(t, "/films?select=id&id=eq.1", "Accept", "text/csv").Status(t, 200).BodyIs(t, "id\n1")

	// an aggregate over anyelement serves every table, view and function
	const rowcount = "application/vnd.rowcount"
	api.Get(t, "/films", "Accept", rowcount).Status(t, 200).HeaderIs(t, "Content-Type", rowcount).BodyIs(t, "5")
	api.Get(t, "/films?select=id&year=gt.1960", "Accept", rowcount).Status(t, 200).BodyIs(t, "2")
	api.Get(t, "/directors", "Accept", rowcount).Status(t, 200).BodyIs(t, "3")
	api.Get(t, "/rpc/films_by_director?p_director_id=1", "Accept", rowcount).Status(t, 200).BodyIs(t, "2")
	api.Get(t, "/rpc/film_ids?limit=3", "Accept", rowcount).Status(t, 200).BodyIs(t, "3")
	api.Get(t, "/rpc/add?a=1&b=2", "Accept", rowcount).Status(t, 200).BodyIs(t, "1")

	// "*/*": every Accept, and none, gets this handler
	const titles = "Seven Samurai\nIkiru\nCléo from 5 to 7\nSpirited Away\nUntitled\n"
	api.Get(t, "/film_titles.txt?order=id").Status(t, 200).
		HeaderIs(t, "Content-Type", "application/octet-stream").BodyIs(t, titles)
	api.Get(t, "/film_titles.txt?order=id", "Accept", "application/json").Status(t, 200).BodyIs(t, titles)
	api.Get(t, "/film_titles.txt?order=id", "Accept", "text/plain").Status(t, 200).
		HeaderIs(t, "Content-Type", "text/plain; charset=utf-8").BodyIs(t, titles)
	// but it too needs the default select
	api.Get(t, "/film_titles.txt?select=id&id=eq.1").Status(t, 200).
		HeaderIs(t, "Content-Type", "application/json; charset=utf-8").JSON(t, `[{"id":1}]`)
}

func TestMediaNegotiation(t *testing.T) {
	t.Parallel()
	api := mediaAPI(t)
	const tsv = "text/tab-separated-values"
	tests := []struct {
		name, accept, contentType string
	}{
		{"highest q wins", "text/csv;q=0.5, " + tsv + ";q=0.9", tsv},
		{"q=1 by default", tsv + ";q=0.1, application/json", "application/json; charset=utf-8"},
		{"first of equal q", "text/csv, " + tsv, "text/csv; charset=utf-8"},
		{"specific before wildcard", "*/*, " + tsv, tsv},
		{"unknown skipped", "image/gif, text/csv;q=0.2", "text/csv; charset=utf-8"},
		{"wildcard last resort", "image/gif, */*;q=0.1", "application/json; charset=utf-8"},
		{"Firefox", "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", "application/json; charset=utf-8"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			api.Get(t, "/films?id=eq.1", "Accept", tc.accept).Status(t, 200).HeaderIs(t, "Content-Type", tc.contentType)
		})
	}
	res := api.Get(t, "/films", "Accept", "image/gif;q=0.5, text/html").Error(t, 406, "PGRST107")
	fieldsAre(t, res, "message", "None of these media types are available: text/html, image/gif")
	api.Get(t, "/rpc/film_ids", "Accept", "text/html").Error(t, 406, "PGRST107")
	// the 406 comes before the function runs: nothing is written
	api.Post(t, "/rpc/log_call", `{"note": "x"}`, "Accept", "text/html").Error(t, 406, "PGRST107")
	api.Get(t, "/rpc/volatile_read").JSON(t, `0`)
}

func TestMediaGeoJSON(t *testing.T) {
	t.Parallel()
	api := newAPI(t, apitest.Fixture("testdata/postgis.sql"))
	const geo = "application/geo+json"
	wantGeo := func(t *testing.T, res *apitest.Response, want string) {
		t.Helper()
		res.Status(t, 200).HeaderIs(t, "Content-Type", geo+"; charset=utf-8")
		var got, w any
		if err := json.Unmarshal(res.Body, &got); err != nil {
			t.Fatalf("body is not JSON: %v: %s", err, res.Body)
		}
		if err := json.Unmarshal([]byte(want), &w); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, w) {
			t.Errorf("body = %s\nwant   %s", res.Body, want)
		}
	}
	feature := func(name, coords string) string {
		return `{"type":"Feature","geometry":{"type":"Point","coordinates":` + coords + `},"properties":{"name":"` + name + `"}}`
	}
	wantGeo(t, api.Get(t, "/places?select=name,geom&order=id", "Accept", geo),
		`{"type":"FeatureCollection","features":[`+feature("Kyoto", "[135.77,35.01]")+`,`+feature("Paris", "[2.35,48.86]")+`,`+feature("Tokyo", "[139.69,35.69]")+`]}`)
	// a function returning the table's rows, with filters
	wantGeo(t, api.Get(t, "/rpc/places_east_of?lon=100&select=name,geom&order=name.desc", "Accept", geo),
		`{"type":"FeatureCollection","features":[`+feature("Tokyo", "[139.69,35.69]")+`,`+feature("Kyoto", "[135.77,35.01]")+`]}`)
	wantGeo(t, api.Post(t, "/rpc/places_east_of?select=name,geom", `{"lon": 100}`, "Accept", geo, "Prefer", "count=exact").
		HeaderIs(t, "Content-Range", "0-1/2"), ``+
		`{"type":"FeatureCollection","features":[`+feature("Kyoto", "[135.77,35.01]")+`,`+feature("Tokyo", "[139.69,35.69]")+`]}`)
	// nothing matched: an empty collection
	wantGeo(t, api.Get(t, "/rpc/places_east_of?lon=170&select=name,geom", "Accept", geo),
		`{"type":"FeatureCollection","features":[]}`)
	// in application/json, the geometry is PostGIS's cast to json
	api.Get(t, "/places?select=name,geom&id=eq.2").Status(t, 200).
		JSON(t, `[{"name":"Paris","geom":{"type":"Point","crs":{"type":"name","properties":{"name":"EPSG:4326"}},"coordinates":[2.35,48.86]}}]`)
}
