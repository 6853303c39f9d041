// Package execute runs a request's transaction on one pooled connection:
// BEGIN, the transaction settings, the pre-request function, the main
// statement and COMMIT or ROLLBACK, sent together as one pipeline (one
// network round trip). Statements are prepared once per connection and
// cached by SQL text. Results come back in text format and the body bytes
// PostgreSQL built are handed on without being decoded.
//
// The package knows nothing of HTTP; it takes SQL from sqlgen and returns
// raw columns.
package execute

import (
	"context"
	"encoding/json"
	"errors"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/restgres/restgres/internal/apierr"
	"github.com/restgres/restgres/internal/sqlgen"
)

// End says how the transaction finishes.
type End uint8

const (
	// Commit at the end of the pipeline.
	Commit End = iota
	// Rollback at the end of the pipeline (db-tx-end=rollback, tx=rollback),
	// checking deferred constraints first so their errors are reported.
	Rollback
	// Decide: the caller inspects the result (Check) before the
	// transaction ends; this costs a second round trip.
	Decide
)

// Tx is one request's transaction.
type Tx struct {
	Isolation string
	ReadOnly  bool
	Setup     sqlgen.Query
	// PreRequest is the db-pre-request call, nil for none.
	PreRequest *sqlgen.Query
	Main       sqlgen.Query
	// Explain: Main is an EXPLAIN; its rows are joined into Result.Plan.
	Explain bool
	// ExplainCount, when set, is an EXPLAIN (FORMAT JSON) whose row
	// estimate fills Result.PlannedTotal.
	ExplainCount *sqlgen.Query
	End          End
	// RollbackAfterCheck (with End Decide): roll back even when Check
	// passes.
	RollbackAfterCheck bool
	// Check validates the result before COMMIT when End is Decide; an error
	// rolls the transaction back and is returned.
	Check func(*Result) error
	// Authenticated is passed to the SQLSTATE mapping (42501 → 401/403).
	Authenticated bool
}

// Result holds the main statement's columns.
type Result struct {
	// Total is total_result_set; HasTotal is false for NULL/''.
	Total    int64
	HasTotal bool
	// PageTotal is the number of rows in this response.
	PageTotal int64
	// Location holds the key=value pairs of an inserted row's key.
	Location []string
	// Body is the response body as PostgreSQL built it.
	Body []byte
	// ResponseHeaders is the response.headers setting (JSON), nil if unset.
	ResponseHeaders []byte
	// ResponseStatus is the response.status setting, "" if unset.
	ResponseStatus string
	// Inserted is response_inserted; HasInserted is false for NULL/''.
	Inserted    int64
	HasInserted bool
	// PlannedTotal is the planner's row estimate for count=planned.
	PlannedTotal    int64
	HasPlannedTotal bool
	// Plan is the EXPLAIN output, for plan media types.
	Plan []byte
	// Timing of the transaction, for Server-Timing.
	Took time.Duration
}

// Options configure an Executor.
type Options struct {
	// Prepared: use named prepared statements (db-prepared-statements).
	Prepared bool
	// StatementCacheSize bounds the prepared statements kept per connection.
	StatementCacheSize int
	// AcquireTimeout is db-pool-acquisition-timeout.
	AcquireTimeout time.Duration
}

// Executor runs transactions on a pool.
type Executor struct {
	pool *pgxpool.Pool
	opts Options
	// generation changes when the schema cache reloads, so that statements
	// prepared against the old schema are dropped.
	generation atomic.Uint64
	// waiting and timeouts feed the pool metrics.
	waiting  atomic.Int64
	timeouts atomic.Uint64
}

// PoolStats reports the pool for metrics: its size, idle connections,
// requests waiting for a connection and acquisition timeouts so far.
func (e *Executor) PoolStats() (max, idle, waiting int, timeouts uint64) {
	st := e.pool.Stat()
	return int(st.MaxConns()), int(st.IdleConns()), int(e.waiting.Load()), e.timeouts.Load()
}

// New returns an Executor on pool.
func New(pool *pgxpool.Pool, opts Options) *Executor {
	if opts.StatementCacheSize <= 0 {
		opts.StatementCacheSize = 1000
	}
	return &Executor{pool: pool, opts: opts}
}

