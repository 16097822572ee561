package sqlsync

import (
	"context"
	"fmt"
	"log/slog"
	"strings"

	"github.com/neosyncio/neosync/backend/pkg/leakscan"
	"github.com/neosyncio/neosync/backend/pkg/sqlschema"
	"github.com/neosyncio/neosync/backend/pkg/sqlsync/syncdriver"
	"github.com/neosyncio/neosync/backend/pkg/syncplan"
)

// KeyRange is one key range of a table copied in parts (see
// syncdriver.KeyRange and "Key ranges" in the package documentation).
type KeyRange = syncdriver.KeyRange

// DefaultRangeRows is the rows per key range on MySQL when the caller does
// not say: a table of at least twice as many rows is split.
const DefaultRangeRows = 1_000_000

// DefaultPostgresRangeRows is the rows per key range on PostgreSQL when the
// caller does not say. It is larger than DefaultRangeRows because there a
// range costs more than it gives on one worker: ranges load one heap
// concurrently (sessions queue for its extension lock), cannot be loaded
// with COPY … FREEZE (only the whole table, emptied in the copy's own
// transaction, can), and read the source in key order — while a whole
// table is one unordered read, one frozen load and a restart of about
// 9 s of copy per 5,000,000 rows after a crash. Measured with make
// bench-e2e on a quiet 2-core machine, 5,000,000 rows, 4 transformed
// columns, one worker, two rounds each: into an owned destination whole
// 0.94–0.98x the psql pipe (15.2–15.9 CPU-s, every process), in five
// 1,000,000-row ranges 0.80–0.81x (18.3–18.4 CPU-s); appending 0.72–0.77x
// against 0.62–0.69x (18.6–18.7 against 21.2–22.8 CPU-s).
const DefaultPostgresRangeRows = 5_000_000

// DefaultRangeRowsFor is the rows per key range of dialect d, for a run
// that writes to databases SQL destinations, when neither the job nor the
// worker says. A run that feeds several from one read (fan-out) splits at
// DefaultRangeRows on every dialect: its copy is written in key-ordered
// batches whatever its size (no one-transaction restart, no COPY …
// FREEZE), so the reasons for DefaultPostgresRangeRows do not hold, and
// ranges are its only parallelism (bench-e2e, 5,000,000 rows into two
// destinations on one worker: 16.1–16.4 s in ranges, 17.4–18.8 s whole).
func DefaultRangeRowsFor(d sqlschema.Dialect, databases int) int64 {
	if d == sqlschema.DialectPostgres && databases <= 1 {
		return DefaultPostgresRangeRows
	}
	return DefaultRangeRows
}

// MaxRanges bounds the ranges of one table, so a huge table does not make
// thousands of activities.
const MaxRanges = 64

// SplitRanges divides table into key ranges of about rangeRows rows (0:
// DefaultRangeRowsFor the plan's dialect and one destination) given its
// row count rows (an estimate will do), or
// returns nil when it is not worth splitting or cannot be split: fewer
// than 2×rangeRows rows, or no key read for a keyed resume
// (syncplan.ResumeKeyed). A key of one signed integer column is cut into
// ranges of equal key width between the least and greatest key (so a key
// with gaps gives uneven ranges); any other key — text, uuid, date,
// several columns — at keys the source database picks in its own key
// order (Verifier.KeyBoundaries: a sample's quantiles on PostgreSQL,
// steps through the key's index on MySQL), so text is ordered by its
// collation, never in Go. Either way the ranges cover every key.
func (e *Engine) SplitRanges(ctx context.Context, plan *syncplan.Plan, table sqlschema.TableName, src Source, rows, rangeRows int64) ([]KeyRange, error) {
	t := plan.Table(table)
	if t == nil {
		return nil, fmt.Errorf("sqlsync: table %s is not in the plan", table)
	}
	if rangeRows <= 0 {
		rangeRows = DefaultRangeRowsFor(plan.Dialect, 1)
	}
	if rows < 2*rangeRows || !splittable(t) {
		return nil, nil
	}
	n := int(min((rows+rangeRows-1)/rangeRows, MaxRanges))
	v := driverOf(src.DB).Verifier(plan, src.DB, nil)
	var ranges []KeyRange
	if integerKey(plan.Dialect, t) {
		lo, hi, err := v.KeyBounds(ctx, t)
		if err != nil {
			return nil, fmt.Errorf("sqlsync: table %s: read the key's bounds: %w", table, err)
		}
		ranges = syncdriver.SplitKeys(lo, hi, n)
	} else {
		bounds, err := v.KeyBoundaries(ctx, t, n, rows)
		if err != nil {
			return nil, fmt.Errorf("sqlsync: table %s: choose the key ranges' bounds: %w", table, err)
		}
		ranges = syncdriver.SplitAt(bounds)
	}
	if len(ranges) < 2 {
		return nil, nil
	}
	return ranges, nil
}

