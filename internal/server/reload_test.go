package server_test

import (
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/restgres/restgres/internal/apitest"
	"github.com/restgres/restgres/internal/config"
	"github.com/restgres/restgres/internal/pgtest"
	"github.com/restgres/restgres/internal/server"
)

// running is a restgres serving on a real port, as the binary does.
type running struct {
	base   string
	cancel context.CancelFunc
	done   chan error
}

func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// startServer runs App.Run on the database of api with the given extra
// environment, and waits until it answers.
func startServer(t *testing.T, api *apitest.API, env ...string) *running {
	t.Helper()
	port := freePort(t)
	environ := append([]string{
		"PGRST_DB_URI=" + pgtest.Shared(t).URI(api.DB, apitest.Authenticator),
		"PGRST_DB_SCHEMAS=api",
		"PGRST_DB_ANON_ROLE=" + apitest.AnonRole,
		"PGRST_SERVER_HOST=127.0.0.1",
		"PGRST_SERVER_PORT=" + strconv.Itoa(port),
		"PGRST_LOG_LEVEL=crit",
	}, env...)
	cfg, err := config.Load("", environ)
	if err != nil {
		t.Fatal(err)
	}
	app, err := server.NewApp(cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	app.Environ = environ
	ctx, cancel := context.WithCancel(context.Background())
	r := &running{base: "http://127.0.0.1:" + strconv.Itoa(port), cancel: cancel, done: make(chan error, 1)}
	go func() { r.done <- app.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-r.done:
			if err != nil {
				t.Errorf("Run: %v", err)
			}
		case <-time.After(30 * time.Second):
			t.Error("Run did not stop")
		}
		app.Close()
	})
	r.waitStatus(t, "/directors?select=id&limit=1", http.StatusOK)
	return r
}

func (r *running) status(t *testing.T, path string) int {
	t.Helper()
	resp, err := http.Get(r.base + path)
	if err != nil {
		return 0
	}
	resp.Body.Close()
	return resp.StatusCode
}

// waitStatus polls until path answers want (reloads are asynchronous).
func (r *running) waitStatus(t *testing.T, path string, want int) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	got := 0
	for time.Now().Before(deadline) {
		if got = r.status(t, path); got == want {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("GET %s: status %d, want %d", path, got, want)
}

func TestNotifyReloadsSchemaAndConfig(t *testing.T) {
	t.Parallel()
	api := newAPI(t)
	r := startServer(t, api, "PGRST_DB_CHANNEL_ENABLED=true")
	ctx := t.Context()

	r.waitStatus(t, "/studios", http.StatusNotFound)
	if _, err := api.Admin.Exec(ctx, "create table api.studios (id int primary key); grant select on api.studios to "+apitest.AnonRole); err != nil {
		t.Fatal(err)
	}
	if _, err := api.Admin.Exec(ctx, "notify pgrst, 'reload schema'"); err != nil {
		t.Fatal(err)
	}
	r.waitStatus(t, "/studios", http.StatusOK)

	// in-database config, applied on 'reload config'
	// role settings are cluster-wide: scope them to this test's database
	inDB := "alter role " + apitest.Authenticator + " in database " + api.DB
	if _, err := api.Admin.Exec(ctx, inDB+" set pgrst.db_schemas = 'nope'"); err != nil {
		t.Fatal(err)
	}
	if _, err := api.Admin.Exec(ctx, "notify pgrst, 'reload config'"); err != nil {
		t.Fatal(err)
	}
	// the schema no longer exists, so the cache cannot load and the old
	// one keeps serving
	time.Sleep(500 * time.Millisecond)
	if got := r.status(t, "/studios"); got != http.StatusOK {
		t.Errorf("after a failed config reload: %d, want the old config serving", got)
	}
	if _, err := api.Admin.Exec(ctx, inDB+" set pgrst.db_max_rows = '1'; "+inDB+" reset pgrst.db_schemas"); err != nil {
		t.Fatal(err)
	}
	if _, err := api.Admin.Exec(ctx, "notify pgrst, 'reload config'"); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(20 * time.Second)
	for {
		resp, err := http.Get(r.base + "/films?select=id")
		if err == nil {
			cr := resp.Header.Get("Content-Range")
			resp.Body.Close()
			if cr == "0-0/*" {
				break
			}
		}
		if time.Now().After(deadline) {
			t.Fatal("db-max-rows from the database was not applied on 'reload config'")
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestSignalReloadsSchema is not parallel: it signals the whole test
// process, which only Run's handler may receive.
func TestSignalReloadsSchema(t *testing.T) {
	api := newAPI(t)
	r := startServer(t, api)
	if _, err := api.Admin.Exec(t.Context(), "create table api.awards (id int primary key); grant select on api.awards to "+apitest.AnonRole); err != nil {
		t.Fatal(err)
	}
	r.waitStatus(t, "/awards", http.StatusNotFound)
	if err := syscall.Kill(os.Getpid(), syscall.SIGUSR1); err != nil {
		t.Fatal(err)
	}
	r.waitStatus(t, "/awards", http.StatusOK)
}