// InvalidateStatements drops every connection's prepared statements (at
// its next use), after the schema changed.
func (e *Executor) InvalidateStatements() { e.generation.Add(1) }

// Pool returns the pool.
func (e *Executor) Pool() *pgxpool.Pool { return e.pool }

const cacheKey = "restgres.stmts"

// stmtCache is the per-connection statement cache, kept in the
// connection's custom data.
type stmtCache struct {
	generation uint64
	byText     map[string]*pgconn.StatementDescription
	seq        uint64
	// dropAll asks the next pipeline to deallocate everything first.
	dropAll bool
}

func (e *Executor) cache(pg *pgconn.PgConn) *stmtCache {
	data := pg.CustomData()
	c, _ := data[cacheKey].(*stmtCache)
	if c == nil {
		c = &stmtCache{byText: map[string]*pgconn.StatementDescription{}, generation: e.generation.Load()}
		data[cacheKey] = c
	}
	if g := e.generation.Load(); c.generation != g {
		c.generation = g
		if len(c.byText) > 0 {
			clear(c.byText)
			c.dropAll = true
		}
	}
	return c
}

// step is one statement queued in the pipeline.
type step struct {
	kind stepKind
	// prepared statement to record on success
	sql     string
	stmt    string
	pending bool
}

type stepKind uint8

const (
	stepPrepare stepKind = iota
	stepExec
	stepMain
	stepExplainCount
	stepSync
	stepDeallocate
)

var textFormat = []int16{0}

// Run executes tx and returns the main statement's result. Errors are
// *apierr.Error: PostgreSQL's errors mapped as PostgREST maps them, and
// connection problems as PGRST000/001/003.
func (e *Executor) Run(ctx context.Context, tx *Tx) (*Result, error) {
	start := time.Now()
	acquireCtx := ctx
	if e.opts.AcquireTimeout > 0 {
		var cancel context.CancelFunc
		acquireCtx, cancel = context.WithTimeout(ctx, e.opts.AcquireTimeout)
		defer cancel()
	}
	e.waiting.Add(1)
	conn, err := e.pool.Acquire(acquireCtx)
	e.waiting.Add(-1)
	if err != nil {
		if ctx.Err() == nil && errors.Is(err, context.DeadlineExceeded) {
			e.timeouts.Add(1)
			return nil, apierr.PoolTimeout().WithCause(err)
		}
		return nil, apierr.DBConnection(err.Error()).WithCause(err)
	}
	// Release drops a connection that is closed, busy or still inside a
	// transaction, so a broken one never goes back to the pool.
	res, err := e.run(ctx, conn.Conn().PgConn(), tx)
	conn.Release()
	if res != nil {
		res.Took = time.Since(start)
	}
	return res, err
}

// stmt is one statement of a transaction and what its result is for.
type stmt struct {
	q    *sqlgen.Query
	kind stepKind
}

// Fixed statements, shared: their text never changes.
var (
	commitQuery    = sqlgen.Query{SQL: "COMMIT"}
	immediateQuery = sqlgen.Query{SQL: "SET CONSTRAINTS ALL IMMEDIATE"}
	rollbackQuery  = sqlgen.Query{SQL: "ROLLBACK"}
)

// statements lists tx's statements in order, in buf.
func statements(tx *Tx, begin *sqlgen.Query, buf []stmt) []stmt {
	stmts := append(buf[:0], stmt{begin, stepExec}, stmt{&tx.Setup, stepExec})
	if tx.PreRequest != nil {
		stmts = append(stmts, stmt{tx.PreRequest, stepExec})
	}
	stmts = append(stmts, stmt{&tx.Main, stepMain})
	if tx.ExplainCount != nil {
		stmts = append(stmts, stmt{tx.ExplainCount, stepExplainCount})
	}
	switch tx.End {
	case Commit:
		stmts = append(stmts, stmt{&commitQuery, stepExec})
	case Rollback:
		stmts = append(stmts, stmt{&immediateQuery, stepExec}, stmt{&rollbackQuery, stepExec})
	}
	return stmts
}

