package sqlgen

import (
	"github.com/restgres/restgres/internal/plan"
	"github.com/restgres/restgres/internal/request"
	"github.com/restgres/restgres/internal/schema"
)

// Mutate builds the statement of a write: the INSERT/UPDATE/DELETE in the
// source CTE, read back through the read plan (for return=representation
// and embedding) or just counted.
func Mutate(p *plan.Plan, prefs request.Preferences) Query {
	b := newBuilder()
	m := p.Mutate
	if p.Explain {
		b.explainOpen(p.Media)
	}
	b.Kw("WITH pgrst_source AS (")
	b.mutation(m)
	b.Kw(") ")
	rows, csvSource := b.readRowsCTE(p)
	b.Kw("SELECT '' AS total_result_set, pg_catalog.count(_postgrest_t) AS page_total, ")
	isInsert := m.Kind == plan.MutateInsert
	if isInsert && prefs.Representation == request.ReturnHeadersOnly && len(m.PKCols) > 0 {
		b.Kw("CASE WHEN pg_catalog.count(_postgrest_t) = 1 THEN coalesce(")
		b.location(m.PKCols)
		b.Kw(", array[]::text[]) ELSE array[]::text[] END")
	} else {
		b.Kw("array[]::text[]")
	}
	b.Kw(" AS header, ")
	b.handler(p.Handler, nil, csvSource)
	b.Kw(" AS body, ")
	b.responseGUCs()
	if isInsert && (m.IsPut || prefs.Resolution == request.MergeDuplicates) {
		b.Kw("nullif(current_setting('pgrst.inserted', true),'')::int")
	} else {
		b.Kw("''")
	}
	b.Kw(" AS response_inserted FROM (")
	if p.Handler.Kind == schema.NoAgg {
		// the select list may name columns the CTE does not return
		b.Kw("SELECT * FROM pgrst_source")
	} else {
		rows()
	}
	b.Kw(") _postgrest_t")
	return b.result(p.Explain, WriteColumns, writeFormats)
}

// location appends the key=eq.value pairs of the inserted row's primary
// key, from which the Location header is built.
func (b *Builder) location(pkCols []string) {
	b.Kw("(WITH data AS (SELECT row_to_json(_) AS row FROM pgrst_source AS _ LIMIT 1) ")
	b.Kw("SELECT array_agg(json_data.key || '=' || coalesce('eq.' || json_data.value, 'is.null')) ")
	b.Kw("FROM data CROSS JOIN json_each_text(data.row) AS json_data WHERE json_data.key IN (")
	for i, c := range pkCols {
		if i > 0 {
			b.Kw(",")
		}
		b.literal(c)
	}
	b.Kw("))")
}

// pgrstInserted counts inserted rows in a transaction setting, so an upsert
// can answer 201 (something inserted) or 200 (only updates).
func (b *Builder) pgrstInserted(add bool) {
	b.Kw("set_config('pgrst.inserted', (coalesce(nullif(current_setting('pgrst.inserted', true), '')::int, 0) ")
	if add {
		b.Kw("+ 1)::text, true) <> '0'")
	} else {
		b.Kw("- 1)::text, true) <> '-1'")
	}
}

func (b *Builder) mutation(m *plan.MutatePlan) {
	switch m.Kind {
	case plan.MutateInsert:
		b.Kw("INSERT INTO ")
		b.qi(m.Table)
		if len(m.Columns) == 0 {
			b.Kw(" ")
		} else {
			b.Kw("(")
			for i, c := range m.Columns {
				b.listIdent(i, c.Name)
			}
			b.Kw(") ")
		}
		b.jsonBody(m.Body, m.BodyIsObject, m.Columns, true, false, m.ApplyDefaults)
		mergeDups := m.OnConflict != nil && m.OnConflict.Resolution == request.MergeDuplicates
		switch {
		case len(m.Where) > 0:
			b.Kw("WHERE ")
			b.pgrstInserted(true)
			for _, t := range m.Where {
				b.Kw(" AND ")
				b.logicTree(schema.QI{Name: "pgrst_body"}, t)
			}
		case mergeDups:
			b.Kw("WHERE ")
			b.pgrstInserted(true)
		}
		if oc := m.OnConflict; oc != nil && len(oc.Columns) > 0 {
			b.Kw(" ON CONFLICT(")
			for i, c := range oc.Columns {
				b.listIdent(i, c)
			}
			b.Kw(") ")
			if oc.Resolution == request.IgnoreDuplicates || len(m.Columns) == 0 {
				b.Kw("DO NOTHING")
			} else {
				b.Kw("DO UPDATE SET ")
				for i, c := range m.Columns {
					if i > 0 {
						b.Kw(", ")
					}
					b.Ident(c.Name)
					b.Kw(" = EXCLUDED.")
					b.Ident(c.Name)
				}
				if len(m.Where) > 0 || mergeDups {
					b.Kw(" WHERE ")
					b.pgrstInserted(false)
				}
			}
		}
		b.Kw(" ")
		b.returning(m.Table, m.Returning)
	case plan.MutateUpdate:
		if len(m.Columns) == 0 {
			// UPDATE ... SET with nothing to set is not SQL; an empty
			// result with the table's columns keeps select= working
			b.Kw("SELECT ")
			if len(m.Returning) == 0 {
				b.Kw("NULL")
			}
			for i, c := range m.Returning {
				if i > 0 {
					b.Kw(", ")
				}
				b.column(schema.QI{Name: m.Table.Name}, c)
			}
			b.Kw(" FROM ")
			b.qi(m.Table)
			b.Kw(" WHERE false")
			return
		}
		b.Kw("UPDATE ")
		b.qi(m.Table)
		b.Kw(" SET ")
		for i, c := range m.Columns {
			if i > 0 {
				b.Kw(", ")
			}
			b.Ident(c.Name)
			b.Kw(" = ")
			b.column(schema.QI{Name: "pgrst_body"}, c.Name)
		}
		b.Kw(" ")
		b.jsonBody(m.Body, m.BodyIsObject, m.Columns, false, false, m.ApplyDefaults)
		b.where(m.Table, m.Where)
		b.Kw(" ")
		b.returning(m.Table, m.Returning)
	case plan.MutateDelete:
		b.Kw("DELETE FROM ")
		b.qi(m.Table)
		b.Kw(" ")
		b.where(m.Table, m.Where)
		b.Kw(" ")
		b.returning(m.Table, m.Returning)
	}
}

