// Package apierr is the one error type a client ever sees: a PostgREST-style
// JSON body (code, message, details, hint) with the HTTP status and headers
// that go with it. It has one constructor per PGRST code, grouped by range as
// PostgREST groups them (retired codes are never reused), and the table that
// maps a PostgreSQL SQLSTATE to an HTTP status. Call sites never pick a status.
package apierr

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/restgres/restgres/internal/jsonenc"
)

// Error is an error answered to the client.
type Error struct {
	// Status is the HTTP status; decided here, never at a call site.
	Status int
	// Code is "PGRST100"..., or the SQLSTATE PostgreSQL raised.
	Code    string
	Message string
	// Details and Hint are a string, a raw JSON value (RawJSON) or nil,
	// which is written as null.
	Details any
	Hint    any
	// Header holds extra response headers (WWW-Authenticate, headers of a
	// RAISE SQLSTATE 'PGRST' error).
	Header http.Header
	// StatusText overrides the reason phrase (RAISE SQLSTATE 'PGRST' with
	// a status_text, 'PTnnn' with its message).
	StatusText string
	// cause is kept for the log only.
	cause error
}

// RawJSON is a details or hint value that is already JSON.
type RawJSON []byte

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.Code)
	b.WriteString(": ")
	b.WriteString(e.Message)
	if s, ok := e.Details.(string); ok && s != "" {
		b.WriteString(" (")
		b.WriteString(s)
		b.WriteString(")")
	}
	return b.String()
}

// Unwrap returns the cause, for the log.
func (e *Error) Unwrap() error { return e.cause }

// WithCause records the underlying error for the log; the client does not
// see it.
func (e *Error) WithCause(err error) *Error {
	e.cause = err
	return e
}

// Body renders the JSON body. With minimal verbosity only code and message
// are written.
func (e *Error) Body(minimal bool) []byte {
	b := make([]byte, 0, 64+len(e.Message))
	b = append(b, `{"code":`...)
	b = AppendJSONString(b, e.Code)
	if !minimal {
		b = append(b, `,"details":`...)
		b = appendValue(b, e.Details)
		b = append(b, `,"hint":`...)
		b = appendValue(b, e.Hint)
	}
	b = append(b, `,"message":`...)
	b = AppendJSONString(b, e.Message)
	b = append(b, '}')
	return b
}

func appendValue(b []byte, v any) []byte {
	switch v := v.(type) {
	case nil:
		return append(b, "null"...)
	case string:
		return AppendJSONString(b, v)
	case RawJSON:
		return append(b, v...)
	default:
		return append(b, "null"...)
	}
}

// AppendJSONString appends s as a JSON string literal.
func AppendJSONString(b []byte, s string) []byte { return jsonenc.AppendString(b, s) }

func newErr(status int, code, message string) *Error {
	return &Error{Status: status, Code: code, Message: message}
}

// ---- PGRST0xx: connection ----

// DBConnection is PGRST000: the database could not be reached.
func DBConnection(details string) *Error {
	e := newErr(http.StatusServiceUnavailable, "PGRST000", "Database connection error.")
	if details != "" {
		e.Details = details
	}
	return e
}

// DBClient is PGRST001: the connection broke during the request.
func DBClient(details string) *Error {
	e := newErr(http.StatusServiceUnavailable, "PGRST001", "Database client error. Retrying the connection.")
	if details != "" {
		e.Details = details
	}
	return e
}

// NoSchemaCache is PGRST002: the schema cache is not loaded (yet).
func NoSchemaCache() *Error {
	return newErr(http.StatusServiceUnavailable, "PGRST002", "Could not query the database for the schema cache. Retrying.")
}

// PoolTimeout is PGRST003: no connection became free in time.
func PoolTimeout() *Error {
	return newErr(http.StatusGatewayTimeout, "PGRST003", "Timed out acquiring connection from connection pool.")
}

// ---- PGRST1xx: the request ----

// QueryParam is PGRST100: a query string parameter does not parse. message
// names the parameter and the position, details what was expected.
func QueryParam(message, details string) *Error {
	e := newErr(http.StatusBadRequest, "PGRST100", message)
	e.Details = details
	return e
}