func (e *Executor) run(ctx context.Context, pg *pgconn.PgConn, tx *Tx) (*Result, error) {
	cache := e.cache(pg)
	begin := sqlgen.Query{SQL: sqlgen.Begin(tx.Isolation, tx.ReadOnly)}
	var buf [7]stmt
	stmts := statements(tx, &begin, buf[:])
	if cache.dropAll {
		return e.runPipeline(ctx, pg, tx, stmts, cache)
	}
	if !e.opts.Prepared {
		return e.runBatch(ctx, pg, tx, stmts, nil)
	}
	var sdBuf [7]*pgconn.StatementDescription
	if sds, ok := cache.lookup(stmts, sdBuf[:0]); ok {
		return e.runBatch(ctx, pg, tx, stmts, sds)
	}
	return e.runPipeline(ctx, pg, tx, stmts, cache)
}

// lookup appends the description of each statement to sds, and reports
// whether every statement is prepared on the connection.
func (c *stmtCache) lookup(stmts []stmt, sds []*pgconn.StatementDescription) ([]*pgconn.StatementDescription, bool) {
	for _, st := range stmts {
		sd, ok := c.byText[st.q.SQL]
		if !ok {
			return nil, false
		}
		sds = append(sds, sd)
	}
	return sds, true
}

// runBatch runs the transaction as one pgconn batch, when no statement
// needs preparing first: each is bound by its prepared statement's
// description (sds, one per statement), or, with db-prepared-statements
// off (sds nil), sent unnamed. It sends the same messages as runPipeline (one round trip, one
// Sync at the end), but a batch allocates far less than pgconn's
// pipeline, whose bookkeeping per message was over a third of a request's
// allocations.
func (e *Executor) runBatch(ctx context.Context, pg *pgconn.PgConn, tx *Tx, stmts []stmt, sds []*pgconn.StatementDescription) (*Result, error) {
	var b pgconn.Batch
	for i, st := range stmts {
		q := st.q
		if sds != nil {
			b.ExecStatement(sds[i], q.Args, q.Formats, q.ResultFormats)
		} else {
			b.ExecParams(q.SQL, q.Args, q.OIDs, q.Formats, q.ResultFormats)
		}
	}
	mrr := pg.ExecBatch(ctx, &b)
	res := &Result{}
	var firstErr error
	for _, st := range stmts {
		if !mrr.NextResult() {
			break // an error: the server skipped the rest
		}
		rr := mrr.ResultReader()
		switch st.kind {
		case stepMain:
			if err := readMain(rr, tx.Explain, tx.Main.Columns, res); err != nil && firstErr == nil {
				firstErr = err
			}
		case stepExplainCount:
			readExplainCount(rr, res)
		default:
			if _, err := rr.Close(); err != nil && firstErr == nil {
				firstErr = err
			}
		}
	}
	if err := mrr.Close(); err != nil && firstErr == nil {
		if cerr := connectionError(err); cerr != nil {
			return nil, cerr
		}
		firstErr = err
	}
	return e.finish(ctx, pg, tx, res, firstErr)
}

