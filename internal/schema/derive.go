package schema

import (
	"cmp"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/restgres/restgres/internal/mediatype"
)

// build derives the cache from the catalog rows the way PostgREST's
// querySchemaCache does:
//
//  1. views get the primary keys of their base tables (addViewPrimaryKeys);
//  2. foreign keys give many-to-one and one-to-one relationships between
//     tables, and views inherit them (table→view, view→table, view→view);
//  3. many-to-many relationships through junctions are added;
//  4. every many-to-one and one-to-one gets its inverse;
//  5. computed relationships replace the detected ones they share a
//     (table, function name = foreign table) key with;
//  6. relationships from or to non-exposed schemas are removed.
func build(cat *catalog, opts Options) (*Cache, error) {
	c := &Cache{
		Tables:          make(map[QI]*Table, len(cat.tables)),
		Representations: make(map[RepKey]*Representation, len(cat.reps)),
		MediaHandlers:   BuiltinMediaHandlers(),
		Schemas:         slices.Clone(opts.Schemas),
	}
	for _, t := range cat.tables {
		if len(t.PKCols) == 0 {
			t.PKCols = nil
		}
		for _, col := range t.Columns {
			if len(col.Enum) == 0 {
				col.Enum = nil
			}
		}
		c.Tables[t.QI()] = t
	}

	deps := make([]keyDep, 0, len(cat.keyDeps))
	for _, r := range cat.keyDeps {
		d := keyDep{
			table:      QI{r.TableSchema, r.TableName},
			view:       QI{r.ViewSchema, r.ViewName},
			constraint: r.ConstraintName,
		}
		switch r.ConstraintType {
		case "p":
			d.kind = pkDep
		case "f":
			d.kind = fkDep
		default: // "f_ref", made up by the query
			d.kind = fkRefDep
		}
		for _, col := range r.Columns {
			d.cols = append(d.cols, keyDepCol{col.Column, col.ViewColumns})
		}
		deps = append(deps, d)
	}
	addViewPrimaryKeys(c.Tables, deps)

	rels := make([]*Relationship, 0, len(cat.fkRels))
	for _, r := range cat.fkRels {
		rel := &Relationship{
			Table:        QI{r.TableSchema, r.TableName},
			ForeignTable: QI{r.ForeignTableSchema, r.ForeignTableName},
			IsSelf:       r.IsSelf,
			Cardinality:  ManyToOne,
			Constraint:   r.ConstraintName,
		}
		if r.OneToOne {
			rel.Cardinality = OneToOne
		}
		for _, p := range r.ColsAndFCols {
			rel.Columns = append(rel.Columns, ColumnPair{p[0], p[1]})
		}
		rels = append(rels, rel)
	}
	rels = addViewRels(deps, rels)
	// PostgREST detects many-to-many relationships before it drops
	// non-exposed objects, so a junction outside the exposed schemas still
	// yields one (removed later, leaving its key); give addM2MRels the
	// keys of such junctions.
	pkTables := c.Tables
	cloned := false
	for _, r := range cat.fkRels {
		q := QI{r.TableSchema, r.TableName}
		if _, ok := pkTables[q]; ok || len(r.TablePKCols) == 0 {
			continue
		}
		if !cloned {
			pkTables, cloned = maps.Clone(c.Tables), true
		}
		pkTables[q] = &Table{Schema: q.Schema, Name: q.Name, PKCols: r.TablePKCols}
	}
	rels = addM2MRels(pkTables, rels)
	rels = addInverseRels(rels)

	computed := make([]*Relationship, 0, len(cat.computed))
	for _, r := range cat.computed {
		computed = append(computed, &Relationship{
			Computed:     true,
			Function:     QI{r.Schema, r.Name},
			Table:        QI{r.TableSchema, r.TableName},
			ForeignTable: QI{r.ForeignTableSchema, r.ForeignTableName},
			ToOne:        r.SingleRow,
			IsSelf:       r.IsSelf,
		})
	}
	c.Relationships = removeInternalRels(opts.Schemas, overrideRels(rels, computed))

	routines, err := groupRoutines(cat.routines)
	if err != nil {
		return nil, err
	}
	c.Routines = routines

	for _, r := range cat.reps {
		c.Representations[RepKey{r.SourceType, r.TargetType}] = r
	}

	// Rows come sorted; a later row with the same key wins, as with
	// PostgREST's HM.fromList, and any custom handler wins over a builtin.
	for _, r := range cat.handlers {
		key := HandlerKey{Media: mediatype.Parse(r.MediaType).Key()}
		h := Handler{Kind: CustomFunc, Function: QI{r.HandlerSchema, r.HandlerName}}
		if r.TargetSchema == "pg_catalog" && r.TargetName == "anyelement" {
			key.AnyElement, h.AnyElement = true, true
		} else {
			key.Target, h.Target = QI{r.TargetSchema, r.TargetName}, QI{r.TargetSchema, r.TargetName}
		}
		c.MediaHandlers[key] = ResolvedHandler{Handler: h, MediaType: mediatype.Parse(r.ResolvedMediaType)}
	}
	return c, nil
}

