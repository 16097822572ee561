package sqlsync

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/neosyncio/neosync/backend/pkg/sqlschema"
	"github.com/neosyncio/neosync/backend/pkg/syncplan"
)

// interruptedCopy copies table with a context that is cancelled once stop
// says so, and returns every checkpoint reported before that.
func interruptedCopy(t *testing.T, e *Engine, plan *syncplan.Plan, table sqlschema.TableName, src Source, dst Destination, cp *Checkpoint, stop func(Progress) bool) []Checkpoint {
	t.Helper()
	ctx, cancel := context.WithCancel(testCtx(t))
	defer cancel()
	var mu sync.Mutex
	var seen []Checkpoint
	_, err := e.SyncTable(ctx, plan, table, src, dst, cp, func(p Progress) {
		mu.Lock()
		defer mu.Unlock()
		if len(seen) == 0 || seen[len(seen)-1].Rows != p.Checkpoint.Rows {
			seen = append(seen, p.Checkpoint)
		}
		if stop(p) {
			cancel()
		}
	})
	if err == nil {
		t.Fatalf("copy of %s was not interrupted", table)
	}
	if !errors.Is(err, context.Canceled) {
		t.Logf("interrupted copy of %s: %v", table, err)
	}
	return seen
}

// interruptedRestart interrupts a copy of table that restarts
// (syncplan.Plan.Restarts) after 6,000 rows streamed, and checks that it
// reported no resumable checkpoint and left no row committed in dst.
func interruptedRestart(t *testing.T, e *Engine, plan *syncplan.Plan, table sqlschema.TableName, src Source, dest Destination, dst *pgDB) {
	t.Helper()
	seen := interruptedCopy(t, e, plan, table, src, dest, nil, func(p Progress) bool { return p.Rows >= 6000 })
	for _, cp := range seen {
		if cp.Rows != 0 || cp.Key != nil {
			t.Fatalf("the interrupted copy reported a resumable checkpoint %+v", cp)
		}
	}
	if n := dst.count(t, table.String()); n != 0 {
		t.Fatalf("the interrupted copy left %d rows committed, want none", n)
	}
}

// hashedPayloadJob copies tables of src's schema app in consistent mode
// with key, every column passed through but payload, hashed
// (transform_hash), so rows go through the converters.
func hashedPayloadJob(t *testing.T, src *pgDB, tables []string, key string) syncplan.Job {
	t.Helper()
	job := passthroughJob(t, src, "app", tables)
	job.Source = src.cfg
	job.Key = []byte(key)
	for i, m := range job.Mappings {
		if m.Column == "payload" {
			job.Mappings[i].Transformer.Source = "transform_hash"
		}
	}
	return job
}

