package sqlsync

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"

	"github.com/neosyncio/neosync/backend/pkg/leakscan"
	"github.com/neosyncio/neosync/backend/pkg/sqlschema"
	"github.com/neosyncio/neosync/backend/pkg/sqlsync/syncdriver"
	"github.com/neosyncio/neosync/backend/pkg/syncplan"
)

// FanOutError is the outcome of a fan-out copy (SyncTableFanOut,
// SyncRangeFanOut) in which at least one destination failed: the error of
// each destination, by index (nil for those that completed).
type FanOutError struct {
	Table        sqlschema.TableName
	Destinations []string
	Errs         []error
}

// Error names the table once, then every failed destination with its
// error.
func (e *FanOutError) Error() string {
	prefix := "sqlsync: table " + e.Table.String() + ": "
	var parts []string
	for i, err := range e.Errs {
		if err != nil {
			parts = append(parts, "destination "+e.Destinations[i]+": "+strings.TrimPrefix(err.Error(), prefix))
		}
	}
	return prefix + strings.Join(parts, "; ")
}

// Unwrap returns the destinations' errors, for errors.Is and errors.As.
func (e *FanOutError) Unwrap() []error {
	var out []error
	for _, err := range e.Errs {
		if err != nil {
			out = append(out, err)
		}
	}
	return out
}

// Failed reports whether destination i failed.
func (e *FanOutError) Failed(i int) bool { return i < len(e.Errs) && e.Errs[i] != nil }

// SyncTableFanOut copies one table of the plan into several destinations
// with one read of the source: the rows are read, transformed and encoded
// once, and every batch is written to each destination in that
// destination's own transaction (see syncdriver.TeeBatch), each
// destination with its own checkpoint. cps holds each destination's
// checkpoint to resume from (nil: from the start; one Done is skipped);
// report, when not nil, receives each destination's progress, by index,
// never concurrently for one destination.
//
// A destination that fails is dropped from the fan-out and the others go
// on: the copy fails only for it (a *FanOutError says which), its
// committed batches and checkpoint stay exact, and a retry resumes it past
// its checkpoint. Destinations resumed from different checkpoints read
// from the least advanced one: each of the others is first reconciled
// back to it (its rows from source rows past that checkpoint deleted,
// exactly as a resumed copy does), so no row is lost or written twice.
// Every destination gets the copy's leak results (Checkpoint.Leaks), which
// describe the values read and written, when the read started at the
// table's start.
//
// Destinations that cannot share a stream — another driver than the
// source's, or (PostgreSQL) written columns of other types than the first
// destination's — are copied one after the other with a read each, and a
// log line says so. It returns the final checkpoint of every destination.
func (e *Engine) SyncTableFanOut(ctx context.Context, plan *syncplan.Plan, table sqlschema.TableName, src Source, dsts []Destination, cps []*Checkpoint, report func(int, Progress)) ([]Checkpoint, error) {
	return e.fanOut(ctx, plan, table, nil, src, dsts, cps, src.Seed, report)
}

// SyncRangeFanOut is SyncRange into several destinations with one read of
// the range, as SyncTableFanOut is SyncTable's. Each destination's
// checkpoint follows SyncRange's rules (nil: the range's first attempt
// into it); a completed destination's final checkpoint carries the
// range's leak sketches and re-identification count, hashed with seed (see
// SyncRange), when the range was read from its start.
func (e *Engine) SyncRangeFanOut(ctx context.Context, plan *syncplan.Plan, table sqlschema.TableName, rng KeyRange, src Source, dsts []Destination, cps []*Checkpoint, seed leakscan.Seed, report func(int, Progress)) ([]Checkpoint, error) {
	return e.fanOut(ctx, plan, table, &rng, src, dsts, cps, seed, report)
}

