package request

import (
	"strings"
	"unicode"
)

// The grammar of PostgREST's query string, written with the combinators of
// parsec.go so that errors read exactly as PostgREST's do. Each parser
// mirrors the PostgREST parser of the same name; where PostgREST has a
// quirk (e.g. "!left" matching the start of a hint named "leftovers"), it
// is kept, because clients depend on the same inputs meaning the same thing.

type unit = struct{}

var (
	wsP = manyChars(oneOf(" \t"))

	delimiter = label(char('.'), "delimiter (.)")

	identifierChar = alt(letter, digit, oneOf("_ $"))
	identifier     = mapP(many1Chars(identifierChar), strings.TrimSpace)

	quotedValue = mapP(between(char('"'), char('"'),
		many(alt(noneOf("\\\""), then(char('\\'), anyChar)))),
		func(rs []rune) string { return string(rs) })

	// dash is a '-' that does not start "->".
	dash = try(skipAfter(char('-'), notFollowedBy(char('>'), showRune)))

	fieldName = label(alt(quotedValue, sepByDash(identifier)), "field name (* or [a..z0..9_$])")

	jsonKeyIdentifier = mapP(many1Chars(noneOf("(-:.,>)")), strings.TrimSpace)
	jsonKeyName       = label(alt(quotedValue, sepByDash(jsonKeyIdentifier)),
		"any non reserved character different from: .,>()")

	jsonPath = many(jsonOperation())

	field = lexeme(seq(fieldName, func(name string) parser[Field] {
		return mapP(option[[]JSONOp](nil, jsonPath), func(jp []JSONOp) Field { return Field{Name: name, JSONPath: jp} })
	}))

	aliasSeparator = skipAfter(char(':'), notFollowedBy(char(':'), showRune))

	treePath = seq(sepBy1(fieldName, delimiter), func(names []string) parser[PathFilter] {
		return mapP(option[[]JSONOp](nil, jsonPath), func(jp []JSONOp) PathFilter {
			var path []string
			if len(names) > 1 {
				path = names[:len(names)-1]
			}
			return PathFilter{
				Path:   path,
				Filter: Filter{Field: Field{Name: names[len(names)-1], JSONPath: jp}},
			}
		})
	})

	columnsP = sepBy1(fieldName, lexeme(char(',')))
)

func lexeme[T any](p parser[T]) parser[T] {
	return then(wsP, skipAfter(p, wsP))
}

func sepByDash(ident parser[string]) parser[string] {
	return mapP(sepBy1(ident, dash), func(parts []string) string { return strings.Join(parts, "-") })
}

func jsonOperation() parser[JSONOp] {
	arrow := alt(
		try(mapP(str("->>"), func(string) bool { return true })),
		try(mapP(str("->"), func(string) bool { return false })),
	)
	jsonEnd := alt(
		try(void(lookAhead(str("->")))),
		try(void(lookAhead(str("::")))),
		try(void(lookAhead(str(".")))),
		try(void(lookAhead(str(",")))),
		try(parser[unit](eof)),
	)
	index := skipAfter(seq(option('+', char('-')), func(sign rune) parser[string] {
		return mapP(many1Chars(digit), func(d string) string { return string(sign) + d })
	}), jsonEnd)
	operand := alt(
		try(mapP(index, func(s string) JSONOp { return JSONOp{Key: s, IsIndex: true} })),
		try(mapP(jsonKeyName, func(s string) JSONOp { return JSONOp{Key: s} })),
	)
	return seq(arrow, func(double bool) parser[JSONOp] {
		return mapP(operand, func(op JSONOp) JSONOp { op.DoubleArrow = double; return op })
	})
}

// ---- select ----

var selectEnd = alt(
	try(void(lookAhead(str(")")))),
	try(void(lookAhead(str(",")))),
	try(parser[unit](eof)),
)

var aggregation = alt(
	mapP(str("sum"), func(string) AggregateFunc { return AggSum }),
	mapP(str("avg"), func(string) AggregateFunc { return AggAvg }),
	mapP(str("count"), func(string) AggregateFunc { return AggCount }),
	mapP(try(str("max")), func(string) AggregateFunc { return AggMax }),
	mapP(try(str("min")), func(string) AggregateFunc { return AggMin }),
)

type embedParams struct {
	hint string
	join JoinType
}

