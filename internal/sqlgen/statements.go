package sqlgen

import (
	"github.com/restgres/restgres/internal/mediatype"
	"github.com/restgres/restgres/internal/plan"
	"github.com/restgres/restgres/internal/request"
	"github.com/restgres/restgres/internal/schema"
)

// The main statement of every request returns one row, with PostgREST's
// columns in PostgREST's order (EXPLAIN VERBOSE output shows them, so the
// order is part of the interface):
//
//	total_result_set  bigint or null  the total count, when asked for
//	page_total        bigint          rows in this response
//	header            text[]          Location key pairs (writes only)
//	body              any             the response body, built by PostgreSQL
//	response_headers  text or null    the response.headers setting
//	response_status   text or null    the response.status setting
//	response_inserted int or null     rows inserted by an upsert
//
// The body is read in binary format, which for text and json is the text
// itself and for bytea the raw bytes (images, protobuf, ...). An index of
// -1 means the statement has no such column (it reads as NULL).
type Columns struct {
	Total, PageTotal, Header, Body, ResponseHeaders, ResponseStatus, Inserted int
}

var (
	// ReadColumns is the layout of reads and function calls.
	ReadColumns = Columns{Total: 0, PageTotal: 1, Header: -1, Body: 2, ResponseHeaders: 3, ResponseStatus: 4, Inserted: 5}
	// WriteColumns is the layout of writes.
	WriteColumns = Columns{Total: 0, PageTotal: 1, Header: 2, Body: 3, ResponseHeaders: 4, ResponseStatus: 5, Inserted: 6}

	readFormats  = []int16{0, 0, 1, 0, 0, 0}
	writeFormats = []int16{0, 0, 0, 1, 0, 0, 0}
)

func (b *Builder) responseGUCs() {
	b.Kw("nullif(current_setting('response.headers', true), '') AS response_headers, ")
	b.Kw("nullif(current_setting('response.status', true), '') AS response_status, ")
}

// Read builds the statement of a read plan: the rows as the negotiated
// media type, the page count and, when asked, the total count.
func Read(p *plan.Plan, count request.Count, maxRows int64, top request.Range) Query {
	b := newBuilder()
	if p.Explain {
		b.explainOpen(p.Media)
	}
	b.Kw("WITH pgrst_source AS ( ")
	b.readQuery(p.Read)
	b.Kw(" ) ")
	total := b.countCTE(p.Read, count.ShouldCount(), count == request.CountEstimated, maxRows, top, rowsCount)
	b.Kw("SELECT ")
	b.Kw(total)
	b.Kw(" AS total_result_set, ")
	b.Kw(rowsCount)
	b.Kw(" AS page_total, ")
	// the source is the read itself: its rows are those of the body
	b.handler(p.Handler, p.Routine, "pgrst_source")
	b.Kw(" AS body, ")
	b.responseGUCs()
	b.Kw("'' AS response_inserted FROM ( SELECT * FROM pgrst_source ) _postgrest_t")
	return b.result(p.Explain, ReadColumns, readFormats)
}

// rowsCount is the page_total of a statement: the rows of the body.
const rowsCount keyword = "pg_catalog.count(_postgrest_t)"

// countCTE appends the counting CTE when needed and returns the
// total_result_set expression (fixed text, so no closure to allocate).
// pageTotal is the statement's page_total expression, which is the total
// when there is no range and no db-max-rows. estimated limits the count to
// one row past db-max-rows.
func (b *Builder) countCTE(n *plan.ReadPlan, should, estimated bool, maxRows int64, top request.Range, pageTotal keyword) keyword {
	if !should {
		return "null::bigint"
	}
	if maxRows == 0 && top.IsAll() {
		// without a range or db-max-rows the page is everything
		return pageTotal
	}
	b.Kw(", pgrst_source_count AS (")
	b.countQuery(n)
	if estimated && maxRows > 0 {
		// one past db-max-rows is enough to know the limit was passed
		b.Kw(" LIMIT ")
		b.raw(itoa(maxRows + 1)) // a setting, fixed for the statement's life
	}
	b.Kw(") ")
	return "(SELECT pg_catalog.count(*) FROM pgrst_source_count)"
}

// ExplainCount builds the EXPLAIN whose row estimate answers count=planned
// (and count=estimated past db-max-rows).
func ExplainCount(p *plan.Plan) Query {
	b := newBuilder()
	b.Kw("EXPLAIN (FORMAT JSON) ")
	b.countQuery(p.Read)
	return b.Query()
}

func (b *Builder) explainOpen(m mediatype.MediaType) {
	b.Kw("EXPLAIN (")
	b.raw(m.ExplainOptions())
	b.Kw(") ")
}

// csvRows names the CTE that holds the rows of a call or a write as the
// read plan shapes them, when the CSV handler needs them twice (see
// readRowsCTE).
const csvRows keyword = "pgrst_csv_rows"

