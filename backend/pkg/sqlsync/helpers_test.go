package sqlsync

import (
	"context"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"net/url"
	"os"
	"slices"
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"
	"github.com/jackc/pgx/v5"

	"github.com/neosyncio/neosync/backend/pkg/jsvm/jsrunner"
	"github.com/neosyncio/neosync/backend/pkg/sqlconnect"
	"github.com/neosyncio/neosync/backend/pkg/sqlschema"
	"github.com/neosyncio/neosync/backend/pkg/sqlsync/syncdriver"
	"github.com/neosyncio/neosync/backend/pkg/transformers"
)

const (
	defaultPGURL    = "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"
	defaultMySQLDSN = "root@tcp(127.0.0.1:3306)/"
)

func TestMain(m *testing.M) {
	if jsrunner.IsChild() {
		// A JavaScript runner started by a test's registry (js_child_test.go).
		os.Exit(jsrunner.Main())
	}
	if os.Getenv(benchChildEnv) == "" {
		// Report progress often so tests can interrupt a copy mid-table;
		// the benchmark's relay child keeps the worker's pacing.
		syncdriver.SetProgressPacing(64, 0)
	}
	os.Exit(m.Run())
}

func envOr(key, def string) string {
	if v := os.Getenv(key); v != "" {
		return v
	}
	return def
}

func testCtx(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	t.Cleanup(cancel)
	return ctx
}

// registry is shared: it is read-only once built.
var registry = transformers.NewRegistry()

// newTestEngine returns an engine that transforms on a pool of three
// goroutines, so tests cover the pool (the default, one, is covered by
// the resume test and the benchmark).
func newTestEngine() *Engine {
	e := NewEngine(registry, nil)
	e.Workers = 3
	return e
}

// pgDB is a freshly created PostgreSQL database, dropped at cleanup.
type pgDB struct {
	cfg sqlconnect.Config
	db  *sqlconnect.DB
}

