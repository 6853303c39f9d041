// Package openapi builds the OpenAPI (Swagger 2.0) description PostgREST
// serves at the root path: a path, a definition and parameters for each
// table and view, a path for each function, with descriptions taken from the
// database comments. Its input is the schema cache and an [Access], the
// answer of the statement sqlgen.Inspect builds, which in follow-privileges
// mode narrows the document to what the request's role may use.
//
// The JSON is written directly, without reflection: members in a fixed
// order, tables and functions in name order, so the same input gives the
// same bytes. The values are PostgREST's (Response/OpenAPI.hs and the
// swagger2 library's encoding, which leaves out empty lists and absent
// values).
//
// The package neither talks to the database nor writes SQL.
package openapi

import (
	"bytes"
	"encoding/json"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/restgres/restgres/internal/mediatype"
	"github.com/restgres/restgres/internal/schema"
)

// Options are the settings the document depends on.
type Options struct {
	// SecurityActive is openapi-security-active: declare the JWT bearer
	// token (an Authorization header) as the API's security scheme.
	SecurityActive bool
	// ProxyURI is openapi-server-proxy-uri, "" for none. An http(s) URL
	// whose scheme, host, port and path give schemes, host and basePath;
	// without it (or when it is malformed) they are http, ServerHost and
	// ServerPort, and "/".
	ProxyURI string
	// ServerHost and ServerPort are server-host and server-port. The
	// special hosts "*", "*4", "!4", "*6" and "!6" show as 0.0.0.0.
	ServerHost string
	ServerPort int
	// Version is info.version: the PostgREST version, as PostgREST prints
	// it ("12.2").
	Version string
	// DocsVersion names the version of the postgrest.org documentation
	// externalDocs links to ("v12").
	DocsVersion string
}

// The reference prefixes of Swagger 2.0.
const (
	defsRef   = "#/definitions/"
	paramsRef = "#/parameters/"
)

// Document returns the OpenAPI document of the schema schemaName.
func Document(sc *schema.Cache, schemaName string, access *Access, opts *Options) []byte {
	tables := documentTables(sc, schemaName, access)
	routines := documentRoutines(sc, schemaName, access)

	w := &writer{b: make([]byte, 0, 4096+2048*len(tables)+1024*len(routines))}
	w.beginObject()
	w.strField("swagger", "2.0")
	writeInfo(w, access.Description, opts.Version)
	w.key("externalDocs")
	w.beginObject()
	w.strField("description", "PostgREST Documentation")
	w.strField("url", "https://postgrest.org/en/"+opts.DocsVersion+"/references/api.html")
	w.endObject()
	scheme, host, basePath := server(opts)
	w.strField("host", host)
	w.strField("basePath", basePath)
	w.strArrayField("schemes", []string{scheme})
	mimes := []string{
		mediatype.MediaType{Kind: mediatype.JSON}.Mime(),
		mediatype.MediaType{Kind: mediatype.SingularJSON, Strip: true}.Mime(),
		mediatype.MediaType{Kind: mediatype.SingularJSON}.Mime(),
		mediatype.MediaType{Kind: mediatype.CSV}.Mime(),
	}
	w.strArrayField("consumes", mimes)
	w.strArrayField("produces", mimes)

	w.key("paths")
	w.beginObject()
	writeRootPath(w)
	for _, t := range tables {
		writeTablePath(w, t)
	}
	for _, r := range routines {
		writeRoutinePath(w, r)
	}
	w.endObject()

	if len(tables) > 0 {
		w.key("definitions")
		w.beginObject()
		for _, t := range tables {
			writeDefinition(w, sc, t)
		}
		w.endObject()
	}

	w.key("parameters")
	w.beginObject()
	writeParameters(w, tables)
	w.endObject()

	if opts.SecurityActive {
		w.key("securityDefinitions")
		w.beginObject()
		w.key("JWT")
		w.beginObject()
		w.strField("type", "apiKey")
		w.strField("in", "header")
		w.strField("name", "Authorization")
		w.strField("description", `Add the token prepending "Bearer " (without quotes) to it`)
		w.endObject()
		w.endObject()
		w.key("security")
		w.beginArray()
		w.beginObject()
		w.key("JWT")
		w.beginArray()
		w.endArray()
		w.endObject()
		w.endArray()
	}
	w.endObject()
	return w.b
}

