package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/restgres/restgres/internal/jsonenc"
	"github.com/restgres/restgres/internal/scenario"
	"github.com/restgres/restgres/internal/sqlgen"
)

// run is what one load generator run measured.
type run struct {
	requests     int
	seconds      float64
	p50, p99     time.Duration
	statusErrors int // wrk: statuses >= 400; pgbench: failed transactions
	socketErrors int
	loadgenCPU   time.Duration
}

// loadgen is how the load generators run: on which CPUs (taskset), for how
// long, with how many connections.
type loadgen struct {
	cpus  string // "" for no pinning
	conns int
	dir   string // scripts and logs
}

func (lg *loadgen) command(name string, args ...string) *exec.Cmd {
	if lg.cpus != "" {
		return exec.Command("taskset", append([]string{"-c", lg.cpus, name}, args...)...)
	}
	return exec.Command(name, args...)
}

// cpuOf is the CPU time a finished command used.
func cpuOf(cmd *exec.Cmd) time.Duration {
	if cmd.ProcessState == nil {
		return 0
	}
	return cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
}

// wrk runs wrk with bench/wrk.lua for d against base.
func (lg *loadgen) wrk(base string, s scenario.Scenario, films int, d time.Duration, seed int) (run, error) {
	var hdr strings.Builder
	for i := 0; i+1 < len(s.Headers); i += 2 {
		fmt.Fprintf(&hdr, "%s: %s\n", s.Headers[i], s.Headers[i+1])
	}
	cmd := lg.command("wrk", "-t1", "-c"+strconv.Itoa(lg.conns), "-d"+strconv.Itoa(int(d.Seconds()))+"s",
		"--timeout", "10s", "-s", filepath.Join(lg.dir, "wrk.lua"), base)
	cmd.Env = append(os.Environ(), "BENCH_METHOD="+s.Method, "BENCH_PATH="+s.Path, "BENCH_BODY="+s.Body,
		"BENCH_HEADERS="+hdr.String(), "BENCH_MAX="+strconv.Itoa(s.Max(films)), "BENCH_SEED="+strconv.Itoa(seed))
	out, err := cmd.CombinedOutput()
	_, line, found := bytes.Cut(out, []byte("BENCH "))
	if err != nil || !found {
		return run{}, fmt.Errorf("wrk: %v\n%s", err, out)
	}
	line, _, _ = bytes.Cut(line, []byte("\n"))
	var w struct {
		Requests     int   `json:"requests"`
		DurationUS   int64 `json:"duration_us"`
		StatusErrors int   `json:"status_errors"`
		SocketErrors int   `json:"socket_errors"`
		P50          int64 `json:"p50_us"`
		P99          int64 `json:"p99_us"`
	}
	if err := json.Unmarshal(line, &w); err != nil {
		return run{}, fmt.Errorf("wrk's report %q: %v", line, err)
	}
	return run{
		requests: w.Requests, seconds: float64(w.DurationUS) / 1e6,
		p50: time.Duration(w.P50) * time.Microsecond, p99: time.Duration(w.P99) * time.Microsecond,
		statusErrors: w.StatusErrors, socketErrors: w.SocketErrors, loadgenCPU: cpuOf(cmd),
	}, nil
}

// The pgbench rows run the statements restgres sends for each scenario,
// with the values written into the text (pgbench variables for the ones
// that vary), so that they measure PostgreSQL's share of a request and
// the round trips, without HTTP and without the server:
//
//	pgbench       the main statement alone
//	pgbench+tx    BEGIN, the set_config statement, the main statement and
//	              COMMIT, one round trip each (a server that does not
//	              pipeline)
//	pgbench+pipe  the same four in one pipeline: one round trip, as
//	              restgres sends them; the ceiling for restgres
var pgbenchModes = []string{"pgbench", "pgbench+tx", "pgbench+pipe"}

