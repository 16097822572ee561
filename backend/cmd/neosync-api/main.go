// Command neosync-api is the Neosync control-plane API: `serve` runs the
// server, `migrate up|down` manages its database schema, and `apikey create`
// issues the first account key (or a worker key) for API-key mode.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/neosyncio/neosync/backend/internal/config"
	"github.com/neosyncio/neosync/backend/internal/domain/apikey"
	"github.com/neosyncio/neosync/backend/internal/domain/connection"
	runlogs "github.com/neosyncio/neosync/backend/internal/domain/run"
	"github.com/neosyncio/neosync/backend/internal/server"
	"github.com/neosyncio/neosync/backend/internal/store"
	"github.com/neosyncio/neosync/backend/pkg/buildinfo"
	"github.com/neosyncio/neosync/backend/pkg/jsvm/jsrunner"
	"github.com/neosyncio/neosync/backend/pkg/telemetry"
	"github.com/neosyncio/neosync/backend/pkg/temporalconn"
)

const usage = `neosync-api — the Neosync control-plane API

usage:
  neosync-api serve                       run the API (Connect, gRPC, gRPC-Web on one port)
  neosync-api migrate up                  apply database migrations
  neosync-api migrate down [-steps N]     roll back N migrations (all without -steps)
  neosync-api apikey create -account NAME [-name KEY] [-days 90]
                                          create an account API key (creates the team account if missing)
  neosync-api apikey create -worker [-name KEY] [-days 365]
                                          create a worker key
  neosync-api health                      exit 0 when the API on NEOSYNC_LISTEN_ADDR answers (for container health checks)
  neosync-api version
  neosync-api js-runner                   (internal) the child process serve starts to run JavaScript

configuration is read from the environment; see the README.
`

func main() {
	if len(os.Args) > 1 && os.Args[1] == "js-runner" {
		// Before anything else: the child reads no configuration.
		os.Exit(jsrunner.Main())
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "neosync-api:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return errors.New("missing command")
	}
	switch args[0] {
	case "version":
		bi := buildinfo.Get()
		fmt.Fprintf(stdout, "neosync-api %s (commit %s, %s, %s)\n", bi.Version, bi.Commit, bi.GoVersion, bi.Platform)
		return nil
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	case "health":
		return health(ctx)
	}
	cfg, err := config.Load(os.Getenv)
	if err != nil {
		return err
	}
	log := cfg.Log.NewLogger(stderr)
	switch args[0] {
	case "serve":
		return serve(ctx, cfg, log)
	case "migrate":
		return migrateCmd(cfg, args[1:], stdout)
	case "apikey":
		return apikeyCmd(ctx, cfg, args[1:], stdout)
	}
	fmt.Fprint(stderr, usage)
	return fmt.Errorf("unknown command %q", args[0])
}

func serve(ctx context.Context, cfg config.Config, log *slog.Logger) error {
	if cfg.AutoMigrate {
		if err := store.MigrateUp(cfg.DBURL); err != nil {
			return err
		}
		log.InfoContext(ctx, "database migrated")
	}
	tconn := cfg.Temporal.Conn(log)
	obs, err := setupObservability(ctx, cfg, log, &tconn)
	if err != nil {
		return err
	}
	defer obs.shutdown()
	pool, err := store.OpenTraced(ctx, cfg.DBURL, obs.traced)
	if err != nil {
		return err
	}
	defer pool.Close()
	st := store.FromPool(pool)
	if v, dirty, err := store.MigrationVersion(cfg.DBURL); err != nil || v == 0 || dirty {
		return fmt.Errorf("API database is not migrated (version %d, dirty %v); run `neosync-api migrate up` or set DB_AUTO_MIGRATE=true", v, dirty)
	}
	tc, err := temporalconn.NewLazyClient(tconn)
	if err != nil {
		return err
	}
	defer tc.Close()
	go runlogs.KeepLogs(ctx, st, cfg.RunLogRetention, time.Hour, log)
	if obs.registry != nil {
		addr, err := telemetry.Listen(ctx, cfg.Telemetry.MetricsAddr, telemetry.NewHandler(obs.registry, nil, server.ReadinessProbes(st)), log)
		if err != nil {
			return err
		}
		log.InfoContext(ctx, "metrics and health on /metrics, /healthz, /readyz", slog.String("addr", addr.String()))
	}
	exe, err := os.Executable()
	if err != nil {
		return fmt.Errorf("find this binary to start JavaScript runners: %w", err)
	}
	js, err := jsrunner.New(jsrunner.Config{Command: []string{exe, "js-runner"}, MemoryLimit: cfg.JSMemoryBytes, MaxProcesses: cfg.JSMaxProcesses})
	if err != nil {
		return err
	}
	h, err := server.NewHandler(st, server.Options{
		AuthMode: cfg.AuthMode, OIDC: cfg.OIDC, EncryptionKey: cfg.EncryptionKey, MaxRequestBytes: cfg.MaxRequestBytes, Logger: log,
		Temporal: tc, TaskQueue: cfg.Temporal.TaskQueue, TemporalHostPort: cfg.Temporal.URL, JSRunner: js,
		ConnectionNetwork: cfg.ConnectionNetwork, Interceptors: obs.interceptors,
		EnvURLs: connection.EnvURLs{Allowed: cfg.URLFromEnv, Lookup: cfg.LookupEnv},
	})
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", cfg.ListenAddr)
	if err != nil {
		return fmt.Errorf("NEOSYNC_LISTEN_ADDR %s: %w", cfg.ListenAddr, err)
	}
	switch {
	case cfg.AuthMode == "none" && cfg.IsLoopback():
		log.InfoContext(ctx, "single-user mode without authentication; listening on loopback only", slog.String("addr", ln.Addr().String()))
	case cfg.AuthMode == "none":
		log.WarnContext(ctx, "single-user mode WITHOUT authentication on a non-loopback address: anyone who can reach this port has full access; set NEOSYNC_AUTH_MODE=apikey", slog.String("addr", ln.Addr().String()))
	default:
		log.InfoContext(ctx, "API-key authentication required", slog.String("addr", ln.Addr().String()))
	}
	bi := buildinfo.Get()
	log.InfoContext(ctx, "neosync-api serving", slog.String("addr", ln.Addr().String()), slog.String("version", bi.Version))
	return server.Serve(ctx, server.NewHTTPServer(h, log), ln, 15*time.Second)
}

