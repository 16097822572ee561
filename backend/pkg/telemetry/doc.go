// Package telemetry is what the API and the worker expose to operators:
// a Prometheus registry with the Go runtime and process collectors, a
// metrics port (/metrics, /healthz, /readyz) opened only when
// NEOSYNC_METRICS_ADDR is set, a Connect interceptor counting RPCs, the
// sync metrics the worker records, the Temporal SDK's metrics, and
// OpenTelemetry tracing exported over OTLP/HTTP only when the standard
// OTEL_EXPORTER_OTLP_ENDPOINT is set.
//
// Decisions:
//
//   - Every name starts with neosync_ (the SDK's own metrics with
//     temporal_), counters end in _total and durations are histograms in
//     seconds, as Prometheus' conventions ask.
//   - Labels are bounded: procedure and code for RPCs (only procedures the
//     API serves reach the interceptor), job id, destination name and
//     table for sync counters, job id and status for runs. A run id is
//     never a label: it would make one series per run. The table label
//     is kept because "which table is slow" is the question an operator
//     asks; it costs one series per table and destination of each job,
//     which a schema of thousands of tables turns into thousands of
//     series — drop it with a relabel rule (labeldrop table) on such a
//     deployment.
//   - Health is separate from metrics: /healthz says the process serves,
//     /readyz runs the binary's readiness checks (the API's database; the
//     worker's Temporal poller and the API), each bounded by a timeout,
//     and answers 503 naming the check that failed.
//   - Traces are off unless configured, so a default install makes no
//     outbound connection; when on, W3C trace context is propagated over
//     HTTP (Connect) and Temporal headers, so one trace runs from a caller
//     through the API, Temporal and the worker's activities to their
//     database calls.
package telemetry
