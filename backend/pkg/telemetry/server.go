package telemetry

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Probe is one named health check; Check returns nil when healthy.
type Probe struct {
	Name  string
	Check func(ctx context.Context) error
}

// ProbeTimeout bounds each probe of a /healthz or /readyz request.
const ProbeTimeout = 3 * time.Second

// NewHandler serves GET /metrics from g, /healthz from live and /readyz
// from ready. A health endpoint answers 200 with one "name: ok" line per
// probe, or 503 with the failing probes' errors.
func NewHandler(g prometheus.Gatherer, live, ready []Probe) http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", promhttp.HandlerFor(g, promhttp.HandlerOpts{}))
	mux.Handle("GET /healthz", probeHandler(live))
	mux.Handle("GET /readyz", probeHandler(ready))
	return mux
}

// ProbeHandler answers one health endpoint from probes (see NewHandler).
func ProbeHandler(probes []Probe) http.Handler { return probeHandler(probes) }

func probeHandler(probes []Probe) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var b strings.Builder
		status := http.StatusOK
		for _, p := range probes {
			ctx, cancel := context.WithTimeout(r.Context(), ProbeTimeout)
			err := p.Check(ctx)
			cancel()
			if err != nil {
				status = http.StatusServiceUnavailable
				fmt.Fprintf(&b, "%s: %v\n", p.Name, err)
				continue
			}
			fmt.Fprintf(&b, "%s: ok\n", p.Name)
		}
		if len(probes) == 0 {
			b.WriteString("ok\n")
		}
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.WriteHeader(status)
		_, _ = w.Write([]byte(b.String()))
	})
}

// Listen opens addr and serves h on it in the background until ctx is
// done, so a taken port fails the binary at start, naming the variable.
// It returns the address listened on.
func Listen(ctx context.Context, addr string, h http.Handler, log *slog.Logger) (net.Addr, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("NEOSYNC_METRICS_ADDR %s: %w", addr, err)
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second, ErrorLog: slog.NewLogLogger(log.Handler(), slog.LevelWarn)}
	go func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.ErrorContext(ctx, "metrics server stopped", slog.String("error", err.Error()))
		}
	}()
	go func() {
		<-ctx.Done()
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(sctx)
	}()
	return ln.Addr(), nil
}
