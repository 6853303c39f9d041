// Package request turns an HTTP request into an APIRequest: the action, the
// target, the parsed query string (select tree, filters, logic trees,
// orders, ranges), preferences, media types and the body. It needs neither the
// database nor the schema cache, and it never writes SQL; every value it
// produces is plain data for the planner.
package request

import (
	"github.com/restgres/restgres/internal/mediatype"
)

// Action is what the request asks to do.
type Action uint8

const (
	// ActionRead is GET or HEAD on a table or view.
	ActionRead Action = iota
	// ActionCreate is POST on a table or view.
	ActionCreate
	// ActionUpdate is PATCH.
	ActionUpdate
	// ActionSingleUpsert is PUT.
	ActionSingleUpsert
	// ActionDelete is DELETE.
	ActionDelete
	// ActionInvoke is GET, HEAD or POST on /rpc/<function>.
	ActionInvoke
	// ActionRelationInfo is OPTIONS on a table or view.
	ActionRelationInfo
	// ActionRoutineInfo is OPTIONS on /rpc/<function>.
	ActionRoutineInfo
	// ActionSchemaRead is GET or HEAD on / (the OpenAPI document).
	ActionSchemaRead
	// ActionSchemaInfo is OPTIONS on /.
	ActionSchemaInfo
)

// IsMutation reports whether the action writes to a table or view.
func (a Action) IsMutation() bool {
	return a == ActionCreate || a == ActionUpdate || a == ActionSingleUpsert || a == ActionDelete
}

// APIRequest is the whole request as the planner needs it.
type APIRequest struct {
	// Method is the HTTP method as sent.
	Method string
	Action Action
	// HeadersOnly: HEAD, no body wanted.
	HeadersOnly bool
	// InvokeRead: a function called with GET or HEAD (arguments in the
	// query string, read-only transaction).
	InvokeRead bool
	// Target is the table, view or function name from the path ("" for /).
	Target string
	// Schema is the schema the request addresses: the first of db-schemas
	// or the one Accept-Profile / Content-Profile picked.
	Schema string
	// NegotiatedByProfile: the schema was chosen among several, so the
	// response carries Content-Profile.
	NegotiatedByProfile bool

	Query QueryParams
	// TopRange is the range of the top-level rows (limit/offset and the
	// Range header combined).
	TopRange Range
	// Ranges holds the ranges of every level, keyed by embed path joined by
	// "." with "limit" as the last element ("limit", "clients.limit").
	Ranges map[string]Range

	Prefs Preferences

	// Accept lists the acceptable media types, most preferred first.
	Accept []mediatype.MediaType
	// ContentType is the media type of the body (application/json when
	// absent).
	ContentType mediatype.MediaType

	// Payload is the body, for writes and POST /rpc; nil otherwise.
	Payload *Payload
	// Columns are the body columns to write: ?columns= when given, else the
	// keys of the JSON object(s); sorted, unique.
	Columns []string

	// Headers are the request headers, names lower-cased, Cookie excluded,
	// in arrival order; Cookies are the parsed cookies. Both feed the
	// request.headers / request.cookies GUCs.
	Headers [][2]string
	Cookies [][2]string
	// Path is the raw request path.
	Path string
}

// PayloadKind says what the body is.
type PayloadKind uint8

const (
	// PayloadJSON is a JSON body (an object or an array of objects), with
	// its keys known.
	PayloadJSON PayloadKind = iota
	// PayloadRawJSON is a JSON body whose keys are given by ?columns= and
	// were not inspected.
	PayloadRawJSON
	// PayloadURLEncoded is form data passed to a function as arguments.
	PayloadURLEncoded
	// PayloadRaw is a text/plain, text/xml or octet-stream body passed to a
	// function taking a single unnamed parameter.
	PayloadRaw
)

// Payload is the request body.
type Payload struct {
	Kind PayloadKind
	// Raw is the body as JSON (CSV and form bodies are converted) or as
	// sent for PayloadRaw.
	Raw []byte
	// Keys are the JSON keys (for an array, the keys every object shares).
	Keys []string
	// Form holds the decoded pairs of a form body sent to a function.
	Form [][2]string
	// IsObject: the JSON body is a single object rather than an array.
	IsObject bool
}

