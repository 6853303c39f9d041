package server_test

import (
	"encoding/binary"
	"fmt"
	"io"
	"net"
	"net/url"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5/pgproto3"
)

// wireTap is a TCP proxy between the server and PostgreSQL that decodes the
// protocol messages going through it, so a test can see what a request
// really sent: how many round trips, which statements, which rows came
// back. It only reads the traffic; every byte is forwarded unchanged.
type wireTap struct {
	t  testing.TB
	ln net.Listener

	mu sync.Mutex
	// target is PostgreSQL's host:port, known once through has run.
	target string
	conns  int
	msgs   []wireMsg
	// mark is where the traffic of interest starts (see reset).
	mark int
	// spoke[c]: the server sent something on connection c since the
	// client's last message; the client's next message starts a new turn.
	spoke map[int]bool
	turn  map[int]int
}

// wireMsg is one protocol message as seen by the tap.
type wireMsg struct {
	conn       int
	fromClient bool
	typ        byte
	body       []byte
	// turn numbers the client's sends on its connection: messages the
	// client writes before the server has answered anything share a turn,
	// so a pipeline is one turn and one network round trip.
	turn int
}

// newWireTap starts a tap; through is for apitest.Through.
func newWireTap(t testing.TB) *wireTap {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	w := &wireTap{t: t, ln: ln, spoke: map[int]bool{}, turn: map[int]int{}}
	t.Cleanup(func() { ln.Close() })
	go w.accept()
	return w
}

// through rewrites a connection string to go through the tap.
func (w *wireTap) through(uri string) string {
	u, err := url.Parse(uri)
	if err != nil {
		w.t.Fatalf("wiretap: %v", err)
	}
	w.mu.Lock()
	w.target = u.Host
	w.mu.Unlock()
	u.Host = w.ln.Addr().String()
	return u.String()
}

func (w *wireTap) accept() {
	for {
		c, err := w.ln.Accept()
		if err != nil {
			return
		}
		w.mu.Lock()
		target := w.target
		w.mu.Unlock()
		s, err := net.Dial("tcp", target)
		if err != nil {
			c.Close()
			continue
		}
		w.mu.Lock()
		w.conns++
		id := w.conns
		w.mu.Unlock()
		go w.pump(id, c, s, true)
		go w.pump(id, s, c, false)
	}
}

// pump forwards one direction message by message. The client's first
// message (startup) has no type byte.
func (w *wireTap) pump(id int, from, to net.Conn, fromClient bool) {
	defer from.Close()
	defer to.Close()
	startup := fromClient
	var head [5]byte
	for {
		var typ byte
		var n int
		if startup {
			if _, err := io.ReadFull(from, head[:4]); err != nil {
				return
			}
			n = int(binary.BigEndian.Uint32(head[:4])) - 4
		} else {
			if _, err := io.ReadFull(from, head[:5]); err != nil {
				return
			}
			typ, n = head[0], int(binary.BigEndian.Uint32(head[1:5]))-4
		}
		if n < 0 {
			return
		}
		body := make([]byte, n)
		if _, err := io.ReadFull(from, body); err != nil {
			return
		}
		w.record(id, fromClient, typ, body)
		out := head[:5]
		if startup {
			out = head[:4]
			startup = false
		}
		if _, err := to.Write(append(append([]byte(nil), out...), body...)); err != nil {
			return
		}
	}
}

func (w *wireTap) record(id int, fromClient bool, typ byte, body []byte) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if fromClient {
		if w.spoke[id] || w.turn[id] == 0 {
			w.turn[id]++
			w.spoke[id] = false
		}
	} else {
		w.spoke[id] = true
	}
	w.msgs = append(w.msgs, wireMsg{conn: id, fromClient: fromClient, typ: typ, body: body, turn: w.turn[id]})
}

// reset starts a new exchange: exchange decodes the traffic from here on.
// The messages before it stay known, for the statements prepared there.
func (w *wireTap) reset() {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.mark = len(w.msgs)
}

// wireExchange is what one request did on the wire, decoded.
type wireExchange struct {
	// conns are the connections used; turns the client sends on them,
	// not counting pgxpool's liveness pings and connection startups.
	conns, turns int
	syncs        int
	// simple are simple-protocol queries (other than pings).
	simple []string
	// parsed are the statements prepared (Parse), in order.
	parsed []string
	// results are the executed statements with the rows they returned.
	results []wireResult
}

