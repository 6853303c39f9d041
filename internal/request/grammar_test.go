package request

import (
	"testing"
)

// The error texts below are PostgREST's (its doctests and conformance
// cases): clients compare them, so they are asserted verbatim.
func TestGrammarErrors(t *testing.T) {
	tests := []struct {
		name    string
		run     func() *parseError
		message string
		details string
	}{
		{"unknown operator", func() *parseError {
			_, pe := runParser(filterOpExpr, "failed to parse filter (noop.0)", "noop.0")
			return pe
		}, `"failed to parse filter (noop.0)" (line 1, column 1)`, `unexpected "o" expecting "not" or operator (eq, gt, ...)`},
		{"no operator", func() *parseError {
			_, pe := runParser(filterOpExpr, "failed to parse filter (val)", "val")
			return pe
		}, `"failed to parse filter (val)" (line 1, column 1)`, `unexpected "v" expecting "not" or operator (eq, gt, ...)`},
		{"digit only filter", func() *parseError {
			_, pe := runParser(filterOpExpr, "failed to parse filter (0)", "0")
			return pe
		}, `"failed to parse filter (0)" (line 1, column 1)`, `unexpected "0" expecting "not" or operator (eq, gt, ...)`},
		{"select with brackets", func() *parseError {
			_, pe := runParser(fieldForest, "", "id,clients(name[])")
			return pe
		}, `"" (line 1, column 16)`, `unexpected '[' expecting letter, digit, "-", "->>", "->", "::", ".", ")", "," or end of input`},
		{"bad negative json index", func() *parseError {
			_, pe := runParser(fieldForest, "", "data->>-78xy")
			return pe
		}, `"" (line 1, column 11)`, `unexpected 'x' expecting digit, "->", "::", ".", "," or end of input`},
		{"double minus", func() *parseError {
			_, pe := runParser(fieldForest, "failed to parse select parameter (data->>--34)", "data->>--34")
			return pe
		}, `"failed to parse select parameter (data->>--34)" (line 1, column 9)`, `unexpected "-" expecting digit`},
		{"field name colon", func() *parseError {
			_, pe := runParser(fieldName, "", ":")
			return pe
		}, `"" (line 1, column 1)`, `unexpected ":" expecting field name (* or [a..z0..9_$])`},
		{"hint on field", func() *parseError {
			_, pe := runParser(fieldSelect, "", "name!hint")
			return pe
		}, `"" (line 1, column 5)`, `unexpected '!' expecting letter, digit, "-", "->>", "->", "::", ".", ")", "," or end of input`},
		{"hint on star", func() *parseError {
			_, pe := runParser(fieldSelect, "", "*!hint")
			return pe
		}, `"" (line 1, column 2)`, `unexpected '!' expecting ")", "," or end of input`},
		{"cast without type", func() *parseError {
			_, pe := runParser(fieldSelect, "", "name::")
			return pe
		}, `"" (line 1, column 7)`, `unexpected end of input expecting letter or digit`},
		{"relation with json path", func() *parseError {
			_, pe := runParser(relationSelect, "", "rel->jsonpath(*)")
			return pe
		}, `"" (line 1, column 6)`, `unexpected '>'`},
		{"spread without dots", func() *parseError {
			_, pe := runParser(spreadRelationSelect, "", "rel(*)")
			return pe
		}, `"" (line 1, column 1)`, `unexpected "r" expecting "..."`},
		{"fts empty language", func() *parseError {
			_, pe := runParser(filterOpExpr, "", "fts().value")
			return pe
		}, `"" (line 1, column 5)`, `unexpected ")" expecting operator (eq, gt, ...)`},
		{"order nulls typo", func() *parseError {
			_, pe := runParser(orderP, "failed to parse order (id.asc.nullslasttt)", "id.asc.nullslasttt")
			return pe
		}, `"failed to parse order (id.asc.nullslasttt)" (line 1, column 17)`, `unexpected 't' expecting "," or end of input`},
		{"json key with symbols", func() *parseError {
			_, pe := runParser(fieldForest, "x", "data->(!@#$%^&*_d->>!@#$%^&*_e::integer")
			return pe
		}, `"x" (line 1, column 7)`, `unexpected "(" expecting "-", digit or any non reserved character different from: .,>()`},
		{"empty columns", func() *parseError {
			_, pe := runParser(columnsP, "failed to parse columns parameter ()", "")
			return pe
		}, `"failed to parse columns parameter ()" (line 1, column 1)`, `unexpected end of input expecting field name (* or [a..z0..9_$])`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			pe := tc.run()
			if pe == nil {
				t.Fatal("parsed, want an error")
			}
			if pe.Message != tc.message || pe.Details != tc.details {
				t.Errorf("got  %q / %q\nwant %q / %q", pe.Message, pe.Details, tc.message, tc.details)
			}
		})
	}
}
