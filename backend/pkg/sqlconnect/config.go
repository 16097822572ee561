package sqlconnect

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"strings"
	"time"

	"github.com/go-sql-driver/mysql"
	"github.com/jackc/pgx/v5/pgproto3"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/neosyncio/neosync/backend/pkg/objectstore"
)

// Driver names a database protocol.
type Driver string

const (
	// DriverPostgres is PostgreSQL (and wire-compatible servers).
	DriverPostgres Driver = "postgres"
	// DriverMySQL is MySQL or MariaDB.
	DriverMySQL Driver = "mysql"
	// DriverS3 is an S3-compatible bucket (Config.S3): a destination for
	// exports, not a database; Open refuses it.
	DriverS3 Driver = "aws_s3"
)

// Mask replaces every secret in a masked configuration. A client that sends
// it back on update keeps the stored secret.
const Mask = "********"

// Config is one database connection: either URL or the discrete fields.
// It is stored (encrypted) as JSON, so its tags are part of the storage format.
type Config struct {
	Driver Driver `json:"driver"`
	// URL is a postgres:// or mysql:// URL, a Postgres key=value DSN or a
	// go-sql-driver DSN. When set, the discrete fields are ignored.
	URL string `json:"url,omitempty"`
	// URLFromEnv names an environment variable (NEOSYNC_URL_…) that holds
	// the URL; the worker and the CLI read it when they open the
	// connection (FromEnv), so the URL is never stored. When set, URL and
	// the discrete fields are empty.
	URLFromEnv string `json:"url_from_env,omitempty"`
	Host       string `json:"host,omitempty"`
	Port       int    `json:"port,omitempty"`
	Database   string `json:"database,omitempty"`
	User       string `json:"user,omitempty"`
	Password   string `json:"password,omitempty"`
	// SSLMode is a Postgres sslmode (disable … verify-full); empty means prefer.
	SSLMode string `json:"ssl_mode,omitempty"`
	// Protocol is tcp or unix for MySQL; empty means tcp.
	Protocol string      `json:"protocol,omitempty"`
	Pool     PoolOptions `json:"pool"`
	// Tunnel, when set, reaches the database through an SSH bastion.
	Tunnel *SSHTunnel  `json:"tunnel,omitempty"`
	TLS    *TLSOptions `json:"tls,omitempty"`
	// S3 is the bucket of a DriverS3 connection (nil for the others).
	S3 *objectstore.Config `json:"s3,omitempty"`
}

// PoolOptions bounds the pool. Zero values pick defaults.
type PoolOptions struct {
	MaxOpen     int           `json:"max_open,omitempty"`
	MaxIdle     int           `json:"max_idle,omitempty"`
	MaxIdleTime time.Duration `json:"max_idle_time,omitempty"`
	MaxLifetime time.Duration `json:"max_lifetime,omitempty"`
}

// TLSOptions carries PEM material for server verification and client certificates.
type TLSOptions struct {
	RootCert   string `json:"root_cert,omitempty"`
	ClientCert string `json:"client_cert,omitempty"`
	ClientKey  string `json:"client_key,omitempty"`
	ServerName string `json:"server_name,omitempty"`
}

// ConfigError is an invalid configuration; Field names the offending field
// in the API's terms (e.g. "url", "host", "port").
type ConfigError struct {
	Field  string
	Reason string
	// Err is a more specific cause, such as a *ParamError.
	Err error
}

// Error describes the problem for people.
func (e *ConfigError) Error() string { return e.Field + ": " + e.Reason }

// Unwrap returns the specific cause, if any.
func (e *ConfigError) Unwrap() error { return e.Err }

var validSSLModes = map[string]bool{"": true, "disable": true, "allow": true, "prefer": true, "require": true, "verify-ca": true, "verify-full": true}

