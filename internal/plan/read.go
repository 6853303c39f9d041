package plan

import (
	"strconv"
	"strings"

	"github.com/restgres/restgres/internal/apierr"
	"github.com/restgres/restgres/internal/request"
	"github.com/restgres/restgres/internal/schema"
)

// Options are the settings the planner needs.
type Options struct {
	MaxRows            int64
	AggregatesEnabled  bool
	LegacyTargetNames  bool
	PlanEnabled        bool
	RoleIsolationLevel map[string]string
}

// resolver types fields against the schema cache (PostgREST's
// ResolverContext).
type resolver struct {
	sc *schema.Cache
	qi schema.QI
}

func (r resolver) at(qi schema.QI) resolver { return resolver{r.sc, qi} }

func unknownField(name string, jp []request.JSONOp) Field {
	return Field{Name: name, JSONPath: jp}
}

func columnField(c *schema.Column, toTsVector bool, lang string) Field {
	f := Field{Name: c.Name, IRType: c.NominalType, BaseType: c.Type, ToTsVector: toTsVector, TsLang: lang}
	if c.Default != nil {
		f.Default, f.HasDefault = *c.Default, true
	}
	return f
}

func (r resolver) tableField(name string, toTsVector bool, lang string) Field {
	if t := r.sc.Table(r.qi); t != nil {
		if c := t.Column(name); c != nil {
			return columnField(c, toTsVector, lang)
		}
	}
	return unknownField(name, nil)
}

// typeOrUnknown resolves a field with its JSON path: json/jsonb columns take
// the path directly (so indexes apply), anything else goes through
// to_jsonb; tsvector columns are never wrapped in to_tsvector.
func (r resolver) typeOrUnknown(f request.Field, toTsVector bool, lang string) Field {
	cf := r.tableField(f.Name, toTsVector, lang)
	cf.JSONPath = f.JSONPath
	switch {
	case cf.IRType == "json" || cf.IRType == "jsonb":
		cf.ToJSON = false
	case cf.BaseType == "tsvector":
		cf.ToJSON = true
		cf.ToTsVector, cf.TsLang = false, ""
	default:
		cf.ToJSON = true
	}
	return cf
}

// withTransformer installs the data representation from source to target,
// if the database defines one.
func (r resolver) withTransformer(source, target string, f Field) Field {
	if rep := r.sc.Representations[schema.RepKey{Source: source, Target: target}]; rep != nil {
		f.IRType, f.Transform = source, rep.Function
	}
	return f
}

func (r resolver) outputField(f request.Field) Field {
	cf := r.typeOrUnknown(f, false, "")
	return r.withTransformer(cf.IRType, "json", cf)
}

func (r resolver) queryInputField(f request.Field, e request.OpExpr) Field {
	fts := e.Op == request.OpFts || e.Op == request.OpPlFts || e.Op == request.OpPhFts || e.Op == request.OpWFts
	cf := r.typeOrUnknown(f, fts, e.Lang)
	return r.withTransformer("text", cf.IRType, cf)
}

func (r resolver) filter(f request.Filter) Filter {
	return Filter{Field: r.queryInputField(f.Field, f.Expr), Expr: f.Expr}
}

func (r resolver) logicTree(t request.LogicTree) LogicTree {
	if !t.IsExpr {
		return LogicTree{Filter: r.filter(t.Filter)}
	}
	out := LogicTree{IsExpr: true, Not: t.Not, Or: t.Or, Trees: make([]LogicTree, len(t.Trees))}
	for i, sub := range t.Trees {
		out.Trees[i] = r.logicTree(sub)
	}
	return out
}

func (r resolver) orderTerm(t request.OrderTerm) OrderTerm {
	if t.Relation != "" {
		return OrderTerm{Relation: t.Relation, RelField: t.Field, Direction: t.Direction, Nulls: t.Nulls}
	}
	return OrderTerm{Field: r.typeOrUnknown(t.Field, false, ""), Direction: t.Direction, Nulls: t.Nulls}
}

