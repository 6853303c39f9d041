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
	if raw == "" {
		return nil
	}
	// one allocation: there are at most separators+1 pairs
	out := make([]queryPair, 0, 1+strings.Count(raw, "&")+strings.Count(raw, ";"))
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

// QueryEscape writes s percent-encoded for a query string: every byte but
// the unreserved characters (RFC 3986), with upper-case hex, as PostgREST
// writes Content-Location and Location.
func QueryEscape(b *strings.Builder, s string) {
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
	if sortedUniqueKeys(pairs) {
		// the common case: nothing to sort or merge, so no copies; the
		// result is built in one buffer of the right size
		b := make([]byte, 0, encodedLen(pairs))
		for i, p := range pairs {
			if i > 0 {
				b = append(b, '&')
			}
			b = appendURLEncoded(b, p.key)
			b = append(b, '=')
			b = appendURLEncoded(b, p.value)
		}
		return string(b)
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
		QueryEscape(&b, p.key)
		b.WriteByte('=')
		QueryEscape(&b, p.value)
		for j := i + 1; j < len(sorted); j++ {
			if !done[j] && sorted[j].key == p.key {
				done[j] = true
				b.WriteByte(',')
				QueryEscape(&b, sorted[j].value)
			}
		}
	}
	return b.String()
}

// sortedUniqueKeys reports whether the keys are in strictly increasing
// order.
func sortedUniqueKeys(pairs []queryPair) bool {
	for i := 1; i < len(pairs); i++ {
		if pairs[i-1].key >= pairs[i].key {
			return false
		}
	}
	return true
}

// encodedLen is the length of the pairs joined as canonical joins them.
func encodedLen(pairs []queryPair) int {
	n := 0
	for _, p := range pairs {
		n += 2 + urlEncodedLen(p.key) + urlEncodedLen(p.value)
	}
	return n
}

func unreserved(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.' || c == '~'
}

func urlEncodedLen(s string) int {
	n := len(s)
	for i := 0; i < len(s); i++ {
		if !unreserved(s[i]) {
			n += 2
		}
	}
	return n
}

// appendURLEncoded is urlEncode appending to a byte slice.
func appendURLEncoded(b []byte, s string) []byte {
	const hex = "0123456789ABCDEF"
	for i := 0; i < len(s); i++ {
		if c := s[i]; unreserved(c) {
			b = append(b, c)
		} else {
			b = append(b, '%', hex[c>>4], hex[c&15])
		}
	}
	return b
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
		path, ok := fastTreePath(p.key)
		if !ok {
			var pe *parseError
			if path, pe = parseParam(treePath, "tree path", p.key); pe != nil {
				return qp, qpError(pe)
			}
		}
		terms, ok := fastOrder(p.value)
		if !ok {
			var pe *parseError
			if terms, pe = parseParam(orderP, "order", p.value); pe != nil {
				return qp, qpError(pe)
			}
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
		lp, pe := parseParam(sepBy1(fieldName, delimiter), "logic path", p.key)
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
		c, pe := parseParam(columnsP, "columns parameter", cols)
		if pe != nil {
			return qp, qpError(pe)
		}
		qp.Columns, qp.HasColumns = sortedUnique(c), true
	}

	sel, ok := lookup("select")
	if !ok {
		sel = "*"
	}
	items, ok := fastSelect(sel)
	if !ok {
		var pe *parseError
		if items, pe = parseParam(fieldForest, "select parameter", sel); pe != nil {
			return qp, qpError(pe)
		}
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
		path, ok := fastTreePath(p.key)
		if !ok {
			var pe *parseError
			if path, pe = parseParam(treePath, "tree path", p.key); pe != nil {
				return qp, qpError(pe)
			}
		}
		var expr filterValue
		if e, ok := fastOpExpr(p.value); ok {
			// a filter in both modes: rpcArgOrFilter tries the filter first
			expr.OpExpr = e
		} else {
			var pe *parseError
			if expr, pe = parseParam(filterExpr, "filter", p.value); pe != nil {
				return qp, qpError(pe)
			}
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
		c, pe := parseParam(columnsP, "on_conflict parameter", onc)
		if pe != nil {
			return qp, qpError(pe)
		}
		qp.OnConflict = c
	}

	// limit/offset per embed path; the last occurrence of a key wins. The
	// maps are made only when there is a limit or an offset.
	var limits, offsets map[string]Range
	for _, p := range pairs {
		if !p.hasValue {
			continue
		}
		switch lastSegment(p.key) {
		case "limit":
			if limits == nil {
				limits = map[string]Range{}
			}
			limits[p.key] = limitRange(p.value)
		case "offset":
			if offsets == nil {
				offsets = map[string]Range{}
			}
			offsets[p.key[:len(p.key)-len("offset")]+"limit"] = offsetRange(p.value)
		}
	}
	switch {
	case limits == nil && offsets == nil:
		return qp, nil
	case offsets == nil:
		qp.RangeParams = limits // nothing to combine: the same map
		return qp, nil
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

// sortedUnique sorts s and drops repeated elements, in place: every
// caller passes a slice it has just built.
func sortedUnique(s []string) []string {
	slices.Sort(s)
	return slices.Compact(s)
}
