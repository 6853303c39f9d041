package sqlgen

import (
	"strconv"
	"strings"

	"github.com/restgres/restgres/internal/plan"
	"github.com/restgres/restgres/internal/request"
	"github.com/restgres/restgres/internal/schema"
)

// The fragments below follow PostgREST's SQL shapes closely (spacing aside),
// because the statements' error messages reach clients verbatim: a
// different shape could make PostgreSQL word a failure differently.

func (b *Builder) qi(q schema.QI) { b.QI(q.Schema, q.Name) }

// column appends table.column, or table.* for "*".
func (b *Builder) column(table schema.QI, col string) {
	b.qi(table)
	b.dotColumn(col)
}

// dotColumn appends .column, or .* for "*", after a table or alias.
func (b *Builder) dotColumn(col string) {
	if col == "*" {
		b.Kw(".*")
		return
	}
	b.Kw(".")
	b.Ident(col)
}

// jsonPath appends ->$n / ->>$n steps; keys and indexes are parameters.
func (b *Builder) jsonPath(jp []request.JSONOp) {
	for _, op := range jp {
		if op.DoubleArrow {
			b.Kw("->>")
		} else {
			b.Kw("->")
		}
		b.Param(op.Key)
		if op.IsIndex {
			b.Kw("::int")
		}
	}
}

// field appends a field of table: the column, its JSON path (through
// to_jsonb for non-JSON columns) and to_tsvector for text search.
func (b *Builder) field(table schema.QI, f plan.Field) {
	if f.ToTsVector {
		b.Kw("to_tsvector(")
		if f.TsLang != "" {
			b.Param(f.TsLang)
			b.Kw(", ")
		}
	}
	switch {
	case f.FullRow:
		b.Ident(table.Name)
	case len(f.JSONPath) == 0:
		b.column(table, f.Name)
	case f.ToJSON:
		b.Kw("to_jsonb(")
		b.column(table, f.Name)
		b.Kw(")")
		b.jsonPath(f.JSONPath)
	default:
		b.column(table, f.Name)
		b.jsonPath(f.JSONPath)
	}
	if f.ToTsVector {
		b.Kw(")")
	}
}

// tableCoerce appends a field with its output representation applied.
func (b *Builder) tableCoerce(table schema.QI, f plan.Field) {
	if f.Transform != "" {
		b.raw(f.Transform)
		b.Kw("(")
		b.field(table, f)
		b.Kw(")")
		return
	}
	b.field(table, f)
}

// isSafeTypeName reports whether a cast target is made only of the
// characters the request grammar allows in one (letters, digits, '_', '$'
// and spaces), so it can be written unquoted: quoting breaks type aliases
// such as int or bigint.
func isSafeTypeName(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		switch {
		case r == '_' || r == '$' || r == ' ':
		case r >= '0' && r <= '9':
		case r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z':
		case r > 127:
			// a letter outside ASCII; request.identifier only lets
			// letters through
		default:
			return false
		}
	}
	return true
}

func (b *Builder) typeName(t string) {
	if isSafeTypeName(t) {
		b.raw(t)
	} else {
		b.Ident(t)
	}
}

func (b *Builder) castOpen(cast string) {
	if cast != "" {
		b.Kw("CAST( ")
	}
}

func (b *Builder) castClose(cast string) {
	if cast != "" {
		b.Kw(" AS ")
		b.typeName(cast)
		b.Kw(" )")
	}
}

func (b *Builder) aggOpen(agg request.AggregateFunc) {
	if agg != request.AggNone {
		b.raw(agg.SQLName())
		b.Kw("(")
	}
}

func (b *Builder) aggClose(agg request.AggregateFunc) {
	if agg != request.AggNone {
		b.Kw(")")
	}
}

func (b *Builder) as(alias string) {
	if alias != "" {
		b.Kw(" AS ")
		b.Ident(alias)
	}
}

// selectItem appends CAST(agg(CAST(field AS cast)) AS aggcast) AS alias.
func (b *Builder) selectItem(table schema.QI, s plan.SelectField) {
	if s.Agg != request.AggNone {
		b.castOpen(s.AggCast)
		b.aggOpen(s.Agg)
	}
	b.castOpen(s.Cast)
	b.tableCoerce(table, s.Field)
	b.castClose(s.Cast)
	if s.Agg != request.AggNone {
		b.aggClose(s.Agg)
		b.castClose(s.AggCast)
	}
	b.as(s.Alias)
}

func (b *Builder) fullSelName(aggAlias, name string) {
	b.Ident(aggAlias)
	b.dotColumn(name)
}

