// Package server is the http.Handler that runs restgres's pipeline
// (auth → request → plan → sqlgen → execute → response) and everything
// around it: CORS, Server-Timing, the schema cache and config reloads,
// and the process lifecycle (listeners, signals, graceful shutdown).
package server

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/restgres/restgres/internal/apierr"
	"github.com/restgres/restgres/internal/auth"
	"github.com/restgres/restgres/internal/config"
	"github.com/restgres/restgres/internal/execute"
	"github.com/restgres/restgres/internal/jsonenc"
	"github.com/restgres/restgres/internal/mediatype"
	"github.com/restgres/restgres/internal/openapi"
	"github.com/restgres/restgres/internal/plan"
	"github.com/restgres/restgres/internal/request"
	"github.com/restgres/restgres/internal/response"
	"github.com/restgres/restgres/internal/schema"
	"github.com/restgres/restgres/internal/sqlgen"
)

// State is one immutable snapshot of what a request needs: the config, the
// schema cache and what is derived from them. A reload builds a new State
// and swaps it in; a request loads the pointer once and sees one snapshot.
type State struct {
	Config *config.Config
	// Schema is nil until the first load succeeds.
	Schema *schema.Cache
	Auth   *auth.Authenticator

	reqOpts     request.Options
	planOpts    plan.Options
	respOpts    response.Options
	openAPIOpts openapi.Options
	appSettings []sqlgen.Setting
	roleSets    map[string][]sqlgen.Setting
	preRequest  *sqlgen.Query
	// searchPaths is the search_path value of each schema in db-schemas,
	// computed once rather than per request.
	searchPaths map[string]string
}

func newState(cfg *config.Config, sc *schema.Cache, a *auth.Authenticator) *State {
	st := &State{Config: cfg, Schema: sc, Auth: a}
	st.reqOpts = request.Options{
		Schemas:         cfg.DBSchemas,
		TxAllowOverride: cfg.DBTxEnd.AllowOverride,
		RootSpec:        cfg.DBRootSpec.Name,
		OpenAPIDisabled: cfg.OpenAPIMode == config.OpenAPIDisabled,
	}
	st.planOpts = plan.Options{
		MaxRows:            cfg.DBMaxRows,
		AggregatesEnabled:  cfg.DBAggregatesEnabled,
		LegacyTargetNames:  cfg.URLUseLegacyTargetNames,
		PlanEnabled:        cfg.DBPlanEnabled,
		RoleIsolationLevel: cfg.RoleIsolationLevel,
	}
	st.respOpts = response.Options{
		MinimalErrors: cfg.ClientErrorVerbosity == config.VerbosityMinimal,
		MaxRows:       cfg.DBMaxRows,
	}
	st.openAPIOpts = openapi.Options{
		SecurityActive: cfg.OpenAPISecurityActive,
		ProxyURI:       cfg.OpenAPIServerProxyURI,
		ServerHost:     cfg.ServerHost,
		ServerPort:     cfg.ServerPort,
		Version:        postgrestVersion,
		DocsVersion:    postgrestDocsVersion,
	}
	for _, kv := range cfg.AppSettings {
		st.appSettings = append(st.appSettings, sqlgen.Setting{Name: kv.Key, Value: kv.Value})
	}
	st.roleSets = map[string][]sqlgen.Setting{}
	for role, kvs := range cfg.RoleSettings {
		for _, kv := range kvs {
			st.roleSets[role] = append(st.roleSets[role], sqlgen.Setting{Name: kv.Key, Value: kv.Value})
		}
	}
	if !cfg.DBPreRequest.IsZero() {
		q := sqlgen.PreRequest(cfg.DBPreRequest.Schema, cfg.DBPreRequest.Name)
		st.preRequest = &q
	}
	st.searchPaths = make(map[string]string, len(cfg.DBSchemas))
	for _, sch := range cfg.DBSchemas {
		st.searchPaths[sch] = searchPath(sch, cfg.DBExtraSearchPath)
	}
	return st
}

