// Package response turns a plan and the transaction's result into the HTTP
// status, headers and body, as PostgREST answers them: Content-Range and
// 206/416 for reads, 201/200/204 for writes, Location for inserts,
// Preference-Applied, and the response.status / response.headers that SQL
// set. The body bytes are PostgreSQL's; this package does not build SQL
// and does not decode the JSON it passes on.
package response

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"

	"github.com/restgres/restgres/internal/apierr"
	"github.com/restgres/restgres/internal/execute"
	"github.com/restgres/restgres/internal/mediatype"
	"github.com/restgres/restgres/internal/plan"
	"github.com/restgres/restgres/internal/request"
	"github.com/restgres/restgres/internal/schema"
)

// Header is one response header; order is kept as PostgREST sends them.
type Header struct {
	Name, Value string
}

// Response is a response ready to be written.
type Response struct {
	Status     int
	StatusText string
	Headers    []Header
	Body       []byte
	// NoContentLength: HEAD, where PostgREST sends no Content-Length.
	NoContentLength bool
}

// Set replaces (or adds) a header.
func (r *Response) Set(name, value string) {
	for i := range r.Headers {
		if strings.EqualFold(r.Headers[i].Name, name) {
			r.Headers[i].Value = value
			return
		}
	}
	r.Headers = append(r.Headers, Header{name, value})
}

// Has reports whether a header is present.
func (r *Response) Has(name string) bool {
	for _, h := range r.Headers {
		if strings.EqualFold(h.Name, name) {
			return true
		}
	}
	return false
}

// Options are the settings responses depend on.
type Options struct {
	MinimalErrors bool
	MaxRows       int64
}

func contentRange(lower, upper int64, total int64, hasTotal bool) string {
	// built on the stack, one allocation for the string
	var buf [64]byte
	b := buf[:0]
	if (!hasTotal || total != 0) && lower <= upper {
		b = strconv.AppendInt(b, lower, 10)
		b = append(b, '-')
		b = strconv.AppendInt(b, upper, 10)
	} else {
		b = append(b, '*')
	}
	b = append(b, '/')
	if hasTotal {
		b = strconv.AppendInt(b, total, 10)
	} else {
		b = append(b, '*')
	}
	return string(b)
}

// rangeStatus is the status and Content-Range of a page of rows.
func rangeStatus(top request.Range, pageTotal, total int64, hasTotal bool) (int, string) {
	lower := top.Offset
	upper := lower + pageTotal - 1
	status := http.StatusOK
	if hasTotal {
		switch {
		case lower > total:
			status = http.StatusRequestedRangeNotSatisfiable
		case 1+upper-lower < total:
			status = http.StatusPartialContent
		}
	}
	return status, contentRange(lower, upper, total, hasTotal)
}

// appendContentType appends Content-Type and, when the schema was
// negotiated, Content-Profile.
func appendContentType(h []Header, m mediatype.MediaType, req *request.APIRequest) []Header {
	h = append(h, Header{"Content-Type", m.ContentType()})
	if req.NegotiatedByProfile {
		h = append(h, Header{"Content-Profile", req.Schema})
	}
	return h
}

// total returns the total count to report, applying count=planned and
// count=estimated.
func total(req *request.APIRequest, res *execute.Result, maxRows int64) (int64, bool) {
	switch req.Prefs.Count {
	case request.CountPlanned:
		return res.PlannedTotal, res.HasPlannedTotal
	case request.CountEstimated:
		// PostgREST compares with db-max-rows as Maybe values, where an
		// unset maximum is below every count: the estimate then always
		// counts when it is higher.
		if res.HasTotal && (maxRows == 0 || res.Total > maxRows) && res.HasPlannedTotal {
			return max(res.Total, res.PlannedTotal), true
		}
	}
	return res.Total, res.HasTotal
}

// Build returns the response for a successful transaction.
func Build(p *plan.Plan, req *request.APIRequest, res *execute.Result, opts *Options) (*Response, error) {
	if p.Explain {
		r := &Response{Status: http.StatusOK, Body: res.Plan}
		r.Headers = appendContentType(r.Headers, p.Media, req)
		return r, nil
	}
	var r *Response
	switch p.Kind {
	case plan.KindRead:
		r = buildRead(p, req, res, opts)
	case plan.KindMutate:
		r = buildMutate(p, req, res)
	case plan.KindCall:
		r = buildCall(p, req, res, opts)
	default:
		return nil, apierr.NotImplemented("no response for this action")
	}
	if err := applyGUCs(r, res); err != nil {
		return nil, err
	}
	return r, nil
}