// documentTables returns the tables the document shows, sorted by name.
func documentTables(sc *schema.Cache, schemaName string, access *Access) []*schema.Table {
	var out []*schema.Table
	if access.Filtered {
		for _, name := range access.Tables {
			if t := sc.Table(schema.QI{Schema: schemaName, Name: name}); t != nil {
				out = append(out, t)
			}
		}
	} else {
		for q, t := range sc.Tables {
			if q.Schema == schemaName {
				out = append(out, t)
			}
		}
	}
	slices.SortFunc(out, func(a, b *schema.Table) int { return strings.Compare(a.Name, b.Name) })
	return out
}

// documentRoutines returns the functions the document shows, sorted by
// name. Overloads share a path, and as in PostgREST (where the last one
// written into the path map wins) it is the last overload's: the one
// with the most parameters.
func documentRoutines(sc *schema.Cache, schemaName string, access *Access) []*schema.Routine {
	all := sc.Routines
	if access.Filtered {
		all = access.Routines
	}
	var out []*schema.Routine
	for q, overloads := range all {
		if q.Schema == schemaName && len(overloads) > 0 {
			out = append(out, overloads[len(overloads)-1])
		}
	}
	slices.SortFunc(out, func(a, b *schema.Routine) int { return strings.Compare(a.Name, b.Name) })
	return out
}

// splitDescription splits a comment as PostgREST does for titles and
// summaries: the first line, and the rest without its leading newlines.
func splitDescription(d string) (first, rest string) {
	first, rest, _ = strings.Cut(d, "\n")
	return first, strings.TrimLeft(rest, "\n")
}

func writeInfo(w *writer, description *string, version string) {
	title, desc := "PostgREST API", "This is a dynamic API generated by PostgREST"
	if description != nil {
		title, desc = splitDescription(*description)
	}
	w.key("info")
	w.beginObject()
	w.strField("title", title)
	w.strField("description", desc)
	w.strField("version", version)
	w.endObject()
}

// server returns the scheme, host and base path: the proxy URI's, or the
// server's own.
func server(opts *Options) (scheme, host, basePath string) {
	if p, ok := parseProxy(opts.ProxyURI); ok {
		return p.scheme, p.host + ":" + strconv.Itoa(p.port), p.path
	}
	h := opts.ServerHost
	switch h {
	case "*", "*4", "!4", "*6", "!6":
		h = "0.0.0.0"
	}
	return "http", h + ":" + strconv.Itoa(opts.ServerPort), "/"
}

type proxy struct {
	scheme, host, path string
	port               int
}

// parseProxy reads openapi-server-proxy-uri as PostgREST does. It is
// validated when the config loads, so ok is false only for "" and for
// values that never reach here.
func parseProxy(uri string) (proxy, bool) {
	if uri == "" {
		return proxy{}, false
	}
	u, err := url.Parse(uri)
	if err != nil || u.Opaque != "" || u.User != nil || u.RawQuery != "" || u.ForceQuery {
		return proxy{}, false
	}
	p := proxy{scheme: strings.ToLower(u.Scheme), path: u.EscapedPath()}
	if p.scheme != "http" && p.scheme != "https" {
		return proxy{}, false
	}
	// u.Host keeps an IPv6 address in brackets, as PostgREST's host does
	host, port, hasPort := u.Host, "", false
	if i := strings.LastIndexByte(host, ':'); i >= 0 && !strings.Contains(host[i:], "]") {
		host, port, hasPort = host[:i], host[i+1:], true
	}
	if host == "" {
		return proxy{}, false
	}
	p.host = host
	switch {
	case hasPort:
		n, err := strconv.Atoi(port)
		if err != nil || n <= 0 || n > 65535 {
			return proxy{}, false
		}
		p.port = n
	case p.scheme == "https":
		p.port = 443
	default:
		p.port = 80
	}
	if p.path == "" {
		p.path = "/"
	}
	return p, true
}

func writeRootPath(w *writer) {
	w.key("/")
	w.beginObject()
	w.key("get")
	w.beginObject()
	w.strArrayField("tags", []string{"Introspection"})
	w.strField("summary", "OpenAPI description (this document)")
	w.strArrayField("produces", []string{
		mediatype.MediaType{Kind: mediatype.OpenAPI}.Mime(),
		mediatype.MediaType{Kind: mediatype.JSON}.Mime(),
	})
	writeResponses(w, response{status: "200", description: "OK"})
	w.endObject()
	w.endObject()
}

// response is one entry of an operation's responses.
type response struct {
	status, description string
	// arrayOf, when set, is the definition the response is an array of.
	arrayOf string
}