// searchPath is the search_path of a request to schema: it, then
// db-extra-search-path.
func searchPath(schema string, extra []string) string {
	return sqlgen.SearchPath(append([]string{schema}, extra...))
}

// postgrestVersion is the PostgREST release restgres answers like, as
// PostgREST prints its own version (in the OpenAPI document and the
// Warning header); postgrestDocsVersion names that release's
// documentation on postgrest.org.
const (
	postgrestVersion     = "16.1"
	postgrestDocsVersion = "v16"
)

// Server serves the API.
type Server struct {
	state atomic.Pointer[State]
	exec  *execute.Executor
	log   *slog.Logger
	date  dateCache
	// releasing is set while releaseMemory runs
	releasing atomic.Bool
}

// largeRequest is the size of request or response body after which the
// server hands memory back (see releaseMemory).
const largeRequest = 16 << 20

// releaseMemory collects garbage and returns free memory to the operating
// system, after a request that held a large body. The garbage collector
// sets its next goal from the heap it last saw live, which during a 100 MB
// insert is the body twice over; without this the next large request
// allocates on top of the first one's garbage (two 100 MB inserts in a
// row peaked at 440 MB of RSS, one alone at 230 MB), and the server keeps
// the memory until the runtime's background scavenger returns it, minutes
// later. It runs beside the request, which has already answered, and
// once at a time: requests that finish meanwhile are covered by the run
// under way or by the next.
func (s *Server) releaseMemory() {
	if !s.releasing.CompareAndSwap(false, true) {
		return
	}
	go func() {
		defer s.releasing.Store(false)
		debug.FreeOSMemory()
	}()
}

// dateCache holds the Date header of the current second. net/http formats
// the date for every response that has none, which cost over 1% of a
// request's instructions; the value is the same (http.TimeFormat, UTC).
type dateCache struct{ cur atomic.Pointer[dateValue] }

type dateValue struct {
	sec int64
	// val is shared by the responses of that second: net/http only reads
	// header values, and the capacity is the length, so an append copies.
	val []string
}

func (c *dateCache) header(now time.Time) []string {
	sec := now.Unix()
	if d := c.cur.Load(); d != nil && d.sec == sec {
		return d.val
	}
	d := &dateValue{sec: sec, val: []string{now.UTC().Format(http.TimeFormat)}[:1:1]}
	c.cur.Store(d)
	return d.val
}

// New returns a Server running transactions with exec.
func New(cfg *config.Config, exec *execute.Executor, log *slog.Logger) (*Server, error) {
	a, err := auth.New(cfg)
	if err != nil {
		return nil, err
	}
	s := &Server{exec: exec, log: log}
	s.state.Store(newState(cfg, nil, a))
	return s, nil
}

// State returns the current snapshot.
func (s *Server) State() *State { return s.state.Load() }

// SetSchema installs a newly loaded schema cache.
func (s *Server) SetSchema(sc *schema.Cache) {
	for {
		old := s.state.Load()
		next := newState(old.Config, sc, old.Auth)
		if s.state.CompareAndSwap(old, next) {
			s.exec.InvalidateStatements()
			return
		}
	}
}

// SetConfigAndSchema installs a reloaded config together with the schema
// cache loaded for it.
func (s *Server) SetConfigAndSchema(cfg *config.Config, sc *schema.Cache) error {
	a, err := auth.New(cfg)
	if err != nil {
		return err
	}
	s.state.Store(newState(cfg, sc, a))
	s.exec.InvalidateStatements()
	return nil
}

// SetConfig installs a config and keeps the schema cache (used at start-up,
// before the first load).
func (s *Server) SetConfig(cfg *config.Config) error {
	a, err := auth.New(cfg)
	if err != nil {
		return err
	}
	for {
		old := s.state.Load()
		next := newState(cfg, old.Schema, a)
		if s.state.CompareAndSwap(old, next) {
			return nil
		}
	}
}

