package sqlsync

import (
	"context"
	"fmt"
	"log/slog"
	"runtime"
	"slices"

	"github.com/neosyncio/neosync/backend/pkg/leakscan"
	"github.com/neosyncio/neosync/backend/pkg/sqlconnect"
	"github.com/neosyncio/neosync/backend/pkg/sqlschema"
	"github.com/neosyncio/neosync/backend/pkg/sqlsync/syncdriver"
	"github.com/neosyncio/neosync/backend/pkg/syncplan"
	"github.com/neosyncio/neosync/backend/pkg/transformers"
)

// Engine runs the steps of a sync. It holds only what every job shares
// (the transformer registry and a logger), so one Engine serves every job
// of a worker or CLI process; each step receives the plan and the open
// connections. Its methods are safe for concurrent use.
type Engine struct {
	// Registry builds the transformers of the plan's columns.
	Registry *transformers.Registry
	// Logger receives one line per table copied and per resume.
	Logger *slog.Logger
	// LeakSample is the least number of distinct output values per
	// transformed column the copy's leak sketch samples once a column has
	// more (0: DefaultLeakSample); up to that many the leak scan is exact.
	// Its memory is a few tens of bytes per sampled value, per column.
	LeakSample int
	// Workers is the number of goroutines that transform the rows of one
	// PostgreSQL table (see the package documentation); 0 means one per
	// CPU, at most MaxDefaultWorkers.
	Workers int
}

// MaxDefaultWorkers caps the default number of transforming goroutines per
// table.
const MaxDefaultWorkers = 4

func (e *Engine) workers() int {
	if e.Workers > 0 {
		return e.Workers
	}
	return min(runtime.GOMAXPROCS(0), MaxDefaultWorkers)
}

// NewEngine returns an Engine; a nil logger discards logs.
func NewEngine(reg *transformers.Registry, logger *slog.Logger) *Engine {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return &Engine{Registry: reg, Logger: logger}
}

// SyncTable copies one table of the plan from src to dst. A nil cp starts
// from the beginning; a checkpoint from an interrupted attempt resumes it
// without losing or duplicating rows, as the package documentation
// explains. report, when not nil, is called after every commit and about
// once a second while rows stream (never concurrently). It returns the
// final checkpoint (Done set). Errors name the table, the batch and the
// cause.
func (e *Engine) SyncTable(ctx context.Context, plan *syncplan.Plan, table sqlschema.TableName, src Source, dst Destination, cp *Checkpoint, report func(Progress)) (Checkpoint, error) {
	t := plan.Table(table)
	if t == nil {
		return Checkpoint{}, fmt.Errorf("sqlsync: table %s is not in the plan", table)
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
	if cp != nil && cp.Table != table {
		return Checkpoint{}, fmt.Errorf("sqlsync: checkpoint of table %s given for table %s", cp.Table, table)
	}
	job := e.tableJob(plan, t, src, dst, report)
	job.Fresh = cp == nil
	if cp != nil {
		job.Start = *cp
	}
	job.Leaks = e.newLeaks(ctx, t, restarts(job), &job.Start, src.Seed)
	d := driverOf(dst.DB)
	out, err := runCopy(ctx, job, func(ctx context.Context, out []syncplan.Column) (syncdriver.CopySide, error) {
		return d.OpenCopy(ctx, job, out)
	})
	if err != nil {
		return out, err
	}
	if job.Leaks != nil {
		sk := job.Leaks.Table()
		if leaks := sk.Results(); len(leaks) > 0 {
			out.Leaks, out.Reidentified, out.Sketches = leaks, sk.Reidentified(), sk
		}
	}
	out.WholeRead = fromStart(restarts(job), job.Start)
	e.Logger.InfoContext(ctx, "table copied", slog.String("table", table.String()), slog.Int64("rows", out.Rows))
	return out, nil
}

// fromStart reports whether a copy starting at cp reads the whole table:
// a first attempt, or a retry of a copy that starts over (restart: see
// restarts).
func fromStart(restart bool, cp Checkpoint) bool {
	return restart || (cp.Rows == 0 && len(cp.Key) == 0)
}

// newLeaks returns the leak sketches of a copy starting at start, hashed
// with seed: empty when the copy reads the whole table (or range); when
// it resumes, continuing start.Sketches — those of the rows up to start,
// which the caller restored — or nil when it has none (the copy then
// reads only part of the rows and keeps no sketch; verification re-reads
// a sample). It takes start.Sketches off start.
func (e *Engine) newLeaks(ctx context.Context, t *syncplan.Table, restart bool, start *Checkpoint, seed leakscan.Seed) *syncdriver.Leaks {
	prefix := start.Sketches
	start.Sketches = nil
	if !slices.ContainsFunc(t.Columns, func(c syncplan.Column) bool { return c.Action == syncplan.ActionTransform }) {
		return nil // nothing to sketch
	}
	if fromStart(restart, *start) {
		return syncdriver.NewLeaks(2*e.leakSample(), seed, e.quasiIdentifiers(t))
	}
	if prefix == nil {
		return nil
	}
	l := syncdriver.NewLeaks(2*e.leakSample(), seed, e.quasiIdentifiers(t))
	if err := l.Resume(prefix, *start); err != nil {
		e.Logger.WarnContext(ctx, "the resumed copy keeps no leak sketch", slog.String("table", t.Name.String()), slog.String("error", err.Error()))
		return nil
	}
	return l
}

func (e *Engine) leakSample() int {
	if e.LeakSample > 0 {
		return e.LeakSample
	}
	return DefaultLeakSample
}

func sameDriver(src, dst *sqlconnect.DB) error {
	if src == nil || dst == nil {
		return fmt.Errorf("sqlsync: source and destination connections are required")
	}
	if src.Driver != dst.Driver {
		return fmt.Errorf("sqlsync: syncing %s into %s is not supported", src.Driver, dst.Driver)
	}
	return nil
}

// tableJob returns the driver's view of one table's step; report may be
// nil.
func (e *Engine) tableJob(plan *syncplan.Plan, t *syncplan.Table, src Source, dst Destination, report func(Progress)) *syncdriver.TableJob {
	if report == nil {
		report = func(Progress) {}
	}
	return &syncdriver.TableJob{Registry: e.Registry, Logger: e.Logger, Workers: e.workers(),
		Plan: plan, Table: t, Src: src, Dst: dst, Start: Checkpoint{Table: t.Name}, Report: report}
}
