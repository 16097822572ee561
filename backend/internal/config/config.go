// Package config reads the API server's configuration from environment
// variables, once, in main. Every value is validated at start with a message
// that names the variable, so a misconfigured server refuses to start instead
// of failing on the first request.
package config

import (
	"fmt"
	"net"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/neosyncio/neosync/backend/internal/auth"
	"github.com/neosyncio/neosync/backend/internal/secretbox"
	"github.com/neosyncio/neosync/backend/pkg/envconfig"
	"github.com/neosyncio/neosync/backend/pkg/netpolicy"
	"github.com/neosyncio/neosync/backend/pkg/sqlconnect"
)

// Config is everything neosync-api reads from its environment.
type Config struct {
	DBURL      string
	ListenAddr string
	AuthMode   auth.Mode
	// OIDC is read in AuthMode oidc (NEOSYNC_OIDC_ISSUER,
	// NEOSYNC_OIDC_AUDIENCE, NEOSYNC_OIDC_CLI_CLIENT_ID).
	OIDC          auth.OIDCConfig
	EncryptionKey []byte
	AutoMigrate   bool
	// Temporal and Log are read as the worker reads them (TEMPORAL_*, LOG_*).
	Temporal envconfig.Temporal
	Log      envconfig.Log
	// Telemetry is the metrics port and trace export (NEOSYNC_METRICS_ADDR, OTEL_*).
	Telemetry envconfig.Telemetry
	// MaxRequestBytes caps a request body.
	MaxRequestBytes int
	// JSMemoryBytes is the memory one JavaScript evaluation (one preview or
	// anonymization) may use in its runner process (NEOSYNC_JS_MEMORY_MB).
	JSMemoryBytes int64
	// JSMaxProcesses bounds the JavaScript runner processes running at once
	// (NEOSYNC_JS_MAX_PROCESSES).
	JSMaxProcesses int
	// RunLogRetention is how long the workers' run log lines are kept
	// (NEOSYNC_RUN_LOG_RETENTION_DAYS, 30 by default; 0 keeps them).
	RunLogRetention time.Duration
	// ConnectionNetwork is the network policy for tenants' connections
	// (NEOSYNC_CONNECTION_ALLOW and NEOSYNC_CONNECTION_DENY).
	ConnectionNetwork *netpolicy.Policy
	// URLFromEnv lets accounts save connections that name their URL with
	// url_from_env (NEOSYNC_URL_FROM_ENV: on | off; on by default only in
	// single-user mode, because every account could name any NEOSYNC_URL_*
	// variable of the workers).
	URLFromEnv bool
	// LookupEnv reads the API's own NEOSYNC_URL_* variables for checks,
	// schema reads and data streams of such connections.
	LookupEnv func(string) (string, bool)
}

// Defaults, as documented in the README's configuration table.
const (
	DefaultDBURL      = "postgres://postgres@127.0.0.1:5432/neosync?sslmode=disable"
	DefaultListenAddr = "127.0.0.1:8080"
)

// Load reads and validates the configuration; getenv is os.Getenv in main.
func Load(getenv func(string) string) (Config, error) {
	get := func(k, def string) string { return envconfig.Lookup(getenv, k, def) }
	c := Config{
		DBURL:           get("NEOSYNC_DB_URL", DefaultDBURL),
		ListenAddr:      get("NEOSYNC_LISTEN_ADDR", DefaultListenAddr),
		AuthMode:        auth.Mode(get("NEOSYNC_AUTH_MODE", string(auth.ModeNone))),
		MaxRequestBytes: 4 << 20,
		JSMemoryBytes:   64 << 20,
		JSMaxProcesses:  4,
		RunLogRetention: 30 * 24 * time.Hour,
	}
	if !strings.HasPrefix(c.DBURL, "postgres://") && !strings.HasPrefix(c.DBURL, "postgresql://") {
		return c, fmt.Errorf("NEOSYNC_DB_URL must be a postgres:// URL")
	}
	if _, _, err := net.SplitHostPort(c.ListenAddr); err != nil {
		return c, fmt.Errorf("NEOSYNC_LISTEN_ADDR must be host:port: %w", err)
	}
	switch c.AuthMode {
	case auth.ModeNone, auth.ModeAPIKey:
	case auth.ModeOIDC:
		oidcCfg, err := loadOIDC(getenv)
		if err != nil {
			return c, err
		}
		c.OIDC = oidcCfg
	default:
		return c, fmt.Errorf("NEOSYNC_AUTH_MODE must be none, apikey or oidc, got %q", c.AuthMode)
	}
	network, err := netpolicy.FromSettings(getenv("NEOSYNC_CONNECTION_ALLOW"), getenv("NEOSYNC_CONNECTION_DENY"), c.AuthMode != auth.ModeNone)
	if err != nil {
		return c, err
	}
	c.ConnectionNetwork = network
	key := getenv("NEOSYNC_ENCRYPTION_KEY")
	if key == "" {
		return c, fmt.Errorf("NEOSYNC_ENCRYPTION_KEY is required: it encrypts connection credentials at rest (generate one with: openssl rand -hex 32)")
	}
	k, err := secretbox.ParseKey(key)
	if err != nil {
		return c, fmt.Errorf("NEOSYNC_ENCRYPTION_KEY %w", err)
	}
	c.EncryptionKey = k
	if v := getenv("DB_AUTO_MIGRATE"); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return c, fmt.Errorf("DB_AUTO_MIGRATE must be true or false, got %q", v)
		}
		c.AutoMigrate = b
	}
	if c.Temporal, err = envconfig.ReadTemporal(getenv); err != nil {
		return c, err
	}
	if c.Telemetry, err = envconfig.ReadTelemetry(getenv); err != nil {
		return c, err
	}
	if c.Log, err = envconfig.ReadLog(getenv); err != nil {
		return c, err
	}
	if v := getenv("NEOSYNC_JS_MEMORY_MB"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 16 || n > 16<<10 {
			return c, fmt.Errorf("NEOSYNC_JS_MEMORY_MB must be a number of MiB from 16 to 16384, got %q", v)
		}
		c.JSMemoryBytes = int64(n) << 20
	}
	if err := c.readURLFromEnv(getenv); err != nil {
		return c, err
	}
	if v := getenv("NEOSYNC_JS_MAX_PROCESSES"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 256 {
			return c, fmt.Errorf("NEOSYNC_JS_MAX_PROCESSES must be a number from 1 to 256, got %q", v)
		}
		c.JSMaxProcesses = n
	}
	if v := getenv("NEOSYNC_RUN_LOG_RETENTION_DAYS"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 || n > 3650 {
			return c, fmt.Errorf("NEOSYNC_RUN_LOG_RETENTION_DAYS must be a number of days from 0 (keep) to 3650, got %q", v)
		}
		c.RunLogRetention = time.Duration(n) * 24 * time.Hour
	}
	return c, nil
}

