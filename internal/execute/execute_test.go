package execute_test

import (
	"errors"
	"strconv"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/restgres/restgres/internal/apierr"
	"github.com/restgres/restgres/internal/execute"
	"github.com/restgres/restgres/internal/pgtest"
	"github.com/restgres/restgres/internal/sqlgen"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// newExecutor returns an Executor on a one-connection pool, so that every
// transaction of a test runs on the same connection: the first ones
// prepare their statements (the pipeline path), the next ones find them
// prepared (the batch path).
func newExecutor(t *testing.T, prepared bool) *execute.Executor {
	t.Helper()
	_, db := pgtest.NewDB(t, "testdata/execute.sql")
	pool, err := pgxpool.New(t.Context(), pgtest.Shared(t).URI(db, "postgres")+"&pool_max_conns=1")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	return execute.New(pool, execute.Options{Prepared: prepared})
}

// query is a main statement whose one row has page_total and body columns.
func query(sql string, args ...string) sqlgen.Query {
	q := sqlgen.Query{SQL: sql, Columns: sqlgen.Columns{Total: -1, PageTotal: 0, Header: -1, Body: 1,
		ResponseHeaders: -1, ResponseStatus: -1, Inserted: -1}}
	for _, a := range args {
		q.Args = append(q.Args, []byte(a))
		q.OIDs = append(q.OIDs, 0)
	}
	return q
}

func setup() sqlgen.Query {
	return sqlgen.TxSetup(&sqlgen.TxVars{
		SearchPath: `"public"`, Role: "postgres", Claims: []byte(`{}`), Method: "GET", Path: "/",
		Headers: []byte(`{}`), Cookies: []byte(`{}`),
	})
}

func wantCode(t *testing.T, err error, code string) {
	t.Helper()
	var ae *apierr.Error
	if !errors.As(err, &ae) || ae.Code != code {
		t.Fatalf("error %v, want code %s", err, code)
	}
}

// TestRunPaths runs the same transactions several times on one
// connection, so that each runs once through the pipeline that prepares
// its statements and then through the batch that reuses them, with and
// without db-prepared-statements: results, errors and the connection's
// state after an error must be the same either way.
func TestRunPaths(t *testing.T) {
	for _, prepared := range []bool{true, false} {
		t.Run("prepared="+strconv.FormatBool(prepared), func(t *testing.T) {
			e := newExecutor(t, prepared)
			ctx := t.Context()
			read := &execute.Tx{ReadOnly: true, Setup: setup(),
				Main: query("select count(*), json_agg(x.id)::text from items x where x.id <= $1", "2")}
			checkFails := &execute.Tx{Setup: setup(),
				Main: query("with i as (insert into items values ($1, 'x', -1) returning 1) select count(*), '' from i", "10")}
			deferredFails := &execute.Tx{Setup: setup(),
				Main: query("with i as (insert into links values ($1) returning 1) select count(*), '' from i", "99")}
			rolledBack := &execute.Tx{Setup: setup(), End: execute.Rollback,
				Main: query("with i as (insert into items values ($1, 'y', 1) returning 1) select count(*), '' from i", "11")}
			for i := range 3 {
				res, err := e.Run(ctx, read)
				if err != nil {
					t.Fatalf("round %d: read: %v", i, err)
				}
				if res.PageTotal != 2 || string(res.Body) != "[1, 2]" {
					t.Errorf("round %d: read = %d %s, want 2 [1, 2]", i, res.PageTotal, res.Body)
				}
				_, err = e.Run(ctx, checkFails)
				wantCode(t, err, "23514")
				// the deferred foreign key fails at COMMIT
				_, err = e.Run(ctx, deferredFails)
				wantCode(t, err, "23503")
				if res, err := e.Run(ctx, rolledBack); err != nil || res.PageTotal != 1 {
					t.Fatalf("round %d: rolled back insert: %v %v", i, res, err)
				}
			}
			// after a schema reload the statements are prepared anew
			e.InvalidateStatements()
			for i := range 2 {
				if res, err := e.Run(ctx, read); err != nil || res.PageTotal != 2 {
					t.Fatalf("after InvalidateStatements, run %d: %v %v", i, res, err)
				}
			}
			// nothing was written, and the connection is still usable
			res, err := e.Run(ctx, &execute.Tx{ReadOnly: true, Setup: setup(),
				Main: query("select count(*), (select count(*) from links)::text from items")})
			if err != nil || res.PageTotal != 3 || string(res.Body) != "0" {
				t.Fatalf("after the failures: %v %v, want 3 items and no links", res, err)
			}
		})
	}
}
