package sqlsync

import (
	"testing"

	"github.com/neosyncio/neosync/backend/pkg/sqlschema"
	"github.com/neosyncio/neosync/backend/pkg/syncplan"
)

// TestPostgresSortForRandomKeys checks which tables the source reads in key
// order through a sorted sequential scan (a random UUID key) rather than
// the key's index (a serial key, a table without statistics, a
// partitioned table, a sort that could pass temp_file_limit), and that a copy read that way still resumes
// exactly: its checkpoints depend on the order, not on the plan.
func TestPostgresSortForRandomKeys(t *testing.T) {
	t.Parallel()
	src, dst := newPGDB(t), newPGDB(t)
	src.exec(t,
		`CREATE SCHEMA app`,
		`CREATE TABLE app.rnd (id uuid PRIMARY KEY, v text)`,
		`INSERT INTO app.rnd SELECT gen_random_uuid(), md5(g::text) FROM generate_series(1, 20000) g`,
		`CREATE TABLE app.seq (id bigint PRIMARY KEY, v text)`,
		`INSERT INTO app.seq SELECT g, md5(g::text) FROM generate_series(1, 20000) g`,
		`CREATE TABLE app.nostats (id uuid PRIMARY KEY)`,
		`CREATE TABLE app.parts (id uuid PRIMARY KEY) PARTITION BY HASH (id)`,
		`CREATE TABLE app.parts_0 PARTITION OF app.parts FOR VALUES WITH (MODULUS 1, REMAINDER 0)`,
		`INSERT INTO app.parts SELECT gen_random_uuid() FROM generate_series(1, 1000)`,
		`ANALYZE app.rnd, app.seq, app.parts`,
	)
	ctx := testCtx(t)
	conn, err := src.db.Postgres.Acquire(ctx)
	assertNoError(t, "acquire", err)
	for table, want := range map[string]bool{"rnd": true, "seq": false, "nostats": false, "parts": false, "missing": false} {
		got, err := pgSortForKeyOrder(ctx, conn.Conn(), sqlschema.TableName{Schema: "app", Table: table}, "id")
		assertNoError(t, table, err)
		if got != want {
			t.Errorf("pgSortForKeyOrder(app.%s) = %v, want %v", table, got, want)
		}
	}
	// A sort that could exceed the server's temp_file_limit is not asked
	// for: the read would fail where the index scan succeeds.
	_, err = conn.Exec(ctx, "SET temp_file_limit = '64kB'")
	assertNoError(t, "limit temp files", err)
	got, err := pgSortForKeyOrder(ctx, conn.Conn(), sqlschema.TableName{Schema: "app", Table: "rnd"}, "id")
	assertNoError(t, "rnd under temp_file_limit", err)
	if got {
		t.Errorf("pgSortForKeyOrder(app.rnd) with temp_file_limit 64kB = true, want false")
	}
	_, err = conn.Exec(ctx, "RESET temp_file_limit")
	assertNoError(t, "reset", err)
	conn.Release()

	// Interrupt a copy of the random-key table and resume it from an
	// older checkpoint than the last one committed.
	job := passthroughJob(t, src, "app", []string{"rnd"})
	plan, err := syncplan.BuildPlan(ctx, src.db, job, registry)
	assertNoError(t, "plan", err)
	e := NewEngine(registry, nil)
	dest := Destination{Name: "dst", DB: dst.db, Options: syncplan.DestinationOptions{InitSchema: true}}
	assertNoError(t, "prepare", e.PrepareDestination(ctx, plan, dest))
	dest.Options.BatchSize = 1000
	rnd := sqlschema.TableName{Schema: "app", Table: "rnd"}
	seen := interruptedCopy(t, e, plan, rnd, Source{DB: src.db}, dest, nil, func(p Progress) bool { return p.Checkpoint.Rows >= 6000 })
	if len(seen) < 3 {
		t.Fatalf("checkpoints %+v: want several", seen)
	}
	older := seen[len(seen)-3]
	cp, err := e.SyncTable(ctx, plan, rnd, Source{DB: src.db}, dest, &older, nil)
	assertNoError(t, "resume", err)
	if !cp.Done || cp.Rows != 20000 {
		t.Fatalf("final checkpoint %+v", cp)
	}
	assertSameRows(t, src, dst, "app", []string{"rnd"})
}
