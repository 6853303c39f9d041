// Package jsonpath parses and evaluates jwt-role-claim-key, the setting
// that says where the database role is inside the JWT claims, as PostgREST
// 16 does. A key is in one of two syntaxes:
//
//   - an RFC 9535 JSONPath query, such as $.role,
//     $.realm_access.roles[?(@ == 'admin')] or $.roles[?search(@, '^app_')],
//     with the grammar and results of aeson-jsonpath, the library PostgREST
//     uses (rfc9535.go lists where they differ from the RFC);
//   - the deprecated syntax of PostgREST 14 and earlier, such as .role,
//     .a.b[0], ."https://x/role" or .roles[?(@ ^== "app_")], which
//     PostgREST still accepts with a warning (jspath.go).
//
// Package config parses the key to validate it and to word that warning;
// package auth evaluates it on the claims of every new token. Paths are
// evaluated on [jsonvalue.Value]s, whose object members are in key order,
// as aeson's are: that order decides which result comes first. The package
// reads no configuration and knows nothing of JWTs.
package jsonpath

import (
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/restgres/restgres/internal/jsonvalue"
)

// Path is a parsed jwt-role-claim-key. It is immutable and safe for
// concurrent use.
type Path struct {
	text  string
	query *jpQuery  // the RFC 9535 query; nil for the deprecated syntax
	steps []jspStep // the deprecated syntax
}

// Parse parses a jwt-role-claim-key value as PostgREST reads it (with a
// single $: the $$ of config files is undone by then). A value that is
// not an RFC 9535 query is read in the deprecated syntax; when neither
// accepts it, the error says what PostgREST says:
// "failed to parse role-claim-key value (<key>)".
func Parse(key string) (*Path, error) {
	if q, ok := parseJSONPath(key); ok {
		return &Path{text: key, query: q}, nil
	}
	if steps, ok := parseJSPath(key); ok {
		return &Path{text: key, steps: steps}, nil
	}
	return nil, errors.New("failed to parse role-claim-key value (" + key + ")")
}

// String returns the path as it was written.
func (p *Path) String() string { return p.text }

// Deprecated reports whether the path is in the syntax of PostgREST 14 and
// earlier, for which PostgREST logs a warning at start-up and on reload.
func (p *Path) Deprecated() bool { return p.query == nil }

// First returns what the path selects in claims: the first node of an RFC
// 9535 query's result, or what a deprecated path finds. It returns nil
// when the path selects nothing. The result points into claims.
func (p *Path) First(claims *jsonvalue.Value) *jsonvalue.Value {
	if p.query != nil {
		return p.query.first(claims)
	}
	return evalJSPath(p.steps, claims)
}

// Equivalent returns, for a path in the deprecated syntax, an RFC 9535
// query that selects the same role, to suggest in the warning; for an RFC
// 9535 path, the path itself. The result always parses. The two differ
// only where the deprecated syntax finds nothing: its filter picks among
// the strings of an array, whereas the query's filter also goes through
// objects.
func (p *Path) Equivalent() string {
	if p.query != nil {
		return p.text
	}
	var b strings.Builder
	b.WriteByte('$')
	for _, s := range p.steps {
		switch s.kind {
		case jspKey:
			if isShorthandName(s.key) {
				b.WriteString("." + s.key)
			} else {
				b.WriteString("[" + rfcString(s.key) + "]")
			}
		case jspIndex:
			i := s.index
			if i < 0 || i > maxJSONPathInt {
				// Haskell's read wrapped it, or it is beyond what RFC 9535
				// allows: it finds nothing, and nor does the largest index
				// on any array a JWT can hold.
				i = maxJSONPathInt
			}
			b.WriteString("[" + strconv.FormatInt(i, 10) + "]")
		case jspFilter:
			lit := rfcString(s.text)
			switch s.op {
			case jspEquals:
				b.WriteString("[?(@ == " + lit + ")]")
			case jspNotEquals:
				// The old filter only ever picks strings; search(@, '') is
				// true for any string and false for anything else.
				b.WriteString("[?(@ != " + lit + " && search(@, ''))]")
			case jspStartsWith:
				b.WriteString("[?search(@, " + rfcString("^"+regexp.QuoteMeta(s.text)) + ")]")
			case jspEndsWith:
				b.WriteString("[?search(@, " + rfcString(regexp.QuoteMeta(s.text)+"$") + ")]")
			case jspContains:
				b.WriteString("[?search(@, " + rfcString(regexp.QuoteMeta(s.text)) + ")]")
			}
		}
	}
	return b.String()
}

// isShorthandName reports whether name can be written .name in a query.
func isShorthandName(name string) bool {
	for i, r := range name {
		if !nameChar(r) || i == 0 && !nameFirst(r) {
			return false
		}
	}
	return name != ""
}

// rfcString writes s as an RFC 9535 single-quoted string literal.
func rfcString(s string) string {
	var b strings.Builder
	b.WriteByte('\'')
	for _, r := range s {
		switch {
		case r == '\'' || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r < 0x20:
			fmt.Fprintf(&b, "\\u%04x", r)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('\'')
	return b.String()
}