// TestPostgresKillAndResume interrupts copies mid-table into
// destinations the job does not truncate (created with init schema, or
// appended to) and retries them: the destination must end with exactly
// the source rows. A keyed table copied whole there restarts
// (syncplan.Plan.Restarts): it is written in one transaction, so an
// interrupted copy reports no resumable checkpoint and leaves nothing
// behind (before, it committed every batch and resumed by key); a retry
// given a key checkpoint — as a worker of an earlier version heartbeated,
// with batches committed past it — deletes the rows the source's keys
// name and copies the table again; so does one whose copy committed but
// whose completion was never recorded.
func TestPostgresKillAndResume(t *testing.T) {
	t.Parallel()
	src, dst := newPGDB(t), newPGDB(t)
	src.exec(t,
		`CREATE SCHEMA app`,
		`CREATE TABLE app.keyed (id int PRIMARY KEY, payload text, r double precision)`,
		`INSERT INTO app.keyed SELECT g, md5(g::text), random() FROM generate_series(1, 20000) g`,
		`CREATE TABLE app.loose (a int, b text)`,
		`INSERT INTO app.loose SELECT g % 100, md5((g % 777)::text) FROM generate_series(1, 20000) g`,
	)
	job := hashedPayloadJob(t, src, []string{"keyed", "loose"}, "resume")
	ctx := testCtx(t)
	plan, err := syncplan.BuildPlan(ctx, src.db, job, registry)
	assertNoError(t, "plan", err)
	source := Source{DB: src.db, Key: job.Key}
	// The keyed table's expected content: a complete, uninterrupted copy.
	want := newPGDB(t)
	job.Destinations = []syncplan.Destination{{Name: "want", Conn: want.cfg, Options: syncplan.DestinationOptions{InitSchema: true}}}
	runJob(t, job)
	for _, tc := range []struct {
		name    string
		workers int
		opts    syncplan.DestinationOptions
	}{
		{"created destination", 1, syncplan.DestinationOptions{InitSchema: true, BatchSize: 1000}},
		{"appending destination", 1, syncplan.DestinationOptions{BatchSize: 1000}},
		{"created destination, transform pool", 3, syncplan.DestinationOptions{InitSchema: true, BatchSize: 1000}},
		{"appending destination, transform pool", 3, syncplan.DestinationOptions{BatchSize: 1000}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := NewEngine(registry, nil)
			e.Workers = tc.workers
			dest := Destination{Name: "dst", DB: dst.db, Options: syncplan.DestinationOptions{InitSchema: true, Truncate: true}}
			assertNoError(t, "prepare", e.PrepareDestination(ctx, plan, dest))
			assertNoError(t, "finalize", e.Finalize(ctx, plan, dest)) // the key, as a user's table has it
			dest.Options = tc.opts

			keyed := sqlschema.TableName{Schema: "app", Table: "keyed"}
			if !plan.Restarts(plan.Table(keyed), tc.opts) {
				t.Fatal("a keyed table copied whole into PostgreSQL without on_conflict does not restart")
			}
			interruptedRestart(t, e, plan, keyed, source, dest, dst)
			// A worker of an earlier version committed batches and
			// heartbeated a key checkpoint older than the last of them
			// (its batches are committed here by a merging copy, which
			// still resumes by key).
			merging := tc.opts
			merging.OnConflict = syncplan.ConflictDoNothing
			seen := interruptedCopy(t, e, plan, keyed, source, Destination{Name: "dst", DB: dst.db, Options: merging}, nil,
				func(p Progress) bool { return p.Checkpoint.Rows >= 6000 })
			if len(seen) < 3 || dst.count(t, "app.keyed") < 6000 {
				t.Fatalf("checkpoints %+v and %d rows committed: want several and at least 6000", seen, dst.count(t, "app.keyed"))
			}
			older := seen[len(seen)-3]
			cp, err := e.SyncTable(ctx, plan, keyed, source, dest, &older, nil)
			assertNoError(t, "retry keyed from a key checkpoint", err)
			if !cp.Done || cp.Rows != 20000 || !cp.WholeRead || cp.Key != nil {
				t.Fatalf("final checkpoint %+v", cp)
			}

			// A resume with no checkpoint at all (every heartbeat lost).
			loose := sqlschema.TableName{Schema: "app", Table: "loose"}
			interruptedCopy(t, e, plan, loose, source, dest, nil, func(p Progress) bool { return p.Rows >= 5000 })
			// Neither destination is the job's to empty (no truncate:
			// syncplan.DestinationOptions.Owns), so a table without a
			// key cannot be told from the destination's own rows: the
			// interrupted transaction rolled back, and a plain redo is
			// exact.
			_, err = e.SyncTable(ctx, plan, loose, source, dest, nil, nil)
			assertNoError(t, "redo loose", err)
			assertSameRows(t, want, dst, "app", []string{"keyed", "loose"})
			// The keyed copy committed but its completion was never
			// recorded: a retry with no checkpoint (the worker passes an
			// empty one: activities.retryFrom) deletes the rows its own
			// keys name and redoes them exactly, in any destination.
			_, err = e.SyncTable(ctx, plan, keyed, source, dest, &Checkpoint{Table: keyed}, nil)
			assertNoError(t, "retry keyed", err)
			assertSameRows(t, want, dst, "app", []string{"keyed", "loose"})
		})
	}
}