// readURLFromEnv reads NEOSYNC_URL_FROM_ENV and gives the connection
// service a view of the API's environment restricted to NEOSYNC_URL_*.
func (c *Config) readURLFromEnv(getenv func(string) string) error {
	switch v := getenv("NEOSYNC_URL_FROM_ENV"); v {
	case "":
		c.URLFromEnv = c.AuthMode == auth.ModeNone
	case "on":
		c.URLFromEnv = true
	case "off":
		c.URLFromEnv = false
	default:
		return fmt.Errorf("NEOSYNC_URL_FROM_ENV must be on or off, got %q", v)
	}
	c.LookupEnv = func(name string) (string, bool) {
		if !sqlconnect.ValidEnvURLName(name) {
			return "", false
		}
		v := getenv(name)
		return v, v != ""
	}
	return nil
}

// IsLoopback reports whether the listen address only accepts local callers.
func (c Config) IsLoopback() bool {
	host, _, _ := net.SplitHostPort(c.ListenAddr)
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// EnvNames lists every environment variable Load reads, for documentation
// and for the test that checks compose.yml against this code.
var EnvNames = slices.Concat([]string{
	"NEOSYNC_DB_URL", "NEOSYNC_LISTEN_ADDR", "NEOSYNC_AUTH_MODE", "NEOSYNC_ENCRYPTION_KEY", "DB_AUTO_MIGRATE", "NEOSYNC_URL_FROM_ENV",
	"NEOSYNC_JS_MEMORY_MB", "NEOSYNC_JS_MAX_PROCESSES", "NEOSYNC_RUN_LOG_RETENTION_DAYS",
	"NEOSYNC_CONNECTION_ALLOW", "NEOSYNC_CONNECTION_DENY",
}, envconfig.TemporalEnvNames, envconfig.LogEnvNames, envconfig.TelemetryEnvNames)

// loadOIDC reads and checks the OIDC settings.
func loadOIDC(getenv func(string) string) (auth.OIDCConfig, error) {
	c := auth.OIDCConfig{Issuer: strings.TrimSpace(getenv("NEOSYNC_OIDC_ISSUER")), CLIClientID: strings.TrimSpace(getenv("NEOSYNC_OIDC_CLI_CLIENT_ID"))}
	u, err := url.Parse(c.Issuer)
	if c.Issuer == "" || err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return c, fmt.Errorf("NEOSYNC_OIDC_ISSUER must be the identity provider's issuer URL (https://…) when NEOSYNC_AUTH_MODE=oidc")
	}
	for _, a := range strings.Split(getenv("NEOSYNC_OIDC_AUDIENCE"), ",") {
		if a = strings.TrimSpace(a); a != "" {
			c.Audiences = append(c.Audiences, a)
		}
	}
	if len(c.Audiences) == 0 {
		return c, fmt.Errorf("NEOSYNC_OIDC_AUDIENCE must list the client ids whose tokens the API accepts (the web app's and the CLI's, comma separated) when NEOSYNC_AUTH_MODE=oidc")
	}
	return c, nil
}
