package plan

import (
	"slices"
	"strings"

	"github.com/restgres/restgres/internal/apierr"
	"github.com/restgres/restgres/internal/mediatype"
	"github.com/restgres/restgres/internal/request"
	"github.com/restgres/restgres/internal/schema"
)

func callPlan(req *request.APIRequest, sc *schema.Cache, role string, opts *Options) (*Plan, error) {
	qi := schema.QI{Schema: req.Schema, Name: req.Target}
	var argKeys []string
	if req.InvokeRead {
		for _, p := range req.Query.Params {
			argKeys = append(argKeys, p[0])
		}
		slices.Sort(argKeys)
		argKeys = slices.Compact(argKeys)
	} else {
		argKeys = req.Columns
	}
	isPost := !req.InvokeRead
	r, err := findRoutine(sc, qi, argKeys, req.ContentType, isPost)
	if err != nil {
		return nil, err
	}
	// a set-returning function reads like its table, so it can embed
	relName := r.Name
	if tn := r.TableName(); tn != "" {
		relName = tn
	}
	relQI := schema.QI{Schema: r.Schema, Name: relName}
	rp, warnings, err := readTree(relQI, req, sc, opts)
	if err != nil {
		return nil, err
	}
	cp := &CallPlan{
		Function:           r.QI(),
		ReturnsScalar:      r.ReturnsScalar(),
		ReturnsSetOfScalar: r.ReturnsSetOfScalar(),
		FilterFields:       callReadFields(rp),
		Returning:          returnedColumns(rp, nil),
	}
	if len(r.Params) == 1 && r.Params[0].Name == "" {
		cp.ParamsKind, cp.Params = ParamsSinglePositional, r.Params
	} else {
		for _, p := range r.Params {
			if slices.Contains(argKeys, p.Name) {
				cp.Params = append(cp.Params, p)
			}
		}
	}
	switch {
	case req.InvokeRead:
		cp.Args = rpcArgs(r, req.Query.Params)
	case req.ContentType.Kind == mediatype.URLEncoded && req.Payload != nil:
		cp.Args = rpcArgs(r, req.Payload.Form)
	case req.Payload != nil:
		cp.Body, cp.BodyIsObject = req.Payload.Raw, req.Payload.IsObject || req.Payload.Kind == request.PayloadRawJSON && firstByte(req.Payload.Raw) == '{'
	default:
		cp.BodyIsNull = true
	}
	readOnly := req.InvokeRead || r.Volatility != schema.Volatile
	h, media, err := negotiate(req, relQI, sc, hasDefaultSelect(rp), opts)
	if err != nil {
		return nil, err
	}
	if err := checkStrictPrefs(req); err != nil {
		return nil, err
	}
	if req.Prefs.HasMaxAffected && req.Prefs.Handling == request.HandlingStrict && r.ReturnsSingle() {
		return nil, apierr.MaxAffectedRPCViolation()
	}
	iso := r.IsolationLevel
	if iso == "" {
		iso = isolationFor(role, opts)
	}
	return &Plan{
		Kind: KindCall, ReadOnly: readOnly, Explain: media.Kind == mediatype.Plan, Target: qi,
		Read: rp, Call: cp, Routine: r, Handler: h, Media: media, HeadersOnly: req.HeadersOnly,
		IsolationLevel: iso, Settings: r.Settings, LegacyWarnings: warnings,
	}, nil
}

func firstByte(b []byte) byte {
	for _, c := range b {
		if c != ' ' && c != '\t' && c != '\n' && c != '\r' {
			return c
		}
	}
	return 0
}

// rpcArgs turns query or form pairs into arguments: repeated values of a
// variadic parameter accumulate, any other repeated key keeps its last value.
func rpcArgs(r *schema.Routine, pairs [][2]string) map[string]CallArg {
	args := make(map[string]CallArg, len(pairs))
	for _, kv := range pairs {
		k, v := kv[0], kv[1]
		variadic := false
		if r.HasVariadic {
			for _, p := range r.Params {
				if p.Name == k && p.Variadic {
					variadic = true
				}
			}
		}
		if variadic {
			a := args[k]
			a.IsVariadic = true
			a.Variadic = append(a.Variadic, v)
			args[k] = a
		} else {
			args[k] = CallArg{Value: v}
		}
	}
	return args
}

// callReadFields names the columns of the function's result that the read
// around the call needs besides the selected ones: those the top level
// filters and orders by. PostgREST's getFilterFieldNames takes the filters
// of every level, null-embed aliases included, and no order fields; none of
// those embedded names is a column of the result, so with a select other
// than * a request like directors.name=eq.x (on a function returning
// films), reviews=not.is.null or order=rating failed with 42703. Taking
// the top level's names answers those requests and changes no other
// request's result.
func callReadFields(rp *ReadPlan) []string {
	var names []string
	var walkTree func(t LogicTree)
	walkTree = func(t LogicTree) {
		switch {
		case t.IsExpr:
			for _, s := range t.Trees {
				walkTree(s)
			}
		case !t.Filter.NullEmbed:
			// rel=is.null tests the embed's alias, not a result column
			names = append(names, t.Filter.Field.Name)
		}
	}
	for _, t := range rp.Where {
		walkTree(t)
	}
	for _, o := range rp.Order {
		// rel(col) terms order by an embedded (to-one) resource's column
		if o.Relation == "" {
			names = append(names, o.Field.Name)
		}
	}
	slices.Sort(names)
	return slices.Compact(names)
}