// readRowsCTE appends, for the CSV handler, a CTE holding the rows of the
// read around a call or a write, and returns what the outer select reads
// them from. CSV takes its header line from the keys of the first row, so
// it must see the rows the body is made of: the source CTE of a call or a
// write holds the function's or the statement's columns instead (all the
// selected ones in another order, plus the columns filters and embeds
// need), and PostgREST, which reads the header from it, answers
// select=title&year=lt.2000 with the header "title,year" over lines of
// titles. Other handlers read the read plan in place.
func (b *Builder) readRowsCTE(p *plan.Plan) (rows func(), csvSource keyword) {
	if p.Handler.Kind != schema.BuiltinCSV {
		return func() { b.readQuery(p.Read) }, ""
	}
	b.Kw(", ")
	b.Kw(csvRows)
	b.Kw(" AS (")
	b.readQuery(p.Read)
	b.Kw(") ")
	return func() {
		b.Kw("SELECT * FROM ")
		b.Kw(csvRows)
	}, csvRows
}

// handler appends the expression that builds the body from _postgrest_t;
// csvSource is the relation holding the same rows, which the CSV header
// line is read from.
func (b *Builder) handler(h schema.Handler, r *schema.Routine, csvSource keyword) {
	scalar := r != nil && r.ReturnsScalar()
	strip := func(f func()) func() {
		return func() {
			b.Kw("json_strip_nulls(")
			f()
			b.Kw(")")
		}
	}
	aggRow := func() { b.Kw("json_agg(_postgrest_t)") }
	aggScalar := func() { b.Kw("json_agg(_postgrest_t.pgrst_scalar)") }
	first := func(f func()) func() {
		return func() {
			f()
			b.Kw("->0")
		}
	}
	coalesce := func(f func(), def keyword) {
		b.Kw("coalesce(")
		f()
		b.Kw(", ")
		b.Kw(def)
		b.Kw(")")
	}
	switch h.Kind {
	case schema.BuiltinArrayJSONStrip:
		b.jsonArray(r, true)
	case schema.BuiltinSingleJSON:
		f := first(aggRow)
		// PostgREST takes the value only from a function returning one:
		// from SETOF a scalar type it answers the row of its internal
		// column, {"pgrst_scalar": v}, where the array media type gives
		// the values; the value is what the object stands for
		if scalar || r != nil && r.ReturnsSetOfScalar() {
			f = first(aggScalar)
		}
		if h.Strip {
			f = strip(f)
		}
		coalesce(f, "'null'")
	case schema.BuiltinJSON:
		b.jsonArray(r, false)
	case schema.BuiltinGeoJSON:
		b.Kw("json_build_object('type', 'FeatureCollection', 'features', coalesce(json_agg(ST_AsGeoJSON(_postgrest_t)::json), '[]'))")
	case schema.BuiltinCSV:
		b.Kw("(SELECT coalesce(string_agg(a.k, ','), '')  FROM (    SELECT json_object_keys(r)::text as k    FROM (       SELECT row_to_json(hh) as r from ")
		b.Kw(csvSource)
		b.Kw(" as hh limit 1    ) s  ) a)")
		b.Kw(" || '\n' || ")
		b.Kw("coalesce(string_agg(substring(_postgrest_t::text, 2, length(_postgrest_t::text) - 2), '\n'), '')")
	case schema.CustomFunc:
		b.qi(h.Function)
		switch {
		case scalar:
			b.Kw("(_postgrest_t.pgrst_scalar)")
		case h.AnyElement:
			b.Kw("(_postgrest_t)")
		default:
			b.Kw("(_postgrest_t::")
			b.qi(h.Target)
			b.Kw(")")
		}
	default:
		b.Kw("''::text")
	}
}

func (b *Builder) jsonArray(r *schema.Routine, strip bool) {
	open := func() {
		b.Kw("coalesce(")
		if strip {
			b.Kw("json_strip_nulls(")
		}
	}
	closeWith := func(def keyword) {
		if strip {
			b.Kw(")")
		}
		b.Kw(", ")
		b.Kw(def)
		b.Kw(")")
	}
	switch {
	case r != nil && r.ReturnsSingleComposite():
		open()
		b.Kw("json_agg(_postgrest_t)->0")
		closeWith("'null'")
	case r != nil && r.ReturnsScalar():
		open()
		b.Kw("json_agg(_postgrest_t.pgrst_scalar)->0")
		closeWith("'null'")
	case r != nil && r.ReturnsSetOfScalar():
		open()
		b.Kw("json_agg(_postgrest_t.pgrst_scalar)")
		closeWith("'[]'")
	default:
		open()
		b.Kw("json_agg(_postgrest_t)")
		closeWith("'[]'")
	}
}

// result finishes a main statement: its column layout and result formats
// (EXPLAIN output is read as text).
func (b *Builder) result(explain bool, cols Columns, formats []int16) Query {
	q := b.Query()
	if !explain {
		q.Columns, q.ResultFormats = cols, formats
	}
	return q
}
