package server_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/restgres/restgres/internal/apitest"
)

// planAPI starts a handler with db-plan-enabled on the function fixture.
func planAPI(t *testing.T, opts ...apitest.Option) *apitest.API {
	t.Helper()
	return rpcAPI(t, append([]apitest.Option{apitest.Env("PGRST_DB_PLAN_ENABLED", "true")}, opts...)...)
}

// bodyHas asserts that the body contains every one of parts.
func bodyHas(t *testing.T, res *apitest.Response, parts ...string) {
	t.Helper()
	for _, p := range parts {
		if !strings.Contains(string(res.Body), p) {
			t.Errorf("body lacks %q:\n%s", p, res.Body)
		}
	}
}

const planMT = "application/vnd.pgrst.plan"

func TestPlanDisabled(t *testing.T) {
	t.Parallel()
	api := rpcAPI(t)
	res := api.Get(t, "/films", "Accept", planMT).Error(t, 406, "PGRST107")
	fieldsAre(t, res, "message", `None of these media types are available: application/vnd.pgrst.plan+text; for="application/json"`)
	api.Get(t, "/rpc/film_ids", "Accept", planMT+"+json").Error(t, 406, "PGRST107")
	// another acceptable type still answers
	api.Get(t, "/films?select=id&id=eq.1", "Accept", planMT+", application/json;q=0.5").Status(t, 200).JSON(t, `[{"id":1}]`)
}

func TestPlanTables(t *testing.T) {
	t.Parallel()
	api := planAPI(t)
	res := api.Get(t, "/films?id=eq.1", "Accept", planMT).Status(t, 200).
		HeaderIs(t, "Content-Type", `application/vnd.pgrst.plan+text; for="application/json"; charset=utf-8`)
	bodyHas(t, res, "Aggregate", "on films", "(id = 1)")
	// PostgREST's response headers do not apply to a plan
	res.HeaderIs(t, "Content-Range", "")

	res = api.Get(t, "/films?id=eq.1", "Accept", planMT+"+json").Status(t, 200).
		HeaderIs(t, "Content-Type", `application/vnd.pgrst.plan+json; for="application/json"; charset=utf-8`)
	var plans []struct {
		Plan struct {
			NodeType string `json:"Node Type"`
			Plans    []struct {
				Relation string `json:"Relation Name"`
			} `json:"Plans"`
		} `json:"Plan"`
	}
	if err := json.Unmarshal(res.Body, &plans); err != nil {
		t.Fatalf("plan is not JSON: %v\n%s", err, res.Body)
	}
	if len(plans) != 1 || plans[0].Plan.NodeType != "Aggregate" || len(plans[0].Plan.Plans) != 1 ||
		plans[0].Plan.Plans[0].Relation != "films" {
		t.Errorf("plan = %+v, want an Aggregate over films", plans)
	}

	// the plan is that of the statement the media type would run
	res = api.Get(t, "/films?select=title,directors(name)", "Accept", planMT+`; for="text/csv"; options=verbose`).Status(t, 200).
		HeaderIs(t, "Content-Type", `application/vnd.pgrst.plan+text; for="text/csv"; options=verbose; charset=utf-8`)
	bodyHas(t, res, "string_agg", "api.films", "api.directors", "Output:")
	res = api.Get(t, "/films?id=eq.1", "Accept", planMT+`; for="application/vnd.pgrst.object"; options=verbose`).Status(t, 200).
		HeaderIs(t, "Content-Type", `application/vnd.pgrst.plan+text; for="application/vnd.pgrst.object+json"; options=verbose; charset=utf-8`)
	bodyHas(t, res, "-> 0")
	res = api.Get(t, "/films", "Accept", planMT+`; for="application/vnd.pgrst.array+json;nulls=stripped"; options=verbose`).Status(t, 200)
	bodyHas(t, res, "json_strip_nulls")
	api.Get(t, "/films", "Accept", planMT+`; for="text/unknown"`).Error(t, 406, "PGRST107")

	// EXPLAIN options
	res = api.Get(t, "/films?id=eq.1", "Accept", planMT+"; options=analyze").Status(t, 200)
	bodyHas(t, res, "actual time=", "Execution Time")
	res = api.Get(t, "/films?id=eq.1", "Accept", planMT+"; options=settings").Status(t, 200)
	bodyHas(t, res, `Settings: search_path = '"api", "public"'`)
	res = api.Get(t, "/films?id=eq.1", "Accept", planMT+"; options=analyze|buffers|wal").Status(t, 200).
		HeaderIs(t, "Content-Type", `application/vnd.pgrst.plan+text; for="application/json"; options=analyze|buffers|wal; charset=utf-8`)
	bodyHas(t, res, "actual time=", "Buffers: shared hit=")
	// PostgreSQL's own rule: WAL needs ANALYZE
	res = api.Get(t, "/films", "Accept", planMT+"; options=wal").Error(t, 400, "22023")
	fieldsAre(t, res, "message", "EXPLAIN option WAL requires ANALYZE")
	res = api.Get(t, "/films?select=title&year=gt.2000", "Accept", planMT+"+json; options=analyze|verbose").Status(t, 200)
	bodyHas(t, res, `"Actual Total Time"`, `"Output"`, `"Schema": "api"`)

	// a write's plan, without ANALYZE, does not write
	res = api.Post(t, "/calls", `{"note": "planned"}`, "Accept", planMT).Status(t, 200)
	bodyHas(t, res, "Insert on calls")
	api.Get(t, "/calls").Status(t, 200).JSON(t, `[]`)
}