func writeResponses(w *writer, rs ...response) {
	w.key("responses")
	w.beginObject()
	for _, r := range rs {
		w.key(r.status)
		w.beginObject()
		w.strField("description", r.description)
		if r.arrayOf != "" {
			w.key("schema")
			w.beginObject()
			w.strField("type", "array")
			w.key("items")
			w.ref(defsRef, r.arrayOf)
			w.endObject()
		}
		w.endObject()
	}
	w.endObject()
}

// writeOperationHead writes the members every operation on a path shares:
// tags, and the summary and description taken from the comment.
func writeOperationHead(w *writer, tag string, description *string) {
	w.strArrayField("tags", []string{tag})
	if description != nil {
		summary, rest := splitDescription(*description)
		w.strField("summary", summary)
		if rest != "" {
			w.strField("description", rest)
		}
	}
}

// writeParamRefs writes "parameters" as references to the shared
// parameters: the table's row filters (when rowFilters) and then names.
func writeParamRefs(w *writer, t *schema.Table, rowFilters bool, names ...string) {
	w.key("parameters")
	w.beginArray()
	if rowFilters {
		for _, c := range t.Columns {
			w.ref(paramsRef, "rowFilter."+t.Name+"."+c.Name)
		}
	}
	for _, n := range names {
		w.ref(paramsRef, n)
	}
	w.endArray()
}

func writeTablePath(w *writer, t *schema.Table) {
	w.key("/" + t.Name)
	w.beginObject()

	w.key("get")
	w.beginObject()
	writeOperationHead(w, t.Name, t.Description)
	writeParamRefs(w, t, true, "select", "order", "range", "rangeUnit", "offset", "limit", "preferCount")
	writeResponses(w,
		response{status: "200", description: "OK", arrayOf: t.Name},
		response{status: "206", description: "Partial Content"})
	w.endObject()

	// PostgREST describes every write when the object takes any of them
	if t.Insertable || t.Updatable || t.Deletable {
		body := "body." + t.Name
		w.key("post")
		w.beginObject()
		writeOperationHead(w, t.Name, t.Description)
		writeParamRefs(w, t, false, body, "select", "preferPost")
		writeResponses(w, response{status: "201", description: "Created"})
		w.endObject()

		w.key("delete")
		w.beginObject()
		writeOperationHead(w, t.Name, t.Description)
		writeParamRefs(w, t, true, "preferReturn")
		writeResponses(w, response{status: "204", description: "No Content"})
		w.endObject()

		w.key("patch")
		w.beginObject()
		writeOperationHead(w, t.Name, t.Description)
		writeParamRefs(w, t, true, body, "preferReturn")
		writeResponses(w, response{status: "204", description: "No Content"})
		w.endObject()
	}
	w.endObject()
}

func writeRoutinePath(w *writer, r *schema.Routine) {
	op := func() {
		writeOperationHead(w, "(rpc) "+r.Name, r.Description)
		w.strArrayField("produces", []string{
			mediatype.MediaType{Kind: mediatype.JSON}.Mime(),
			mediatype.MediaType{Kind: mediatype.SingularJSON, Strip: true}.Mime(),
			mediatype.MediaType{Kind: mediatype.SingularJSON}.Mime(),
		})
		writeResponses(w, response{status: "200", description: "OK"})
	}
	w.key("/rpc/" + r.Name)
	w.beginObject()
	// a volatile function may write: it is only called with POST
	if r.Volatility != schema.Volatile {
		w.key("get")
		w.beginObject()
		op()
		if len(r.Params) > 0 {
			w.key("parameters")
			w.beginArray()
			for _, p := range r.Params {
				writeQueryParam(w, p)
			}
			w.endArray()
		}
		w.endObject()
	}
	w.key("post")
	w.beginObject()
	op()
	w.key("parameters")
	w.beginArray()
	w.beginObject()
	w.strField("name", "args")
	w.boolField("required", true)
	w.strField("in", "body")
	w.key("schema")
	writeArgsSchema(w, r)
	w.endObject()
	w.ref(paramsRef, "preferParams")
	w.endArray()
	w.endObject()

	w.endObject()
}