// BuiltinMediaHandlers returns a new map holding PostgREST's initial media
// handlers, for any element: application/json and */* (producing
// application/json), text/csv and application/geo+json. Custom handlers for
// the same keys override them. The vendored types (vnd.pgrst.object,
// vnd.pgrst.array;nulls=stripped) are not here: they cannot be overridden,
// so the planner picks their handlers itself, as PostgREST's negotiation
// does.
func BuiltinMediaHandlers() map[HandlerKey]ResolvedHandler {
	anyElem := func(k mediatype.Kind) HandlerKey {
		return HandlerKey{AnyElement: true, Media: mediatype.MediaType{Kind: k}.Key()}
	}
	resolved := func(h HandlerKind, k mediatype.Kind) ResolvedHandler {
		return ResolvedHandler{Handler: Handler{Kind: h}, MediaType: mediatype.MediaType{Kind: k}}
	}
	return map[HandlerKey]ResolvedHandler{
		anyElem(mediatype.Any):     resolved(BuiltinJSON, mediatype.JSON),
		anyElem(mediatype.JSON):    resolved(BuiltinJSON, mediatype.JSON),
		anyElem(mediatype.CSV):     resolved(BuiltinCSV, mediatype.CSV),
		anyElem(mediatype.GeoJSON): resolved(BuiltinGeoJSON, mediatype.GeoJSON),
	}
}

// DecodeRoutines decodes the value [RoutinesSQL] returns into routines
// keyed as in [Cache.Routines], overloads in the same order.
func DecodeRoutines(raw []byte) (map[QI][]*Routine, error) {
	var rows []routineRow
	if err := json.Unmarshal(raw, &rows); err != nil {
		return nil, fmt.Errorf("schema: decoding functions: %w", err)
	}
	return groupRoutines(rows)
}

// groupRoutines keys routines by name, overloads ordered as PostgREST's Ord
// instance orders them (fewest parameters first).
func groupRoutines(rows []routineRow) (map[QI][]*Routine, error) {
	out := make(map[QI][]*Routine, len(rows))
	for _, r := range rows {
		rt, err := routineFromRow(r)
		if err != nil {
			return nil, err
		}
		out[rt.QI()] = append(out[rt.QI()], rt)
	}
	for _, overloads := range out {
		slices.SortStableFunc(overloads, compareRoutines)
	}
	return out, nil
}

func routineFromRow(r routineRow) (*Routine, error) {
	rt := &Routine{
		Schema:      r.Schema,
		Name:        r.Name,
		Description: r.Description,
		Params:      r.Params,
		Return: RetType{
			SetOf:     r.RetSetOf,
			Composite: r.RetComposite,
			// The query flags every domain; PostgREST keeps the flag only
			// for composites (its Scalar has no such field).
			CompositeAlias: r.RetComposite && r.RetCompositeAlias,
			Type:           QI{r.RetSchema, r.RetName},
		},
		HasVariadic: r.HasVariadic,
		Settings:    r.Settings,
	}
	if len(rt.Params) == 0 {
		rt.Params = nil
	}
	if len(rt.Settings) == 0 {
		rt.Settings = nil
	}
	switch r.Volatility {
	case "i":
		rt.Volatility = Immutable
	case "s":
		rt.Volatility = Stable
	case "v":
		rt.Volatility = Volatile
	default:
		return nil, fmt.Errorf("schema: function %s.%s: unknown volatility %q", r.Schema, r.Name, r.Volatility)
	}
	if r.IsolationLevel != nil {
		// PostgREST's toIsolationLevel: anything unknown reads as the
		// default.
		switch strings.ToLower(*r.IsolationLevel) {
		case RepeatableRead:
			rt.IsolationLevel = RepeatableRead
		case Serializable:
			rt.IsolationLevel = Serializable
		default:
			rt.IsolationLevel = ReadCommitted
		}
	}
	return rt, nil
}

// keyDepKind is the kind of a key a view inherits from a base table.
type keyDepKind int

const (
	pkDep    keyDepKind = iota // the base table's primary key
	fkDep                      // a foreign key's referencing columns
	fkRefDep                   // a foreign key's referenced columns
)