// readTree builds the read plan tree of a request, running PostgREST's
// planning passes in order.
func readTree(qi schema.QI, req *request.APIRequest, sc *schema.Cache, opts *Options) (*ReadPlan, [][2]string, error) {
	res := resolver{sc, qi}
	root := initRead(res, req.Query.Select)
	isMutation := req.Action.IsMutation()

	// filters (nodeAt rather than updateNode here and for the ranges: the
	// closures cost an allocation per filter and per range)
	for _, pf := range req.Query.Filters {
		if isMutation && len(pf.Path) == 0 {
			continue // root filters of a mutation go to its WHERE
		}
		n, err := nodeAt(root, pf.Path, opts.LegacyTargetNames)
		if err != nil {
			return nil, nil, err
		}
		n.Where = append(n.Where, LogicTree{Filter: res.at(n.From).filter(pf.Filter)})
	}
	// orders: the first order= of a level wins
	orderSet := map[*ReadPlan]bool{}
	for _, po := range req.Query.Order {
		if err := updateNode(root, po.Path, opts.LegacyTargetNames, func(n *ReadPlan) {
			if orderSet[n] {
				return
			}
			orderSet[n] = true
			n.Order = make([]OrderTerm, len(po.Terms))
			for i, t := range po.Terms {
				// PostgREST types order fields against the root table
				n.Order[i] = res.orderTerm(t)
			}
		}); err != nil {
			return nil, nil, err
		}
	}
	// ranges
	if !isMutation {
		var keyBuf [4]string
		for _, key := range sortedKeys(req.Ranges, keyBuf[:0]) {
			var path []string // "limit" is the root's
			if strings.IndexByte(key, '.') >= 0 {
				path = strings.Split(key, ".")
				path = path[:len(path)-1]
			}
			n, err := nodeAt(root, path, opts.LegacyTargetNames)
			if err != nil {
				return nil, nil, err
			}
			n.Range = req.Ranges[key]
		}
	}
	// logic trees come before the filters of their level
	logicByNode := map[*ReadPlan][]LogicTree{}
	var logicOrder []*ReadPlan
	for _, pl := range req.Query.Logic {
		if isMutation && len(pl.Path) == 0 {
			continue
		}
		if err := updateNode(root, pl.Path, opts.LegacyTargetNames, func(n *ReadPlan) {
			if _, ok := logicByNode[n]; !ok {
				logicOrder = append(logicOrder, n)
			}
			logicByNode[n] = append(logicByNode[n], res.at(n.From).logicTree(pl.Tree))
		}); err != nil {
			return nil, nil, err
		}
	}
	for _, n := range logicOrder {
		n.Where = append(logicByNode[n], n.Where...)
	}

	if err := addRels(root, nil, qi.Schema, req.Action, sc); err != nil {
		return nil, nil, err
	}
	expandStars(res, root, false)
	addAliases(root)
	if err := addRelatedOrders(root); err != nil {
		return nil, nil, err
	}
	addNullEmbedFilters(root)
	addRelSelects(root)
	if !opts.AggregatesEnabled && anyAggregate(root) {
		return nil, nil, apierr.AggregatesNotAllowed()
	}
	hoistSpreadAggregates(root)
	if err := addToManyOrderSelects(root); err != nil {
		return nil, nil, err
	}
	if !isMutation && opts.MaxRows > 0 {
		restrictRanges(root, opts.MaxRows)
	}
	return root, legacyWarnings(root), nil
}

// sortedKeys appends the keys of m to keys (a buffer the caller may keep
// on its stack), sorted.
func sortedKeys(m map[string]request.Range, keys []string) []string {
	for k := range m {
		keys = append(keys, k)
	}
	// deterministic: shorter paths first, then by name
	for i := 1; i < len(keys); i++ {
		for j := i; j > 0 && (len(keys[j]) < len(keys[j-1]) || len(keys[j]) == len(keys[j-1]) && keys[j] < keys[j-1]); j-- {
			keys[j], keys[j-1] = keys[j-1], keys[j]
		}
	}
	return keys
}

// initRead builds the tree of levels from the select items, typing the
// selected fields of each level against the table its name suggests.
func initRead(res resolver, items []*request.SelectItem) *ReadPlan {
	root := &ReadPlan{From: res.qi, RelName: res.qi.Name, Range: request.AllRows}
	addItems(res, root, items, 0)
	return root
}

