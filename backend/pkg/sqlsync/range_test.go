package sqlsync

import (
	"context"
	"errors"
	"sync"
	"testing"

	"github.com/neosyncio/neosync/backend/pkg/leakscan"
	"github.com/neosyncio/neosync/backend/pkg/sqlschema"
	"github.com/neosyncio/neosync/backend/pkg/syncplan"
)

// interruptedRange is interruptedCopy for one key range.
func interruptedRange(t *testing.T, e *Engine, plan *syncplan.Plan, table sqlschema.TableName, rng KeyRange, src Source, dst Destination, cp *Checkpoint, stop func(Progress) bool) []Checkpoint {
	t.Helper()
	ctx, cancel := context.WithCancel(testCtx(t))
	defer cancel()
	var mu sync.Mutex
	var seen []Checkpoint
	_, err := e.SyncRange(ctx, plan, table, rng, src, dst, cp, leakscan.Seed{}, func(p Progress) {
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
		t.Fatalf("copy of %s was not interrupted", rng)
	}
	if !errors.Is(err, context.Canceled) {
		t.Logf("interrupted copy of %s: %v", rng, err)
	}
	return seen
}

// TestPostgresKeyRanges splits a table into key ranges and copies them
// as the worker does — at once, one interrupted and resumed from an older
// checkpoint than its last commit, one retried with no checkpoint after it
// committed rows, one repeated after it was done but never recorded —
// into an owned and an appending destination: the destination ends with
// exactly the source rows, and the ranges' merged leak sketches say what
// one uninterrupted copy's sketch says.
func TestPostgresKeyRanges(t *testing.T) {
	t.Parallel()
	src := newPGDB(t)
	src.exec(t,
		`CREATE SCHEMA app`,
		// Keys with a gap and negative values: ranges are of equal key
		// width, not of equal rows.
		`CREATE TABLE app.big (id bigint PRIMARY KEY, payload text NOT NULL, n int)`,
		`INSERT INTO app.big SELECT g, md5(g::text), g % 13 FROM generate_series(-3000, 9000) g`,
		`INSERT INTO app.big SELECT g, md5(g::text), g % 13 FROM generate_series(15000, 23000) g`,
		`INSERT INTO app.big VALUES (24000, 'x', 1), (24001, 'y', 2)`,
	)
	job := hashedPayloadJob(t, src, []string{"big"}, "ranges")
	ctx := testCtx(t)
	plan, err := syncplan.BuildPlan(ctx, src.db, job, registry)
	assertNoError(t, "plan", err)
	source := Source{DB: src.db, Key: job.Key}
	big := sqlschema.TableName{Schema: "app", Table: "big"}
	const rows = 20004
	e := NewEngine(registry, nil)
	if r, err := e.SplitRanges(ctx, plan, big, source, rows, rows/2+1); err != nil || r != nil {
		t.Fatalf("a table under twice the range size: ranges %v, %v; want none", r, err)
	}
	// With no range size given, PostgreSQL's default applies: an estimate
	// under 2 × DefaultPostgresRangeRows is copied whole (it would be
	// split at MySQL's 1,000,000), one at 3 × is split in three.
	if r, err := e.SplitRanges(ctx, plan, big, source, 2*DefaultPostgresRangeRows-1, 0); err != nil || r != nil {
		t.Fatalf("an estimate under twice PostgreSQL's default range size: ranges %v, %v; want none", r, err)
	}
	if r, err := e.SplitRanges(ctx, plan, big, source, 3*DefaultPostgresRangeRows, 0); err != nil || len(r) != 3 {
		t.Fatalf("an estimate of 3 × PostgreSQL's default range size: ranges %v, %v; want 3", r, err)
	}
	ranges, err := e.SplitRanges(ctx, plan, big, source, rows, 4001)
	assertNoError(t, "split", err)
	if len(ranges) != 5 || ranges[0].Lo != nil || ranges[4].Hi != nil || *ranges[1].Lo != *ranges[0].Hi {
		t.Fatalf("ranges %v: want 5, open at both ends, contiguous", ranges)
	}

	// The expectation: one uninterrupted copy of the whole table.
	want := newPGDB(t)
	wantDst := Destination{Name: "want", DB: want.db, Options: syncplan.DestinationOptions{InitSchema: true, Truncate: true}}
	assertNoError(t, "prepare want", e.PrepareDestination(ctx, plan, wantDst))
	_, err = e.SyncTable(ctx, plan, big, source, wantDst, nil, nil)
	assertNoError(t, "whole copy", err)
	assertNoError(t, "finalize want", e.Finalize(ctx, plan, wantDst))

	for _, tc := range []struct {
		name string
		opts syncplan.DestinationOptions
	}{
		{"owned destination", syncplan.DestinationOptions{InitSchema: true, Truncate: true, BatchSize: 500}},
		{"appending destination", syncplan.DestinationOptions{BatchSize: 500}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			dst := newPGDB(t)
			dest := Destination{Name: "dst", DB: dst.db, Options: syncplan.DestinationOptions{InitSchema: true, Truncate: true}}
			assertNoError(t, "prepare", e.PrepareDestination(ctx, plan, dest))
			if !tc.opts.InitSchema {
				assertNoError(t, "finalize before appending", e.Finalize(ctx, plan, dest))
			}
			dest.Options = tc.opts
			// Range 1: interrupted, resumed from an older checkpoint.
			seen := interruptedRange(t, e, plan, big, ranges[1], source, dest, nil, func(p Progress) bool { return p.Checkpoint.Rows >= 2000 })
			if len(seen) < 3 {
				t.Fatalf("checkpoints %+v: want several", seen)
			}
			// Range 2: interrupted, then retried with no checkpoint.
			interruptedRange(t, e, plan, big, ranges[2], source, dest, nil, func(p Progress) bool { return p.Checkpoint.Rows >= 1000 })
			var wg sync.WaitGroup
			results := make([]Checkpoint, len(ranges))
			errs := make([]error, len(ranges))
			for i, r := range ranges {
				var cp *Checkpoint
				switch i {
				case 1:
					cp = &seen[len(seen)-3]
				case 2:
					cp = &Checkpoint{Table: big, Range: &ranges[2]}
				}
				wg.Add(1)
				go func() {
					defer wg.Done()
					results[i], errs[i] = e.SyncRange(ctx, plan, big, r, source, dest, cp, leakscan.Seed{}, nil)
				}()
			}
			wg.Wait()
			var total int64
			for i, err := range errs {
				assertNoError(t, ranges[i].String(), err)
				if !results[i].Done {
					t.Fatalf("%s: final checkpoint %+v", ranges[i], results[i])
				}
				total += results[i].Rows
			}
			if total != rows {
				t.Fatalf("ranges copied %d rows, want %d", total, rows)
			}
			// Range 3 again, done but never recorded: no checkpoint, so
			// it removes its rows and copies them again.
			_, err := e.SyncRange(ctx, plan, big, ranges[3], source, dest, &Checkpoint{Table: big, Range: &ranges[3]}, leakscan.Seed{}, nil)
			assertNoError(t, "repeat range 4", err)
			if tc.opts.InitSchema {
				assertNoError(t, "finalize", e.Finalize(ctx, plan, dest))
			}
			assertSameRows(t, want, dst, "app", []string{"big"})
			checkRangesRead(t, e, plan, big, ranges, results, source, dest, rows)

			// A range resumed from a checkpoint read only part of its
			// rows and has no sketch; one read from its start has.
			if results[1].Sketches != nil || results[2].Sketches == nil || results[0].Sketches == nil {
				t.Fatalf("sketches: the resumed range must have none, those read from their start must")
			}
		})
	}

	t.Run("merged sketches", func(t *testing.T) {
		t.Parallel()
		// Sketches large enough to be exact, so that the whole table's
		// (hashed with this process's seed) and the merged ranges' (the
		// run's seed) must be equal.
		e := NewEngine(registry, nil)
		e.LeakSample = rows
		wantDB := newPGDB(t)
		wantDst := Destination{Name: "want", DB: wantDB.db, Options: syncplan.DestinationOptions{InitSchema: true, Truncate: true}}
		assertNoError(t, "prepare want", e.PrepareDestination(ctx, plan, wantDst))
		whole, err := e.SyncTable(ctx, plan, big, source, wantDst, nil, nil)
		assertNoError(t, "whole copy", err)
		if !whole.Leaks["payload"].Exact {
			t.Fatalf("whole table's leak scan %+v: want exact", whole.Leaks["payload"])
		}
		dst := newPGDB(t)
		dest := Destination{Name: "dst", DB: dst.db, Options: syncplan.DestinationOptions{InitSchema: true, Truncate: true}}
		assertNoError(t, "prepare", e.PrepareDestination(ctx, plan, dest))
		// The ranges hash with the run's seed and travel serialised, as
		// between two workers; the merge decodes them with the seed derived
		// anew.
		var parts []*leakscan.Table
		for _, r := range ranges {
			out, err := e.SyncRange(ctx, plan, big, r, source, dest, nil, leakscan.RunSeed("run-merged", []byte("key")), nil)
			assertNoError(t, r.String(), err)
			header, cols := out.Sketches.MarshalParts()
			back, err := leakscan.UnmarshalTableParts(header, cols, leakscan.RunSeed("run-merged", []byte("key")))
			assertNoError(t, "unmarshal", err)
			parts = append(parts, back)
		}
		merged, _, err := e.MergeRanges(parts)
		assertNoError(t, "merge", err)
		got := merged["payload"]
		if got != whole.Leaks["payload"] || got.Rows != rows {
			t.Fatalf("merged ranges' leak scan %+v; the whole table's %+v (want equal, over every row)", got, whole.Leaks["payload"])
		}
	})
}