// Validate checks the configuration without connecting.
func (c Config) Validate() error {
	switch c.Driver {
	case DriverPostgres, DriverMySQL:
		if c.S3 != nil {
			return &ConfigError{Field: "s3", Reason: "is only for S3 connections"}
		}
	case DriverS3:
		return c.validateS3()
	default:
		return &ConfigError{Field: "driver", Reason: fmt.Sprintf("unsupported driver %q", c.Driver)}
	}
	if c.Pool.MaxOpen < 0 || c.Pool.MaxOpen > 1000 {
		return &ConfigError{Field: "connection_options.max_connection_limit", Reason: "must be between 0 and 1000"}
	}
	if c.Pool.MaxIdle < 0 || c.Pool.MaxIdle > 1000 {
		return &ConfigError{Field: "connection_options.max_idle_connections", Reason: "must be between 0 and 1000"}
	}
	if c.Pool.MaxIdleTime < 0 || c.Pool.MaxLifetime < 0 {
		return &ConfigError{Field: "connection_options", Reason: "durations must not be negative"}
	}
	if c.TLS != nil && (c.TLS.ClientCert == "") != (c.TLS.ClientKey == "") {
		return &ConfigError{Field: "client_tls", Reason: "client_cert and client_key must be given together"}
	}
	if c.Tunnel != nil {
		if err := c.Tunnel.validate(); err != nil {
			return err
		}
	}
	if c.URLFromEnv != "" {
		return c.validateEnvURL()
	}
	if c.URL != "" {
		if _, err := c.dsn(); err != nil {
			return err
		}
		return c.checkTunnelTarget()
	}
	if strings.TrimSpace(c.Host) == "" {
		return &ConfigError{Field: "host", Reason: "is required"}
	}
	if c.Port < 0 || c.Port > 65535 {
		return &ConfigError{Field: "port", Reason: "must be between 1 and 65535"}
	}
	if c.User == "" {
		return &ConfigError{Field: "user", Reason: "is required"}
	}
	if c.Driver == DriverPostgres && !validSSLModes[c.SSLMode] {
		return &ConfigError{Field: "ssl_mode", Reason: fmt.Sprintf("%q is not one of disable, allow, prefer, require, verify-ca, verify-full", c.SSLMode)}
	}
	if c.Driver == DriverMySQL && c.Protocol != "" && c.Protocol != "tcp" && c.Protocol != "unix" {
		return &ConfigError{Field: "protocol", Reason: "must be tcp or unix"}
	}
	if _, err := c.dsn(); err != nil {
		return err
	}
	return c.checkTunnelTarget()
}

// checkTunnelTarget refuses a tunnel to a Unix socket: the bastion can only
// forward TCP.
func (c Config) checkTunnelTarget() error {
	if c.Tunnel == nil || c.URLFromEnv != "" {
		return nil
	}
	if t := c.target(); strings.HasPrefix(t.host, "/") || strings.HasPrefix(t.host, "unix:") {
		return &ConfigError{Field: "tunnel", Reason: "cannot reach a Unix socket; give the database's TCP host and port as the bastion sees them"}
	}
	return nil
}

// dsn checks that the configuration renders into a driver configuration
// the connection policy accepts.
func (c Config) dsn() (string, error) {
	switch c.Driver {
	case DriverPostgres:
		pc, err := c.postgresConfig()
		if err != nil {
			return "", err
		}
		return pc.ConnString(), nil
	case DriverMySQL:
		mc, err := c.mysqlConfig()
		if err != nil {
			return "", err
		}
		return mc.FormatDSN(), nil
	}
	return "", &ConfigError{Field: "driver", Reason: fmt.Sprintf("unsupported driver %q", c.Driver)}
}

