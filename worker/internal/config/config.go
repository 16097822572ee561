// Package config reads the worker's configuration from its environment,
// once, in main, and validates it with messages that name the variable.
package config

import (
	"fmt"
	"log/slog"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/neosyncio/neosync/backend/pkg/netpolicy"
)

// Config is everything neosync-worker reads from its environment.
type Config struct {
	APIURL            string
	APIKey            string
	TemporalURL       string
	TemporalNamespace string
	TemporalTaskQueue string
	TemporalCert      string
	TemporalKey       string
	LogLevel          slog.Level
	LogFormat         string
	// MaxConcurrentActivities bounds the activities this process runs at once.
	MaxConcurrentActivities int
	// ConnectionNetwork is the network policy for the source and
	// destination connections of jobs (NEOSYNC_CONNECTION_ALLOW and
	// NEOSYNC_CONNECTION_DENY, with the API's multi-account default when
	// NEOSYNC_AUTH_MODE is apikey or oidc).
	ConnectionNetwork *netpolicy.Policy
	// JSCallMax caps the time budget of one JavaScript transformer call
	// (NEOSYNC_JS_CALL_MAX_MS, 100 by default, the default timeout_ms): the worker runs JavaScript
	// in its own process, per row, and the budget is what bounds the
	// memory a hostile loop can take before it is interrupted.
	JSCallMax time.Duration
}

// Load reads and validates the configuration; getenv is os.Getenv in main.
func Load(getenv func(string) string) (Config, error) {
	get := func(k, def string) string {
		if v := strings.TrimSpace(getenv(k)); v != "" {
			return v
		}
		return def
	}
	c := Config{
		APIURL:            strings.TrimRight(get("NEOSYNC_API_URL", "http://127.0.0.1:8080"), "/"),
		APIKey:            getenv("NEOSYNC_API_KEY"),
		TemporalURL:       get("TEMPORAL_URL", "127.0.0.1:7233"),
		TemporalNamespace: get("TEMPORAL_NAMESPACE", "default"),
		TemporalTaskQueue: get("TEMPORAL_TASK_QUEUE", "sync-job"),
		TemporalCert:      getenv("TEMPORAL_CERT"),
		TemporalKey:       getenv("TEMPORAL_KEY"),
		LogFormat:         get("LOG_FORMAT", "text"),
	}
	if u, err := url.Parse(c.APIURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return c, fmt.Errorf("NEOSYNC_API_URL must be an http(s) URL, got %q", c.APIURL)
	}
	if c.APIKey == "" {
		return c, fmt.Errorf("NEOSYNC_API_KEY is required: create a worker key with `neosync-api apikey create -worker`")
	}
	if (c.TemporalCert == "") != (c.TemporalKey == "") {
		return c, fmt.Errorf("TEMPORAL_CERT and TEMPORAL_KEY must be set together")
	}
	if err := c.LogLevel.UnmarshalText([]byte(get("LOG_LEVEL", "info"))); err != nil {
		return c, fmt.Errorf("LOG_LEVEL must be debug, info, warn or error")
	}
	if c.LogFormat != "text" && c.LogFormat != "json" {
		return c, fmt.Errorf("LOG_FORMAT must be text or json, got %q", c.LogFormat)
	}
	n, err := strconv.Atoi(get("WORKER_MAX_CONCURRENT_ACTIVITIES", "4"))
	if err != nil || n < 1 || n > 256 {
		return c, fmt.Errorf("WORKER_MAX_CONCURRENT_ACTIVITIES must be an integer between 1 and 256")
	}
	c.MaxConcurrentActivities = n
	ms, err := strconv.Atoi(get("NEOSYNC_JS_CALL_MAX_MS", "100"))
	if err != nil || ms < 1 || ms > 60000 {
		return c, fmt.Errorf("NEOSYNC_JS_CALL_MAX_MS must be an integer between 1 and 60000 (milliseconds)")
	}
	c.JSCallMax = time.Duration(ms) * time.Millisecond
	mode := get("NEOSYNC_AUTH_MODE", "none")
	if mode != "none" && mode != "apikey" && mode != "oidc" {
		return c, fmt.Errorf("NEOSYNC_AUTH_MODE must be none, apikey or oidc (the API's mode, for the connection policy's default), got %q", mode)
	}
	network, err := netpolicy.FromSettings(getenv("NEOSYNC_CONNECTION_ALLOW"), getenv("NEOSYNC_CONNECTION_DENY"), mode != "none")
	if err != nil {
		return c, err
	}
	c.ConnectionNetwork = network
	return c, nil
}

// NewLogger builds the one logger of the binary.
func (c Config) NewLogger(w interface{ Write([]byte) (int, error) }) *slog.Logger {
	opts := &slog.HandlerOptions{Level: c.LogLevel}
	if c.LogFormat == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

// EnvNames lists every environment variable Load reads, for documentation
// and for the test that checks compose.yml against this code.
var EnvNames = []string{
	"NEOSYNC_API_URL", "NEOSYNC_API_KEY", "TEMPORAL_URL", "TEMPORAL_NAMESPACE", "TEMPORAL_TASK_QUEUE",
	"TEMPORAL_CERT", "TEMPORAL_KEY", "LOG_LEVEL", "LOG_FORMAT", "WORKER_MAX_CONCURRENT_ACTIVITIES",
	"NEOSYNC_AUTH_MODE", "NEOSYNC_CONNECTION_ALLOW", "NEOSYNC_CONNECTION_DENY", "NEOSYNC_JS_CALL_MAX_MS",
}