func addItems(res resolver, node *ReadPlan, items []*request.SelectItem, depth int) {
	for _, it := range items {
		switch it.Kind {
		case request.SelectField:
			node.Select = append(node.Select, SelectField{
				Field: res.at(node.From).outputField(it.Field), Agg: it.Agg, AggCast: it.AggCast, Cast: it.Cast, Alias: it.Alias,
			})
		case request.SelectRelation, request.SelectSpread:
			child := &ReadPlan{
				From:        schema.QI{Schema: res.qi.Schema, Name: it.Relation},
				RelName:     it.Relation,
				RelAlias:    it.Alias,
				RelHint:     it.Hint,
				RelJoinType: it.Join,
				Depth:       depth + 1,
				Range:       request.AllRows,
			}
			if it.Kind == request.SelectSpread {
				child.RelSpread = ToOneSpread
			}
			addItems(res, child, it.Children, depth+1)
			node.Children = append(node.Children, child)
		}
	}
}

// updateNode applies f to the level reached by path (embed names or
// aliases).
func updateNode(root *ReadPlan, path []string, legacy bool, f func(*ReadPlan)) error {
	n, err := nodeAt(root, path, legacy)
	if err != nil {
		return err
	}
	f(n)
	return nil
}

// nodeAt returns the level reached by path (embed names or aliases).
func nodeAt(root *ReadPlan, path []string, legacy bool) (*ReadPlan, error) {
	n := root
	for _, name := range path {
		var found *ReadPlan
		for _, c := range n.Children {
			if legacy {
				if c.RelName == name || c.RelAlias == name {
					found = c
					break
				}
			} else if (c.RelAlias != "" && c.RelAlias == name) || (c.RelAlias == "" && c.RelName == name) {
				found = c
				break
			}
		}
		if found == nil {
			if !legacy {
				for _, c := range n.Children {
					if c.RelName == name && c.RelAlias != "" && c.RelAlias != name {
						return nil, apierr.NotEmbeddedLegacyName(name, c.RelName, c.RelAlias)
					}
				}
			}
			return nil, apierr.NotEmbedded(name)
		}
		if found.RelName == name && found.RelAlias != "" && found.RelAlias != name {
			found.LegacyTargetMatch = true
		}
		n = found
	}
	return n, nil
}

func legacyWarnings(root *ReadPlan) [][2]string {
	var out [][2]string
	var walk func(*ReadPlan)
	walk = func(n *ReadPlan) {
		if n.LegacyTargetMatch && n.RelAlias != "" {
			out = append(out, [2]string{n.RelName, n.RelAlias})
		}
		for _, c := range n.Children {
			walk(c)
		}
	}
	walk(root)
	return out
}

// addRels finds the relationship of every embedded level to its parent and
// sets the aliases and join conditions the SQL uses.
func addRels(n, parent *ReadPlan, sch string, action request.Action, sc *schema.Cache) error {
	if parent == nil {
		if action.IsMutation() || action == request.ActionInvoke {
			// mutations and calls read from the source CTE, aliased as the
			// table so relationships are found by its name
			n.FromAlias = n.From.Name
			n.From = schema.QI{Name: SourceCTE}
		}
	} else {
		origin := parent.From.Name
		if n.Depth == 1 && parent.FromAlias != "" {
			origin = parent.FromAlias
		}
		rel, err := findRel(sc, sch, origin, n.RelName, n.RelHint)
		if err != nil {
			return err
		}
		depth := strconv.Itoa(n.Depth)
		newAlias := rel.ForeignTable.Name + "_" + depth
		name := n.RelName
		if n.RelAlias != "" {
			name = n.RelAlias
		}
		n.RelAggAlias = rel.Table.Name + "_" + name + "_" + depth
		if n.RelSpread == ToOneSpread && !rel.IsToOne() {
			n.RelSpread = ToManySpread
		}
		n.From = rel.ForeignTable
		n.RelToParent = rel
		switch {
		case !rel.Computed && rel.Cardinality == schema.ManyToMany:
			n.RelJoinConds = joinConditions("", parent.FromAlias, rel)
		case rel.Computed:
			n.FromAlias = newAlias
			if parent.FromAlias != "" {
				n.RelTableAlias = schema.QI{Name: parent.FromAlias}
			} else {
				n.RelTableAlias = rel.Table
			}
		default:
			n.FromAlias = newAlias
			n.RelJoinConds = joinConditions(newAlias, parent.FromAlias, rel)
		}
	}
	for _, c := range n.Children {
		if err := addRels(c, n, sch, action, sc); err != nil {
			return err
		}
	}
	return nil
}

