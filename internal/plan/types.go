// Package plan resolves an APIRequest against the schema cache: it finds the
// table or function, walks relationships for embedded resources, types every
// referenced field and negotiates the media type. Every "not found" and
// "ambiguous" error is raised here, so sqlgen, which turns a plan into SQL,
// cannot fail. The package neither talks to the database nor writes SQL.
package plan

import (
	"github.com/restgres/restgres/internal/mediatype"
	"github.com/restgres/restgres/internal/request"
	"github.com/restgres/restgres/internal/schema"
)

// SourceCTE is the name of the CTE a mutation or function call is wrapped
// in, so the returned rows can be read and embedded like a table's.
const SourceCTE = "pgrst_source"

// Field is a reference to a column (or any nameable element) together with
// what its use needs: its type, JSON path, and the data-representation
// function that converts it for this use. It is PostgREST's CoercibleField.
type Field struct {
	Name     string
	JSONPath []request.JSONOp
	// ToJSON: the JSON path applies to to_jsonb(col) because the column is
	// not json/jsonb itself.
	ToJSON bool
	// ToTsVector: wrap in to_tsvector([TsLang,] col) for a text search on a
	// column that is not a tsvector.
	ToTsVector bool
	TsLang     string
	// IRType is the type of the value before Transform ("" when unknown).
	IRType   string
	BaseType string
	// Transform is the function converting the value (a data
	// representation cast function), "" for none.
	Transform string
	// Default is the column default expression, for missing=default.
	Default    string
	HasDefault bool
	// FullRow: the field stands for the whole row (count() in a spread).
	FullRow bool
}

// SelectField is one selected field: alias:field::cast.agg()::aggcast.
type SelectField struct {
	Field   Field
	Agg     request.AggregateFunc
	AggCast string
	Cast    string
	Alias   string
}

// Filter is a resolved filter; NullEmbed filters test whether an embedded
// resource matched (rel=is.null / rel=not.is.null).
type Filter struct {
	Field Field
	Expr  request.OpExpr
	// NullEmbed: EmbedAlias IS [NOT] DISTINCT FROM NULL; NullEmbedNot is
	// true for not.is.null.
	NullEmbed    bool
	NullEmbedNot bool
	EmbedAlias   string
}

// LogicTree is a resolved and/or tree (a leaf holds a Filter).
type LogicTree struct {
	IsExpr bool
	Not    bool
	Or     bool
	Trees  []LogicTree
	Filter Filter
}

// OrderTerm is a resolved order term. For rel(col) terms, Relation is the
// embed's aggregate alias and RelField the column.
type OrderTerm struct {
	Field     Field
	Relation  string
	RelField  request.Field
	Direction request.OrderDirection
	Nulls     request.OrderNulls
}

// ColumnRef is table.column in a join condition; Table.Schema is "" for an
// alias.
type ColumnRef struct {
	Table  schema.QI
	Column string
}

// JoinCondition is Left = Right.
type JoinCondition struct {
	Left, Right ColumnRef
}

// EmbedMode says how an embed is rendered.
type EmbedMode uint8

const (
	// EmbedObject: a to-one embed, a JSON object (or null).
	EmbedObject EmbedMode = iota
	// EmbedArray: a to-many embed, a JSON array.
	EmbedArray
)

// RelSelectKind says what a RelSelectField is.
type RelSelectKind uint8

const (
	RelEmbed RelSelectKind = iota
	RelSpread
)

// RelSelectField is how a child ReadPlan appears in its parent's select.
type RelSelectField struct {
	Kind RelSelectKind
	// SelName is the key in the output (alias or relation name), for
	// embeds.
	SelName  string
	AggAlias string
	Mode     EmbedMode
	// Empty: rel() with nothing selected below it; only joins, no output.
	Empty bool
	// SpreadSel are the fields a spread lifts into the parent.
	SpreadSel []SpreadSelectField
}

// SpreadSelectField is a field lifted from a spread embed.
type SpreadSelectField struct {
	SelName string
	Agg     request.AggregateFunc
	AggCast string
	Alias   string
}

// SpreadKind is the kind of a spread embed.
type SpreadKind uint8

const (
	NoSpread SpreadKind = iota
	ToOneSpread
	ToManySpread
)

// SpreadExtraSelect is an order column selected inside a to-many spread so
// that the aggregated arrays can be ordered; Relation is set for rel(col)
// order terms.
type SpreadExtraSelect struct {
	Relation string
	Field    SelectField
}

