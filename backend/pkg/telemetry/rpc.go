package telemetry

import (
	"context"
	"errors"
	"time"

	"connectrpc.com/connect"
	"github.com/prometheus/client_golang/prometheus"
)

// RPCMetrics counts and times the RPCs a Connect server handles, by
// procedure and status code.
type RPCMetrics struct {
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
}

// NewRPCMetrics registers neosync_rpc_requests_total and
// neosync_rpc_duration_seconds on reg.
func NewRPCMetrics(reg prometheus.Registerer) *RPCMetrics {
	m := &RPCMetrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "neosync_rpc_requests_total",
			Help: "RPCs handled by the API, by procedure and status code (ok or the Connect code).",
		}, []string{"procedure", "code"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "neosync_rpc_duration_seconds",
			Help:    "Time from an RPC's arrival to its response (for a stream, to its end), by procedure and status code.",
			Buckets: []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60},
		}, []string{"procedure", "code"}),
	}
	reg.MustRegister(m.requests, m.duration)
	return m
}

// Interceptor records every RPC it wraps (server side).
func (m *RPCMetrics) Interceptor() connect.Interceptor { return rpcInterceptor{m} }

func (m *RPCMetrics) observe(procedure string, started time.Time, err error) {
	code := "ok"
	if err != nil {
		code = connect.CodeOf(err).String()
		var ce *connect.Error
		if !errors.As(err, &ce) && errors.Is(err, context.Canceled) {
			code = connect.CodeCanceled.String()
		}
	}
	m.requests.WithLabelValues(procedure, code).Inc()
	m.duration.WithLabelValues(procedure, code).Observe(time.Since(started).Seconds())
}

type rpcInterceptor struct{ m *RPCMetrics }

func (i rpcInterceptor) WrapUnary(next connect.UnaryFunc) connect.UnaryFunc {
	return func(ctx context.Context, req connect.AnyRequest) (connect.AnyResponse, error) {
		if req.Spec().IsClient {
			return next(ctx, req)
		}
		started := time.Now()
		resp, err := next(ctx, req)
		i.m.observe(req.Spec().Procedure, started, err)
		return resp, err
	}
}

func (i rpcInterceptor) WrapStreamingClient(next connect.StreamingClientFunc) connect.StreamingClientFunc {
	return next
}

func (i rpcInterceptor) WrapStreamingHandler(next connect.StreamingHandlerFunc) connect.StreamingHandlerFunc {
	return func(ctx context.Context, conn connect.StreamingHandlerConn) error {
		started := time.Now()
		err := next(ctx, conn)
		i.m.observe(conn.Spec().Procedure, started, err)
		return err
	}
}