// joinConditions relates the child (tblAlias or its table) to the parent
// (parentAlias or its table); many-to-many goes through the junction.
//
// PostgREST qualifies every table here with the origin's schema. The
// junction, though, may live in another exposed schema; it is named in the
// FROM clause with its own schema, so the conditions must name it so too
// (PostgREST's "api"."junction" there is an invalid reference, 42P01).
func joinConditions(tblAlias, parentAlias string, rel *schema.Relationship) []JoinCondition {
	ref := func(alias string, table schema.QI) schema.QI {
		if alias != "" {
			return schema.QI{Name: alias}
		}
		return table
	}
	cond := func(prAl, newAl string, tb, ftb schema.QI, c, fc string) JoinCondition {
		return JoinCondition{Left: ColumnRef{ref(newAl, ftb), fc}, Right: ColumnRef{ref(prAl, tb), c}}
	}
	tSchema := rel.Table.Schema
	origin := schema.QI{Schema: tSchema, Name: rel.Table.Name}
	var out []JoinCondition
	if rel.Cardinality == schema.ManyToMany {
		j := rel.Junction
		target := schema.QI{Schema: tSchema, Name: rel.ForeignTable.Name}
		for _, p := range j.ColsTarget {
			out = append(out, cond("", "", target, j.Table, p.Column, p.ForeignColumn))
		}
		for _, p := range j.ColsSource {
			out = append(out, cond(parentAlias, tblAlias, origin, j.Table, p.Column, p.ForeignColumn))
		}
		return out
	}
	for _, p := range rel.Columns {
		out = append(out, cond(parentAlias, tblAlias, origin, schema.QI{Schema: tSchema, Name: rel.ForeignTable.Name}, p.Column, p.ForeignColumn))
	}
	return out
}

// findRel finds the one relationship between origin and target, using the
// hint to disambiguate (PostgREST's findRel, deprecated forms included).
func findRel(sc *schema.Cache, sch, origin, target, hint string) (*schema.Relationship, error) {
	var found []*schema.Relationship
	for _, r := range sc.Relations(schema.QI{Schema: sch, Name: origin}, sch) {
		if relMatches(r, target, hint) {
			found = append(found, r)
		}
	}
	switch len(found) {
	case 1:
		return found[0], nil
	case 0:
		return nil, noRelError(sc, sch, origin, target, hint)
	default:
		return nil, ambiguousRelError(origin, target, found)
	}
}

func singleCol(r *schema.Relationship) (schema.ColumnPair, bool) {
	if r.Cardinality == schema.ManyToMany || len(r.Columns) != 1 {
		return schema.ColumnPair{}, false
	}
	return r.Columns[0], true
}

func relMatches(r *schema.Relationship, target, hint string) bool {
	if r.Computed {
		return target == r.Function.Name
	}
	col, isSingle := singleCol(r)
	matchFKCol := func(h string) bool { return isSingle && h == col.Column }
	matchFKRefCol := func(h string) bool { return isSingle && h == col.ForeignColumn }
	matchConstraint := func(h string) bool { return r.Cardinality != schema.ManyToMany && h == r.Constraint }
	matchJunction := func(h string) bool { return r.Cardinality == schema.ManyToMany && h == r.Junction.Table.Name }
	if r.IsSelf {
		if hint == "" {
			return target == r.ForeignTable.Name && r.Cardinality == schema.OneToMany ||
				matchFKCol(target) && r.Cardinality == schema.ManyToOne
		}
		return target == r.ForeignTable.Name && r.Cardinality == schema.OneToMany && matchFKRefCol(hint)
	}
	if hint == "" {
		return target == r.ForeignTable.Name ||
			matchConstraint(target) && !r.FTableIsView ||
			matchFKCol(target) && !r.FTableIsView
	}
	return target == r.ForeignTable.Name &&
		(matchConstraint(hint) || matchFKCol(hint) || matchFKRefCol(hint) || matchJunction(hint))
}

