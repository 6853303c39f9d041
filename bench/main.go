// Command bench measures restgres against the limit PostgreSQL sets, on a
// throwaway cluster: the five scenarios of internal/scenario (S1–S5), each
// run with wrk against the server and with pgbench straight against
// PostgreSQL in the same run, and prints one table. Run it with
// ./scripts/bench, which installs what is missing and builds the server;
// bench/README.md explains the columns.
//
//	go run ./bench [-server restgres=bin/restgres] [-server postgrest=/path/to/postgrest]
//	               [-scenarios S1,S2] [-films 200000] [-duration 10s] [-warmup 3s] [-conns 10]
//
// Every server is started with the same PGRST_* settings, so PostgREST
// itself can be measured beside restgres. The numbers are throughput and
// CPU time on this machine at this moment: nothing here asserts a
// threshold, and CI does not run it.
package main

import (
	_ "embed"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/restgres/restgres/internal/pgtest"
	"github.com/restgres/restgres/internal/scenario"
)

//go:embed schema.sql
var schemaSQL string

//go:embed wrk.lua
var wrkLua []byte

// server is a server under test: a name for the table and its command.
type server struct {
	name string
	argv []string
}

type serverFlags []server

func (s *serverFlags) String() string { return "" }

func (s *serverFlags) Set(v string) error {
	name, cmd, ok := strings.Cut(v, "=")
	if !ok || name == "" || strings.TrimSpace(cmd) == "" {
		return errors.New("want name=command")
	}
	*s = append(*s, server{name: name, argv: strings.Fields(cmd)})
	return nil
}

// cell is one row of the table: a server or pgbench mode on a scenario.
type cell struct {
	Row          string  `json:"row"`
	Scenario     string  `json:"scenario"`
	Requests     int     `json:"requests"`
	RPS          float64 `json:"rps"`
	P50MS        float64 `json:"p50_ms"`
	P99MS        float64 `json:"p99_ms"`
	Non2xx       int     `json:"non2xx"`
	SocketErrors int     `json:"socket_errors"`
	ServerUS     float64 `json:"server_cpu_us_per_request,omitempty"`
	PostgresUS   float64 `json:"postgres_cpu_us_per_request"`
	RSSMiB       float64 `json:"rss_mib,omitempty"`
	// OtherPct is the CPU other processes used during the run, in % of
	// one core: above 10 the row is noisy.
	OtherPct float64 `json:"other_load_pct"`
	Check    string  `json:"check,omitempty"`
	Err      string  `json:"error,omitempty"`
}

type options struct {
	films, conns, retries int
	duration, warmup      time.Duration
	scenarios             []scenario.Scenario
	pgbench               []string
	loadgenCPUs           string
	jsonOut               string
	hold                  bool
}

