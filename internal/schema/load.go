package schema

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"
)

// Options says which part of the database Load reads.
type Options struct {
	// Schemas are the exposed schemas (db-schemas); the first is the
	// default. Every one must exist: Load fails otherwise.
	Schemas []string
	// ExtraSearchPath is db-extra-search-path. Its views are followed when
	// tracing the keys a view of an exposed schema inherits, so a view over
	// a view in, say, "extensions" still gets its base table's keys.
	ExtraSearchPath []string
	// HoistedTxSettings is db-hoisted-tx-settings: the names of the
	// function settings (SET name = value) that are applied to the whole
	// transaction of an RPC call. As in PostgREST, each name is matched as a
	// regular expression against the function's "name=value" entries.
	HoistedTxSettings []string
}

// Load reads the schema cache of the exposed schemas through conn, in one
// read-only transaction that it rolls back. conn must not be inside a
// transaction. The queries run as conn's role, which matters only for data
// representations: casts whose function the role may not execute are left
// out, as in PostgREST. With a pgxpool.Pool, pass an acquired connection's
// Conn(); the statements are prepared and cached on that connection like
// any other pgx query.
func Load(ctx context.Context, conn *pgx.Conn, opts Options) (*Cache, error) {
	if len(opts.Schemas) == 0 {
		return nil, errors.New("schema: no schemas to load (db-schemas is empty)")
	}
	cat, err := readCatalog(ctx, conn, opts)
	if err != nil {
		return nil, err
	}
	c, err := build(cat, opts)
	if err != nil {
		return nil, err
	}
	c.Finish()
	return c, nil
}

// catalog is what the queries return, before any derivation.
type catalog struct {
	tables   []*Table
	keyDeps  []keyDepRow
	fkRels   []fkRelRow
	routines []routineRow
	computed []computedRow
	reps     []*Representation
	handlers []handlerRow
}

type keyDepRow struct {
	TableSchema    string `json:"table_schema"`
	TableName      string `json:"table_name"`
	ViewSchema     string `json:"view_schema"`
	ViewName       string `json:"view_name"`
	ConstraintName string `json:"constraint_name"`
	ConstraintType string `json:"constraint_type"` // "p", "f" or "f_ref"
	Columns        []struct {
		Column      string   `json:"column"`
		ViewColumns []string `json:"view_columns"`
	} `json:"columns"`
}

type fkRelRow struct {
	TableSchema        string      `json:"table_schema"`
	TableName          string      `json:"table_name"`
	ForeignTableSchema string      `json:"foreign_table_schema"`
	ForeignTableName   string      `json:"foreign_table_name"`
	IsSelf             bool        `json:"is_self"`
	ConstraintName     string      `json:"constraint_name"`
	ColsAndFCols       [][2]string `json:"cols_and_fcols"`
	// TablePKCols is the primary key of the referencing table, which may
	// be outside the exposed schemas (a junction of a many-to-many
	// relationship between exposed tables).
	TablePKCols []string `json:"table_pk_cols"`
	OneToOne    bool     `json:"one_to_one"`
}

type routineRow struct {
	Schema            string         `json:"schema"`
	Name              string         `json:"name"`
	Description       *string        `json:"description"`
	Params            []RoutineParam `json:"params"`
	RetSchema         string         `json:"ret_schema"`
	RetName           string         `json:"ret_name"`
	RetSetOf          bool           `json:"ret_setof"`
	RetComposite      bool           `json:"ret_composite"`
	RetCompositeAlias bool           `json:"ret_composite_alias"`
	Volatility        string         `json:"volatility"` // provolatile: "i", "s" or "v"
	HasVariadic       bool           `json:"has_variadic"`
	IsolationLevel    *string        `json:"isolation_level"`
	Settings          []Setting      `json:"settings"`
}

type computedRow struct {
	Schema             string `json:"schema"`
	Name               string `json:"name"`
	TableSchema        string `json:"table_schema"`
	TableName          string `json:"table_name"`
	ForeignTableSchema string `json:"foreign_table_schema"`
	ForeignTableName   string `json:"foreign_table_name"`
	SingleRow          bool   `json:"single_row"`
	IsSelf             bool   `json:"is_self"`
}

type handlerRow struct {
	HandlerSchema     string `json:"handler_schema"`
	HandlerName       string `json:"handler_name"`
	TargetSchema      string `json:"target_schema"`
	TargetName        string `json:"target_name"`
	MediaType         string `json:"media_type"`
	ResolvedMediaType string `json:"resolved_media_type"`
}

// readCatalog runs the catalog queries in one batch (one round trip) inside
// a read-only transaction whose search_path is empty, so that type and
// function names come out schema-qualified.
func readCatalog(ctx context.Context, conn *pgx.Conn, opts Options) (*catalog, error) {
	tx, err := conn.BeginTx(ctx, pgx.TxOptions{AccessMode: pgx.ReadOnly})
	if err != nil {
		return nil, fmt.Errorf("schema: begin: %w", err)
	}
	// The transaction only reads; ending it also drops the SET LOCAL.
	defer tx.Rollback(ctx)

	schemas := quoteIdents(opts.Schemas)
	// pgx encodes a nil slice as NULL, and NULL || array is NULL: always
	// pass arrays.
	extra := quoteIdents(opts.ExtraSearchPath)
	hoisted := append([]string{}, opts.HoistedTxSettings...)

	cat := &catalog{}
	queries := []struct {
		name string
		sql  string
		args []any
		dest any
	}{
		{"tables", tablesSQL, []any{schemas}, &cat.tables},
		{"view key dependencies", viewKeyDepsSQL, []any{schemas, extra}, &cat.keyDeps},
		{"foreign keys", fkRelsSQL, nil, &cat.fkRels},
		{"functions", RoutinesSQL, []any{schemas, hoisted}, &cat.routines},
		{"computed relationships", computedRelsSQL, nil, &cat.computed},
		{"data representations", representationsSQL, nil, &cat.reps},
		{"media type handlers", mediaHandlersSQL, []any{schemas}, &cat.handlers},
	}
	b := &pgx.Batch{}
	b.Queue("set local search_path to ''")
	for _, q := range queries {
		b.Queue(q.sql, q.args...)
	}
	br := tx.SendBatch(ctx, b)
	if _, err := br.Exec(); err != nil {
		br.Close()
		return nil, fmt.Errorf("schema: set search_path: %w", err)
	}
	for _, q := range queries {
		var raw []byte
		if err := br.QueryRow().Scan(&raw); err != nil {
			br.Close()
			return nil, fmt.Errorf("schema: querying %s: %w", q.name, err)
		}
		if err := json.Unmarshal(raw, q.dest); err != nil {
			br.Close()
			return nil, fmt.Errorf("schema: decoding %s: %w", q.name, err)
		}
	}
	if err := br.Close(); err != nil {
		return nil, fmt.Errorf("schema: %w", err)
	}
	return cat, nil
}

// quoteIdents double-quotes names for a cast to regnamespace, which parses
// identifiers: a schema named "V1" or "my schema" must be quoted.
func quoteIdents(names []string) []string {
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = `"` + strings.ReplaceAll(n, `"`, `""`) + `"`
	}
	return out
}
