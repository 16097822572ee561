package sqlsync

import (
	"context"
	"fmt"
	"log/slog"

	"golang.org/x/sync/errgroup"

	"github.com/neosyncio/neosync/backend/pkg/sqlconnect"
	"github.com/neosyncio/neosync/backend/pkg/sqlschema"
	"github.com/neosyncio/neosync/backend/pkg/syncplan"
)

// RowSource is where the stream path reads rows when the engine cannot
// open the source database itself — the CLI, which holds only an API key
// and receives rows through the API's ConnectionDataService. The engine
// does the write side exactly as for a database source (same writers,
// update passes, Finalize and verification); see the package
// documentation's "Streaming from a RowSource".
type RowSource interface {
	// Rows calls fn with successive batches of table t's rows — the rows
	// t.Filter (the plan's complete predicate) selects — each row holding
	// the values of cols, in that order. A value is the source database's
	// text representation of the column (PostgreSQL's text output format,
	// MySQL's text protocol), nil for NULL, and final: a source that
	// applies transformers applies those of t's ActionTransform columns
	// before handing the row over; the engine writes the values as they
	// are. Rows must stop and return fn's error when fn fails. fn may keep
	// nothing of a batch after it returns.
	Rows(ctx context.Context, t *syncplan.Table, cols []string, fn func(rows [][]*string) error) error
	// Count returns the number of rows Rows would stream for t (t.Filter
	// applied); VerifyStream compares it with the destination.
	Count(ctx context.Context, t *syncplan.Table) (int64, error)
}

// checkStreamDest rejects a destination whose database is not of the
// plan's dialect.
func checkStreamDest(plan *syncplan.Plan, src RowSource, dst Destination) error {
	if src == nil || dst.DB == nil {
		return fmt.Errorf("sqlsync: a row source and a destination connection are required")
	}
	want := sqlconnect.DriverMySQL
	if plan.Dialect == sqlschema.DialectPostgres {
		want = sqlconnect.DriverPostgres
	}
	if dst.DB.Driver != want {
		return fmt.Errorf("sqlsync: syncing %s into %s is not supported", plan.Dialect, dst.DB.Driver)
	}
	return nil
}

// LoadTable is SyncTable for rows from a RowSource: it writes one table
// of the plan into dst with the same writers (PostgreSQL COPY, here in
// text format; MySQL LOAD DATA LOCAL INFILE), batches, OnConflict merges
// and deferred foreign key columns written NULL. Without a checkpoint to
// resume from, a keyed table's batches commit as they go and a table
// without a key is written in one transaction; when the job owns the
// table (Truncate or InitSchema) rows already in it are deleted first, as
// SyncTable does. report is as for SyncTable.
func (e *Engine) LoadTable(ctx context.Context, plan *syncplan.Plan, table sqlschema.TableName, src RowSource, dst Destination, report func(Progress)) (Checkpoint, error) {
	t := plan.Table(table)
	if t == nil {
		return Checkpoint{}, fmt.Errorf("sqlsync: table %s is not in the plan", table)
	}
	if err := checkStreamDest(plan, src, dst); err != nil {
		return Checkpoint{}, err
	}
	dst, err := e.resolve(ctx, plan, nil, dst)
	if err != nil {
		return Checkpoint{}, err
	}
	if report == nil {
		report = func(Progress) {}
	}
	job := &tableJob{engine: e, plan: plan, table: t, dst: dst, report: report, start: Checkpoint{Table: table}}
	var open func(context.Context, []syncplan.Column) (copySide, error)
	if dst.DB.Driver == sqlconnect.DriverPostgres {
		open = func(ctx context.Context, out []syncplan.Column) (copySide, error) {
			return openStreamPG(ctx, job, src, out)
		}
	} else {
		open = func(ctx context.Context, out []syncplan.Column) (copySide, error) {
			return openStreamMySQL(ctx, job, src, out)
		}
	}
	out, err := job.run(ctx, open)
	if err != nil {
		return out, err
	}
	e.Logger.InfoContext(ctx, "table loaded", slog.String("table", table.String()), slog.Int64("rows", out.Rows))
	return out, nil
}

