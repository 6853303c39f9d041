package sqlgen

import (
	"github.com/restgres/restgres/internal/plan"
	"github.com/restgres/restgres/internal/request"
	"github.com/restgres/restgres/internal/schema"
)

// levelQI is the name a level's columns are qualified with: its alias, or
// the computed relationship function's name, or its table.
func levelQI(n *plan.ReadPlan) schema.QI {
	if n.RelToParent != nil && n.RelToParent.Computed {
		if n.FromAlias != "" {
			return schema.QI{Name: n.FromAlias}
		}
		return schema.QI{Name: n.RelToParent.Function.Name}
	}
	if n.FromAlias != "" {
		return schema.QI{Name: n.FromAlias}
	}
	return n.From
}

// from appends FROM table [AS alias], calling the function of a computed
// relationship with the parent row, and adding the junction of a
// many-to-many relationship.
func (b *Builder) from(n *plan.ReadPlan) {
	b.Kw(" FROM ")
	if r := n.RelToParent; r != nil && r.Computed {
		b.qi(r.Function)
		b.Kw("(")
		b.Ident(n.RelTableAlias.Name)
		b.Kw("::")
		b.qi(r.Table)
		b.Kw(")")
	} else {
		b.qi(n.From)
	}
	if n.FromAlias != "" {
		b.Kw(" AS ")
		b.Ident(n.FromAlias)
	}
	if r := n.RelToParent; r != nil && !r.Computed && r.Cardinality == schema.ManyToMany {
		b.Kw(", ")
		b.qi(r.Junction.Table)
	}
}

// readQuery appends the SELECT of a level and, through lateral joins, of
// its embedded children.
func (b *Builder) readQuery(n *plan.ReadPlan) {
	qi := levelQI(n)
	b.Kw("SELECT ")
	first := true
	sep := func() {
		if !first {
			b.Kw(", ")
		}
		first = false
	}
	if len(n.Select) == 0 && len(n.Children) == 0 {
		sep()
		b.column(qi, "*")
	}
	for _, s := range n.Select {
		sep()
		b.selectItem(qi, s)
	}
	if n.RelSpread == plan.ToManySpread {
		for _, es := range n.SpreadExtraSelects {
			sep()
			if es.Relation != "" {
				b.selectItem(schema.QI{Name: es.Relation}, es.Field)
			} else {
				b.selectItem(qi, es.Field)
			}
		}
	}
	for _, rs := range n.RelSelect {
		switch {
		case rs.Kind == plan.RelEmbed && rs.Empty:
		case rs.Kind == plan.RelEmbed && rs.Mode == plan.EmbedObject:
			sep()
			b.Kw("row_to_json(")
			b.Ident(rs.AggAlias)
			b.Kw(".*)::jsonb AS ")
			b.Ident(rs.SelName)
		case rs.Kind == plan.RelEmbed:
			sep()
			b.Kw("COALESCE( ")
			b.Ident(rs.AggAlias)
			b.Kw(".")
			b.Ident(rs.AggAlias)
			b.Kw(", '[]') AS ")
			b.Ident(rs.SelName)
		default:
			for _, s := range rs.SpreadSel {
				sep()
				b.spreadSelectItem(rs.AggAlias, s)
			}
		}
	}
	b.from(n)
	for _, rs := range n.RelSelect {
		child := childFor(n, rs.AggAlias)
		if child != nil {
			b.join(rs, child)
		}
	}
	if len(n.Where) > 0 || len(n.RelJoinConds) > 0 {
		b.Kw(" WHERE ")
		firstCond := true
		and := func() {
			if !firstCond {
				b.Kw(" AND ")
			}
			firstCond = false
		}
		for _, t := range n.Where {
			and()
			b.logicTree(qi, t)
		}
		for _, c := range n.RelJoinConds {
			and()
			b.joinCondition(c)
		}
	}
	b.Kw(" ")
	b.groupBy(qi, n)
	b.Kw(" ")
	if n.RelSpread != plan.ToManySpread || !n.Range.IsAll() {
		// A to-many spread is ordered in its json_agg; ordering its rows
		// too matters only to pick the ones in its range.
		b.orderBy(qi, n.Order)
	}
	b.Kw(" ")
	b.limitOffset(n.Range)
}

func childFor(n *plan.ReadPlan, aggAlias string) *plan.ReadPlan {
	for _, c := range n.Children {
		if c.RelAggAlias == aggAlias {
			return c
		}
	}
	return nil
}