// keyDep is a key of a base table whose columns a view exposes in full.
type keyDep struct {
	table, view QI
	constraint  string
	kind        keyDepKind
	// cols in key order; a view may expose one key column several times.
	cols []keyDepCol
}

type keyDepCol struct {
	column      string   // of the base table
	viewColumns []string // every view column exposing it
}

// expand returns every way of picking one view column per key column, in
// key order: a view exposing a key column twice gives two relationships,
// one per column, so that either can be used as an embedding hint.
func (d keyDep) expand() [][]string {
	out := [][]string{nil}
	for _, c := range d.cols {
		next := make([][]string, 0, len(out)*len(c.viewColumns))
		for _, prefix := range out {
			for _, vc := range c.viewColumns {
				next = append(next, append(slices.Clone(prefix), vc))
			}
		}
		out = next
	}
	return out
}

// addViewPrimaryKeys gives each view the primary keys of its base tables,
// taking the first view column when a key column is exposed more than once
// (any one identifies the row; Location headers need just one).
func addViewPrimaryKeys(tables map[QI]*Table, deps []keyDep) {
	pks := make(map[QI][]string)
	for _, d := range deps {
		if d.kind != pkDep {
			continue
		}
		for _, c := range d.cols {
			if len(c.viewColumns) > 0 {
				pks[d.view] = append(pks[d.view], c.viewColumns[0])
			}
		}
	}
	for q, t := range tables {
		if t.IsView {
			t.PKCols = pks[q]
		}
	}
}

type depIndexKey struct {
	table      QI
	constraint string
	kind       keyDepKind
}

// addViewRels adds, for every foreign key relationship between tables, the
// same relationship from each view exposing the referencing columns
// (view→table), to each view exposing the referenced columns
// (table→view), and between every such pair of views (view→view).
func addViewRels(deps []keyDep, rels []*Relationship) []*Relationship {
	index := make(map[depIndexKey][]keyDep)
	for _, d := range deps {
		k := depIndexKey{d.table, d.constraint, d.kind}
		index[k] = append(index[k], d)
	}
	out := slices.Clone(rels)
	for _, r := range rels {
		if r.Computed || !(r.Cardinality == ManyToOne || r.Cardinality == OneToOne && !r.O2OIsParent) {
			continue
		}
		fromViews := index[depIndexKey{r.Table, r.Constraint, fkDep}]
		toViews := index[depIndexKey{r.ForeignTable, r.Constraint, fkRefDep}]
		derive := func(table, ftable QI, tableIsView, ftableIsView bool, cols, fcols []string) *Relationship {
			n := min(len(cols), len(fcols))
			pairs := make([]ColumnPair, n)
			for i := range n {
				pairs[i] = ColumnPair{cols[i], fcols[i]}
			}
			return &Relationship{
				Table:        table,
				ForeignTable: ftable,
				Cardinality:  r.Cardinality,
				Constraint:   r.Constraint,
				Columns:      pairs,
				TableIsView:  tableIsView,
				FTableIsView: ftableIsView,
			}
		}
		var cols, fcols []string
		for _, p := range r.Columns {
			cols = append(cols, p.Column)
			fcols = append(fcols, p.ForeignColumn)
		}
		for _, v := range fromViews {
			for _, vcols := range v.expand() {
				out = append(out, derive(v.view, r.ForeignTable, true, false, vcols, fcols))
			}
		}
		for _, v := range toViews {
			for _, vcols := range v.expand() {
				out = append(out, derive(r.Table, v.view, false, true, cols, vcols))
			}
		}
		for _, v1 := range fromViews {
			for _, vcols1 := range v1.expand() {
				for _, v2 := range toViews {
					for _, vcols2 := range v2.expand() {
						rel := derive(v1.view, v2.view, true, true, vcols1, vcols2)
						rel.IsSelf = v1.view == v2.view
						out = append(out, rel)
					}
				}
			}
		}
	}
	return out
}

