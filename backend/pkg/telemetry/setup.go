package telemetry

import (
	"context"
	"log/slog"
	"time"

	"connectrpc.com/connect"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/neosyncio/neosync/backend/pkg/buildinfo"
	"github.com/neosyncio/neosync/backend/pkg/envconfig"
	"github.com/neosyncio/neosync/backend/pkg/temporalconn"
)

// Setup is what the API and the worker wire alike: trace export when
// OTEL_EXPORTER_OTLP_ENDPOINT is set (Connect and Temporal tracing), and
// the Prometheus registry with the Temporal SDK's metrics when
// NEOSYNC_METRICS_ADDR is set. Each binary adds its own parts (RPC
// metrics, sync metrics, database tracing) on top.
type Setup struct {
	// Traced reports that traces are exported.
	Traced bool
	// Interceptors trace Connect calls (none when not traced).
	Interceptors []connect.Interceptor
	// Registry is what the metrics port serves (nil when it is off).
	Registry *prometheus.Registry
	// Shutdown flushes the traces still buffered (a no-op when not traced).
	Shutdown func()
}

// Start builds the Setup for service and adds the Temporal tracing and
// metrics to tconn.
func Start(ctx context.Context, service string, cfg envconfig.Telemetry, log *slog.Logger, tconn *temporalconn.Config) (*Setup, error) {
	s := &Setup{Shutdown: func() {}}
	if cfg.Traces {
		stop, err := StartTracing(ctx, service, buildinfo.Get().Version)
		if err != nil {
			return nil, err
		}
		s.Shutdown = func() {
			sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			if err := stop(sctx); err != nil {
				log.WarnContext(sctx, "flush traces", slog.String("error", err.Error()))
			}
		}
		ci, err := ConnectTracing()
		if err != nil {
			return nil, err
		}
		ti, err := TemporalTracing()
		if err != nil {
			return nil, err
		}
		s.Interceptors = append(s.Interceptors, ci)
		tconn.Interceptors = append(tconn.Interceptors, ti)
		s.Traced = true
		log.InfoContext(ctx, "exporting traces over OTLP")
	}
	if cfg.MetricsAddr != "" {
		s.Registry = NewRegistry()
		mh, err := TemporalMetrics(s.Registry)
		if err != nil {
			return nil, err
		}
		tconn.MetricsHandler = mh
	}
	return s, nil
}
