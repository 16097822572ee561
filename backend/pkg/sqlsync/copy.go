package sqlsync

import (
	"context"
	"fmt"

	"github.com/neosyncio/neosync/backend/pkg/sqlsync/syncdriver"
	"github.com/neosyncio/neosync/backend/pkg/syncplan"
)

// restarts reports whether j's copy starts over after a crash rather than
// resuming from a key checkpoint: a copy of the whole table under the
// plan's rule (syncplan.Plan.Restarts). Key ranges always resume by key.
func restarts(j *syncdriver.TableJob) bool {
	return j.Range == nil && j.Plan.Restarts(j.Table, j.Dst.Options)
}

// firstWrite reports whether j is the first attempt at its rows (j.Fresh)
// in a case where that means nothing needs reconciling first: a key range
// of a table the job owns (emptied before the copy, and no attempt wrote
// this range yet), or any copy into a table the job does not own. There
// every row already in the destination is the user's, and a row of the
// copy that collides with one must fail the table (the default
// on_conflict) — reconciling would delete the user's row to make room.
// A whole table the job owns is reconciled all the same: that is one
// EXISTS on a table the copy found empty.
func firstWrite(j *syncdriver.TableJob, owned bool) bool {
	return j.Fresh && (j.Range != nil || !owned)
}

// collision is err, or — for a row refused as a duplicate by a table the
// job does not own, with the default on_conflict — a
// *syncdriver.CollisionError that says which options let it through.
func collision(j *syncdriver.TableJob, err error) error {
	o := j.Dst.Options
	if o.Owns() || o.OnConflict != syncplan.ConflictError || !driverOf(j.Dst.DB).Duplicate(err) {
		return err
	}
	return &syncdriver.CollisionError{Err: err}
}

// rewind is what the Reconcile of j's retried copy may delete (see
// syncdriver.Rewind): in a table the job does not own, the rows of the
// interrupted attempt's complete batches of batch rows (this attempt's
// batch size: the same syncplan.DestinationOptions.Rows the interrupted
// attempt used) past the checkpoint. A copy that restarts (batch 0)
// wrote its one batch of every row, unless its checkpoint holds a key —
// from a worker that still committed the table in batches of Rows from
// its start, which the reconcile then reads from. When j's checkpoint says
// the attempt that reported it committed by another number of rows (a
// fan-out's batches are its destinations' least), the batches cannot be
// told and only the contiguous run of matching keys after the checkpoint
// is deleted (Batch 1).
func rewind(j *syncdriver.TableJob, owned bool, batch int64) syncdriver.Rewind {
	if batch == 0 && len(j.Start.Key) > 0 {
		batch = int64(j.Dst.Options.Rows())
	}
	if b := j.Start.Batch; b != 0 && b != batch {
		batch = 1
	}
	return syncdriver.Rewind{Owned: owned, Batch: batch}
}

// runCopy copies j's table through the side open returns (a source
// database's or a RowSource's): reconcile a resumed keyed copy, then
// stream batches, reporting a checkpoint after each commit. A copy that
// restarts (see restarts) ignores the checkpoint it is given, reads the
// source unordered and writes one batch in one transaction — which first
// empties a table the job owns; into one it appends to, a retry first
// deletes the rows the source's keys name, when all are there — and its
// only checkpoint is the final one. A keyed copy's batches are
// DestinationOptions.Rows rows from where it starts, committed in key
// order, and its checkpoints record that size (Checkpoint.Batch): the
// reconcile of a retry into a table the job does not own relies on it to
// delete only the batches an interrupted attempt committed (see rewind).
func runCopy(ctx context.Context, j *syncdriver.TableJob, open func(context.Context, []syncplan.Column) (syncdriver.CopySide, error)) (Checkpoint, error) {
	t := j.Table
	opts := j.Dst.Options
	cp := j.Start
	keyed := !restarts(j)
	if !keyed {
		cp.Rows, cp.Key = 0, nil
	}
	fail := func(err error) (Checkpoint, error) {
		return cp, fmt.Errorf("sqlsync: table %s: %w", t.Name, err)
	}
	out := t.Written()
	side, err := open(ctx, out)
	if err != nil {
		return fail(err)
	}
	defer side.Close()
	owned := opts.Owns()
	// A keyed copy removes what an earlier attempt committed past its
	// checkpoint; a keyed table that restarts into a table the job does
	// not empty removes what an earlier attempt committed at all (its
	// checkpoint is empty).
	reconcile := keyed || (!owned && t.Resume == syncplan.ResumeKeyed)
	spec := syncdriver.SourceSpec{Out: out, After: cp.Key, Ordered: keyed, Range: j.Range}
	if keyed {
		spec.Batch = int64(opts.Rows())
	}
	if reconcile && opts.OnConflict == syncplan.ConflictError && !firstWrite(j, owned) {
		if err := side.Reconcile(ctx, cp, rewind(j, owned, spec.Batch)); err != nil {
			return fail(fmt.Errorf("resume: %w", err))
		}
	}
	cp.Batch = spec.Batch
	w, err := side.Writer(ctx, out, !keyed && owned)
	if err != nil {
		return fail(err)
	}
	defer w.Close(ctx)
	rep := syncdriver.NewReporter(j.Report, cp)
	if j.Leaks != nil {
		rep.Sketching(j.Leaks)
	}
	batchNo := 0
	err = side.Stream(ctx, spec, rep, func(ctx context.Context, r *syncdriver.BatchReader) error {
		batchNo++
		if err := w.Write(ctx, r); err != nil {
			return fmt.Errorf("batch %d (rows %d and on): %w", batchNo, cp.Rows+1, collision(j, err))
		}
		rows, key := r.End()
		cp.Rows += rows
		if keyed {
			cp.Key = key
		}
		rep.Wrote(r.Bytes())
		j.Leaks.Commit(int64(batchNo-1), cp)
		rep.Committed(cp)
		return nil
	})
	if err == nil {
		err = w.Finish(ctx)
	}
	if err != nil {
		return fail(err)
	}
	cp.Done = true
	rep.Committed(cp)
	return cp, nil
}