func main() {
	var servers serverFlags
	o := options{}
	flag.Var(&servers, "server", "a server to measure, `name=command` (repeatable; default restgres=bin/restgres)")
	scen := flag.String("scenarios", "S1,S2,S3,S4,S5", "scenarios to run")
	pg := flag.String("pgbench", strings.Join(pgbenchModes, ","), `pgbench rows to run ("none" for none)`)
	flag.IntVar(&o.films, "films", 200000, "films in the database (directors = films/40, actors = films/4)")
	flag.IntVar(&o.conns, "conns", 10, "connections: wrk's and pgbench's, and the servers' pool size")
	flag.DurationVar(&o.duration, "duration", 10*time.Second, "measured time per scenario")
	flag.DurationVar(&o.warmup, "warmup", 3*time.Second, "warm-up time before each measurement")
	flag.IntVar(&o.retries, "retries", 1, "measure again (up to this many times) when other processes used over 10% of a core")
	flag.StringVar(&o.loadgenCPUs, "loadgen-cpus", strconv.Itoa(runtime.NumCPU()-1), `CPUs for wrk and pgbench (taskset -c); "" for no pinning`)
	flag.StringVar(&o.jsonOut, "json", "", "also write the results to this file as JSON")
	scripts := flag.Bool("scripts", false, "print the pgbench scripts and exit")
	flag.BoolVar(&o.hold, "hold", false, "set up the database, print how to reach it and wait for Ctrl-C (for profiling by hand)")
	flag.Parse()
	for _, name := range strings.Split(*scen, ",") {
		s, ok := scenario.Get(strings.TrimSpace(name))
		if !ok {
			fatalf("unknown scenario %q", name)
		}
		o.scenarios = append(o.scenarios, s)
	}
	if *pg != "none" && *pg != "" {
		for _, m := range strings.Split(*pg, ",") {
			if m = strings.TrimSpace(m); !slices.Contains(pgbenchModes, m) {
				fatalf("unknown pgbench row %q (want %s)", m, strings.Join(pgbenchModes, ", "))
			}
			o.pgbench = append(o.pgbench, m)
		}
	}
	if *scripts {
		for _, s := range o.scenarios {
			for _, m := range pgbenchModes {
				text, err := pgbenchScript(s, m, o.films)
				if err != nil {
					fatalf("%v", err)
				}
				fmt.Printf("-- %s %s\n%s\n", s.Name, m, text)
			}
		}
		return
	}
	if len(servers) == 0 {
		servers = serverFlags{{name: "restgres", argv: []string{"bin/restgres"}}}
	}
	for i, s := range servers {
		p, err := exec.LookPath(s.argv[0])
		if err != nil {
			fatalf("server %s: %v (build it with go build -o bin/restgres ./cmd/restgres)", s.name, err)
		}
		servers[i].argv[0], _ = filepath.Abs(p)
	}
	if _, err := exec.LookPath("wrk"); err != nil && !o.hold {
		fatalf("wrk not found (apt-get install wrk, or use ./scripts/bench)")
	}
	if o.loadgenCPUs != "" {
		if _, err := exec.LookPath("taskset"); err != nil {
			fmt.Fprintln(os.Stderr, "bench: taskset not found: the load generator is not pinned")
			o.loadgenCPUs = ""
		}
	}
	if err := benchmark(o, servers); err != nil {
		fatalf("%v", err)
	}
}

func benchmark(o options, servers []server) error {
	load := loadAverage()
	logf("starting PostgreSQL")
	c, err := startCluster(o.conns)
	if err != nil {
		return err
	}
	defer c.Stop()
	// Ctrl-C and SIGTERM still stop the cluster and the servers
	stopping := make(chan os.Signal, 1)
	signal.Notify(stopping, os.Interrupt, syscall.SIGTERM)
	go func() {
		<-stopping
		logf("interrupted: stopping")
		killServers()
		c.Stop()
		os.Exit(130)
	}()

	t0 := time.Now()
	if err := c.load(schemaSQL, o.films); err != nil {
		return err
	}
	logf("loaded %d films in %.1fs", o.films, time.Since(t0).Seconds())
	if o.hold {
		fmt.Printf("PostgreSQL is up; for a server:\n\n%s\nPress Ctrl-C to stop.\n", envLines(c, o.conns, 3000))
		select {}
	}
	lg := &loadgen{cpus: o.loadgenCPUs, conns: o.conns, dir: c.Dir}
	if err := os.WriteFile(filepath.Join(c.Dir, "wrk.lua"), wrkLua, 0o644); err != nil {
		return err
	}
	pm, err := c.postmaster()
	if err != nil {
		return err
	}
	m := &meter{postmaster: pm, retries: o.retries}

	var cells []cell
	for _, mode := range o.pgbench {
		for _, s := range o.scenarios {
			resetFor(c, s)
			if o.warmup > 0 {
				lg.pgbench(c, s, mode, o.films, o.warmup, false)
			}
			ce := m.measure(mode, s.Name, 0, func() (run, error) { return lg.pgbench(c, s, mode, o.films, o.duration, true) })
			cells = append(cells, ce)
			progress(ce)
		}
	}
	idle := map[string]float64{}
	for _, srv := range servers {
		cs, idleRSS, err := measureServer(c, lg, m, o, srv)
		if err != nil {
			return err
		}
		idle[srv.name] = idleRSS
		cells = append(cells, cs...)
	}

	fmt.Printf("\nbench: %d CPUs, load average %s before start; %d films, %d connections, %v per cell after a %v warm-up; "+
		"load generator on CPUs %q; %s\n", runtime.NumCPU(), load, o.films, o.conns, o.duration, o.warmup, o.loadgenCPUs, runtime.Version())
	for _, srv := range servers {
		fmt.Printf("  %s: %s; idle RSS %.1f MiB\n", srv.name, strings.Join(srv.argv, " "), idle[srv.name])
	}
	fmt.Println()
	printTable(os.Stdout, cells, o)
	if o.jsonOut != "" {
		b, _ := json.MarshalIndent(cells, "", " ")
		if err := os.WriteFile(o.jsonOut, b, 0o644); err != nil {
			return err
		}
	}
	return nil
}