// InvalidRPCMethod is PGRST101: a function called with a verb it does not
// accept (a VOLATILE function by GET, or PUT/PATCH/DELETE on /rpc).
func InvalidRPCMethod(method string) *Error {
	return newErr(http.StatusMethodNotAllowed, "PGRST101", "Cannot use the "+method+" method on RPC")
}

// InvalidBody is PGRST102: the request body cannot be used.
func InvalidBody(message string) *Error {
	return newErr(http.StatusBadRequest, "PGRST102", message)
}

// RangeNegativeLimit is PGRST103 for a negative limit.
func RangeNegativeLimit() *Error {
	e := newErr(http.StatusRequestedRangeNotSatisfiable, "PGRST103", "Requested range not satisfiable")
	e.Details = "Limit should be greater than or equal to zero."
	return e
}

// RangeLowerGTUpper is PGRST103 for a Range header whose start is past its end.
func RangeLowerGTUpper() *Error {
	e := newErr(http.StatusRequestedRangeNotSatisfiable, "PGRST103", "Requested range not satisfiable")
	e.Details = "The lower boundary must be lower than or equal to the upper boundary in the Range header."
	return e
}

// RangeOutOfBounds is PGRST103 for an offset past the last row.
func RangeOutOfBounds(offset, total int64) *Error {
	e := newErr(http.StatusRequestedRangeNotSatisfiable, "PGRST103", "Requested range not satisfiable")
	e.Details = "An offset of " + strconv.FormatInt(offset, 10) + " was requested, but there are only " +
		strconv.FormatInt(total, 10) + " rows."
	return e
}

// InvalidFilters is PGRST105: PUT filters are not exactly the primary key
// with eq.
func InvalidFilters() *Error {
	return newErr(http.StatusMethodNotAllowed, "PGRST105", "Filters must include all and only primary key columns with 'eq' operators")
}

// UnacceptableSchema is PGRST106: Accept-Profile/Content-Profile names a
// schema that is not exposed.
func UnacceptableSchema(schema string, exposed []string) *Error {
	e := newErr(http.StatusNotAcceptable, "PGRST106", "Invalid schema: "+schema)
	e.Hint = "Only the following schemas are exposed: " + strings.Join(exposed, ", ")
	return e
}

// MediaType is PGRST107: none of the accepted media types can be produced.
func MediaType(accepted []string) *Error {
	return newErr(http.StatusNotAcceptable, "PGRST107", "None of these media types are available: "+strings.Join(accepted, ", "))
}

// NotEmbedded is PGRST108: a filter, order or limit names a resource that
// is not embedded in select.
func NotEmbedded(resource string) *Error {
	e := newErr(http.StatusBadRequest, "PGRST108", "'"+resource+"' is not an embedded resource in this request")
	e.Hint = "Verify that '" + resource + "' is included in the 'select' query parameter."
	return e
}

// NotEmbeddedLegacyName is PGRST108 when a filter uses the table name of an
// embed that has an alias (url-use-legacy-target-names = false).
func NotEmbeddedLegacyName(resource, name, alias string) *Error {
	e := newErr(http.StatusBadRequest, "PGRST108", "'"+resource+"' is not an embedded resource in this request")
	e.Details = "Target names are not allowed in filters if they have an alias"
	e.Hint = "Change '" + name + "' to '" + alias + "' in filters, orders or limits."
	return e
}

// GUCHeaders is PGRST111: response.headers is not a JSON array of
// single-key objects with string values.
func GUCHeaders() *Error {
	return newErr(http.StatusInternalServerError, "PGRST111", "response.headers guc must be a JSON array composed of objects with a single key and a string value")
}

// GUCStatus is PGRST112: response.status is not a status code.
func GUCStatus() *Error {
	return newErr(http.StatusInternalServerError, "PGRST112", "response.status guc must be a valid status code")
}

// PutLimitNotAllowed is PGRST114.
func PutLimitNotAllowed() *Error {
	return newErr(http.StatusBadRequest, "PGRST114", "limit/offset querystring parameters are not allowed for PUT")
}

// PutMatchingPK is PGRST115: the PUT body's key differs from the URL's.
func PutMatchingPK() *Error {
	return newErr(http.StatusBadRequest, "PGRST115", "Payload values do not match URL in primary key column(s)")
}