// postgresSettings is what the tenant wrote (URL, DSN or fields), checked
// against the parameter allow-list; nothing comes from the environment.
func (c Config) postgresSettings() (map[string]string, error) {
	if c.URL == "" {
		s := map[string]string{"host": c.Host, "user": c.User, "database": c.Database, "password": c.Password}
		if c.Port != 0 {
			s["port"] = fmt.Sprint(c.Port)
		}
		if c.SSLMode != "" {
			s["sslmode"] = c.SSLMode
		}
		return s, nil
	}
	s, err := parsePostgresSettings(c.URL)
	if err != nil {
		return nil, &ConfigError{Field: "url", Reason: "not a valid Postgres URL or DSN: " + redactParseError(err, c.URL)}
	}
	if err := checkPostgresParams(s); err != nil {
		return nil, &ConfigError{Field: "url", Reason: err.Error(), Err: err}
	}
	if strings.TrimSpace(s["host"]) == "" {
		return nil, &ConfigError{Field: "url", Reason: "names no host (the API does not fill one in from its own environment)"}
	}
	if s["user"] == "" {
		return nil, &ConfigError{Field: "url", Reason: "names no user (the API does not fill one in from its own environment)"}
	}
	if m := s["sslmode"]; !validSSLModes[m] {
		return nil, &ConfigError{Field: "url", Reason: fmt.Sprintf("sslmode %q is not one of disable, allow, prefer, require, verify-ca, verify-full", m)}
	}
	return s, nil
}

// pgExplicit lists every setting pgx would otherwise take from the process
// environment (PG*), ~/.pgpass, ~/.pg_service.conf or ~/.postgresql, with
// the value used when the tenant gives none. The rendered DSN sets each of
// them, and a DSN's values take precedence over environment and defaults.
var pgExplicit = []struct{ key, def string }{
	{"host", ""}, {"port", "5432"}, {"database", ""}, {"user", ""}, {"password", ""},
	{"passfile", ""}, {"sslmode", "prefer"}, {"sslrootcert", ""}, {"sslcert", ""}, {"sslkey", ""},
	{"sslpassword", ""}, {"sslcertmode", "allow"}, {"sslsni", "1"}, {"sslnegotiation", "postgres"},
	{"connect_timeout", "10"}, {"target_session_attrs", "any"}, {"channel_binding", "prefer"},
	{"require_auth", ""}, {"min_protocol_version", ""}, {"max_protocol_version", ""},
}

// pgRuntimeParams are the allowed settings that are sent to the server as
// session parameters.
var pgRuntimeParams = map[string]string{"application_name": "neosync", "search_path": ""}

// postgresConfig builds the pgx pool configuration from the tenant's
// settings alone: every environment-sensitive setting is given explicitly
// and the session parameters are replaced, so neither PG* variables nor the
// home directory's files fill anything in.
func (c Config) postgresConfig() (*pgxpool.Config, error) {
	s, err := c.postgresSettings()
	if err != nil {
		return nil, err
	}
	keys := make([]string, 0, len(pgExplicit))
	all := map[string]string{}
	for _, e := range pgExplicit {
		v, ok := s[e.key]
		if !ok || (v == "" && e.def != "") {
			v = e.def
		}
		all[e.key] = v
		keys = append(keys, e.key)
	}
	field := "url"
	if c.URL == "" {
		field = "host"
	}
	pc, err := pgxpool.ParseConfig(keywordValue(keys, all))
	if err != nil {
		return nil, &ConfigError{Field: field, Reason: "does not form a valid connection: " + redactParseError(err, all["password"])}
	}
	pc.ConnConfig.RuntimeParams = map[string]string{}
	for k, def := range pgRuntimeParams {
		if v := s[k]; v != "" {
			pc.ConnConfig.RuntimeParams[k] = v
		} else if def != "" {
			pc.ConnConfig.RuntimeParams[k] = def
		}
	}
	pc.ConnConfig.KerberosSrvName, pc.ConnConfig.KerberosSpn = "", ""
	pc.ConnConfig.BuildFrontend = bufferedFrontend
	return pc, nil
}

// pgReadBuffer is the bytes one read from a PostgreSQL connection may
// take. pgx reads through an 8 KiB buffer, one system call per 8 KiB. A
// copy's reader is usually the slower side, so the socket holds more than
// that and one call takes it all: with 64 KiB the relay's CPU per
// 1,000,000 transformed rows went 1.06–1.14 → 0.95–1.03 s (three
// alternating pairs of the sqlsync benchmark's child); 256 KiB was no
// better than 64.
const pgReadBuffer = 64 << 10

