package config

import (
	"reflect"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/restgres/restgres/internal/pgtest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// connectAs returns a connection to a fresh clone of the dbconfig fixture
// as role, after adding database-specific settings for that clone with the
// superuser (setdatabase is the clone's oid, so these stay per test).
func connectAs(t *testing.T, role string, dbSpecific ...string) *pgx.Conn {
	t.Helper()
	pool, db := pgtest.NewDB(t, "testdata/dbconfig.sql")
	for _, set := range dbSpecific {
		if _, err := pool.Exec(t.Context(), "ALTER ROLE "+pgx.Identifier{role}.Sanitize()+" IN DATABASE "+pgx.Identifier{db}.Sanitize()+" SET "+set); err != nil {
			t.Fatal(err)
		}
	}
	conn, err := pgx.Connect(t.Context(), pgtest.Shared(t).URI(db, role))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close(t.Context()) })
	return conn
}

func TestQueryDatabaseSettings(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		role       string
		dbSpecific []string
		preConfig  QualifiedName
		want       []KeyValue
	}{
		{"role settings", "cfgtest_authenticator", nil, QualifiedName{}, []KeyValue{
			{"db_anon_role", "role_anon"}, {"db_schemas", "role_schema"}, {"jwt_aud", "role_aud"},
		}},
		{"database-specific setting wins", "cfgtest_authenticator", []string{"pgrst.db_schemas = 'db_schema'"}, QualifiedName{}, []KeyValue{
			{"db_anon_role", "role_anon"}, {"db_schemas", "db_schema"}, {"jwt_aud", "role_aud"},
		}},
		// Role settings win over the pre-config function; the function
		// fills in the rest.
		{"pre-config", "cfgtest_authenticator", []string{"pgrst.db_schemas = 'db_schema'"}, QualifiedName{"postgrest", "pre_config"}, []KeyValue{
			{"db_anon_role", "role_anon"}, {"db_max_rows", "100"}, {"db_schemas", "db_schema"}, {"jwt_aud", "role_aud"}, {"openapi_mode", "disabled"},
		}},
		{"pre-config only", "cfgtest_plain", nil, QualifiedName{"postgrest", "pre_config"}, []KeyValue{
			{"db_max_rows", "100"}, {"db_schemas", "pre_schema"}, {"jwt_aud", "pre_aud"}, {"openapi_mode", "disabled"},
		}},
		{"quoted function name", "cfgtest_plain", nil, QualifiedName{"Weird Schema", "pre.config"}, []KeyValue{
			{"db_tx_end", "rollback"},
		}},
		{"nothing set", "cfgtest_plain", nil, QualifiedName{}, []KeyValue{}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			conn := connectAs(t, tc.role, tc.dbSpecific...)
			got, err := QueryDatabaseSettings(t.Context(), conn, tc.preConfig)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("QueryDatabaseSettings = %q, want %q", got, tc.want)
			}
			// What the pre-config function set, even for the session, is
			// gone with the rolled-back transaction.
			var leaked *string
			if err := conn.QueryRow(t.Context(), "SELECT nullif(current_setting('pgrst.openapi_mode', true), '')").Scan(&leaked); err != nil {
				t.Fatal(err)
			}
			if leaked != nil {
				t.Errorf("pgrst.openapi_mode = %q after the query", *leaked)
			}
		})
	}
}

func TestQueryDatabaseSettingsErrors(t *testing.T) {
	t.Parallel()
	conn := connectAs(t, "cfgtest_plain")
	if _, err := QueryDatabaseSettings(t.Context(), conn, QualifiedName{"postgrest", "missing"}); err == nil {
		t.Error("a missing pre-config function gave no error")
	}
	// The connection is usable again after the failed transaction.
	kv, err := QueryDatabaseSettings(t.Context(), conn, QualifiedName{"postgrest", "bad_config"})
	if err != nil {
		t.Fatal(err)
	}
	c := mustLoad(t, "")
	if _, err := c.WithDatabaseSettings(kv); err == nil || err.Error() != `config: db-max-rows: expected an integer, got "lots" (pgrst.db_max_rows)` {
		t.Errorf("bad in-database value: %v", err)
	}
}

// TestInDatabaseOverrides follows a start-up with db-config: the file and
// environment first, then the database over both.
func TestInDatabaseOverrides(t *testing.T) {
	t.Parallel()
	conn := connectAs(t, "cfgtest_authenticator")
	c := mustLoad(t, "db-schemas = \"file_schema\"\ndb-pre-config = \"postgrest.pre_config\"\ndb-max-rows = 5\nlog-level = \"info\"",
		"PGRST_JWT_AUD=env_aud", "PGRST_DB_MAX_ROWS=6")
	kv, err := QueryDatabaseSettings(t.Context(), conn, c.DBPreConfig)
	if err != nil {
		t.Fatal(err)
	}
	n, err := c.WithDatabaseSettings(kv)
	if err != nil {
		t.Fatal(err)
	}
	if n.DBSchemas[0] != "role_schema" || n.JWTAudience != "role_aud" || n.DBMaxRows != 100 || n.OpenAPIMode != OpenAPIDisabled || n.LogLevel != LogInfo {
		t.Errorf("after in-database settings:\n%s", n.Dump())
	}
}

func TestQueryRoleSettings(t *testing.T) {
	t.Parallel()
	conn := connectAs(t, "cfgtest_authenticator")
	settings, isolation, err := QueryRoleSettings(t.Context(), conn)
	if err != nil {
		t.Fatal(err)
	}
	wantSettings := map[string][]KeyValue{
		"cfgtest_web":     {{"statement_timeout", "10s"}, {"work_mem", "2MB"}},
		"cfgtest_iso":     {},
		"cfgtest_granted": {{"log_min_duration_statement", "250"}},
	}
	if !reflect.DeepEqual(settings, wantSettings) {
		t.Errorf("settings = %q, want %q", settings, wantSettings)
	}
	wantIsolation := map[string]string{"cfgtest_web": "serializable", "cfgtest_iso": "repeatable read"}
	if !reflect.DeepEqual(isolation, wantIsolation) {
		t.Errorf("isolation = %q, want %q", isolation, wantIsolation)
	}

	plain := connectAs(t, "cfgtest_plain")
	settings, isolation, err = QueryRoleSettings(t.Context(), plain)
	if err != nil || len(settings) != 0 || len(isolation) != 0 {
		t.Errorf("a role with no members: %v %v %v", settings, isolation, err)
	}
}

func TestIsolationLevel(t *testing.T) {
	for in, want := range map[string]string{
		"serializable": "serializable", "REPEATABLE READ": "repeatable read", "read committed": "read committed",
		"read uncommitted": "read committed", "": "read committed",
	} {
		if got := isolationLevel(in); got != want {
			t.Errorf("isolationLevel(%q) = %q, want %q", in, got, want)
		}
	}
}