// Singularity is PGRST116: vnd.pgrst.object requested but n rows resulted.
func Singularity(n int64) *Error {
	e := newErr(http.StatusNotAcceptable, "PGRST116", "Cannot coerce the result to a single JSON object")
	e.Details = "The result contains " + strconv.FormatInt(n, 10) + " rows"
	return e
}

// UnsupportedMethod is PGRST117.
func UnsupportedMethod(method string) *Error {
	return newErr(http.StatusMethodNotAllowed, "PGRST117", "Unsupported HTTP method: "+method)
}

// RelatedOrderNotToOne is PGRST118: ordering by a to-many embed.
func RelatedOrderNotToOne(origin, target string) *Error {
	e := newErr(http.StatusBadRequest, "PGRST118", "A related order on '"+target+"' is not possible")
	e.Details = "'" + origin + "' and '" + target + "' do not form a many-to-one or one-to-one relationship"
	return e
}

// UnacceptableFilter is PGRST120: only is.null/not.is.null may filter an
// embedded resource itself.
func UnacceptableFilter(target string) *Error {
	e := newErr(http.StatusBadRequest, "PGRST120", "Bad operator on the '"+target+"' embedded resource")
	e.Details = "Only is null or not is null filters are allowed on embedded resources"
	return e
}

// Raise-parse failures of RAISE SQLSTATE 'PGRST' (PGRST121).
const (
	raiseMessageHint = "MESSAGE must be a JSON object with obligatory keys: 'code', 'message' and optional keys: 'details', 'hint'."
	raiseDetailHint  = "DETAIL must be a JSON object with obligatory keys: 'status', 'headers' and optional key: 'status_text'."
)

// PGRSTParseMessage is PGRST121 when MESSAGE is not the expected JSON.
func PGRSTParseMessage(message string) *Error {
	e := newErr(http.StatusInternalServerError, "PGRST121", `Could not parse JSON in the "RAISE SQLSTATE 'PGRST'" error`)
	e.Details = "Invalid JSON value for MESSAGE: '" + message + "'"
	e.Hint = raiseMessageHint
	return e
}

// PGRSTParseDetail is PGRST121 when DETAIL is not the expected JSON.
func PGRSTParseDetail(detail string) *Error {
	e := newErr(http.StatusInternalServerError, "PGRST121", `Could not parse JSON in the "RAISE SQLSTATE 'PGRST'" error`)
	e.Details = "Invalid JSON value for DETAIL: '" + detail + "'"
	e.Hint = raiseDetailHint
	return e
}

// PGRSTNoDetail is PGRST121 when DETAIL is missing.
func PGRSTNoDetail() *Error {
	e := newErr(http.StatusInternalServerError, "PGRST121", `Could not parse JSON in the "RAISE SQLSTATE 'PGRST'" error`)
	e.Details = "DETAIL is missing in the RAISE statement"
	e.Hint = raiseDetailHint
	return e
}

// InvalidPreferences is PGRST122: unknown preferences with handling=strict.
func InvalidPreferences(prefs []string) *Error {
	e := newErr(http.StatusBadRequest, "PGRST122", "Invalid preferences given with handling=strict")
	e.Details = "Invalid preferences: " + strings.Join(prefs, ", ")
	return e
}

// AggregatesNotAllowed is PGRST123.
func AggregatesNotAllowed() *Error {
	return newErr(http.StatusBadRequest, "PGRST123", "Use of aggregate functions is not allowed")
}

// MaxAffectedViolation is PGRST124.
func MaxAffectedViolation(n int64) *Error {
	e := newErr(http.StatusBadRequest, "PGRST124", "Query result exceeds max-affected preference constraint")
	e.Details = "The query affects " + strconv.FormatInt(n, 10) + " rows"
	return e
}

// InvalidResourcePath is PGRST125.
func InvalidResourcePath() *Error {
	return newErr(http.StatusNotFound, "PGRST125", "Invalid path specified in request URL")
}

// OpenAPIDisabled is PGRST126.
func OpenAPIDisabled() *Error {
	return newErr(http.StatusNotFound, "PGRST126", "Root endpoint metadata is disabled")
}

// NotImplemented is PGRST127.
func NotImplemented(details string) *Error {
	e := newErr(http.StatusBadRequest, "PGRST127", "Feature not implemented")
	e.Details = details
	return e
}

// MaxAffectedRPCViolation is PGRST128.
func MaxAffectedRPCViolation() *Error {
	return newErr(http.StatusBadRequest, "PGRST128", "Function must return SETOF or TABLE when max-affected preference is used with handling=strict")
}

