// Package schema is the schema cache: what restgres knows about the database's
// tables, views, columns, keys, relationships, functions, data representations
// and media type handlers. Load reads it from the system catalogs; a Cache is
// immutable once built and a reload builds a new one. Lookups are by map, never
// by scan, because the request path uses them.
//
// The package does not know about HTTP requests or SQL generation.
package schema

import (
	"slices"

	"github.com/restgres/restgres/internal/mediatype"
)

// QI is a schema-qualified identifier. An empty Schema means "resolved by
// search_path".
type QI struct {
	Schema string `json:"schema"`
	Name   string `json:"name"`
}

// String returns schema.name without quoting, for messages.
func (q QI) String() string {
	if q.Schema == "" {
		return q.Name
	}
	return q.Schema + "." + q.Name
}

// Cache is one immutable snapshot of the schema. Its JSON form (for
// --dump-schema) is defined by [Cache.MarshalJSON].
type Cache struct {
	// Tables holds every table, view, materialized view and foreign table of
	// the exposed schemas (partitions excluded: their parent stands for
	// them).
	Tables map[QI]*Table
	// Relationships are keyed by the origin table and the schema of the
	// related table; each list is sorted as PostgREST sorts it (see
	// [CompareRelationships]), so PGRST201 details come out in its order.
	// As in PostgREST, a key may hold an empty list: the origin is exposed
	// but every relationship under it led to a non-exposed schema.
	Relationships map[RelKey][]*Relationship
	// Routines holds the functions of the exposed schemas; overloads share a
	// key and are ordered by their number of parameters.
	Routines map[QI][]*Routine
	// Representations are the implicit casts between domains and json/text
	// that customise how a domain's values are parsed and printed.
	Representations map[RepKey]*Representation
	// MediaHandlers maps an object (or any element) and a media type to the
	// aggregate or function that produces that media type: PostgREST's
	// builtin handlers (see [BuiltinMediaHandlers]) overridden by the custom
	// ones found in the database.
	MediaHandlers map[HandlerKey]ResolvedHandler
	// Schemas are the exposed schemas (db-schemas) the cache was loaded for;
	// the first is the default.
	Schemas []string
	// tableNames lists the table names of each schema, for "Perhaps you
	// meant" hints.
	tableNames map[string][]string
}

// Table is a table, view, materialized view or foreign table.
type Table struct {
	Schema      string  `json:"schema"`
	Name        string  `json:"name"`
	Description *string `json:"description"`
	// IsView is true for views and materialized views (not foreign tables).
	IsView bool `json:"is_view"`
	// Insertable, Updatable and Deletable say which verbs the object
	// accepts (auto-updatable view, INSTEAD OF trigger, ...), not whether the
	// current role has the privilege. Materialized views accept none.
	Insertable bool `json:"insertable"`
	Updatable  bool `json:"updatable"`
	Deletable  bool `json:"deletable"`
	// PKCols is the primary key: for a table its columns sorted by name;
	// for a view the view columns exposing the primary keys of its base
	// tables (followed through views over views), in key order, taking the
	// first view column when the view exposes a key column more than once.
	PKCols []string `json:"pk_cols"`
	// Columns in their ordinal order.
	Columns     []*Column `json:"columns"`
	columnIndex map[string]*Column
}

// QI returns the table's qualified identifier.
func (t *Table) QI() QI { return QI{t.Schema, t.Name} }

// Column returns the named column or nil.
func (t *Table) Column(name string) *Column {
	if t.columnIndex == nil {
		return t.scanColumn(name)
	}
	return t.columnIndex[name]
}

func (t *Table) scanColumn(name string) *Column {
	for _, c := range t.Columns {
		if c.Name == name {
			return c
		}
	}
	return nil
}

// IndexColumns builds the name index Column uses. Load calls it; tests that
// build a Table literal may call it too (Column falls back to a scan).
func (t *Table) IndexColumns() {
	t.columnIndex = make(map[string]*Column, len(t.Columns))
	for _, c := range t.Columns {
		t.columnIndex[c.Name] = c
	}
}

