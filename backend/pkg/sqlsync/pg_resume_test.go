package sqlsync

import (
	"context"
	"errors"
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

// TestPostgresKillAndResume interrupts copies mid-table and resumes them
// from an older checkpoint than the last one committed (as when the
// worker's last heartbeat was lost): the destination must end with
// exactly the source rows.
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
	job := passthroughJob(t, src, "app", []string{"keyed", "loose"})
	job.Source = src.cfg
	// Transform a column so rows go through the converters.
	job.Key = []byte("resume")
	for i, m := range job.Mappings {
		if m.Column == "payload" {
			job.Mappings[i].Transformer.Source = "transform_hash"
		}
	}
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
		{"owned destination", 1, syncplan.DestinationOptions{InitSchema: true, Truncate: true, BatchSize: 1000}},
		{"appending destination", 1, syncplan.DestinationOptions{BatchSize: 1000}},
		{"owned destination, transform pool", 3, syncplan.DestinationOptions{InitSchema: true, Truncate: true, BatchSize: 1000}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := NewEngine(registry, nil)
			e.Workers = tc.workers
			dest := Destination{Name: "dst", DB: dst.db, Options: syncplan.DestinationOptions{InitSchema: true, Truncate: true}}
			assertNoError(t, "prepare", e.PrepareDestination(ctx, plan, dest))
			dest.Options = tc.opts

			keyed := sqlschema.TableName{Schema: "app", Table: "keyed"}
			seen := interruptedCopy(t, e, plan, keyed, source, dest, nil, func(p Progress) bool { return p.Checkpoint.Rows >= 6000 })
			if len(seen) < 3 {
				t.Fatalf("checkpoints %+v: want several", seen)
			}
			if dst.count(t, "app.keyed") < 6000 {
				t.Fatalf("interrupted copy committed %d rows, want at least 6000", dst.count(t, "app.keyed"))
			}
			// Resume from an older checkpoint: rows after it are in the
			// destination already and must not be duplicated.
			older := seen[len(seen)-3]
			cp, err := e.SyncTable(ctx, plan, keyed, source, dest, &older, nil)
			assertNoError(t, "resume keyed", err)
			if !cp.Done || cp.Rows != 20000 {
				t.Fatalf("final checkpoint %+v", cp)
			}

			// A resume with no checkpoint at all (every heartbeat lost).
			loose := sqlschema.TableName{Schema: "app", Table: "loose"}
			interruptedCopy(t, e, plan, loose, source, dest, nil, func(p Progress) bool { return p.Rows >= 5000 })
			if tc.opts.Truncate {
				_, err = e.SyncTable(ctx, plan, loose, source, dest, nil, nil)
				assertNoError(t, "resume loose", err)
			} else {
				// An appending destination cannot tell its rows from
				// the copy's without a key: the interrupted transaction
				// rolled back, so a plain redo is exact.
				_, err = e.SyncTable(ctx, plan, loose, source, dest, nil, nil)
				assertNoError(t, "redo loose", err)
			}
			assertSameRows(t, want, dst, "app", []string{"keyed", "loose"})
			if tc.opts.Truncate {
				// The copy committed but its completion was never
				// recorded: a retry with no checkpoint redoes it exactly.
				for _, table := range []sqlschema.TableName{keyed, loose} {
					_, err = e.SyncTable(ctx, plan, table, source, dest, nil, nil)
					assertNoError(t, "retry "+table.String(), err)
				}
				assertSameRows(t, want, dst, "app", []string{"keyed", "loose"})
			}
		})
	}
}
