package execute_test

import (
	"context"
	"errors"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/restgres/restgres/internal/apierr"
	"github.com/restgres/restgres/internal/execute"
	"github.com/restgres/restgres/internal/pgtest"
	"github.com/restgres/restgres/internal/sqlgen"
)

func newExecutorWithAdmin(t *testing.T, prepared bool) (*execute.Executor, *pgxpool.Pool) {
	t.Helper()
	admin, db := pgtest.NewDB(t, "testdata/exec.sql")
	cfg, err := pgxpool.ParseConfig(pgtest.Shared(t).URI(db, "postgres"))
	if err != nil {
		t.Fatal(err)
	}
	cfg.MaxConns = 1 // one connection: every run reuses its statement cache
	pool, err := pgxpool.NewWithConfig(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	return execute.New(pool, execute.Options{Prepared: prepared}), admin
}

// mainQuery is a main statement in the read layout returning body.
func readLayoutQuery(body string) sqlgen.Query {
	return sqlgen.Query{
		SQL:     "SELECT null::bigint, 1::bigint, " + body + ", null::text, null::text, ''",
		Columns: sqlgen.ReadColumns, ResultFormats: []int16{0, 0, 1, 0, 0, 0},
	}
}

func setupAsPostgres() sqlgen.Query {
	return sqlgen.TxSetup(&sqlgen.TxVars{
		SearchPath: `"public"`, Role: "postgres", Claims: []byte(`{"role":"postgres"}`),
		Method: "GET", Path: "/", Headers: []byte(`{}`), Cookies: []byte(`{}`),
	})
}

func TestRunReturnsBodyBytes(t *testing.T) {
	t.Parallel()
	for _, prepared := range []bool{true, false} {
		ex, _ := newExecutorWithAdmin(t, prepared)
		for i := 0; i < 3; i++ { // the second and third runs hit the statement cache
			res, err := ex.Run(t.Context(), &execute.Tx{ReadOnly: true, Setup: setupAsPostgres(), Main: readLayoutQuery(`'{"a": 1}'::json`)})
			if err != nil {
				t.Fatal(err)
			}
			if string(res.Body) != `{"a": 1}` || res.PageTotal != 1 || res.HasTotal {
				t.Errorf("run %d (prepared %v): body %q page %d total %v", i, prepared, res.Body, res.PageTotal, res.HasTotal)
			}
		}
	}
}

func TestRunErrorLeavesConnectionUsable(t *testing.T) {
	t.Parallel()
	ex, _ := newExecutorWithAdmin(t, true)
	bad := readLayoutQuery("(1/0)::text")
	for i := 0; i < 2; i++ {
		_, err := ex.Run(t.Context(), &execute.Tx{ReadOnly: true, Setup: setupAsPostgres(), Main: bad})
		var ae *apierr.Error
		if !errors.As(err, &ae) || ae.Code != "22012" || ae.Status != 400 {
			t.Fatalf("run %d: err = %v, want 22012 division by zero as a 400", i, err)
		}
	}
	// the same connection answers the next request, its prepared
	// statements intact
	res, err := ex.Run(t.Context(), &execute.Tx{ReadOnly: true, Setup: setupAsPostgres(), Main: readLayoutQuery("'ok'::text")})
	if err != nil || string(res.Body) != "ok" {
		t.Fatalf("after errors: %q, %v", res.Body, err)
	}
}

func TestRunRollsBackOnError(t *testing.T) {
	t.Parallel()
	ex, admin := newExecutorWithAdmin(t, true)
	write := sqlgen.Query{
		SQL:     "WITH w AS (INSERT INTO items(v) VALUES (1), (1/0) RETURNING 1) SELECT null::bigint, count(*), ''::text, null::text, null::text, '' FROM w",
		Columns: sqlgen.ReadColumns,
	}
	if _, err := ex.Run(t.Context(), &execute.Tx{Setup: setupAsPostgres(), Main: write}); err == nil {
		t.Fatal("want the division by zero")
	}
	var n int
	if err := admin.QueryRow(t.Context(), "select count(*) from items").Scan(&n); err != nil || n != 0 {
		t.Fatalf("items = %d, %v; want nothing written", n, err)
	}
}

func TestRunDecide(t *testing.T) {
	t.Parallel()
	ex, admin := newExecutorWithAdmin(t, true)
	insert := sqlgen.Query{
		SQL:     "WITH w AS (INSERT INTO items(v) VALUES (7), (8) RETURNING 1) SELECT null::bigint, count(*), ''::text, null::text, null::text, '' FROM w",
		Columns: sqlgen.ReadColumns,
	}
	refuse := errors.New("refused")
	_, err := ex.Run(t.Context(), &execute.Tx{Setup: setupAsPostgres(), Main: insert, End: execute.Decide,
		Check: func(r *execute.Result) error {
			if r.PageTotal != 2 {
				t.Errorf("check sees %d rows, want 2", r.PageTotal)
			}
			return refuse
		}})
	if !errors.Is(err, refuse) {
		t.Fatalf("err = %v, want the check's error", err)
	}
	count := func() int {
		var n int
		if err := admin.QueryRow(t.Context(), "select count(*) from items").Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	if n := count(); n != 0 {
		t.Fatalf("a refused check left %d rows", n)
	}
	if _, err := ex.Run(t.Context(), &execute.Tx{Setup: setupAsPostgres(), Main: insert, End: execute.Decide,
		Check: func(*execute.Result) error { return nil }}); err != nil {
		t.Fatal(err)
	}
	if n := count(); n != 2 {
		t.Fatalf("an accepted check left %d rows, want 2", n)
	}
	if _, err := ex.Run(t.Context(), &execute.Tx{Setup: setupAsPostgres(), Main: insert, End: execute.Rollback}); err != nil {
		t.Fatal(err)
	}
	if n := count(); n != 2 {
		t.Fatalf("End=Rollback wrote: %d rows, want 2", n)
	}
}

func TestInvalidateStatements(t *testing.T) {
	t.Parallel()
	ex, admin := newExecutorWithAdmin(t, true)
	q := sqlgen.Query{SQL: "SELECT null::bigint, count(*), ''::text, null::text, null::text, '' FROM items", Columns: sqlgen.ReadColumns}
	if _, err := ex.Run(t.Context(), &execute.Tx{ReadOnly: true, Setup: setupAsPostgres(), Main: q}); err != nil {
		t.Fatal(err)
	}
	// a schema change that alters what the cached statement returns
	if _, err := admin.Exec(t.Context(), "alter table items alter column v type text"); err != nil {
		t.Fatal(err)
	}
	ex.InvalidateStatements()
	if _, err := ex.Run(t.Context(), &execute.Tx{ReadOnly: true, Setup: setupAsPostgres(), Main: q}); err != nil {
		t.Fatalf("after invalidation: %v", err)
	}
}
