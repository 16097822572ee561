package config

import (
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// TestEnvNamesAreWhatLoadReads keeps EnvNames honest.
func TestEnvNamesAreWhatLoadReads(t *testing.T) {
	t.Parallel()
	read := map[string]bool{}
	_, _ = Load(func(k string) string {
		read[k] = true
		if k == "NEOSYNC_ENCRYPTION_KEY" {
			return strings.Repeat("ab", 32)
		}
		return ""
	})
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

type composeFile struct {
	Services map[string]struct {
		Environment map[string]string `yaml:"environment"`
		Ports       []string          `yaml:"ports"`
		Healthcheck *struct{}         `yaml:"healthcheck"`
	} `yaml:"services"`
}

// TestComposeMatchesTheAPIConfig parses compose.yml (there is no Docker
// engine to run it here) and checks the api service sets only variables the
// API reads, binds a non-loopback address in API-key mode, and publishes the
// listen port.
func TestComposeMatchesTheAPIConfig(t *testing.T) {
	t.Parallel()
	b, err := os.ReadFile(filepath.Join("..", "..", "..", "compose.yml"))
	if err != nil {
		t.Fatal(err)
	}
	var c composeFile
	if err := yaml.Unmarshal(b, &c); err != nil {
		t.Fatalf("compose.yml: %v", err)
	}
	for _, svc := range []string{"postgres", "temporal", "api", "worker", "frontend"} {
		if _, ok := c.Services[svc]; !ok {
			t.Errorf("compose.yml has no %s service", svc)
		}
	}
	api := c.Services["api"]
	for k := range api.Environment {
		if !slices.Contains(EnvNames, k) {
			t.Errorf("compose api sets %s, which neosync-api does not read", k)
		}
	}
	for _, required := range []string{"NEOSYNC_DB_URL", "NEOSYNC_ENCRYPTION_KEY", "NEOSYNC_LISTEN_ADDR", "TEMPORAL_URL"} {
		if _, ok := api.Environment[required]; !ok {
			t.Errorf("compose api does not set %s", required)
		}
	}
	if api.Environment["NEOSYNC_AUTH_MODE"] != "apikey" {
		t.Errorf("compose api listens beyond loopback, so it must use NEOSYNC_AUTH_MODE=apikey")
	}
	port := api.Environment["NEOSYNC_LISTEN_ADDR"][strings.LastIndex(api.Environment["NEOSYNC_LISTEN_ADDR"], ":")+1:]
	if !slices.ContainsFunc(api.Ports, func(p string) bool { return strings.HasSuffix(p, ":"+port) }) {
		t.Errorf("compose api publishes %v, not its listen port %s", api.Ports, port)
	}
	if c.Services["postgres"].Healthcheck == nil {
		t.Errorf("compose postgres has no health check (the api waits for it)")
	}
	if got := c.Services["frontend"].Environment["NEOSYNC_API_URL"]; got != "http://api:"+port {
		t.Errorf("compose frontend points at %q, not the api service's port %s", got, port)
	}
	if c.Services["worker"].Environment["TEMPORAL_TASK_QUEUE"] != api.Environment["TEMPORAL_TASK_QUEUE"] {
		t.Errorf("api and worker must share a task queue")
	}
}