func migrateCmd(cfg config.Config, args []string, stdout io.Writer) error {
	if len(args) == 0 {
		return errors.New("migrate needs up or down")
	}
	switch args[0] {
	case "up":
		if err := store.MigrateUp(cfg.DBURL); err != nil {
			return err
		}
	case "down":
		fs := flag.NewFlagSet("migrate down", flag.ContinueOnError)
		steps := fs.Int("steps", 0, "number of migrations to roll back (0 = all)")
		if err := fs.Parse(args[1:]); err != nil {
			return err
		}
		if err := store.MigrateDown(cfg.DBURL, *steps); err != nil {
			return err
		}
	default:
		return fmt.Errorf("migrate: unknown direction %q (want up or down)", args[0])
	}
	v, dirty, err := store.MigrationVersion(cfg.DBURL)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "migrated: version %d (dirty %v)\n", v, dirty)
	return nil
}

func apikeyCmd(ctx context.Context, cfg config.Config, args []string, stdout io.Writer) error {
	if len(args) == 0 || args[0] != "create" {
		return errors.New("apikey needs create")
	}
	fs := flag.NewFlagSet("apikey create", flag.ContinueOnError)
	acct := fs.String("account", "", "team account name (created if missing)")
	worker := fs.Bool("worker", false, "create a worker key instead of an account key")
	name := fs.String("name", "", "key name")
	days := fs.Int("days", 0, "lifetime in days (default 90 for account keys, 365 for worker keys)")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	if *worker == (*acct != "") {
		return errors.New("apikey create needs exactly one of -account NAME or -worker")
	}
	pool, err := store.Open(ctx, cfg.DBURL)
	if err != nil {
		return err
	}
	defer pool.Close()
	keys := apikey.NewService(store.FromPool(pool))
	lifetime := *days
	if *worker {
		if lifetime == 0 {
			lifetime = 365
		}
		if *name == "" {
			*name = "worker"
		}
		value, err := keys.CreateWorkerKey(ctx, *name, time.Now().AddDate(0, 0, lifetime))
		if err != nil {
			return err
		}
		fmt.Fprintln(stdout, value)
		return nil
	}
	if lifetime == 0 {
		lifetime = 90
	}
	if *name == "" {
		*name = "bootstrap"
	}
	k, value, err := keys.Bootstrap(ctx, *acct, *name, time.Now().AddDate(0, 0, lifetime))
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%s\n", value)
	fmt.Fprintf(os.Stderr, "account %s (%s), key %q expires %s — this value is shown once\n", *acct, k.AccountID, k.Name, k.ExpiresAt.Format(time.RFC3339))
	return nil
}

// health asks the local API's /healthz, so a distroless container (no curl)
// can be health-checked.
func health(ctx context.Context) error {
	addr := os.Getenv("NEOSYNC_LISTEN_ADDR")
	if addr == "" {
		addr = config.DefaultListenAddr
	}
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("NEOSYNC_LISTEN_ADDR: %w", err)
	}
	if host == "" || host == "0.0.0.0" || host == "::" {
		host = "127.0.0.1"
	}
	ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+net.JoinHostPort(host, port)+"/healthz", nil)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("API unhealthy: %s", resp.Status)
	}
	return nil
}
