package e2e_test

import (
	"compress/gzip"
	"fmt"
	"io"
	"net"
	"net/http"
	"sync"
	"testing"

	"go.opentelemetry.io/collector/pdata/ptrace/ptraceotlp"
)

// span is what the tests look at of a received span.
type span struct {
	service, name     string
	trace, id, parent string
	attrs             map[string]string
}

// otlpReceiver is an OTLP/HTTP trace endpoint (POST /v1/traces,
// protobuf) decoded with the OpenTelemetry collector's pdata, keeping
// every span it receives.
type otlpReceiver struct {
	url   string
	mu    sync.Mutex
	spans []span
}

func startOTLPReceiver(t *testing.T) *otlpReceiver {
	t.Helper()
	r := &otlpReceiver{}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	r.url = "http://" + ln.Addr().String()
	mux := http.NewServeMux()
	mux.HandleFunc("POST /v1/traces", r.export)
	srv := &http.Server{Handler: mux}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })
	return r
}

func (r *otlpReceiver) export(w http.ResponseWriter, req *http.Request) {
	var body io.Reader = req.Body
	if req.Header.Get("Content-Encoding") == "gzip" {
		gz, err := gzip.NewReader(req.Body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		body = gz
	}
	b, err := io.ReadAll(body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	msg := ptraceotlp.NewExportRequest()
	if err := msg.UnmarshalProto(b); err != nil {
		http.Error(w, fmt.Sprintf("not an OTLP trace export: %v", err), http.StatusBadRequest)
		return
	}
	var got []span
	rs := msg.Traces().ResourceSpans()
	for i := 0; i < rs.Len(); i++ {
		service := ""
		if v, ok := rs.At(i).Resource().Attributes().Get("service.name"); ok {
			service = v.AsString()
		}
		ss := rs.At(i).ScopeSpans()
		for j := 0; j < ss.Len(); j++ {
			spans := ss.At(j).Spans()
			for k := 0; k < spans.Len(); k++ {
				s := spans.At(k)
				sp := span{service: service, name: s.Name(), trace: s.TraceID().String(), id: s.SpanID().String(), parent: s.ParentSpanID().String(), attrs: map[string]string{}}
				for key, v := range s.Attributes().All() {
					sp.attrs[key] = v.AsString()
				}
				got = append(got, sp)
			}
		}
	}
	r.mu.Lock()
	r.spans = append(r.spans, got...)
	r.mu.Unlock()
	out, _ := ptraceotlp.NewExportResponse().MarshalProto()
	w.Header().Set("Content-Type", "application/x-protobuf")
	_, _ = w.Write(out)
}

// trace returns the spans received so far of one trace, by span id.
func (r *otlpReceiver) trace(traceID string) map[string]span {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := map[string]span{}
	for _, s := range r.spans {
		if s.trace == traceID {
			out[s.id] = s
		}
	}
	return out
}

// chain returns the spans from s up to the trace's root as far as they
// were received, s first.
func chain(spans map[string]span, s span) []span {
	out := []span{s}
	for len(out) <= len(spans) {
		p, ok := spans[out[len(out)-1].parent]
		if !ok {
			break
		}
		out = append(out, p)
	}
	return out
}