// timing collects Server-Timing durations in milliseconds.
type timing struct {
	jwt, parse, plan, transaction, response float64
	hasPlan, hasTx                          bool
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

func (t *timing) header() string {
	var b []byte
	add := func(name string, v float64) {
		if len(b) > 0 {
			b = append(b, ", "...)
		}
		b = append(b, name...)
		b = append(b, ";dur="...)
		b = strconv.AppendFloat(b, v, 'f', 1, 64)
	}
	add("jwt", t.jwt)
	add("parse", t.parse)
	if t.hasPlan {
		add("plan", t.plan)
	}
	if t.hasTx {
		add("transaction", t.transaction)
	}
	add("response", t.response)
	return string(b)
}

// ServeHTTP runs one request through the pipeline.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	st := s.state.Load()
	if handled := cors(w, r, st.Config.ServerCORSAllowedOrigins); handled {
		return
	}
	if h := st.Config.ServerTraceHeader; h != "" {
		w.Header()[http.CanonicalHeaderKey(h)] = []string{r.Header.Get(h)}
	}
	// the largest body the request held, read or written
	var held int
	defer func() {
		if held >= largeRequest {
			s.releaseMemory()
		}
	}()
	resp, tm, err := s.serve(r, st, &held)
	if resp != nil {
		held = max(held, len(resp.Body))
	}
	if err != nil && r.Context().Err() != nil {
		// the client went away mid-request: nobody reads an answer, and
		// its cancelled database call is not a server failure to report
		s.log.LogAttrs(context.Background(), slog.LevelDebug, "client disconnected",
			slog.String("method", r.Method), slog.String("path", r.URL.Path))
		return
	}
	if err != nil {
		var ae *apierr.Error
		if !errors.As(err, &ae) {
			s.log.LogAttrs(r.Context(), slog.LevelError, "internal error", slog.String("error", err.Error()))
			ae = apierr.DBClient("")
		}
		if ae.Status >= 500 {
			s.log.LogAttrs(r.Context(), slog.LevelError, "request failed",
				slog.String("method", r.Method), slog.String("path", r.URL.Path),
				slog.String("code", ae.Code), slog.Any("cause", ae.Unwrap()))
		}
		w.Header()["Date"] = s.date.header(time.Now())
		writeResponse(w, r, response.Error(ae, st.respOpts.MinimalErrors))
		return
	}
	if st.Config.ServerTimingEnabled && tm != nil {
		w.Header()["Server-Timing"] = []string{tm.header()}
	}
	if !resp.Has("Vary") {
		w.Header()["Vary"] = varyValue
	}
	w.Header()["Date"] = s.date.header(time.Now())
	writeResponse(w, r, resp)
}

// varyValue is the Vary header of API responses. Header values are
// shared between responses, saving an allocation each: net/http only
// reads them, and the capacity is the length, so an append copies.
var varyValue = []string{"Accept, Prefer, Range"}[:1:1]

// writeResponse writes resp. Its headers replace any set earlier for the
// same name (CORS, tracing); repeated names within resp are all kept
// (several Set-Cookie from response.headers).
func writeResponse(w http.ResponseWriter, r *http.Request, resp *response.Response) {
	h := w.Header()
	var keyBuf [8]string
	keys := keyBuf[:0]
	// one allocation for the values of all headers; each header's slice
	// has a capacity of one, so appending to it copies
	vals := make([]string, len(resp.Headers))
	for i, hd := range resp.Headers {
		key := canonicalKey(hd.Name)
		// a name seen earlier in resp appends; the lists are short, so a
		// scan costs less than the map it replaces
		if slices.Contains(keys, key) {
			h[key] = append(h[key], hd.Value)
		} else {
			vals[i] = hd.Value
			h[key] = vals[i : i+1 : i+1]
		}
		keys = append(keys, key)
	}
	if !resp.NoContentLength {
		h["Content-Length"] = []string{strconv.Itoa(len(resp.Body))}
	}
	if reason := customReason(resp); reason != "" && writeWithReason(w, r, resp.Status, reason, resp.Body) {
		return
	}
	w.WriteHeader(resp.Status)
	if r.Method != http.MethodHead && len(resp.Body) > 0 {
		w.Write(resp.Body)
	}
}