// Range is a window of rows: Offset and, when HasLimit, Limit rows.
// PostgREST's "limit zero" range (offset 0, upper bound -1) is Limit 0
// with HasLimit.
type Range struct {
	Offset   int64
	Limit    int64
	HasLimit bool
}

// AllRows is the unrestricted range.
var AllRows = Range{}

// IsAll reports whether r restricts nothing.
func (r Range) IsAll() bool { return r.Offset == 0 && !r.HasLimit }

// QueryParams is the parsed query string.
type QueryParams struct {
	// Canonical is the query string with its pairs sorted by key, for
	// Content-Location.
	Canonical string
	// Params are the query pairs that are not filters, for GET /rpc
	// arguments (key, value).
	Params [][2]string
	// Order holds order=..., per embed path.
	Order []PathOrder
	// Logic holds and=(...)/or=(...) trees, per embed path.
	Logic []PathLogic
	// Columns is ?columns=; HasColumns tells an absent parameter from an
	// empty one.
	Columns    []string
	HasColumns bool
	// Select is the select=... tree ("*" when absent).
	Select []*SelectItem
	// Filters are the column filters in query order, each with its embed
	// path; RootFilters are those with an empty path.
	Filters     []PathFilter
	RootFilters []Filter
	// FilterFields are the names of every filtered column (for PUT's
	// primary-key check).
	FilterFields []string
	// OnConflict is ?on_conflict=; nil when absent.
	OnConflict []string
	// RangeParams holds limit/offset per embed path key ("limit",
	// "clients.limit"), before the Range header is applied.
	RangeParams map[string]Range
}

// PathOrder is an order=... for one embed level.
type PathOrder struct {
	Path  []string
	Terms []OrderTerm
}

// PathLogic is an and/or tree for one embed level.
type PathLogic struct {
	Path []string
	Tree LogicTree
}

// PathFilter is a filter for one embed level.
type PathFilter struct {
	Path   []string
	Filter Filter
}

// JSONOp is one -> or ->> step of a JSON path.
type JSONOp struct {
	// DoubleArrow is ->> (text) rather than -> (json).
	DoubleArrow bool
	// Key is the object key or, when IsIndex, the array index with its
	// sign ("+1", "-2").
	Key     string
	IsIndex bool
}

// Field is a column name with an optional JSON path (col->a->>b).
type Field struct {
	Name     string
	JSONPath []JSONOp
}

// AggregateFunc is an aggregate in select (col.sum()).
type AggregateFunc uint8

const (
	AggNone AggregateFunc = iota
	AggSum
	AggAvg
	AggMax
	AggMin
	AggCount
)

// SQLName returns the aggregate's SQL name, upper-case as PostgREST writes it.
func (a AggregateFunc) SQLName() string {
	switch a {
	case AggSum:
		return "SUM"
	case AggAvg:
		return "AVG"
	case AggMax:
		return "MAX"
	case AggMin:
		return "MIN"
	case AggCount:
		return "COUNT"
	}
	return ""
}

// Name returns the aggregate's lower-case name (its default alias).
func (a AggregateFunc) Name() string {
	switch a {
	case AggSum:
		return "sum"
	case AggAvg:
		return "avg"
	case AggMax:
		return "max"
	case AggMin:
		return "min"
	case AggCount:
		return "count"
	}
	return ""
}

// JoinType is an embed's !inner / !left.
type JoinType uint8

const (
	JoinDefault JoinType = iota
	JoinInner
	JoinLeft
)

// SelectKind says what a select item is.
type SelectKind uint8

const (
	// SelectField is a column (or *), possibly with alias, cast, JSON path
	// and aggregate: alias:col->a::cast.agg()::aggcast.
	SelectField SelectKind = iota
	// SelectRelation is an embed: alias:rel!hint!inner(...).
	SelectRelation
	// SelectSpread is a spread embed: ...rel!hint(...).
	SelectSpread
)

// SelectItem is one node of the select tree.
type SelectItem struct {
	Kind SelectKind
	// For SelectField.
	Field   Field
	Agg     AggregateFunc
	AggCast string
	Cast    string
	// For all kinds: the alias ("" when none; spreads have none).
	Alias string
	// For relations and spreads.
	Relation string
	Hint     string
	Join     JoinType
	Children []*SelectItem
}

// OrderDirection is .asc / .desc.
type OrderDirection uint8

const (
	OrderDefault OrderDirection = iota
	OrderAsc
	OrderDesc
)

