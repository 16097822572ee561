package config

import (
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

func TestLoad(t *testing.T) {
	t.Parallel()
	ok := map[string]string{"NEOSYNC_API_KEY": "neo_wk_x"}
	for name, tc := range map[string]struct {
		env  map[string]string
		want string
	}{
		"defaults":        {ok, ""},
		"missing key":     {map[string]string{}, "NEOSYNC_API_KEY is required"},
		"bad url":         {map[string]string{"NEOSYNC_API_KEY": "k", "NEOSYNC_API_URL": "ftp://x"}, "NEOSYNC_API_URL"},
		"half mtls":       {map[string]string{"NEOSYNC_API_KEY": "k", "TEMPORAL_KEY": "x"}, "TEMPORAL_CERT and TEMPORAL_KEY"},
		"bad concurrency": {map[string]string{"NEOSYNC_API_KEY": "k", "WORKER_MAX_CONCURRENT_ACTIVITIES": "0"}, "WORKER_MAX_CONCURRENT_ACTIVITIES"},
		"bad log format":  {map[string]string{"NEOSYNC_API_KEY": "k", "LOG_FORMAT": "xml"}, "LOG_FORMAT"},
		"bad deny":        {map[string]string{"NEOSYNC_API_KEY": "k", "NEOSYNC_CONNECTION_DENY": "1.2.3.4/40"}, "NEOSYNC_CONNECTION_DENY"},
		"bad auth mode":   {map[string]string{"NEOSYNC_API_KEY": "k", "NEOSYNC_AUTH_MODE": "open"}, "NEOSYNC_AUTH_MODE"},
		"bad js memory":   {map[string]string{"NEOSYNC_API_KEY": "k", "NEOSYNC_JS_MEMORY_MB": "8"}, "NEOSYNC_JS_MEMORY_MB must be a number of MiB from 16"},
		"zero range rows": {map[string]string{"NEOSYNC_API_KEY": "k", "NEOSYNC_RANGE_ROWS": "0"}, "NEOSYNC_RANGE_ROWS must be a number of rows"},
	} {
		c, err := Load(func(k string) string { return tc.env[k] })
		if tc.want == "" {
			if err != nil || c.Temporal.TaskQueue != "sync-job" || c.APIURL != "http://127.0.0.1:8080" || c.MaxConcurrentActivities != 4 ||
				c.JSMemoryBytes != 64<<20 || c.RangeRows != 0 || !c.ConnectionNetwork.AllowsAddr("", netip.MustParseAddr("127.0.0.1")) {
				t.Errorf("%s: %+v, %v", name, c, err)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: err = %v, want %q", name, err, tc.want)
		}
	}
}

// TestMultiAccountWorkerRefusesLoopback checks the worker takes the API's
// multi-account default when told the API's auth mode.
func TestMultiAccountWorkerRefusesLoopback(t *testing.T) {
	t.Parallel()
	c, err := Load(func(k string) string {
		return map[string]string{"NEOSYNC_API_KEY": "k", "NEOSYNC_AUTH_MODE": "apikey"}[k]
	})
	if err != nil {
		t.Fatal(err)
	}
	if c.ConnectionNetwork.AllowsAddr("", netip.MustParseAddr("127.0.0.1")) || c.ConnectionNetwork.AllowsUnix() {
		t.Fatal("a multi-account worker allows loopback or Unix sockets by default")
	}
}

func TestEnvNamesAreWhatLoadReads(t *testing.T) {
	t.Parallel()
	read := map[string]bool{}
	_, _ = Load(func(k string) string { read[k] = true; return map[string]string{"NEOSYNC_API_KEY": "k"}[k] })
	var got []string
	for k := range read {
		got = append(got, k)
	}
	sort.Strings(got)
	want := slices.Clone(EnvNames)
	sort.Strings(want)
	if !slices.Equal(got, want) {
		t.Fatalf("Load reads %v, EnvNames lists %v", got, want)
	}
}

// TestComposeMatchesTheWorkerConfig checks compose.yml's worker service sets
// only variables the worker reads, including the key it needs.
func TestComposeMatchesTheWorkerConfig(t *testing.T) {
	t.Parallel()
	b, err := os.ReadFile(filepath.Join("..", "..", "..", "compose.yml"))
	if err != nil {
		t.Fatal(err)
	}
	var c struct {
		Services map[string]struct {
			Environment map[string]string `yaml:"environment"`
		} `yaml:"services"`
	}
	if err := yaml.Unmarshal(b, &c); err != nil {
		t.Fatal(err)
	}
	w, ok := c.Services["worker"]
	if !ok {
		t.Fatal("compose.yml has no worker service")
	}
	for k := range w.Environment {
		if !slices.Contains(EnvNames, k) {
			t.Errorf("compose worker sets %s, which neosync-worker does not read", k)
		}
	}
	for _, required := range []string{"NEOSYNC_API_URL", "NEOSYNC_API_KEY", "TEMPORAL_URL"} {
		if _, ok := w.Environment[required]; !ok {
			t.Errorf("compose worker does not set %s", required)
		}
	}
}