// findRoutine picks the overload whose parameters match the argument names,
// falling back to a function with a single unnamed parameter that takes the
// body as it is (PostgREST's findProc).
func findRoutine(sc *schema.Cache, qi schema.QI, argKeys []string, ct mediatype.MediaType, isPost bool) (*schema.Routine, error) {
	overloads := sc.RoutinesNamed(qi)
	var matched, fallback []*schema.Routine
	for _, r := range overloads {
		switch {
		case paramsMatch(r, argKeys, ct, isPost):
			matched = append(matched, r)
		case singleUnnamedParam(r, ct, isPost):
			fallback = append(fallback, r)
		}
	}
	switch {
	case len(matched) == 1:
		return matched[0], nil
	case len(matched) > 1:
		return nil, ambiguousRPC(matched)
	case len(fallback) == 1:
		return fallback[0], nil
	case len(fallback) > 1:
		return nil, ambiguousRPC(fallback)
	}
	return nil, noRPC(sc, qi, argKeys, ct, isPost, overloads)
}

func singleUnnamedParam(r *schema.Routine, ct mediatype.MediaType, isPost bool) bool {
	if !isPost || len(r.Params) != 1 || r.Params[0].Name != "" {
		return false
	}
	switch typ := r.Params[0].Type; ct.Kind {
	case mediatype.JSON:
		return typ == "json" || typ == "jsonb"
	case mediatype.TextPlain:
		return typ == "text"
	case mediatype.TextXML:
		return typ == "xml"
	case mediatype.OctetStream:
		return typ == "bytea"
	}
	return false
}

func paramsMatch(r *schema.Routine, keys []string, ct mediatype.MediaType, isPost bool) bool {
	if len(r.Params) == 0 {
		return len(keys) == 0 && !(isPost && (ct.Kind == mediatype.OctetStream || ct.Kind == mediatype.TextPlain || ct.Kind == mediatype.TextXML))
	}
	var required, optional []string
	for _, p := range r.Params {
		if p.Required {
			required = append(required, p.Name)
		} else {
			optional = append(optional, p.Name)
		}
	}
	slices.Sort(required)
	required = slices.Compact(required)
	switch {
	case len(optional) == 0:
		return slices.Equal(keys, required)
	case len(required) == 0:
		for _, k := range keys {
			if !slices.Contains(optional, k) {
				return false
			}
		}
		return true
	default:
		var rest []string
		for _, k := range keys {
			if !slices.Contains(optional, k) {
				rest = append(rest, k)
			}
		}
		return slices.Equal(rest, required)
	}
}

func ambiguousRPC(rs []*schema.Routine) error {
	parts := make([]string, len(rs))
	for i, r := range rs {
		ps := make([]string, len(r.Params))
		for j, p := range r.Params {
			ps[j] = p.Name + " => " + p.Type
		}
		parts[i] = r.Schema + "." + r.Name + "(" + strings.Join(ps, ", ") + ")"
	}
	return apierr.AmbiguousRPC("Could not choose the best candidate function between: " + strings.Join(parts, ", "))
}

func noRPC(sc *schema.Cache, qi schema.QI, keys []string, ct mediatype.MediaType, isPost bool, overloads []*schema.Routine) error {
	onlySingle := isPost && (ct.Kind == mediatype.TextPlain || ct.Kind == mediatype.TextXML || ct.Kind == mediatype.OctetStream)
	fn := qi.Schema + "." + qi.Name
	prms := strings.Join(keys, ", ")
	fmtPrms := func(p string) string {
		if len(keys) == 0 {
			return " without parameters"
		}
		return p
	}
	msg := "Could not find the function " + fn
	if !onlySingle {
		msg += fmtPrms("(" + prms + ")")
	}
	msg += " in the schema cache"
	plural := " "
	if len(keys) > 1 {
		plural = "s "
	}
	det := " with parameter" + plural + prms
	details := "Searched for the function " + fn
	switch {
	case isPost && ct.Kind == mediatype.TextPlain:
		details += " with a single unnamed text parameter"
	case isPost && ct.Kind == mediatype.TextXML:
		details += " with a single unnamed xml parameter"
	case isPost && ct.Kind == mediatype.OctetStream:
		details += " with a single unnamed bytea parameter"
	case isPost && ct.Kind == mediatype.JSON:
		details += fmtPrms(det) + " or with a single unnamed json/jsonb parameter"
	default:
		details += fmtPrms(det)
	}
	details += ", but no matches were found in the schema cache."
	hint := ""
	if !onlySingle {
		hint = rpcHint(sc, qi, keys, overloads)
	}
	return apierr.NoRPC(msg, details, hint)
}

// rpcHint suggests a close function name, or, when the function exists, the
// closest parameter list among its overloads.
func rpcHint(sc *schema.Cache, qi schema.QI, keys []string, overloads []*schema.Routine) string {
	prefix := "Perhaps you meant to call the function " + qi.Schema + "."
	if len(overloads) == 0 {
		var names []string
		for k := range sc.Routines {
			if k.Schema == qi.Schema {
				names = append(names, k.Name)
			}
		}
		slices.Sort(names)
		if best, ok := fuzzyOne(names, qi.Name, 0.75); ok {
			return prefix + best
		}
		return ""
	}
	listText := func(names []string) string {
		s := slices.Clone(names)
		slices.Sort(s)
		return "(" + strings.Join(s, ", ") + ")"
	}
	var lists []string
	for _, r := range overloads {
		ns := make([]string, len(r.Params))
		for i, p := range r.Params {
			ns[i] = p.Name
		}
		lists = append(lists, listText(ns))
	}
	if best, ok := fuzzyOne(lists, listText(keys), fuzzyDefaultMin); ok {
		return prefix + qi.Name + best
	}
	return ""
}