// Column is a column of a table or view.
type Column struct {
	Name        string  `json:"name"`
	Description *string `json:"description"`
	Nullable    bool    `json:"nullable"`
	// Type is the type as PostgREST reports it (OpenAPI, casts of filter
	// values): a domain over a pg_catalog type shows that base type; a
	// pg_catalog type shows without type modifiers ("character varying",
	// "integer[]"); anything else shows as format_type prints it, schema
	// qualified and with modifiers (a domain over a user type shows the
	// domain, e.g. "test.composite_domain").
	Type string `json:"type"`
	// NominalType is the declared type as format_type prints it: domains
	// not resolved, type modifiers kept ("character varying(255)"), schema
	// qualified when outside pg_catalog (e.g. "public.color").
	NominalType string `json:"nominal_type"`
	// MaxLen is the character maximum length, 0 when there is none.
	MaxLen int32 `json:"max_len,omitempty"`
	// Default is the column default expression (the domain's default when
	// the column has none; nextval('seq') for an identity column), nil when
	// there is none or the column is generated.
	Default *string `json:"default"`
	// Enum lists the labels, in order, when the base type is an enum.
	Enum []string `json:"enum,omitempty"`
}

// Cardinality is the kind of a relationship. The numeric values are not
// PostgREST's sort order; [CompareRelationships] has that.
type Cardinality int

const (
	// ManyToOne: the origin holds the foreign key.
	ManyToOne Cardinality = iota
	// OneToMany: the related table holds the foreign key.
	OneToMany
	// OneToOne: a unique foreign key, seen from either side.
	OneToOne
	// ManyToMany: through a junction table holding two foreign keys.
	ManyToMany
)

// String returns the name PostgREST uses in PGRST201 details.
func (c Cardinality) String() string {
	switch c {
	case ManyToOne:
		return "many-to-one"
	case OneToMany:
		return "one-to-many"
	case OneToOne:
		return "one-to-one"
	default:
		return "many-to-many"
	}
}

// MarshalText returns the String form, for JSON.
func (c Cardinality) MarshalText() ([]byte, error) { return []byte(c.String()), nil }

// ColumnPair is (column of the origin, column of the related table).
type ColumnPair struct {
	Column        string `json:"column"`
	ForeignColumn string `json:"foreign_column"`
}

// Junction is the middle table of a many-to-many relationship. Both of its
// foreign keys' columns are part of its primary key.
type Junction struct {
	Table       QI     `json:"table"`
	Constraint1 string `json:"constraint1"` // the FK to the origin
	Constraint2 string `json:"constraint2"` // the FK to the target
	// ColsSource pairs (origin column, junction column): Column is the
	// origin's, ForeignColumn the junction's, in Constraint1's key order.
	ColsSource []ColumnPair `json:"cols_source"`
	// ColsTarget pairs (target column, junction column), in Constraint2's
	// key order.
	ColsTarget []ColumnPair `json:"cols_target"`
}

// Relationship relates an origin table to a foreign table, either through
// foreign keys or through a function (a computed relationship).
type Relationship struct {
	Table        QI `json:"table"`
	ForeignTable QI `json:"foreign_table"`
	// IsSelf: Table and ForeignTable are the same. A relationship a view
	// inherits from a self-referencing table is self only when both ends
	// are the same view.
	IsSelf bool `json:"is_self"`

	// Computed relationships: Function takes a row of Table and returns
	// ForeignTable rows; ToOne when it does not return SETOF, or has ROWS 1.
	// Cardinality and the fields below are unused.
	Computed bool `json:"computed,omitzero"`
	Function QI   `json:"function,omitzero"`
	ToOne    bool `json:"to_one,omitzero"`

	// Foreign-key relationships.
	Cardinality Cardinality `json:"cardinality"`
	// Constraint is the foreign key's name ("" for ManyToMany, whose
	// constraints are in Junction).
	Constraint string `json:"constraint,omitzero"`
	// Columns pairs the origin's columns with the foreign table's, in key
	// order (for a view: the view columns exposing the key columns).
	Columns  []ColumnPair `json:"columns,omitzero"`
	Junction *Junction    `json:"junction,omitzero"`
	// TableIsView and FTableIsView: the end was reached through a view's
	// key dependencies (or, for ManyToMany, the junction's foreign keys
	// point to views).
	TableIsView  bool `json:"table_is_view,omitzero"`
	FTableIsView bool `json:"ftable_is_view,omitzero"`
	// O2OIsParent is true on the side of a one-to-one whose columns are
	// referenced (the inverse of the side holding the foreign key).
	O2OIsParent bool `json:"o2o_is_parent,omitzero"`
}

