package request

import (
	"reflect"
	"testing"
)

// checkFastPaths fails when a fast path accepts s and returns something
// other than the grammar rule it stands for.
func checkFastPaths(t *testing.T, s string) (accepted int) {
	t.Helper()
	if got, ok := fastTreePath(s); ok {
		accepted++
		want, pe := runParser(treePath, "", s)
		if pe != nil || !reflect.DeepEqual(got, want) {
			t.Errorf("fastTreePath(%q) = %+v, treePath: %+v, %v", s, got, want, pe)
		}
	}
	if got, ok := fastOpExpr(s); ok {
		accepted++
		for _, rpcRead := range []bool{false, true} {
			p := filterOpExprValue
			if rpcRead {
				p = rpcArgOrFilter
			}
			want, pe := runParser(p, "", s)
			if pe != nil || want.noOp || !reflect.DeepEqual(got, want.OpExpr) {
				t.Errorf("fastOpExpr(%q) = %+v, grammar (rpc %v): %+v, %v", s, got, rpcRead, want, pe)
			}
		}
	}
	if got, ok := fastSelect(s); ok {
		accepted++
		want, pe := runParser(fieldForest, "", s)
		if pe != nil || !reflect.DeepEqual(got, want) {
			t.Errorf("fastSelect(%q) = %s, fieldForest: %s, %v", s, dump(got), dump(want), pe)
		}
	}
	if got, ok := fastOrder(s); ok {
		accepted++
		want, pe := runParser(orderP, "", s)
		if pe != nil || !reflect.DeepEqual(got, want) {
			t.Errorf("fastOrder(%q) = %+v, orderP: %+v, %v", s, got, want, pe)
		}
	}
	return accepted
}

var fastPathSeeds = []string{
	// accepted by some fast path
	"id", "clients.projects.name", "eq.42", "not.eq.x", "gte.1990", "gt.", "neq.a.b", "like.*x*", "ilike.A%",
	"imatch.^a", "cs.{a,b}", "adj.[1,2)", "not.nxl.(1,2)", "*", "id,title,year", "t:title,*",
	"title,director:directors(name),actors(name)", "a(b(c,d:e),*)", "year.desc", "a.asc.nullslast,b,c.nullsfirst",
	"count", "a,count", "eq.\u00e9t\u00e9",
	// left to the grammar
	"", "a-b", `"quoted"`, "a->b", "a.", ".a", "a..b", "in.(1,2)", "is.null", "isdistinct.1", "fts.x",
	"fts(english).x", "eq(any).{1,2}", "not.in.(1)", "eq", "not.eq", "eqx.1", "eq.\xff", "count()", "a()",
	"a(b", "a(b))", "a:b:c", "a::text", "...rel(*)", "rel!inner(*)", "*id", "a,", ",a", "a b", "rel(c)",
	"year.descx", "year.desc.x", "a.asc,", "alias:*", "a:count(b)", "count(b)",
}

// TestFastPathsAgree checks the fast paths against the grammar, and that
// the common shapes do take a fast path.
func TestFastPathsAgree(t *testing.T) {
	for _, s := range fastPathSeeds {
		checkFastPaths(t, s)
	}
	for _, s := range []string{"id", "eq.42", "id,title,year", "title,director:directors(name),actors(name)", "year.desc"} {
		if checkFastPaths(t, s) == 0 {
			t.Errorf("%q takes no fast path", s)
		}
	}
}

func FuzzFastPaths(f *testing.F) {
	for _, s := range fastPathSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) { checkFastPaths(t, s) })
}