// pgbenchScript is the script of a scenario in a mode.
func pgbenchScript(s scenario.Scenario, mode string, films int) (string, error) {
	main, sets, err := pgbenchSQL(s)
	if err != nil {
		return "", err
	}
	var b strings.Builder
	fmt.Fprintf(&b, "\\set n random(1, %d)\n", s.Max(films))
	for _, set := range sets {
		b.WriteString(set + "\n")
	}
	if mode == "pgbench" {
		b.WriteString(main + ";\n")
		return b.String(), nil
	}
	if mode == "pgbench+pipe" {
		b.WriteString("\\startpipeline\n")
	}
	path, _, _ := strings.Cut(s.Path, "?")
	headers := []byte(`{"host":"127.0.0.1"`)
	for i := 0; i+1 < len(s.Headers); i += 2 {
		headers = append(headers, ',')
		headers = jsonenc.AppendString(headers, strings.ToLower(s.Headers[i]))
		headers = append(headers, ':')
		headers = jsonenc.AppendString(headers, s.Headers[i+1])
	}
	setup := sqlgen.TxSetup(&sqlgen.TxVars{
		SearchPath: sqlgen.SearchPath([]string{"api", "public"}),
		Role:       "web_anon",
		Claims:     []byte(`{"role":"web_anon"}`),
		Method:     s.Method,
		Path:       path,
		Headers:    append(headers, '}'),
		Cookies:    []byte("{}"),
	})
	b.WriteString(sqlgen.Begin("", s.ReadOnly) + ";\n")
	setupSQL, _ := inline(setup, "")
	b.WriteString(setupSQL + ";\n")
	b.WriteString(main + ";\n")
	b.WriteString("COMMIT;\n")
	if mode == "pgbench+pipe" {
		b.WriteString("\\endpipeline\n")
	}
	return b.String(), nil
}

// marker stands for the varying number in a scenario's request, so that
// it can be found in the parameters of the statement built for it.
const marker = "987654321"

// pgbenchSQL is the main statement sqlgen builds for a scenario, with its
// parameters written in (see inline).
func pgbenchSQL(s scenario.Scenario) (sql string, sets []string, err error) {
	n, _ := strconv.Atoi(marker)
	req, p, err := s.Plan(n, scenario.Cache())
	if err != nil {
		return "", nil, err
	}
	q := scenario.Main(req, p)
	if q.SQL == "" {
		return "", nil, fmt.Errorf("%s: no main statement for plan kind %v", s.Name, p.Kind)
	}
	sql, sets = inline(q, marker)
	return sql, sets, nil
}

// inline writes the parameters of q into its text for pgbench: the marker
// becomes the variable :n, other integers variables of their own (set
// with \set, returned in sets), so that they stay parameters as in
// restgres' prepared statements (LIMIT $2 is planned differently from
// LIMIT 100); other values become string literals. Values keep their
// parameter's type; untyped ones stay untyped.
func inline(q sqlgen.Query, marker string) (sql string, sets []string) {
	lits := make([]string, len(q.Args))
	for i, a := range q.Args {
		v := string(a)
		_, intErr := strconv.ParseInt(v, 10, 64)
		switch {
		case marker != "" && v == marker:
			lits[i] = ":n"
		case marker != "" && strings.Contains(v, marker):
			before, after, _ := strings.Cut(v, marker)
			lits[i] = "(" + quoteLiteral(before) + " || :n || " + quoteLiteral(after) + ")"
		case intErr == nil:
			name := "p" + strconv.Itoa(i+1)
			sets = append(sets, "\\set "+name+" "+v)
			lits[i] = ":" + name
		default:
			lits[i] = quoteLiteral(v)
		}
		switch q.OIDs[i] {
		case 0:
		case 114:
			lits[i] += "::json"
		case 3802:
			lits[i] += "::jsonb"
		default:
			lits[i] += "::text"
		}
	}
	// one pass over the text, so that a value holding "$2" stays as it
	// is; the scenarios' statements have no other '$' than placeholders
	var b strings.Builder
	sql = q.SQL
	for {
		i := strings.IndexByte(sql, '$')
		if i < 0 {
			b.WriteString(sql)
			return b.String(), sets
		}
		j := i + 1
		for j < len(sql) && sql[j] >= '0' && sql[j] <= '9' {
			j++
		}
		n, err := strconv.Atoi(sql[i+1 : j])
		b.WriteString(sql[:i])
		if err != nil || n < 1 || n > len(lits) {
			b.WriteString(sql[i:j])
		} else {
			b.WriteString(lits[n-1])
		}
		sql = sql[j:]
	}
}