// ReadPlan is one level of a read: a table (or the source CTE) with its
// selects, filters, order and range, and its embedded children.
type ReadPlan struct {
	Select    []SelectField
	From      schema.QI
	FromAlias string
	Where     []LogicTree
	Order     []OrderTerm
	Range     request.Range

	// RelName is the name the request used for this level (the table name,
	// or the embed target).
	RelName string
	// RelToParent is the relationship to the parent level (nil at the
	// root); RelTableAlias is the parent's alias, for computed
	// relationships.
	RelToParent   *schema.Relationship
	RelTableAlias schema.QI
	RelJoinConds  []JoinCondition
	RelAlias      string
	RelAggAlias   string
	RelHint       string
	RelJoinType   request.JoinType
	RelSpread     SpreadKind
	// For to-many spreads: the order columns and the order of the
	// aggregated arrays. Order is kept too, for the level's own query to
	// apply before its limit and offset.
	SpreadExtraSelects []SpreadExtraSelect
	SpreadOrder        []OrderTerm
	RelSelect          []RelSelectField
	Depth              int
	// LegacyTargetMatch: a filter/order/limit named this embed by its
	// relation name although it has an alias (deprecated).
	LegacyTargetMatch bool

	Children []*ReadPlan
}

// Kind is what a Plan does.
type Kind uint8

const (
	// KindRead reads a table or view.
	KindRead Kind = iota
	// KindMutate writes a table or view.
	KindMutate
	// KindCall calls a function.
	KindCall
	// KindInspect reads the schema description (OpenAPI).
	KindInspect
	// KindRelationInfo answers OPTIONS on a table or view.
	KindRelationInfo
	// KindRoutineInfo answers OPTIONS on a function.
	KindRoutineInfo
	// KindSchemaInfo answers OPTIONS on /.
	KindSchemaInfo
)

// Plan is a resolved request.
type Plan struct {
	Kind Kind
	// ReadOnly: the transaction runs READ ONLY.
	ReadOnly bool
	// Explain: the client asked for the EXPLAIN plan of the statement.
	Explain bool
	// Target is the table, view or function addressed.
	Target schema.QI

	Read    *ReadPlan
	Mutate  *MutatePlan
	Call    *CallPlan
	Routine *schema.Routine
	Table   *schema.Table

	// Mutation is the write action (create, update, single upsert,
	// delete) for KindMutate.
	Mutation request.Action
	Handler  schema.Handler
	Media    mediatype.MediaType
	// HeadersOnly: HEAD.
	HeadersOnly bool
	// IsolationLevel is the transaction isolation ("" for the default).
	IsolationLevel string
	// Settings are function settings hoisted into the transaction.
	Settings []schema.Setting
	// LegacyWarnings lists (relation name, alias) pairs matched by their
	// deprecated relation name.
	LegacyWarnings [][2]string
}

// MutateKind is the statement a mutation runs.
type MutateKind uint8

const (
	MutateInsert MutateKind = iota
	MutateUpdate
	MutateDelete
)

// OnConflict is the upsert clause.
type OnConflict struct {
	Resolution request.Resolution
	Columns    []string
}

// MutatePlan is an INSERT, UPDATE or DELETE.
type MutatePlan struct {
	Kind  MutateKind
	Table schema.QI
	// Columns are the body columns, typed from the table.
	Columns []Field
	// Body is the JSON body; BodyIsObject says whether it is one object.
	Body         []byte
	BodyIsObject bool
	// OnConflict is set for upserts.
	OnConflict *OnConflict
	// Where holds filters (UPDATE/DELETE) or, for PUT, the primary-key
	// conditions the body must meet.
	Where []LogicTree
	// Returning lists the columns the statement returns ("*" for all).
	Returning []string
	// PKCols are the primary key columns, for Location headers.
	PKCols []string
	// ApplyDefaults: missing=default.
	ApplyDefaults bool
	// IsPut: a PUT (single upsert).
	IsPut bool
}

// ParamsKind says how a function is called.
type ParamsKind uint8

const (
	// ParamsNamed: named arguments (f(a := ..., b := ...)).
	ParamsNamed ParamsKind = iota
	// ParamsSinglePositional: one unnamed json/jsonb/text/xml/bytea
	// parameter taking the whole body.
	ParamsSinglePositional
)

// CallArg is an argument value from the query string or a form.
type CallArg struct {
	Value    string
	Variadic []string
	// IsVariadic: Variadic holds the values.
	IsVariadic bool
}

// CallPlan is a function call.
type CallPlan struct {
	Function   schema.QI
	ParamsKind ParamsKind
	// Params are the parameters passed (named calls) or the single one.
	Params []schema.RoutineParam
	// Args holds GET/form arguments by name; when nil, Body is the JSON
	// object of arguments (or the raw body for a single parameter).
	Args         map[string]CallArg
	Body         []byte
	BodyIsObject bool
	// BodyIsNull: a single-parameter call with no body.
	BodyIsNull         bool
	ReturnsScalar      bool
	ReturnsSetOfScalar bool
	// FilterFields (the top level's filter and order columns) and
	// Returning (the selected ones and the embeds' join columns) name the
	// columns of the result the read around the call needs.
	FilterFields []string
	Returning    []string
}