// listIdent writes the i-th identifier of a comma-separated list.
func (b *Builder) listIdent(i int, name string) {
	if i > 0 {
		b.Kw(", ")
	}
	b.Ident(name)
}

func (b *Builder) where(table schema.QI, trees []plan.LogicTree) {
	if len(trees) == 0 {
		return
	}
	b.Kw(" WHERE ")
	for i, t := range trees {
		if i > 0 {
			b.Kw(" AND ")
		}
		b.logicTree(table, t)
	}
}

func (b *Builder) returning(table schema.QI, cols []string) {
	if len(cols) == 0 {
		// nothing is read back, but the rows are still counted
		b.Kw("RETURNING 1")
		return
	}
	b.Kw("RETURNING ")
	for i, c := range cols {
		if i > 0 {
			b.Kw(", ")
		}
		b.column(table, c)
	}
}

// jsonBody appends the FROM that turns the JSON body into rows of the typed
// columns (json_to_recordset), filling absent keys with column defaults
// for missing=default.
func (b *Builder) jsonBody(body []byte, isObject bool, fields []plan.Field, withSelect, limitOne, defaults bool) {
	if withSelect {
		b.Kw("SELECT ")
		for i, f := range fields {
			if i > 0 {
				b.Kw(", ")
			}
			b.Ident("pgrst_body")
			b.Kw(".")
			b.Ident(f.Name)
		}
		b.Kw(" ")
	}
	b.Kw("FROM (SELECT ")
	if body == nil {
		if defaults {
			b.ParamNull(oidJSONB)
		} else {
			b.ParamNull(oidJSON)
		}
	} else if defaults {
		b.ParamTyped(body, oidJSONB)
	} else {
		b.ParamTyped(body, oidJSON)
	}
	b.Kw(" AS json_data) pgrst_payload, ")
	finalBody := keyword("pgrst_payload.json_data")
	if defaults {
		finalBody = "pgrst_json_defs.val"
		b.Kw("LATERAL (SELECT ")
		if isObject {
			b.jsonbDefaults(fields)
			b.Kw(" || pgrst_payload.json_data AS val) pgrst_json_defs, ")
		} else {
			b.Kw("jsonb_agg(")
			b.jsonbDefaults(fields)
			b.Kw(" || elem) AS val from jsonb_array_elements(pgrst_payload.json_data) elem) pgrst_json_defs, ")
		}
	}
	b.Kw("LATERAL (SELECT ")
	for i, f := range fields {
		if i > 0 {
			b.Kw(", ")
		}
		if f.Transform != "" {
			b.raw(f.Transform)
			b.Kw("(")
			b.Ident(f.Name)
			b.Kw(") AS ")
		}
		b.Ident(f.Name)
	}
	b.Kw(" FROM ")
	switch {
	case len(fields) == 0 && isObject:
		b.Kw("(values(1)) _ ")
	case len(fields) == 0:
		if defaults {
			b.Kw("jsonb_array_elements(")
		} else {
			b.Kw("json_array_elements(")
		}
		b.Kw(finalBody)
		b.Kw(") _ ")
	default:
		switch {
		case defaults && isObject:
			b.Kw("jsonb_to_record(")
		case defaults:
			b.Kw("jsonb_to_recordset(")
		case isObject:
			b.Kw("json_to_record(")
		default:
			b.Kw("json_to_recordset(")
		}
		b.Kw(finalBody)
		b.Kw(") AS _(")
		for i, f := range fields {
			if i > 0 {
				b.Kw(", ")
			}
			b.Ident(f.Name)
			b.Kw(" ")
			b.raw(f.IRType)
		}
		b.Kw(") ")
		// json_to_record yields exactly one row already; the LIMIT would
		// only keep the planner from flattening the subquery
		if limitOne && !isObject {
			b.Kw("LIMIT 1")
		}
	}
	b.Kw(")")
	b.Kw(" pgrst_body ")
}

// jsonbDefaults appends jsonb_build_object('col', <default>, ...) for the
// columns that have a default; names and expressions come from the catalog.
func (b *Builder) jsonbDefaults(fields []plan.Field) {
	b.Kw("jsonb_build_object(")
	first := true
	for _, f := range fields {
		if !f.HasDefault {
			continue
		}
		if !first {
			b.Kw(",")
		}
		first = false
		b.literal(f.Name)
		b.Kw(", ")
		b.raw(f.Default)
	}
	b.Kw(")")
}