// resetFor empties the table S4 inserts into, so that every S4 run starts
// from the same state.
func resetFor(c *cluster, s scenario.Scenario) {
	if s.Name == "S4" {
		c.psql("-c", "TRUNCATE api.reviews")
	}
}

// envLines are the PGRST_* settings every server gets.
func envLines(c *cluster, conns, port int) string {
	var b strings.Builder
	for _, kv := range serverEnv(c, conns, port) {
		fmt.Fprintf(&b, "export %s\n", kv)
	}
	return b.String()
}

func serverEnv(c *cluster, conns, port int) []string {
	return []string{
		"PGRST_DB_URI=" + c.uri("authenticator"),
		"PGRST_DB_SCHEMAS=api",
		"PGRST_DB_ANON_ROLE=web_anon",
		"PGRST_DB_POOL=" + strconv.Itoa(conns),
		"PGRST_SERVER_HOST=127.0.0.1",
		"PGRST_SERVER_PORT=" + strconv.Itoa(port),
		"PGRST_LOG_LEVEL=error",
	}
}

// running holds the servers started, for the signal handler.
var running []*exec.Cmd

func killServers() {
	for _, cmd := range running {
		if cmd.Process != nil {
			syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		}
	}
}

// measureServer starts srv, checks that every scenario answers as
// expected and measures them one after the other.
func measureServer(c *cluster, lg *loadgen, m *meter, o options, srv server) ([]cell, float64, error) {
	port, err := pgtest.FreePort()
	if err != nil {
		return nil, 0, err
	}
	cmd := exec.Command(srv.argv[0], srv.argv[1:]...)
	env := []string{}
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "PGRST_") {
			env = append(env, kv)
		}
	}
	cmd.Env = append(env, serverEnv(c, o.conns, port)...)
	cmd.Dir = c.Dir
	logFile, err := os.Create(filepath.Join(c.Dir, srv.name+".log"))
	if err != nil {
		return nil, 0, err
	}
	defer logFile.Close()
	cmd.Stdout, cmd.Stderr = logFile, logFile
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	logf("starting %s on port %d", srv.name, port)
	if err := cmd.Start(); err != nil {
		return nil, 0, fmt.Errorf("%s: %v", srv.name, err)
	}
	running = append(running, cmd)
	defer func() {
		syscall.Kill(-cmd.Process.Pid, syscall.SIGTERM)
		done := make(chan struct{})
		go func() { cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
			<-done
		}
	}()
	base := "http://127.0.0.1:" + strconv.Itoa(port)
	if err := waitReady(base, 60*time.Second); err != nil {
		log, _ := os.ReadFile(logFile.Name())
		return nil, 0, fmt.Errorf("%s: %v\n%s", srv.name, err, log)
	}
	time.Sleep(time.Second)
	idleRSS := rssMiB(cmd.Process.Pid)

	var cells []cell
	for i, s := range o.scenarios {
		resetFor(c, s)
		check := checkScenario(base, s, o.films)
		if o.warmup > 0 {
			lg.wrk(base, s, o.films, o.warmup, 1000+i)
		}
		ce := m.measure(srv.name, s.Name, cmd.Process.Pid, func() (run, error) {
			return lg.wrk(base, s, o.films, o.duration, 2000+i)
		})
		ce.Check = check
		ce.RSSMiB = rssMiB(cmd.Process.Pid)
		cells = append(cells, ce)
		progress(ce)
	}
	return cells, idleRSS, nil
}