func buildRead(p *plan.Plan, req *request.APIRequest, res *execute.Result, opts *Options) *Response {
	tot, hasTot := total(req, res, opts.MaxRows)
	status, cr := rangeStatus(req.TopRange, res.PageTotal, tot, hasTot)
	// room for Content-Range, -Location, -Type and -Profile, and
	// Preference-Applied: one allocation
	r := &Response{Status: status, Headers: make([]Header, 0, 5)}
	r.Headers = append(r.Headers, Header{"Content-Range", cr})
	var loc string
	if req.Query.Canonical != "" {
		loc = "/" + req.Target + "?" + req.Query.Canonical // one concatenation
	} else {
		loc = "/" + req.Target
	}
	r.Headers = append(r.Headers, Header{"Content-Location", loc})
	r.Headers = appendContentType(r.Headers, p.Media, req)
	if pa := applied(p, req); pa != "" {
		r.Headers = append(r.Headers, Header{"Preference-Applied", pa})
	}
	setPageBody(r, status, req, res, tot, opts)
	return r
}

func buildMutate(p *plan.Plan, req *request.APIRequest, res *execute.Result) *Response {
	r := &Response{}
	full := req.Prefs.Representation == request.ReturnRepresentation
	tot, hasTot := res.PageTotal, req.Prefs.Count.ShouldCount()
	pa := applied(p, req)
	switch p.Mutation {
	case request.ActionCreate:
		if len(res.Location) > 0 {
			r.Headers = append(r.Headers, Header{"Location", "/" + req.Target + locationQuery(res.Location)})
		}
		r.Headers = append(r.Headers, Header{"Content-Range", contentRange(1, 0, tot, hasTot)})
		if pa != "" {
			r.Headers = append(r.Headers, Header{"Preference-Applied", pa})
		}
		isUpsert := req.Prefs.Resolution == request.MergeDuplicates
		r.Status = http.StatusCreated
		switch {
		case isUpsert && !res.HasInserted:
			r.Status = http.StatusOK
		case isUpsert && res.Inserted <= 0:
			r.Status = http.StatusOK
		}
		if full {
			r.Headers = appendContentType(r.Headers, p.Media, req)
			r.Body = res.Body
		}
	case request.ActionUpdate:
		r.Headers = append(r.Headers, Header{"Content-Range", contentRange(0, res.PageTotal-1, tot, hasTot)})
		if pa != "" {
			r.Headers = append(r.Headers, Header{"Preference-Applied", pa})
		}
		r.Status = http.StatusNoContent
		if full {
			r.Status = http.StatusOK
			r.Headers = appendContentType(r.Headers, p.Media, req)
			r.Body = res.Body
		}
	case request.ActionSingleUpsert:
		if pa != "" {
			r.Headers = append(r.Headers, Header{"Preference-Applied", pa})
		}
		r.Status = http.StatusNoContent
		if full {
			r.Status = http.StatusOK
			if res.HasInserted && res.Inserted > 0 {
				r.Status = http.StatusCreated
			}
			r.Headers = appendContentType(r.Headers, p.Media, req)
			r.Body = res.Body
		}
	case request.ActionDelete:
		r.Headers = append(r.Headers, Header{"Content-Range", contentRange(1, 0, tot, hasTot)})
		if pa != "" {
			r.Headers = append(r.Headers, Header{"Preference-Applied", pa})
		}
		r.Status = http.StatusNoContent
		if full {
			r.Status = http.StatusOK
			r.Headers = appendContentType(r.Headers, p.Media, req)
			r.Body = res.Body
		}
	}
	return r
}

// locationQuery renders the key=eq.value pairs as a query string.
func locationQuery(pairs []string) string {
	var b strings.Builder
	for i, kv := range pairs {
		k, v, _ := strings.Cut(kv, "=")
		if i == 0 {
			b.WriteByte('?')
		} else {
			b.WriteByte('&')
		}
		request.QueryEscape(&b, k)
		b.WriteByte('=')
		request.QueryEscape(&b, v)
	}
	return b.String()
}

// setPageBody sets the body of a page of rows: the out-of-range error for
// a 416, nothing for HEAD, else PostgreSQL's bytes.
func setPageBody(r *Response, status int, req *request.APIRequest, res *execute.Result, total int64, opts *Options) {
	switch {
	case status == http.StatusRequestedRangeNotSatisfiable:
		r.Body = apierr.RangeOutOfBounds(req.TopRange.Offset, total).Body(opts.MinimalErrors)
	case req.HeadersOnly:
		r.NoContentLength = true
	default:
		r.Body = res.Body
	}
}

func buildCall(p *plan.Plan, req *request.APIRequest, res *execute.Result, opts *Options) *Response {
	tot, hasTot := total(req, res, opts.MaxRows)
	status, cr := rangeStatus(req.TopRange, res.PageTotal, tot, hasTot)
	r := &Response{Status: status}
	r.Headers = append(r.Headers, Header{"Content-Range", cr})
	if pa := applied(p, req); pa != "" {
		r.Headers = append(r.Headers, Header{"Preference-Applied", pa})
	}
	if p.Routine.ReturnsVoid() {
		r.Status = http.StatusNoContent
		return r
	}
	r.Headers = appendContentType(r.Headers, p.Media, req)
	setPageBody(r, status, req, res, tot, opts)
	return r
}

