package plan

import (
	"slices"
	"strings"

	"github.com/restgres/restgres/internal/apierr"
	"github.com/restgres/restgres/internal/mediatype"
	"github.com/restgres/restgres/internal/request"
	"github.com/restgres/restgres/internal/schema"
)

// Build resolves req against the schema cache. role is the role the request
// runs as (for its transaction isolation level). Every error is an
// *apierr.Error.
func Build(req *request.APIRequest, sc *schema.Cache, role string, opts *Options) (*Plan, error) {
	switch req.Action {
	case request.ActionRead:
		return readPlan(req, sc, role, opts)
	case request.ActionCreate, request.ActionUpdate, request.ActionSingleUpsert, request.ActionDelete:
		return mutatePlan(req, sc, role, opts)
	case request.ActionInvoke:
		return callPlan(req, sc, role, opts)
	case request.ActionRelationInfo:
		qi := schema.QI{Schema: req.Schema, Name: req.Target}
		t, err := findTable(sc, qi)
		if err != nil {
			return nil, err
		}
		return &Plan{Kind: KindRelationInfo, Target: qi, Table: t}, nil
	case request.ActionRoutineInfo:
		p, err := callPlan(req, sc, role, opts)
		if err != nil {
			return nil, err
		}
		return &Plan{Kind: KindRoutineInfo, Target: p.Target, Routine: p.Routine}, nil
	case request.ActionSchemaInfo:
		return &Plan{Kind: KindSchemaInfo}, nil
	case request.ActionSchemaRead:
		return inspectPlan(req, isolationFor(role, opts))
	}
	return nil, apierr.UnsupportedMethod(req.Method)
}

func findTable(sc *schema.Cache, qi schema.QI) (*schema.Table, error) {
	if t := sc.Table(qi); t != nil {
		return t, nil
	}
	return nil, apierr.TableNotFound(qi.Schema, qi.Name, tableHint(sc, qi))
}

func isolationFor(role string, opts *Options) string {
	if opts.RoleIsolationLevel != nil {
		return opts.RoleIsolationLevel[role]
	}
	return ""
}

func checkStrictPrefs(req *request.APIRequest) error {
	if len(req.Prefs.Invalid) > 0 && req.Prefs.Handling == request.HandlingStrict {
		return apierr.InvalidPreferences(req.Prefs.Invalid)
	}
	return nil
}

func readPlan(req *request.APIRequest, sc *schema.Cache, role string, opts *Options) (*Plan, error) {
	qi := schema.QI{Schema: req.Schema, Name: req.Target}
	t, err := findTable(sc, qi)
	if err != nil {
		return nil, err
	}
	rp, warnings, err := readTree(qi, req, sc, opts)
	if err != nil {
		return nil, err
	}
	h, media, err := negotiate(req, qi, sc, hasDefaultSelect(rp), opts)
	if err != nil {
		return nil, err
	}
	if err := checkStrictPrefs(req); err != nil {
		return nil, err
	}
	return &Plan{
		Kind: KindRead, ReadOnly: true, Explain: media.Kind == mediatype.Plan, Target: qi, Table: t,
		Read: rp, Handler: h, Media: media, HeadersOnly: req.HeadersOnly,
		IsolationLevel: isolationFor(role, opts), LegacyWarnings: warnings,
	}, nil
}

// inspectPlan plans the OpenAPI description of the request's schema; its
// transaction runs at the role's isolation level, as in PostgREST.
func inspectPlan(req *request.APIRequest, isolation string) (*Plan, error) {
	for _, m := range req.Accept {
		switch m.Kind {
		case mediatype.OpenAPI, mediatype.JSON, mediatype.Any:
			return &Plan{
				Kind: KindInspect, ReadOnly: true, Media: mediatype.MediaType{Kind: mediatype.OpenAPI},
				HeadersOnly: req.HeadersOnly, Target: schema.QI{Schema: req.Schema}, IsolationLevel: isolation,
			}, nil
		}
	}
	return nil, mediaTypeError(req.Accept)
}

func mediaTypeError(accepts []mediatype.MediaType) error {
	names := make([]string, len(accepts))
	for i, m := range accepts {
		names[i] = m.Mime()
	}
	return apierr.MediaType(names)
}

// negotiate picks the handler and media type for the response, from the
// first acceptable media type the object can produce.
func negotiate(req *request.APIRequest, target schema.QI, sc *schema.Cache, defaultSelect bool, opts *Options) (schema.Handler, mediatype.MediaType, error) {
	lookup := func(k mediatype.Key) (schema.ResolvedHandler, bool) {
		if defaultSelect {
			if h, ok := sc.MediaHandlers[schema.HandlerKey{Target: target, Media: mediatype.Key{Kind: mediatype.Any}}]; ok {
				return h, true
			}
			if h, ok := sc.MediaHandlers[schema.HandlerKey{Target: target, Media: k}]; ok {
				return h, true
			}
		}
		h, ok := sc.MediaHandlers[schema.HandlerKey{AnyElement: true, Media: k}]
		return h, ok
	}
	match := func(m mediatype.MediaType) (schema.Handler, mediatype.MediaType, bool) {
		switch m.Kind {
		case mediatype.SingularJSON:
			return schema.Handler{Kind: schema.BuiltinSingleJSON, Strip: m.Strip}, m, true
		case mediatype.ArrayJSONStrip:
			return schema.Handler{Kind: schema.BuiltinArrayJSONStrip}, m, true
		case mediatype.Plan:
			if !opts.PlanEnabled {
				return schema.Handler{}, m, false
			}
			switch m.PlanFor.Kind {
			case mediatype.SingularJSON:
				return schema.Handler{Kind: schema.BuiltinSingleJSON, Strip: m.PlanFor.Strip}, m, true
			case mediatype.ArrayJSONStrip:
				return schema.Handler{Kind: schema.BuiltinArrayJSONStrip}, m, true
			}
			if h, ok := lookup(m.PlanFor); ok {
				return h.Handler, m, true
			}
			return schema.Handler{}, m, false
		}
		if h, ok := lookup(m.Key()); ok {
			return h.Handler, h.MediaType, true
		}
		return schema.Handler{}, m, false
	}
	for _, m := range req.Accept {
		h, mt, ok := match(m)
		if !ok {
			continue
		}
		switch {
		case req.Action.IsMutation():
			if req.Prefs.Representation != request.ReturnRepresentation {
				h = schema.Handler{Kind: schema.NoAgg}
			}
		case req.Action == request.ActionRead && req.HeadersOnly,
			req.Action == request.ActionInvoke && req.InvokeRead && req.HeadersOnly:
			h = schema.Handler{Kind: schema.NoAgg}
		}
		return h, mt, nil
	}
	return schema.Handler{}, mediatype.MediaType{}, mediaTypeError(req.Accept)
}

