package plan

import (
	"slices"

	"github.com/restgres/restgres/internal/apierr"
	"github.com/restgres/restgres/internal/mediatype"
	"github.com/restgres/restgres/internal/request"
	"github.com/restgres/restgres/internal/schema"
)

func mutatePlan(req *request.APIRequest, sc *schema.Cache, role string, opts *Options) (*Plan, error) {
	qi := schema.QI{Schema: req.Schema, Name: req.Target}
	t, err := findTable(sc, qi)
	if err != nil {
		return nil, err
	}
	rp, warnings, err := readTree(qi, req, sc, opts)
	if err != nil {
		return nil, err
	}
	mp, err := buildMutation(req, sc, t, rp)
	if err != nil {
		return nil, err
	}
	if err := checkStrictPrefs(req); err != nil {
		return nil, err
	}
	h, media, err := negotiate(req, qi, sc, hasDefaultSelect(rp), opts)
	if err != nil {
		return nil, err
	}
	return &Plan{
		Kind: KindMutate, Target: qi, Table: t, Read: rp, Mutate: mp, Mutation: req.Action,
		Handler: h, Media: media, Explain: media.Kind == mediatype.Plan,
		IsolationLevel: isolationFor(role, opts), LegacyWarnings: warnings,
	}, nil
}

func buildMutation(req *request.APIRequest, sc *schema.Cache, t *schema.Table, rp *ReadPlan) (*MutatePlan, error) {
	res := resolver{sc, t.QI()}
	qp := &req.Query
	var returning []string
	if req.Prefs.Representation != request.ReturnMinimal && req.Prefs.Representation != request.ReturnDefault {
		returning = returnedColumns(rp, t.PKCols)
	}
	var where []LogicTree
	for _, pl := range qp.Logic {
		if len(pl.Path) == 0 {
			where = append(where, res.logicTree(pl.Tree))
		}
	}
	// root filters go first, in query order
	var filters []LogicTree
	for _, f := range qp.RootFilters {
		filters = append(filters, LogicTree{Filter: res.filter(f)})
	}
	where = append(filters, where...)

	columns := func() ([]Field, error) {
		out := make([]Field, 0, len(req.Columns))
		for _, name := range req.Columns {
			c := t.Column(name)
			if c == nil {
				return nil, apierr.ColumnNotFound(t.Name, name)
			}
			cf := columnField(c, false, "")
			out = append(out, res.withTransformer("json", cf.IRType, cf))
		}
		return out, nil
	}
	mp := &MutatePlan{Table: t.QI(), Returning: returning, PKCols: t.PKCols}
	if req.Payload != nil {
		mp.Body, mp.BodyIsObject = req.Payload.Raw, req.Payload.IsObject
	}
	applyDefaults := req.Prefs.Missing == request.MissingApplyDefaults

	switch req.Action {
	case request.ActionCreate:
		cols, err := columns()
		if err != nil {
			return nil, err
		}
		mp.Kind, mp.Columns, mp.ApplyDefaults = MutateInsert, cols, applyDefaults
		if req.Prefs.Resolution != request.ResolutionNone {
			conflict := t.PKCols
			if qp.OnConflict != nil {
				conflict = qp.OnConflict
			}
			mp.OnConflict = &OnConflict{Resolution: req.Prefs.Resolution, Columns: conflict}
		}
	case request.ActionUpdate:
		cols, err := columns()
		if err != nil {
			return nil, err
		}
		mp.Kind, mp.Columns, mp.Where, mp.ApplyDefaults = MutateUpdate, cols, where, applyDefaults
	case request.ActionSingleUpsert:
		// PUT addresses one row by its whole primary key, each with eq
		pk := slices.Clone(t.PKCols)
		slices.Sort(pk)
		ok := len(qp.Logic) == 0 && len(pk) > 0 && slices.Equal(qp.FilterFields, pk)
		for _, f := range qp.RootFilters {
			if f.Expr.Not || f.Expr.Op != request.OpEq || f.Expr.Quant != request.QuantNone {
				ok = false
			}
		}
		if !ok {
			return nil, apierr.InvalidFilters()
		}
		cols, err := columns()
		if err != nil {
			return nil, err
		}
		mp.Kind, mp.Columns, mp.Where, mp.IsPut = MutateInsert, cols, where, true
		mp.PKCols = nil // PUT answers no Location
		mp.OnConflict = &OnConflict{Resolution: request.MergeDuplicates, Columns: t.PKCols}
	case request.ActionDelete:
		mp.Kind, mp.Where = MutateDelete, where
	}
	return mp, nil
}

// returnedColumns is what RETURNING must list for the read part (select and
// embeds) to work: the selected columns, the foreign key columns embeds
// join on and the primary key (for Location); everything when * is selected
// or a computed relationship is embedded.
func returnedColumns(rp *ReadPlan, pkCols []string) []string {
	names := map[string]bool{}
	for _, s := range rp.Select {
		if s.Field.Name == "*" {
			return []string{"*"}
		}
		names[s.Field.Name] = true
	}
	for _, c := range rp.Children {
		r := c.RelToParent
		if r == nil {
			continue
		}
		if r.Computed {
			return []string{"*"}
		}
		if r.Cardinality == schema.ManyToMany {
			for _, p := range r.Junction.ColsSource {
				names[p.Column] = true
			}
			continue
		}
		for _, p := range r.Columns {
			names[p.Column] = true
		}
	}
	for _, pk := range pkCols {
		names[pk] = true
	}
	out := make([]string, 0, len(names))
	for n := range names {
		out = append(out, n)
	}
	slices.Sort(out)
	return out
}
