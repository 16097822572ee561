package main

import (
	"context"
	"log/slog"
	"time"

	"connectrpc.com/connect"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/neosyncio/neosync/backend/internal/config"
	"github.com/neosyncio/neosync/backend/pkg/buildinfo"
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
	o := &observability{shutdown: func() {}}
	if cfg.Telemetry.Traces {
		stop, err := telemetry.StartTracing(ctx, "neosync-api", buildinfo.Get().Version)
		if err != nil {
			return nil, err
		}
		o.shutdown = func() {
			sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			if err := stop(sctx); err != nil {
				log.WarnContext(sctx, "flush traces", slog.String("error", err.Error()))
			}
		}
		ci, err := telemetry.ConnectTracing()
		if err != nil {
			return nil, err
		}
		ti, err := telemetry.TemporalTracing()
		if err != nil {
			return nil, err
		}
		o.interceptors = append(o.interceptors, ci)
		tconn.Interceptors = append(tconn.Interceptors, ti)
		o.traced = true
		log.InfoContext(ctx, "exporting traces over OTLP")
	}
	if cfg.Telemetry.MetricsAddr != "" {
		o.registry = telemetry.NewRegistry()
		o.interceptors = append(o.interceptors, telemetry.NewRPCMetrics(o.registry).Interceptor())
		mh, err := telemetry.TemporalMetrics(o.registry)
		if err != nil {
			return nil, err
		}
		tconn.MetricsHandler = mh
	}
	return o, nil
}