// writeQueryParam writes a function parameter passed in the query string
// (GET). Query values are text, so arrays and json read as strings, except
// for a variadic parameter, which repeats (collectionFormat multi).
func writeQueryParam(w *writer, p schema.RoutineParam) {
	w.beginObject()
	w.strField("name", p.Name)
	w.boolField("required", p.Required)
	w.strField("in", "query")
	typ := swaggerType(p.Type)
	if p.Variadic {
		if typ == "" {
			typ = "string"
		}
		w.strField("type", typ)
		w.strField("collectionFormat", "multi")
		w.key("items")
		w.beginObject()
		elem := strings.TrimSuffix(p.Type, "[]")
		if t := swaggerType(elem); t != "" {
			w.strField("type", t)
		}
		w.strField("format", swaggerFormat(elem))
		w.endObject()
	} else {
		if typ == "" || typ == "array" {
			typ = "string"
		}
		w.strField("type", typ)
		w.strField("format", swaggerFormat(p.Type))
	}
	w.endObject()
}

// writeArgsSchema writes the schema of a function's JSON body (POST).
func writeArgsSchema(w *writer, r *schema.Routine) {
	w.beginObject()
	w.optStrField("description", r.Description)
	w.strField("type", "object")
	if len(r.Params) > 0 {
		w.key("properties")
		w.beginObject()
		for _, p := range r.Params {
			w.key(p.Name)
			w.beginObject()
			writeTypeMembers(w, p.Type)
			w.endObject()
		}
		w.endObject()
	}
	var required []string
	for _, p := range r.Params {
		if p.Required {
			required = append(required, p.Name)
		}
	}
	if len(required) > 0 {
		w.strArrayField("required", required)
	}
	w.endObject()
}

// writeTypeMembers writes type, format and (for arrays) items of a schema
// describing a value of the PostgreSQL type typ.
func writeTypeMembers(w *writer, typ string) {
	st := swaggerType(typ)
	if st != "" {
		w.strField("type", st)
	}
	w.strField("format", swaggerFormat(typ))
	if st == "array" {
		w.key("items")
		w.beginObject()
		if et := swaggerType(strings.TrimSuffix(typ, "[]")); et != "" {
			w.strField("type", et)
		}
		w.endObject()
	}
}

// swaggerType maps a PostgreSQL type to a Swagger type as PostgREST does;
// "" for json and jsonb, which may hold any value.
func swaggerType(typ string) string {
	switch typ {
	case "character varying", "character", "text":
		return "string"
	case "boolean":
		return "boolean"
	case "smallint", "integer", "bigint":
		return "integer"
	case "numeric", "real", "double precision":
		return "number"
	case "json", "jsonb":
		return ""
	}
	if strings.HasSuffix(typ, "[]") {
		return "array"
	}
	return "string"
}

// swaggerFormat is the Swagger format of a PostgreSQL type: int32 or int64
// for integers, the type's own name otherwise.
func swaggerFormat(typ string) string {
	switch typ {
	case "smallint", "integer":
		return "int32"
	case "bigint":
		return "int64"
	}
	return typ
}

func writeDefinition(w *writer, sc *schema.Cache, t *schema.Table) {
	w.key(t.Name)
	w.beginObject()
	w.optStrField("description", t.Description)
	w.strField("type", "object")
	if len(t.Columns) > 0 {
		fks := foreignKeys(sc, t)
		w.key("properties")
		w.beginObject()
		for _, c := range t.Columns {
			writeProperty(w, t, c, fks)
		}
		w.endObject()
	}
	var required []string
	for _, c := range t.Columns {
		if !c.Nullable {
			required = append(required, c.Name)
		}
	}
	if len(required) > 0 {
		w.strArrayField("required", required)
	}
	w.endObject()
}

// foreignKeys returns the relationships of t that can be noted on a column:
// many-to-one and one-to-one (from the side holding the key), tables
// before views so that a key shows the table it points to, in the order
// PostgREST finds them.
func foreignKeys(sc *schema.Cache, t *schema.Table) []*schema.Relationship {
	var out []*schema.Relationship
	for _, r := range sc.Relations(t.QI(), t.Schema) {
		if r.Computed {
			continue
		}
		if r.Cardinality == schema.ManyToOne || r.Cardinality == schema.OneToOne && !r.O2OIsParent {
			out = append(out, r)
		}
	}
	slices.SortStableFunc(out, func(a, b *schema.Relationship) int {
		switch {
		case a.FTableIsView == b.FTableIsView:
			return 0
		case b.FTableIsView:
			return -1
		}
		return 1
	})
	return out
}