// IsToOne reports whether embedding along r yields at most one row.
func (r *Relationship) IsToOne() bool {
	if r.Computed {
		return r.ToOne
	}
	return r.Cardinality == ManyToOne || r.Cardinality == OneToOne
}

// RelKey indexes relationships by origin table and related schema.
type RelKey struct {
	Table         QI
	ForeignSchema string
}

// Volatility is a function's volatility class.
type Volatility int

// The volatility classes, in PostgREST's order.
const (
	Volatile Volatility = iota
	Stable
	Immutable
)

// String returns the SQL keyword, in lower case.
func (v Volatility) String() string {
	switch v {
	case Stable:
		return "stable"
	case Immutable:
		return "immutable"
	default:
		return "volatile"
	}
}

// MarshalText returns the String form, for JSON.
func (v Volatility) MarshalText() ([]byte, error) { return []byte(v.String()), nil }

// RetType is a function's return type.
type RetType struct {
	SetOf bool `json:"setof"`
	// Composite: a composite type, or a function with OUT, INOUT or TABLE
	// parameters (then Type is "pg_catalog.record").
	Composite bool `json:"composite"`
	// CompositeAlias is true when the return type is a domain over a
	// composite type.
	CompositeAlias bool `json:"composite_alias,omitzero"`
	// Type is the type, domains resolved to their base type; for a table's
	// row type, the table.
	Type QI `json:"type"`
}

// Routine is a function exposed at /rpc/<name>.
type Routine struct {
	Schema      string         `json:"schema"`
	Name        string         `json:"name"`
	Description *string        `json:"description"`
	Params      []RoutineParam `json:"params"`
	Return      RetType        `json:"return"`
	Volatility  Volatility     `json:"volatility"`
	HasVariadic bool           `json:"has_variadic"`
	// IsolationLevel is the function's default_transaction_isolation
	// setting (SET default_transaction_isolation = ...), normalised as
	// PostgREST does to "read committed", "repeatable read" or
	// "serializable" (anything else reads as "read committed"); "" when it
	// has none.
	IsolationLevel string `json:"isolation_level,omitzero"`
	// Settings are the function's SET clauses whose names
	// db-hoisted-tx-settings allows to be applied to the whole
	// transaction, in declaration order.
	Settings []Setting `json:"settings,omitzero"`
}

// The values of [Routine.IsolationLevel].
const (
	ReadCommitted  = "read committed"
	RepeatableRead = "repeatable read"
	Serializable   = "serializable"
)

// Setting is a name = value pair.
type Setting struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

// RoutineParam is an input parameter of a routine.
type RoutineParam struct {
	Name string `json:"name"` // "" for an unnamed parameter
	// Type is the type as regtype prints it, schema qualified outside
	// pg_catalog.
	Type string `json:"type"`
	// TypeMaxLength is Type with character/bit types widened to their
	// varying form, so arguments are not truncated.
	TypeMaxLength string `json:"type_max_length"`
	// Required: the parameter has no default.
	Required bool `json:"required"`
	Variadic bool `json:"variadic"`
}

// QI returns the routine's qualified identifier.
func (r *Routine) QI() QI { return QI{r.Schema, r.Name} }

// ReturnsScalar: a single non-composite value.
func (r *Routine) ReturnsScalar() bool { return !r.Return.SetOf && !r.Return.Composite }

// ReturnsSetOfScalar: SETOF a non-composite type.
func (r *Routine) ReturnsSetOfScalar() bool { return r.Return.SetOf && !r.Return.Composite }

// ReturnsSingle: not SETOF.
func (r *Routine) ReturnsSingle() bool { return !r.Return.SetOf }

// ReturnsSingleComposite: one row of a composite type.
func (r *Routine) ReturnsSingleComposite() bool { return !r.Return.SetOf && r.Return.Composite }

// ReturnsVoid: RETURNS void.
func (r *Routine) ReturnsVoid() bool {
	return !r.Return.SetOf && !r.Return.Composite && r.Return.Type == QI{"pg_catalog", "void"}
}

// TableName returns the name of the composite type the routine returns, so
// its results can embed related tables like that table's rows; "" when the
// routine returns a scalar.
func (r *Routine) TableName() string {
	if r.Return.Composite {
		return r.Return.Type.Name
	}
	return ""
}

