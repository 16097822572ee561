// Command neosync-worker runs Neosync's job workflows on Temporal: it polls
// the task queue, loads jobs and connections from the API with its worker
// key, copies data with the shared sync engine and reports runs back to the
// API. Run more of it to scale.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
	"time"

	"go.temporal.io/sdk/worker"

	"github.com/neosyncio/neosync/backend/pkg/buildinfo"
	"github.com/neosyncio/neosync/backend/pkg/jsvm/jsrunner"
	"github.com/neosyncio/neosync/backend/pkg/sqlconnect"
	"github.com/neosyncio/neosync/backend/pkg/sqlsync"
	"github.com/neosyncio/neosync/backend/pkg/telemetry"
	"github.com/neosyncio/neosync/backend/pkg/temporalconn"
	"github.com/neosyncio/neosync/backend/pkg/transformers"
	"github.com/neosyncio/neosync/worker/internal/activities"
	"github.com/neosyncio/neosync/worker/internal/apiclient"
	"github.com/neosyncio/neosync/worker/internal/config"
	"github.com/neosyncio/neosync/worker/internal/runlog"
	"github.com/neosyncio/neosync/worker/internal/workflows"
)

func main() {
	if len(os.Args) > 1 && os.Args[1] == "js-runner" {
		// Before anything else: the child reads no configuration.
		os.Exit(jsrunner.Main())
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Stdout, os.Stderr))
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprintln(stderr, "usage: neosync-worker serve | check | version  (js-runner is the child serve starts to run JavaScript)")
		return 2
	}
	switch args[0] {
	case "version":
		bi := buildinfo.Get()
		fmt.Fprintf(stdout, "neosync-worker %s (commit %s, %s, %s)\n", bi.Version, bi.Commit, bi.GoVersion, bi.Platform)
		return 0
	case "serve":
		cfg, err := config.Load(os.Getenv)
		if err != nil {
			fmt.Fprintln(stderr, "neosync-worker:", err)
			return 1
		}
		if err := serve(ctx, cfg, cfg.Log.NewLogger(stderr)); err != nil {
			fmt.Fprintln(stderr, "neosync-worker:", err)
			return 1
		}
		return 0
	case "check":
		cfg, err := config.Load(os.Getenv)
		if err != nil {
			fmt.Fprintln(stderr, "neosync-worker:", err)
			return 1
		}
		return check(ctx, cfg, stdout, stderr)
	}
	fmt.Fprintf(stderr, "neosync-worker: unknown command %q (want serve, check or version)\n", args[0])
	return 2
}

// exitKeyRejected is check's exit code for a key the API refuses, so scripts
// (make up) can tell it from an API that is down.
const exitKeyRejected = 3

// check asks the API whether it accepts the worker's key, once: exit 0 when
// it does, exitKeyRejected when it refuses it, 1 otherwise. It suits a
// container's health check and make up.
func check(ctx context.Context, cfg config.Config, stdout, stderr io.Writer) int {
	err := apiclient.New(cfg.APIURL, cfg.APIKey).CheckKey(ctx, apiclient.CheckOptions{APIURL: cfg.APIURL})
	switch {
	case err == nil:
		fmt.Fprintf(stdout, "the API at %s accepts the worker's key\n", cfg.APIURL)
		return 0
	case errors.Is(err, apiclient.ErrKeyRejected):
		fmt.Fprintln(stderr, "neosync-worker:", err)
		return exitKeyRejected
	default:
		fmt.Fprintln(stderr, "neosync-worker:", err)
		return 1
	}
}

// apiWait is how long the worker waits at start for an API that does not answer yet.
const apiWait = time.Minute

