package telemetry

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
)

func TestHealthEndpoints(t *testing.T) {
	t.Parallel()
	ok := Probe{Name: "database", Check: func(context.Context) error { return nil }}
	down := Probe{Name: "temporal_poller", Check: func(context.Context) error { return errors.New("no poller yet") }}
	reg := NewRegistry()
	sync := NewSyncMetrics(reg)
	sync.RowsWritten("job", "dst", "public.users", 5)
	srv := httptest.NewServer(NewHandler(reg, nil, []Probe{ok, down}))
	t.Cleanup(srv.Close)
	for _, tc := range []struct {
		path, want string
		code       int
	}{
		{"/healthz", "ok\n", 200},
		{"/readyz", "database: ok\ntemporal_poller: no poller yet\n", 503},
	} {
		code, body := httpGet(t, srv.URL+tc.path)
		if code != tc.code || body != tc.want {
			t.Errorf("GET %s = %d %q, want %d %q", tc.path, code, body, tc.code, tc.want)
		}
	}
	code, body := httpGet(t, srv.URL+"/metrics")
	for _, want := range []string{`neosync_worker_rows_written_total{destination="dst",job_id="job",table="public.users"} 5`, "go_goroutines", "process_resident_memory_bytes"} {
		if code != 200 || !strings.Contains(body, want) {
			t.Errorf("/metrics (%d) lacks %s", code, want)
		}
	}
}

// TestNilSyncMetrics: code paths without a metrics port record nothing
// and do not fail.
func TestNilSyncMetrics(t *testing.T) {
	t.Parallel()
	var m *SyncMetrics
	m.CopyStarted("j", "d")("complete")
	m.RowsWritten("j", "d", "t", 1)
	m.RunFinished("j", "complete", 1)
	m.TransformerError("j", "value")
	reg := prometheus.NewRegistry()
	live := NewSyncMetrics(reg)
	live.RowsWritten("j", "d", "t", 0)
	live.RowsWritten("j", "d", "t", -3)
	families, _ := reg.Gather()
	for _, f := range families {
		if f.GetName() == "neosync_worker_rows_written_total" {
			t.Errorf("no rows written must leave no series, got %v", f)
		}
	}
}

// TestCopyMeter: a copy's cumulative progress becomes counter increments,
// a resumed copy's checkpoint rows are not counted again, and a count that
// goes back (a report out of order) adds nothing.
func TestCopyMeter(t *testing.T) {
	t.Parallel()
	reg := prometheus.NewRegistry()
	m := NewSyncMetrics(reg)
	c := m.Meter("j", "d", "public.t", CopyCounts{RowsRead: 100, RowsWritten: 100})
	c.Observe(CopyCounts{RowsRead: 150, RowsWritten: 100, BytesRead: 4000})
	c.Observe(CopyCounts{RowsRead: 140, RowsWritten: 120, BytesRead: 3000, BytesWritten: 900})
	c.Observe(CopyCounts{RowsRead: 200, RowsWritten: 200, BytesRead: 6000, BytesWritten: 5000})
	var nilMetrics *SyncMetrics
	nilMetrics.Meter("j", "d", "public.t", CopyCounts{}).Observe(CopyCounts{RowsRead: 5})
	got := map[string]float64{}
	families, _ := reg.Gather()
	for _, f := range families {
		for _, s := range f.GetMetric() {
			if s.GetCounter() != nil {
				got[f.GetName()] += s.GetCounter().GetValue()
			}
		}
	}
	for name, want := range map[string]float64{
		"neosync_worker_rows_read_total": 100, "neosync_worker_rows_written_total": 100,
		"neosync_worker_read_bytes_total": 6000, "neosync_worker_written_bytes_total": 5000,
	} {
		if got[name] != want {
			t.Errorf("%s = %v, want %v", name, got[name], want)
		}
	}
}

func httpGet(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}
