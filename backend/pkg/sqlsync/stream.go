package sqlsync

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/neosyncio/neosync/backend/pkg/leakscan"
	"github.com/neosyncio/neosync/backend/pkg/sqlconnect"
	"github.com/neosyncio/neosync/backend/pkg/sqlschema"
	"github.com/neosyncio/neosync/backend/pkg/sqlsync/syncdriver"
	"github.com/neosyncio/neosync/backend/pkg/syncplan"
)

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
	job := e.tableJob(plan, t, Source{}, dst, report)
	d := driverOf(dst.DB)
	out, err := runCopy(ctx, job, func(ctx context.Context, out []syncplan.Column) (syncdriver.CopySide, error) {
		return d.OpenLoad(ctx, job, src, out)
	})
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
		err := driverOf(dst.DB).LoadUpdatePass(ctx, e.tableJob(plan, t, Source{}, dst, nil), src)
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
	v := driverOf(dst.DB).Verifier(plan, nil, &dst)
	o.registry = e.Registry
	return verifyWith(ctx, plan, dst, streamVerifier{Verifier: v, src: src}, 0, o)
}

// streamVerifier is a destination verifier whose source counts come from
// a RowSource (its leak scan, which would query the source, is never
// called: verifyWith skips it with a sample of 0).
type streamVerifier struct {
	syncdriver.Verifier
	src RowSource
}

// SourceCount counts with RowSource.Count.
func (v streamVerifier) SourceCount(ctx context.Context, t *syncplan.Table) (int64, error) {
	return v.src.Count(ctx, t)
}

// RunStream does every step of a sync into dst with rows from src, in
// process, in the run sequence (Steps): PrepareDestination, LoadTables,
// StreamUpdatePasses, Finalize and VerifyStream, whose report it returns;
// when a step before Finalize fails it restores the destination's keys
// (Restore). progress may be nil.
func (e *Engine) RunStream(ctx context.Context, plan *syncplan.Plan, src RowSource, dst Destination, concurrency int, progress func(Progress)) (*Report, error) {
	if err := checkStreamDest(plan, src, dst); err != nil {
		return nil, err
	}
	var copied map[sqlschema.TableName]Checkpoint
	var rep *Report
	err := e.runSequence(ctx, plan, dst, sequence{
		StepPrepare: func(ctx context.Context) error { return e.PrepareDestination(ctx, plan, dst) },
		StepTables: func(ctx context.Context) (err error) {
			copied, err = e.LoadTables(ctx, plan, src, dst, concurrency, progress)
			return err
		},
		StepUpdatePasses: func(ctx context.Context) error { return e.StreamUpdatePasses(ctx, plan, src, dst) },
		StepFinalize:     func(ctx context.Context) error { return e.Finalize(ctx, plan, dst) },
		StepVerify: func(ctx context.Context) (err error) {
			rep, err = e.VerifyStream(ctx, plan, src, dst, VerifyOptions{Copied: rowsOf(copied)})
			return err
		},
	})
	if err != nil {
		return nil, err
	}
	return rep, nil
}

// LeaksOf collects the copy's leak sketches (Checkpoint.Leaks) of the
// tables that have them, for VerifyOptions.Leaks.
func LeaksOf(cps map[sqlschema.TableName]Checkpoint) map[sqlschema.TableName]map[string]leakscan.Result {
	out := map[sqlschema.TableName]map[string]leakscan.Result{}
	for t, cp := range cps {
		if len(cp.Leaks) > 0 {
			out[t] = cp.Leaks
		}
	}
	return out
}

// ReidentifiedOf collects the copy's row-level re-identification counts
// (Checkpoint.Reidentified) of the tables that have them, for
// VerifyOptions.Reidentified.
func ReidentifiedOf(cps map[sqlschema.TableName]Checkpoint) map[sqlschema.TableName]leakscan.RowCount {
	out := map[sqlschema.TableName]leakscan.RowCount{}
	for t, cp := range cps {
		if cp.Reidentified != nil {
			out[t] = *cp.Reidentified
		}
	}
	return out
}

// SourceReadOf collects, for VerifyOptions.SourceRead, the rows of each
// copy that read its whole table in one snapshot (Checkpoint.WholeRead).
func SourceReadOf(cps map[sqlschema.TableName]Checkpoint) map[sqlschema.TableName]int64 {
	out := map[sqlschema.TableName]int64{}
	for t, cp := range cps {
		if cp.WholeRead && cp.Range == nil {
			out[t] = cp.Rows
		}
	}
	return out
}

// rowsOf returns the committed rows of each checkpoint.
func rowsOf(cps map[sqlschema.TableName]Checkpoint) map[sqlschema.TableName]int64 {
	out := make(map[sqlschema.TableName]int64, len(cps))
	for t, cp := range cps {
		out[t] = cp.Rows
	}
	return out
}