// addM2MRels adds a many-to-many relationship t→ft for every junction: a
// table or view holding two different many-to-one foreign keys, to t and to
// ft, whose columns are all part of its primary key.
func addM2MRels(tables map[QI]*Table, rels []*Relationship) []*Relationship {
	byTable := make(map[QI][]*Relationship)
	for _, r := range rels {
		byTable[r.Table] = append(byTable[r.Table], r)
	}
	isM2O := func(r *Relationship) bool { return !r.Computed && r.Cardinality == ManyToOne }
	out := slices.Clone(rels)
	for _, r1 := range rels {
		if !isM2O(r1) {
			continue
		}
		jt := r1.Table
		var pk []string
		if t := tables[jt]; t != nil {
			pk = t.PKCols
		}
		for _, r2 := range byTable[jt] {
			if !isM2O(r2) || r1.Constraint == r2.Constraint {
				continue
			}
			inPK := func(pairs []ColumnPair) bool {
				for _, p := range pairs {
					if !slices.Contains(pk, p.Column) {
						return false
					}
				}
				return true
			}
			if !inPK(r1.Columns) || !inPK(r2.Columns) {
				continue
			}
			out = append(out, &Relationship{
				Table:        r1.ForeignTable,
				ForeignTable: r2.ForeignTable,
				IsSelf:       r1.ForeignTable == r2.ForeignTable,
				Cardinality:  ManyToMany,
				Junction: &Junction{
					Table:       jt,
					Constraint1: r1.Constraint,
					Constraint2: r2.Constraint,
					ColsSource:  swapPairs(r1.Columns),
					ColsTarget:  swapPairs(r2.Columns),
				},
				TableIsView:  r1.FTableIsView,
				FTableIsView: r2.FTableIsView,
			})
		}
	}
	return out
}

// addInverseRels adds the one-to-many inverse of every many-to-one and the
// other side of every one-to-one.
func addInverseRels(rels []*Relationship) []*Relationship {
	out := slices.Clone(rels)
	for _, r := range rels {
		if r.Computed || r.Cardinality == ManyToMany || r.Cardinality == OneToMany {
			continue
		}
		inv := &Relationship{
			Table:        r.ForeignTable,
			ForeignTable: r.Table,
			IsSelf:       r.IsSelf,
			Cardinality:  OneToMany,
			Constraint:   r.Constraint,
			Columns:      swapPairs(r.Columns),
			TableIsView:  r.FTableIsView,
			FTableIsView: r.TableIsView,
		}
		if r.Cardinality == OneToOne {
			inv.Cardinality = OneToOne
			inv.O2OIsParent = !r.O2OIsParent
		}
		out = append(out, inv)
	}
	return out
}

func swapPairs(ps []ColumnPair) []ColumnPair {
	out := make([]ColumnPair, len(ps))
	for i, p := range ps {
		out[i] = ColumnPair{p.ForeignColumn, p.Column}
	}
	return out
}

// overrideRels groups the relationships by origin and related schema, a
// computed relationship replacing every detected one between its table and
// the table named like its function (PostgREST's
// getOverrideRelationshipsMap: a function test.clients(test.projects)
// replaces the foreign keys from projects to test.clients), and sorts each
// group.
func overrideRels(rels, computed []*Relationship) map[RelKey][]*Relationship {
	type pairKey struct{ table, other QI }
	byPair := make(map[pairKey][]*Relationship)
	for _, r := range rels {
		k := pairKey{r.Table, r.ForeignTable}
		byPair[k] = append(byPair[k], r)
	}
	for _, r := range computed {
		// One function name per argument type: no two computed
		// relationships share a key.
		byPair[pairKey{r.Table, r.Function}] = []*Relationship{r}
	}
	out := make(map[RelKey][]*Relationship)
	for _, group := range byPair {
		for _, r := range group {
			k := RelKey{r.Table, r.ForeignTable.Schema}
			out[k] = append(out[k], r)
		}
	}
	for _, group := range out {
		slices.SortStableFunc(group, CompareRelationships)
	}
	return out
}

// removeInternalRels drops the relationships whose origin, foreign table or
// junction is outside the exposed schemas. Like PostgREST it keeps a key
// whose every relationship was dropped, with an empty list.
func removeInternalRels(schemas []string, rels map[RelKey][]*Relationship) map[RelKey][]*Relationship {
	out := make(map[RelKey][]*Relationship, len(rels))
	for k, group := range rels {
		if !slices.Contains(schemas, k.Table.Schema) {
			continue
		}
		kept := make([]*Relationship, 0, len(group))
		for _, r := range group {
			if !slices.Contains(schemas, r.ForeignTable.Schema) {
				continue
			}
			if r.Junction != nil && !slices.Contains(schemas, r.Junction.Table.Schema) {
				continue
			}
			kept = append(kept, r)
		}
		out[k] = kept
	}
	return out
}