// serve runs the pipeline and builds the response; bodyLen receives the
// size of the request body once read.
func (s *Server) serve(r *http.Request, st *State, bodyLen *int) (*response.Response, *timing, error) {
	ctx := r.Context()
	var tm timing
	t0 := time.Now()

	authRes, err := st.Auth.Authenticate(firstValue(r.Header["Authorization"]), t0)
	if err != nil {
		return nil, nil, err
	}
	t1 := time.Now()
	tm.jwt = ms(t1.Sub(t0))

	if st.Schema == nil {
		return nil, nil, apierr.NoSchemaCache()
	}
	body, err := readBody(r, st.Config.ServerMaxBodySize)
	if err != nil {
		return nil, nil, err
	}
	*bodyLen = len(body)
	req, err := request.Parse(r, body, &st.reqOpts)
	if err != nil {
		return nil, nil, err
	}
	t2 := time.Now()
	tm.parse = ms(t2.Sub(t1))

	p, err := plan.Build(req, st.Schema, authRes.Role, &st.planOpts)
	if err != nil {
		return nil, nil, err
	}
	t3 := time.Now()
	tm.plan, tm.hasPlan = ms(t3.Sub(t2)), true

	switch p.Kind {
	case plan.KindRelationInfo, plan.KindRoutineInfo, plan.KindSchemaInfo:
		tm.hasPlan = false
		resp := response.Info(p)
		tm.response = ms(time.Since(t3))
		return resp, &tm, nil
	}

	tx := s.transaction(st, r, req, p, &authRes)
	res, err := s.exec.Run(ctx, tx)
	if err != nil {
		return nil, nil, err
	}
	t4 := time.Now()
	tm.transaction, tm.hasTx = ms(t4.Sub(t3)), true
	if p.Kind == plan.KindInspect {
		resp, err := openAPIResponse(st, p, req, res)
		if err != nil {
			return nil, nil, err
		}
		tm.response = ms(time.Since(t4))
		return resp, &tm, nil
	}
	if err := checkSingular(p, res); err != nil && p.ReadOnly {
		return nil, nil, err
	}
	if err := checkMaxAffected(req, p, res); err != nil && p.ReadOnly {
		return nil, nil, err
	}
	resp, err := response.Build(p, req, res, &st.respOpts)
	if err != nil {
		return nil, nil, err
	}
	if len(p.LegacyWarnings) > 0 && st.Config.URLUseLegacyTargetNames {
		resp.Headers = append(resp.Headers, response.Header{Name: "Warning", Value: legacyWarning(p.LegacyWarnings)})
	}
	tm.response = ms(time.Since(t4))
	return resp, &tm, nil
}

func legacyWarning(ws [][2]string) string {
	parts := make([]string, len(ws))
	for i, w := range ws {
		parts[i] = "`" + w[0] + "` to `" + w[1] + "`"
	}
	msg := "Embedded resource was referenced by relation name even though it has an alias. " +
		"This is deprecated and will stop working in a future release. Update " + strings.Join(parts, ", ") +
		" in query string filters, orders or limits."
	return `299 PostgRESTv` + postgrestVersion + `-restgres "` + msg + `"`
}

// openAPIResponse answers a request for the OpenAPI description from the
// result of sqlgen.Inspect. HEAD gets the headers only, so the document
// is not built.
func openAPIResponse(st *State, p *plan.Plan, req *request.APIRequest, res *execute.Result) (*response.Response, error) {
	if p.HeadersOnly {
		return response.OpenAPI(p, req, nil), nil
	}
	access, err := openapi.ParseAccess(res.Body)
	if err != nil {
		return nil, err
	}
	return response.OpenAPI(p, req, openapi.Document(st.Schema, p.Target.Schema, access, &st.openAPIOpts)), nil
}