func (b *Builder) spreadSelectItem(aggAlias string, s plan.SpreadSelectField) {
	if s.Agg != request.AggNone {
		b.castOpen(s.AggCast)
		b.aggOpen(s.Agg)
	}
	b.fullSelName(aggAlias, s.SelName)
	if s.Agg != request.AggNone {
		b.aggClose(s.Agg)
		b.castClose(s.AggCast)
	}
	b.as(s.Alias)
}

func (b *Builder) spreadJoinSelectItem(aggAlias string, order []plan.OrderTerm, s plan.SpreadSelectField) {
	b.Kw("COALESCE(json_agg(")
	b.fullSelName(aggAlias, s.SelName)
	b.Kw(" ")
	b.orderBy(schema.QI{Name: aggAlias}, order)
	b.Kw("),'[]')::jsonb AS ")
	if s.Alias != "" {
		b.Ident(s.Alias)
	} else {
		b.Ident(s.SelName)
	}
}

var quantOps = map[request.Operator]keyword{
	request.OpEq: "=", request.OpGte: ">=", request.OpGt: ">", request.OpLte: "<=", request.OpLt: "<",
	request.OpLike: "like", request.OpILike: "ilike", request.OpMatch: "~", request.OpIMatch: "~*",
}

var simpleOps = map[request.Operator]keyword{
	request.OpNeq: "<>", request.OpContains: "@>", request.OpContained: "<@", request.OpOverlap: "&&",
	request.OpStrictLeft: "<<", request.OpStrictRight: ">>", request.OpNotExtRight: "&<", request.OpNotExtLeft: "&>",
	request.OpAdjacent: "-|-",
}

var ftsOps = map[request.Operator]keyword{
	request.OpFts: "@@ to_tsquery", request.OpPlFts: "@@ plainto_tsquery",
	request.OpPhFts: "@@ phraseto_tsquery", request.OpWFts: "@@ websearch_to_tsquery",
}

// valueForField appends a filter value: a parameter, parsed by the data
// representation's text parser when the field has one.
func (b *Builder) valueForField(v string, f plan.Field) {
	if f.Transform != "" {
		b.raw(f.Transform)
		b.Kw("(")
		b.Param(v)
		b.Kw(")")
		return
	}
	b.Param(v)
}

// arrayLiteral builds a PostgreSQL array literal of the values, each
// double-quoted and escaped, cut at NUL bytes as PostgREST does. It is a
// parameter value, never SQL text.
func arrayLiteral(vals []string) string {
	var sb strings.Builder
	sb.WriteByte('{')
	for i, v := range vals {
		if i > 0 {
			sb.WriteByte(',')
		}
		if j := strings.IndexByte(v, 0); j >= 0 {
			v = v[:j]
		}
		sb.WriteByte('"')
		for k := 0; k < len(v); k++ {
			if v[k] == '\\' || v[k] == '"' {
				sb.WriteByte('\\')
			}
			sb.WriteByte(v[k])
		}
		sb.WriteByte('"')
	}
	sb.WriteByte('}')
	return sb.String()
}

func (b *Builder) arrayForField(vals []string, f plan.Field) {
	if f.Transform != "" {
		b.Kw("(SELECT ")
		b.raw(f.Transform)
		b.Kw("(unnest(")
		b.Param(arrayLiteral(vals))
		b.Kw("::text[])))")
		return
	}
	b.Param(arrayLiteral(vals))
}

func starToPercent(s string) string { return strings.ReplaceAll(s, "*", "%") }