// BodyTooLarge answers a request body over the configured limit. PostgREST
// has no limit and so no code; restgres uses PGRST102 (invalid body) with
// status 413 so clients that switch on the code still see a body error.
func BodyTooLarge(limit int64) *Error {
	e := newErr(http.StatusRequestEntityTooLarge, "PGRST102", "Request body too large")
	e.Details = "The request body exceeds the limit of " + strconv.FormatInt(limit, 10) + " bytes."
	return e
}

// ---- PGRST2xx: the schema cache ----

// NoRelationship is PGRST200.
func NoRelationship(parent, child, hint, schema, suggestion string) *Error {
	e := newErr(http.StatusBadRequest, "PGRST200", "Could not find a relationship between '"+parent+"' and '"+child+"' in the schema cache")
	using := ""
	if hint != "" {
		using = "' using the hint '" + hint
	}
	e.Details = "Searched for a foreign key relationship between '" + parent + "' and '" + child + using +
		"' in the schema '" + schema + "', but no matches were found."
	if suggestion != "" {
		e.Hint = suggestion
	}
	return e
}

// AmbiguousRelationship is PGRST201; details is the JSON list of candidates
// and hint names the hints that disambiguate.
func AmbiguousRelationship(parent, child string, details RawJSON, hint string) *Error {
	e := newErr(http.StatusMultipleChoices, "PGRST201", "Could not embed because more than one relationship was found for '"+parent+"' and '"+child+"'")
	e.Details = details
	e.Hint = hint
	return e
}

// NoRPC is PGRST202; the caller composes the message and details, which
// depend on the content type and arguments.
func NoRPC(message, details, hint string) *Error {
	e := newErr(http.StatusNotFound, "PGRST202", message)
	e.Details = details
	if hint != "" {
		e.Hint = hint
	}
	return e
}

// AmbiguousRPC is PGRST203; message lists the candidates.
func AmbiguousRPC(message string) *Error {
	e := newErr(http.StatusMultipleChoices, "PGRST203", message)
	e.Hint = "Try renaming the parameters or the function itself in the database so function overloading can be resolved"
	return e
}

// ColumnNotFound is PGRST204.
func ColumnNotFound(relation, column string) *Error {
	return newErr(http.StatusBadRequest, "PGRST204", "Could not find the '"+column+"' column of '"+relation+"' in the schema cache")
}

// TableNotFound is PGRST205; suggestion is the "Perhaps you meant" hint or "".
func TableNotFound(schema, name, suggestion string) *Error {
	e := newErr(http.StatusNotFound, "PGRST205", "Could not find the table '"+schema+"."+name+"' in the schema cache")
	if suggestion != "" {
		e.Hint = suggestion
	}
	return e
}

// ---- PGRST3xx: JWT ----

// JWTSecretMissing is PGRST300.
func JWTSecretMissing() *Error {
	return newErr(http.StatusInternalServerError, "PGRST300", "Server lacks JWT secret")
}

// JWTDecode is PGRST301: the token cannot be decoded or verified. details
// is "" or a description of the key/algorithm problem.
func JWTDecode(message, details string) *Error {
	e := newErr(http.StatusUnauthorized, "PGRST301", message)
	if details != "" {
		e.Details = details
	}
	e.Header = http.Header{"Www-Authenticate": {invalidToken(message)}}
	return e
}

// JWTTokenRequired is PGRST302: no token and no anonymous role.
func JWTTokenRequired() *Error {
	e := newErr(http.StatusUnauthorized, "PGRST302", "Anonymous access is disabled")
	e.Header = http.Header{"Www-Authenticate": {"Bearer"}}
	return e
}

// JWTClaims is PGRST303: the claims are invalid (expired, audience, ...).
func JWTClaims(message string) *Error {
	e := newErr(http.StatusUnauthorized, "PGRST303", message)
	e.Header = http.Header{"Www-Authenticate": {invalidToken(message)}}
	return e
}

// invalidToken renders the WWW-Authenticate value PostgREST sends; the
// description is a Haskell-shown string, i.e. quoted with \" escapes.
func invalidToken(message string) string {
	return `Bearer error="invalid_token", error_description=` + strconv.Quote(message)
}