// LoadTables is SyncTables for rows from a RowSource: every table of the
// plan, each as soon as the tables it depends on are loaded, at most
// concurrency at a time (0: the default). The first failure cancels the
// others. progress may be nil and is never called concurrently. It
// returns the final checkpoint of every table loaded.
func (e *Engine) LoadTables(ctx context.Context, plan *syncplan.Plan, src RowSource, dst Destination, concurrency int, progress func(Progress)) (map[sqlschema.TableName]Checkpoint, error) {
	results, err := scheduleTables(ctx, plan, concurrency, progress, func(ctx context.Context, t sqlschema.TableName, report func(Progress)) (Checkpoint, error) {
		return e.LoadTable(ctx, plan, t, src, dst, report)
	})
	for t, cp := range results {
		if !cp.Done {
			delete(results, t)
		}
	}
	return results, err
}

// StreamUpdatePasses is RunUpdatePasses for rows from a RowSource: for
// each table with deferred foreign keys it asks src for the key and the
// deferred columns (Rows with the key columns, then the deferred ones;
// values final, as for LoadTable), loads them into a temporary table and
// sets the columns on the destination rows with the same key, only where
// the referenced row exists. The plan only defers keys of tables whose
// key is written unchanged or by a consistent transformer, so the key the
// source hands over finds the row LoadTable wrote. It is idempotent.
func (e *Engine) StreamUpdatePasses(ctx context.Context, plan *syncplan.Plan, src RowSource, dst Destination) error {
	if err := checkStreamDest(plan, src, dst); err != nil {
		return err
	}
	dst, err := e.resolve(ctx, plan, nil, dst)
	if err != nil {
		return err
	}
	for i := range plan.Tables {
		t := &plan.Tables[i]
		if len(t.Deferred()) == 0 {
			continue
		}
		j := &tableJob{engine: e, plan: plan, table: t, dst: dst, report: func(Progress) {}}
		var err error
		if dst.DB.Driver == sqlconnect.DriverPostgres {
			err = j.pgStreamUpdatePass(ctx, src)
		} else {
			err = j.mysqlStreamUpdatePass(ctx, src)
		}
		if err != nil {
			return fmt.Errorf("sqlsync: update pass of %s: %w", t.Name, err)
		}
	}
	return nil
}

// VerifyStream is Verify for rows from a RowSource, with the same checks
// of the destination — each table's row count (against src.Count here),
// foreign key orphans and primary key and unique duplicates, skipped where
// a destination constraint already guarantees them — but no leak scan:
// that compares destination values with the source column in SQL, and a
// RowSource offers no query on the source (Report.Leaks stays empty). o's
// Copied and SourceRowsBefore cross-check the counts as for Verify; its
// Sample is not used. It only reads.
func (e *Engine) VerifyStream(ctx context.Context, plan *syncplan.Plan, src RowSource, dst Destination, o VerifyOptions) (*Report, error) {
	if err := checkStreamDest(plan, src, dst); err != nil {
		return nil, err
	}
	dst, err := e.resolve(ctx, plan, nil, dst)
	if err != nil {
		return nil, err
	}
	var v verifier
	if dst.DB.Driver == sqlconnect.DriverPostgres {
		v = &pgVerifier{dst: dst.DB.Postgres, q: newQuoter(plan.Dialect), session: dst.sessionName()}
	} else {
		v = &mysqlVerifier{dst: dst.DB.MySQL, q: newQuoter(plan.Dialect), tag: dst.mysqlTag()}
	}
	return verifyWith(ctx, plan, dst, streamVerifier{verifier: v, src: src}, 0, o)
}

// streamVerifier is a destination verifier whose source counts come from
// a RowSource (its leak scan, which would query the source, is never
// called: verifyWith skips it with a sample of 0).
type streamVerifier struct {
	verifier
	src RowSource
}

func (v streamVerifier) sourceCount(ctx context.Context, t *syncplan.Table) (int64, error) {
	return v.src.Count(ctx, t)
}

