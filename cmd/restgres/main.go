// Command restgres serves a PostgreSQL database as a REST API, a drop-in
// replacement for PostgREST: restgres [--dump-config|--dump-schema|--ready]
// [config file]. Settings come from the file and PGRST_* variables.
package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"strconv"
	"time"

	"github.com/restgres/restgres/internal/config"
	"github.com/restgres/restgres/internal/schema"
	"github.com/restgres/restgres/internal/server"
)

func main() {
	os.Exit(run(os.Args[1:], os.Environ(), os.Stdout, os.Stderr))
}

// run is main with its inputs and outputs passed in, for tests.
func run(args, environ []string, stdout, stderr io.Writer) int {
	opts, err := config.ParseArgs(args)
	if err != nil {
		fmt.Fprintln(stderr, err)
		fmt.Fprint(stderr, config.Usage())
		return 1
	}
	switch {
	case opts.Help:
		fmt.Fprint(stdout, config.Usage())
		return 0
	case opts.Version:
		fmt.Fprintln(stdout, "restgres", server.Version)
		return 0
	case opts.Example:
		fmt.Fprint(stdout, config.Example())
		return 0
	}
	cfg, err := config.Load(opts.Path, environ)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	if opts.Ready {
		return ready(cfg, stderr)
	}
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: logLevel(cfg.LogLevel)}))
	slog.SetDefault(log)

	app, err := server.NewApp(cfg, log)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	defer app.Close()
	ctx := context.Background()
	switch {
	case opts.DumpConfig:
		c, err := server.WithDatabaseConfig(ctx, app.Pool, cfg)
		if err != nil {
			fmt.Fprintln(stderr, err)
			return 1
		}
		fmt.Fprint(stdout, c.Dump())
		return 0
	case opts.DumpSchema:
		c, err := server.WithDatabaseConfig(ctx, app.Pool, cfg)
		if err != nil {
			fmt.Fprintln(stderr, err)
			return 1
		}
		conn, err := app.Pool.Acquire(ctx)
		if err != nil {
			fmt.Fprintln(stderr, err)
			return 1
		}
		defer conn.Release()
		sc, err := schema.Load(ctx, conn.Conn(), schema.Options{
			Schemas: c.DBSchemas, ExtraSearchPath: c.DBExtraSearchPath, HoistedTxSettings: c.DBHoistedTxSettings,
		})
		if err != nil {
			fmt.Fprintln(stderr, err)
			return 1
		}
		if err := sc.Dump(stdout); err != nil {
			fmt.Fprintln(stderr, err)
			return 1
		}
		return 0
	}
	if err := app.Run(ctx); err != nil {
		log.Error("stopped", "error", err)
		return 1
	}
	return 0
}

func logLevel(l config.LogLevel) slog.Level {
	switch l {
	case config.LogCrit, config.LogError:
		return slog.LevelError
	case config.LogWarn:
		return slog.LevelWarn
	case config.LogInfo:
		return slog.LevelInfo
	default:
		return slog.LevelDebug
	}
}

// ready asks the admin server of a running restgres whether it is ready.
func ready(cfg *config.Config, stderr io.Writer) int {
	if cfg.AdminServerPort == 0 {
		fmt.Fprintln(stderr, "--ready needs admin-server-port")
		return 1
	}
	host := cfg.AdminServerHost
	switch host {
	case "", "*", "*4", "!4", "0.0.0.0":
		host = "127.0.0.1"
	case "*6", "!6", "::":
		host = "[::1]"
	}
	client := http.Client{Timeout: 5 * time.Second}
	resp, err := client.Get("http://" + host + ":" + strconv.Itoa(cfg.AdminServerPort) + "/ready")
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		fmt.Fprintln(stderr, "not ready:", resp.Status)
		return 1
	}
	return 0
}
