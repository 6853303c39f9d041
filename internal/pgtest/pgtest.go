// Package pgtest starts a throwaway PostgreSQL cluster for tests: initdb into a
// temporary folder, pg_ctl start on a unix socket there and on a free
// 127.0.0.1 port, and databases cloned from fixture templates so tests can run
// in parallel. When the test runs as root, PostgreSQL runs as the "postgres"
// OS user. Nothing here mocks the database.
//
// A test binary calls Main from TestMain; tests then call NewDB. The binaries
// are looked up in $PG_BIN, /usr/lib/postgresql/15/bin, then `pg_config
// --bindir`. Without them the tests fail: a skipped database suite asserts
// nothing.
package pgtest

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
)

// Cluster is a running throwaway PostgreSQL cluster.
type Cluster struct {
	// Dir holds the data folder, the log and the unix socket.
	Dir string
	// Port is the TCP port on 127.0.0.1.
	Port int
	// Bin is the folder of initdb, pg_ctl and psql.
	Bin string

	data   string
	osUser *user.User // non-nil when PostgreSQL runs as another OS user

	mu        sync.Mutex
	templates map[string]*templateState
	// loading serialises fixture loads: fixtures create cluster-wide
	// objects (roles) guarded by "if not exists", which races when two
	// templates load at once and fails one of them with "role already
	// exists".
	loading sync.Mutex
	dbSeq   atomic.Int64
}

type templateState struct {
	once sync.Once
	err  error
}

var shared *Cluster

// Main starts the shared cluster, runs the tests and stops the cluster. Call
// it from TestMain:
//
//	func TestMain(m *testing.M) { pgtest.Main(m) }
func Main(m *testing.M) {
	c, err := Start()
	if err != nil {
		fmt.Fprintln(os.Stderr, "pgtest:", err)
		os.Exit(1)
	}
	shared = c
	code := m.Run()
	c.Stop()
	os.Exit(code)
}

// Shared returns the cluster Main started; it fails the test when Main was
// not called.
func Shared(t testing.TB) *Cluster {
	t.Helper()
	if shared == nil {
		t.Fatal("pgtest: no cluster: call pgtest.Main from TestMain")
	}
	return shared
}

// FindBin returns the folder holding the PostgreSQL server binaries.
func FindBin() (string, error) {
	var candidates []string
	if b := os.Getenv("PG_BIN"); b != "" {
		candidates = append(candidates, b)
	}
	candidates = append(candidates, "/usr/lib/postgresql/15/bin")
	if out, err := exec.Command("pg_config", "--bindir").Output(); err == nil {
		candidates = append(candidates, strings.TrimSpace(string(out)))
	}
	for _, c := range candidates {
		if _, err := os.Stat(filepath.Join(c, "initdb")); err == nil {
			return c, nil
		}
	}
	return "", errors.New("PostgreSQL server binaries (initdb, pg_ctl) not found: install postgresql-15 or set PG_BIN")
}

// Start creates and starts a new cluster. The caller must Stop it.
func Start() (*Cluster, error) { return StartWith("") }

// StartWith is Start with more postgresql.conf lines, which override the
// defaults (the bench command tunes its cluster with them).
func StartWith(settings string) (*Cluster, error) {
	bin, err := FindBin()
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "restgres-pgtest-")
	if err != nil {
		return nil, err
	}
	c := &Cluster{Dir: dir, Bin: bin, data: filepath.Join(dir, "data"), templates: map[string]*templateState{}}
	if os.Geteuid() == 0 {
		u, err := user.Lookup("postgres")
		if err != nil {
			os.RemoveAll(dir)
			return nil, errors.New("running as root: PostgreSQL needs the non-root OS user \"postgres\"")
		}
		c.osUser = u
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		if err := os.Chown(dir, uid, gid); err != nil {
			os.RemoveAll(dir)
			return nil, err
		}
		os.Chmod(dir, 0o755)
	}
	c.Port, err = FreePort()
	if err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	if out, err := c.command(filepath.Join(bin, "initdb"), "-D", c.data, "-U", "postgres", "--auth=trust",
		"--no-locale", "--encoding=UTF8", "--nosync").CombinedOutput(); err != nil {
		os.RemoveAll(dir)
		return nil, fmt.Errorf("initdb: %v\n%s", err, out)
	}
	conf := fmt.Sprintf(`
listen_addresses = '127.0.0.1'
port = %d
unix_socket_directories = '%s'
timezone = 'UTC'
log_timezone = 'UTC'
fsync = off
synchronous_commit = off
full_page_writes = off
max_connections = 300
`, c.Port, dir) + settings
	f, err := os.OpenFile(filepath.Join(c.data, "postgresql.conf"), os.O_APPEND|os.O_WRONLY, 0)
	if err == nil {
		_, err = f.WriteString(conf)
		f.Close()
	}
	if err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	if out, err := c.command(filepath.Join(bin, "pg_ctl"), "-D", c.data, "-l", filepath.Join(dir, "postgres.log"),
		"-w", "-t", "60", "start").CombinedOutput(); err != nil {
		os.RemoveAll(dir)
		return nil, fmt.Errorf("pg_ctl start: %v\n%s", err, out)
	}
	c.startReaper()
	return c, nil
}