// RunStream does every step of a sync into dst with rows from src, in
// process: PrepareDestination, LoadTables, StreamUpdatePasses, Finalize
// and VerifyStream, whose report it returns; when a step before Finalize
// fails it restores the destination's keys (Restore). progress may be nil.
func (e *Engine) RunStream(ctx context.Context, plan *syncplan.Plan, src RowSource, dst Destination, concurrency int, progress func(Progress)) (*Report, error) {
	if err := checkStreamDest(plan, src, dst); err != nil {
		return nil, err
	}
	if err := e.PrepareDestination(ctx, plan, dst); err != nil {
		return nil, e.restoreAfter(ctx, plan, dst, err)
	}
	copied, err := e.LoadTables(ctx, plan, src, dst, concurrency, progress)
	if err != nil {
		return nil, e.restoreAfter(ctx, plan, dst, err)
	}
	if err := e.StreamUpdatePasses(ctx, plan, src, dst); err != nil {
		return nil, e.restoreAfter(ctx, plan, dst, err)
	}
	if err := e.Finalize(ctx, plan, dst); err != nil {
		return nil, err
	}
	return e.VerifyStream(ctx, plan, src, dst, VerifyOptions{Copied: rowsOf(copied)})
}

// rowsOf returns the committed rows of each checkpoint.
func rowsOf(cps map[sqlschema.TableName]Checkpoint) map[sqlschema.TableName]int64 {
	out := make(map[sqlschema.TableName]int64, len(cps))
	for t, cp := range cps {
		out[t] = cp.Rows
	}
	return out
}

// streamSpec is what one RowSource stream reads and writes: the source
// columns asked for, and for every written field its position among them
// (-1: written NULL without asking — generate_null and deferred columns).
type streamSpec struct {
	cols   []string
	fields []int
}

func newStreamSpec(out []syncplan.Column) streamSpec {
	var s streamSpec
	for _, c := range out {
		if !reads(c) {
			s.fields = append(s.fields, -1)
			continue
		}
		s.fields = append(s.fields, len(s.cols))
		s.cols = append(s.cols, c.Name)
	}
	return s
}

// emptyOwned is the reconcile step of a stream, which has no checkpoint
// to reconcile with (it is never resumed): like a first SyncTable attempt,
// it empties the destination table when the job owns it, running the
// DELETE with exec on the writer's session.
func (j *tableJob) emptyOwned(ctx context.Context, owned bool, exec func(context.Context, string) error) error {
	if !owned {
		return nil
	}
	q := newQuoter(j.plan.Dialect)
	stmt := "DELETE FROM " + q.table(j.destName())
	if err := q.err(); err != nil {
		return err
	}
	if err := exec(ctx, stmt); err != nil {
		return fmt.Errorf("empty the destination table: %w", err)
	}
	return nil
}

// streamRows reads t's rows for spec from src and hands them, encoded in
// the text format both PostgreSQL's COPY and MySQL's LOAD DATA read (tab
// separated, backslash escapes, \N for NULL), batch by batch to write.
// Reading and writing run concurrently, joined by the same bounded chunk
// queue as the database paths, so memory stays flat.
func streamRows(ctx context.Context, t *syncplan.Table, src RowSource, spec sourceSpec, rep *reporter, write func(context.Context, *batchReader) error) error {
	ss := newStreamSpec(spec.out)
	g, gctx := errgroup.WithContext(ctx)
	stream := newChunkStream()
	b := &batcher{ctx: gctx, stream: stream, batch: spec.batch, buf: stream.buffer()}
	if rep != nil {
		b.progress = rep.streamed
	}
	g.Go(func() error {
		defer close(stream.ch)
		err := src.Rows(gctx, t, ss.cols, func(rows [][]*string) error {
			for _, r := range rows {
				if len(r) != len(ss.cols) {
					return fmt.Errorf("row %d: the source sent %d values for %d columns", b.rows+1, len(r), len(ss.cols))
				}
				b.begin()
				for i, f := range ss.fields {
					if i > 0 {
						b.buf = append(b.buf, '\t')
					}
					if f < 0 || r[f] == nil {
						b.buf = append(b.buf, '\\', 'N')
						continue
					}
					b.buf = appendTextField(b.buf, *r[f])
				}
				b.buf = append(b.buf, '\n')
				if err := b.rowDone(1); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return fmt.Errorf("read source: %w", err)
		}
		return b.finish()
	})
	g.Go(func() error { return stream.deliver(gctx, write) })
	return g.Wait()
}

// appendTextField appends a non-NULL value as one field of COPY's text
// format, which LOAD DATA ... FIELDS TERMINATED BY '\t' ESCAPED BY '\\'
// reads the same way: backslash, tab, newline and carriage return are
// escaped, and NUL as \0 (MySQL binary strings; PostgreSQL text never
// holds NUL).
func appendTextField(b []byte, v string) []byte { return appendEscaped(b, v) }