// bufferedFrontend is pgx's frontend reading through a pgReadBuffer-byte
// buffer (pgconn.BuildFrontendFunc).
func bufferedFrontend(r io.Reader, w io.Writer) *pgproto3.Frontend {
	return pgproto3.NewFrontend(bufio.NewReaderSize(r, pgReadBuffer), w)
}

// mysqlConfig builds the driver configuration, checked against the
// parameter allow-list and with every file-reading option off.
func (c Config) mysqlConfig() (*mysql.Config, error) {
	var mc *mysql.Config
	if c.URL != "" {
		parsed, err := parseMySQLURL(c.URL)
		if err != nil {
			return nil, err
		}
		mc = parsed
	} else {
		mc = mysql.NewConfig()
		mc.User = c.User
		mc.Passwd = c.Password
		mc.Net = c.Protocol
		if mc.Net == "" {
			mc.Net = "tcp"
		}
		port := c.Port
		if port == 0 {
			port = 3306
		}
		if mc.Net == "unix" {
			mc.Addr = c.Host
		} else {
			mc.Addr = net.JoinHostPort(c.Host, fmt.Sprint(port))
		}
		mc.DBName = c.Database
	}
	switch mc.Net {
	case "tcp", "tcp4", "tcp6", "unix":
	default:
		return nil, &ConfigError{Field: "url", Reason: fmt.Sprintf("network %q is not tcp or unix", mc.Net)}
	}
	mc.ParseTime = false
	mc.MultiStatements = false
	mc.AllowNativePasswords = true
	mc.InterpolateParams = false
	mc.AllowAllFiles = false
	mc.AllowCleartextPasswords = false
	mc.AllowFallbackToPlaintext = false
	mc.ServerPubKey = ""
	return mc, nil
}

// parseMySQLURL accepts mysql://user:pass@host:port/db?params and the
// go-sql-driver DSN form user:pass@tcp(host:port)/db.
func parseMySQLURL(raw string) (*mysql.Config, error) {
	if strings.HasPrefix(raw, "mysql://") || strings.HasPrefix(raw, "mariadb://") {
		u, err := url.Parse(raw)
		if err != nil {
			return nil, &ConfigError{Field: "url", Reason: "not a valid MySQL URL: " + redactParseError(err, raw)}
		}
		if u.Host == "" {
			return nil, &ConfigError{Field: "url", Reason: "has no host"}
		}
		mc := mysql.NewConfig()
		mc.Net = "tcp"
		mc.Addr = u.Host
		if u.Port() == "" {
			mc.Addr = net.JoinHostPort(u.Hostname(), "3306")
		}
		if u.User != nil {
			mc.User = u.User.Username()
			mc.Passwd, _ = u.User.Password()
		}
		mc.DBName = strings.TrimPrefix(u.Path, "/")
		if err := checkMySQLParams(u.Query()); err != nil {
			return nil, &ConfigError{Field: "url", Reason: err.Error(), Err: err}
		}
		params := map[string]string{}
		for k, v := range u.Query() {
			if len(v) > 0 {
				params[k] = v[0]
			}
		}
		if tlsParam, ok := params["tls"]; ok {
			mc.TLSConfig = tlsParam
			delete(params, "tls")
		}
		if len(params) > 0 {
			mc.Params = params
		}
		return mc, nil
	}
	if q, err := mysqlDSNQuery(raw); err == nil {
		if err := checkMySQLParams(q); err != nil {
			return nil, &ConfigError{Field: "url", Reason: err.Error(), Err: err}
		}
	}
	mc, err := mysql.ParseDSN(raw)
	if err != nil {
		return nil, &ConfigError{Field: "url", Reason: "not a valid MySQL URL or DSN (want mysql://user:pass@host:3306/db)"}
	}
	return mc, nil
}

// redactParseError keeps parser messages readable without echoing a secret.
func redactParseError(err error, secret string) string {
	msg := err.Error()
	var pe *url.Error
	if errors.As(err, &pe) {
		msg = pe.Err.Error()
	}
	if secret != "" {
		msg = strings.ReplaceAll(msg, secret, "…")
	}
	return msg
}