// expandStars replaces * by the table's columns where that is needed: when
// a column has a data representation for JSON output, or when aggregates
// are used in this level or above (GROUP BY needs the columns).
func expandStars(res resolver, n *ReadPlan, hasAgg bool) {
	newHasAgg := hasAgg || n.RelSpread == ToManySpread
	for _, s := range n.Select {
		if s.Agg != request.AggNone {
			newHasAgg = true
		}
	}
	qi := n.From
	if qi.Schema == "" && qi.Name == SourceCTE && n.FromAlias != "" {
		qi = schema.QI{Schema: res.qi.Schema, Name: n.FromAlias}
	}
	expandStarsFor(res.at(qi), n, newHasAgg)
	for _, c := range n.Children {
		expandStars(res, c, newHasAgg)
	}
}

func expandStarsFor(res resolver, n *ReadPlan, hasAgg bool) {
	isSpread := n.RelSpread != NoSpread
	hasStar := false
	for _, s := range n.Select {
		if s.Field.Name == "*" && (s.Agg == request.AggNone || isSpread && s.Agg == request.AggCount) {
			hasStar = true
		}
	}
	if !hasStar {
		return
	}
	t := res.sc.Table(res.qi)
	var cols []*schema.Column
	if t != nil {
		cols = t.Columns
	}
	hasRep := false
	for _, c := range cols {
		if res.sc.Representations[schema.RepKey{Source: c.NominalType, Target: "json"}] != nil {
			hasRep = true
			break
		}
	}
	if !hasAgg && !hasRep {
		return
	}
	var out []SelectField
	for _, s := range n.Select {
		switch {
		case s.Field.Name == "*" && len(s.Field.JSONPath) == 0 && s.Agg == request.AggNone:
			for _, c := range cols {
				cf := columnField(c, false, "")
				cf = res.withTransformer(cf.IRType, "json", cf)
				out = append(out, SelectField{Field: cf, Cast: s.Cast, Alias: s.Alias})
			}
		case isSpread && s.Field.Name == "*" && len(s.Field.JSONPath) == 0 && s.Agg == request.AggCount:
			s.Field.FullRow = true
			out = append(out, s)
		default:
			out = append(out, s)
		}
	}
	n.Select = out
}

// addAliases gives a name to select items whose output column would
// otherwise be unnamed or misnamed: JSON paths (the last key), data
// representations (the column name) and aggregates inside spreads.
func addAliases(n *ReadPlan) {
	isSpread := n.RelSpread != NoSpread
	for i := range n.Select {
		s := &n.Select[i]
		switch {
		case s.Alias != "":
		case s.Agg != request.AggNone:
			if isSpread {
				s.Alias = s.Agg.Name()
			}
		case len(s.Field.JSONPath) > 0:
			if key, ok := lastJSONKey(s.Field); ok {
				s.Alias = key
			}
		case s.Field.Transform != "":
			s.Alias = s.Field.Name
		}
	}
	for _, c := range n.Children {
		addAliases(c)
	}
}

func lastJSONKey(f Field) (string, bool) {
	if len(f.JSONPath) == 0 {
		return "", false
	}
	last := f.JSONPath[len(f.JSONPath)-1]
	if !last.IsIndex {
		return last.Key, true
	}
	for i := len(f.JSONPath) - 1; i >= 0; i-- {
		if !f.JSONPath[i].IsIndex {
			return f.JSONPath[i].Key, true
		}
	}
	return f.Name, true
}

// addRelatedOrders checks order=rel(col) terms: rel must be a to-one embed
// of the level, referenced then by its aggregate alias.
func addRelatedOrders(n *ReadPlan) error {
	for i := range n.Order {
		t := &n.Order[i]
		if t.Relation == "" {
			continue
		}
		var found *ReadPlan
		for _, c := range n.Children {
			name := c.RelName
			if c.RelAlias != "" {
				name = c.RelAlias
			}
			if name == t.Relation {
				found = c
				break
			}
		}
		if found == nil {
			return apierr.NotEmbedded(t.Relation)
		}
		if found.RelToParent == nil || !found.RelToParent.IsToOne() {
			name := found.RelName
			if found.RelAlias != "" {
				name = found.RelAlias
			}
			return apierr.RelatedOrderNotToOne(n.From.Name, name)
		}
		t.Relation = found.RelAggAlias
	}
	for _, c := range n.Children {
		if err := addRelatedOrders(c); err != nil {
			return err
		}
	}
	return nil
}

