package envconfig

import (
	"fmt"
	"net"
	"strings"
)

// Telemetry is what a binary exposes for operators: a metrics and health
// port, and whether it exports traces.
type Telemetry struct {
	// MetricsAddr (NEOSYNC_METRICS_ADDR) is the host:port serving
	// Prometheus /metrics, /healthz and /readyz; empty turns it off.
	MetricsAddr string
	// Traces is true when an OTLP endpoint is configured through the
	// standard OpenTelemetry variables (OTEL_EXPORTER_OTLP_ENDPOINT or
	// OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) and neither OTEL_SDK_DISABLED=true
	// nor OTEL_TRACES_EXPORTER=none turns them off. The exporter reads
	// the other OTEL_* variables itself (headers, timeout, sampler,
	// resource attributes).
	Traces bool
}

// TelemetryEnvNames are the variables ReadTelemetry reads (the exporter
// reads the rest of the standard OTEL_* set).
var TelemetryEnvNames = []string{
	"NEOSYNC_METRICS_ADDR", "OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT",
	"OTEL_EXPORTER_OTLP_PROTOCOL", "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL", "OTEL_SDK_DISABLED", "OTEL_TRACES_EXPORTER",
}

// ReadTelemetry reads and validates NEOSYNC_METRICS_ADDR and the OTEL_*
// variables that decide whether traces are exported.
func ReadTelemetry(getenv Getenv) (Telemetry, error) {
	t := Telemetry{MetricsAddr: Lookup(getenv, "NEOSYNC_METRICS_ADDR", "")}
	if t.MetricsAddr != "" {
		if _, port, err := net.SplitHostPort(t.MetricsAddr); err != nil || port == "" {
			return t, &Error{Var: "NEOSYNC_METRICS_ADDR", Problem: fmt.Sprintf("must be host:port (for example 127.0.0.1:9090 or :9090), got %q", t.MetricsAddr)}
		}
	}
	endpoint := Lookup(getenv, "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", Lookup(getenv, "OTEL_EXPORTER_OTLP_ENDPOINT", ""))
	disabled := strings.EqualFold(Lookup(getenv, "OTEL_SDK_DISABLED", ""), "true") ||
		strings.EqualFold(Lookup(getenv, "OTEL_TRACES_EXPORTER", "otlp"), "none")
	if exp := Lookup(getenv, "OTEL_TRACES_EXPORTER", "otlp"); !strings.EqualFold(exp, "otlp") && !strings.EqualFold(exp, "none") {
		return t, &Error{Var: "OTEL_TRACES_EXPORTER", Problem: fmt.Sprintf("must be otlp or none, got %q", exp)}
	}
	for _, name := range []string{"OTEL_EXPORTER_OTLP_TRACES_PROTOCOL", "OTEL_EXPORTER_OTLP_PROTOCOL"} {
		if p := Lookup(getenv, name, "http/protobuf"); p != "http/protobuf" {
			return t, &Error{Var: name, Problem: fmt.Sprintf("must be http/protobuf (the OTLP/HTTP exporter is the one built in; send to port 4318), got %q", p)}
		}
	}
	t.Traces = endpoint != "" && !disabled
	return t, nil
}