// runPipeline runs the transaction as a pipeline, preparing the
// statements not yet prepared on the connection (and first dropping all
// of them after a schema reload).
func (e *Executor) runPipeline(ctx context.Context, pg *pgconn.PgConn, tx *Tx, stmts []stmt, cache *stmtCache) (*Result, error) {
	pl := pg.StartPipeline(ctx)
	// a DEALLOCATE, a Parse and an Execute per statement, and Sync
	steps := make([]step, 0, 2*len(stmts)+2)

	if cache.dropAll {
		// statements prepared before a schema reload
		pl.SendQueryParams("DEALLOCATE ALL", nil, nil, nil, nil)
		steps = append(steps, step{kind: stepDeallocate})
		cache.dropAll = false
	}

	for _, st := range stmts {
		q, kind := st.q, st.kind
		if !e.opts.Prepared {
			pl.SendQueryParams(q.SQL, q.Args, q.OIDs, q.Formats, q.ResultFormats)
			steps = append(steps, step{kind: kind})
			continue
		}
		if sd, ok := cache.byText[q.SQL]; ok {
			pl.SendQueryStatement(sd, q.Args, q.Formats, q.ResultFormats)
			steps = append(steps, step{kind: kind})
			continue
		}
		cache.seq++
		name := "rg" + strconv.FormatUint(cache.seq, 10)
		pl.SendPrepare(name, q.SQL, q.OIDs)
		steps = append(steps, step{kind: stepPrepare, sql: q.SQL, stmt: name})
		pl.SendQueryPrepared(name, q.Args, q.Formats, q.ResultFormats)
		steps = append(steps, step{kind: kind})
	}
	if err := pl.Sync(); err != nil {
		pl.Close()
		return nil, apierr.DBClient(err.Error()).WithCause(err)
	}
	steps = append(steps, step{kind: stepSync})

	res := &Result{}
	var firstErr error
	for _, st := range steps {
		if firstErr != nil && st.kind != stepSync {
			continue // the server skipped the rest up to Sync
		}
		r, err := pl.GetResults()
		if err != nil {
			if cerr := connectionError(err); cerr != nil {
				pl.Close()
				return nil, cerr
			}
			firstErr = err
			// after an error the next result is the Sync's
			if _, err := pl.GetResults(); err != nil {
				if cerr := connectionError(err); cerr != nil {
					pl.Close()
					return nil, cerr
				}
			}
			break
		}
		switch st.kind {
		case stepPrepare:
			if sd, ok := r.(*pgconn.StatementDescription); ok {
				if len(cache.byText) >= e.opts.StatementCacheSize {
					// full: start over rather than track recency on the
					// hot path
					clear(cache.byText)
					cache.dropAll = true
				} else {
					sd.Name = st.stmt
					cache.byText[st.sql] = sd
				}
			}
		case stepMain:
			rr, _ := r.(*pgconn.ResultReader)
			if err := readMain(rr, tx.Explain, tx.Main.Columns, res); err != nil {
				firstErr = err
			}
		case stepExplainCount:
			rr, _ := r.(*pgconn.ResultReader)
			readExplainCount(rr, res)
		case stepExec, stepDeallocate:
			if rr, ok := r.(*pgconn.ResultReader); ok {
				if _, err := rr.Close(); err != nil {
					firstErr = err
				}
			}
		case stepSync:
		}
	}
	if err := pl.Close(); err != nil && firstErr == nil {
		if cerr := connectionError(err); cerr != nil {
			return nil, cerr
		}
		firstErr = err
	}

	return e.finish(ctx, pg, tx, res, firstErr)
}

// finish ends the transaction after its pipeline or batch: it rolls back
// an aborted transaction block and maps the error, or, for End Decide,
// runs the check and commits or rolls back.
func (e *Executor) finish(ctx context.Context, pg *pgconn.PgConn, tx *Tx, res *Result, firstErr error) (*Result, error) {
	if firstErr != nil {
		// the transaction block is aborted: end it
		if tx := pg.TxStatus(); tx != 'I' {
			rollback(ctx, pg)
		}
		return nil, e.mapError(firstErr, tx.Authenticated)
	}

	if tx.End == Decide {
		var checkErr error
		if tx.Check != nil {
			checkErr = tx.Check(res)
		}
		if checkErr != nil || tx.RollbackAfterCheck {
			if err := endTx(ctx, pg, "SET CONSTRAINTS ALL IMMEDIATE; ROLLBACK"); err != nil && checkErr == nil {
				return nil, e.mapError(err, tx.Authenticated)
			}
			if checkErr != nil {
				return nil, checkErr
			}
			return res, nil
		}
		if err := endTx(ctx, pg, "COMMIT"); err != nil {
			return nil, e.mapError(err, tx.Authenticated)
		}
	}
	return res, nil
}

func endTx(ctx context.Context, pg *pgconn.PgConn, sql string) error {
	results, err := pg.Exec(ctx, sql).ReadAll()
	if err == nil {
		for _, r := range results {
			if r.Err != nil {
				err = r.Err
				break
			}
		}
	}
	if err != nil && pg.TxStatus() != 'I' {
		rollback(ctx, pg)
	}
	return err
}

