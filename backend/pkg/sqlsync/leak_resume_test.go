package sqlsync

import (
	"context"
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/neosyncio/neosync/backend/pkg/leakscan"
	"github.com/neosyncio/neosync/backend/pkg/sqlschema"
	"github.com/neosyncio/neosync/backend/pkg/syncplan"
)

// pgLeakyRows reads the planted-leak table for readLeaky.
const pgLeakyRows = `SELECT id || '|' || secret || '|' || first FROM app.leaky`

// resumeLeakRows is the planted-leak table's size in the resume tests:
// 15 batches of resumeLeakBatch.
const (
	resumeLeakRows  = 30_000
	resumeLeakBatch = 2_000
)

// committedAt is what a caller stores at a checkpoint: the committed
// sketches, serialised, and the checkpoint they describe.
type committedAt struct {
	cp      Checkpoint
	header  []byte
	columns map[string][]byte
}

// restore gives c's checkpoint its sketches, restored with seed.
func (c committedAt) restore(t *testing.T, seed leakscan.Seed) *Checkpoint {
	t.Helper()
	prefix, err := leakscan.UnmarshalTableParts(c.header, c.columns, seed)
	if err != nil {
		t.Fatal(err)
	}
	cp := c.cp
	cp.Sketches = prefix
	return &cp
}

// captureAndStop returns a progress function that, once a checkpoint of
// at least rows is committed, keeps the copy's committed sketches and
// cancels the copy.
func captureAndStop(t *testing.T, rows int64, cancel context.CancelFunc) (func(Progress), func() committedAt) {
	var mu sync.Mutex
	var got *committedAt
	return func(p Progress) {
			mu.Lock()
			defer mu.Unlock()
			if got != nil || p.Leaks == nil || p.Checkpoint.Rows < rows {
				return
			}
			cp, header, columns, ok := p.Leaks.Committed()
			if !ok {
				return
			}
			got = &committedAt{cp: cp, header: header, columns: columns}
			cancel()
		}, func() committedAt {
			mu.Lock()
			defer mu.Unlock()
			if got == nil {
				t.Fatal("the copy was not stopped at a checkpoint with its sketches")
			}
			return *got
		}
}

// checkResumedLeaks checks a resumed copy's leak results against an
// uninterrupted copy's (want) and a full re-read of the source and the
// resumed copy's destination (read): secret (a keyed transformer, so both
// copies wrote the same values) is sampled, and its sample equals the
// uninterrupted copy's — except with a transform pool, whose sample
// depends on how rows fell to the pool's workers, so there only its row
// counts must agree; first (a generator, whose outputs differ from run to
// run) fits the sketch and its counts equal the re-read's.
func checkResumedLeaks(t *testing.T, got, want map[string]leakscan.Result, pool bool, read func(dst bool) map[string][2]string) {
	t.Helper()
	if len(got) != 2 || len(want) != 2 {
		t.Fatalf("leak results %+v, want %+v", got, want)
	}
	g, w := got["secret"], want["secret"]
	switch {
	case w.Exact || w.Rows != resumeLeakRows || w.SelfEqual != resumeLeakRows/10:
		t.Errorf("the uninterrupted sketch of secret: %+v; want sampled, %d rows, %d self-equal", w, resumeLeakRows, resumeLeakRows/10)
	case pool && (g.Rows != w.Rows || g.SelfEqual != w.SelfEqual || g.Exact):
		t.Errorf("resumed sketch of secret: %+v; want rows %d, self-equal %d, sampled", g, w.Rows, w.SelfEqual)
	case !pool && !reflect.DeepEqual(g, w):
		t.Errorf("resumed sketch of secret: %+v; want %+v", g, w)
	}
	rows := read(true)
	equal, self := leakTruth(read(false), rows)
	if len(rows) != resumeLeakRows || equal[1] == 0 {
		t.Fatalf("the destination holds %d rows (want %d), %d planted matches of first", len(rows), resumeLeakRows, equal[1])
	}
	if g := got["first"]; !g.Exact || g.Rows != resumeLeakRows || g.Sampled != resumeLeakRows || g.Equal != equal[1] || g.SelfEqual != self[1] {
		t.Errorf("resumed sketch of first: %+v; want exact, %d of %d equal a source value, %d self-equal", g, equal[1], resumeLeakRows, self[1])
	}
}

// readLeaky returns a function reading table leaky of the source or a
// destination (by id: secret, first).
func readLeaky(t *testing.T, query func(db string) []string, srcName, dstName string) func(bool) map[string][2]string {
	return func(fromDst bool) map[string][2]string {
		name := srcName
		if fromDst {
			name = dstName
		}
		out := map[string][2]string{}
		for _, r := range query(name) {
			if u, err := strconv.Unquote(r); err == nil {
				r = u // MySQL rows come quoted
			}
			f := strings.SplitN(r, "|", 3)
			out[f[0]] = [2]string{f[1], f[2]}
		}
		return out
	}
}