// TestMySQLKeyRanges copies a MySQL table in key ranges, one interrupted
// and resumed from an older checkpoint and one retried with no checkpoint
// after it committed rows: the destination ends with exactly the source
// rows.
func TestMySQLKeyRanges(t *testing.T) {
	t.Parallel()
	src, dst := newMySQLDB(t, "_src"), newMySQLDB(t, "_dst")
	src.exec(t, "CREATE TABLE big (id int PRIMARY KEY, payload varchar(40))",
		"INSERT INTO big SELECT seq, md5(seq) FROM seq_1_to_6000",
		"INSERT INTO big SELECT seq, md5(seq) FROM seq_9000_to_12000")
	job := mysqlPassthroughJob(t, src, []string{"big"})
	opts := syncplan.DestinationOptions{InitSchema: true, Truncate: true, BatchSize: 300, SchemaMap: map[string]string{src.name: dst.name}}
	e := newTestEngine()
	ctx := testCtx(t)
	plan, err := syncplan.BuildPlan(ctx, src.db, job, registry)
	assertNoError(t, "plan", err)
	dest := Destination{Name: "dst", DB: dst.db, Options: opts}
	assertNoError(t, "prepare", e.PrepareDestination(ctx, plan, dest))
	big := sqlschema.TableName{Schema: src.name, Table: "big"}
	source := Source{DB: src.db}
	ranges, err := e.SplitRanges(ctx, plan, big, source, 9001, 2500)
	assertNoError(t, "split", err)
	if len(ranges) != 4 {
		t.Fatalf("ranges %v: want 4", ranges)
	}
	seen := interruptedRange(t, e, plan, big, ranges[0], source, dest, nil, func(p Progress) bool { return p.Checkpoint.Rows >= 1200 })
	if len(seen) < 3 {
		t.Fatalf("checkpoints %+v", seen)
	}
	interruptedRange(t, e, plan, big, ranges[1], source, dest, nil, func(p Progress) bool { return p.Checkpoint.Rows >= 600 })
	var total int64
	results := make([]Checkpoint, len(ranges))
	for i, r := range ranges {
		var cp *Checkpoint
		switch i {
		case 0:
			cp = &seen[len(seen)-3]
		case 1:
			cp = &Checkpoint{Table: big, Range: &ranges[1]}
		}
		out, err := e.SyncRange(ctx, plan, big, r, source, dest, cp, leakscan.Seed{}, nil)
		assertNoError(t, r.String(), err)
		total += out.Rows
		results[i] = out
	}
	if total != 9001 {
		t.Fatalf("ranges copied %d rows, want 9001", total)
	}
	assertNoError(t, "finalize", e.Finalize(ctx, plan, dest))
	assertSameMySQLRows(t, src, dst, []string{"big"})
	// checkRangesRead wants range 2 resumed: swap the first two.
	ranges[0], ranges[1] = ranges[1], ranges[0]
	results[0], results[1] = results[1], results[0]
	checkRangesRead(t, e, plan, big, ranges, results, source, dest, 9001)
}

// TestDefaultRangeRowsFor: PostgreSQL into one database copies tables
// whole up to twice DefaultPostgresRangeRows; a fan-out and MySQL split at
// DefaultRangeRows.
func TestDefaultRangeRowsFor(t *testing.T) {
	for _, tc := range []struct {
		d         sqlschema.Dialect
		databases int
		want      int64
	}{
		{sqlschema.DialectPostgres, 1, DefaultPostgresRangeRows},
		{sqlschema.DialectPostgres, 0, DefaultPostgresRangeRows},
		{sqlschema.DialectPostgres, 2, DefaultRangeRows},
		{sqlschema.DialectMySQL, 1, DefaultRangeRows},
		{sqlschema.DialectMySQL, 3, DefaultRangeRows},
	} {
		if got := DefaultRangeRowsFor(tc.d, tc.databases); got != tc.want {
			t.Errorf("DefaultRangeRowsFor(%s, %d) = %d, want %d", tc.d, tc.databases, got, tc.want)
		}
	}
}
