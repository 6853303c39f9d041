// Package sqlgen turns a plan into one SQL statement and its arguments. It
// is the only package that writes SQL text, and Builder is why that is safe:
// text reaches a statement only as fixed keywords (a type that string
// variables do not convert to), as quoted identifiers, or as $n parameters.
// The same request shape always yields the same SQL text, so prepared
// statements are reused; values never change the text.
package sqlgen

import (
	"strconv"
	"strings"
	"sync"
)

// keyword is SQL text fixed at compile time. Untyped string constants
// convert to it implicitly; a string variable needs an explicit
// keyword(...) conversion, and `grep "keyword("` finds every one of those.
type keyword string

// Param OIDs the statements use. Most values are sent as text of unknown
// type (OID 0) so that PostgreSQL infers the type from the context and
// reports conversion errors in its own words, as it does for PostgREST.
const (
	oidUnknown = 0
	oidBytea   = 17
	oidText    = 25
	oidJSON    = 114
	oidJSONB   = 3802
	oidTextArr = 1009
)

// Query is a statement with its parameters in PostgreSQL's wire form.
type Query struct {
	SQL string
	// Args are the parameter values; a nil entry is SQL NULL.
	Args [][]byte
	// OIDs are the parameter types (0: inferred by PostgreSQL).
	OIDs []uint32
	// Formats are the parameter formats (0 text, 1 binary).
	Formats []int16
	// Columns and ResultFormats describe a main statement's result row;
	// zero for other statements.
	Columns       Columns
	ResultFormats []int16
}

// Builder accumulates SQL text and parameters. Its zero value is ready to
// use; newBuilder gives it a pooled buffer. Query ends its use.
type Builder struct {
	sql     []byte
	args    [][]byte
	oids    []uint32
	formats []int16
	binary  bool
	// pooled is the pool's pointer to sql's buffer, given back by Query.
	pooled *[]byte
}

// The text is written into a pooled buffer, and the first parameters go
// into one allocation (params): growing the text and the three parameter
// slices by append cost about twenty allocations per request.
var sqlBufs = sync.Pool{New: func() any { b := make([]byte, 0, 2048); return &b }}

// maxPooledSQL bounds the buffers kept in the pool, so that one huge
// statement does not pin its buffer.
const maxPooledSQL = 64 << 10

// newBuilder returns a Builder writing into a pooled buffer. (Taking the
// buffer on first write instead would keep Kw, called some fifty times
// per statement, from being inlined.)
func newBuilder() Builder {
	p := sqlBufs.Get().(*[]byte)
	return Builder{sql: (*p)[:0], pooled: p}
}

// params holds the first parameters of a statement.
type params struct {
	args    [8][]byte
	oids    [8]uint32
	formats [8]int16
}

// Kw appends fixed SQL text.
func (b *Builder) Kw(k keyword) { b.sql = append(b.sql, k...) }

// Ident appends a quoted identifier. NUL bytes cannot be part of an
// identifier; like PostgREST, the name is cut at the first one.
func (b *Builder) Ident(s string) { b.sql = appendIdent(b.sql, s) }

// QI appends a schema-qualified identifier ("schema"."name", or "name"
// when the schema is empty).
func (b *Builder) QI(schema, name string) {
	if schema != "" {
		b.Ident(schema)
		b.sql = append(b.sql, '.')
	}
	b.Ident(name)
}

// Param appends $n for a text value of inferred type.
func (b *Builder) Param(v string) { b.typedParam([]byte(v), oidUnknown, 0) }

// ParamBytes appends $n for a text value of inferred type, without copying.
func (b *Builder) ParamBytes(v []byte) { b.typedParam(v, oidUnknown, 0) }

// ParamTyped appends $n for a text value of the given type.
func (b *Builder) ParamTyped(v []byte, oid uint32) { b.typedParam(v, oid, 0) }

// ParamBinary appends $n for a binary value of the given type.
func (b *Builder) ParamBinary(v []byte, oid uint32) {
	b.binary = true
	b.typedParam(v, oid, 1)
}

// ParamNull appends $n bound to NULL, typed.
func (b *Builder) ParamNull(oid uint32) { b.typedParam(nil, oid, 0) }

func (b *Builder) typedParam(v []byte, oid uint32, format int16) {
	b.bind(v, oid, format)
	b.sql = append(b.sql, '$')
	b.sql = strconv.AppendInt(b.sql, int64(len(b.args)), 10)
}

// bind adds the next parameter without writing its placeholder, for fixed
// text that refers to it by number (a catalog query written as $1, $2).
func (b *Builder) bind(v []byte, oid uint32, format int16) {
	if b.args == nil {
		p := new(params)
		b.args, b.oids, b.formats = p.args[:0], p.oids[:0], p.formats[:0]
	}
	b.args = append(b.args, v)
	b.oids = append(b.oids, oid)
	b.formats = append(b.formats, format)
}

// raw appends SQL text that the caller has validated: type names of casts
// (letters, digits, spaces, '_', '$' and '[]' only), checked by the
// request parser, and names read from the catalogs. It is unexported so
// that only this package can use it.
func (b *Builder) raw(s string) { b.sql = append(b.sql, s...) }

// Len is the length of the SQL text so far.
func (b *Builder) Len() int { return len(b.sql) }

// Query returns the statement. The Builder's text buffer goes back to the
// pool: the Builder must not be used afterwards.
func (b *Builder) Query() Query {
	q := Query{SQL: string(b.sql), Args: b.args, OIDs: b.oids}
	if b.binary {
		q.Formats = b.formats
	}
	if b.pooled != nil && cap(b.sql) <= maxPooledSQL {
		*b.pooled = b.sql[:0]
		sqlBufs.Put(b.pooled)
	}
	b.sql, b.pooled = nil, nil
	return q
}

func appendIdent(dst []byte, s string) []byte {
	if i := strings.IndexByte(s, 0); i >= 0 {
		s = s[:i]
	}
	dst = append(dst, '"')
	for i := 0; i < len(s); i++ {
		if s[i] == '"' {
			dst = append(dst, '"', '"')
		} else {
			dst = append(dst, s[i])
		}
	}
	return append(dst, '"')
}

// QuoteIdent returns s as a quoted identifier, for settings such as
// search_path that take identifiers as a value.
func QuoteIdent(s string) string { return string(appendIdent(nil, s)) }

// literal appends a string constant for text that comes from the catalogs
// (a column name as a JSON key, a default expression's name); never for
// request input.
func (b *Builder) literal(s string) {
	if i := strings.IndexByte(s, 0); i >= 0 {
		s = s[:i]
	}
	escaped := strings.ReplaceAll(s, "'", "''")
	if strings.Contains(escaped, `\`) {
		b.sql = append(b.sql, 'E')
		escaped = strings.ReplaceAll(escaped, `\`, `\\`)
	}
	b.sql = append(b.sql, '\'')
	b.sql = append(b.sql, escaped...)
	b.sql = append(b.sql, '\'')
}