// CompareRelationships orders relationships as PostgREST's derived Ord
// instance does, which decides the order of PGRST201 details: foreign-key
// relationships before computed ones; then by table, foreign table,
// is-self, cardinality (one-to-many, many-to-one, one-to-one,
// many-to-many, then constraint and columns, junction fields for
// many-to-many), table-is-view, foreign-table-is-view. Computed ones by
// function, table, foreign table, to-one, is-self.
func CompareRelationships(a, b *Relationship) int {
	if a.Computed != b.Computed {
		return compareBool(a.Computed, b.Computed)
	}
	if a.Computed {
		return cmp.Or(
			compareQI(a.Function, b.Function),
			compareQI(a.Table, b.Table),
			compareQI(a.ForeignTable, b.ForeignTable),
			compareBool(a.ToOne, b.ToOne),
			compareBool(a.IsSelf, b.IsSelf),
		)
	}
	return cmp.Or(
		compareQI(a.Table, b.Table),
		compareQI(a.ForeignTable, b.ForeignTable),
		compareBool(a.IsSelf, b.IsSelf),
		compareCardinality(a, b),
		compareBool(a.TableIsView, b.TableIsView),
		compareBool(a.FTableIsView, b.FTableIsView),
	)
}

// cardinalityRank is the constructor order of PostgREST's Cardinality.
func cardinalityRank(c Cardinality) int {
	switch c {
	case OneToMany:
		return 0
	case ManyToOne:
		return 1
	case OneToOne:
		return 2
	default:
		return 3
	}
}

func compareCardinality(a, b *Relationship) int {
	if c := cmp.Compare(cardinalityRank(a.Cardinality), cardinalityRank(b.Cardinality)); c != 0 {
		return c
	}
	if a.Cardinality == ManyToMany {
		ja, jb := a.Junction, b.Junction
		if ja == nil || jb == nil {
			return compareBool(ja != nil, jb != nil)
		}
		return cmp.Or(
			compareQI(ja.Table, jb.Table),
			cmp.Compare(ja.Constraint1, jb.Constraint1),
			cmp.Compare(ja.Constraint2, jb.Constraint2),
			slices.CompareFunc(ja.ColsSource, jb.ColsSource, comparePair),
			slices.CompareFunc(ja.ColsTarget, jb.ColsTarget, comparePair),
		)
	}
	return cmp.Or(
		cmp.Compare(a.Constraint, b.Constraint),
		slices.CompareFunc(a.Columns, b.Columns, comparePair),
		compareBool(a.O2OIsParent, b.O2OIsParent),
	)
}

func comparePair(a, b ColumnPair) int {
	return cmp.Or(cmp.Compare(a.Column, b.Column), cmp.Compare(a.ForeignColumn, b.ForeignColumn))
}

func compareQI(a, b QI) int {
	return cmp.Or(cmp.Compare(a.Schema, b.Schema), cmp.Compare(a.Name, b.Name))
}

// compareBool orders false before true, as Haskell does.
func compareBool(a, b bool) int {
	switch {
	case a == b:
		return 0
	case !a:
		return -1
	default:
		return 1
	}
}

// compareRoutines orders the overloads of one function as PostgREST's Ord
// instance does: fewer parameters first, then field by field.
func compareRoutines(a, b *Routine) int {
	return cmp.Or(
		cmp.Compare(len(a.Params), len(b.Params)),
		compareOptString(a.Description, b.Description),
		slices.CompareFunc(a.Params, b.Params, compareParams),
		compareRetTypes(a.Return, b.Return),
		cmp.Compare(a.Volatility, b.Volatility),
		compareBool(a.HasVariadic, b.HasVariadic),
		cmp.Compare(isolationRank(a.IsolationLevel), isolationRank(b.IsolationLevel)),
		slices.CompareFunc(a.Settings, b.Settings, func(x, y Setting) int {
			return cmp.Or(cmp.Compare(x.Name, y.Name), cmp.Compare(x.Value, y.Value))
		}),
	)
}

// compareOptString orders nil (Nothing) first.
func compareOptString(a, b *string) int {
	if a == nil || b == nil {
		return compareBool(a != nil, b != nil)
	}
	return cmp.Compare(*a, *b)
}

func compareParams(a, b RoutineParam) int {
	return cmp.Or(
		cmp.Compare(a.Name, b.Name),
		cmp.Compare(a.Type, b.Type),
		cmp.Compare(a.TypeMaxLength, b.TypeMaxLength),
		compareBool(a.Required, b.Required),
		compareBool(a.Variadic, b.Variadic),
	)
}

// compareRetTypes: Single before SetOf, Scalar before Composite.
func compareRetTypes(a, b RetType) int {
	return cmp.Or(
		compareBool(a.SetOf, b.SetOf),
		compareBool(a.Composite, b.Composite),
		compareQI(a.Type, b.Type),
		compareBool(a.CompositeAlias, b.CompositeAlias),
	)
}

func isolationRank(l string) int {
	switch l {
	case "":
		return 0
	case ReadCommitted:
		return 1
	case RepeatableRead:
		return 2
	default:
		return 3
	}
}