func waitReady(base string, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		resp, err := http.Get(base + "/films?id=eq.1")
		if err == nil {
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		time.Sleep(200 * time.Millisecond)
	}
	return fmt.Errorf("no 200 from %s/films?id=eq.1 within %v", base, timeout)
}

// checkScenario sends one request of s (n = 1) and returns "" when the
// answer has the expected status, row count and keys, else what is wrong.
func checkScenario(base string, s scenario.Scenario, films int) string {
	path, body := s.Target(1)
	req, _ := http.NewRequest(s.Method, base+path, strings.NewReader(body))
	for i := 0; i+1 < len(s.Headers); i += 2 {
		req.Header.Set(s.Headers[i], s.Headers[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err.Error()
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != s.Status {
		return fmt.Sprintf("status %d, want %d: %.200s", resp.StatusCode, s.Status, data)
	}
	n := s.Rows(films)
	if n < 0 {
		return ""
	}
	var rows []map[string]json.RawMessage
	if err := json.Unmarshal(data, &rows); err != nil {
		return fmt.Sprintf("body is not a JSON array of objects: %.200s", data)
	}
	if len(rows) != n {
		return fmt.Sprintf("%d rows, want %d", len(rows), n)
	}
	for _, k := range s.Keys {
		if _, ok := rows[0][k]; !ok {
			return fmt.Sprintf("rows lack %q", k)
		}
	}
	return ""
}

// meter measures a run and the CPU time around it.
type meter struct {
	postmaster int
	retries    int
}

// measure runs f; server is the server's pid (0 for pgbench). A run
// during which other processes used more than 10% of a core is repeated,
// up to m.retries times, keeping the quietest.
func (m *meter) measure(row, scen string, server int, f func() (run, error)) cell {
	var best cell
	for attempt := 0; attempt <= m.retries; attempt++ {
		time.Sleep(300 * time.Millisecond) // let the previous run's backends exit
		busy0, pg0 := busyCPU(), treeCPU(m.postmaster)
		var srv0 time.Duration
		if server != 0 {
			srv0 = processCPU(server)
		}
		t0 := time.Now()
		r, err := f()
		wall := time.Since(t0)
		time.Sleep(300 * time.Millisecond)
		busy, pg := busyCPU()-busy0, treeCPU(m.postmaster)-pg0
		var srv time.Duration
		if server != 0 {
			srv = processCPU(server) - srv0
		}
		ce := cell{Row: row, Scenario: scen}
		if err != nil {
			ce.Err = err.Error()
			return ce
		}
		n := max(1, r.requests)
		other := busy - pg - srv - r.loadgenCPU
		ce.Requests = r.requests
		ce.RPS = float64(r.requests) / r.seconds
		ce.P50MS, ce.P99MS = r.p50.Seconds()*1000, r.p99.Seconds()*1000
		ce.Non2xx, ce.SocketErrors = r.statusErrors, r.socketErrors
		ce.PostgresUS = float64(pg.Microseconds()) / float64(n)
		if server != 0 {
			ce.ServerUS = float64(srv.Microseconds()) / float64(n)
		}
		ce.OtherPct = max(0, 100*other.Seconds()/(wall+600*time.Millisecond).Seconds())
		if attempt == 0 || ce.OtherPct < best.OtherPct {
			best = ce
		}
		if ce.OtherPct <= 10 {
			break
		}
		if attempt < m.retries {
			logf("  %s %s: other processes used %.0f%% of a core; measuring again", row, scen, ce.OtherPct)
		}
	}
	return best
}

func progress(c cell) {
	if c.Err != "" {
		logf("  %-13s %s: error: %s", c.Row, c.Scenario, c.Err)
		return
	}
	logf("  %-13s %s: %8.0f req/s  p50 %.2f ms  p99 %.2f ms  non-2xx %d  other load %.0f%%",
		c.Row, c.Scenario, c.RPS, c.P50MS, c.P99MS, c.Non2xx, c.OtherPct)
}

func printTable(w io.Writer, cells []cell, o options) {
	fmt.Fprintf(w, "%-5s %-13s %8s %7s %7s %7s %10s %9s %7s %7s %7s  %s\n", "scen", "row", "req/s", "p50 ms", "p99 ms",
		"non-2xx", "srv µs/req", "pg µs/req", "RSS MiB", "vs pipe", "other%", "note")
	ratios := map[string][]float64{}
	for _, s := range o.scenarios {
		var pipe float64
		for _, c := range cells {
			if c.Scenario == s.Name && c.Row == "pgbench+pipe" {
				pipe = c.RPS
			}
		}
		for _, c := range cells {
			if c.Scenario != s.Name {
				continue
			}
			if c.Err != "" {
				first, _, _ := strings.Cut(c.Err, "\n")
				fmt.Fprintf(w, "%-5s %-13s error: %s\n", c.Scenario, c.Row, first)
				continue
			}
			vs := "-"
			if pipe > 0 {
				vs = fmt.Sprintf("%.2f", c.RPS/pipe)
				ratios[c.Row] = append(ratios[c.Row], c.RPS/pipe)
			}
			var notes []string
			if c.Check != "" {
				notes = append(notes, "CHECK FAILED: "+c.Check)
			}
			if c.SocketErrors > 0 {
				notes = append(notes, fmt.Sprintf("%d socket errors", c.SocketErrors))
			}
			if c.OtherPct > 10 {
				notes = append(notes, "noisy")
			}
			fmt.Fprintf(w, "%-5s %-13s %8.0f %7.2f %7.2f %7d %10s %9.0f %7s %7s %7.0f  %s\n", c.Scenario, c.Row, c.RPS,
				c.P50MS, c.P99MS, c.Non2xx, orDash(c.ServerUS, "%.0f"), c.PostgresUS, orDash(c.RSSMiB, "%.1f"), vs,
				c.OtherPct, strings.Join(notes, "; "))
		}
	}
	if len(ratios) > 0 && len(o.scenarios) > 1 {
		fmt.Fprintln(w, "geometric mean of req/s vs pgbench+pipe:")
		for _, row := range append(slices.Clone(pgbenchModes), rowsOf(cells)...) {
			rs := ratios[row]
			if len(rs) != len(o.scenarios) || row == "pgbench+pipe" {
				continue
			}
			sum := 0.0
			for _, r := range rs {
				sum += math.Log(r)
			}
			fmt.Fprintf(w, "  %-13s %.2f\n", row, math.Exp(sum/float64(len(rs))))
		}
	}
}

// rowsOf lists the server rows, in order.
func rowsOf(cells []cell) []string {
	var out []string
	for _, c := range cells {
		if !slices.Contains(pgbenchModes, c.Row) && !slices.Contains(out, c.Row) {
			out = append(out, c.Row)
		}
	}
	return out
}

func orDash(v float64, format string) string {
	if v == 0 {
		return "-"
	}
	return fmt.Sprintf(format, v)
}

func logf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "bench: "+format+"\n", args...)
}

func fatalf(format string, args ...any) {
	logf(format, args...)
	os.Exit(1)
}
