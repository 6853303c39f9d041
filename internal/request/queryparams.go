package request

import (
	"slices"
	"strconv"
	"strings"

	"github.com/restgres/restgres/internal/apierr"
)

// queryPair is one key=value of the query string; hasValue is false for a
// bare "key" without '='.
type queryPair struct {
	key, value string
	hasValue   bool
}

// splitQuery splits a raw query string as PostgREST (http-types) does:
// pairs are separated by '&' or ';', '+' means space, and keys and values
// are percent-decoded (invalid escapes are kept as they are).
func splitQuery(raw string) []queryPair {
	raw = strings.TrimPrefix(raw, "?")
	var out []queryPair
	for len(raw) > 0 {
		i := strings.IndexAny(raw, "&;")
		part := raw
		if i >= 0 {
			part, raw = raw[:i], raw[i+1:]
		} else {
			raw = ""
		}
		if part == "" {
			continue
		}
		k, v, has := strings.Cut(part, "=")
		out = append(out, queryPair{key: urlDecode(k), value: urlDecode(v), hasValue: has})
	}
	return out
}

func unhex(c byte) (byte, bool) {
	switch {
	case c >= '0' && c <= '9':
		return c - '0', true
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10, true
	case c >= 'A' && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}

// urlDecode replaces '+' by a space and decodes %XX escapes.
func urlDecode(s string) string {
	if strings.IndexByte(s, '%') < 0 && strings.IndexByte(s, '+') < 0 {
		return s
	}
	b := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '+':
			b = append(b, ' ')
		case c == '%' && i+2 < len(s):
			h, ok1 := unhex(s[i+1])
			l, ok2 := unhex(s[i+2])
			if ok1 && ok2 {
				b = append(b, h<<4|l)
				i += 2
			} else {
				b = append(b, c)
			}
		default:
			b = append(b, c)
		}
	}
	return string(b)
}

// urlEncode percent-encodes all but unreserved characters, upper-case hex.
func urlEncode(b *strings.Builder, s string) {
	const hex = "0123456789ABCDEF"
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.' || c == '~' {
			b.WriteByte(c)
		} else {
			b.WriteByte('%')
			b.WriteByte(hex[c>>4])
			b.WriteByte(hex[c&15])
		}
	}
}

// canonical sorts the pairs by key (stably) and joins repeated keys'
// values with commas, as PostgREST's Content-Location does.
func canonical(pairs []queryPair) string {
	if len(pairs) == 0 {
		return ""
	}
	sorted := slices.Clone(pairs)
	slices.SortStableFunc(sorted, func(a, b queryPair) int { return strings.Compare(a.key, b.key) })
	var b strings.Builder
	done := make([]bool, len(sorted))
	first := true
	for i, p := range sorted {
		if done[i] {
			continue
		}
		if !first {
			b.WriteByte('&')
		}
		first = false
		urlEncode(&b, p.key)
		b.WriteByte('=')
		urlEncode(&b, p.value)
		for j := i + 1; j < len(sorted); j++ {
			if !done[j] && sorted[j].key == p.key {
				done[j] = true
				b.WriteByte(',')
				urlEncode(&b, sorted[j].value)
			}
		}
	}
	return b.String()
}

// lastSegment returns the part of key after its last '.'.
func lastSegment(key string) string {
	if i := strings.LastIndexByte(key, '.'); i >= 0 {
		return key[i+1:]
	}
	return key
}

func qpError(pe *parseError) *apierr.Error {
	return apierr.QueryParam(pe.Message, pe.Details)
}

