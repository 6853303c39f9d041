package server

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/restgres/restgres/internal/admin"
	"github.com/restgres/restgres/internal/config"
	"github.com/restgres/restgres/internal/execute"
	"github.com/restgres/restgres/internal/schema"
)

// Version is the restgres version, set at build time with
// -ldflags "-X github.com/restgres/restgres/internal/server.Version=...".
var Version = "0.1.0-dev"

// PoolConfig builds the pgx pool configuration from the db-* settings.
func PoolConfig(cfg *config.Config) (*pgxpool.Config, error) {
	pc, err := pgxpool.ParseConfig(cfg.DBURI)
	if err != nil {
		return nil, fmt.Errorf("db-uri: %w", err)
	}
	pc.MaxConns = int32(cfg.DBPool)
	if pc.MaxConns <= 0 {
		pc.MaxConns = 10
	}
	pc.MinConns = 0
	pc.MaxConnLifetime = cfg.DBPoolMaxLifetime
	pc.MaxConnIdleTime = cfg.DBPoolMaxIdletime
	if pc.ConnConfig.RuntimeParams == nil {
		pc.ConnConfig.RuntimeParams = map[string]string{}
	}
	if _, ok := pc.ConnConfig.RuntimeParams["application_name"]; !ok {
		pc.ConnConfig.RuntimeParams["application_name"] = "restgres"
	}
	// restgres prepares and caches its own statements on the raw
	// connection; pgx's caches would only duplicate them.
	pc.ConnConfig.DefaultQueryExecMode = pgx.QueryExecModeExec
	pc.ConnConfig.StatementCacheCapacity = 0
	pc.ConnConfig.DescriptionCacheCapacity = 0
	return pc, nil
}

// App is a running restgres: the pool, the handler and its reloads.
type App struct {
	Server *Server
	Exec   *execute.Executor
	Pool   *pgxpool.Pool
	// Environ is the environment config reloads read PGRST_* variables
	// from (os.Environ() unless set).
	Environ []string
	log     *slog.Logger

	reloadMu sync.Mutex
	// Metrics are served on the admin server's /metrics.
	Metrics *admin.Metrics
	// schemaLoaded is closed after the first successful schema load.
	schemaLoaded chan struct{}
	// live is set while the API listener serves.
	live       atomic.Bool
	loadedOnce sync.Once
}

// NewApp connects the pool (lazily: connections open on first use) and
// builds the handler.
func NewApp(cfg *config.Config, log *slog.Logger) (*App, error) {
	pc, err := PoolConfig(cfg)
	if err != nil {
		return nil, err
	}
	pool, err := pgxpool.NewWithConfig(context.Background(), pc)
	if err != nil {
		return nil, err
	}
	exec := execute.New(pool, execute.Options{
		Prepared:       cfg.DBPreparedStatements,
		AcquireTimeout: cfg.DBPoolAcquisitionTimeout,
	})
	srv, err := New(cfg, exec, log)
	if err != nil {
		pool.Close()
		return nil, err
	}
	for _, w := range cfg.Warnings {
		log.LogAttrs(context.Background(), slog.LevelWarn, w)
	}
	a := &App{Server: srv, Exec: exec, Pool: pool, Environ: os.Environ(), log: log, schemaLoaded: make(chan struct{})}
	a.Metrics = admin.NewMetrics(
		func() admin.PoolStats {
			max, idle, waiting, timeouts := exec.PoolStats()
			return admin.PoolStats{Max: max, Idle: idle, Waiting: waiting, Timeouts: timeouts}
		},
		func() (uint64, uint64, uint64) { return srv.State().Auth.CacheStats() },
	)
	return a, nil
}

// Close closes the pool.
func (a *App) Close() { a.Pool.Close() }

// LoadSchema reads the schema cache for the current config and installs
// it; on failure the previous cache keeps serving.
func (a *App) LoadSchema(ctx context.Context) error {
	a.reloadMu.Lock()
	defer a.reloadMu.Unlock()
	sc, err := a.readSchema(ctx, a.Server.State().Config)
	if err != nil {
		return err
	}
	a.Server.SetSchema(sc)
	a.loadedOnce.Do(func() { close(a.schemaLoaded) })
	return nil
}

func (a *App) readSchema(ctx context.Context, cfg *config.Config) (sc *schema.Cache, err error) {
	defer func() {
		if err != nil {
			a.Metrics.SchemaCacheFailed()
		}
	}()
	conn, err := a.Pool.Acquire(ctx)
	if err != nil {
		return nil, err
	}
	defer conn.Release()
	t0 := time.Now()
	sc, err = schema.Load(ctx, conn.Conn(), schema.Options{
		Schemas:           cfg.DBSchemas,
		ExtraSearchPath:   cfg.DBExtraSearchPath,
		HoistedTxSettings: cfg.DBHoistedTxSettings,
	})
	if err != nil {
		return nil, err
	}
	took := time.Since(t0)
	a.Metrics.SchemaCacheLoaded(took)
	a.log.LogAttrs(ctx, slog.LevelInfo, "schema cache loaded",
		slog.String("summary", sc.Summary()), slog.Duration("took", took))
	return sc, nil
}

