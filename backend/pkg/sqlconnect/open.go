package sqlconnect

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"database/sql"
	"errors"
	"fmt"
	"net"
	"strings"
	"time"

	"github.com/go-sql-driver/mysql"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/neosyncio/neosync/backend/pkg/netpolicy"
)

// DB is an open pool for one driver: exactly one of Postgres and MySQL is set.
type DB struct {
	Driver   Driver
	Postgres *pgxpool.Pool
	MySQL    *sql.DB

	tunnel *tunnel
}

// Idle reports whether none of the pool's connections is in use.
func (db *DB) Idle() bool {
	if db.Postgres != nil && db.Postgres.Stat().AcquiredConns() > 0 {
		return false
	}
	if db.MySQL != nil && db.MySQL.Stats().InUse > 0 {
		return false
	}
	return true
}

// Close releases the pool (and its SSH tunnel).
func (db *DB) Close() {
	if db.Postgres != nil {
		db.Postgres.Close()
	}
	if db.MySQL != nil {
		_ = db.MySQL.Close()
	}
	if db.tunnel != nil {
		_ = db.tunnel.Close()
	}
}

// ErrorKind classifies a failure to connect, so callers can map it to an
// error a user can act on.
type ErrorKind string

const (
	// KindUnreachable: DNS failure, refused or timed-out connection.
	KindUnreachable ErrorKind = "unreachable"
	// KindAuthentication: wrong user or password, or access denied.
	KindAuthentication ErrorKind = "authentication"
	// KindUnknownDatabase: the server has no such database.
	KindUnknownDatabase ErrorKind = "unknown_database"
	// KindTLS: a certificate or TLS negotiation problem.
	KindTLS ErrorKind = "tls"
	// KindConfig: the configuration itself is invalid.
	KindConfig ErrorKind = "config"
	// KindHostKey: an SSH bastion whose host key is not the known one.
	KindHostKey ErrorKind = "host_key"
	// KindOther: anything else the server said.
	KindOther ErrorKind = "other"
)

// ConnectError is a failed connection attempt with a message safe to show
// (secrets scrubbed).
type ConnectError struct {
	Kind    ErrorKind
	Message string
	Err     error
}

// Error describes the problem for people.
func (e *ConnectError) Error() string { return e.Message }

// Unwrap returns the driver error (which may contain secrets: never show it).
func (e *ConnectError) Unwrap() error { return e.Err }

// Open validates c, opens a pool and pings it within the context's deadline,
// under the policy set on ctx by WithPolicy (if any).
func Open(ctx context.Context, c Config) (*DB, error) {
	return PolicyFrom(ctx).Open(ctx, c)
}

// Open validates c against the parameter allow-list, opens a pool whose
// every connection dials through the network policy (and, for Postgres, is
// refused on the protected database) and pings it within the context's
// deadline.
func (p *Policy) Open(ctx context.Context, c Config) (*DB, error) {
	if err := c.Validate(); err != nil {
		return nil, err
	}
	if c.Driver == DriverS3 {
		return nil, ErrNotDatabase
	}
	if c.URLFromEnv != "" {
		return nil, c.errEnvURLUnresolved()
	}
	tlsConf, err := c.tlsConfig()
	if err != nil {
		return nil, err
	}
	switch c.Driver {
	case DriverPostgres:
		return p.openPostgres(ctx, c, tlsConf)
	case DriverMySQL:
		return p.openMySQL(ctx, c, tlsConf)
	}
	return nil, &ConfigError{Field: "driver", Reason: "unsupported"}
}

func (p *Policy) openPostgres(ctx context.Context, c Config, tlsConf *tls.Config) (*DB, error) {
	pc, err := c.postgresConfig()
	if err != nil {
		return nil, err
	}
	if tlsConf != nil {
		if tlsConf.ServerName == "" {
			tlsConf.ServerName = pc.ConnConfig.Host
		}
		pc.ConnConfig.TLSConfig = tlsConf
		pc.ConnConfig.Fallbacks = nil
	}
	// The dialer resolves names itself and checks what it dials, so pgx
	// must hand it the name, not addresses it resolved on its own.
	pc.ConnConfig.LookupFunc = func(_ context.Context, host string) ([]string, error) { return []string{host}, nil }
	pc.ConnConfig.DialFunc = p.dialer().DialContext
	var tun *tunnel
	if c.Tunnel != nil {
		tun = &tunnel{cfg: c.Tunnel, dialer: p.dialer()}
		pc.ConnConfig.DialFunc = tun.DialContext
	}
	pc.AfterConnect = p.checkProtected
	if p != nil && p.Tracer != nil {
		pc.ConnConfig.Tracer = p.Tracer
	}
	if pc.ConnConfig.ConnectTimeout == 0 {
		pc.ConnConfig.ConnectTimeout = 10 * time.Second
	}
	if c.Pool.MaxOpen > 0 {
		pc.MaxConns = int32(c.Pool.MaxOpen)
	}
	if c.Pool.MaxIdleTime > 0 {
		pc.MaxConnIdleTime = c.Pool.MaxIdleTime
	}
	if c.Pool.MaxLifetime > 0 {
		pc.MaxConnLifetime = c.Pool.MaxLifetime
	}
	pool, err := pgxpool.NewWithConfig(ctx, pc)
	if err != nil {
		closeTunnel(tun)
		return nil, classify(err, c)
	}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		closeTunnel(tun)
		return nil, classify(err, c)
	}
	return &DB{Driver: DriverPostgres, Postgres: pool, tunnel: tun}, nil
}

