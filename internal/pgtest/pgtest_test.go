package pgtest_test

import (
	"testing"

	"github.com/restgres/restgres/internal/pgtest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

func TestNewDBIsolatesClones(t *testing.T) {
	t.Parallel()
	a, _ := pgtest.NewDB(t, "testdata/smoke.sql")
	b, _ := pgtest.NewDB(t, "testdata/smoke.sql")
	if _, err := a.Exec(t.Context(), "delete from smoke"); err != nil {
		t.Fatal(err)
	}
	var n int
	if err := b.QueryRow(t.Context(), "select count(*) from smoke").Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 2 {
		t.Fatalf("clone b sees %d rows after clone a deleted its rows, want 2", n)
	}
	if err := a.QueryRow(t.Context(), "select count(*) from smoke").Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 0 {
		t.Fatalf("clone a has %d rows after delete, want 0", n)
	}
}