// splittable reports whether t can be copied in key ranges: resumed by
// key, so each range has checkpoints and a retry finds its own rows.
func splittable(t *syncplan.Table) bool {
	return t.Resume == syncplan.ResumeKeyed && len(t.Key) > 0
}

// integerKey reports whether t's key is one signed integer column, split
// by key width with integer bounds.
func integerKey(d sqlschema.Dialect, t *syncplan.Table) bool {
	if len(t.Key) != 1 {
		return false
	}
	c := t.Column(t.Key[0])
	if c == nil || !syncplan.IntegerType(d, c.DataType) {
		return false
	}
	// MySQL's bigint unsigned (spelt "bigint(20) unsigned" by MariaDB)
	// holds keys past int64: it is split by key bounds.
	dt := strings.ToLower(c.DataType)
	return !(strings.HasPrefix(dt, "bigint") && strings.Contains(dt, "unsigned"))
}

// SyncRange copies one key range of a table (from SplitRanges), as
// SyncTable copies a whole table: a nil cp is the range's first attempt
// (the caller guarantees that nothing of the range was written by the run
// yet), a checkpoint of the range resumes it, and a non-nil checkpoint
// without a key (a retry that never recorded progress) first removes
// whatever an earlier attempt wrote in the range. So every range is
// copied exactly once whatever its attempts, and ranges run at once,
// in any order, on any workers. The final checkpoint carries the range's
// leak sketches and re-identification count (Checkpoint.Sketches) when
// the range was read in one attempt — or resumed from a checkpoint given
// with the sketches of its rows (Checkpoint.Sketches, see
// Progress.Leaks) — hashed with seed, for the caller to
// merge with the other ranges' — on any worker when every range of the
// run uses the same seed (leakscan.RunSeed). Read in one attempt from
// the range's start, the final checkpoint is marked WholeRead: its Rows
// are then the source's rows of the range in that attempt's snapshot,
// which the ranges' sum gives verification (VerifyOptions.RangesRead).
func (e *Engine) SyncRange(ctx context.Context, plan *syncplan.Plan, table sqlschema.TableName, rng KeyRange, src Source, dst Destination, cp *Checkpoint, seed leakscan.Seed, report func(Progress)) (Checkpoint, error) {
	t := plan.Table(table)
	if t == nil {
		return Checkpoint{}, fmt.Errorf("sqlsync: table %s is not in the plan", table)
	}
	if !splittable(t) {
		return Checkpoint{}, fmt.Errorf("sqlsync: table %s cannot be copied in key ranges (it is not resumed by key)", table)
	}
	if rng.ByKey() == integerKey(plan.Dialect, t) || (rng.LoKey != nil && len(rng.LoKey) != len(t.Key)) || (rng.HiKey != nil && len(rng.HiKey) != len(t.Key)) {
		return Checkpoint{}, fmt.Errorf("sqlsync: table %s: %s does not fit its key", table, rng)
	}
	if cp != nil && (cp.Table != table || !cp.Range.Same(&rng)) {
		return Checkpoint{}, fmt.Errorf("sqlsync: checkpoint of %s %v given for %s %s", cp.Table, cp.Range, table, rng)
	}
	if cp != nil && cp.Done {
		return *cp, nil
	}
	if err := sameDriver(src.DB, dst.DB); err != nil {
		return Checkpoint{}, err
	}
	dst, err := e.resolve(ctx, plan, src.DB, dst)
	if err != nil {
		return Checkpoint{}, err
	}
	job := e.tableJob(plan, t, src, dst, report)
	job.Range = &rng
	job.Start.Range = &rng
	job.Fresh = cp == nil
	if cp != nil {
		job.Start = *cp
	}
	job.Leaks = e.newLeaks(ctx, t, restarts(job), &job.Start, seed)
	whole := fromStart(restarts(job), job.Start)
	d := driverOf(dst.DB)
	out, err := runCopy(ctx, job, func(ctx context.Context, out []syncplan.Column) (syncdriver.CopySide, error) {
		return d.OpenCopy(ctx, job, out)
	})
	if err != nil {
		return out, err
	}
	out.Sketches = job.Leaks.Table()
	out.WholeRead = whole
	e.Logger.InfoContext(ctx, "range copied", slog.String("table", table.String()), slog.String("range", rng.String()), slog.Int64("rows", out.Rows))
	return out, nil
}

// MergeRanges merges the leak sketches and re-identification counts
// (Checkpoint.Sketches) of every key range of one table into the table's
// leak scan, by column — what one copy of the whole table would have
// measured. The sketches must share a seed: those of one process, or of
// one run (leakscan.RunSeed) restored from their serialised form on any
// worker.
func (e *Engine) MergeRanges(ranges []*leakscan.Table) (map[string]leakscan.Result, *leakscan.RowCount, error) {
	merged := &leakscan.Table{}
	for _, r := range ranges {
		if err := merged.Merge(r); err != nil {
			return nil, nil, fmt.Errorf("sqlsync: merge the leak sketches of key ranges: %w", err)
		}
	}
	return merged.Results(), merged.Reidentified(), nil
}
