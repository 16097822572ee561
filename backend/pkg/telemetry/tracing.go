package telemetry

import (
	"context"
	"fmt"

	"connectrpc.com/connect"
	"connectrpc.com/otelconnect"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	temporalotel "go.temporal.io/sdk/contrib/opentelemetry"
	"go.temporal.io/sdk/interceptor"
)

// StartTracing installs the global tracer provider exporting over
// OTLP/HTTP (the exporter reads the standard OTEL_EXPORTER_OTLP_* variables)
// and the W3C trace-context propagator. service names the binary
// (service.name; OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES override).
// Call it only when envconfig.Telemetry.Traces is true; the returned
// function flushes and stops the exporter.
func StartTracing(ctx context.Context, service, version string) (func(context.Context) error, error) {
	exp, err := otlptracehttp.New(ctx)
	if err != nil {
		return nil, fmt.Errorf("OTLP trace exporter (OTEL_EXPORTER_OTLP_ENDPOINT): %w", err)
	}
	res, err := resource.New(ctx,
		resource.WithAttributes(attribute.String("service.name", service), attribute.String("service.version", version)),
		resource.WithFromEnv(), resource.WithTelemetrySDK(), resource.WithHost())
	if err != nil {
		return nil, fmt.Errorf("trace resource (OTEL_RESOURCE_ATTRIBUTES): %w", err)
	}
	tp := sdktrace.NewTracerProvider(sdktrace.WithBatcher(exp), sdktrace.WithResource(res))
	otel.SetTracerProvider(tp)
	otel.SetTextMapPropagator(propagation.NewCompositeTextMapPropagator(propagation.TraceContext{}, propagation.Baggage{}))
	return tp.Shutdown, nil
}

// ConnectTracing returns a Connect interceptor that starts a span per RPC
// (server and client side) and carries the trace context in headers. It
// records no metrics: RPCMetrics does.
func ConnectTracing() (connect.Interceptor, error) {
	return otelconnect.NewInterceptor(otelconnect.WithoutMetrics(), otelconnect.WithTrustRemote())
}

// TemporalTracing returns the Temporal SDK interceptor that starts spans
// for starting and running workflows and activities and carries the trace
// context in Temporal headers (a client interceptor that is also used by
// every worker created from the client).
func TemporalTracing() (interceptor.Interceptor, error) {
	return temporalotel.NewTracingInterceptor(temporalotel.TracerOptions{})
}
