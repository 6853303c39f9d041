package request

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/restgres/restgres/internal/apierr"
	"github.com/restgres/restgres/internal/mediatype"
)

// Options are the settings that shape how a request is read.
type Options struct {
	// Schemas are db-schemas; the first is the default.
	Schemas []string
	// TxAllowOverride: db-tx-end allows Prefer: tx=.
	TxAllowOverride bool
	// RootSpec: db-root-spec is set, so / calls that function.
	RootSpec string
	// OpenAPIDisabled: openapi-mode = disabled.
	OpenAPIDisabled bool
}

// Parse reads r (whose body is body, already read and size-checked by the
// caller) into an APIRequest. Every error is an *apierr.Error for the client.
func Parse(r *http.Request, body []byte, opts *Options) (*APIRequest, error) {
	req := &APIRequest{Method: r.Method, Path: r.URL.EscapedPath()}
	parsePreferences(&req.Prefs, r.Header["Prefer"], opts.TxAllowOverride)

	// resource from the path
	var isRoutine, isRoot bool
	// the path's segments, without strings.Split's slice: at most two count
	path := strings.TrimPrefix(r.URL.Path, "/")
	first, second, nested := strings.Cut(path, "/")
	switch {
	case path == "":
		if opts.OpenAPIDisabled {
			return nil, apierr.OpenAPIDisabled()
		}
		if opts.RootSpec != "" {
			isRoutine = true
			req.Target = opts.RootSpec
		} else {
			isRoot = true
		}
	case !nested:
		req.Target = first
	case first == "rpc" && !strings.Contains(second, "/"):
		isRoutine = true
		req.Target = second
	default:
		return nil, apierr.InvalidResourcePath()
	}

	// schema (profile negotiation)
	profileHeader := "Accept-Profile"
	switch r.Method {
	case http.MethodPost, http.MethodPatch, http.MethodPut, http.MethodDelete:
		profileHeader = "Content-Profile"
	}
	if vals, ok := r.Header[profileHeader]; ok && len(vals) > 0 {
		p := vals[0]
		found := false
		for _, s := range opts.Schemas {
			if s == p {
				found = true
				break
			}
		}
		if !found {
			return nil, apierr.UnacceptableSchema(p, opts.Schemas)
		}
		req.Schema, req.NegotiatedByProfile = p, true
	} else {
		req.Schema = opts.Schemas[0]
		req.NegotiatedByProfile = len(opts.Schemas) != 1
	}

	// action
	switch {
	case isRoutine:
		switch r.Method {
		case http.MethodHead:
			req.Action, req.InvokeRead, req.HeadersOnly = ActionInvoke, true, true
		case http.MethodGet:
			req.Action, req.InvokeRead = ActionInvoke, true
		case http.MethodPost:
			req.Action = ActionInvoke
		case http.MethodOptions:
			req.Action, req.InvokeRead = ActionRoutineInfo, true
		default:
			return nil, apierr.InvalidRPCMethod(r.Method)
		}
	case isRoot:
		switch r.Method {
		case http.MethodHead:
			req.Action, req.HeadersOnly = ActionSchemaRead, true
		case http.MethodGet:
			req.Action = ActionSchemaRead
		case http.MethodOptions:
			req.Action = ActionSchemaInfo
		default:
			return nil, apierr.UnsupportedMethod(r.Method)
		}
	default:
		switch r.Method {
		case http.MethodHead:
			req.Action, req.HeadersOnly = ActionRead, true
		case http.MethodGet:
			req.Action = ActionRead
		case http.MethodPost:
			req.Action = ActionCreate
		case http.MethodPut:
			req.Action = ActionSingleUpsert
		case http.MethodPatch:
			req.Action = ActionUpdate
		case http.MethodDelete:
			req.Action = ActionDelete
		case http.MethodOptions:
			req.Action = ActionRelationInfo
		default:
			return nil, apierr.UnsupportedMethod(r.Method)
		}
	}

	qp, err := parseQuery(r.URL.RawQuery, req.Action == ActionInvoke && req.InvokeRead)
	if err != nil {
		return nil, err
	}
	req.Query = qp

	if err := req.setRanges(r); err != nil {
		return nil, err
	}

	// media types
	if accept := r.Header["Accept"]; len(accept) > 0 {
		req.Accept = mediatype.ParseAccept(strings.Join(accept, ","))
	} else {
		req.Accept = acceptAny
	}
	if ct := firstValue(r.Header["Content-Type"]); ct != "" {
		req.ContentType = mediatype.Parse(ct)
	} else {
		req.ContentType = mediatype.MediaType{Kind: mediatype.JSON}
	}

	if err := req.setPayload(body); err != nil {
		return nil, err
	}

	// headers and cookies for the request GUCs
	// room for one value per header and Host; counting the values
	// exactly would cost another pass over the map
	req.Headers = make([][2]string, 0, len(r.Header)+1)
	for name, vals := range r.Header {
		lname := lowerHeaderName(name)
		if lname == "cookie" {
			continue
		}
		for _, v := range vals {
			req.Headers = append(req.Headers, [2]string{lname, v})
		}
	}
	if r.Host != "" {
		// Go moves Host out of the header map; PostgREST sees it as a header.
		req.Headers = append(req.Headers, [2]string{"host", r.Host})
	}
	for _, c := range r.Cookies() {
		req.Cookies = append(req.Cookies, [2]string{c.Name, c.Value})
	}
	return req, nil
}