// applied renders Preference-Applied with the preferences the action
// honours.
func applied(p *plan.Plan, req *request.APIRequest) string {
	pr := req.Prefs
	pr.Invalid = nil
	isMutation := p.Kind == plan.KindMutate
	if !(isMutation && p.Mutation == request.ActionCreate && (len(p.Table.PKCols) > 0 || req.Query.OnConflict != nil)) {
		pr.Resolution = request.ResolutionNone
	}
	if !isMutation {
		pr.Representation = request.ReturnDefault
	}
	if !(isMutation && (p.Mutation == request.ActionCreate || p.Mutation == request.ActionUpdate)) {
		pr.Missing = request.MissingDefault
	}
	if !(isMutation && (p.Mutation == request.ActionUpdate || p.Mutation == request.ActionDelete) || p.Kind == plan.KindCall) {
		pr.HasMaxAffected = false
	}
	return pr.Applied()
}

// applyGUCs applies response.status and response.headers set by SQL:
// headers set there replace the ones restgres would send.
func applyGUCs(r *Response, res *execute.Result) error {
	if res.ResponseStatus != "" {
		n, err := strconv.Atoi(res.ResponseStatus)
		if err != nil || n < 100 || n > 999 {
			return apierr.GUCStatus()
		}
		r.Status = n
	}
	if res.ResponseHeaders == nil {
		return nil
	}
	var list []map[string]json.RawMessage
	if err := json.Unmarshal(res.ResponseHeaders, &list); err != nil {
		return apierr.GUCHeaders()
	}
	var extra []Header
	for _, obj := range list {
		if len(obj) != 1 {
			return apierr.GUCHeaders()
		}
		for k, raw := range obj {
			var v string
			if err := json.Unmarshal(raw, &v); err != nil {
				return apierr.GUCHeaders()
			}
			extra = append(extra, Header{k, v})
		}
	}
	kept := r.Headers[:0:0]
	for _, h := range r.Headers {
		overridden := false
		for _, e := range extra {
			if strings.EqualFold(e.Name, h.Name) {
				overridden = true
				break
			}
		}
		if !overridden {
			kept = append(kept, h)
		}
	}
	r.Headers = append(kept, extra...)
	return nil
}

// Info answers OPTIONS with the verbs the object allows.
func Info(p *plan.Plan) *Response {
	var allow string
	switch p.Kind {
	case plan.KindRelationInfo:
		t := p.Table
		verbs := []string{"OPTIONS,GET,HEAD"}
		if t.Insertable {
			verbs = append(verbs, "POST")
		}
		if t.Insertable && t.Updatable && len(t.PKCols) > 0 {
			verbs = append(verbs, "PUT")
		}
		if t.Updatable {
			verbs = append(verbs, "PATCH")
		}
		if t.Deletable {
			verbs = append(verbs, "DELETE")
		}
		allow = strings.Join(verbs, ",")
	case plan.KindRoutineInfo:
		if p.Routine.Volatility == schema.Volatile {
			allow = "OPTIONS,POST"
		} else {
			allow = "OPTIONS,GET,HEAD,POST"
		}
	default:
		allow = "OPTIONS,GET,HEAD"
	}
	return &Response{Status: http.StatusOK, Headers: []Header{
		{"Access-Control-Allow-Origin", "*"},
		{"Allow", allow},
	}}
}

// OpenAPI returns the response to a request for the OpenAPI description
// (plan.KindInspect): doc is the document, nil for HEAD, which gets the
// headers alone and, as in PostgREST, no Content-Length. Settings made by
// SQL (response.status, response.headers) do not apply, as in PostgREST.
func OpenAPI(p *plan.Plan, req *request.APIRequest, doc []byte) *Response {
	r := &Response{Status: http.StatusOK, Headers: appendContentType(nil, p.Media, req), Body: doc}
	r.NoContentLength = req.HeadersOnly
	return r
}

// Error renders a client error.
func Error(err *apierr.Error, minimal bool) *Response {
	r := &Response{Status: err.Status, StatusText: err.StatusText, Body: err.Body(minimal)}
	r.Headers = append(r.Headers, Header{"Content-Type", "application/json; charset=utf-8"})
	r.Headers = append(r.Headers, Header{"Proxy-Status", "PostgREST; error=" + err.Code})
	for k, vs := range err.Header {
		for _, v := range vs {
			r.Headers = append(r.Headers, Header{k, v})
		}
	}
	return r
}
