package e2e_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"go.yaml.in/yaml/v3"

	"github.com/neosyncio/neosync/backend/pkg/telemetry"
)

// deployDir is the repository's deploy/ folder.
var deployDir = filepath.Join("..", "..", "..", "deploy")

// metricName finds the metric names in a PromQL expression: ours, the
// Temporal SDK's, the Go and process collectors' and Prometheus' own up.
var metricName = regexp.MustCompile(`\b(?:neosync|temporal|go|process)_[a-zA-Z0-9_]+\b|\bup\b`)

// declaredSyncMetrics returns the sample names of the worker's sync
// metrics, each observed once, so series a successful run does not
// produce (transformer errors) count as exported too.
func declaredSyncMetrics() map[string]bool {
	reg := prometheus.NewRegistry()
	m := telemetry.NewSyncMetrics(reg)
	m.CopyStarted("j", "d")("complete")
	m.Copied("j", "d", "t", telemetry.CopyCounts{RowsRead: 1, RowsWritten: 1, BytesRead: 1, BytesWritten: 1})
	m.RunFinished("j", "failed", 1)
	m.TransformerError("j", "value")
	out := map[string]bool{"up": true}
	families, _ := reg.Gather()
	for _, f := range families {
		out[f.GetName()] = true
		if f.GetType().String() == "HISTOGRAM" {
			for _, s := range []string{"_bucket", "_sum", "_count"} {
				out[f.GetName()+s] = true
			}
		}
	}
	return out
}

// checkDeployFiles parses deploy/'s alert rules and Grafana dashboard
// (promtool is not available here) and checks every expression names
// only metrics in exported.
func checkDeployFiles(t *testing.T, exported map[string]bool) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(deployDir, "prometheus", "alerts.yml"))
	if err != nil {
		t.Fatal(err)
	}
	var rules struct {
		Groups []struct {
			Name  string `yaml:"name"`
			Rules []struct {
				Alert       string            `yaml:"alert"`
				Expr        string            `yaml:"expr"`
				For         string            `yaml:"for"`
				Labels      map[string]string `yaml:"labels"`
				Annotations map[string]string `yaml:"annotations"`
			} `yaml:"rules"`
		} `yaml:"groups"`
	}
	if err := yaml.Unmarshal(b, &rules); err != nil {
		t.Fatalf("alerts.yml: %v", err)
	}
	alerts := map[string]bool{}
	for _, g := range rules.Groups {
		for _, r := range g.Rules {
			alerts[r.Alert] = true
			if r.Expr == "" || r.Labels["severity"] == "" || r.Annotations["summary"] == "" {
				t.Errorf("alert %q lacks an expr, a severity or a summary", r.Alert)
			}
			checkExpr(t, "alert "+r.Alert, r.Expr, exported)
		}
	}
	for _, want := range []string{"NeosyncWorkerDown", "NeosyncRunFailures", "NeosyncNoProgress"} {
		if !alerts[want] {
			t.Errorf("alerts.yml has no %s", want)
		}
	}
	b, err = os.ReadFile(filepath.Join(deployDir, "grafana", "neosync-dashboard.json"))
	if err != nil {
		t.Fatal(err)
	}
	var dash struct {
		Title  string `json:"title"`
		Panels []struct {
			Title   string `json:"title"`
			Type    string `json:"type"`
			Targets []struct {
				Expr string `json:"expr"`
			} `json:"targets"`
		} `json:"panels"`
	}
	if err := json.Unmarshal(b, &dash); err != nil {
		t.Fatalf("neosync-dashboard.json: %v", err)
	}
	graphs := 0
	for _, p := range dash.Panels {
		if p.Type == "row" {
			continue
		}
		graphs++
		if len(p.Targets) == 0 {
			t.Errorf("panel %q has no query", p.Title)
		}
		for _, q := range p.Targets {
			checkExpr(t, "panel "+p.Title, q.Expr, exported)
		}
	}
	if graphs < 10 {
		t.Errorf("dashboard %q has %d graphs", dash.Title, graphs)
	}
}

func checkExpr(t *testing.T, where, expr string, exported map[string]bool) {
	t.Helper()
	names := metricName.FindAllString(expr, -1)
	if len(names) == 0 {
		t.Errorf("%s: no metric in %q", where, expr)
	}
	for _, n := range names {
		if !exported[n] {
			t.Errorf("%s names %s, which neither the API nor the worker exports", where, n)
		}
	}
}
