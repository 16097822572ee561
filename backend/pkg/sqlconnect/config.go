package sqlconnect

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"
	"time"

	"github.com/go-sql-driver/mysql"
	"github.com/jackc/pgx/v5"
)

// Driver names a database protocol.
type Driver string

const (
	// DriverPostgres is PostgreSQL (and wire-compatible servers).
	DriverPostgres Driver = "postgres"
	// DriverMySQL is MySQL or MariaDB.
	DriverMySQL Driver = "mysql"
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
	URL      string `json:"url,omitempty"`
	Host     string `json:"host,omitempty"`
	Port     int    `json:"port,omitempty"`
	Database string `json:"database,omitempty"`
	User     string `json:"user,omitempty"`
	Password string `json:"password,omitempty"`
	// SSLMode is a Postgres sslmode (disable … verify-full); empty means prefer.
	SSLMode string `json:"ssl_mode,omitempty"`
	// Protocol is tcp or unix for MySQL; empty means tcp.
	Protocol string      `json:"protocol,omitempty"`
	Pool     PoolOptions `json:"pool"`
	TLS      *TLSOptions `json:"tls,omitempty"`
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
}

// Error describes the problem for people.
func (e *ConfigError) Error() string { return e.Field + ": " + e.Reason }

var validSSLModes = map[string]bool{"": true, "disable": true, "allow": true, "prefer": true, "require": true, "verify-ca": true, "verify-full": true}

// Validate checks the configuration without connecting.
func (c Config) Validate() error {
	switch c.Driver {
	case DriverPostgres, DriverMySQL:
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
	if c.URL != "" {
		_, err := c.dsn()
		return err
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
	_, err := c.dsn()
	return err
}

// dsn renders the driver-specific connection string.
func (c Config) dsn() (string, error) {
	switch c.Driver {
	case DriverPostgres:
		return c.postgresDSN()
	case DriverMySQL:
		return c.mysqlDSN()
	}
	return "", &ConfigError{Field: "driver", Reason: fmt.Sprintf("unsupported driver %q", c.Driver)}
}

func (c Config) postgresDSN() (string, error) {
	if c.URL != "" {
		if _, err := pgx.ParseConfig(c.URL); err != nil {
			return "", &ConfigError{Field: "url", Reason: "not a valid Postgres URL or DSN: " + redactParseError(err, c.URL)}
		}
		return c.URL, nil
	}
	port := c.Port
	if port == 0 {
		port = 5432
	}
	u := url.URL{
		Scheme: "postgres",
		User:   url.UserPassword(c.User, c.Password),
		Host:   net.JoinHostPort(c.Host, fmt.Sprint(port)),
		Path:   "/" + c.Database,
	}
	if c.Password == "" {
		u.User = url.User(c.User)
	}
	q := url.Values{}
	if c.SSLMode != "" {
		q.Set("sslmode", c.SSLMode)
	}
	u.RawQuery = q.Encode()
	s := u.String()
	if _, err := pgx.ParseConfig(s); err != nil {
		return "", &ConfigError{Field: "host", Reason: "does not form a valid connection: " + redactParseError(err, c.Password)}
	}
	return s, nil
}

func (c Config) mysqlDSN() (string, error) {
	var mc *mysql.Config
	if c.URL != "" {
		parsed, err := parseMySQLURL(c.URL)
		if err != nil {
			return "", err
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
	mc.ParseTime = false
	mc.MultiStatements = false
	mc.AllowNativePasswords = true
	mc.InterpolateParams = false
	return mc.FormatDSN(), nil
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
