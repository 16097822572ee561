package pgsync

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/neosyncio/neosync/backend/pkg/sqlschema"
)

// newTestSchema connects to the test server (NEOSYNC_TEST_PG_URL, default
// the local postgres database) and creates a uniquely named schema,
// dropped at cleanup. An unreachable server fails the test.
func newTestSchema(t *testing.T, ctx context.Context) (*pgx.Conn, string) {
	t.Helper()
	url := os.Getenv("NEOSYNC_TEST_PG_URL")
	if url == "" {
		url = "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"
	}
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatalf("PostgreSQL test server unreachable at NEOSYNC_TEST_PG_URL=%q: %v", url, err)
	}
	schema := fmt.Sprintf("pgsync_test_%016x", rand.Uint64())
	q, _ := sqlschema.QuotePostgresIdentifier(schema)
	if _, err := conn.Exec(ctx, "CREATE SCHEMA "+q); err != nil {
		t.Fatalf("create schema: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		if _, err := conn.Exec(ctx, "DROP SCHEMA "+q+" CASCADE"); err != nil {
			t.Errorf("cleanup: drop schema %s: %v", schema, err)
		}
		_ = conn.Close(ctx)
	})
	return conn, schema
}

// TestSortForKeyOrder checks which tables the source reads in key order
// through a sorted sequential scan (a random UUID key) rather than the
// key's index (a serial key, a table without statistics, a partitioned
// table, a sort that could pass temp_file_limit). That a copy read that
// way still resumes exactly is sqlsync's TestPostgresSortForRandomKeys.
func TestSortForKeyOrder(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	conn, schema := newTestSchema(t, ctx)
	q, _ := sqlschema.QuotePostgresIdentifier(schema)
	for _, s := range []string{
		`CREATE TABLE ` + q + `.rnd (id uuid PRIMARY KEY, v text)`,
		`INSERT INTO ` + q + `.rnd SELECT gen_random_uuid(), md5(g::text) FROM generate_series(1, 20000) g`,
		`CREATE TABLE ` + q + `.seq (id bigint PRIMARY KEY, v text)`,
		`INSERT INTO ` + q + `.seq SELECT g, md5(g::text) FROM generate_series(1, 20000) g`,
		`CREATE TABLE ` + q + `.nostats (id uuid PRIMARY KEY)`,
		`CREATE TABLE ` + q + `.parts (id uuid PRIMARY KEY) PARTITION BY HASH (id)`,
		`CREATE TABLE ` + q + `.parts_0 PARTITION OF ` + q + `.parts FOR VALUES WITH (MODULUS 1, REMAINDER 0)`,
		`INSERT INTO ` + q + `.parts SELECT gen_random_uuid() FROM generate_series(1, 1000)`,
		`ANALYZE ` + q + `.rnd, ` + q + `.seq, ` + q + `.parts`,
	} {
		if _, err := conn.Exec(ctx, s); err != nil {
			t.Fatalf("exec %q: %v", s, err)
		}
	}
	for table, want := range map[string]bool{"rnd": true, "seq": false, "nostats": false, "parts": false, "missing": false} {
		got, err := pgSortForKeyOrder(ctx, conn, sqlschema.TableName{Schema: schema, Table: table}, "id")
		if err != nil {
			t.Fatalf("%s: %v", table, err)
		}
		if got != want {
			t.Errorf("pgSortForKeyOrder(%s) = %v, want %v", table, got, want)
		}
	}
	// A sort that could exceed the server's temp_file_limit is not asked
	// for: the read would fail where the index scan succeeds.
	if _, err := conn.Exec(ctx, "SET temp_file_limit = '64kB'"); err != nil {
		t.Fatal(err)
	}
	got, err := pgSortForKeyOrder(ctx, conn, sqlschema.TableName{Schema: schema, Table: "rnd"}, "id")
	if err != nil {
		t.Fatalf("rnd under temp_file_limit: %v", err)
	}
	if got {
		t.Errorf("pgSortForKeyOrder(rnd) with temp_file_limit 64kB = true, want false")
	}
	if _, err := conn.Exec(ctx, "RESET temp_file_limit"); err != nil {
		t.Fatal(err)
	}
}