// TestPostgresLeakSketchesSurviveAResume interrupts the copy of a table
// with planted leaks after a few batches, keeps the sketches committed at
// that checkpoint (serialised, as a worker stores them), and resumes the
// copy from that checkpoint with them: the resumed copy reports the leak
// scan of the whole table — what an uninterrupted copy reports — alone,
// with a transform pool, and into two destinations from one read.
func TestPostgresLeakSketchesSurviveAResume(t *testing.T) {
	t.Parallel()
	src := newPGDB(t)
	src.exec(t, `CREATE SCHEMA app`,
		`CREATE TABLE app.leaky (id bigint PRIMARY KEY, secret text NOT NULL, first text NOT NULL)`,
		fmt.Sprintf(`INSERT INTO app.leaky SELECT g, 'secret-' || g, (ARRAY[%s])[1 + g %% 40] FROM generate_series(1, %d) g`, leakNames(), resumeLeakRows))
	job := syncplan.Job{Source: src.cfg, Key: []byte("k"), Mappings: plantedLeakJob("app")}
	ctx := testCtx(t)
	plan, err := syncplan.BuildPlan(ctx, src.db, job, registry)
	assertNoError(t, "plan", err)
	seed := leakscan.RunSeed("run", job.Key)
	source := Source{DB: src.db, Key: job.Key, Seed: seed}
	table := sqlschema.TableName{Schema: "app", Table: "leaky"}
	opts := syncplan.DestinationOptions{InitSchema: true, Truncate: true, BatchSize: resumeLeakBatch}
	// A single destination without on_conflict restarts a whole table
	// rather than resuming it (TestPostgresOwnedTableRestarts): the table
	// is emptied by an owned prepare (its key rebuilt by Finalize) and
	// then merged into (on_conflict do nothing), which resumes by key.
	merging := syncplan.DestinationOptions{BatchSize: resumeLeakBatch, OnConflict: syncplan.ConflictDoNothing}
	for _, workers := range []int{1, 3} {
		t.Run(fmt.Sprintf("%d converters", workers), func(t *testing.T) {
			e := NewEngine(registry, nil)
			e.Workers, e.LeakSample = workers, 2000
			dstDB := newPGDB(t)
			prep := Destination{Name: "dst", DB: dstDB.db, Options: opts}
			dst := Destination{Name: "dst", DB: dstDB.db, Options: merging}
			prepare := func() {
				assertNoError(t, "prepare", e.PrepareDestination(ctx, plan, prep))
				assertNoError(t, "finalize", e.Finalize(ctx, plan, prep))
			}
			prepare()
			whole, err := e.SyncTable(ctx, plan, table, source, dst, nil, nil)
			assertNoError(t, "uninterrupted copy", err)

			prepare()
			cctx, cancel := context.WithCancel(ctx)
			progress, captured := captureAndStop(t, 5*resumeLeakBatch, cancel)
			if _, err := e.SyncTable(cctx, plan, table, source, dst, nil, progress); err == nil {
				t.Fatal("the copy was not interrupted")
			}
			cancel()
			at := captured()
			if at.cp.Rows%resumeLeakBatch != 0 || at.cp.Rows == 0 || at.cp.Rows >= resumeLeakRows {
				t.Fatalf("stopped at %+v", at.cp)
			}
			out, err := e.SyncTable(ctx, plan, table, source, dst, at.restore(t, seed), nil)
			assertNoError(t, "resumed copy", err)
			if !out.Done || out.Rows != resumeLeakRows {
				t.Fatalf("resumed copy ended at %+v", out)
			}
			checkResumedLeaks(t, out.Leaks, whole.Leaks, workers > 1, readLeaky(t, func(db string) []string {
				return map[string]*pgDB{"src": src, "dst": dstDB}[db].rows(t, pgLeakyRows)
			}, "src", "dst"))

			// Resumed without the checkpoint's sketches: none (the
			// caller falls back to a re-read).
			prepare()
			cctx, cancel = context.WithCancel(ctx)
			progress, captured = captureAndStop(t, 5*resumeLeakBatch, cancel)
			_, _ = e.SyncTable(cctx, plan, table, source, dst, nil, progress)
			cancel()
			bare := captured().cp
			out, err = e.SyncTable(ctx, plan, table, source, dst, &bare, nil)
			assertNoError(t, "resumed copy without sketches", err)
			if out.Leaks != nil || out.Sketches != nil {
				t.Errorf("a copy resumed without sketches reports %+v", out.Leaks)
			}
		})
	}
	t.Run("fan-out", func(t *testing.T) {
		e := NewEngine(registry, nil)
		e.Workers, e.LeakSample = 1, 2000
		dbs := map[string]*pgDB{"src": src, "a": newPGDB(t), "b": newPGDB(t)}
		dsts := []Destination{{Name: "a", DB: dbs["a"].db, Options: opts}, {Name: "b", DB: dbs["b"].db, Options: opts}}
		for _, d := range dsts {
			assertNoError(t, "prepare", e.PrepareDestination(ctx, plan, d))
		}
		wdst := Destination{Name: "w", DB: newPGDB(t).db, Options: opts}
		assertNoError(t, "prepare", e.PrepareDestination(ctx, plan, wdst))
		whole, err := e.SyncTable(ctx, plan, table, source, wdst, nil, nil)
		assertNoError(t, "uninterrupted copy", err)

		cctx, cancel := context.WithCancel(ctx)
		progress, captured := captureAndStop(t, 5*resumeLeakBatch, cancel)
		_, _ = e.SyncTableFanOut(cctx, plan, table, source, dsts, []*Checkpoint{nil, nil}, func(_ int, p Progress) { progress(p) })
		cancel()
		at := captured()
		outs, err := e.SyncTableFanOut(ctx, plan, table, source, dsts, []*Checkpoint{at.restore(t, seed), at.restore(t, seed)}, nil)
		assertNoError(t, "resumed fan-out", err)
		for i, out := range outs {
			if !out.Done || out.Rows != resumeLeakRows {
				t.Fatalf("destination %d ended at %+v", i, out)
			}
			checkResumedLeaks(t, out.Leaks, whole.Leaks, false, readLeaky(t, func(db string) []string { return dbs[db].rows(t, pgLeakyRows) }, "src", dsts[i].Name))
		}
	})
}

