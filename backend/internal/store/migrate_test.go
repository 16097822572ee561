package store_test

import (
	"context"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/neosyncio/neosync/backend/internal/apitest"
	"github.com/neosyncio/neosync/backend/internal/store"
	"github.com/neosyncio/neosync/backend/pkg/testdb"
)

func tableCount(t *testing.T, url string) int {
	t.Helper()
	ctx := apitest.Ctx(t)
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	var n int
	if err := conn.QueryRow(ctx, "SELECT count(*) FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'schema_migrations'").Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestMigrateUpDownUp proves every migration applies, rolls back cleanly and
// re-applies.
func TestMigrateUpDownUp(t *testing.T) {
	t.Parallel()
	url := testdb.Postgres(t, "neosync_migrate")
	if err := store.MigrateUp(url); err != nil {
		t.Fatalf("up: %v", err)
	}
	v, dirty, err := store.MigrationVersion(url)
	if err != nil || v == 0 || dirty {
		t.Fatalf("version after up = %d dirty=%v err=%v", v, dirty, err)
	}
	if n := tableCount(t, url); n != 16 {
		t.Fatalf("tables after up = %d, want 16", n)
	}
	if err := store.MigrateUp(url); err != nil {
		t.Fatalf("second up must be a no-op: %v", err)
	}
	if err := store.MigrateDown(url, 0); err != nil {
		t.Fatalf("down: %v", err)
	}
	if n := tableCount(t, url); n != 0 {
		t.Fatalf("tables after down = %d, want 0", n)
	}
	if err := store.MigrateUp(url); err != nil {
		t.Fatalf("up again: %v", err)
	}
	if err := store.MigrateUp("mysql://nope"); err == nil {
		t.Fatalf("a non-postgres URL must be refused")
	}
}