// filter appends one filter condition on table.
func (b *Builder) filter(table schema.QI, f plan.Filter) {
	if f.NullEmbed {
		b.Ident(f.EmbedAlias)
		if f.NullEmbedNot {
			b.Kw(" IS DISTINCT FROM NULL")
		} else {
			b.Kw(" IS NOT DISTINCT FROM NULL")
		}
		return
	}
	e := f.Expr
	if e.Not {
		b.Kw("NOT ")
	} else {
		b.Kw(" ")
	}
	b.field(table, f.Field)
	switch op := e.Op; {
	case simpleOps[op] != "":
		b.Kw(" ")
		b.Kw(simpleOps[op])
		b.Kw(" ")
		b.valueForField(e.Value, f.Field)
	case quantOps[op] != "":
		b.Kw(" ")
		b.Kw(quantOps[op])
		b.Kw(" ")
		quantOpen := func() {
			switch e.Quant {
			case request.QuantAny:
				b.Kw("ANY(")
			case request.QuantAll:
				b.Kw("ALL(")
			}
		}
		quantClose := func() {
			if e.Quant != request.QuantNone {
				b.Kw(")")
			}
		}
		quantOpen()
		if op == request.OpLike || op == request.OpILike {
			b.Param(starToPercent(e.Value))
		} else {
			b.valueForField(e.Value, f.Field)
		}
		quantClose()
	case op == request.OpIs:
		switch e.Is {
		case request.IsNull:
			b.Kw(" IS NULL")
		case request.IsNotNull:
			b.Kw(" IS NOT NULL")
		case request.IsTrue:
			b.Kw(" IS TRUE")
		case request.IsFalse:
			b.Kw(" IS FALSE")
		case request.IsUnknown:
			b.Kw(" IS UNKNOWN")
		}
	case op == request.OpIsDistinct:
		b.Kw(" IS DISTINCT FROM ")
		b.Param(e.Value)
	case op == request.OpIn:
		if len(e.List) == 1 && e.List[0] == "" {
			b.Kw(" = ANY('{}') ")
		} else {
			b.Kw(" = ANY (")
			b.arrayForField(e.List, f.Field)
			b.Kw(") ")
		}
	case ftsOps[op] != "":
		b.Kw(" ")
		b.Kw(ftsOps[op])
		b.Kw("(")
		if e.Lang != "" {
			b.Param(e.Lang)
			b.Kw(", ")
		}
		b.Param(e.Value)
		b.Kw(") ")
	}
}

func (b *Builder) logicTree(table schema.QI, t plan.LogicTree) {
	b.logicTreeWith(t, func(f plan.Filter) { b.filter(table, f) })
}

// logicTreeWith writes [NOT] (a AND/OR b ...) over t, with leaf writing
// each filter (the count query writes null-embed filters differently).
func (b *Builder) logicTreeWith(t plan.LogicTree, leaf func(plan.Filter)) {
	if !t.IsExpr {
		leaf(t.Filter)
		return
	}
	if t.Not {
		b.Kw("NOT")
	}
	b.Kw(" (")
	for i, sub := range t.Trees {
		if i > 0 {
			if t.Or {
				b.Kw(" OR ")
			} else {
				b.Kw(" AND ")
			}
		}
		b.logicTreeWith(sub, leaf)
	}
	b.Kw(")")
}

func (b *Builder) joinCondition(c plan.JoinCondition) {
	b.column(c.Left.Table, c.Left.Column)
	b.Kw(" = ")
	b.column(c.Right.Table, c.Right.Column)
}

func (b *Builder) orderTerm(table schema.QI, t plan.OrderTerm) {
	if t.Relation != "" {
		b.field(schema.QI{Name: t.Relation}, plan.Field{Name: t.RelField.Name, JSONPath: t.RelField.JSONPath})
	} else {
		b.field(table, t.Field)
	}
	b.Kw(" ")
	switch t.Direction {
	case request.OrderAsc:
		b.Kw("ASC")
	case request.OrderDesc:
		b.Kw("DESC")
	}
	switch t.Nulls {
	case request.NullsFirst:
		if t.Direction != request.OrderDefault {
			b.Kw(" ")
		}
		b.Kw("NULLS FIRST")
	case request.NullsLast:
		if t.Direction != request.OrderDefault {
			b.Kw(" ")
		}
		b.Kw("NULLS LAST")
	}
}

func (b *Builder) orderBy(table schema.QI, order []plan.OrderTerm) {
	if len(order) == 0 {
		return
	}
	b.Kw("ORDER BY ")
	for i, t := range order {
		if i > 0 {
			b.Kw(", ")
		}
		b.orderTerm(table, t)
	}
}

// limitOffset appends LIMIT n [OFFSET $m]. The limit is written into the
// text, the offset is a parameter and is left out when it is 0. A LIMIT
// or OFFSET parameter makes PostgreSQL cost a generic plan for an unknown
// 10% of the rows, so it plans the statement anew on every execution; with
// a literal limit and no offset the cached generic plan serves (measured:
// PostgreSQL's CPU per request for GET ...&order=year.desc&limit=100 fell
// from 234 to about 140 µs). The limit is an int64 formatted here, never
// request text, and clients use few distinct page sizes, so the statement
// cache still sees few texts; offsets, which vary page by page, stay
// parameters.
func (b *Builder) limitOffset(r request.Range) {
	if r.IsAll() {
		return
	}
	b.Kw("LIMIT ")
	if r.HasLimit {
		b.raw(itoa(r.Limit))
	} else {
		b.Kw("ALL")
	}
	if r.Offset != 0 {
		b.Kw(" OFFSET ")
		b.Param(itoa(r.Offset))
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
