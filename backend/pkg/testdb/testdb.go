// Package testdb creates scratch databases on the local Postgres and
// MariaDB servers for integration tests, and drops them at cleanup. The
// servers are found through NEOSYNC_TEST_PG_URL and NEOSYNC_TEST_MYSQL_DSN;
// an unreachable server fails the test, it never skips.
package testdb

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"
	"github.com/jackc/pgx/v5"
)

// Ctx returns a context bounded to the test (3 minutes).
func Ctx(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	t.Cleanup(cancel)
	return ctx
}

// Suffix returns 12 random hex digits, for names that must not collide
// between tests running at once.
func Suffix() string {
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// Defaults match the services this project's machines and CI run.
const (
	DefaultPGURL    = "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"
	DefaultMySQLDSN = "root@tcp(127.0.0.1:3306)/"
)

// PGAdminURL is the URL of a Postgres role that may create databases.
func PGAdminURL() string {
	if v := os.Getenv("NEOSYNC_TEST_PG_URL"); v != "" {
		return v
	}
	return DefaultPGURL
}

// MySQLAdminDSN is the DSN of a MySQL/MariaDB user that may create databases.
func MySQLAdminDSN() string {
	if v := os.Getenv("NEOSYNC_TEST_MYSQL_DSN"); v != "" {
		return v
	}
	return DefaultMySQLDSN
}

// Postgres creates an empty database and returns its URL; it is dropped at cleanup.
func Postgres(t testing.TB, prefix string) string {
	t.Helper()
	ctx := Ctx(t)
	admin, err := pgx.Connect(ctx, PGAdminURL())
	if err != nil {
		t.Fatalf("Postgres test server unreachable (NEOSYNC_TEST_PG_URL=%s): %v", PGAdminURL(), err)
	}
	defer admin.Close(context.Background())
	name := prefix + "_" + Suffix()
	if _, err := admin.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{name}.Sanitize()); err != nil {
		t.Fatalf("create database %s: %v", name, err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		c, err := pgx.Connect(ctx, PGAdminURL())
		if err != nil {
			t.Errorf("drop database %s: %v", name, err)
			return
		}
		defer c.Close(ctx)
		if _, err := c.Exec(ctx, "DROP DATABASE IF EXISTS "+pgx.Identifier{name}.Sanitize()+" WITH (FORCE)"); err != nil {
			t.Errorf("drop database %s: %v", name, err)
		}
	})
	u, err := url.Parse(PGAdminURL())
	if err != nil {
		t.Fatal(err)
	}
	u.Path = "/" + name
	return u.String()
}

// MySQL creates an empty database and returns a mysql:// URL for it; it is
// dropped at cleanup.
func MySQL(t testing.TB, prefix string) (string, *sql.DB) {
	t.Helper()
	ctx := Ctx(t)
	cfg, err := mysql.ParseDSN(MySQLAdminDSN())
	if err != nil {
		t.Fatal(err)
	}
	admin, err := sql.Open("mysql", cfg.FormatDSN())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = admin.Close() })
	if err := admin.PingContext(ctx); err != nil {
		t.Fatalf("MariaDB test server unreachable (NEOSYNC_TEST_MYSQL_DSN=%s): %v", MySQLAdminDSN(), err)
	}
	name := prefix + "_" + Suffix()
	if _, err := admin.ExecContext(ctx, "CREATE DATABASE `"+name+"`"); err != nil {
		t.Fatalf("create database %s: %v", name, err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		if _, err := admin.ExecContext(ctx, "DROP DATABASE IF EXISTS `"+name+"`"); err != nil {
			t.Errorf("drop database %s: %v", name, err)
		}
	})
	dbCfg := cfg.Clone()
	dbCfg.DBName = name
	dbCfg.MultiStatements = true
	db, err := sql.Open("mysql", dbCfg.FormatDSN())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	u := url.URL{Scheme: "mysql", Host: cfg.Addr, Path: "/" + name}
	if cfg.Passwd != "" {
		u.User = url.UserPassword(cfg.User, cfg.Passwd)
	} else {
		u.User = url.User(cfg.User)
	}
	return u.String(), db
}
