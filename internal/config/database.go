package config

import (
	"context"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"
)

// This file is the in-database configuration (db-config): pgrst.* settings
// of the authenticator role and of the db-pre-config function, and the
// settings of the roles the authenticator may switch to. The queries run in
// a read-only transaction that is rolled back, so whatever the pre-config
// function sets, even with set_config(..., false), does not outlive them.

// dbSettingsQuery returns the pgrst.* settings with PostgREST's priority:
// a role setting for this database, then a role setting for every
// database, then the pre-config function (%s: its join, or nothing). A
// setting made with ALTER DATABASE alone has no effect.
const dbSettingsQuery = `
WITH role_setting AS (
  SELECT s.setdatabase AS database, unnest(s.setconfig) AS setting
  FROM pg_catalog.pg_db_role_setting s
  WHERE s.setrole = (SELECT oid FROM pg_catalog.pg_roles WHERE rolname = current_user)
    AND s.setdatabase IN (0, (SELECT oid FROM pg_catalog.pg_database WHERE datname = current_catalog))
),
kv AS (
  SELECT database,
         substr(setting, 1, strpos(setting, '=') - 1) AS k,
         substr(setting, strpos(setting, '=') + 1) AS v
  FROM role_setting
  %s
)
SELECT DISTINCT ON (key) substr(k, length('pgrst.') + 1) AS key, v AS value
FROM kv
WHERE k = ANY($1) AND v IS NOT NULL
ORDER BY key, database DESC NULLS LAST`

// preConfigJoin adds the values the pre-config function (%s) sets; its
// database is NULL so that role settings win over it.
const preConfigJoin = `
  UNION
  SELECT NULL, name, current_setting(name, true)
  FROM unnest($1::text[]) AS name
  JOIN %s() AS _ ON true`