// join appends the LEFT/INNER JOIN LATERAL that computes a child: a row for
// to-one embeds, a json_agg for to-many embeds and spreads.
func (b *Builder) join(rs plan.RelSelectField, child *plan.ReadPlan) {
	inner := child.RelJoinType == request.JoinInner
	open := func() {
		if inner {
			b.Kw(" INNER JOIN LATERAL ( ")
		} else {
			b.Kw(" LEFT JOIN LATERAL ( ")
		}
	}
	closeAs := func(cond bool) {
		b.Kw(" ) AS ")
		b.Ident(rs.AggAlias)
		b.Kw(" ON ")
		if cond && inner {
			b.Ident(rs.AggAlias)
			b.Kw(" IS NOT NULL")
		} else {
			b.Kw("TRUE")
		}
	}
	aggregated := func(extra func()) {
		b.Kw("SELECT json_agg(")
		b.Ident(rs.AggAlias)
		b.Kw(")::jsonb AS ")
		b.Ident(rs.AggAlias)
		if extra != nil {
			extra()
		}
		b.Kw(" FROM (")
		b.readQuery(child)
		b.Kw(" ) AS ")
		b.Ident(rs.AggAlias)
	}
	switch {
	case rs.Kind == plan.RelEmbed && rs.Mode == plan.EmbedObject:
		open()
		b.readQuery(child)
		closeAs(false)
	case rs.Kind == plan.RelSpread && child.RelSpread == plan.ToManySpread:
		open()
		aggregated(func() {
			for _, s := range rs.SpreadSel {
				b.Kw(", ")
				b.spreadJoinSelectItem(rs.AggAlias, child.SpreadOrder, s)
			}
		})
		closeAs(true)
	case rs.Kind == plan.RelSpread:
		open()
		b.readQuery(child)
		closeAs(false)
	default:
		open()
		aggregated(nil)
		closeAs(true)
	}
}

// groupBy appends GROUP BY the non-aggregated selects when the level (or a
// spread below it) aggregates.
func (b *Builder) groupBy(qi schema.QI, n *plan.ReadPlan) {
	aggregated := false
	for _, s := range n.Select {
		if s.Agg != request.AggNone {
			aggregated = true
		}
	}
	for _, rs := range n.RelSelect {
		if rs.Kind == plan.RelSpread {
			for _, s := range rs.SpreadSel {
				if s.Agg != request.AggNone {
					aggregated = true
				}
			}
		}
	}
	if !aggregated {
		return
	}
	start := b.Len()
	first := true
	sep := func() {
		if first {
			b.Kw(" GROUP BY ")
			first = false
		} else {
			b.Kw(", ")
		}
	}
	for _, s := range n.Select {
		if s.Agg != request.AggNone {
			continue
		}
		sep()
		if s.Alias != "" {
			b.Ident(s.Alias)
		} else {
			b.field(qi, s.Field)
		}
	}
	for _, rs := range n.RelSelect {
		if rs.Kind == plan.RelEmbed {
			sep()
			b.Ident(rs.SelName)
			continue
		}
		for _, s := range rs.SpreadSel {
			if s.Agg != request.AggNone {
				continue
			}
			sep()
			b.Ident(rs.AggAlias)
			b.Kw(".")
			if s.Alias != "" {
				b.Ident(s.Alias)
			} else {
				b.Ident(s.SelName)
			}
		}
	}
	_ = start
}

// countQuery appends the query counting the root rows: filters only, no
// range, SELECT 1; inner-joined embeds become EXISTS conditions so they
// still restrict the count.
func (b *Builder) countQuery(n *plan.ReadPlan) {
	qi := levelQI(n)
	b.Kw("SELECT 1 ")
	b.from(n)
	var subs []*plan.ReadPlan
	for _, c := range n.Children {
		if c.RelJoinType == request.JoinInner {
			subs = append(subs, c)
		}
	}
	if len(n.Where) == 0 && len(n.RelJoinConds) == 0 && len(subs) == 0 {
		return
	}
	b.Kw(" WHERE ")
	first := true
	and := func() {
		if !first {
			b.Kw(" AND ")
		}
		first = false
	}
	for _, t := range n.Where {
		and()
		b.countLogicTree(qi, n, t)
	}
	for _, c := range n.RelJoinConds {
		and()
		b.joinCondition(c)
	}
	for _, c := range subs {
		and()
		b.Kw("EXISTS (")
		b.countQuery(c)
		b.Kw(" )")
	}
}

func (b *Builder) countLogicTree(qi schema.QI, n *plan.ReadPlan, t plan.LogicTree) {
	b.logicTreeWith(t, func(f plan.Filter) {
		if !f.NullEmbed {
			b.filter(qi, f)
			return
		}
		// rel=is.null counts through the embed's own count query
		c := childFor(n, f.EmbedAlias)
		if c == nil {
			return
		}
		if !f.NullEmbedNot {
			b.Kw("NOT ")
		}
		b.Kw("EXISTS (")
		b.countQuery(c)
		b.Kw(")")
	})
}