func quoteLiteral(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

var (
	tpsRe    = regexp.MustCompile(`tps = ([0-9.]+) \(without initial connection time\)`)
	doneRe   = regexp.MustCompile(`number of transactions actually processed: (\d+)`)
	failedRe = regexp.MustCompile(`number of failed transactions: (\d+)`)
)

// pgbench runs a scenario's script for d; with latencies, it logs every
// transaction to read the percentiles.
func (lg *loadgen) pgbench(c *cluster, s scenario.Scenario, mode string, films int, d time.Duration, latencies bool) (run, error) {
	text, err := pgbenchScript(s, mode, films)
	if err != nil {
		return run{}, err
	}
	script := filepath.Join(lg.dir, "pgbench-"+s.Name+"-"+strings.ReplaceAll(mode, "+", "-")+".sql")
	if err := os.WriteFile(script, []byte(text), 0o644); err != nil {
		return run{}, err
	}
	logPrefix := filepath.Join(lg.dir, "pgbench-log")
	args := []string{"-n", "-M", "prepared", "-c", strconv.Itoa(lg.conns), "-j", "1", "-T", strconv.Itoa(int(d.Seconds())),
		"-f", script, "-h", "127.0.0.1", "-p", strconv.Itoa(c.Port), "-U", "authenticator", dbName}
	if latencies {
		args = append(args, "-l", "--log-prefix="+logPrefix)
	}
	cmd := lg.command(filepath.Join(c.Bin, "pgbench"), args...)
	cmd.Dir = lg.dir
	// Sessions start as web_anon: the bare statement needs its
	// privileges, and in a pipeline pgbench prepares every statement
	// before running the first. The other rows still switch roles with
	// set_config('role', ...), as restgres does.
	cmd.Env = append(os.Environ(), "PGOPTIONS=-c role=web_anon")
	out, err := cmd.CombinedOutput()
	m := tpsRe.FindSubmatch(out)
	if err != nil || m == nil {
		return run{}, fmt.Errorf("pgbench: %v\n%s", err, out)
	}
	tps, _ := strconv.ParseFloat(string(m[1]), 64)
	r := run{seconds: d.Seconds(), loadgenCPU: cpuOf(cmd)}
	if m := doneRe.FindSubmatch(out); m != nil {
		r.requests, _ = strconv.Atoi(string(m[1]))
	}
	if tps > 0 {
		r.seconds = float64(r.requests) / tps
	}
	if m := failedRe.FindSubmatch(out); m != nil {
		r.statusErrors, _ = strconv.Atoi(string(m[1]))
	}
	if latencies {
		lat, err := readPgbenchLogs(lg.dir, filepath.Base(logPrefix))
		if err != nil {
			return run{}, err
		}
		r.p50, r.p99 = percentile(lat, 50), percentile(lat, 99)
	}
	return r, nil
}

// readPgbenchLogs reads and removes pgbench's per-transaction logs; the
// third field of each line is the latency in microseconds.
func readPgbenchLogs(dir, prefix string) ([]time.Duration, error) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var lat []time.Duration
	for _, e := range ents {
		if !strings.HasPrefix(e.Name(), prefix+".") {
			continue
		}
		path := filepath.Join(dir, e.Name())
		f, err := os.Open(path)
		if err != nil {
			return nil, err
		}
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			if fields := strings.Fields(sc.Text()); len(fields) >= 3 {
				us, _ := strconv.ParseInt(fields[2], 10, 64)
				lat = append(lat, time.Duration(us)*time.Microsecond)
			}
		}
		f.Close()
		os.Remove(path)
	}
	if len(lat) == 0 {
		return nil, errors.New("pgbench wrote no transaction log")
	}
	slices.Sort(lat)
	return lat, nil
}

func percentile(sorted []time.Duration, p int) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	return sorted[min(len(sorted)-1, len(sorted)*p/100)]
}
