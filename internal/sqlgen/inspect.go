package sqlgen

import (
	"github.com/restgres/restgres/internal/schema"
)

// ValueColumns is the layout of a main statement that returns a single
// value: its one column is the body, and there are no counts or response
// settings.
var ValueColumns = Columns{Total: -1, PageTotal: -1, Header: -1, Body: 0, ResponseHeaders: -1, ResponseStatus: -1, Inserted: -1}

// Inspect builds the statement behind the OpenAPI description of a schema:
// one json object, read by package openapi. It runs in the request's
// transaction, as the request's role and under its search_path, because
// what it returns depends on both.
//
// With followPrivileges (openapi-mode follow-privileges) the object holds
// what PostgREST's accessibleTables, accessibleFuncs and schemaDescription
// return: "tables", the names of the schema's tables, views, materialized
// views and foreign tables the role owns or has any privilege on;
// "routines", the functions it may execute, as [schema.RoutinesSQL]
// describes them; and "description", the schema's comment. Without it
// (ignore-privileges) the object holds only "description", and the
// document shows the whole schema cache.
//
// $1 is the schema as a one-element text[] of quoted identifiers, the form
// schema.RoutinesSQL takes, so a schema named "V1" or "a b" is found; one
// that does not exist is an error, as in PostgREST.
func Inspect(schemaName string, followPrivileges bool) Query {
	b := newBuilder()
	b.bind([]byte(arrayLiteral([]string{QuoteIdent(schemaName)})), oidTextArr, 0) // $1
	b.Kw("SELECT json_build_object(")
	if followPrivileges {
		// $2: the db-hoisted-tx-settings patterns of schema.RoutinesSQL;
		// none, since the document does not show function settings
		b.bind([]byte("{}"), oidTextArr, 0)
		b.Kw("'tables', (SELECT coalesce(json_agg(c.relname ORDER BY c.relname), '[]') FROM pg_catalog.pg_class c")
		b.Kw(" WHERE c.relkind IN ('v','r','m','f','p') AND c.relnamespace = ANY ($1::text[]::regnamespace[])")
		b.Kw(" AND NOT c.relispartition AND (pg_catalog.pg_has_role(c.relowner, 'USAGE')")
		b.Kw(" OR pg_catalog.has_table_privilege(c.oid, 'SELECT, INSERT, UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER')")
		b.Kw(" OR pg_catalog.has_any_column_privilege(c.oid, 'SELECT, INSERT, UPDATE, REFERENCES'))), ")
		b.Kw("'routines', (SELECT coalesce(json_agg(r), '[]') FROM json_array_elements((")
		b.Kw(schema.RoutinesSQL)
		b.Kw(")) r WHERE pg_catalog.has_function_privilege((r->>'oid')::oid, 'execute')), ")
	}
	b.Kw("'description', pg_catalog.obj_description(($1::text[]::regnamespace[])[1], 'pg_namespace'))")
	q := b.Query()
	q.Columns = ValueColumns
	return q
}