// OrderNulls is .nullsfirst / .nullslast.
type OrderNulls uint8

const (
	NullsDefault OrderNulls = iota
	NullsFirst
	NullsLast
)

// OrderTerm is one element of order=: a field, or a column of a to-one
// embed written rel(col).
type OrderTerm struct {
	// Relation is set for rel(col) terms.
	Relation  string
	Field     Field
	Direction OrderDirection
	Nulls     OrderNulls
}

// Operator is a filter operator.
type Operator uint8

const (
	// quantifiable operators: eq, gte, gt, lte, lt, like, ilike, match, imatch
	OpEq Operator = iota
	OpGte
	OpGt
	OpLte
	OpLt
	OpLike
	OpILike
	OpMatch
	OpIMatch
	// simple operators
	OpNeq
	OpContains    // cs
	OpContained   // cd
	OpOverlap     // ov
	OpStrictLeft  // sl
	OpStrictRight // sr
	OpNotExtRight // nxr
	OpNotExtLeft  // nxl
	OpAdjacent    // adj
	// others
	OpIn
	OpIs
	OpIsDistinct
	OpFts   // fts   -> to_tsquery
	OpPlFts // plfts -> plainto_tsquery
	OpPhFts // phfts -> phraseto_tsquery
	OpWFts  // wfts  -> websearch_to_tsquery
)

// Quantifier is the (any)/(all) modifier.
type Quantifier uint8

const (
	QuantNone Quantifier = iota
	QuantAny
	QuantAll
)

// IsValue is the operand of is.
type IsValue uint8

const (
	IsNull IsValue = iota
	IsNotNull
	IsTrue
	IsFalse
	IsUnknown
)

// OpExpr is a filter's operation: [not.]op[(quant)|(lang)].value.
type OpExpr struct {
	Not   bool
	Op    Operator
	Quant Quantifier
	// Value is the single value; List the values of in.(...).
	Value string
	List  []string
	Is    IsValue
	// Lang is the text search configuration of fts(lang).
	Lang string
}

// Filter is column=opexpr.
type Filter struct {
	Field Field
	Expr  OpExpr
}

// LogicTree is a filter, or and(...)/or(...) over subtrees, possibly
// negated.
type LogicTree struct {
	// IsExpr is false for a leaf filter.
	IsExpr bool
	Not    bool
	Or     bool
	Trees  []LogicTree
	Filter Filter
}

// Preferences are the Prefer header values restgres understands.
type Preferences struct {
	Resolution     Resolution
	Representation Representation
	Count          Count
	Tx             TxPref
	Missing        Missing
	Handling       Handling
	// Timezone is the timezone=... value, "" when absent.
	Timezone string
	// MaxAffected is max-affected=N; HasMaxAffected when present.
	MaxAffected    int64
	HasMaxAffected bool
	// Invalid lists the preferences that were not understood, as sent.
	Invalid []string
}

// Resolution is resolution=merge-duplicates|ignore-duplicates.
type Resolution uint8

const (
	ResolutionNone Resolution = iota
	MergeDuplicates
	IgnoreDuplicates
)

// Representation is return=representation|minimal|headers-only.
type Representation uint8

const (
	ReturnDefault Representation = iota
	ReturnRepresentation
	ReturnMinimal
	ReturnHeadersOnly
)

// Count is count=exact|planned|estimated.
type Count uint8

const (
	CountNone Count = iota
	CountExact
	CountPlanned
	CountEstimated
)

// ShouldCount reports whether the total must be counted exactly (exact,
// and estimated below db-max-rows).
func (c Count) ShouldCount() bool { return c == CountExact || c == CountEstimated }

// ShouldExplainCount reports whether the planner's estimate is wanted.
func (c Count) ShouldExplainCount() bool { return c == CountPlanned || c == CountEstimated }

// TxPref is tx=commit|rollback (only honoured with *-allow-override).
type TxPref uint8

const (
	TxDefault TxPref = iota
	TxCommit
	TxRollback
)

// Missing is missing=default|null.
type Missing uint8

const (
	MissingDefault Missing = iota
	MissingApplyDefaults
	MissingApplyNulls
)

// Handling is handling=strict|lenient.
type Handling uint8

const (
	HandlingDefault Handling = iota
	HandlingStrict
	HandlingLenient
)