// TestPostgresOwnedTableRestarts: a keyed table copied whole into a
// destination the job truncates is read unordered and written in one
// transaction (TRUNCATE, then COPY … FREEZE), so an interrupted copy
// reports no resumable checkpoint and leaves nothing behind, and a retry
// starts the table over — even one given a key checkpoint (from a worker
// of an earlier version), and one repeated after the copy committed but
// its completion was never recorded. The loaded pages are all frozen. A
// table that another table's foreign key references cannot be truncated:
// it is emptied with DELETE in the same transaction instead.
func TestPostgresOwnedTableRestarts(t *testing.T) {
	t.Parallel()
	src, dst, want := newPGDB(t), newPGDB(t), newPGDB(t)
	src.exec(t,
		`CREATE SCHEMA app`,
		`CREATE TABLE app.keyed (id int PRIMARY KEY, payload text, r double precision)`,
		`INSERT INTO app.keyed SELECT g, md5(g::text), g / 7.0 FROM generate_series(1, 20000) g`,
		`CREATE TABLE app.parent (id int PRIMARY KEY, name text NOT NULL)`,
		`INSERT INTO app.parent SELECT g, 'p' || g FROM generate_series(1, 3000) g`,
		`CREATE TABLE app.child (id int PRIMARY KEY, parent_id int NOT NULL REFERENCES app.parent (id))`,
		`INSERT INTO app.child SELECT g, 1 + g % 3000 FROM generate_series(1, 3000) g`,
	)
	tables := []string{"keyed", "parent", "child"}
	job := hashedPayloadJob(t, src, tables, "restart")
	ctx := testCtx(t)
	plan, err := syncplan.BuildPlan(ctx, src.db, job, registry)
	assertNoError(t, "plan", err)
	job.Destinations = []syncplan.Destination{{Name: "want", Conn: want.cfg, Options: syncplan.DestinationOptions{InitSchema: true}}}
	runJob(t, job)
	source := Source{DB: src.db, Key: job.Key}
	keyed := sqlschema.TableName{Schema: "app", Table: "keyed"}
	owned := syncplan.DestinationOptions{InitSchema: true, Truncate: true, BatchSize: 1000}
	if !plan.Restarts(plan.Table(keyed), owned) || plan.Restarts(plan.Table(keyed), syncplan.DestinationOptions{Truncate: true, OnConflict: syncplan.ConflictDoNothing}) {
		t.Fatal("the plan's restart rule does not hold for a PostgreSQL destination without on_conflict only")
	}
	for _, workers := range []int{1, 3} {
		t.Run(fmt.Sprintf("%d converters", workers), func(t *testing.T) {
			e := NewEngine(registry, nil)
			e.Workers = workers
			dest := Destination{Name: "dst", DB: dst.db, Options: owned}
			assertNoError(t, "prepare", e.PrepareDestination(ctx, plan, dest))
			interruptedRestart(t, e, plan, keyed, source, dest, dst)
			// A key checkpoint, as a worker that resumed owned tables by
			// key heartbeated: ignored, the table starts over.
			stale := Checkpoint{Table: keyed, Rows: 4000, Key: []string{"4000"}}
			cp, err := e.SyncTable(ctx, plan, keyed, source, dest, &stale, nil)
			assertNoError(t, "restart", err)
			if !cp.Done || cp.Rows != 20000 || !cp.WholeRead || cp.Key != nil {
				t.Fatalf("final checkpoint %+v", cp)
			}
			// Committed, but its completion never recorded: redone.
			_, err = e.SyncTable(ctx, plan, keyed, source, dest, nil, nil)
			assertNoError(t, "retry", err)
			assertSameRows(t, want, dst, "app", []string{"keyed"})
			dst.exec(t, `CREATE EXTENSION IF NOT EXISTS pg_visibility`)
			if got := dst.rows(t, `SELECT count(*) FILTER (WHERE NOT all_frozen) || ' of ' || count(*) FROM pg_visibility_map('app.keyed')`); got[0] == "0 of 0" || !strings.HasPrefix(got[0], "0 of ") {
				t.Errorf("pages not frozen after the load: %s", got[0])
			}
		})
	}
	t.Run("referenced table", func(t *testing.T) {
		// Truncate without init schema keeps the destination's foreign
		// keys: parent cannot be truncated while child references it.
		e := NewEngine(registry, nil)
		ref := newPGDB(t)
		assertNoError(t, "create", e.PrepareDestination(ctx, plan, Destination{Name: "ref", DB: ref.db, Options: syncplan.DestinationOptions{InitSchema: true}}))
		assertNoError(t, "finalize", e.Finalize(ctx, plan, Destination{Name: "ref", DB: ref.db, Options: syncplan.DestinationOptions{InitSchema: true}}))
		dest := Destination{Name: "ref", DB: ref.db, Options: syncplan.DestinationOptions{Truncate: true}}
		for range 2 { // the second time over the first's rows
			assertNoError(t, "prepare", e.PrepareDestination(ctx, plan, dest))
			for _, table := range []string{"parent", "child"} {
				name := sqlschema.TableName{Schema: "app", Table: table}
				cp, err := e.SyncTable(ctx, plan, name, source, dest, nil, nil)
				assertNoError(t, "copy "+table, err)
				if cp.Rows != 3000 {
					t.Fatalf("%s: final checkpoint %+v", table, cp)
				}
				// The retry of a copy that committed.
				_, err = e.SyncTable(ctx, plan, name, source, dest, nil, nil)
				assertNoError(t, "retry "+table, err)
			}
		}
		assertSameRows(t, want, ref, "app", []string{"parent", "child"})
	})
}