// ReloadConfig reads the config file, the environment and (with db-config)
// the database again, loads the schema cache for it, and installs both
// together: a config whose schema cannot be loaded (a schema that does not
// exist, a bad key) is refused and the running one keeps serving.
func (a *App) ReloadConfig(ctx context.Context) error {
	cfg, err := a.loadConfig(ctx)
	if err != nil {
		return err
	}
	a.reloadMu.Lock()
	defer a.reloadMu.Unlock()
	sc, err := a.readSchema(ctx, cfg)
	if err != nil {
		return fmt.Errorf("config not applied: %w", err)
	}
	if err := a.Server.SetConfigAndSchema(cfg, sc); err != nil {
		return err
	}
	a.loadedOnce.Do(func() { close(a.schemaLoaded) })
	a.log.LogAttrs(ctx, slog.LevelInfo, "config reloaded")
	return nil
}

func (a *App) loadConfig(ctx context.Context) (*config.Config, error) {
	// db-uri is not reloaded: the pool stays on the same database
	cfg, err := config.Reload(a.Server.State().Config, a.Environ)
	if err != nil {
		return nil, err
	}
	cfg, err = WithDatabaseConfig(ctx, a.Pool, cfg)
	if err != nil {
		return nil, err
	}
	for _, w := range cfg.Warnings {
		a.log.LogAttrs(ctx, slog.LevelWarn, w)
	}
	return cfg, nil
}

// WithDatabaseConfig applies the in-database settings (db-config) and the
// granted roles' settings to cfg.
func WithDatabaseConfig(ctx context.Context, pool *pgxpool.Pool, cfg *config.Config) (*config.Config, error) {
	conn, err := pool.Acquire(ctx)
	if err != nil {
		return nil, err
	}
	defer conn.Release()
	if cfg.DBConfig {
		kv, err := config.QueryDatabaseSettings(ctx, conn.Conn(), cfg.DBPreConfig)
		if err != nil {
			return nil, fmt.Errorf("reading the in-database config: %w", err)
		}
		if cfg, err = cfg.WithDatabaseSettings(kv); err != nil {
			return nil, err
		}
	}
	settings, isolation, err := config.QueryRoleSettings(ctx, conn.Conn())
	if err != nil {
		return nil, fmt.Errorf("reading role settings: %w", err)
	}
	return cfg.WithRoleSettings(settings, isolation), nil
}

// retry runs f until it succeeds or ctx ends, waiting 1, 2, 4... up to 32
// seconds between attempts, as PostgREST does while the database is away.
func (a *App) retry(ctx context.Context, what string, f func(context.Context) error) error {
	delay := time.Second
	for {
		err := f(ctx)
		if err == nil {
			return nil
		}
		a.log.LogAttrs(ctx, slog.LevelError, what+" failed; retrying",
			slog.String("error", err.Error()), slog.Duration("in", delay))
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(delay):
		}
		delay = min(delay*2, 32*time.Second)
	}
}

// listen reloads on NOTIFY db-channel: an empty payload or "reload schema"
// reloads the schema cache, "reload config" the config. It reconnects
// with backoff and reloads the schema after a reconnection, since
// notifications may have been missed.
func (a *App) listen(ctx context.Context) {
	delay := time.Second
	reconnected := false
	for ctx.Err() == nil {
		cfg := a.Server.State().Config
		if !cfg.DBChannelEnabled {
			return
		}
		err := func() error {
			conn, err := pgx.Connect(ctx, cfg.DBURI)
			if err != nil {
				return err
			}
			defer conn.Close(context.Background())
			if _, err := conn.Exec(ctx, "LISTEN "+pgx.Identifier{cfg.DBChannel}.Sanitize()); err != nil {
				return err
			}
			a.log.LogAttrs(ctx, slog.LevelInfo, "listening for notifications", slog.String("channel", cfg.DBChannel))
			delay = time.Second
			if reconnected {
				if err := a.LoadSchema(ctx); err != nil {
					a.log.LogAttrs(ctx, slog.LevelError, "schema cache reload failed", slog.String("error", err.Error()))
				}
			}
			for {
				n, err := conn.WaitForNotification(ctx)
				if err != nil {
					return err
				}
				switch n.Payload {
				case "", "reload schema":
					if err := a.LoadSchema(ctx); err != nil {
						a.log.LogAttrs(ctx, slog.LevelError, "schema cache reload failed", slog.String("error", err.Error()))
					}
				case "reload config":
					if err := a.ReloadConfig(ctx); err != nil {
						a.log.LogAttrs(ctx, slog.LevelError, "config reload failed", slog.String("error", err.Error()))
					}
				}
			}
		}()
		if ctx.Err() != nil {
			return
		}
		a.log.LogAttrs(ctx, slog.LevelError, "notification listener failed; retrying",
			slog.String("error", err.Error()), slog.Duration("in", delay))
		reconnected = true
		select {
		case <-ctx.Done():
			return
		case <-time.After(delay):
		}
		delay = min(delay*2, 32*time.Second)
	}
}

