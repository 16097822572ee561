package sqlsync

import (
	"context"
	"fmt"

	"github.com/neosyncio/neosync/backend/pkg/syncplan"
)

// copySide is what a dialect provides to the copy loop: the open source
// and destination sessions of one table.
type copySide interface {
	// reconcile deletes what an interrupted keyed copy may have committed
	// past cp (see pgSide.reconcile).
	reconcile(ctx context.Context, cp Checkpoint, owned bool) error
	// writer returns the batch writer for the destination table; clear
	// empties the table in the first batch's transaction.
	writer(ctx context.Context, out []syncplan.Column, clear bool) (batchWriter, error)
	// stream reads the source per spec and calls write for every batch.
	stream(ctx context.Context, spec sourceSpec, rep *reporter, write func(context.Context, *batchReader) error) error
	close()
}

// batchWriter commits batches into the destination table.
type batchWriter interface {
	// write commits one batch, consuming r to its end.
	write(ctx context.Context, r *batchReader) error
	// finish does what no batch did (empties the table when the source
	// had no rows).
	finish(ctx context.Context) error
	close(ctx context.Context)
}

// sourceSpec says what to read from the source for one stream.
type sourceSpec struct {
	// out are the destination fields, in order.
	out []syncplan.Column
	// after, when set, reads only rows whose key is greater (a resumed
	// keyed copy).
	after []string
	// ordered reads in key order and tracks the last key.
	ordered bool
	// batch is the number of rows per destination batch (0: one batch).
	batch int64
}

// run copies the table: reconcile a resumed keyed copy, then stream
// batches, reporting a checkpoint after each commit.
func (j *tableJob) run(ctx context.Context, open func(context.Context, []syncplan.Column) (copySide, error)) (Checkpoint, error) {
	t := j.table
	opts := j.dst.Options
	cp := j.start
	keyed := t.Resume == syncplan.ResumeKeyed
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
	defer side.close()
	owned := opts.Truncate || opts.InitSchema
	if keyed && opts.OnConflict == syncplan.ConflictError {
		if err := side.reconcile(ctx, cp, owned); err != nil {
			return fail(fmt.Errorf("resume: %w", err))
		}
	}
	w, err := side.writer(ctx, out, !keyed && owned)
	if err != nil {
		return fail(err)
	}
	defer w.close(ctx)
	spec := sourceSpec{out: out, after: cp.Key, ordered: keyed}
	if keyed {
		spec.batch = int64(opts.Rows())
	}
	rep := newReporter(j.report, cp)
	batchNo := 0
	err = side.stream(ctx, spec, rep, func(ctx context.Context, r *batchReader) error {
		batchNo++
		if err := w.write(ctx, r); err != nil {
			return fmt.Errorf("batch %d (rows %d and on): %w", batchNo, cp.Rows+1, err)
		}
		cp.Rows += r.end.rows
		if keyed {
			cp.Key = r.end.key
		}
		rep.committed(cp)
		return nil
	})
	if err == nil {
		err = w.finish(ctx)
	}
	if err != nil {
		return fail(err)
	}
	cp.Done = true
	rep.committed(cp)
	return cp, nil
}

// readFields returns the source columns a stream reads, in order, and
// each one's position: what is written (except NULL and deferred
// columns), then the key when reading in key order, then, when a
// transformer reads the row, every other column.
func readFields(t *syncplan.Table, spec sourceSpec) ([]string, map[string]int) {
	var sel []string
	index := map[string]int{}
	add := func(name string) {
		if _, ok := index[name]; !ok {
			index[name] = len(sel)
			sel = append(sel, name)
		}
	}
	usesRow := false
	for _, c := range spec.out {
		if reads(c) {
			add(c.Name)
		}
		usesRow = usesRow || (c.Action == syncplan.ActionTransform && c.UsesRow)
	}
	if spec.ordered {
		for _, k := range t.Key {
			add(k)
		}
	}
	if usesRow {
		for _, c := range t.Columns {
			add(c.Name)
		}
	}
	return sel, index
}

// reads reports whether the copy reads c from the source: copied and
// transformed columns, except deferred ones (written NULL for now).
func reads(c syncplan.Column) bool {
	return (c.Action == syncplan.ActionCopy || c.Action == syncplan.ActionTransform) && !c.Deferred
}