// Headers are looked up by their canonical names directly in the map:
// Header.Get and Header.Values canonicalize the name first, which costs
// more than the lookup itself.

// firstValue is Header.Get's result for a header's values.
func firstValue(vals []string) string {
	if len(vals) == 0 {
		return ""
	}
	return vals[0]
}

// acceptAny is the Accept of a request without one. It is shared by
// those requests (saving an allocation each): nothing writes to
// APIRequest.Accept, and its capacity is its length, so an append copies.
var acceptAny = []mediatype.MediaType{{Kind: mediatype.Any}}[:1:1]

// commonHeaders maps the canonical names of frequent request headers to
// their lower-case form, which strings.ToLower would allocate anew for
// every header of every request.
var commonHeaders = func() map[string]string {
	m := map[string]string{}
	for _, n := range []string{
		"Accept", "Accept-Encoding", "Accept-Language", "Accept-Profile", "Authorization", "Cache-Control",
		"Connection", "Content-Length", "Content-Profile", "Content-Type", "Cookie", "Forwarded", "Origin",
		"Pragma", "Prefer", "Range", "Referer", "User-Agent", "X-Forwarded-For", "X-Forwarded-Host",
		"X-Forwarded-Proto", "X-Real-Ip", "X-Request-Id",
	} {
		m[n] = strings.ToLower(n)
	}
	return m
}()

func lowerHeaderName(name string) string {
	if l, ok := commonHeaders[name]; ok {
		return l
	}
	return strings.ToLower(name)
}

// setRanges combines limit/offset with the Range header (GET only, as RFC
// 9110 says) into the per-level ranges and the top-level range.
func (req *APIRequest) setRanges(r *http.Request) error {
	header := AllRows
	if req.Method == http.MethodGet {
		if v := firstValue(r.Header["Range"]); v != "" {
			header = parseRangeHeader(v)
		}
	}
	limit, ok := req.Query.RangeParams["limit"]
	if !ok {
		limit = AllRows
	}
	combined := header.Intersect(limit)
	req.Ranges = make(map[string]Range, len(req.Query.RangeParams)+1)
	for k, v := range req.Query.RangeParams {
		req.Ranges[k] = v
	}
	if limit.hasLimitZero() {
		req.Ranges["limit"] = LimitZero
	} else {
		req.Ranges["limit"] = combined
	}
	req.TopRange = req.Ranges["limit"]
	if req.TopRange.IsEmpty() && !limit.hasLimitZero() {
		if header.IsEmpty() {
			return apierr.RangeLowerGTUpper()
		}
		return apierr.RangeNegativeLimit()
	}
	if req.Method == http.MethodPut && !req.TopRange.IsAll() {
		return apierr.PutLimitNotAllowed()
	}
	return nil
}

// parseRangeHeader parses "Range: 0-9" or "Range: 10-"; anything else means
// all rows, as in PostgREST.
func parseRangeHeader(v string) Range {
	lo, hi, ok := strings.Cut(v, "-")
	if !ok || lo == "" || !allDigits(lo) || !allDigits(hi) {
		return AllRows
	}
	l, err := strconv.ParseInt(lo, 10, 64)
	if err != nil {
		return AllRows
	}
	if hi == "" {
		return Range{Offset: l}
	}
	h, err := strconv.ParseInt(hi, 10, 64)
	if err != nil {
		return AllRows
	}
	return Range{Offset: l, Limit: h - l + 1, HasLimit: true}
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// LimitZero is PostgREST's special "limit=0" range: no rows, yet valid.
var LimitZero = Range{Offset: 0, Limit: 0, HasLimit: true}

// IsEmpty reports whether r selects no rows (its end is before its start).
func (r Range) IsEmpty() bool { return r.HasLimit && r.Limit <= 0 }

// hasLimitZero reports whether r's last row is -1, which only limit=0 (and
// its combinations) produce.
func (r Range) hasLimitZero() bool { return r.HasLimit && r.Offset+r.Limit-1 == -1 }

// Intersect returns the rows both ranges select.
func (r Range) Intersect(o Range) Range {
	lo := max(r.Offset, o.Offset)
	out := Range{Offset: lo}
	switch {
	case r.HasLimit && o.HasLimit:
		hi := min(r.Offset+r.Limit-1, o.Offset+o.Limit-1)
		out.Limit, out.HasLimit = hi-lo+1, true
	case r.HasLimit:
		out.Limit, out.HasLimit = r.Offset+r.Limit-1-lo+1, true
	case o.HasLimit:
		out.Limit, out.HasLimit = o.Offset+o.Limit-1-lo+1, true
	}
	return out
}

// Restrict caps r at maxRows rows (db-max-rows), keeping limit=0 as it is.
func (r Range) Restrict(maxRows int64) Range {
	if maxRows <= 0 || r.hasLimitZero() {
		return r
	}
	if r.HasLimit && r.Limit <= maxRows {
		return r
	}
	return Range{Offset: r.Offset, Limit: maxRows, HasLimit: true}
}

// Equal compares ranges as PostgREST does: all empty ranges are equal.
func (r Range) Equal(o Range) bool {
	if r.IsEmpty() && o.IsEmpty() {
		return true
	}
	return r == o
}