// preallocMax bounds the buffer a Content-Length alone makes readBody
// allocate when no server-max-body-size is set. A client may announce any
// length and send nothing; a reservation the kernel refuses is a fatal
// error in Go, not a panic, so trusting the header would let one request
// end the process. Beyond this, the buffer grows with the bytes that
// actually arrive. With a limit, a length within it is trusted, up to
// preallocLimitMax: PostgreSQL takes no value (nor the protocol a
// message) of 1 GB or more, so no larger body can be written anyway.
const (
	preallocMax      = 4 << 20
	preallocLimitMax = 1 << 30
)

// readBody reads the request body whole, into one buffer of exactly its
// size when the length is known: a body of Content-Length n is read into
// a buffer of capacity n+1 (the extra byte lets the last Read report EOF
// without growing, which would copy the whole body), allocated at once
// when n is trusted (see preallocMax) and otherwise reached by growing as
// bytes arrive. A large body is later copied once more, into the
// protocol's Bind message, so the peak is at least twice the body: every
// buffer saved here is one body-sized buffer less on top of that.
func readBody(r *http.Request, limit int64) ([]byte, error) {
	if r.Body == nil || r.Body == http.NoBody {
		return nil, nil
	}
	var rd io.Reader = r.Body
	trusted := int64(preallocMax)
	if limit > 0 {
		if r.ContentLength > limit {
			return nil, apierr.BodyTooLarge(limit)
		}
		rd = io.LimitReader(r.Body, limit+1)
		trusted = max(trusted, min(limit, preallocLimitMax))
	}
	b, err := readAll(rd, r.ContentLength, trusted)
	if err != nil {
		return nil, apierr.InvalidBody("Could not read the request body").WithCause(err)
	}
	if limit > 0 && int64(len(b)) > limit {
		return nil, apierr.BodyTooLarge(limit)
	}
	return b, nil
}

// readAll reads rd to EOF, expecting n bytes (n < 0: unknown). A full
// buffer grows eightfold, never past n+1 unless more than n bytes come.
// The first buffer holds n+1 bytes when that is at most trusted+1, else
// n+1 divided by 8 as often as needed, so that growing lands on n+1
// exactly; 512 bytes when n is unknown.
//
// Each step leaves the old buffer as garbage, which is often not yet
// collected when the Bind copy is made: growing by 2 from 4 MB left
// 124 MB of it behind a 100 MB body (peak RSS 2.4 to 3.4 times the body),
// these steps leave 14 MB. The bytes a client must send to make readAll
// reserve a given size stay proportional to it. An unknown length may end
// far below the capacity reached; then the body is copied to a buffer of
// its size rather than keep the slack (which the garbage collector would
// count as heap) for the rest of the request.
func readAll(rd io.Reader, n, trusted int64) ([]byte, error) {
	size := int64(512)
	if n >= 0 {
		size = n + 1
		for size > trusted+1 {
			size = (size + 7) / 8
		}
	}
	b := make([]byte, 0, size)
	for {
		if len(b) == cap(b) {
			size := int64(8 * cap(b))
			if int64(cap(b)) <= n {
				size = min(size, n+1)
			}
			b = append(make([]byte, 0, size), b...)
		}
		k, err := rd.Read(b[len(b):cap(b)])
		b = b[:len(b)+k]
		if err == io.EOF {
			if n < 0 && cap(b) > 2*len(b) && cap(b) > preallocMax {
				b = append(make([]byte, 0, len(b)), b...)
			}
			return b, nil
		}
		if err != nil {
			return nil, err
		}
	}
}