// Representation is an implicit cast function between a domain and
// json/text (PostgREST's data representations).
type Representation struct {
	// SourceType and TargetType are as regtype prints them (e.g.
	// "public.color", "json").
	SourceType string `json:"source_type"`
	TargetType string `json:"target_type"`
	// Function is the cast function as regproc prints it (qualified when
	// not on the search_path), ready to be written into SQL.
	Function string `json:"function"`
}

// RepKey indexes representations by (source type, target type).
type RepKey struct {
	Source, Target string
}

// HandlerKind says how a media type is produced.
type HandlerKind int

const (
	// NoAgg: no body is built (HEAD, return=minimal).
	NoAgg HandlerKind = iota
	// BuiltinSingleJSON: one JSON object (vnd.pgrst.object).
	BuiltinSingleJSON
	// BuiltinArrayJSONStrip: a JSON array with nulls stripped.
	BuiltinArrayJSONStrip
	// BuiltinJSON: a JSON array (overridable by a custom handler).
	BuiltinJSON
	// BuiltinGeoJSON: a GeoJSON FeatureCollection (overridable).
	BuiltinGeoJSON
	// BuiltinCSV: CSV with a header line (overridable).
	BuiltinCSV
	// CustomFunc: a user aggregate or function named after the media type.
	CustomFunc
)

// String returns a name for dumps and messages.
func (k HandlerKind) String() string {
	switch k {
	case NoAgg:
		return "none"
	case BuiltinSingleJSON:
		return "builtin single json"
	case BuiltinArrayJSONStrip:
		return "builtin array json strip"
	case BuiltinJSON:
		return "builtin json"
	case BuiltinGeoJSON:
		return "builtin geojson"
	case BuiltinCSV:
		return "builtin csv"
	default:
		return "custom"
	}
}

// MarshalText returns the String form, for JSON.
func (k HandlerKind) MarshalText() ([]byte, error) { return []byte(k.String()), nil }

// Handler is what builds a response body.
type Handler struct {
	Kind HandlerKind `json:"kind"`
	// Strip: nulls=stripped, for BuiltinSingleJSON.
	Strip bool `json:"strip,omitzero"`
	// Function and Target, for CustomFunc, as PostgREST has them:
	//   - an aggregate over a relation's rows: Function is the aggregate,
	//     Target the relation (AnyElement instead when it takes
	//     anyelement); the body is Function(_t::Target) or Function(_t);
	//   - a function returning a media type domain: Target is that
	//     function and Function is the domain (schema and name); the
	//     function's result already is the body, and Function(result) is a
	//     function-style cast to the domain.
	Function   QI   `json:"function,omitzero"`
	Target     QI   `json:"target,omitzero"`
	AnyElement bool `json:"any_element,omitzero"`
}

// ResolvedHandler is a handler with the media type it produces (*/* resolves
// to a concrete type: application/json for the builtin handler,
// application/octet-stream for a "*/*" domain).
type ResolvedHandler struct {
	Handler   Handler
	MediaType mediatype.MediaType
}

// HandlerKey indexes media handlers by target relation or function (or
// any element, with Target zero) and media type.
type HandlerKey struct {
	Target     QI
	AnyElement bool
	Media      mediatype.Key
}

// Table returns the table or view, or nil.
func (c *Cache) Table(q QI) *Table { return c.Tables[q] }

// Relations returns the relationships from table to tables of foreignSchema.
func (c *Cache) Relations(table QI, foreignSchema string) []*Relationship {
	return c.Relationships[RelKey{table, foreignSchema}]
}

// RoutinesNamed returns the overloads of a routine, or nil.
func (c *Cache) RoutinesNamed(q QI) []*Routine { return c.Routines[q] }

// TableNames returns the names of the tables of schema, for hints.
func (c *Cache) TableNames(schema string) []string {
	if c.tableNames == nil {
		var names []string
		for q := range c.Tables {
			if q.Schema == schema {
				names = append(names, q.Name)
			}
		}
		return names
	}
	return c.tableNames[schema]
}

// Finish builds the derived indexes (table names per schema, column indexes).
// Load calls it; tests that build a Cache literal call it too.
func (c *Cache) Finish() {
	c.tableNames = make(map[string][]string)
	for q, t := range c.Tables {
		c.tableNames[q.Schema] = append(c.tableNames[q.Schema], q.Name)
		t.IndexColumns()
	}
	for s := range c.tableNames {
		slices.Sort(c.tableNames[s])
	}
}
