package sqlsync

import (
	"testing"

	"github.com/neosyncio/neosync/backend/pkg/sqlschema"
	"github.com/neosyncio/neosync/backend/pkg/syncplan"
)

// TestPostgresSortForRandomKeys checks that a copy of a table with a random
// UUID key, which the source reads in key order through a sorted
// sequential scan (pgsync's TestSortForKeyOrder checks which tables are
// read that way), still resumes exactly: its checkpoints depend on the
// order, not on the plan. The destination merges (on_conflict): a whole
// table copied into PostgreSQL without a merge is read unordered and
// restarts instead (syncplan.Plan.Restarts).
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

	// Interrupt a copy of the random-key table and resume it from an
	// older checkpoint than the last one committed.
	job := passthroughJob(t, src, "app", []string{"rnd"})
	plan, err := syncplan.BuildPlan(ctx, src.db, job, registry)
	assertNoError(t, "plan", err)
	e := NewEngine(registry, nil)
	dest := Destination{Name: "dst", DB: dst.db, Options: syncplan.DestinationOptions{InitSchema: true}}
	assertNoError(t, "prepare", e.PrepareDestination(ctx, plan, dest))
	assertNoError(t, "finalize", e.Finalize(ctx, plan, dest)) // the key the merge needs
	dest.Options.BatchSize, dest.Options.OnConflict = 1000, syncplan.ConflictDoNothing
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