// transaction assembles the request's transaction.
func (s *Server) transaction(st *State, r *http.Request, req *request.APIRequest, p *plan.Plan, a *auth.Result) *execute.Tx {
	cfg := st.Config
	sp, ok := st.searchPaths[req.Schema]
	if !ok {
		sp = searchPath(req.Schema, cfg.DBExtraSearchPath)
	}
	vars := &sqlgen.TxVars{
		SearchPath:   sp,
		RoleSettings: st.roleSets[a.Role],
		Role:         a.Role,
		Claims:       a.ClaimsJSON,
		Method:       r.Method,
		Path:         req.Path, // r.URL.EscapedPath(), computed once by request.Parse
		Headers:      pairsJSON(req.Headers),
		Cookies:      pairsJSON(req.Cookies),
		Timezone:     req.Prefs.Timezone,
		AppSettings:  st.appSettings,
	}
	for _, set := range p.Settings {
		vars.FuncSettings = append(vars.FuncSettings, sqlgen.Setting{Name: set.Name, Value: set.Value})
	}
	tx := &execute.Tx{
		Isolation:     p.IsolationLevel,
		ReadOnly:      p.ReadOnly,
		Setup:         sqlgen.TxSetup(vars),
		PreRequest:    st.preRequest,
		Explain:       p.Explain,
		Authenticated: a.Authenticated,
	}
	switch p.Kind {
	case plan.KindRead:
		tx.Main = sqlgen.Read(p, req.Prefs.Count, cfg.DBMaxRows, req.TopRange)
		if req.Prefs.Count.ShouldExplainCount() && !p.Explain {
			q := sqlgen.ExplainCount(p)
			tx.ExplainCount = &q
		}
	case plan.KindMutate:
		tx.Main = sqlgen.Mutate(p, req.Prefs)
	case plan.KindCall:
		tx.Main = sqlgen.Call(p, req.Prefs.Count, cfg.DBMaxRows, req.TopRange)
	case plan.KindInspect:
		tx.Main = sqlgen.Inspect(p.Target.Schema, cfg.OpenAPIMode == config.OpenAPIFollowPrivileges)
	}
	rollback := req.Prefs.Tx == request.TxRollback || (cfg.DBTxEnd.RollbackAll && req.Prefs.Tx != request.TxCommit)
	if rollback {
		tx.End = execute.Rollback
	}
	if !p.ReadOnly && !p.Explain && needsCheck(req, p) {
		// the outcome decides between COMMIT and ROLLBACK
		tx.End = execute.Decide
		tx.RollbackAfterCheck = rollback
		tx.Check = func(res *execute.Result) error {
			if p.Kind == plan.KindMutate && p.Mutation == request.ActionSingleUpsert && res.PageTotal != 1 {
				return apierr.PutMatchingPK()
			}
			if err := checkSingular(p, res); err != nil {
				return err
			}
			return checkMaxAffected(req, p, res)
		}
	}
	return tx
}

// needsCheck reports whether a write's result must be checked before its
// transaction may commit.
func needsCheck(req *request.APIRequest, p *plan.Plan) bool {
	if p.Media.Kind == mediatype.SingularJSON {
		return true
	}
	if p.Kind == plan.KindMutate && p.Mutation == request.ActionSingleUpsert {
		return true
	}
	return req.Prefs.HasMaxAffected && req.Prefs.Handling == request.HandlingStrict
}

func checkSingular(p *plan.Plan, res *execute.Result) error {
	if p.Media.Kind == mediatype.SingularJSON && res.PageTotal != 1 && !p.Explain {
		return apierr.Singularity(res.PageTotal)
	}
	return nil
}

func checkMaxAffected(req *request.APIRequest, p *plan.Plan, res *execute.Result) error {
	if !req.Prefs.HasMaxAffected || req.Prefs.Handling != request.HandlingStrict {
		return nil
	}
	applies := p.Kind == plan.KindCall ||
		p.Kind == plan.KindMutate && (p.Mutation == request.ActionUpdate || p.Mutation == request.ActionDelete)
	if applies && res.PageTotal > req.Prefs.MaxAffected {
		return apierr.MaxAffectedViolation(res.PageTotal)
	}
	return nil
}