func rollback(ctx context.Context, pg *pgconn.PgConn) {
	pg.Exec(ctx, "ROLLBACK").ReadAll()
}

// connectionError returns the API error for an err that PostgreSQL did
// not report (the connection failed, the context ended), and nil for an
// error of the statement, which the transaction's end maps (mapError).
func connectionError(err error) error {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		return nil
	}
	return apierr.DBClient(err.Error()).WithCause(err)
}

func (e *Executor) mapError(err error, authenticated bool) error {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		return apierr.FromPostgres(pgErr.Code, pgErr.Message, pgErr.Detail, pgErr.Hint, authenticated).WithCause(err)
	}
	var ae *apierr.Error
	if errors.As(err, &ae) {
		return ae
	}
	return apierr.DBClient(err.Error()).WithCause(err)
}

// readMain reads the single row of the main statement.
func readMain(rr *pgconn.ResultReader, explain bool, cols sqlgen.Columns, res *Result) error {
	if rr == nil {
		return nil
	}
	if explain {
		var plan []byte
		for rr.NextRow() {
			v := rr.Values()
			if len(v) > 0 {
				if len(plan) > 0 {
					plan = append(plan, '\n')
				}
				plan = append(plan, v[0]...)
			}
		}
		res.Plan = plan
		_, err := rr.Close()
		return err
	}
	if rr.NextRow() {
		v := rr.Values()
		// a column the layout does not have (index -1) reads as NULL
		col := func(i int) []byte {
			if i < 0 || i >= len(v) {
				return nil
			}
			return v[i]
		}
		res.Total, res.HasTotal = parseInt(col(cols.Total))
		res.PageTotal, _ = parseInt(col(cols.PageTotal))
		res.Location = parseTextArray(col(cols.Header))
		// the buffer is reused by the next message: copy the body once
		res.Body = append([]byte(nil), col(cols.Body)...)
		if h := col(cols.ResponseHeaders); h != nil {
			res.ResponseHeaders = append([]byte(nil), h...)
		}
		res.ResponseStatus = string(col(cols.ResponseStatus))
		res.Inserted, res.HasInserted = parseInt(col(cols.Inserted))
	}
	_, err := rr.Close()
	return err
}

func parseInt(b []byte) (int64, bool) {
	if len(b) == 0 {
		return 0, false
	}
	var n int64
	neg := false
	for i, c := range b {
		if i == 0 && c == '-' {
			neg = true
			continue
		}
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int64(c-'0')
	}
	if neg {
		n = -n
	}
	return n, true
}

// parseTextArray decodes a one-dimensional text[] in PostgreSQL's text
// output format.
func parseTextArray(b []byte) []string {
	if len(b) < 2 || b[0] != '{' {
		return nil
	}
	var out []string
	s := b[1 : len(b)-1]
	for len(s) > 0 {
		var elem []byte
		if s[0] == '"' {
			i := 1
			for i < len(s) && s[i] != '"' {
				if s[i] == '\\' && i+1 < len(s) {
					i++
				}
				elem = append(elem, s[i])
				i++
			}
			s = s[min(i+1, len(s)):]
		} else {
			i := 0
			for i < len(s) && s[i] != ',' {
				i++
			}
			elem = s[:i]
			s = s[i:]
		}
		out = append(out, string(elem))
		if len(s) > 0 && s[0] == ',' {
			s = s[1:]
		}
	}
	return out
}

// readExplainCount reads the planner's row estimate from an
// EXPLAIN (FORMAT JSON) result.
func readExplainCount(rr *pgconn.ResultReader, res *Result) {
	if rr == nil {
		return
	}
	if rr.NextRow() {
		var plans []struct {
			Plan struct {
				Rows json.Number `json:"Plan Rows"`
			} `json:"Plan"`
		}
		if json.Unmarshal(rr.Values()[0], &plans) == nil && len(plans) > 0 {
			if n, err := plans[0].Plan.Rows.Int64(); err == nil {
				res.PlannedTotal, res.HasPlannedTotal = n, true
			}
		}
	}
	rr.Close()
}