func (p *Policy) openMySQL(ctx context.Context, c Config, tlsConf *tls.Config) (*DB, error) {
	mc, err := c.mysqlConfig()
	if err != nil {
		return nil, err
	}
	if mc.Timeout == 0 {
		mc.Timeout = 10 * time.Second
	}
	if tlsConf != nil {
		if tlsConf.ServerName == "" {
			host, _, _ := net.SplitHostPort(mc.Addr)
			tlsConf.ServerName = host
		}
		mc.TLS = tlsConf
	}
	mc.DialFunc = p.dialer().DialContext
	var tun *tunnel
	if c.Tunnel != nil {
		tun = &tunnel{cfg: c.Tunnel, dialer: p.dialer()}
		mc.DialFunc = tun.DialContext
	}
	connector, err := mysql.NewConnector(mc)
	if err != nil {
		closeTunnel(tun)
		return nil, classify(err, c)
	}
	db := p.openMySQLDB(connector)
	maxOpen := c.Pool.MaxOpen
	if maxOpen == 0 {
		maxOpen = 10
	}
	db.SetMaxOpenConns(maxOpen)
	if c.Pool.MaxIdle > 0 {
		db.SetMaxIdleConns(c.Pool.MaxIdle)
	}
	if c.Pool.MaxIdleTime > 0 {
		db.SetConnMaxIdleTime(c.Pool.MaxIdleTime)
	}
	if c.Pool.MaxLifetime > 0 {
		db.SetConnMaxLifetime(c.Pool.MaxLifetime)
	}
	if err := db.PingContext(ctx); err != nil {
		_ = db.Close()
		closeTunnel(tun)
		return nil, classify(err, c)
	}
	return &DB{Driver: DriverMySQL, MySQL: db, tunnel: tun}, nil
}

func closeTunnel(t *tunnel) {
	if t != nil {
		_ = t.Close()
	}
}

func (c Config) tlsConfig() (*tls.Config, error) {
	if c.TLS == nil || (c.TLS.RootCert == "" && c.TLS.ClientCert == "") {
		return nil, nil
	}
	conf := &tls.Config{MinVersion: tls.VersionTLS12, ServerName: c.TLS.ServerName}
	if c.TLS.RootCert != "" {
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM([]byte(c.TLS.RootCert)) {
			return nil, &ConfigError{Field: "client_tls.root_cert", Reason: "is not a PEM certificate"}
		}
		conf.RootCAs = pool
	}
	if c.TLS.ClientCert != "" {
		cert, err := tls.X509KeyPair([]byte(c.TLS.ClientCert), []byte(c.TLS.ClientKey))
		if err != nil {
			return nil, &ConfigError{Field: "client_tls.client_cert", Reason: "certificate and key do not form a valid pair"}
		}
		conf.Certificates = []tls.Certificate{cert}
	}
	return conf, nil
}

// classify turns a driver error into a ConnectError with secrets scrubbed.
func classify(err error, c Config) error {
	var hostKey *HostKeyError
	if errors.As(err, &hostKey) {
		return &ConnectError{Kind: KindHostKey, Message: hostKey.Error(), Err: err}
	}
	var tunErr *TunnelError
	if errors.As(err, &tunErr) {
		kind := KindUnreachable
		if tunErr.Auth {
			kind = KindAuthentication
		}
		return &ConnectError{Kind: kind, Message: scrubSecrets(tunErr.Message, c), Err: err}
	}
	var dialErr *netpolicy.DialError
	if errors.As(err, &dialErr) {
		// Refused and unreachable read the same, without the driver's
		// wrapping (which names the user) or the OS error.
		return &ConnectError{Kind: KindUnreachable, Message: string(KindUnreachable) + ": " + dialErr.Error(), Err: err}
	}
	kind := KindOther
	var pgErr *pgconn.PgError
	var myErr *mysql.MySQLError
	var netErr net.Error
	var dnsErr *net.DNSError
	var opErr *net.OpError
	var certErr *tls.CertificateVerificationError
	switch {
	case errors.As(err, &pgErr):
		switch pgErr.Code {
		case "28P01", "28000":
			kind = KindAuthentication
		case "3D000":
			kind = KindUnknownDatabase
		}
	case errors.As(err, &myErr):
		switch myErr.Number {
		case 1045, 1044, 1698:
			kind = KindAuthentication
		case 1049:
			kind = KindUnknownDatabase
		}
	case errors.As(err, &certErr):
		kind = KindTLS
	case errors.As(err, &dnsErr), errors.As(err, &opErr), errors.Is(err, context.DeadlineExceeded):
		kind = KindUnreachable
	case errors.As(err, &netErr) && netErr.Timeout():
		kind = KindUnreachable
	}
	msg := err.Error()
	if kind == KindOther {
		low := strings.ToLower(msg)
		switch {
		case strings.Contains(low, "password authentication failed"), strings.Contains(low, "access denied"):
			kind = KindAuthentication
		case strings.Contains(low, "does not exist") && strings.Contains(low, "database"):
			kind = KindUnknownDatabase
		case strings.Contains(low, "tls"), strings.Contains(low, "certificate"), strings.Contains(low, "ssl"):
			kind = KindTLS
		case strings.Contains(low, "connection refused"), strings.Contains(low, "no such host"),
			strings.Contains(low, "i/o timeout"), strings.Contains(low, "timeout"), strings.Contains(low, "dial"):
			kind = KindUnreachable
		case errors.Is(err, mysql.ErrInvalidConn):
			kind = KindUnreachable
		}
	}
	return &ConnectError{Kind: kind, Message: fmt.Sprintf("%s: %s", kind, scrubSecrets(msg, c)), Err: err}
}

// scrubSecrets replaces every secret of c in msg by Mask.
func scrubSecrets(msg string, c Config) string {
	for _, s := range c.Secrets() {
		msg = strings.ReplaceAll(msg, s, Mask)
	}
	return msg
}