// emptyObject is pairsJSON of no pairs, shared (it is only ever sent).
var emptyObject = []byte("{}")

// pairsJSON renders name/value pairs as a JSON object; a repeated name
// keeps its last value.
func pairsJSON(pairs [][2]string) []byte {
	if len(pairs) == 0 {
		return emptyObject
	}
	n := 2
	for _, kv := range pairs {
		n += len(kv[0]) + len(kv[1]) + 6 // quotes, ':' and ','; escapes may grow it
	}
	b := make([]byte, 0, n)
	b = append(b, '{')
	first := true
	for i, kv := range pairs {
		dup := false
		for _, later := range pairs[i+1:] {
			if later[0] == kv[0] {
				dup = true
				break
			}
		}
		if dup {
			continue
		}
		if !first {
			b = append(b, ',')
		}
		first = false
		b = jsonenc.AppendString(b, kv[0])
		b = append(b, ':')
		b = jsonenc.AppendString(b, kv[1])
	}
	return append(b, '}')
}

// canonicalNames are the header names package response writes, already
// in canonical form (TestCanonicalNames).
var canonicalNames = []string{
	"Content-Range", "Content-Location", "Content-Type", "Content-Profile", "Preference-Applied", "Location",
	"Proxy-Status",
}

// canonicalKey is http.CanonicalHeaderKey(name). Comparing with the names
// the response package uses costs a fraction of the canonicalization's
// scan, which was a few percent of a request's instructions.
func canonicalKey(name string) string {
	for _, c := range canonicalNames {
		if name == c {
			return name
		}
	}
	return http.CanonicalHeaderKey(name)
}

// firstValue is Header.Get's result for a header's values, looked up by
// canonical name directly in the map (Get canonicalizes the name first,
// which costs more than the lookup).
func firstValue(vals []string) string {
	if len(vals) == 0 {
		return ""
	}
	return vals[0]
}

// cors handles CORS as PostgREST's policy does: without an Origin header
// nothing happens; a preflight is answered here; other requests get the
// allow/expose headers and continue. With an allow-list, unknown origins
// get no CORS headers.
func cors(w http.ResponseWriter, r *http.Request, allowed []string) bool {
	origin := firstValue(r.Header["Origin"])
	if origin == "" {
		return false
	}
	h := w.Header()
	allowOrigin := "*"
	credentials := false
	if len(allowed) > 0 {
		if !slices.Contains(allowed, origin) {
			return false
		}
		allowOrigin, credentials = origin, true
	}
	if r.Method == http.MethodOptions && r.Header.Get("Access-Control-Request-Method") != "" {
		h["Access-Control-Allow-Origin"] = []string{allowOrigin}
		if credentials {
			h["Access-Control-Allow-Credentials"] = []string{"true"}
		}
		h["Access-Control-Allow-Methods"] = []string{"GET, POST, PATCH, PUT, DELETE, OPTIONS"}
		allowHeaders := "Authorization"
		if req := r.Header.Get("Access-Control-Request-Headers"); req != "" {
			for _, part := range strings.Split(req, ",") {
				if part = strings.TrimSpace(part); part != "" {
					allowHeaders += ", " + part
				}
			}
		}
		h["Access-Control-Allow-Headers"] = []string{allowHeaders}
		h["Access-Control-Max-Age"] = []string{"86400"}
		h["Content-Length"] = []string{"0"}
		w.WriteHeader(http.StatusOK)
		return true
	}
	h["Access-Control-Allow-Origin"] = []string{allowOrigin}
	if credentials {
		h["Access-Control-Allow-Credentials"] = []string{"true"}
	}
	h["Access-Control-Expose-Headers"] = []string{"Content-Encoding, Content-Location, Content-Range, Content-Type, Date, Location, Server, Transfer-Encoding, Range-Unit"}
	return false
}
