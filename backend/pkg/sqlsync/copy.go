package sqlsync

import (
	"context"
	"fmt"
	"sync"

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
	// extraWriter returns a batch writer on another destination session
	// (a parallel lane), or nil when none is free right away: the
	// connection limit is reached, or the server refused one. Its close
	// releases the session.
	extraWriter(ctx context.Context, out []syncplan.Column) (batchWriter, error)
	// stream reads the source per spec and calls write for every batch.
	stream(ctx context.Context, spec sourceSpec, rep *reporter, write writeFunc) error
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
	// lanes is the number of destination writers the batches are dealt
	// out to (0 or 1: one).
	lanes int
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
	writers := []batchWriter{w}
	if keyed {
		spec.batch = int64(opts.Rows())
		// Parallel lanes: each commits its share of every batch, and the
		// checkpoint only moves past a batch once all its parts are
		// committed, so a resume still finds everything before the
		// checkpoint written (and reconcile removes what is after it).
		for len(writers) < opts.WriterCount() {
			ew, err := side.extraWriter(ctx, out)
			if err != nil {
				return fail(err)
			}
			if ew == nil {
				j.engine.Logger.Info("fewer parallel writers than asked: no destination session free",
					"table", t.Name.String(), "writers", len(writers), "asked", opts.WriterCount())
				break
			}
			defer ew.close(ctx)
			writers = append(writers, ew)
		}
	}
	spec.lanes = len(writers)
	rep := newReporter(j.report, cp)
	var commits commitLog
	base := cp.Rows // rows committed before this stream
	err = side.stream(ctx, spec, rep, func(ctx context.Context, lane int, r *batchReader) error {
		if err := writers[lane].write(ctx, r); err != nil {
			seq, first := r.batch()
			return fmt.Errorf("batch %d (rows %d and on): %w", seq, base+first, err)
		}
		commits.committed(r.end, func(rows int64, key []string) {
			cp.Rows += rows
			if keyed {
				cp.Key = key
			}
			rep.committed(cp)
		})
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

// commitLog orders the commits of batch parts: a batch counts once every
// lane holding a part of it has committed, and batches count in order.
type commitLog struct {
	mu      sync.Mutex
	counted int64 // batches counted, in order
	parts   map[int64]*batchParts
}

type batchParts struct {
	left int
	rows int64
	key  []string
}

// committed records the part that end closed and calls count for every
// batch that is now complete and next in order.
func (l *commitLog) committed(end *chunkMsg, count func(rows int64, key []string)) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.parts == nil {
		l.parts = map[int64]*batchParts{}
	}
	p := l.parts[end.seq]
	if p == nil {
		p = &batchParts{left: max(end.parts, 1)}
		l.parts[end.seq] = p
	}
	p.left--
	p.rows += end.rows
	p.key = end.key
	for {
		next := l.parts[l.counted+1]
		if next == nil || next.left > 0 {
			return
		}
		delete(l.parts, l.counted+1)
		l.counted++
		count(next.rows, next.key)
	}
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
