package sqlschema

import (
	"errors"
	"testing"
)

func TestPostgresEstimatedRowCount(t *testing.T) {
	t.Parallel()
	db := newPGTestDB(t)
	db.exec(t,
		`CREATE TABLE "Plain t" (id int) WITH (autovacuum_enabled = false)`,
		`INSERT INTO "Plain t" SELECT generate_series(1, 1000)`,
		`CREATE TABLE parted (id int) PARTITION BY RANGE (id)`,
		`CREATE TABLE parted_a PARTITION OF parted FOR VALUES FROM (0) TO (500)`,
		`CREATE TABLE parted_b PARTITION OF parted FOR VALUES FROM (500) TO (2000)`,
		`INSERT INTO parted SELECT generate_series(1, 1500)`,
		`CREATE TABLE big (id int PRIMARY KEY, note text) WITH (autovacuum_enabled = false)`,
		`INSERT INTO big SELECT g, md5(g::text) FROM generate_series(1, 300000) g`,
	)
	insp := NewPostgresInspector(db.pool)
	ctx := testCtx(t)
	plain := TableName{Schema: "public", Table: "Plain t"}
	// Never analyzed: the planner's estimate from the table's pages.
	if n, err := insp.EstimatedRowCount(ctx, plain); err != nil || n < 500 || n > 5000 {
		t.Fatalf("before ANALYZE: %d, %v; want the planner's estimate of about 1000", n, err)
	}
	// A large table loaded since its creation, not yet analyzed: sized
	// without the exact count a caller would otherwise wait for.
	if n, err := insp.EstimatedRowCount(ctx, TableName{Schema: "public", Table: "big"}); err != nil || n < 150_000 || n > 600_000 {
		t.Fatalf("large table before ANALYZE: %d, %v; want the planner's estimate of about 300,000", n, err)
	}
	db.exec(t, `ANALYZE "Plain t"`, `ANALYZE parted`)
	if n, err := insp.EstimatedRowCount(ctx, plain); err != nil || n != 1000 {
		t.Fatalf("after ANALYZE: %d, %v; want 1000", n, err)
	}
	if n, err := insp.EstimatedRowCount(ctx, TableName{Schema: "public", Table: "parted"}); err != nil || n != 1500 {
		t.Fatalf("partitioned table: %d, %v; want 1500 (the partitions' sum)", n, err)
	}
	if _, err := insp.EstimatedRowCount(ctx, TableName{Schema: "public", Table: "missing"}); !errors.Is(err, ErrTableNotFound) {
		t.Fatalf("missing table: %v, want ErrTableNotFound", err)
	}
}

func TestMySQLEstimatedRowCount(t *testing.T) {
	t.Parallel()
	db := newMySQLTestDB(t)
	db.exec(t,
		"CREATE TABLE `Plain t` (id int PRIMARY KEY)",
		"INSERT INTO `Plain t` SELECT seq FROM seq_1_to_1000",
		"ANALYZE TABLE `Plain t`",
	)
	insp := NewMySQLInspector(db.db)
	ctx := testCtx(t)
	// InnoDB's figure is an estimate from sampled pages.
	if n, err := insp.EstimatedRowCount(ctx, TableName{Schema: db.name, Table: "Plain t"}); err != nil || n < 500 || n > 2000 {
		t.Fatalf("estimate %d, %v; want about 1000", n, err)
	}
	if _, err := insp.EstimatedRowCount(ctx, TableName{Schema: db.name, Table: "missing"}); !errors.Is(err, ErrTableNotFound) {
		t.Fatalf("missing table: %v, want ErrTableNotFound", err)
	}
}