// fanOut is SyncTableFanOut and SyncRangeFanOut (rng set).
func (e *Engine) fanOut(ctx context.Context, plan *syncplan.Plan, table sqlschema.TableName, rng *KeyRange, src Source, dsts []Destination, cps []*Checkpoint, seed leakscan.Seed, report func(int, Progress)) ([]Checkpoint, error) {
	if len(cps) != len(dsts) {
		return nil, fmt.Errorf("sqlsync: %d checkpoints given for %d destinations", len(cps), len(dsts))
	}
	t := plan.Table(table)
	if t == nil {
		return nil, fmt.Errorf("sqlsync: table %s is not in the plan", table)
	}
	if rng != nil && !splittable(t) {
		return nil, fmt.Errorf("sqlsync: table %s cannot be copied in key ranges (it is not resumed by key)", table)
	}
	if rng != nil && (rng.ByKey() == integerKey(plan.Dialect, t) || (rng.LoKey != nil && len(rng.LoKey) != len(t.Key)) || (rng.HiKey != nil && len(rng.HiKey) != len(t.Key))) {
		return nil, fmt.Errorf("sqlsync: table %s: %s does not fit its key", table, rng)
	}
	out := make([]Checkpoint, len(dsts))
	errs := make([]error, len(dsts))
	names := make([]string, len(dsts))
	var live []int
	for i, cp := range cps {
		names[i] = dsts[i].Name
		out[i] = Checkpoint{Table: table, Range: rng}
		switch {
		case cp != nil && (cp.Table != table || (rng != nil && !cp.Range.Same(rng))):
			errs[i] = fmt.Errorf("sqlsync: checkpoint of %s %v given for %s", cp.Table, cp.Range, table)
		case cp != nil && cp.Done:
			out[i] = *cp
		default:
			live = append(live, i)
		}
	}
	result := func() ([]Checkpoint, error) {
		for _, err := range errs {
			if err != nil {
				return out, &FanOutError{Table: table, Destinations: names, Errs: errs}
			}
		}
		return out, nil
	}
	// One destination, or none left: the plain copy.
	if len(live) <= 1 {
		for _, i := range live {
			report := destReport(report, i)
			if rng != nil {
				out[i], errs[i] = e.SyncRange(ctx, plan, table, *rng, src, dsts[i], cps[i], seed, report)
			} else {
				out[i], errs[i] = e.SyncTable(ctx, plan, table, src, dsts[i], cps[i], report)
			}
		}
		return result()
	}
	f := &fanOutCopy{e: e, plan: plan, t: t, rng: rng, src: src, seed: seed}
	for _, i := range live {
		if err := sameDriver(src.DB, dsts[i].DB); err != nil {
			errs[i] = err
			continue
		}
		dst, err := e.resolve(ctx, plan, src.DB, dsts[i])
		if err != nil {
			errs[i] = err
			continue
		}
		job := e.tableJob(plan, t, src, dst, destReport(report, i))
		job.Range, job.Start.Range = rng, rng
		job.Fresh = cps[i] == nil
		if cps[i] != nil {
			job.Start = *cps[i]
		}
		f.dests = append(f.dests, &fanOutDest{index: i, job: job})
	}
	copied, solo := f.run(ctx)
	for _, d := range f.dests {
		out[d.index] = d.cp
		if d.err != nil {
			errs[d.index] = fmt.Errorf("sqlsync: table %s: %w", table, d.err)
		}
	}
	// The destinations that could not share the stream, one read each.
	for _, d := range solo {
		i := d.index
		if rng != nil {
			out[i], errs[i] = e.SyncRange(ctx, plan, table, *rng, src, dsts[i], cps[i], seed, destReport(report, i))
		} else {
			out[i], errs[i] = e.SyncTable(ctx, plan, table, src, dsts[i], cps[i], destReport(report, i))
		}
	}
	if copied > 0 {
		e.Logger.InfoContext(ctx, "table copied to several destinations from one read", slog.String("table", table.String()),
			slog.Int("destinations", copied), slog.Int("separate_reads", len(solo)))
	}
	return result()
}

// destReport is report for destination i (a no-op when report is nil).
func destReport(report func(int, Progress), i int) func(Progress) {
	if report == nil {
		return nil
	}
	return func(p Progress) { report(i, p) }
}