// QueryDatabaseSettings reads the in-database settings for the role conn
// is logged in as: pgrst.* settings from ALTER ROLE ... [IN DATABASE ...]
// SET and, when preConfig is set, those the function sets with
// set_config(). The keys come without the "pgrst." prefix ("db_schemas"),
// as WithDatabaseSettings takes them; only DatabaseSettingNames are read.
func QueryDatabaseSettings(ctx context.Context, conn *pgx.Conn, preConfig QualifiedName) ([]KeyValue, error) {
	join := ""
	if !preConfig.IsZero() {
		// The function name is the one identifier in this SQL; pgx quotes
		// it, so a configured name cannot inject SQL.
		ident := pgx.Identifier{preConfig.Name}
		if preConfig.Schema != "" {
			ident = pgx.Identifier{preConfig.Schema, preConfig.Name}
		}
		join = fmt.Sprintf(preConfigJoin, ident.Sanitize())
	}
	names := DatabaseSettingNames()
	for i, n := range names {
		names[i] = "pgrst." + n
	}
	var out []KeyValue
	err := readOnly(ctx, conn, func(tx pgx.Tx) error {
		rows, _ := tx.Query(ctx, fmt.Sprintf(dbSettingsQuery, join), names)
		var err error
		out, err = pgx.CollectRows(rows, func(row pgx.CollectableRow) (KeyValue, error) {
			var kv KeyValue
			err := row.Scan(&kv.Key, &kv.Value)
			return kv, err
		})
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("config: reading the in-database configuration: %w", err)
	}
	return out, nil
}

// WithDatabaseSettings returns a new Config: c's file and environment
// settings with kv (as QueryDatabaseSettings returns them) laid over both,
// the way PostgREST gives in-database settings the last word. Only
// DatabaseSettingNames are accepted; a bad value is an error naming the
// pgrst.* setting. db-uri, FilePath and the role settings are kept from c:
// they cannot come from the database. c itself is not changed.
func (c *Config) WithDatabaseSettings(kv []KeyValue) (*Config, error) {
	allowed := map[string]bool{}
	for _, n := range DatabaseSettingNames() {
		allowed[n] = true
	}
	db := make(map[string]string, len(kv))
	for _, s := range kv {
		name := strings.TrimPrefix(s.Key, "pgrst.")
		if !allowed[name] {
			return nil, fmt.Errorf("config: pgrst.%s cannot be set in the database", name)
		}
		db[name] = s.Value
	}
	src := sources{}
	if c.src != nil {
		src = *c.src
	}
	src.db = db
	uri := c.DBURI
	n, err := src.resolve(&uri)
	if err != nil {
		return nil, err
	}
	n.FilePath = c.FilePath
	n.RoleSettings, n.RoleIsolationLevel = c.RoleSettings, c.RoleIsolationLevel
	return n, nil
}

// WithRoleSettings returns a copy of c with the role settings and
// isolation levels QueryRoleSettings read. c itself is not changed.
func (c *Config) WithRoleSettings(settings map[string][]KeyValue, isolation map[string]string) *Config {
	n := *c
	n.RoleSettings, n.RoleIsolationLevel = settings, isolation
	return &n
}

// QueryRoleSettings reads the settings of every role the role conn is
// logged in as is a direct member of (ALTER ROLE r SET ...), keeping those
// a request may set once it has switched to r: settings of context "user",
// and on PostgreSQL 15 or later those r was granted SET on. settings maps
// each such role to its settings sorted by name, default_transaction_isolation
// left out; isolation maps it to that setting, normalised as PostgREST does
// to "read committed", "repeatable read" or "serializable".
func QueryRoleSettings(ctx context.Context, conn *pgx.Conn) (settings map[string][]KeyValue, isolation map[string]string, err error) {
	settings, isolation = map[string][]KeyValue{}, map[string]string{}
	err = readOnly(ctx, conn, func(tx pgx.Tx) error {
		var version int
		if err := tx.QueryRow(ctx, "SELECT current_setting('server_version_num')::int").Scan(&version); err != nil {
			return err
		}
		grantedSet := ""
		if version >= 150000 {
			grantedSet = "OR has_parameter_privilege(current_user, ps.name, 'SET')"
		}
		rows, _ := tx.Query(ctx, `
WITH role_setting AS (
  SELECT r.rolname, unnest(r.rolconfig) AS setting
  FROM pg_catalog.pg_auth_members m
  JOIN pg_catalog.pg_roles r ON r.oid = m.roleid
  WHERE m.member = (SELECT oid FROM pg_catalog.pg_roles WHERE rolname = current_user)
),
kv AS (
  SELECT rolname,
         substr(setting, 1, strpos(setting, '=') - 1) AS key,
         substr(setting, strpos(setting, '=') + 1) AS value
  FROM role_setting
)
SELECT kv.rolname, kv.key, kv.value
FROM kv
JOIN pg_catalog.pg_settings ps ON ps.name = kv.key AND (ps.context = 'user' `+grantedSet+`)
ORDER BY kv.rolname, kv.key`)
		var role, key, value string
		_, err := pgx.ForEachRow(rows, []any{&role, &key, &value}, func() error {
			if _, ok := settings[role]; !ok {
				settings[role] = []KeyValue{}
			}
			if key == "default_transaction_isolation" {
				isolation[role] = isolationLevel(value)
			} else {
				settings[role] = append(settings[role], KeyValue{key, value})
			}
			return nil
		})
		return err
	})
	if err != nil {
		return nil, nil, fmt.Errorf("config: reading role settings: %w", err)
	}
	return settings, isolation, nil
}

// isolationLevel maps a default_transaction_isolation value the way
// PostgREST's toIsolationLevel does; PostgreSQL itself runs "read
// uncommitted" as read committed.
func isolationLevel(v string) string {
	switch l := strings.ToLower(v); l {
	case "repeatable read", "serializable":
		return l
	}
	return "read committed"
}

// readOnly runs f in a read-only read-committed transaction and rolls it
// back.
func readOnly(ctx context.Context, conn *pgx.Conn, f func(pgx.Tx) error) error {
	tx, err := conn.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.ReadCommitted, AccessMode: pgx.ReadOnly})
	if err != nil {
		return err
	}
	defer tx.Rollback(ctx)
	return f(tx)
}