var embedParam = then(char('!'), alt(
	try(mapP(str("left"), func(string) embedParams { return embedParams{join: JoinLeft} })),
	try(mapP(str("inner"), func(string) embedParams { return embedParams{join: JoinInner} })),
	try(mapP(fieldName, func(h string) embedParams { return embedParams{hint: h} })),
))

var embedParamsP = seq(optionMaybe(embedParam), func(p1 *embedParams) parser[embedParams] {
	return mapP(optionMaybe(embedParam), func(p2 *embedParams) embedParams {
		var out embedParams
		for _, p := range []*embedParams{p1, p2} {
			if p == nil {
				continue
			}
			if p.hint != "" && out.hint == "" {
				out.hint = p.hint
			}
			if p.join != JoinDefault && out.join == JoinDefault {
				out.join = p.join
			}
		}
		return out
	})
})

var optionalAlias = optionMaybe(try(skipAfter(fieldName, aliasSeparator)))

func derefOr(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

var castP = optionMaybe(then(str("::"), identifier))

var fieldSelect = lexeme(alt(
	try(then(str("*"), mapP(selectEnd, func(unit) *SelectItem {
		return &SelectItem{Kind: SelectField, Field: Field{Name: "*"}}
	}))),
	try(seq(optionalAlias, func(alias *string) parser[*SelectItem] {
		return then(str("count()"), seq(castP, func(aggCast *string) parser[*SelectItem] {
			return mapP(selectEnd, func(unit) *SelectItem {
				return &SelectItem{Kind: SelectField, Field: Field{Name: "*"}, Agg: AggCount, AggCast: derefOr(aggCast), Alias: derefOr(alias)}
			})
		}))
	})),
	seq(optionalAlias, func(alias *string) parser[*SelectItem] {
		return seq(field, func(f Field) parser[*SelectItem] {
			return seq(castP, func(cast *string) parser[*SelectItem] {
				return seq(optionMaybe(try(skipAfter(then(char('.'), aggregation), str("()")))), func(agg *AggregateFunc) parser[*SelectItem] {
					return seq(castP, func(aggCast *string) parser[*SelectItem] {
						return mapP(selectEnd, func(unit) *SelectItem {
							it := &SelectItem{Kind: SelectField, Field: f, Cast: derefOr(cast), AggCast: derefOr(aggCast), Alias: derefOr(alias)}
							if agg != nil {
								it.Agg = *agg
							}
							return it
						})
					})
				})
			})
		})
	}),
))

var relationSelect = lexeme(seq(optionalAlias, func(alias *string) parser[*SelectItem] {
	return seq(fieldName, func(name string) parser[*SelectItem] {
		return then(guardP(name != "count"), seq(embedParamsP, func(ep embedParams) parser[*SelectItem] {
			return mapP(try(void(lookAhead(str("(")))), func(unit) *SelectItem {
				return &SelectItem{Kind: SelectRelation, Relation: name, Alias: derefOr(alias), Hint: ep.hint, Join: ep.join}
			})
		}))
	})
}))

var spreadRelationSelect = lexeme(then(str("..."), seq(fieldName, func(name string) parser[*SelectItem] {
	return seq(embedParamsP, func(ep embedParams) parser[*SelectItem] {
		return mapP(try(void(lookAhead(str("(")))), func(unit) *SelectItem {
			return &SelectItem{Kind: SelectSpread, Relation: name, Hint: ep.hint, Join: ep.join}
		})
	})
})))

// fieldForest is declared as a function value so that the recursive
// grammar can refer to itself.
var fieldForest parser[[]*SelectItem]

func init() {
	children := func(head parser[*SelectItem]) parser[*SelectItem] {
		return seq(head, func(it *SelectItem) parser[*SelectItem] {
			return mapP(between(char('('), char(')'), lazyForest), func(kids []*SelectItem) *SelectItem {
				it.Children = kids
				return it
			})
		})
	}
	fieldTree := alt(
		children(try(spreadRelationSelect)),
		children(try(relationSelect)),
		fieldSelect,
	)
	fieldForest = sepBy(fieldTree, lexeme(char(',')))
}

func lazyForest(s *pstate, pos int) ([]*SelectItem, reply) { return fieldForest(s, pos) }

// ---- filters ----

func ciString(word string) parser[string] {
	var p parser[string] = pure("")
	for _, c := range word {
		c := c
		one := alt(char(c), char(unicode.ToUpper(c)))
		prev := p
		p = seq(prev, func(acc string) parser[string] {
			return mapP(one, func(r rune) string { return acc + string(r) })
		})
	}
	return p
}

type opName struct {
	word string
	op   Operator
}

func opWords(names []opName) parser[Operator] {
	ps := make([]parser[Operator], len(names))
	for i, n := range names {
		n := n
		ps[i] = try(mapP(str(n.word), func(string) Operator { return n.op }))
	}
	return alt(ps...)
}

var simpleOperator = label(opWords([]opName{
	{"neq", OpNeq}, {"cs", OpContains}, {"cd", OpContained}, {"ov", OpOverlap},
	{"sl", OpStrictLeft}, {"sr", OpStrictRight}, {"nxr", OpNotExtRight}, {"nxl", OpNotExtLeft},
	{"adj", OpAdjacent},
}), "unknown single value operator")

var quantOperator = label(opWords([]opName{
	{"eq", OpEq}, {"gte", OpGte}, {"gt", OpGt}, {"lte", OpLte}, {"lt", OpLt},
	{"like", OpLike}, {"ilike", OpILike}, {"match", OpMatch}, {"imatch", OpIMatch},
}), "unknown single value operator")

var ftsOperator = alt(
	try(mapP(str("fts"), func(string) Operator { return OpFts })),
	try(mapP(str("plfts"), func(string) Operator { return OpPlFts })),
	try(mapP(str("phfts"), func(string) Operator { return OpPhFts })),
	try(mapP(str("wfts"), func(string) Operator { return OpWFts })),
)

var isValue = label(alt(
	try(mapP(ciString("null"), func(string) IsValue { return IsNull })),
	try(mapP(ciString("not_null"), func(string) IsValue { return IsNotNull })),
	try(mapP(ciString("true"), func(string) IsValue { return IsTrue })),
	try(mapP(ciString("false"), func(string) IsValue { return IsFalse })),
	try(mapP(ciString("unknown"), func(string) IsValue { return IsUnknown })),
), "isVal: (null, not_null, true, false, unknown)")

var listElement = alt(
	try(skipAfter(quotedValue, notFollowedBy(noneOf(",)"), showRune))),
	manyChars(noneOf(",)")),
)

var listVal = skipAfter(then(lexeme(char('(')), sepBy1(listElement, char(','))), lexeme(char(')')))

// singleVal is the rest of the input.
var singleVal = manyChars(anyChar)

// logicSingleVal is a value inside and/or: a quoted value, a {pg,array}
// or everything up to ',' or ')'.
var logicSingleVal = alt(
	try(skipAfter(quotedValue, notFollowedBy(noneOf(",)"), showRune))),
	try(seq(str("{"), func(a string) parser[string] {
		return seq(manyChars(noneOf("{}")), func(b string) parser[string] {
			return mapP(str("}"), func(c string) string { return a + b + c })
		})
	})),
	manyChars(noneOf(",)")),
)

func opExpr(val parser[string]) parser[OpExpr] {
	notP := alt(try(then(str("not"), mapP(delimiter, func(rune) bool { return true }))), pure(false))
	in := then(try(then(str("in"), delimiter)), mapP(listVal, func(l []string) OpExpr { return OpExpr{Op: OpIn, List: l} }))
	is := then(try(then(str("is"), delimiter)), mapP(isValue, func(v IsValue) OpExpr { return OpExpr{Op: OpIs, Is: v} }))
	isDist := then(try(then(str("isdistinct"), delimiter)), mapP(val, func(v string) OpExpr { return OpExpr{Op: OpIsDistinct, Value: v} }))
	fts := seq(ftsOperator, func(op Operator) parser[OpExpr] {
		return seq(optionMaybe(try(between(char('('), char(')'), identifier))), func(lang *string) parser[OpExpr] {
			return then(delimiter, mapP(val, func(v string) OpExpr { return OpExpr{Op: op, Lang: derefOr(lang), Value: v} }))
		})
	})
	simple := seq(simpleOperator, func(op Operator) parser[OpExpr] {
		return then(delimiter, mapP(val, func(v string) OpExpr { return OpExpr{Op: op, Value: v} }))
	})
	quantifier := optionMaybe(try(between(char('('), char(')'), alt(
		try(mapP(str("any"), func(string) Quantifier { return QuantAny })),
		mapP(str("all"), func(string) Quantifier { return QuantAll }),
	))))
	quant := seq(quantOperator, func(op Operator) parser[OpExpr] {
		return seq(quantifier, func(q *Quantifier) parser[OpExpr] {
			return then(delimiter, mapP(val, func(v string) OpExpr {
				e := OpExpr{Op: op, Value: v}
				if q != nil {
					e.Quant = *q
				}
				return e
			}))
		})
	})
	operation := label(alt(in, is, isDist, try(fts), try(simple), try(quant)), "operator (eq, gt, ...)")
	return seq(notP, func(not bool) parser[OpExpr] {
		return mapP(operation, func(e OpExpr) OpExpr { e.Not = not; return e })
	})
}

var (
	filterOpExpr = opExpr(singleVal)
	logicOpExpr  = opExpr(logicSingleVal)
)

// ---- order ----

var orderDir = alt(
	try(then(delimiter, mapP(str("asc"), func(string) OrderDirection { return OrderAsc }))),
	try(then(delimiter, mapP(str("desc"), func(string) OrderDirection { return OrderDesc }))),
)

var orderNulls = alt(
	try(then(delimiter, mapP(str("nullsfirst"), func(string) OrderNulls { return NullsFirst }))),
	try(then(delimiter, mapP(str("nullslast"), func(string) OrderNulls { return NullsLast }))),
)

var orderEnd = alt(try(void(lookAhead(char(',')))), try(parser[unit](eof)))

func orderTail(build func(OrderDirection, OrderNulls) OrderTerm) parser[OrderTerm] {
	return seq(optionMaybe(orderDir), func(dir *OrderDirection) parser[OrderTerm] {
		nulls := alt(
			skipAfter(optionMaybe(orderNulls), orderEnd),
			then(orderEnd, pure[*OrderNulls](nil)),
		)
		return mapP(nulls, func(n *OrderNulls) OrderTerm {
			var d OrderDirection
			var nl OrderNulls
			if dir != nil {
				d = *dir
			}
			if n != nil {
				nl = *n
			}
			return build(d, nl)
		})
	})
}

var orderTerm = seq(field, func(f Field) parser[OrderTerm] {
	return orderTail(func(d OrderDirection, n OrderNulls) OrderTerm { return OrderTerm{Field: f, Direction: d, Nulls: n} })
})

var orderRelationTerm = seq(fieldName, func(rel string) parser[OrderTerm] {
	return seq(between(char('('), char(')'), field), func(f Field) parser[OrderTerm] {
		return orderTail(func(d OrderDirection, n OrderNulls) OrderTerm {
			return OrderTerm{Relation: rel, Field: f, Direction: d, Nulls: n}
		})
	})
})

var orderP = sepBy1(lexeme(alt(try(orderRelationTerm), orderTerm)), char(','))

// ---- logic trees ----

var logicTree parser[LogicTree]

func init() {
	logicFilter := seq(field, func(f Field) parser[Filter] {
		return then(delimiter, mapP(logicOpExpr, func(e OpExpr) Filter { return Filter{Field: f, Expr: e} }))
	})
	notP := label(alt(try(then(str("not"), mapP(delimiter, func(rune) bool { return true }))), pure(false)), "negation operator (not)")
	logicOp := label(alt(
		try(mapP(str("and"), func(string) bool { return false })),
		mapP(str("or"), func(string) bool { return true }),
	), "logic operator (and, or)")
	lazy := func(s *pstate, pos int) (LogicTree, reply) { return logicTree(s, pos) }
	subtrees := skipAfter(then(lexeme(char('(')), sepBy1(parser[LogicTree](lazy), lexeme(char(',')))), lexeme(char(')')))
	expr := seq(notP, func(not bool) parser[LogicTree] {
		return seq(logicOp, func(or bool) parser[LogicTree] {
			return mapP(subtrees, func(ts []LogicTree) LogicTree { return LogicTree{IsExpr: true, Not: not, Or: or, Trees: ts} })
		})
	})
	logicTree = alt(
		mapP(try(logicFilter), func(f Filter) LogicTree { return LogicTree{Filter: f} }),
		expr,
	)
}