// TestMySQLLeakSketchesSurviveAResume is the single-destination part of
// TestPostgresLeakSketchesSurviveAResume on MySQL/MariaDB.
func TestMySQLLeakSketchesSurviveAResume(t *testing.T) {
	t.Parallel()
	src, dst := newMySQLDB(t, "_src"), newMySQLDB(t, "_dst")
	src.exec(t, "CREATE TABLE leaky (id bigint PRIMARY KEY, secret varchar(40) NOT NULL, first varchar(40) NOT NULL)",
		fmt.Sprintf("INSERT INTO leaky SELECT seq, concat('secret-', seq), ELT(1 + seq %% 40, %s) FROM seq_1_to_%d", leakNames(), resumeLeakRows))
	job := syncplan.Job{Source: src.cfg, Key: []byte("k"), Mappings: plantedLeakJob(src.name)}
	ctx := testCtx(t)
	plan, err := syncplan.BuildPlan(ctx, src.db, job, registry)
	assertNoError(t, "plan", err)
	seed := leakscan.RunSeed("run", job.Key)
	source := Source{DB: src.db, Key: job.Key, Seed: seed}
	table := sqlschema.TableName{Schema: src.name, Table: "leaky"}
	e := NewEngine(registry, nil)
	e.LeakSample = 2000
	d := Destination{Name: "dst", DB: dst.db, Options: syncplan.DestinationOptions{InitSchema: true, Truncate: true, BatchSize: resumeLeakBatch,
		SchemaMap: map[string]string{src.name: dst.name}}}
	assertNoError(t, "prepare", e.PrepareDestination(ctx, plan, d))
	whole, err := e.SyncTable(ctx, plan, table, source, d, nil, nil)
	assertNoError(t, "uninterrupted copy", err)

	assertNoError(t, "prepare", e.PrepareDestination(ctx, plan, d))
	cctx, cancel := context.WithCancel(ctx)
	progress, captured := captureAndStop(t, 5*resumeLeakBatch, cancel)
	_, _ = e.SyncTable(cctx, plan, table, source, d, nil, progress)
	cancel()
	at := captured()
	out, err := e.SyncTable(ctx, plan, table, source, d, at.restore(t, seed), nil)
	assertNoError(t, "resumed copy", err)
	if !out.Done || out.Rows != resumeLeakRows {
		t.Fatalf("resumed copy ended at %+v", out)
	}
	checkResumedLeaks(t, out.Leaks, whole.Leaks, false, readLeaky(t, func(db string) []string {
		return map[string]*mysqlDB{"src": src, "dst": dst}[db].rows(t, "SELECT CONCAT(id, '|', secret, '|', first) FROM leaky")
	}, "src", "dst"))
}