// parseQuery parses the query string. rpcRead is true for GET/HEAD on a
// function, where a parameter without an operator is a function argument
// rather than a filter. Parameters are checked in PostgREST's order (order,
// logic, columns, select, filters, on_conflict) so that the first error
// reported is the same.
func parseQuery(raw string, rpcRead bool) (QueryParams, error) {
	pairs := splitQuery(raw)
	qp := QueryParams{Canonical: canonical(pairs)}

	lookup := func(name string) (string, bool) {
		for _, p := range pairs {
			if p.key == name {
				return p.value, p.hasValue
			}
		}
		return "", false
	}
	isReserved := func(k string) bool { return k == "select" || k == "columns" || k == "on_conflict" }

	for _, p := range pairs {
		if !p.hasValue || lastSegment(p.key) != "order" {
			continue
		}
		path, pe := runParser(treePath, "failed to parse tree path ("+p.key+")", p.key)
		if pe != nil {
			return qp, qpError(pe)
		}
		terms, pe := runParser(orderP, "failed to parse order ("+p.value+")", p.value)
		if pe != nil {
			return qp, qpError(pe)
		}
		qp.Order = append(qp.Order, PathOrder{Path: path.Path, Terms: terms})
	}

	for _, p := range pairs {
		if !p.hasValue {
			continue
		}
		if last := lastSegment(p.key); last != "and" && last != "or" {
			continue
		}
		lp, pe := runParser(sepBy1(fieldName, delimiter), "failed to parse logic path ("+p.key+")", p.key)
		if pe != nil {
			return qp, qpError(pe)
		}
		var path []string
		for _, seg := range lp[:len(lp)-1] {
			if seg != "not" {
				path = append(path, seg)
			}
		}
		src := lp[len(lp)-1] + p.value
		if slices.Contains(lp, "not") {
			src = "not." + src
		}
		tree, pe := runParser(logicTree, "failed to parse logic tree ("+p.value+")", src)
		if pe != nil {
			return qp, qpError(pe)
		}
		qp.Logic = append(qp.Logic, PathLogic{Path: path, Tree: tree})
	}

	if cols, ok := lookup("columns"); ok {
		c, pe := runParser(columnsP, "failed to parse columns parameter ("+cols+")", cols)
		if pe != nil {
			return qp, qpError(pe)
		}
		qp.Columns, qp.HasColumns = sortedUnique(c), true
	}

	sel, ok := lookup("select")
	if !ok {
		sel = "*"
	}
	items, pe := runParser(fieldForest, "failed to parse select parameter ("+sel+")", sel)
	if pe != nil {
		return qp, qpError(pe)
	}
	qp.Select = items

	filterExpr := filterOpExprValue
	if rpcRead {
		filterExpr = rpcArgOrFilter
	}
	var filterKeys []string
	for _, p := range pairs {
		if !p.hasValue || isReserved(p.key) {
			continue
		}
		switch lastSegment(p.key) {
		case "order", "limit", "offset", "and", "or":
			continue
		}
		filterKeys = append(filterKeys, p.key)
		path, pe := runParser(treePath, "failed to parse tree path ("+p.key+")", p.key)
		if pe != nil {
			return qp, qpError(pe)
		}
		expr, pe := runParser(filterExpr, "failed to parse filter ("+p.value+")", p.value)
		if pe != nil {
			return qp, qpError(pe)
		}
		if expr.noOp {
			qp.Params = append(qp.Params, [2]string{path.Filter.Field.Name, p.value})
			continue
		}
		f := path.Filter
		f.Expr = expr.OpExpr
		qp.Filters = append(qp.Filters, PathFilter{Path: path.Path, Filter: f})
		if len(path.Path) == 0 {
			qp.RootFilters = append(qp.RootFilters, f)
		}
	}
	qp.FilterFields = sortedUnique(filterKeys)

	if onc, ok := lookup("on_conflict"); ok {
		c, pe := runParser(columnsP, "failed to parse on_conflict parameter ("+onc+")", onc)
		if pe != nil {
			return qp, qpError(pe)
		}
		qp.OnConflict = c
	}

	// limit/offset per embed path; the last occurrence of a key wins.
	limits := map[string]Range{}
	offsets := map[string]Range{}
	for _, p := range pairs {
		if !p.hasValue {
			continue
		}
		switch lastSegment(p.key) {
		case "limit":
			limits[p.key] = limitRange(p.value)
		case "offset":
			offsets[p.key[:len(p.key)-len("offset")]+"limit"] = offsetRange(p.value)
		}
	}
	qp.RangeParams = make(map[string]Range, len(limits)+len(offsets))
	for k, l := range limits {
		if o, ok := offsets[k]; ok {
			// limit and offset together: l rows from o (an unparsable
			// limit counts as zero rows, as in PostgREST)
			qp.RangeParams[k] = Range{Offset: o.Offset, Limit: l.Limit, HasLimit: true}
		} else {
			qp.RangeParams[k] = l
		}
	}
	for k, o := range offsets {
		if _, ok := limits[k]; !ok {
			qp.RangeParams[k] = o
		}
	}
	return qp, nil
}

// filterValue is a parsed filter value; noOp marks a GET /rpc argument.
type filterValue struct {
	OpExpr
	noOp bool
}

var filterOpExprValue = mapP(filterOpExpr, func(e OpExpr) filterValue { return filterValue{OpExpr: e} })

// rpcArgOrFilter accepts a filter or, when the value does not start like
// one, a plain function argument (PostgREST's NoOpExpr). A value that
// starts like a filter and then fails ("not.x") is an error, as in
// PostgREST.
var rpcArgOrFilter = alt(filterOpExprValue, pure(filterValue{noOp: true}))

// limitRange is the range of limit=N: N rows from 0. A value that is not
// an integer is ignored, as PostgREST ignores it.
func limitRange(v string) Range {
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		return AllRows
	}
	return Range{Limit: n, HasLimit: true}
}

// offsetRange is the range of offset=N: everything from N.
func offsetRange(v string) Range {
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		return AllRows
	}
	return Range{Offset: n}
}

func sortedUnique(s []string) []string {
	out := slices.Clone(s)
	slices.Sort(out)
	return slices.Compact(out)
}
