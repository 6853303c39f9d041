package request

import (
	"strings"
	"unicode/utf8"
)

// Fast paths for the common query-string shapes: plain names, "op.value"
// filters, select lists of plain names and embeds, "col.desc" orders.
//
// The combinator grammar allocates a closure at every bind, which made
// parsing "select=id,title,year&year=gte.1990&order=year.desc" cost about
// 650 allocations and most of a request's CPU time. Each function below
// accepts only a strict subset of its grammar rule and reports false for
// anything else, which then goes to the grammar; for every input it
// accepts it returns exactly what the grammar returns
// (TestFastPathsAgree and FuzzFastPaths check this). Errors are never
// produced here, so their Parsec wording stays the grammar's.

// isPlainName reports whether s is a non-empty run of ASCII letters,
// digits and '_': a field name that fieldName reads whole, with no
// quoting, dashes, spaces or JSON path to interpret.
func isPlainName(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_') {
			return false
		}
	}
	return true
}

// fastTreePath is treePath for "name" and "embed.name" keys made of plain
// names.
func fastTreePath(key string) (PathFilter, bool) {
	if isPlainName(key) {
		return PathFilter{Filter: Filter{Field: Field{Name: key}}}, true
	}
	if strings.IndexByte(key, '.') < 0 {
		return PathFilter{}, false
	}
	names := strings.Split(key, ".")
	for _, n := range names {
		if !isPlainName(n) {
			return PathFilter{}, false
		}
	}
	return PathFilter{Path: names[:len(names)-1], Filter: Filter{Field: Field{Name: names[len(names)-1]}}}, true
}

// fastOps are the operators fastOpExpr accepts: those written "op.value",
// without a quantifier or language, whose value is the rest of the input.
// in, is, isdistinct and the full-text operators are left to the grammar.
var fastOps = map[string]Operator{
	"eq": OpEq, "gte": OpGte, "gt": OpGt, "lte": OpLte, "lt": OpLt,
	"like": OpLike, "ilike": OpILike, "match": OpMatch, "imatch": OpIMatch,
	"neq": OpNeq, "cs": OpContains, "cd": OpContained, "ov": OpOverlap,
	"sl": OpStrictLeft, "sr": OpStrictRight, "nxr": OpNotExtRight, "nxl": OpNotExtLeft, "adj": OpAdjacent,
}

// fastOpExpr is filterOpExpr for "[not.]op.value". The grammar reads the
// value rune by rune, turning invalid UTF-8 into U+FFFD, so such values
// are left to it.
func fastOpExpr(v string) (OpExpr, bool) {
	not := false
	if strings.HasPrefix(v, "not.") {
		not, v = true, v[len("not."):]
	}
	word, value, ok := strings.Cut(v, ".")
	if !ok {
		return OpExpr{}, false
	}
	op, ok := fastOps[word]
	if !ok || !utf8.ValidString(value) {
		return OpExpr{}, false
	}
	return OpExpr{Not: not, Op: op, Value: value}, true
}

// fastSelect is fieldForest for lists of "*", "name", "alias:name" and
// embeds "[alias:]name(…)" whose children are of the same shapes.
func fastSelect(sel string) ([]*SelectItem, bool) {
	// The items are allocated together: there are at most as many as
	// commas and opening parentheses plus one.
	a := selectArena{items: make([]SelectItem, 0, 1+strings.Count(sel, ",")+strings.Count(sel, "("))}
	items, rest, ok := a.list(sel)
	return items, ok && rest == ""
}

// selectArena hands out SelectItems from one slice.
type selectArena struct{ items []SelectItem }

func (a *selectArena) new(it SelectItem) *SelectItem {
	// Were the capacity too small, append would move the items and the
	// pointers handed out so far would keep the old copies: still right.
	a.items = append(a.items, it)
	return &a.items[len(a.items)-1]
}

// list reads items separated by ',' up to the end or a ')' (not
// consumed) and returns the rest.
func (a *selectArena) list(s string) ([]*SelectItem, string, bool) {
	items := make([]*SelectItem, 0, 1+strings.Count(firstLevel(s), ","))
	for {
		it, rest, ok := a.item(s)
		if !ok {
			return nil, "", false
		}
		items = append(items, it)
		if rest == "" || rest[0] == ')' {
			return items, rest, true
		}
		if rest[0] != ',' {
			return nil, "", false
		}
		s = rest[1:]
	}
}

// firstLevel returns s up to the ')' closing the current level, or all
// of s.
func firstLevel(s string) string {
	depth := 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '(':
			depth++
		case ')':
			if depth == 0 {
				return s[:i]
			}
			depth--
		}
	}
	return s
}

func (a *selectArena) item(s string) (*SelectItem, string, bool) {
	if s != "" && s[0] == '*' {
		return a.new(SelectItem{Kind: SelectField, Field: Field{Name: "*"}}), s[1:], true
	}
	name, s := plainPrefix(s)
	if name == "" {
		return nil, "", false
	}
	alias := ""
	if s != "" && s[0] == ':' {
		alias, name = name, ""
		name, s = plainPrefix(s[1:])
		if name == "" {
			return nil, "", false
		}
	}
	if s == "" || s[0] != '(' {
		return a.new(SelectItem{Kind: SelectField, Field: Field{Name: name}, Alias: alias}), s, true
	}
	// an embed; "count(" is the count() aggregate, and an empty list is
	// left to the grammar too
	if name == "count" {
		return nil, "", false
	}
	kids, rest, ok := a.list(s[1:])
	if !ok || rest == "" {
		return nil, "", false
	}
	return a.new(SelectItem{Kind: SelectRelation, Relation: name, Alias: alias, Children: kids}), rest[1:], true
}

// plainPrefix splits s after its longest prefix of plain-name characters.
func plainPrefix(s string) (name, rest string) {
	i := 0
	for i < len(s) {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_') {
			break
		}
		i++
	}
	return s[:i], s[i:]
}

// fastOrder is orderP for terms "name[.asc|.desc][.nullsfirst|.nullslast]"
// separated by ','.
func fastOrder(v string) ([]OrderTerm, bool) {
	var terms []OrderTerm
	for {
		name, rest := plainPrefix(v)
		if name == "" {
			return nil, false
		}
		t := OrderTerm{Field: Field{Name: name}}
		if r, ok := strings.CutPrefix(rest, ".asc"); ok {
			t.Direction, rest = OrderAsc, r
		} else if r, ok := strings.CutPrefix(rest, ".desc"); ok {
			t.Direction, rest = OrderDesc, r
		}
		if r, ok := strings.CutPrefix(rest, ".nullsfirst"); ok {
			t.Nulls, rest = NullsFirst, r
		} else if r, ok := strings.CutPrefix(rest, ".nullslast"); ok {
			t.Nulls, rest = NullsLast, r
		}
		terms = append(terms, t)
		switch {
		case rest == "":
			return terms, true
		case rest[0] != ',':
			return nil, false
		}
		v = rest[1:]
	}
}
