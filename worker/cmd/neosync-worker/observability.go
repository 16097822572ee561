package main

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"connectrpc.com/connect"
	"github.com/jackc/pgx/v5"
	"github.com/prometheus/client_golang/prometheus"
	enumspb "go.temporal.io/api/enums/v1"
	taskqueuepb "go.temporal.io/api/taskqueue/v1"
	"go.temporal.io/sdk/client"

	"github.com/neosyncio/neosync/backend/pkg/telemetry"
	"github.com/neosyncio/neosync/backend/pkg/telemetry/dbtrace"
	"github.com/neosyncio/neosync/backend/pkg/temporalconn"
	"github.com/neosyncio/neosync/worker/internal/apiclient"
	"github.com/neosyncio/neosync/worker/internal/config"
)

// observability is what serve wires for operators: the API clients'
// tracing, the Temporal client's metrics and tracing, the tracer of the
// jobs' Postgres pools, the opener of their traced MySQL pools, and the
// registry the metrics port serves (nil when NEOSYNC_METRICS_ADDR is
// unset).
type observability struct {
	apiInterceptors []connect.Interceptor
	dbTracer        pgx.QueryTracer
	openMySQL       func(driver.Connector) *sql.DB
	registry        *prometheus.Registry
	sync            *telemetry.SyncMetrics
	shutdown        func()
}

// setupObservability starts tracing when OTEL_EXPORTER_OTLP_ENDPOINT is
// set and builds the metrics when NEOSYNC_METRICS_ADDR is set; it adds the
// Temporal parts to tconn.
func setupObservability(ctx context.Context, cfg config.Config, log *slog.Logger, tconn *temporalconn.Config) (*observability, error) {
	base, err := telemetry.Start(ctx, "neosync-worker", cfg.Telemetry, log, tconn)
	if err != nil {
		return nil, err
	}
	o := &observability{apiInterceptors: base.Interceptors, registry: base.Registry, shutdown: base.Shutdown}
	if base.Traced {
		o.dbTracer = dbtrace.Postgres()
		o.openMySQL = dbtrace.MySQL()
	}
	if o.registry != nil {
		o.sync = telemetry.NewSyncMetrics(o.registry)
	}
	return o, nil
}

// readiness is what a worker needs to do work: Temporal lists this
// worker's pollers on its task queue, and the API answers with the
// worker's key accepted.
func readiness(tc client.Client, api apiclient.Clients, apiURL, queue, identity string) []telemetry.Probe {
	return []telemetry.Probe{
		{Name: "temporal_poller", Check: func(ctx context.Context) error {
			for _, kind := range []enumspb.TaskQueueType{enumspb.TASK_QUEUE_TYPE_WORKFLOW, enumspb.TASK_QUEUE_TYPE_ACTIVITY} {
				resp, err := tc.DescribeTaskQueue(ctx, queue, kind)
				if err != nil {
					return fmt.Errorf("Temporal does not answer: %w", err)
				}
				if !pollsFrom(resp.GetPollers(), identity) {
					return fmt.Errorf("no %s poller of this worker on task queue %s yet", kind, queue)
				}
			}
			return nil
		}},
		{Name: "api", Check: func(ctx context.Context) error {
			if err := api.CheckKey(ctx, apiclient.CheckOptions{APIURL: apiURL}); err != nil {
				return errors.New("the API does not answer or refuses the worker's key")
			}
			return nil
		}},
	}
}

// pollerFresh is how recently Temporal must have seen a poller: a poll
// lasts up to a minute, and Temporal keeps a poller listed for a few
// minutes after it went away.
const pollerFresh = 2 * time.Minute

func pollsFrom(pollers []*taskqueuepb.PollerInfo, identity string) bool {
	for _, p := range pollers {
		if p.GetIdentity() == identity && time.Since(p.GetLastAccessTime().AsTime()) < pollerFresh {
			return true
		}
	}
	return false
}