type wireResult struct {
	sql  string
	rows [][][]byte
}

// exchange decodes the traffic since the last reset.
func (w *wireTap) exchange(t testing.TB) *wireExchange {
	t.Helper()
	w.mu.Lock()
	all := append([]wireMsg(nil), w.msgs...)
	mark := w.mark
	msgs := all[mark:]
	w.mu.Unlock()

	ex := &wireExchange{}
	// Housekeeping turns do not count: pgxpool pings a connection that sat
	// idle for a second before handing it out, and opens a new one with
	// a startup message when none is free.
	type turnKey struct{ conn, turn int }
	housekeeping := map[turnKey]bool{}
	for _, m := range msgs {
		if !m.fromClient {
			continue
		}
		k := turnKey{m.conn, m.turn}
		hk := m.typ == 0 || m.typ == 'Q' && queryText(t, m.body) == "-- ping"
		if v, seen := housekeeping[k]; !seen {
			housekeeping[k] = hk
		} else {
			housekeeping[k] = v && hk
		}
	}
	conns := map[int]bool{}
	for k, hk := range housekeeping {
		if !hk {
			conns[k.conn] = true
			ex.turns++
		}
	}
	ex.conns = len(conns)

	// Match executions with results: a connection's Execute messages are
	// answered in order, each by its rows and then CommandComplete,
	// EmptyQueryResponse or ErrorResponse.
	// Statements may have been prepared before the mark: read from the
	// start, collect from the mark.
	stmts := map[int]map[string]string{} // conn -> statement name -> SQL
	bound := map[int][]string{}          // conn -> SQL of each Execute, in order
	lastBind := map[int]string{}
	current := map[int]*wireResult{}
	for i, m := range all {
		if m.fromClient && m.typ == 'P' {
			var p pgproto3.Parse
			if err := p.Decode(m.body); err != nil {
				t.Fatalf("wiretap: Parse: %v", err)
			}
			if stmts[m.conn] == nil {
				stmts[m.conn] = map[string]string{}
			}
			stmts[m.conn][p.Name] = p.Query
			if i >= mark {
				ex.parsed = append(ex.parsed, p.Query)
			}
		}
		if i < mark {
			continue
		}
		switch {
		case m.fromClient && m.typ == 'B':
			var b pgproto3.Bind
			if err := b.Decode(m.body); err != nil {
				t.Fatalf("wiretap: Bind: %v", err)
			}
			lastBind[m.conn] = stmts[m.conn][b.PreparedStatement]
		case m.fromClient && m.typ == 'E':
			bound[m.conn] = append(bound[m.conn], lastBind[m.conn])
		case m.fromClient && m.typ == 'S':
			ex.syncs++
		case m.fromClient && m.typ == 'Q':
			if q := queryText(t, m.body); q != "-- ping" {
				ex.simple = append(ex.simple, q)
			}
		case !m.fromClient && m.typ == 'D':
			var d pgproto3.DataRow
			if err := d.Decode(m.body); err != nil {
				t.Fatalf("wiretap: DataRow: %v", err)
			}
			if current[m.conn] == nil {
				current[m.conn] = &wireResult{}
			}
			row := make([][]byte, len(d.Values))
			for i, v := range d.Values {
				if v != nil {
					row[i] = append([]byte{}, v...)
				}
			}
			current[m.conn].rows = append(current[m.conn].rows, row)
		case !m.fromClient && (m.typ == 'C' || m.typ == 'I' || m.typ == 'E'):
			if len(bound[m.conn]) == 0 {
				continue // a simple query's answer
			}
			r := current[m.conn]
			if r == nil {
				r = &wireResult{}
			}
			r.sql, bound[m.conn] = bound[m.conn][0], bound[m.conn][1:]
			ex.results = append(ex.results, *r)
			current[m.conn] = nil
		}
	}
	return ex
}

func queryText(t testing.TB, body []byte) string {
	t.Helper()
	var q pgproto3.Query
	if err := q.Decode(body); err != nil {
		t.Fatalf("wiretap: Query: %v", err)
	}
	return q.String
}

// only returns the one result whose SQL satisfies match.
func (ex *wireExchange) only(match func(sql string) bool) (wireResult, error) {
	var found []wireResult
	for _, r := range ex.results {
		if match(r.sql) {
			found = append(found, r)
		}
	}
	if len(found) != 1 {
		return wireResult{}, fmt.Errorf("%d matching statements", len(found))
	}
	return found[0], nil
}
