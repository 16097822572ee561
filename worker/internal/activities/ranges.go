package activities

import (
	"context"
	"fmt"
	"sync"
	"time"

	"go.temporal.io/sdk/activity"

	mgmt "github.com/neosyncio/neosync/backend/gen/go/protos/mgmt/v1alpha1"
	"github.com/neosyncio/neosync/backend/pkg/sqlsync"
	"github.com/neosyncio/neosync/backend/pkg/syncplan"
)

// A keyed table of at least twice the job's range_rows rows (or, unset,
// Activities.RangeRows) is copied in key ranges: StartRun splits it
// (splitTables), the workflow runs one SyncRange activity per range —
// each with its own heartbeat, checkpoint and retries, so the ranges of
// one table run at once on any of the workers polling the task queue —
// and FinishRanges records the table once every range is done. Update
// passes, Finalize and Verify then run once, as for any table.

// RangeInput addresses one key range of one table of one destination.
type RangeInput struct {
	TableInput
	Range sqlsync.KeyRange `json:"range"`
}

// RangesDoneInput records a table copied in ranges as complete.
type RangesDoneInput struct {
	TableInput
	// Rows are the rows the ranges committed, together.
	Rows   int64 `json:"rows"`
	Ranges int   `json:"ranges"`
}

// splitTables sets the key ranges of the tables large enough to split,
// and says so in the run's events. The job's range size (the plan's
// RangeRows) wins over the worker's; with neither, the default is
// sqlsync.DefaultRangeRowsFor the dialect and the run's databases (its SQL
// destinations).
func (a *Activities) splitTables(ctx context.Context, runID string, plan *syncplan.Plan, src sqlsync.Source, tables []TableRef, databases int) error {
	rangeRows := a.RangeRows
	if plan.RangeRows > 0 {
		rangeRows = plan.RangeRows
	}
	if rangeRows == 0 {
		rangeRows = sqlsync.DefaultRangeRowsFor(plan.Dialect, databases)
	}
	for i := range tables {
		t := &tables[i]
		ranges, err := a.Engine.SplitRanges(ctx, plan, t.Name, src, t.Rows, rangeRows)
		if err != nil {
			return dataError(err)
		}
		if len(ranges) == 0 {
			continue
		}
		t.Ranges = ranges
		a.event(ctx, runID, "info", fmt.Sprintf("%s (about %d rows) is copied in %d key ranges", t.Name, t.Rows, len(ranges)), &t.Name)
	}
	return nil
}

// SyncRange copies one key range of a table, heartbeating its checkpoint:
// a retry resumes from the last heartbeat, or — when none was recorded —
// first removes what an earlier attempt wrote in the range, so rows are
// never lost nor duplicated. The range's leak sketches go to the API for
// the worker that verifies the table, and those of its checkpoints for a
// retry that resumes from one (see sketches.go); a retry from the start
// first forgets what an earlier attempt stored.
func (a *Activities) SyncRange(ctx context.Context, in RangeInput) (*sqlsync.Checkpoint, error) {
	info := activity.GetInfo(ctx)
	var cp *sqlsync.Checkpoint
	if activity.HasHeartbeatDetails(ctx) {
		var last sqlsync.Checkpoint
		if err := activity.GetHeartbeatDetails(ctx, &last); err == nil && last.Table == in.Table && last.Range.Same(&in.Range) {
			cp = &last
		}
	}
	if info.Attempt > 1 {
		resumed := "from its start, removing what the earlier attempt wrote in it"
		if cp != nil {
			resumed = fmt.Sprintf("after %d rows", cp.Rows)
		}
		cp = retryFrom(ctx, cp, in.Table, &in.Range)
		a.event(ctx, in.JobRunID, "warn", fmt.Sprintf("resuming %s %s %s (attempt %d); the previous attempt ended: %s",
			in.Table, in.Range, resumed, info.Attempt, a.previousAttempt(ctx)), &in.Table)
	}
	var beat any
	if cp != nil {
		beat = *cp
	}
	h := keepAlive(ctx, beat)
	defer h.Stop()
	if info.Attempt > 1 && cp.Rows == 0 && len(cp.Key) == 0 {
		// Copied again from its start: what an earlier attempt stored is
		// stale.
		if err := a.forgetRangeSketch(ctx, in.JobRunID, in.DestinationName, in.Table, in.Range); err != nil {
			return nil, err
		}
	}
	var out sqlsync.Checkpoint
	var saver *sketchSaver
	err := a.withDBs(ctx, in.StepInput, func(plan *syncplan.Plan, src sqlsync.Source, dst sqlsync.Destination) error {
		a.restoreSketch(ctx, in.JobRunID, in.DestinationName, in.Table, &in.Range, runSeed(in.JobRunID, src), cp)
		a.rangeProgress(ctx, in, "running", 0)
		var mu sync.Mutex
		var last time.Time
		var err error
		meter := a.meter(in.StepInput, in.Table, cp)
		saver = a.newSketchSaver(ctx, in.JobRunID, []string{in.DestinationName}, in.Table, &in.Range, func(c sqlsync.Checkpoint) { h.set(c) })
		out, err = a.Engine.SyncRange(ctx, plan, in.Table, in.Range, src, dst, cp, runSeed(in.JobRunID, src), func(p sqlsync.Progress) {
			saver.progress(p)
			mu.Lock()
			defer mu.Unlock()
			meter.Observe(copyCounts(p))
			if time.Since(last) >= time.Second {
				last = time.Now()
				a.rangeProgress(ctx, in, "running", p.Rows)
			}
		})
		return err
	})
	if err != nil {
		if saver != nil {
			saver.stop(false)
		}
		return nil, err
	}
	stored := out.Sketches != nil && a.storeRangeSketch(ctx, in.JobRunID, in.DestinationName, in.Table, &in.Range, out.Sketches) == nil // a failure is a run event
	saver.stop(stored)
	a.rangeProgress(ctx, in, "complete", out.Rows)
	out.Sketches = nil
	return &out, nil
}

// rangeProgress records one range's progress with the API, which folds it
// into its table's (rows summed, ranges complete counted).
func (a *Activities) rangeProgress(ctx context.Context, in RangeInput, state string, rows int64) {
	idx := int32(in.Range.Index)
	a.progress(ctx, in.JobRunID, &mgmt.JobRunTableProgress{Destination: in.DestinationName, Schema: in.Table.Schema, Table: in.Table.Table,
		State: state, RowsDone: rows, RangesTotal: int32(in.Range.Count), RangeIndex: &idx})
}

// FinishRanges records a table copied in ranges as complete once every
// range is: its rows are the ranges' together.
func (a *Activities) FinishRanges(ctx context.Context, in RangesDoneInput) error {
	h := keepAlive(ctx, nil)
	defer h.Stop()
	now := time.Now()
	names := []string{in.DestinationName}
	if len(in.FanOutNames) > 0 {
		names = in.FanOutNames
	}
	for _, name := range names {
		a.progress(ctx, in.JobRunID, &mgmt.JobRunTableProgress{Destination: name, Schema: in.Table.Schema, Table: in.Table.Table,
			State: "complete", RowsDone: in.Rows, RowsExpected: in.Rows, CompletedAt: ts(now)})
	}
	return nil
}
