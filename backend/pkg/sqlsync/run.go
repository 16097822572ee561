package sqlsync

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"

	"golang.org/x/sync/errgroup"

	"github.com/neosyncio/neosync/backend/pkg/leakscan"
	"github.com/neosyncio/neosync/backend/pkg/sqlconnect"
	"github.com/neosyncio/neosync/backend/pkg/sqlschema"
	"github.com/neosyncio/neosync/backend/pkg/syncplan"
)

// DefaultTableConcurrency is the number of tables copied at once when the
// job does not say.
const DefaultTableConcurrency = 2

// SyncTables copies every table of the plan, each as soon as the tables it
// depends on are done, at most concurrency at a time (0: the default). The
// first failure cancels the others. checkpoints, when not nil, resumes
// tables (by table) and receives the final checkpoints; progress may be
// nil and is called from several goroutines, never concurrently.
func (e *Engine) SyncTables(ctx context.Context, plan *syncplan.Plan, src Source, dst Destination, concurrency int, checkpoints map[sqlschema.TableName]Checkpoint, progress func(Progress)) error {
	results, err := scheduleTables(ctx, plan, concurrency, progress, func(ctx context.Context, t sqlschema.TableName, report func(Progress)) (Checkpoint, error) {
		var cp *Checkpoint
		if c, ok := checkpoints[t]; ok {
			cp = &c
		}
		return e.SyncTable(ctx, plan, t, src, dst, cp, report)
	})
	if checkpoints != nil {
		for t, cp := range results {
			checkpoints[t] = cp
		}
	}
	return err
}

// scheduleTables runs copy for every table of the plan, each as soon as
// the tables it depends on are done, at most concurrency at a time (0: the
// default); the first failure cancels the others. It hands copy a progress
// function that serialises calls to progress (which may be nil) and
// returns the checkpoint of every table copy returned one for, failed
// tables included.
func scheduleTables(ctx context.Context, plan *syncplan.Plan, concurrency int, progress func(Progress),
	copy func(ctx context.Context, t sqlschema.TableName, report func(Progress)) (Checkpoint, error)) (map[sqlschema.TableName]Checkpoint, error) {
	if concurrency <= 0 {
		concurrency = DefaultTableConcurrency
	}
	var mu sync.Mutex
	report := func(p Progress) {
		if progress != nil {
			mu.Lock()
			defer mu.Unlock()
			progress(p)
		}
	}
	done := map[sqlschema.TableName]chan struct{}{}
	for _, t := range plan.Tables {
		done[t.Name] = make(chan struct{})
	}
	results := map[sqlschema.TableName]Checkpoint{}
	var rmu sync.Mutex
	g, gctx := errgroup.WithContext(ctx)
	sem := make(chan struct{}, concurrency)
	for _, t := range plan.Tables {
		g.Go(func() error {
			for _, d := range t.DependsOn {
				select {
				case <-done[d]:
				case <-gctx.Done():
					return context.Cause(gctx)
				}
			}
			select {
			case sem <- struct{}{}:
			case <-gctx.Done():
				return context.Cause(gctx)
			}
			defer func() { <-sem }()
			out, err := copy(gctx, t.Name, report)
			if out.Table == t.Name {
				rmu.Lock()
				results[t.Name] = out
				rmu.Unlock()
			}
			if err != nil {
				return err
			}
			close(done[t.Name])
			return nil
		})
	}
	return results, g.Wait()
}

// CountSource counts, for every table of the plan, the source rows it
// selects (its filter applied) — before a run writes anything, these are
// VerifyOptions.SourceRowsBefore. Each is an exact count(*) on the
// source.
func (e *Engine) CountSource(ctx context.Context, plan *syncplan.Plan, src Source) (map[sqlschema.TableName]int64, error) {
	if src.DB == nil {
		return nil, fmt.Errorf("sqlsync: a source connection is required")
	}
	v := driverOf(src.DB).Verifier(plan, src.DB, nil)
	out := make(map[sqlschema.TableName]int64, len(plan.Tables))
	for i := range plan.Tables {
		t := &plan.Tables[i]
		n, err := v.SourceCount(ctx, t)
		if err != nil {
			return nil, fmt.Errorf("sqlsync: count the source rows of %s: %w", t.Name, err)
		}
		out[t.Name] = n
	}
	return out, nil
}

// RunResult is what Run did for one destination.
type RunResult struct {
	Destination string
	Report      *Report
}