func writeProperty(w *writer, t *schema.Table, c *schema.Column, fks []*schema.Relationship) {
	w.key(c.Name)
	w.beginObject()
	if c.Default != nil {
		if v, ok := defaultValue(c.Type, *c.Default); ok {
			w.key("default")
			w.raw(v)
		}
	}
	if d, ok := columnDescription(t, c, fks); ok {
		w.strField("description", d)
	}
	if len(c.Enum) > 0 {
		w.strArrayField("enum", c.Enum)
	}
	if c.MaxLen > 0 {
		w.key("maxLength")
		w.raw(strconv.AppendInt(nil, int64(c.MaxLen), 10))
	}
	writeTypeMembers(w, c.Type)
	w.endObject()
}

// columnDescription is the column's comment followed by notes saying that
// it is (part of) the primary key and that it is a single-column foreign
// key, with the <pk/> and <fk/> tags tools look for.
func columnDescription(t *schema.Table, c *schema.Column, fks []*schema.Relationship) (string, bool) {
	notes := []string{"Note:"}
	if slices.Contains(t.PKCols, c.Name) {
		notes = append(notes, "This is a Primary Key.<pk/>")
	}
	for _, r := range fks {
		if len(r.Columns) == 1 && r.Columns[0].Column == c.Name {
			ft, fc := r.ForeignTable.Name, r.Columns[0].ForeignColumn
			notes = append(notes, "This is a Foreign Key to `"+ft+"."+fc+"`.<fk table='"+ft+"' column='"+fc+"'/>")
			break
		}
	}
	if len(notes) == 1 {
		if c.Description == nil {
			return "", false
		}
		return *c.Description, true
	}
	var d string
	if c.Description != nil {
		d = *c.Description + "\n\n"
	}
	return d + strings.Join(notes, "\n"), true
}

// defaultValue turns a column default into a JSON value the way PostgREST
// does: for a type shown as a string, the expression with its "::type"
// cast and quotes removed, as a JSON string; for others, the expression
// itself when it is valid JSON (42, 4.2, true). Anything else (a function
// call on a number column, a string with a double quote) has no default
// in the document.
func defaultValue(typ, def string) ([]byte, bool) {
	text := def
	if swaggerType(typ) == "string" {
		if s, ok := strings.CutSuffix(def, "::"+typ); ok {
			text = strings.Trim(s, "'")
		}
		text = `"` + text + `"`
	}
	var buf bytes.Buffer
	if err := json.Compact(&buf, []byte(text)); err != nil {
		return nil, false
	}
	return buf.Bytes(), true
}

// writeParameters writes the shared parameters operations refer to.
func writeParameters(w *writer, tables []*schema.Table) {
	prefer := func(key string, values ...string) {
		w.key(key)
		w.beginObject()
		w.strField("name", "Prefer")
		w.strField("description", "Preference")
		w.boolField("required", false)
		w.strField("in", "header")
		w.strField("type", "string")
		if len(values) > 0 {
			w.strArrayField("enum", values)
		}
		w.endObject()
	}
	returns := []string{"return=representation", "return=minimal", "return=none"}
	prefer("preferParams")
	prefer("preferReturn", returns...)
	prefer("preferCount", "count=none")
	prefer("preferPost", append(returns, "resolution=ignore-duplicates", "resolution=merge-duplicates")...)

	simple := func(key, name, description, in string, def *string) {
		w.key(key)
		w.beginObject()
		w.strField("name", name)
		w.strField("description", description)
		w.boolField("required", false)
		w.strField("in", in)
		w.strField("type", "string")
		w.optStrField("default", def)
		w.endObject()
	}
	items := "items"
	simple("select", "select", "Filtering Columns", "query", nil)
	simple("on_conflict", "on_conflict", "On Conflict", "query", nil)
	simple("order", "order", "Ordering", "query", nil)
	simple("range", "Range", "Limiting and Pagination", "header", nil)
	simple("rangeUnit", "Range-Unit", "Limiting and Pagination", "header", &items)
	simple("offset", "offset", "Limiting and Pagination", "query", nil)
	simple("limit", "limit", "Limiting and Pagination", "query", nil)

	for _, t := range tables {
		w.key("body." + t.Name)
		w.beginObject()
		w.strField("name", t.Name)
		w.strField("description", t.Name)
		w.boolField("required", false)
		w.strField("in", "body")
		w.key("schema")
		w.ref(defsRef, t.Name)
		w.endObject()
		for _, c := range t.Columns {
			w.key("rowFilter." + t.Name + "." + c.Name)
			w.beginObject()
			w.strField("name", c.Name)
			w.optStrField("description", c.Description)
			w.boolField("required", false)
			w.strField("in", "query")
			w.strField("type", "string")
			w.endObject()
		}
	}
}
