// Package config reads the worker's configuration from its environment,
// once, in main, and validates it with messages that name the variable.
package config

import (
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/neosyncio/neosync/backend/pkg/envconfig"
	"github.com/neosyncio/neosync/backend/pkg/netpolicy"
	"github.com/neosyncio/neosync/backend/pkg/syncplan"
)

// Config is everything neosync-worker reads from its environment.
type Config struct {
	APIURL string
	APIKey string
	// Temporal and Log are read as the API reads them (TEMPORAL_*, LOG_*).
	Temporal envconfig.Temporal
	Log      envconfig.Log
	// Telemetry is the metrics and health port and trace export (NEOSYNC_METRICS_ADDR, OTEL_*).
	Telemetry envconfig.Telemetry
	// MaxConcurrentActivities bounds the activities this process runs at once.
	MaxConcurrentActivities int
	// RangeRows is the rows per key range of a large table
	// (NEOSYNC_RANGE_ROWS; 0 when unset: sqlsync.DefaultRangeRowsFor the
	// job — 5,000,000 on PostgreSQL into one database, else 1,000,000): a table of
	// at least twice as many rows, keyed by one integer column, is copied
	// in ranges, each its own activity, which several workers share. The
	// worker that starts a run decides its ranges.
	RangeRows int64
	// ConnectionNetwork is the network policy for the source and
	// destination connections of jobs (NEOSYNC_CONNECTION_ALLOW and
	// NEOSYNC_CONNECTION_DENY, with the API's multi-account default when
	// NEOSYNC_AUTH_MODE is apikey or oidc).
	ConnectionNetwork *netpolicy.Policy
	// JSCallMax caps the time budget of one JavaScript transformer call
	// (NEOSYNC_JS_CALL_MAX_MS, 100 by default, the default timeout_ms): the
	// worker calls JavaScript per row, so a hostile loop must not hold a
	// row for long.
	JSCallMax time.Duration
	// JSMemoryBytes is the hard memory limit of each child process that
	// evaluates a JavaScript transformer (NEOSYNC_JS_MEMORY_MB, 64 by
	// default, as the API's runner limit): the kernel stops a child that
	// allocates more, and the run fails naming the table, column and limit
	// while the worker lives on.
	JSMemoryBytes int64
}

// MinRangeRows is the least NEOSYNC_RANGE_ROWS: smaller ranges cost more
// in activities than they gain (tables under 10,000 rows are copied in
// batches of tables instead).
const MinRangeRows = syncplan.MinRangeRows

// Load reads and validates the configuration; getenv is os.Getenv in main.
func Load(getenv func(string) string) (Config, error) {
	get := func(k, def string) string { return envconfig.Lookup(getenv, k, def) }
	c := Config{
		APIURL: strings.TrimRight(get("NEOSYNC_API_URL", "http://127.0.0.1:8080"), "/"),
		APIKey: getenv("NEOSYNC_API_KEY"),
	}
	if u, err := url.Parse(c.APIURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return c, fmt.Errorf("NEOSYNC_API_URL must be an http(s) URL, got %q", c.APIURL)
	}
	if c.APIKey == "" {
		return c, fmt.Errorf("NEOSYNC_API_KEY is required: create a worker key with `neosync-api apikey create -worker`")
	}
	var err error
	if c.Temporal, err = envconfig.ReadTemporal(getenv); err != nil {
		return c, err
	}
	if c.Telemetry, err = envconfig.ReadTelemetry(getenv); err != nil {
		return c, err
	}
	if c.Log, err = envconfig.ReadLog(getenv); err != nil {
		return c, err
	}
	n, err := strconv.Atoi(get("WORKER_MAX_CONCURRENT_ACTIVITIES", "4"))
	if err != nil || n < 1 || n > 256 {
		return c, fmt.Errorf("WORKER_MAX_CONCURRENT_ACTIVITIES must be an integer between 1 and 256")
	}
	c.MaxConcurrentActivities = n
	if v := get("NEOSYNC_RANGE_ROWS", ""); v != "" {
		rr, err := strconv.ParseInt(v, 10, 64)
		if err != nil || rr < MinRangeRows || rr > syncplan.MaxRangeRows {
			return c, fmt.Errorf("NEOSYNC_RANGE_ROWS must be a number of rows from %d to 1000000000, or unset for the default (5000000 on PostgreSQL into one database, else 1000000)", MinRangeRows)
		}
		c.RangeRows = rr
	}
	ms, err := strconv.Atoi(get("NEOSYNC_JS_CALL_MAX_MS", "100"))
	if err != nil || ms < 1 || ms > 60000 {
		return c, fmt.Errorf("NEOSYNC_JS_CALL_MAX_MS must be an integer between 1 and 60000 (milliseconds)")
	}
	c.JSCallMax = time.Duration(ms) * time.Millisecond
	mb, err := strconv.Atoi(get("NEOSYNC_JS_MEMORY_MB", "64"))
	if err != nil || mb < 16 || mb > 16<<10 {
		return c, fmt.Errorf("NEOSYNC_JS_MEMORY_MB must be a number of MiB from 16 to 16384")
	}
	c.JSMemoryBytes = int64(mb) << 20
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

// EnvNames lists every environment variable Load reads, for documentation
// and for the test that checks compose.yml against this code.
var EnvNames = slices.Concat([]string{
	"NEOSYNC_API_URL", "NEOSYNC_API_KEY", "WORKER_MAX_CONCURRENT_ACTIVITIES", "NEOSYNC_RANGE_ROWS",
	"NEOSYNC_AUTH_MODE", "NEOSYNC_CONNECTION_ALLOW", "NEOSYNC_CONNECTION_DENY", "NEOSYNC_JS_CALL_MAX_MS",
	"NEOSYNC_JS_MEMORY_MB",
}, envconfig.TemporalEnvNames, envconfig.LogEnvNames, envconfig.TelemetryEnvNames)
