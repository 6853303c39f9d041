package sqlgen

import (
	"strings"
)

// Setting is a name = value pair set for the transaction.
type Setting struct {
	Name, Value string
}

// TxVars are the transaction-scoped settings of a request, in the order
// PostgREST sets them: role settings come before the role so that settings
// granted to the authenticator (GRANT SET ON PARAMETER) can be applied.
type TxVars struct {
	// SearchPath is the value of search_path, identifiers already quoted
	// (see SearchPath).
	SearchPath   string
	RoleSettings []Setting
	Role         string
	// Claims, Headers and Cookies are JSON objects.
	Claims       []byte
	Method, Path string
	Headers      []byte
	Cookies      []byte
	// Timezone is Prefer: timezone=, "" for none.
	Timezone     string
	FuncSettings []Setting
	AppSettings  []Setting
}

// SearchPath renders schemas as a search_path value: each quoted, comma
// separated.
func SearchPath(schemas []string) string {
	var sb strings.Builder
	for i, s := range schemas {
		if i > 0 {
			sb.WriteString(", ")
		}
		sb.WriteString(QuoteIdent(s))
	}
	return sb.String()
}

// TxSetup builds the one statement that sets all transaction settings with
// set_config(..., true), the equivalent of SET LOCAL. Names of role,
// function and app settings are parameters too; the SQL text depends only
// on how many there are.
func TxSetup(v *TxVars) Query {
	b := newBuilder()
	b.Kw("select set_config('search_path', ")
	b.Param(v.SearchPath)
	b.Kw(", true)")
	dynamic := func(s Setting) {
		b.Kw(", set_config(")
		b.Param(s.Name)
		b.Kw(", ")
		b.Param(s.Value)
		b.Kw(", true)")
	}
	constant := func(name keyword, value []byte) {
		b.Kw(", set_config('")
		b.Kw(name)
		b.Kw("', ")
		b.ParamBytes(value)
		b.Kw(", true)")
	}
	for _, s := range v.RoleSettings {
		dynamic(s)
	}
	constant("role", []byte(v.Role))
	constant("request.jwt.claims", v.Claims)
	constant("request.method", []byte(v.Method))
	constant("request.path", []byte(v.Path))
	constant("request.headers", v.Headers)
	constant("request.cookies", v.Cookies)
	if v.Timezone != "" {
		constant("timezone", []byte(v.Timezone))
	}
	for _, s := range v.FuncSettings {
		dynamic(s)
	}
	for _, s := range v.AppSettings {
		dynamic(s)
	}
	return b.Query()
}

// PreRequest builds the call of the db-pre-request function.
func PreRequest(schema, name string) Query {
	b := newBuilder()
	b.Kw("select ")
	b.QI(schema, name)
	b.Kw("()")
	return b.Query()
}

// Begin returns the BEGIN statement for an isolation level ("read
// committed", "repeatable read", "serializable"; anything else is read
// committed) and access mode.
func Begin(isolation string, readOnly bool) string {
	// whole constants: concatenating them cost an allocation per request
	switch strings.ToLower(isolation) {
	case "repeatable read":
		if readOnly {
			return "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"
		}
		return "BEGIN ISOLATION LEVEL REPEATABLE READ READ WRITE"
	case "serializable":
		if readOnly {
			return "BEGIN ISOLATION LEVEL SERIALIZABLE READ ONLY"
		}
		return "BEGIN ISOLATION LEVEL SERIALIZABLE READ WRITE"
	}
	if readOnly {
		return "BEGIN ISOLATION LEVEL READ COMMITTED READ ONLY"
	}
	return "BEGIN ISOLATION LEVEL READ COMMITTED READ WRITE"
}
