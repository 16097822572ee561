package envconfig

import (
	"bytes"
	"errors"
	"log/slog"
	"strings"
	"testing"

	"github.com/neosyncio/neosync/backend/pkg/jobcontract"
)

func env(m map[string]string) Getenv { return func(k string) string { return m[k] } }

func TestLookup(t *testing.T) {
	t.Parallel()
	e := env(map[string]string{"SET": " v ", "BLANK": "  "})
	for _, tc := range []struct{ name, want string }{{"SET", "v"}, {"BLANK", "def"}, {"UNSET", "def"}} {
		if got := Lookup(e, tc.name, "def"); got != tc.want {
			t.Errorf("Lookup(%s) = %q, want %q", tc.name, got, tc.want)
		}
	}
}

func TestReadTemporal(t *testing.T) {
	t.Parallel()
	got, err := ReadTemporal(env(nil))
	want := Temporal{URL: "127.0.0.1:7233", Namespace: "default", TaskQueue: jobcontract.DefaultTaskQueue}
	if err != nil || got != want {
		t.Fatalf("defaults = %+v, %v; want %+v", got, err, want)
	}
	got, err = ReadTemporal(env(map[string]string{"TEMPORAL_URL": "t:1", "TEMPORAL_NAMESPACE": "ns", "TEMPORAL_TASK_QUEUE": "q", "TEMPORAL_CERT": "c", "TEMPORAL_KEY": "k"}))
	if want := (Temporal{URL: "t:1", Namespace: "ns", TaskQueue: "q", Cert: "c", Key: "k"}); err != nil || got != want {
		t.Fatalf("set = %+v, %v; want %+v", got, err, want)
	}
	if c := got.Conn(nil); c.HostPort != "t:1" || c.Namespace != "ns" || c.Cert != "c" || c.Key != "k" {
		t.Errorf("Conn = %+v", c)
	}
	for _, half := range []string{"TEMPORAL_CERT", "TEMPORAL_KEY"} {
		_, err := ReadTemporal(env(map[string]string{half: "x"}))
		var e *Error
		if !errors.As(err, &e) || err.Error() != "TEMPORAL_CERT and TEMPORAL_KEY must be set together" {
			t.Errorf("only %s: err = %v, want the pair named", half, err)
		}
	}
}

func TestReadLog(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name    string
		env     map[string]string
		want    Log
		wantErr string
	}{
		{"defaults", nil, Log{Level: slog.LevelInfo, Format: "text"}, ""},
		{"set", map[string]string{"LOG_LEVEL": "debug", "LOG_FORMAT": "json"}, Log{Level: slog.LevelDebug, Format: "json"}, ""},
		{"bad level", map[string]string{"LOG_LEVEL": "loud"}, Log{}, "LOG_LEVEL must be debug, info, warn or error"},
		{"bad format", map[string]string{"LOG_FORMAT": "xml"}, Log{}, `LOG_FORMAT must be text or json, got "xml"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := ReadLog(env(tc.env))
			if tc.wantErr != "" {
				var e *Error
				if !errors.As(err, &e) || err.Error() != tc.wantErr {
					t.Fatalf("err = %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("ReadLog = %+v, %v; want %+v", got, err, tc.want)
			}
		})
	}
}

func TestNewLogger(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	Log{Level: slog.LevelWarn, Format: "json"}.NewLogger(&buf).Info("hidden")
	Log{Level: slog.LevelWarn, Format: "json"}.NewLogger(&buf).Warn("shown")
	if out := buf.String(); strings.Contains(out, "hidden") || !strings.HasPrefix(out, `{"time"`) || !strings.Contains(out, `"msg":"shown"`) {
		t.Errorf("json logger wrote %q", out)
	}
	buf.Reset()
	Log{Format: "text"}.NewLogger(&buf).Info("hello")
	if out := buf.String(); !strings.Contains(out, "level=INFO msg=hello") {
		t.Errorf("text logger wrote %q", out)
	}
}

func TestReadTelemetry(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name    string
		env     map[string]string
		want    Telemetry
		wantErr string
	}{
		{name: "off by default", env: nil, want: Telemetry{}},
		{name: "metrics port", env: map[string]string{"NEOSYNC_METRICS_ADDR": ":9090"}, want: Telemetry{MetricsAddr: ":9090"}},
		{name: "no port", env: map[string]string{"NEOSYNC_METRICS_ADDR": "localhost"}, wantErr: "NEOSYNC_METRICS_ADDR must be host:port"},
		{name: "traces", env: map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": "http://c:4318"}, want: Telemetry{Traces: true}},
		{name: "traces endpoint", env: map[string]string{"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": "http://c:4318/v1/traces"}, want: Telemetry{Traces: true}},
		{name: "sdk disabled", env: map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": "http://c:4318", "OTEL_SDK_DISABLED": "true"}, want: Telemetry{}},
		{name: "exporter none", env: map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": "http://c:4318", "OTEL_TRACES_EXPORTER": "none"}, want: Telemetry{}},
		{name: "other exporter", env: map[string]string{"OTEL_TRACES_EXPORTER": "zipkin"}, wantErr: "OTEL_TRACES_EXPORTER must be otlp or none"},
		{name: "grpc protocol", env: map[string]string{"OTEL_EXPORTER_OTLP_PROTOCOL": "grpc"}, wantErr: "OTEL_EXPORTER_OTLP_PROTOCOL must be http/protobuf"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := ReadTelemetry(env(tc.env))
			if tc.wantErr != "" {
				if err == nil || !strings.HasPrefix(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want prefix %q", err, tc.wantErr)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("got %+v, %v; want %+v", got, err, tc.want)
			}
		})
	}
}
