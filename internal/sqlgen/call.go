package sqlgen

import (
	"slices"

	"github.com/restgres/restgres/internal/jsonenc"
	"github.com/restgres/restgres/internal/plan"
	"github.com/restgres/restgres/internal/request"
	"github.com/restgres/restgres/internal/schema"
)

// Call builds the statement of a function call: the call in the source CTE,
// read back through the read plan (filters, select, order, embedding) and
// rendered as the negotiated media type.
func Call(p *plan.Plan, count request.Count, maxRows int64, top request.Range) Query {
	b := newBuilder()
	if p.Explain {
		b.explainOpen(p.Media)
	}
	b.Kw("WITH pgrst_source AS (")
	b.call(p.Call)
	b.Kw(") ")
	// A function returning one value or row answers one row, even when
	// filters leave none.
	pageTotal := rowsCount
	if p.Routine.ReturnsSingle() {
		pageTotal = "1"
	}
	// As in PostgREST, count=estimated counts a call's rows exactly: the
	// planner's estimate, which would stand in past db-max-rows, is only
	// taken for reads, so a count cut short there would be reported as
	// the total.
	total := b.countCTE(p.Read, count.ShouldCount(), false, maxRows, top, pageTotal)
	rows, csvSource := b.readRowsCTE(p)
	b.Kw("SELECT ")
	b.Kw(total)
	b.Kw(" AS total_result_set, ")
	b.Kw(pageTotal)
	b.Kw(" AS page_total, ")
	b.handler(p.Handler, p.Routine, csvSource)
	b.Kw(" AS body, ")
	b.responseGUCs()
	b.Kw("'' AS response_inserted FROM (")
	rows()
	b.Kw(") _postgrest_t")
	return b.result(p.Explain, ReadColumns, readFormats)
}

func (b *Builder) call(c *plan.CallPlan) {
	scalar := c.ReturnsScalar || c.ReturnsSetOfScalar
	b.Kw("SELECT ")
	switch {
	case scalar:
		b.Kw("pgrst_call.pgrst_scalar")
	case len(c.Returning) == 0:
		b.Kw("*")
	case len(c.Returning) == 1 && c.Returning[0] == "*":
		b.Kw("\"pgrst_call\".*")
	default:
		cols := append([]string{}, c.Returning...)
		for _, f := range c.FilterFields {
			found := false
			for _, r := range cols {
				if r == f {
					found = true
				}
			}
			if !found {
				cols = append(cols, f)
			}
		}
		for i, col := range cols {
			if i > 0 {
				b.Kw(", ")
			}
			b.column(schema.QI{Name: "pgrst_call"}, col)
		}
	}
	b.Kw(" ")
	callIt := func(args func()) {
		if scalar {
			b.Kw("(SELECT ")
			b.qi(c.Function)
			b.Kw("(")
			args()
			b.Kw(") pgrst_scalar) pgrst_call")
		} else {
			b.qi(c.Function)
			b.Kw("(")
			args()
			b.Kw(") pgrst_call")
		}
	}
	switch {
	case c.ParamsKind == plan.ParamsSinglePositional:
		b.Kw("FROM ")
		p := c.Params[0]
		callIt(func() {
			body := c.Body
			if c.Args != nil {
				body = argsJSON(c.Args)
			}
			switch {
			case p.Type == "bytea" && body == nil:
				b.ParamNull(oidBytea)
			case p.Type == "bytea":
				b.ParamBinary(body, oidBytea)
			default:
				if body == nil {
					b.ParamNull(oidUnknown)
				} else {
					b.ParamBytes(body)
				}
				b.Kw("::")
				b.raw(p.Type)
			}
		})
	case len(c.Params) == 0:
		b.Kw("FROM ")
		callIt(func() {})
	case c.Args != nil:
		b.Kw("FROM ")
		callIt(func() {
			b.namedArgs(c.Params, func(p schema.RoutineParam) {
				a, ok := c.Args[p.Name]
				switch {
				case !ok:
					b.Kw("NULL")
				case a.IsVariadic:
					b.ParamTyped([]byte(arrayLiteral(a.Variadic)), oidTextArr)
				default:
					b.Param(a.Value)
				}
				b.Kw("::")
				b.raw(p.TypeMaxLength)
			})
		})
	default:
		fields := make([]plan.Field, len(c.Params))
		for i, p := range c.Params {
			fields[i] = plan.Field{Name: p.Name, IRType: p.TypeMaxLength}
		}
		b.jsonBody(c.Body, c.BodyIsObject, fields, false, true, false)
		b.Kw(", LATERAL ")
		callIt(func() {
			b.namedArgs(c.Params, func(p schema.RoutineParam) {
				b.Kw("pgrst_body.")
				b.Ident(p.Name)
			})
		})
	}
}

// namedArgs writes [VARIADIC] "name" := <value>, ... with value writing
// each argument's value.
func (b *Builder) namedArgs(params []schema.RoutineParam, value func(schema.RoutineParam)) {
	for i, p := range params {
		if i > 0 {
			b.Kw(", ")
		}
		if p.Variadic {
			b.Kw("VARIADIC ")
		}
		b.Ident(p.Name)
		b.Kw(" := ")
		value(p)
	}
}

// argsJSON encodes query arguments as a JSON object of strings, for a
// function with a single unnamed json parameter called by GET.
func argsJSON(args map[string]plan.CallArg) []byte {
	out := []byte{'{'}
	first := true
	for _, k := range sortedArgKeys(args) {
		if !first {
			out = append(out, ',')
		}
		first = false
		out = appendJSONString(out, k)
		out = append(out, ':')
		a := args[k]
		if a.IsVariadic {
			out = append(out, '[')
			for i, v := range a.Variadic {
				if i > 0 {
					out = append(out, ',')
				}
				out = appendJSONString(out, v)
			}
			out = append(out, ']')
		} else {
			out = appendJSONString(out, a.Value)
		}
	}
	return append(out, '}')
}

func appendJSONString(b []byte, s string) []byte { return jsonenc.AppendString(b, s) }

func sortedArgKeys(args map[string]plan.CallArg) []string {
	keys := make([]string, 0, len(args))
	for k := range args {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
