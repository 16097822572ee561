package main

import (
	"context"
	"log/slog"

	"connectrpc.com/connect"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/neosyncio/neosync/backend/internal/config"
	"github.com/neosyncio/neosync/backend/pkg/telemetry"
	"github.com/neosyncio/neosync/backend/pkg/temporalconn"
)

// observability is what serve wires for operators: RPC interceptors, the
// Temporal client's metrics and tracing, whether the database's queries are traced and
// the registry the metrics port serves (nil when NEOSYNC_METRICS_ADDR is
// unset).
type observability struct {
	interceptors []connect.Interceptor
	traced       bool
	registry     *prometheus.Registry
	shutdown     func()
}

// setupObservability starts tracing when OTEL_EXPORTER_OTLP_ENDPOINT is
// set and builds the metrics when NEOSYNC_METRICS_ADDR is set; it adds the
// Temporal parts to tconn.
func setupObservability(ctx context.Context, cfg config.Config, log *slog.Logger, tconn *temporalconn.Config) (*observability, error) {
	base, err := telemetry.Start(ctx, "neosync-api", cfg.Telemetry, log, tconn)
	if err != nil {
		return nil, err
	}
	o := &observability{interceptors: base.Interceptors, traced: base.Traced, registry: base.Registry, shutdown: base.Shutdown}
	if o.registry != nil {
		o.interceptors = append(o.interceptors, telemetry.NewRPCMetrics(o.registry).Interceptor())
	}
	return o, nil
}