// tableHint is "Perhaps you meant the table 'schema.name'" for a close
// table name, or "".
func tableHint(sc *schema.Cache, qi schema.QI) string {
	names := sc.TableNames(qi.Schema)
	if len(names) == 0 || len(names) >= maxTablesForFuzzy {
		return ""
	}
	if best, ok := fuzzyOne(names, qi.Name, 0.75); ok {
		return "Perhaps you meant the table '" + qi.Schema + "." + best + "'"
	}
	return ""
}

// maxTablesForFuzzy bounds the fuzzy search, as PostgREST does, since
// building the index for very large schemas costs memory.
const maxTablesForFuzzy = 500

func noRelError(sc *schema.Cache, sch, origin, target, hint string) error {
	return apierr.NoRelationship(origin, target, hint, sch, noRelHint(sc, sch, origin, target))
}

// noRelHint suggests a close parent name when the origin has no
// relationships, else a close child name among the origin's related tables.
func noRelHint(sc *schema.Cache, sch, origin, target string) string {
	rels, parentFound := sc.Relationships[schema.RelKey{Table: schema.QI{Schema: sch, Name: origin}, ForeignSchema: sch}]
	if parentFound {
		// PostgREST suggests foreign table names only, also for computed
		// relationships (whose function name is what a request uses).
		var children []string
		for _, r := range rels {
			children = append(children, r.ForeignTable.Name)
		}
		for _, m := range fuzzyGet(children, target, fuzzyDefaultMin) {
			if m.Score < 1.0 {
				return "Perhaps you meant '" + m.Value + "' instead of '" + target + "'."
			}
		}
		return ""
	}
	var parents []string
	for k := range sc.Relationships {
		if k.ForeignSchema == sch {
			parents = append(parents, k.Table.Name)
		}
	}
	slices.Sort(parents)
	parents = slices.Compact(parents)
	if best, ok := fuzzyOne(parents, origin, fuzzyDefaultMin); ok {
		return "Perhaps you meant '" + best + "' instead of '" + origin + "'."
	}
	return ""
}

func ambiguousRelError(origin, target string, rels []*schema.Relationship) error {
	var details []byte
	details = append(details, '[')
	var hints []string
	for i, r := range rels {
		if i > 0 {
			details = append(details, ',')
		}
		details = appendCompressedRel(details, r)
		var h string
		if r.Cardinality == schema.ManyToMany {
			h = r.Junction.Table.Name
		} else {
			h = r.Constraint
		}
		hints = append(hints, "'"+r.ForeignTable.Name+"!"+h+"'")
	}
	details = append(details, ']')
	hint := "Try changing '" + target + "' to one of the following: " + strings.Join(hints, ", ") +
		". Find the desired relationship in the 'details' key."
	return apierr.AmbiguousRelationship(origin, target, apierr.RawJSON(details), hint)
}

func appendCompressedRel(b []byte, r *schema.Relationship) []byte {
	cols := func(names []string) string { return "(" + strings.Join(names, ", ") + ")" }
	var rel string
	switch r.Cardinality {
	case schema.ManyToMany:
		j := r.Junction
		src := make([]string, len(j.ColsSource))
		for i, p := range j.ColsSource {
			src[i] = p.ForeignColumn
		}
		tgt := make([]string, len(j.ColsTarget))
		for i, p := range j.ColsTarget {
			tgt[i] = p.ForeignColumn
		}
		rel = j.Table.Name + " using " + j.Constraint1 + cols(src) + " and " + j.Constraint2 + cols(tgt)
	default:
		own := make([]string, len(r.Columns))
		ref := make([]string, len(r.Columns))
		for i, p := range r.Columns {
			own[i], ref[i] = p.Column, p.ForeignColumn
		}
		rel = r.Constraint + " using " + r.Table.Name + cols(own) + " and " + r.ForeignTable.Name + cols(ref)
	}
	b = append(b, `{"cardinality":`...)
	b = apierr.AppendJSONString(b, r.Cardinality.String())
	b = append(b, `,"embedding":`...)
	b = apierr.AppendJSONString(b, r.Table.Name+" with "+r.ForeignTable.Name)
	b = append(b, `,"relationship":`...)
	b = apierr.AppendJSONString(b, rel)
	return append(b, '}')
}