func TestPlanFunctions(t *testing.T) {
	t.Parallel()
	api := planAPI(t)
	// a function PostgreSQL cannot inline shows as a Function Scan
	res := api.Get(t, "/rpc/films_plpgsql?id=eq.1", "Accept", planMT).Status(t, 200).
		HeaderIs(t, "Content-Type", `application/vnd.pgrst.plan+text; for="application/json"; charset=utf-8`)
	bodyHas(t, res, "Function Scan on films_plpgsql pgrst_call", "Filter: (id = 1)")
	res = api.Post(t, "/rpc/films_plpgsql", `{}`, "Accept", planMT+"; options=verbose").Status(t, 200)
	bodyHas(t, res, "Function Scan on api.films_plpgsql pgrst_call", "Function Call: films_plpgsql()")
	// an inlined SQL function reads its table
	res = api.Get(t, "/rpc/films_by_director?p_director_id=1", "Accept", planMT).Status(t, 200)
	bodyHas(t, res, "on films", "(director_id = 1)")
	res = api.Get(t, "/rpc/add?a=1&b=2", "Accept", planMT+`; for="application/vnd.pgrst.object"; options=verbose`).Status(t, 200)
	bodyHas(t, res, "json_agg(3)")
	res = api.Post(t, "/rpc/log_call", `{"note": "x"}`, "Accept", planMT+"+json; options=verbose").Status(t, 200).
		HeaderIs(t, "Content-Type", `application/vnd.pgrst.plan+json; for="application/json"; options=verbose; charset=utf-8`)
	bodyHas(t, res, `"Output": ["(log_call(_.note))"]`, `"Function Name": "json_to_record"`)
	// without ANALYZE the function did not run ...
	api.Get(t, "/rpc/volatile_read").JSON(t, `0`)
	// ... with it, it did and, as in PostgREST, its transaction commits
	res = api.Post(t, "/rpc/log_call", `{"note": "analyzed"}`, "Accept", planMT+"; options=analyze").Status(t, 200)
	bodyHas(t, res, "actual time=")
	api.Get(t, "/rpc/volatile_read").JSON(t, `1`)
	// unless the client asked for a rollback
	rb := planAPI(t, apitest.Env("PGRST_DB_TX_END", "commit-allow-override"))
	rb.Post(t, "/rpc/log_call", `{"note": "analyzed"}`, "Accept", planMT+"; options=analyze", "Prefer", "tx=rollback").Status(t, 200)
	rb.Get(t, "/rpc/volatile_read").JSON(t, `0`)
	// still READ ONLY where it would run READ ONLY
	api.Get(t, "/rpc/log_call?note=x", "Accept", planMT+"; options=analyze").Error(t, 405, "25006")
}

func TestPlanCustomHandlers(t *testing.T) {
	t.Parallel()
	api := mediaAPI(t, apitest.Env("PGRST_DB_PLAN_ENABLED", "true"))
	res := api.Get(t, "/films", "Accept", planMT+`; for="text/tab-separated-values"; options=verbose`).Status(t, 200).
		HeaderIs(t, "Content-Type", `application/vnd.pgrst.plan+text; for="text/tab-separated-values"; options=verbose; charset=utf-8`)
	bodyHas(t, res, "films_tsv(ROW(films.id")
	res = api.Get(t, "/rpc/all_films", "Accept", planMT+`; for="application/vnd.rowcount"; options=verbose`).Status(t, 200)
	bodyHas(t, res, "rowcount(ROW(films.id")
	// the handler must exist for the object, as without the plan
	api.Get(t, "/directors", "Accept", planMT+`; for="text/tab-separated-values"`).Error(t, 406, "PGRST107")
}
