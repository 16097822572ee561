package sqlconnect

import (
	"context"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"
)

// UserName is the role or user the configuration connects as, whether it is
// given as a field or inside the URL ("" when it cannot be told).
func (c Config) UserName() string {
	if c.URL == "" {
		return c.User
	}
	switch c.Driver {
	case DriverPostgres:
		if s, err := parsePostgresSettings(c.URL); err == nil {
			return s["user"]
		}
	case DriverMySQL:
		if mc, err := parseMySQLURL(c.URL); err == nil {
			return mc.User
		}
	}
	return ""
}

// DatabaseName is the database the configuration connects to ("" when the
// configuration names none, as a MySQL URL may).
func (c Config) DatabaseName() string {
	if c.URL == "" {
		return c.Database
	}
	switch c.Driver {
	case DriverPostgres:
		if s, err := parsePostgresSettings(c.URL); err == nil {
			return s["database"]
		}
	case DriverMySQL:
		if mc, err := parseMySQLURL(c.URL); err == nil {
			return mc.DBName
		}
	}
	return ""
}

// Identity says, from facts the server reports rather than from the URL,
// which server and database a pool reaches: two connections written
// differently (a host name and an address, a proxy, another user) that
// reach the same database have the same Identity. Sync engines compare it
// to refuse writing into their own source. It holds no secret.
type Identity struct {
	// Server identifies the server: "postgres:" and the cluster's
	// system_identifier (shared by its physical standbys, and by a copy
	// restored from its physical backup); "mysql:" and @@server_uuid;
	// "mariadb:" and @@server_uid (a hash of a network address and the
	// port); or, on a MariaDB without server_uid,
	// "mariadb:" @@hostname ":" @@port ":" @@server_id; "" when the
	// server does not say (then nothing can be compared).
	Server string `json:"server"`
	// Database is the database the pool's sessions use: PostgreSQL's
	// current_database(), MySQL's DATABASE() ("" when the URL names none).
	Database string `json:"database"`
}

// SameServer reports whether both identities name the same server.
func (i Identity) SameServer(o Identity) bool { return i.Server != "" && i.Server == o.Server }

// Identity asks the server which server and database db reaches.
func (db *DB) Identity(ctx context.Context) (Identity, error) {
	var id Identity
	switch db.Driver {
	case DriverPostgres:
		return PostgresIdentity(ctx, db.Postgres)
	case DriverMySQL:
		conn, err := db.MySQL.Conn(ctx)
		if err != nil {
			return Identity{}, fmt.Errorf("identify the server: %w", err)
		}
		defer func() { _ = conn.Close() }()
		var version, host string
		var port, serverID int64
		err = conn.QueryRowContext(ctx, "SELECT COALESCE(DATABASE(), ''), VERSION(), @@hostname, @@port, @@server_id").Scan(&id.Database, &version, &host, &port, &serverID)
		if err != nil {
			return Identity{}, fmt.Errorf("identify the server: %w", err)
		}
		if !strings.Contains(strings.ToLower(version), "mariadb") {
			var uuid string
			if err := conn.QueryRowContext(ctx, "SELECT @@server_uuid").Scan(&uuid); err != nil {
				return Identity{}, fmt.Errorf("identify the server: %w", err)
			}
			id.Server = "mysql:" + uuid
			return id, nil
		}
		// server_uid exists from MariaDB 10.7 on; older servers fail the
		// query and are told apart by host, port and server id.
		var uid string
		if err := conn.QueryRowContext(ctx, "SELECT @@server_uid").Scan(&uid); err == nil && uid != "" {
			id.Server = "mariadb:" + uid
		} else {
			id.Server = fmt.Sprintf("mariadb:%s:%d:%d", host, port, serverID)
		}
	default:
		return Identity{}, fmt.Errorf("identify the server: unsupported driver %q", db.Driver)
	}
	return id, nil
}

// PostgresIdentity asks a Postgres session (a pool, a connection) which
// server and database it reaches.
func PostgresIdentity(ctx context.Context, q interface {
	QueryRow(context.Context, string, ...any) pgx.Row
}) (Identity, error) {
	var id Identity
	var sysid string
	err := q.QueryRow(ctx, "SELECT s.system_identifier::text, pg_catalog.current_database() FROM pg_catalog.pg_control_system() s").Scan(&sysid, &id.Database)
	if err == nil {
		id.Server = "postgres:" + sysid
		return id, nil
	}
	// A PostgreSQL-compatible server without pg_control_system (or that
	// denies it) leaves the server unknown. (Inside a transaction the
	// failed query would abort it: callers pass a pool or an idle
	// connection.)
	if err := q.QueryRow(ctx, "SELECT pg_catalog.current_database()").Scan(&id.Database); err != nil {
		return Identity{}, fmt.Errorf("identify the server: %w", err)
	}
	return id, nil
}