// startReaper starts a small detached process that stops the cluster and
// removes its folder once this process is gone. Stop does that on a normal
// exit; the reaper covers the rest (a panicking test, a killed binary),
// which would otherwise leave a postgres running. It polls /proc rather
// than signalling, since it may run as another OS user than the tests.
func (c *Cluster) startReaper() {
	script := fmt.Sprintf(`while [ -d /proc/%d ]; do sleep 1; done
[ -d %[2]q ] && %[3]q -D %[4]q -m immediate -w stop >/dev/null 2>&1
rm -rf %[2]q`, os.Getpid(), c.Dir, filepath.Join(c.Bin, "pg_ctl"), c.data)
	cmd := c.command("/bin/sh", "-c", script)
	if cmd.SysProcAttr == nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{}
	}
	cmd.SysProcAttr.Setsid = true // outlive the test's process group
	if err := cmd.Start(); err == nil {
		go cmd.Wait()
	}
}

// Stop stops the cluster and removes its folder.
func (c *Cluster) Stop() {
	c.command(filepath.Join(c.Bin, "pg_ctl"), "-D", c.data, "-m", "immediate", "-w", "stop").Run()
	os.RemoveAll(c.Dir)
}

// command runs a PostgreSQL binary as the cluster's OS user.
func (c *Cluster) command(name string, args ...string) *exec.Cmd {
	cmd := exec.Command(name, args...)
	cmd.Dir = c.Dir
	cmd.Env = append(os.Environ(), "TZ=UTC", "PGTZ=UTC")
	if c.osUser != nil {
		uid, _ := strconv.Atoi(c.osUser.Uid)
		gid, _ := strconv.Atoi(c.osUser.Gid)
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}}
		cmd.Env = append(cmd.Env, "HOME="+c.osUser.HomeDir)
	}
	return cmd
}

// URI returns a connection string for db as user over TCP.
func (c *Cluster) URI(db, user string) string {
	return fmt.Sprintf("postgresql://%s@127.0.0.1:%d/%s?sslmode=disable", user, c.Port, db)
}

// Psql runs psql as the superuser on db with the given extra arguments
// (e.g. "-c", sql or "-f", file) and stops at the first error.
func (c *Cluster) Psql(db string, vars map[string]string, args ...string) error {
	all := []string{"-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", c.Dir, "-p", strconv.Itoa(c.Port), "-U", "postgres", "-d", db}
	for k, v := range vars {
		all = append(all, "-v", k+"="+v)
	}
	all = append(all, args...)
	cmd := c.command(filepath.Join(c.Bin, "psql"), all...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		return fmt.Errorf("psql %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return nil
}

// Template creates, once per cluster, a template database named name loaded
// with the SQL files (run by psql as the superuser, in order). Files are read
// by this process and piped to psql, so they need not be readable by the
// PostgreSQL OS user.
func (c *Cluster) Template(name string, files ...string) error {
	c.mu.Lock()
	st, ok := c.templates[name]
	if !ok {
		st = &templateState{}
		c.templates[name] = st
	}
	c.mu.Unlock()
	st.once.Do(func() {
		c.loading.Lock()
		defer c.loading.Unlock()
		if err := c.Psql("postgres", nil, "-c", "CREATE DATABASE "+quoteIdent(name)); err != nil {
			st.err = err
			return
		}
		for _, f := range files {
			sql, err := os.ReadFile(f)
			if err != nil {
				st.err = err
				return
			}
			cmd := c.command(filepath.Join(c.Bin, "psql"), "-X", "-q", "-v", "ON_ERROR_STOP=1",
				"-h", c.Dir, "-p", strconv.Itoa(c.Port), "-U", "postgres", "-d", name)
			cmd.Stdin = strings.NewReader(string(sql))
			if out, err := cmd.CombinedOutput(); err != nil {
				st.err = fmt.Errorf("loading %s: %v\n%s", f, err, out)
				return
			}
		}
	})
	return st.err
}

// CreateDB clones template into a new database, dropped when the test ends,
// and returns its name.
func (c *Cluster) CreateDB(t testing.TB, template string) string {
	t.Helper()
	name := fmt.Sprintf("t_%d_%d", os.Getpid(), c.dbSeq.Add(1))
	// CREATE DATABASE ... TEMPLATE fails while another session is connected
	// to the template; templates have no sessions once loaded.
	if err := c.Psql("postgres", nil, "-c", "CREATE DATABASE "+quoteIdent(name)+" TEMPLATE "+quoteIdent(template)); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		c.Psql("postgres", nil, "-c", "DROP DATABASE IF EXISTS "+quoteIdent(name)+" WITH (FORCE)")
	})
	return name
}

// NewDB loads the fixture files into a template (once), clones it for this
// test and returns a superuser pool on the clone, closed when the test ends.
func NewDB(t testing.TB, files ...string) (*pgxpool.Pool, string) {
	t.Helper()
	c := Shared(t)
	tmpl := "tmpl_" + strconv.FormatUint(hashStrings(files), 36)
	if err := c.Template(tmpl, files...); err != nil {
		t.Fatal(err)
	}
	db := c.CreateDB(t, tmpl)
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	pool, err := pgxpool.New(ctx, c.URI(db, "postgres"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	return pool, db
}

func hashStrings(ss []string) uint64 {
	var h uint64 = 14695981039346656037
	for _, s := range ss {
		for i := 0; i < len(s); i++ {
			h ^= uint64(s[i])
			h *= 1099511628211
		}
		h ^= 0xff
		h *= 1099511628211
	}
	return h
}

func quoteIdent(s string) string {
	return `"` + strings.ReplaceAll(s, `"`, `""`) + `"`
}

// FreePort returns a TCP port on 127.0.0.1 that is free now.
func FreePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}