// ListenAddress returns host:port for server-host and server-port,
// resolving PostgREST's special hosts: "*" (any IPv4 or IPv6), "*4" and
// "!4" (IPv4), "*6" and "!6" (IPv6).
func ListenAddress(host string, port int) (network, addr string) {
	network = "tcp"
	switch host {
	case "*":
		host = ""
	case "*4", "!4":
		network, host = "tcp4", "0.0.0.0"
	case "*6", "!6":
		network, host = "tcp6", "::"
	}
	return network, net.JoinHostPort(host, strconv.Itoa(port))
}

// Run serves until a termination signal: it loads the config from the
// database, the schema cache (retrying while the database is down), starts
// the listener and the HTTP servers, and reloads on SIGUSR1 (schema) and
// SIGUSR2 (config). On SIGTERM/SIGINT it stops accepting connections and
// lets requests in flight finish.
func (a *App) Run(ctx context.Context) error {
	ctx, stop := signal.NotifyContext(ctx, syscall.SIGTERM, syscall.SIGINT)
	defer stop()

	cfg := a.Server.State().Config
	if err := a.retry(ctx, "reading the in-database config", func(ctx context.Context) error {
		c, err := WithDatabaseConfig(ctx, a.Pool, cfg)
		if err != nil {
			return err
		}
		return a.Server.SetConfig(c)
	}); err != nil {
		return err
	}
	if err := a.retry(ctx, "loading the schema cache", a.LoadSchema); err != nil {
		return err
	}
	cfg = a.Server.State().Config

	go a.listen(ctx)

	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, syscall.SIGUSR1, syscall.SIGUSR2)
	defer signal.Stop(sigs)
	go func() {
		for {
			select {
			case <-ctx.Done():
				return
			case s := <-sigs:
				var err error
				if s == syscall.SIGUSR1 {
					err = a.LoadSchema(ctx)
				} else {
					err = a.ReloadConfig(ctx)
				}
				if err != nil {
					a.log.LogAttrs(ctx, slog.LevelError, "reload failed", slog.String("signal", s.String()), slog.String("error", err.Error()))
				}
			}
		}
	}()

	ln, err := listener(cfg.ServerUnixSocket, cfg.ServerUnixSocketMode, cfg.ServerHost, cfg.ServerPort)
	if err != nil {
		return err
	}
	hs := &http.Server{
		Handler:           a.Server,
		ReadHeaderTimeout: 30 * time.Second,
		IdleTimeout:       120 * time.Second,
		ErrorLog:          slog.NewLogLogger(a.log.Handler(), slog.LevelDebug),
	}
	errc := make(chan error, 2)
	a.live.Store(true)
	go func() {
		errc <- hs.Serve(ln)
		a.live.Store(false)
	}()
	a.log.LogAttrs(ctx, slog.LevelInfo, "listening", slog.String("address", ln.Addr().String()), slog.String("version", Version))

	var adminServer *http.Server
	if cfg.AdminServerPort != 0 || cfg.AdminServerUnixSocket != "" {
		aln, err := listener(cfg.AdminServerUnixSocket, cfg.AdminServerUnixSocketMode, cfg.AdminServerHost, cfg.AdminServerPort)
		if err != nil {
			hs.Close()
			return err
		}
		adminServer = &http.Server{Handler: admin.Handler(a, a.Metrics), ReadHeaderTimeout: 10 * time.Second}
		go func() { errc <- adminServer.Serve(aln) }()
		a.log.LogAttrs(ctx, slog.LevelInfo, "admin server listening", slog.String("address", aln.Addr().String()))
	}

	select {
	case <-ctx.Done():
	case err := <-errc:
		if !errors.Is(err, http.ErrServerClosed) {
			return err
		}
	}
	a.log.LogAttrs(context.Background(), slog.LevelInfo, "shutting down")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	err = hs.Shutdown(shutdownCtx)
	if adminServer != nil {
		adminServer.Shutdown(shutdownCtx)
	}
	return err
}

func listener(socket string, mode uint32, host string, port int) (net.Listener, error) {
	if socket != "" {
		os.Remove(socket)
		ln, err := net.Listen("unix", socket)
		if err != nil {
			return nil, err
		}
		if mode != 0 {
			os.Chmod(socket, os.FileMode(mode))
		}
		return ln, nil
	}
	network, addr := ListenAddress(host, port)
	return net.Listen(network, addr)
}

// Live reports whether the API listener serves (admin /live).
func (a *App) Live() bool { return a.live.Load() }

// Ready reports whether the schema cache is loaded and the database
// answers (admin /ready).
func (a *App) Ready(ctx context.Context) bool {
	select {
	case <-a.schemaLoaded:
	default:
		return false
	}
	return a.Pool.Ping(ctx) == nil
}

// SchemaCacheJSON returns the schema cache as JSON (admin /schema_cache).
func (a *App) SchemaCacheJSON() []byte {
	sc := a.Server.State().Schema
	if sc == nil {
		return nil
	}
	b, err := sc.MarshalJSON()
	if err != nil {
		return nil
	}
	return b
}