// newPGDB creates a uniquely named database. An unreachable server fails
// the test.
func newPGDB(t testing.TB) *pgDB {
	t.Helper()
	ctx := testCtx(t)
	base := envOr("NEOSYNC_TEST_PG_URL", defaultPGURL)
	admin, err := pgx.Connect(ctx, base)
	if err != nil {
		t.Fatalf("PostgreSQL test server unreachable at NEOSYNC_TEST_PG_URL=%q: %v", base, err)
	}
	defer func() { _ = admin.Close(context.Background()) }()
	name := fmt.Sprintf("sqlsync_test_%016x", rand.Uint64())
	qname, _ := sqlschema.QuotePostgresIdentifier(name)
	if _, err := admin.Exec(ctx, "CREATE DATABASE "+qname); err != nil {
		t.Fatalf("create database: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		c, err := pgx.Connect(ctx, base)
		if err != nil {
			t.Errorf("cleanup: %v", err)
			return
		}
		defer func() { _ = c.Close(ctx) }()
		if _, err := c.Exec(ctx, "DROP DATABASE IF EXISTS "+qname+" WITH (FORCE)"); err != nil {
			t.Errorf("cleanup: drop %s: %v", name, err)
		}
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	u.Path = "/" + name
	cfg := sqlconnect.Config{Driver: sqlconnect.DriverPostgres, URL: u.String(), Pool: sqlconnect.PoolOptions{MaxOpen: 8}}
	db, err := sqlconnect.Open(ctx, cfg)
	if err != nil {
		t.Fatalf("open %s: %v", name, err)
	}
	t.Cleanup(db.Close)
	return &pgDB{cfg: cfg, db: db}
}

func (d *pgDB) exec(t testing.TB, stmts ...string) {
	t.Helper()
	for _, s := range stmts {
		if _, err := d.db.Postgres.Exec(testCtx(t), s); err != nil {
			t.Fatalf("exec %q: %v", s, err)
		}
	}
}

// rows returns every row of the query as text, sorted (a multiset).
func (d *pgDB) rows(t *testing.T, query string) []string {
	t.Helper()
	r, err := d.db.Postgres.Query(testCtx(t), query)
	if err != nil {
		t.Fatalf("query %q: %v", query, err)
	}
	out, err := pgx.CollectRows(r, pgx.RowTo[string])
	if err != nil {
		t.Fatalf("query %q: %v", query, err)
	}
	slices.Sort(out)
	return out
}

func (d *pgDB) count(t *testing.T, table string) int64 {
	t.Helper()
	var n int64
	if err := d.db.Postgres.QueryRow(testCtx(t), "SELECT count(*) FROM "+table).Scan(&n); err != nil {
		t.Fatalf("count %s: %v", table, err)
	}
	return n
}

// mysqlDB is a freshly created MySQL/MariaDB database (schema), dropped at
// cleanup, on a server shared by source and destination.
type mysqlDB struct {
	name  string
	cfg   sqlconnect.Config
	db    *sqlconnect.DB
	admin *sql.DB
}

func newMySQLDB(t *testing.T, suffix string) *mysqlDB {
	t.Helper()
	ctx := testCtx(t)
	dsn := envOr("NEOSYNC_TEST_MYSQL_DSN", defaultMySQLDSN)
	mc, err := mysql.ParseDSN(dsn)
	if err != nil {
		t.Fatalf("parse NEOSYNC_TEST_MYSQL_DSN: %v", err)
	}
	admin, err := sql.Open("mysql", mc.FormatDSN())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = admin.Close() })
	if err := admin.PingContext(ctx); err != nil {
		t.Fatalf("MySQL/MariaDB test server unreachable at NEOSYNC_TEST_MYSQL_DSN=%q: %v", dsn, err)
	}
	name := fmt.Sprintf("sqlsync_test_%012x%s", rand.Uint64()>>16, suffix)
	qname, _ := sqlschema.QuoteMySQLIdentifier(name)
	if _, err := admin.ExecContext(ctx, "CREATE DATABASE "+qname+" CHARACTER SET utf8mb4"); err != nil {
		t.Fatalf("create database: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		if _, err := admin.ExecContext(ctx, "DROP DATABASE IF EXISTS "+qname); err != nil {
			t.Errorf("cleanup: drop %s: %v", name, err)
		}
	})
	c := mc.Clone()
	c.DBName = name
	cfg := sqlconnect.Config{Driver: sqlconnect.DriverMySQL, URL: c.FormatDSN(), Pool: sqlconnect.PoolOptions{MaxOpen: 8}}
	db, err := sqlconnect.Open(ctx, cfg)
	if err != nil {
		t.Fatalf("open %s: %v", name, err)
	}
	t.Cleanup(db.Close)
	return &mysqlDB{name: name, cfg: cfg, db: db, admin: admin}
}

func (d *mysqlDB) exec(t *testing.T, stmts ...string) {
	t.Helper()
	for _, s := range stmts {
		if _, err := d.db.MySQL.ExecContext(testCtx(t), s); err != nil {
			t.Fatalf("exec %q: %v", s, err)
		}
	}
}

// rows returns every row of the query, each column as text joined by |,
// NULL as \N, sorted.
func (d *mysqlDB) rows(t *testing.T, query string) []string {
	t.Helper()
	r, err := d.db.MySQL.QueryContext(testCtx(t), query)
	if err != nil {
		t.Fatalf("query %q: %v", query, err)
	}
	defer func() { _ = r.Close() }()
	cols, _ := r.Columns()
	var out []string
	for r.Next() {
		vals := make([]sql.RawBytes, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := r.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		s := ""
		for i, v := range vals {
			if i > 0 {
				s += "|"
			}
			if v == nil {
				s += `\N`
			} else {
				s += fmt.Sprintf("%q", string(v))
			}
		}
		out = append(out, s)
	}
	if err := r.Err(); err != nil {
		t.Fatal(err)
	}
	slices.Sort(out)
	return out
}
