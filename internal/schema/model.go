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

// Cache is one immutable snapshot of the schema.
type Cache struct {
	// Tables holds every table, view, materialized view and foreign table of
	// the exposed schemas.
	Tables map[QI]*Table `json:"tables"`
	// Relationships are keyed by the origin table and the schema of the
	// related table; each list is sorted so results are deterministic.
	Relationships map[RelKey][]*Relationship `json:"-"`
	// Routines holds the functions of the exposed schemas; overloads share a
	// key and are ordered by their number of parameters.
	Routines map[QI][]*Routine `json:"-"`
	// Representations are the implicit casts between domains and json/text
	// that customise how a domain's values are parsed and printed.
	Representations map[RepKey]*Representation `json:"-"`
	// MediaHandlers maps an object (or any element) and a media type to the
	// aggregate or function that produces that media type.
	MediaHandlers map[HandlerKey]ResolvedHandler `json:"-"`
	// Schemas are the exposed schemas (db-schemas) the cache was loaded for.
	Schemas []string `json:"schemas"`
	// tableNames lists the table names of each schema, for "Perhaps you
	// meant" hints.
	tableNames map[string][]string
}

// Table is a table, view, materialized view or foreign table.
type Table struct {
	Schema      string  `json:"schema"`
	Name        string  `json:"name"`
	Description *string `json:"description"`
	IsView      bool    `json:"is_view"`
	// Insertable, Updatable and Deletable say which verbs the object
	// accepts (auto-updatable view, INSTEAD OF trigger, ...), not whether the
	// current role has the privilege.
	Insertable bool     `json:"insertable"`
	Updatable  bool     `json:"updatable"`
	Deletable  bool     `json:"deletable"`
	PKCols     []string `json:"pk_cols"`
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
	// Type is the base type (domains resolved to the type they are over), as
	// format_type prints it without type modifiers.
	Type string `json:"type"`
	// NominalType is the declared type, domains included, with schema
	// qualification when outside pg_catalog (e.g. "public.color").
	NominalType string `json:"nominal_type"`
	// MaxLen is the character maximum length, 0 when there is none.
	MaxLen int32 `json:"max_len,omitempty"`
	// Default is the column default expression, nil when there is none.
	Default *string  `json:"default"`
	Enum    []string `json:"enum,omitempty"`
}

// Cardinality is the kind of a relationship.
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

// ColumnPair is (column of the origin, column of the related table).
type ColumnPair struct {
	Column, ForeignColumn string
}

// Junction is the middle table of a many-to-many relationship.
type Junction struct {
	Table       QI           `json:"table"`
	Constraint1 string       `json:"constraint1"` // the FK to the origin
	Constraint2 string       `json:"constraint2"` // the FK to the target
	ColsSource  []ColumnPair `json:"cols_source"` // (junction col, origin col)
	ColsTarget  []ColumnPair `json:"cols_target"` // (junction col, target col)
}

// Relationship relates an origin table to a foreign table, either through
// foreign keys or through a function (a computed relationship).
type Relationship struct {
	Table        QI   `json:"table"`
	ForeignTable QI   `json:"foreign_table"`
	IsSelf       bool `json:"is_self"`

	// Computed relationships: Function takes a row of Table and returns
	// ForeignTable rows; ToOne when it returns a single row (or ROWS 1).
	Computed bool `json:"computed,omitempty"`
	Function QI   `json:"function,omitempty"`
	ToOne    bool `json:"to_one,omitempty"`

	// Foreign-key relationships.
	Cardinality  Cardinality  `json:"cardinality"`
	Constraint   string       `json:"constraint,omitempty"`
	Columns      []ColumnPair `json:"columns,omitempty"`
	Junction     *Junction    `json:"junction,omitempty"`
	TableIsView  bool         `json:"table_is_view,omitempty"`
	FTableIsView bool         `json:"ftable_is_view,omitempty"`
	// O2OIsParent is true on the side of a one-to-one whose columns are
	// referenced (the inverse of the side holding the foreign key).
	O2OIsParent bool `json:"o2o_is_parent,omitempty"`
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

const (
	Volatile Volatility = iota
	Stable
	Immutable
)

// RetType is a function's return type.
type RetType struct {
	SetOf     bool `json:"setof"`
	Composite bool `json:"composite"`
	// CompositeAlias is true when the return type is a domain over a
	// composite type.
	CompositeAlias bool `json:"composite_alias,omitempty"`
	Type           QI   `json:"type"`
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
	// setting, "" when it has none.
	IsolationLevel string `json:"isolation_level,omitempty"`
	// Settings are the function's SET clauses that db-hoisted-tx-settings
	// allows to be applied to the whole transaction.
	Settings []Setting `json:"settings,omitempty"`
}

// Setting is a name = value pair.
type Setting struct {
	Name, Value string
}

// RoutineParam is an input parameter of a routine.
type RoutineParam struct {
	Name string `json:"name"` // "" for an unnamed parameter
	Type string `json:"type"`
	// TypeMaxLength is Type with character/bit types widened to their
	// varying form, so arguments are not truncated.
	TypeMaxLength string `json:"type_max_length"`
	Required      bool   `json:"required"`
	Variadic      bool   `json:"variadic"`
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

// Handler is what builds a response body.
type Handler struct {
	Kind HandlerKind
	// Strip: nulls=stripped, for BuiltinSingleJSON.
	Strip bool
	// Function and Target, for CustomFunc: the aggregate/function and the
	// type it applies to (AnyElement when it takes anyelement).
	Function   QI
	Target     QI
	AnyElement bool
}

// ResolvedHandler is a handler with the media type it produces (*/* resolves
// to a concrete type).
type ResolvedHandler struct {
	Handler   Handler
	MediaType mediatype.MediaType
}

// HandlerKey indexes media handlers by target relation (or any element) and
// media type.
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