// fanOutCopy is one table's (or range's) copy into several destinations
// from one source stream.
type fanOutCopy struct {
	e     *Engine
	plan  *syncplan.Plan
	t     *syncplan.Table
	rng   *KeyRange
	src   Source
	seed  leakscan.Seed // of a range's sketches (SyncRange)
	dests []*fanOutDest
}

// fanOutDest is one destination of a fan-out copy.
type fanOutDest struct {
	index  int // in the caller's destinations
	job    *syncdriver.TableJob
	side   syncdriver.CopySide
	writer syncdriver.BatchWriter
	rep    *syncdriver.Reporter
	cp     Checkpoint
	err    error
	// failed is set (by the writing goroutine) once the destination
	// dropped out; the reading goroutine's progress skips it.
	failed bool
}

// run copies into every destination that can share the stream and
// returns how many completed, and the destinations that cannot share it
// (not touched yet: the caller copies them alone).
func (f *fanOutCopy) run(ctx context.Context) (completed int, solo []*fanOutDest) {
	t := f.t
	keyed := t.Resume == syncplan.ResumeKeyed
	for _, d := range f.dests {
		d.cp = d.job.Start
		if !keyed {
			d.cp.Rows, d.cp.Key = 0, nil
		}
	}
	outCols := t.Written()
	// Open every side; those whose stream would differ from the first's
	// are copied alone.
	var open []*fanOutDest
	var layout string
	defer func() {
		for _, d := range open {
			if d.writer != nil {
				d.writer.Close(ctx)
			}
			d.side.Close()
		}
	}()
	for _, d := range f.dests {
		if d.err != nil {
			continue
		}
		side, err := driverOf(d.job.Dst.DB).OpenCopy(ctx, d.job, outCols)
		if err != nil {
			d.err = err
			continue
		}
		shared, ok := side.(syncdriver.SharedStream)
		switch {
		case !ok:
			side.Close()
			solo = append(solo, d)
			continue
		case len(open) == 0:
			layout = shared.StreamLayout()
		case shared.StreamLayout() != layout:
			side.Close()
			solo = append(solo, d)
			continue
		}
		d.side = side
		open = append(open, d)
	}
	// The read starts at the least advanced destination's checkpoint;
	// the others are reconciled back to it.
	var start *fanOutDest
	for _, d := range open {
		if start == nil || d.cp.Rows < start.cp.Rows {
			start = d
		}
	}
	if start == nil {
		return 0, solo
	}
	from := start.cp
	spec := syncdriver.SourceSpec{Out: outCols, After: from.Key, Ordered: keyed, Range: f.rng}
	// Keyed batches are the least of the destinations' batch sizes. An
	// earlier attempt's were the least of its own destinations', which
	// may have been others when the sizes differ: then a destination's
	// reconcile cannot tell that attempt's batches (see rewind).
	rewindBatch := int64(0)
	if keyed {
		var most int64
		for _, d := range open {
			n := int64(d.job.Dst.Options.Rows())
			if spec.Batch == 0 || n < spec.Batch {
				spec.Batch = n
			}
			most = max(most, n)
		}
		rewindBatch = spec.Batch
		if most != spec.Batch {
			rewindBatch = 1
		}
	}
	var writing []*fanOutDest
	for _, d := range open {
		opts := d.job.Dst.Options
		owned := opts.Owns()
		fresh := firstWrite(d.job, owned)
		at := d.cp
		if d.cp.Rows != from.Rows || !equalKeys(d.cp.Key, from.Key) {
			// Ahead of the read: back to where it starts.
			at, fresh = from, false
			at.Range = d.cp.Range
		}
		if keyed && opts.OnConflict == syncplan.ConflictError && !fresh {
			if err := d.side.Reconcile(ctx, at, rewind(d.job, owned, rewindBatch)); err != nil {
				d.err = fmt.Errorf("resume: %w", err)
				continue
			}
		}
		d.cp.Rows, d.cp.Key, d.cp.Batch = from.Rows, from.Key, spec.Batch
		w, err := d.side.Writer(ctx, outCols, !keyed && owned)
		if err != nil {
			d.err = err
			continue
		}
		d.writer = w
		d.rep = syncdriver.NewReporter(d.job.Report, d.cp)
		writing = append(writing, d)
	}
	if len(writing) == 0 {
		return 0, solo
	}
	// The first destination's side streams; the others give their source
	// sessions back.
	lead := writing[0]
	for _, d := range writing[1:] {
		d.side.(syncdriver.SharedStream).ReleaseSource()
	}
	// Every destination resumes from where the read starts, so the
	// sketches of the rows up to there are those of the least advanced
	// destination's checkpoint.
	lead.job.Leaks = f.e.newLeaks(ctx, t, !keyed, &from, f.seed)
	for _, d := range writing {
		d.cp.Sketches = nil
		if lead.job.Leaks != nil {
			d.rep.Sketching(lead.job.Leaks)
		}
	}
	var mu sync.Mutex // guards failed against the reading goroutine's progress
	streamed := syncdriver.NewReporter(func(p Progress) {
		mu.Lock()
		defer mu.Unlock()
		for _, d := range writing {
			if !d.failed {
				d.rep.Streamed(p.Rows - from.Rows)
			}
		}
	}, from)
	batchNo := 0
	writes := make([]func(context.Context, *syncdriver.BatchReader) error, len(writing))
	for k, d := range writing {
		writes[k] = d.writer.Write
	}
	live := len(writing)
	err := lead.side.Stream(ctx, spec, streamed, func(ctx context.Context, r *syncdriver.BatchReader) error {
		batchNo++
		errs, err := syncdriver.TeeBatch(ctx, r, writes)
		if err != nil {
			return err
		}
		rows, key := r.End()
		committed := false
		for k, d := range writing {
			if writes[k] == nil {
				continue
			}
			if errs[k] != nil {
				d.err = fmt.Errorf("batch %d (rows %d and on): %w", batchNo, d.cp.Rows+1, collision(d.job, errs[k]))
				writes[k] = nil
				mu.Lock()
				d.failed = true
				mu.Unlock()
				live--
				continue
			}
			d.cp.Rows += rows
			if keyed {
				d.cp.Key = key
			}
			if !committed {
				// The live destinations committed the same batch and
				// stand at the same checkpoint.
				lead.job.Leaks.Commit(int64(batchNo-1), d.cp)
				committed = true
			}
			d.rep.Committed(d.cp)
		}
		if live == 0 {
			return errAllDestinationsFailed
		}
		return nil
	})
	for k, d := range writing {
		if writes[k] == nil {
			continue
		}
		if err == nil {
			err1 := d.writer.Finish(ctx)
			if err1 == nil {
				d.cp.Done = true
				d.rep.Committed(d.cp)
				completed++
				continue
			}
			d.err = err1
			continue
		}
		d.err = err
	}
	// A read of the whole table (or range) from its start, in one
	// snapshot, gave every destination that completed all its rows.
	if fromStart(!keyed, from) {
		for _, d := range writing {
			d.cp.WholeRead = d.cp.Done
		}
	}
	if completed > 0 && lead.job.Leaks != nil {
		sketches := lead.job.Leaks.Table()
		leaks, reid := sketches.Results(), lead.job.Leaks.Reidentified()
		for _, d := range writing {
			if !d.cp.Done {
				continue
			}
			if f.rng != nil {
				d.cp.Sketches = sketches
			} else if len(leaks) > 0 {
				d.cp.Leaks, d.cp.Reidentified, d.cp.Sketches = leaks, reid, sketches
			}
		}
	}
	return completed, solo
}

// errAllDestinationsFailed stops the read once no destination is left
// (each has its own error).
var errAllDestinationsFailed = errors.New("every destination failed")

// equalKeys reports whether two checkpoint keys are the same.
func equalKeys(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