// Run does a whole job in-process — plan, then for each destination the
// run sequence (Steps: prepare, copy every table, update passes, finalize,
// verify) — as tests and in-process callers need it. When a step before Finalize fails (or ctx is
// canceled), the destination's keys, indexes and foreign keys are put back
// (Restore) before Run returns. The worker runs the same steps as separate
// activities instead. progress may be nil.
func (e *Engine) Run(ctx context.Context, job syncplan.Job, progress func(dest string, p Progress)) (*syncplan.Plan, []RunResult, error) {
	src, err := sqlconnect.Open(ctx, job.Source)
	if err != nil {
		return nil, nil, fmt.Errorf("sqlsync: open source: %w", err)
	}
	defer src.Close()
	plan, err := syncplan.BuildPlan(ctx, src, job, e.Registry)
	if err != nil {
		return nil, nil, err
	}
	source := Source{DB: src, Key: job.Key, PRF: job.PRF}
	// One snapshot for every table's read (see RunSnapshot); a source
	// that cannot export one is read table by table, as MySQL is.
	snap, err := ExportSnapshot(ctx, job.Source, "neosync:snapshot")
	if err != nil {
		e.Logger.WarnContext(ctx, "the source is read table by table, each in its own snapshot", slog.String("error", err.Error()))
	}
	defer snap.Close()
	if snap != nil {
		source.Snapshot = snap.ID
	}
	before, err := e.CountSource(ctx, plan, source)
	if err != nil {
		return plan, nil, err
	}
	var results []RunResult
	for _, d := range job.Destinations {
		db, err := sqlconnect.Open(ctx, d.Conn)
		if err != nil {
			return plan, results, fmt.Errorf("sqlsync: open destination %s: %w", d.Name, err)
		}
		dst := Destination{Name: d.Name, DB: db, Options: d.Options}
		rep, err := e.runDestination(ctx, plan, source, dst, job.TableConcurrency, before, progress)
		db.Close()
		if err != nil {
			return plan, results, err
		}
		results = append(results, RunResult{Destination: d.Name, Report: rep})
	}
	return plan, results, nil
}

func (e *Engine) runDestination(ctx context.Context, plan *syncplan.Plan, src Source, dst Destination, concurrency int,
	before map[sqlschema.TableName]int64, progress func(string, Progress)) (*Report, error) {
	var pf func(Progress)
	if progress != nil {
		pf = func(p Progress) { progress(dst.Name, p) }
	}
	checkpoints := map[sqlschema.TableName]Checkpoint{}
	var updates map[sqlschema.TableName]*leakscan.Table
	var rep *Report
	err := e.runSequence(ctx, plan, dst, sequence{
		StepPrepare: func(ctx context.Context) error { return e.PrepareDestination(ctx, plan, dst) },
		StepTables: func(ctx context.Context) error {
			return e.SyncTables(ctx, plan, src, dst, concurrency, checkpoints, pf)
		},
		StepUpdatePasses: func(ctx context.Context) (err error) {
			updates, err = e.RunUpdatePasses(ctx, plan, src, dst)
			return err
		},
		StepFinalize: func(ctx context.Context) error { return e.Finalize(ctx, plan, dst) },
		StepVerify: func(ctx context.Context) (err error) {
			rep, err = e.Verify(ctx, plan, src, dst, VerifyOptions{Copied: rowsOf(checkpoints), SourceRead: SourceReadOf(checkpoints), SourceRowsBefore: before,
				Leaks: UpdateLeaksOf(LeaksOf(checkpoints), updates), Reidentified: ReidentifiedOf(checkpoints)})
			return err
		},
	})
	if err != nil {
		return nil, err
	}
	e.Logger.With(slog.String("destination", dst.Name)).InfoContext(ctx, "destination synced", slog.Bool("verified", rep.OK()))
	return rep, nil
}

// restoreAfter puts back the keys of dst after a step before Finalize
// failed with err (Restore, on a context that is not canceled: a run
// stopped by its caller still restores), and returns err with what could
// not be restored. A destination refused as the source was not touched.
func (e *Engine) restoreAfter(ctx context.Context, plan *syncplan.Plan, dst Destination, err error) error {
	var same *SameDatabaseError
	if !dst.Options.InitSchema || errors.As(err, &same) {
		return err
	}
	if rerr := e.Restore(context.WithoutCancel(ctx), plan, dst); rerr != nil {
		return errors.Join(err, rerr)
	}
	e.Logger.InfoContext(ctx, "restored the destination's keys after the failure", slog.String("destination", dst.Name))
	return err
}
