package sqlschema

import (
	"context"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"os"
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

const (
	defaultPGURL    = "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"
	defaultMySQLDSN = "root@tcp(127.0.0.1:3306)/"
)

func envOr(key, def string) string {
	if v := os.Getenv(key); v != "" {
		return v
	}
	return def
}

// uniqueName returns prefix followed by random lower case hex.
func uniqueName(prefix string) string {
	return fmt.Sprintf("%s_%016x", prefix, rand.Uint64())
}

func testCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	t.Cleanup(cancel)
	return ctx
}

// pgTestDB is a freshly created PostgreSQL database dropped at cleanup.
type pgTestDB struct {
	name string
	cfg  *pgxpool.Config // config of a pool connected to the database
	pool *pgxpool.Pool
}

// newPGTestDB creates a uniquely named database. It fails the test (never
// skips) when the server is unreachable.
func newPGTestDB(t *testing.T) *pgTestDB {
	t.Helper()
	ctx := testCtx(t)
	url := envOr("NEOSYNC_TEST_PG_URL", defaultPGURL)
	admin, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatalf("PostgreSQL test server unreachable at NEOSYNC_TEST_PG_URL=%q: %v", url, err)
	}
	defer admin.Close(context.Background())
	name := uniqueName("sqlschema_test")
	if _, err := admin.Exec(ctx, "CREATE DATABASE "+mustQuote(t, DialectPostgres, name)); err != nil {
		t.Fatalf("create database %s: %v", name, err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		c, err := pgx.Connect(ctx, url)
		if err != nil {
			t.Errorf("cleanup: connect: %v", err)
			return
		}
		defer c.Close(ctx)
		if _, err := c.Exec(ctx, "DROP DATABASE IF EXISTS "+mustQuote(t, DialectPostgres, name)+" WITH (FORCE)"); err != nil {
			t.Errorf("cleanup: drop database %s: %v", name, err)
		}
	})
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		t.Fatalf("parse NEOSYNC_TEST_PG_URL: %v", err)
	}
	cfg.ConnConfig.Database = name
	cfg.MaxConns = 4
	pool, err := pgxpool.NewWithConfig(ctx, cfg.Copy())
	if err != nil {
		t.Fatalf("connect to %s: %v", name, err)
	}
	t.Cleanup(pool.Close) // runs before the drop (cleanups are LIFO)
	return &pgTestDB{name: name, cfg: cfg, pool: pool}
}

// exec runs each statement, failing the test on error.
func (d *pgTestDB) exec(t *testing.T, stmts ...string) {
	t.Helper()
	for _, s := range stmts {
		if _, err := d.pool.Exec(testCtx(t), s); err != nil {
			t.Fatalf("exec %q: %v", s, err)
		}
	}
}

// mysqlTestDB is a freshly created MySQL/MariaDB database dropped at cleanup.
type mysqlTestDB struct {
	name string
	cfg  *mysql.Config // admin config with DBName set to the database
	db   *sql.DB
}

// newMySQLTestDB creates a uniquely named database. It fails the test
// (never skips) when the server is unreachable.
func newMySQLTestDB(t *testing.T) *mysqlTestDB {
	t.Helper()
	ctx := testCtx(t)
	dsn := envOr("NEOSYNC_TEST_MYSQL_DSN", defaultMySQLDSN)
	cfg, err := mysql.ParseDSN(dsn)
	if err != nil {
		t.Fatalf("parse NEOSYNC_TEST_MYSQL_DSN %q: %v", dsn, err)
	}
	admin, err := sql.Open("mysql", cfg.FormatDSN())
	if err != nil {
		t.Fatalf("open mysql: %v", err)
	}
	t.Cleanup(func() { _ = admin.Close() })
	if err := admin.PingContext(ctx); err != nil {
		t.Fatalf("MySQL/MariaDB test server unreachable at NEOSYNC_TEST_MYSQL_DSN=%q: %v", dsn, err)
	}
	name := uniqueName("sqlschema_test")
	if _, err := admin.ExecContext(ctx, "CREATE DATABASE "+mustQuote(t, DialectMySQL, name)+" CHARACTER SET utf8mb4"); err != nil {
		t.Fatalf("create database %s: %v", name, err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		if _, err := admin.ExecContext(ctx, "DROP DATABASE IF EXISTS "+mustQuote(t, DialectMySQL, name)); err != nil {
			t.Errorf("cleanup: drop database %s: %v", name, err)
		}
	})
	dbCfg := cfg.Clone()
	dbCfg.DBName = name
	db, err := sql.Open("mysql", dbCfg.FormatDSN())
	if err != nil {
		t.Fatalf("open mysql %s: %v", name, err)
	}
	db.SetMaxOpenConns(4)
	t.Cleanup(func() { _ = db.Close() })
	return &mysqlTestDB{name: name, cfg: dbCfg, db: db}
}

func (d *mysqlTestDB) exec(t *testing.T, stmts ...string) {
	t.Helper()
	for _, s := range stmts {
		if _, err := d.db.ExecContext(testCtx(t), s); err != nil {
			t.Fatalf("exec %q: %v", s, err)
		}
	}
}

func mustQuote(t *testing.T, d Dialect, name string) string {
	t.Helper()
	q, err := d.QuoteIdentifier(name)
	if err != nil {
		t.Fatalf("quote %q: %v", name, err)
	}
	return q
}

func ptr[T any](v T) *T { return &v }