func serve(ctx context.Context, cfg config.Config, log *slog.Logger) error {
	tconn := cfg.Temporal.Conn(log)
	obs, err := setupObservability(ctx, cfg, log, &tconn)
	if err != nil {
		return err
	}
	defer obs.shutdown()
	api := apiclient.New(cfg.APIURL, cfg.APIKey, obs.apiInterceptors...)
	// A key the API does not know fails every run; say so now, not at the first run.
	err = api.CheckKey(ctx, apiclient.CheckOptions{APIURL: cfg.APIURL, Wait: apiWait, OnRetry: func(attempt int, err error) {
		log.WarnContext(ctx, "the API does not answer yet; retrying", slog.String("api", cfg.APIURL), slog.Int("attempt", attempt), slog.Any("error", err))
	}})
	if err != nil {
		return err
	}
	tc, err := temporalconn.Dial(tconn)
	if err != nil {
		return err
	}
	defer tc.Close()
	// Lines logged for a run also go to the run's log in the API; the
	// shipper flushes after the worker has stopped (defers run last in, first out).
	shipper := runlog.NewShipper(api.Worker, log.Handler(), 500*time.Millisecond)
	log = slog.New(shipper.Handler(log.Handler()))
	shipCtx, stopShipping := context.WithCancel(context.Background())
	shipped := make(chan struct{})
	go func() { shipper.Run(shipCtx); close(shipped) }()
	defer func() { stopShipping(); <-shipped }()
	reg, err := jsRegistry(ctx, cfg)
	if err != nil {
		return err
	}
	acts := &activities.Activities{
		API: api, Engine: sqlsync.NewEngine(reg, log), Registry: reg, Logger: log, Temporal: tc, Metrics: obs.sync,
		LookupEnv: os.LookupEnv,
		RangeRows: cfg.RangeRows,
	}
	// Every activity context carries the connection policy, so each pool
	// the activities and the sync engine open dials through it, and no
	// Postgres session lands in the API's own database (the API names it).
	policy := &sqlconnect.Policy{Network: cfg.ConnectionNetwork, Protected: api.ProtectedDatabases(apiclient.ProtectedCacheTTL), Tracer: obs.dbTracer, OpenMySQL: obs.openMySQL}
	identity := workerIdentity()
	w := worker.New(tc, cfg.Temporal.TaskQueue, worker.Options{
		MaxConcurrentActivityExecutionSize: cfg.MaxConcurrentActivities,
		BackgroundActivityContext:          sqlconnect.WithPolicy(context.Background(), policy),
		Identity:                           identity,
	})
	workflows.Register(w, acts)
	log.InfoContext(ctx, "neosync-worker polling", slog.String("task_queue", cfg.Temporal.TaskQueue), slog.String("temporal", cfg.Temporal.URL),
		slog.String("api", cfg.APIURL), slog.String("version", buildinfo.Get().Version), slog.String("identity", identity))
	if err := w.Start(); err != nil {
		return fmt.Errorf("start worker: %w", err)
	}
	if obs.registry != nil {
		h := telemetry.NewHandler(obs.registry, nil, readiness(tc, api, cfg.APIURL, cfg.Temporal.TaskQueue, identity))
		addr, err := telemetry.Listen(ctx, cfg.Telemetry.MetricsAddr, h, log)
		if err != nil {
			w.Stop()
			return err
		}
		log.InfoContext(ctx, "metrics and health on /metrics, /healthz, /readyz", slog.String("addr", addr.String()))
	}
	<-ctx.Done()
	log.InfoContext(ctx, "shutting down; running activities are cancelled and retried elsewhere")
	w.Stop()
	return nil
}

// jsRegistry builds the transformer registry, whose JavaScript transformers
// run in child processes of this binary (`neosync-worker js-runner`) with a
// hard memory limit of cfg.JSMemoryBytes each and calls capped at
// cfg.JSCallMax (wall clock, enforced per call; no CPU limit per child,
// which serves a whole table); the children die with ctx (and with this
// process).
func jsRegistry(ctx context.Context, cfg config.Config) (*transformers.Registry, error) {
	exe, err := os.Executable()
	if err != nil {
		return nil, fmt.Errorf("find this binary to start JavaScript runners: %w", err)
	}
	js, err := jsrunner.New(jsrunner.Config{Command: []string{exe, "js-runner"}, MemoryLimit: cfg.JSMemoryBytes, CPULimit: -1})
	if err != nil {
		return nil, err
	}
	reg := transformers.NewRegistry()
	reg.CapJavaScriptCalls(cfg.JSCallMax)
	reg.RunJavaScriptIn(js.Host(ctx))
	return reg, nil
}

// workerIdentity names this process to Temporal (pid@host@neosync-worker),
// so readiness can find its own pollers.
func workerIdentity() string {
	host, _ := os.Hostname()
	return fmt.Sprintf("%d@%s@neosync-worker", os.Getpid(), host)
}