// addNullEmbedFilters turns rel=is.null / rel=not.is.null on an embedded
// resource into a test on the embed's join result.
func addNullEmbedFilters(n *ReadPlan) {
	for i := range n.Where {
		n.Where[i] = nullEmbedTree(n, n.Where[i])
	}
	for _, c := range n.Children {
		addNullEmbedFilters(c)
	}
}

func nullEmbedTree(n *ReadPlan, t LogicTree) LogicTree {
	if t.IsExpr {
		for i := range t.Trees {
			t.Trees[i] = nullEmbedTree(n, t.Trees[i])
		}
		return t
	}
	f := t.Filter
	if f.NullEmbed || len(f.Field.JSONPath) != 0 || f.Expr.Op != request.OpIs || f.Expr.Is != request.IsNull {
		return t
	}
	for _, c := range n.Children {
		name := c.RelName
		if c.RelAlias != "" {
			name = c.RelAlias
		}
		if name == f.Field.Name {
			return LogicTree{Filter: Filter{NullEmbed: true, NullEmbedNot: f.Expr.Not, EmbedAlias: c.RelAggAlias}}
		}
	}
	return t
}

// addRelSelects records, bottom-up, how each child appears in its parent's
// select list.
func addRelSelects(n *ReadPlan) {
	if len(n.Children) == 0 {
		return
	}
	n.RelSelect = n.RelSelect[:0]
	for _, c := range n.Children {
		addRelSelects(c)
		if c.RelToParent == nil {
			continue
		}
		if c.RelSpread != NoSpread {
			n.RelSelect = append(n.RelSelect, RelSelectField{Kind: RelSpread, AggAlias: c.RelAggAlias, SpreadSel: spreadSelects(c)})
			continue
		}
		name := c.RelName
		if c.RelAlias != "" {
			name = c.RelAlias
		}
		mode := EmbedArray
		if c.RelToParent.IsToOne() {
			mode = EmbedObject
		}
		n.RelSelect = append(n.RelSelect, RelSelectField{
			Kind: RelEmbed, SelName: name, AggAlias: c.RelAggAlias, Mode: mode, Empty: onlyEmptyEmbeds(c),
		})
	}
}

func onlyEmptyEmbeds(n *ReadPlan) bool {
	if len(n.Select) != 0 {
		return false
	}
	for _, c := range n.Children {
		if !onlyEmptyEmbeds(c) {
			return false
		}
	}
	return true
}

func spreadSelects(n *ReadPlan) []SpreadSelectField {
	var out []SpreadSelectField
	for _, s := range n.Select {
		name := s.Field.Name
		if s.Alias != "" {
			name = s.Alias
		}
		out = append(out, SpreadSelectField{SelName: name})
	}
	for _, r := range n.RelSelect {
		if r.Kind == RelEmbed {
			out = append(out, SpreadSelectField{SelName: r.SelName})
		} else {
			out = append(out, r.SpreadSel...)
		}
	}
	return out
}

func anyAggregate(n *ReadPlan) bool {
	for _, s := range n.Select {
		if s.Agg != request.AggNone {
			return true
		}
	}
	for _, c := range n.Children {
		if anyAggregate(c) {
			return true
		}
	}
	return false
}

// hoistedAgg is an aggregate moved from a to-one spread up to the level
// where its grouping makes sense.
type hoistedAgg struct {
	aggAlias, field string
	agg             request.AggregateFunc
	cast, alias     string
}

// hoistSpreadAggregates moves aggregates out of to-one spreads into the
// nearest ancestor that is the root or a JSON embed, as PostgREST does, so
// that ?select=client_id,...invoices(total.sum()) sums per client.
func hoistSpreadAggregates(n *ReadPlan) { hoistNode(n) }

func hoistNode(n *ReadPlan) []hoistedAgg {
	var childAggs []hoistedAgg
	for _, c := range n.Children {
		childAggs = append(childAggs, hoistNode(c)...)
	}
	isToOneSpread := n.RelSpread == ToOneSpread
	var aggs []hoistedAgg
	if !(n.Depth == 0 || n.RelToParent != nil && !isToOneSpread) {
		for i := range n.Select {
			s := &n.Select[i]
			if s.Agg == request.AggNone {
				continue
			}
			name := s.Field.Name
			if s.Alias != "" {
				name = s.Alias
			}
			aggs = append(aggs, hoistedAgg{aggAlias: n.RelAggAlias, field: name, agg: s.Agg, cast: s.AggCast, alias: s.Alias})
			s.Agg, s.AggCast = request.AggNone, ""
		}
	}
	if isToOneSpread {
		for _, a := range childAggs {
			a.aggAlias = n.RelAggAlias
			aggs = append(aggs, a)
		}
		return aggs
	}
	if len(n.Children) > 0 {
		for i := range n.RelSelect {
			r := &n.RelSelect[i]
			if r.Kind != RelSpread {
				continue
			}
			for j := range r.SpreadSel {
				s := &r.SpreadSel[j]
				for _, a := range childAggs {
					if a.aggAlias == r.AggAlias && a.field == s.SelName {
						s.Agg, s.AggCast, s.Alias = a.agg, a.cast, a.alias
						break
					}
				}
			}
		}
	}
	return aggs
}

// addToManyOrderSelects copies the order of a to-many spread into its
// aggregation, selecting the order columns under unique aliases.
//
// PostgREST moves the order out of the spread's query altogether, so a
// limit or offset there picks rows before they are ordered:
// ...rel(col)&rel.order=col.desc&rel.limit=2 gives two arbitrary rows. The
// order stays on the level here; sqlgen writes it only when the level has
// a range (see [ReadPlan.SpreadOrder]), and then the same rows come back
// as without the range, minus the ones outside it.
func addToManyOrderSelects(n *ReadPlan) error {
	if n.RelSpread == ToManySpread {
		for _, s := range n.Select {
			if s.Agg != request.AggNone {
				return apierr.NotImplemented("Aggregates are not implemented for one-to-many or many-to-many spreads.")
			}
		}
		for _, r := range n.RelSelect {
			if r.Kind == RelSpread {
				for _, s := range r.SpreadSel {
					if s.Agg != request.AggNone {
						return apierr.NotImplemented("Aggregates are not implemented for one-to-many or many-to-many spreads.")
					}
				}
			}
		}
		for i, t := range n.Order {
			idx := strconv.Itoa(i + 1)
			if t.Relation == "" {
				alias := n.RelAggAlias + "_" + t.Field.Name + "_" + idx
				n.SpreadExtraSelects = append(n.SpreadExtraSelects, SpreadExtraSelect{Field: SelectField{Field: t.Field, Alias: alias}})
				n.SpreadOrder = append(n.SpreadOrder, OrderTerm{Field: unknownField(alias, nil), Direction: t.Direction, Nulls: t.Nulls})
			} else {
				alias := n.RelAggAlias + "_" + t.RelField.Name + "_" + idx
				n.SpreadExtraSelects = append(n.SpreadExtraSelects, SpreadExtraSelect{
					Relation: t.Relation,
					Field:    SelectField{Field: unknownField(t.RelField.Name, t.RelField.JSONPath), Alias: alias},
				})
				n.SpreadOrder = append(n.SpreadOrder, OrderTerm{Field: unknownField(alias, nil), Direction: t.Direction, Nulls: t.Nulls})
			}
		}
	}
	for _, c := range n.Children {
		if err := addToManyOrderSelects(c); err != nil {
			return err
		}
	}
	return nil
}

func restrictRanges(n *ReadPlan, maxRows int64) {
	n.Range = n.Range.Restrict(maxRows)
	for _, c := range n.Children {
		restrictRanges(c, maxRows)
	}
}

// hasDefaultSelect reports whether the request selects exactly * with no
// embeds (custom media handlers for the relation apply only then).
func hasDefaultSelect(n *ReadPlan) bool {
	return len(n.Children) == 0 && len(n.Select) == 1 && n.Select[0].Field.Name == "*"
}
