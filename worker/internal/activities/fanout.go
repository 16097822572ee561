package activities

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"time"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/temporal"

	mgmt "github.com/neosyncio/neosync/backend/gen/go/protos/mgmt/v1alpha1"
	"github.com/neosyncio/neosync/backend/pkg/leakscan"
	"github.com/neosyncio/neosync/backend/pkg/sqlschema"
	"github.com/neosyncio/neosync/backend/pkg/sqlsync"
	"github.com/neosyncio/neosync/backend/pkg/syncplan"
	"github.com/neosyncio/neosync/worker/internal/runlog"
)

// A job with several database destinations copies each table (each key
// range, each batch of small tables) once for all of them: the fan-out
// activities below read the source once and write every destination of
// StepInput.FanOut through sqlsync's SyncTableFanOut / SyncRangeFanOut,
// each destination in its own transactions with its own checkpoint. They
// heartbeat one checkpoint per destination, so a retry resumes each
// destination where it stopped (a destination already done is skipped);
// a destination that fails fails the activity once the others are done,
// and its error names it. Each destination's progress, metrics and leak
// results are recorded as if it had been copied alone.

// fanOutDests returns the destinations of a fan-out step, in job order.
func fanOutDests(in StepInput) []int {
	if len(in.FanOut) > 0 {
		return in.FanOut
	}
	return []int{in.Destination}
}

// withFanOut is withDBs for the destinations of in.FanOut: it opens the
// source and every destination, tags their sessions, and on a retry ends
// what the dead attempt left running on each.
func (a *Activities) withFanOut(ctx context.Context, in StepInput, fn func(plan *syncplan.Plan, src sqlsync.Source, dsts []sqlsync.Destination) error) error {
	l, plan, err := a.runPlan(ctx, in)
	if err != nil {
		return err
	}
	// The step's outcome decides whether its pools wait for the run's
	// next step (openRun).
	var stepErr error
	srcDB, srcDone, err := a.openRun(ctx, in.JobRunID, l.sync.Source)
	if err != nil {
		return fmt.Errorf("source: %w", err)
	}
	defer func() { srcDone(stepErr) }()
	var dsts []sqlsync.Destination
	for _, i := range fanOutDests(in) {
		if i < 0 || i >= len(l.sync.Destinations) {
			return temporal.NewNonRetryableApplicationError(fmt.Sprintf("destination %d no longer exists in the job", i), ErrTypeValidation, nil)
		}
		d := l.sync.Destinations[i]
		db, done, err := a.openRun(ctx, in.JobRunID, d.Conn)
		if err != nil {
			return fmt.Errorf("destination %q: %w", d.Name, err)
		}
		defer func() { done(stepErr) }()
		dst := sqlsync.Destination{Name: d.Name, DB: db, Options: d.Options, SessionTag: sessionTag(ctx, in.JobRunID)}
		a.endStaleSessions(ctx, in.JobRunID, dst)
		dsts = append(dsts, dst)
	}
	stepErr = fn(plan, sqlsync.Source{DB: srcDB, Key: l.sync.Key, PRF: l.sync.PRF, Seed: leakscan.RunSeed(in.JobRunID, l.sync.Key), Snapshot: in.SourceSnapshot}, dsts)
	return dataError(stepErr)
}

// FanOutBeat is a fan-out copy's heartbeat: each destination's checkpoint
// (nil until it committed something), in StepInput.FanOut's order.
type FanOutBeat struct {
	Checkpoints []*sqlsync.Checkpoint `json:"cps"`
}

// lastFanOutBeat returns the checkpoints the previous attempt heartbeat
// for n destinations, when they are of table (and rng); where there is
// none, nil on a first attempt and an empty one on a retry (retryFrom).
func lastFanOutBeat(ctx context.Context, n int, table sqlschema.TableName, rng *sqlsync.KeyRange) []*sqlsync.Checkpoint {
	cps := make([]*sqlsync.Checkpoint, n)
	var last FanOutBeat
	if activity.HasHeartbeatDetails(ctx) && activity.GetHeartbeatDetails(ctx, &last) == nil && len(last.Checkpoints) == n {
		for i, cp := range last.Checkpoints {
			if cp != nil && cp.Table == table && (rng == nil || cp.Range.Same(rng)) {
				cps[i] = cp
			}
		}
	}
	for i := range cps {
		cps[i] = retryFrom(ctx, cps[i], table, rng)
	}
	return cps
}

// FanOutTable is SyncTable into every destination of in.FanOut from one
// read of the source. It returns the first destination's final
// checkpoint (every destination copied the same rows).
func (a *Activities) FanOutTable(ctx context.Context, in TableInput) (*sqlsync.Checkpoint, error) {
	n := len(fanOutDests(in.StepInput))
	cps := lastFanOutBeat(ctx, n, in.Table, nil)
	if info := activity.GetInfo(ctx); info.Attempt > 1 {
		a.event(ctx, in.JobRunID, "warn", fmt.Sprintf("resuming %s into %d destinations, %s (attempt %d); the previous attempt ended: %s",
			in.Table, n, describeResume(cps), info.Attempt, a.previousAttempt(ctx)), &in.Table)
	}
	h := keepAlive(ctx, FanOutBeat{Checkpoints: cps})
	defer h.Stop()
	var out []sqlsync.Checkpoint
	err := a.withFanOut(ctx, in.StepInput, func(plan *syncplan.Plan, src sqlsync.Source, dsts []sqlsync.Destination) error {
		var err error
		out, err = a.fanOutTable(ctx, in.StepInput, plan, in.Table, src, dsts, cps, func(b FanOutBeat) { h.set(b) }, nil)
		return err
	})
	if err != nil {
		return nil, err
	}
	first := out[0]
	first.Leaks, first.Reidentified = nil, nil // recorded in the run cache; the workflow needs the rows
	return &first, nil
}

// describeResume says where each destination of a retried fan-out
// resumes.
func describeResume(cps []*sqlsync.Checkpoint) string {
	var parts []string
	for _, cp := range cps {
		switch {
		case cp == nil || (cp.Rows == 0 && len(cp.Key) == 0 && !cp.Done):
			parts = append(parts, "from the start")
		case cp.Done:
			parts = append(parts, "done")
		default:
			parts = append(parts, fmt.Sprintf("after %d rows", cp.Rows))
		}
	}
	return strings.Join(parts, " / ")
}

// fanOutTable copies one table into dsts from one read, resuming each
// destination from its checkpoint in cps (updated in place as the copy
// commits), and records each destination's progress, metrics and leak
// results; beat receives the checkpoints after every change. With finals
// set the final sketches go into that batch's queue (see finalSketches)
// instead of to the API at once.
func (a *Activities) fanOutTable(ctx context.Context, in StepInput, plan *syncplan.Plan, table sqlschema.TableName, src sqlsync.Source, dsts []sqlsync.Destination,
	cps []*sqlsync.Checkpoint, beat func(FanOutBeat), finals *finalSketches) ([]sqlsync.Checkpoint, error) {
	return a.fanOut(ctx, in, plan, table, nil, src, dsts, cps, beat, finals)
}

// fanOut is fanOutTable, or with rng set (and finals nil) the fan-out of
// one key range.
func (a *Activities) fanOut(ctx context.Context, in StepInput, plan *syncplan.Plan, table sqlschema.TableName, rng *sqlsync.KeyRange, src sqlsync.Source, dsts []sqlsync.Destination,
	cps []*sqlsync.Checkpoint, beat func(FanOutBeat), finals *finalSketches) ([]sqlsync.Checkpoint, error) {
	ctx = runlog.WithRun(ctx, in.JobRunID)
	idx := fanOutDests(in)
	started := time.Now()
	a.Logger.InfoContext(ctx, "copy started", slog.String("table", table.String()), slog.Int("destinations", len(dsts)), slog.String("resume", describeResume(cps)))
	var mu sync.Mutex
	// Progress as copyTable reports it: "running" at once (in a batch,
	// from the first second on), rows once a second.
	lastReport := make([]time.Time, len(dsts))
	for i := range lastReport {
		lastReport[i] = started
	}
	seen := make([]int64, len(dsts))
	ended := make([]func(string), len(dsts))
	report := func(i int, state string, rows int64, errMsg *string) {
		p := &mgmt.JobRunTableProgress{Destination: dsts[i].Name, Schema: table.Schema, Table: table.Table, State: state, RowsDone: rows, Error: errMsg, StartedAt: ts(started)}
		if rng != nil {
			ri := int32(rng.Index)
			p.RangesTotal, p.RangeIndex, p.StartedAt = int32(rng.Count), &ri, nil
		} else if state == "complete" {
			p.RowsExpected, p.CompletedAt = rows, ts(time.Now())
		}
		a.progress(ctx, in.JobRunID, p)
	}
	count := func(i int, rows int64) {
		a.Metrics.RowsWritten(in.JobID, dsts[i].Name, table.String(), rows-seen[i])
		seen[i] = max(seen[i], rows)
	}
	for i := range dsts {
		if cps[i] != nil {
			seen[i] = cps[i].Rows
			if cps[i].Done {
				continue
			}
		}
		if finals == nil {
			report(i, "running", 0, nil)
		}
		ended[i] = a.Metrics.CopyStarted(in.JobID, dsts[i].Name)
	}
	var out []sqlsync.Checkpoint
	var err error
	// Each destination resumes from the checkpoint Temporal holds for it
	// with the sketches stored for that checkpoint; the saver stores the
	// committed sketches under every destination's name and then
	// heartbeats the checkpoint for the destinations that committed it
	// (latest: what each one committed last).
	for i := range dsts {
		if ended[i] != nil {
			a.restoreSketch(ctx, in.JobRunID, dsts[i].Name, table, rng, src.Seed, cps[i])
		}
	}
	latest := make([]int64, len(dsts))
	var names []string
	for i := range dsts {
		latest[i] = -1
		if ended[i] != nil {
			names = append(names, dsts[i].Name)
		}
	}
	saver := a.newSketchSaver(ctx, in.JobRunID, names, table, rng, func(c sqlsync.Checkpoint) {
		mu.Lock()
		defer mu.Unlock()
		for i := range dsts {
			if ended[i] != nil && latest[i] >= c.Rows && (cps[i] == nil || !cps[i].Done) {
				cp := c
				cps[i] = &cp
			}
		}
		beat(FanOutBeat{Checkpoints: append([]*sqlsync.Checkpoint(nil), cps...)})
	})
	progress := func(i int, p sqlsync.Progress) {
		mu.Lock()
		defer mu.Unlock()
		if p.Leaks != nil {
			latest[i] = max(latest[i], p.Checkpoint.Rows)
			saver.progress(p)
		} else {
			cp := p.Checkpoint
			cps[i] = &cp
			beat(FanOutBeat{Checkpoints: append([]*sqlsync.Checkpoint(nil), cps...)})
		}
		count(i, p.Rows)
		if time.Since(lastReport[i]) >= time.Second {
			lastReport[i] = time.Now()
			report(i, "running", p.Rows, nil)
		}
	}
	if rng != nil {
		// A retry forgets the range sketches an earlier attempt stored for
		// the destinations it copies again (see sketches.go).
		if activity.GetInfo(ctx).Attempt > 1 {
			for i := range dsts {
				if ended[i] == nil || (cps[i] != nil && (cps[i].Rows > 0 || len(cps[i].Key) > 0)) {
					continue // done, or resumed with its checkpoints' sketches
				}
				if err := a.forgetRangeSketch(ctx, in.JobRunID, dsts[i].Name, table, *rng); err != nil {
					for j := range dsts {
						if ended[j] != nil {
							ended[j]("retry")
						}
					}
					saver.stop(false)
					return nil, err
				}
			}
		}
		out, err = a.Engine.SyncRangeFanOut(ctx, plan, table, *rng, src, dsts, cps, runSeed(in.JobRunID, src), progress)
	} else {
		out, err = a.Engine.SyncTableFanOut(ctx, plan, table, src, dsts, cps, progress)
	}
	if out == nil {
		saver.stop(false)
		return nil, err
	}
	var fe *sqlsync.FanOutError
	if err != nil && !errors.As(err, &fe) {
		fe = nil
	}
	// The final sketches are stored before the saver stops (it takes mu
	// to heartbeat).
	allStored := err == nil
	for i := range dsts {
		if ended[i] == nil || (err != nil && (fe == nil || fe.Failed(i))) {
			continue
		}
		switch {
		case out[i].Sketches == nil:
			allStored = false
		case finals != nil:
			finals.add(dsts[i].Name, table, out[i].Sketches)
		case a.storeRangeSketch(ctx, in.JobRunID, dsts[i].Name, table, rng, out[i].Sketches) != nil: // a failure is a run event
			allStored = false
		}
		out[i].Sketches = nil
	}
	if finals != nil {
		saver.stop(false)
		if allStored {
			finals.forgetAfter(saver)
		}
	} else {
		saver.stop(allStored)
	}
	mu.Lock()
	defer mu.Unlock()
	for i := range dsts {
		if ended[i] == nil {
			continue // done before this attempt
		}
		failed := err != nil && (fe == nil || fe.Failed(i))
		if !failed {
			cp := out[i]
			cps[i] = &cp
			count(i, out[i].Rows)
			ended[i]("complete")
			report(i, "complete", out[i].Rows, nil)
			if rng == nil {
				a.runs.setLeaks(in.JobRunID, idx[i], table, out[i].Leaks, out[i].Reidentified)
				a.runs.setRead(in.JobRunID, idx[i], table, out[i])
			}
			continue
		}
		derr := err
		if fe != nil {
			derr = fe.Errs[i]
		}
		a.countTransformerError(in.JobID, derr)
		derr = dataError(derr)
		msg := RootMessage(derr)
		state := "running"
		if ctx.Err() != nil || isNonRetryable(derr) || activity.GetInfo(ctx).Attempt >= maxAttempts(ctx) {
			state = "failed"
			ended[i]("failed")
		} else {
			ended[i]("retry")
			a.event(ctx, in.JobRunID, "warn", fmt.Sprintf("copy of %s into %s failed (attempt %d), will retry: %s", table, dsts[i].Name, activity.GetInfo(ctx).Attempt, msg), &table)
		}
		report(i, state, 0, &msg)
	}
	beat(FanOutBeat{Checkpoints: append([]*sqlsync.Checkpoint(nil), cps...)})
	if err != nil {
		a.Logger.WarnContext(ctx, "copy failed", slog.String("table", table.String()), slog.String("error", err.Error()))
		return out, err
	}
	a.Logger.InfoContext(ctx, "copy complete", slog.String("table", table.String()), slog.Int("destinations", len(dsts)),
		slog.Int64("rows", out[0].Rows), slog.Duration("took", time.Since(started)))
	return out, nil
}

// FanOutBatchBeat is a fan-out batch's heartbeat: the rows each table's
// copy committed (-1 while not done in every destination) and the
// destinations' checkpoints of the table being copied.
type FanOutBatchBeat struct {
	Done []int64 `json:"done"`
	// Read are the source rows each done table's copy read (see
	// BatchResult.Read; -1 unknown).
	Read    []int64               `json:"read,omitempty"`
	Current []*sqlsync.Checkpoint `json:"current,omitempty"`
}

// FanOutBatch is SyncTableBatch into every destination of in.FanOut, each
// table read once.
func (a *Activities) FanOutBatch(ctx context.Context, in BatchInput) (*BatchResult, error) {
	n := len(fanOutDests(in.StepInput))
	beat := FanOutBatchBeat{Done: noRows(len(in.Tables)), Read: noRows(len(in.Tables))}
	if activity.HasHeartbeatDetails(ctx) {
		var last FanOutBatchBeat
		if err := activity.GetHeartbeatDetails(ctx, &last); err == nil && len(last.Done) == len(in.Tables) && (last.Current == nil || len(last.Current) == n) {
			beat = last
			if len(beat.Read) != len(in.Tables) {
				beat.Read = noRows(len(in.Tables))
			}
		}
	}
	if info := activity.GetInfo(ctx); info.Attempt > 1 {
		done := 0
		for _, r := range beat.Done {
			if r >= 0 {
				done++
			}
		}
		a.event(ctx, in.JobRunID, "warn", fmt.Sprintf("resuming a batch of %d small tables into %d destinations with %d done (attempt %d); the previous attempt ended: %s",
			len(in.Tables), n, done, info.Attempt, a.previousAttempt(ctx)), nil)
	}
	var mu sync.Mutex
	h := keepAlive(ctx, beat)
	defer h.Stop()
	// The tables whose final sketches wait in finals are recorded done
	// once they are stored (see finalSketches).
	finals := a.newFinalSketches(ctx, in.JobRunID)
	waiting := map[int]int64{}
	waitingRead := map[int]int64{} // the source rows of those read whole
	// record stores the queue and records its tables done; after a
	// failure (failed set) the checkpoint of the table that failed stays
	// in the heartbeat, for the retry to resume from.
	record := func(failed bool) {
		_ = finals.store() // a failure is a run event
		mu.Lock()
		defer mu.Unlock()
		for i, r := range waiting {
			beat.Done[i] = r
		}
		for i, r := range waitingRead {
			beat.Read[i] = r
		}
		clear(waiting)
		clear(waitingRead)
		if !failed {
			beat.Current = nil
		}
		h.set(FanOutBatchBeat{Done: slices.Clone(beat.Done), Read: slices.Clone(beat.Read), Current: beat.Current})
	}
	err := a.withFanOut(ctx, in.StepInput, func(plan *syncplan.Plan, src sqlsync.Source, dsts []sqlsync.Destination) error {
		defer func() {
			if len(waiting) > 0 {
				record(true) // the tables done before a failure stay done
			}
		}()
		for i, t := range in.Tables {
			if beat.Done[i] >= 0 {
				continue
			}
			cps := make([]*sqlsync.Checkpoint, n)
			for k, cp := range beat.Current {
				if cp != nil && cp.Table == t {
					cps[k] = cp
				}
			}
			for k := range cps {
				cps[k] = retryFrom(ctx, cps[k], t, nil)
			}
			out, err := a.fanOutTable(ctx, in.StepInput, plan, t, src, dsts, cps, func(b FanOutBeat) {
				mu.Lock()
				defer mu.Unlock()
				beat.Current = b.Checkpoints
				h.set(FanOutBatchBeat{Done: slices.Clone(beat.Done), Read: slices.Clone(beat.Read), Current: beat.Current})
			}, finals)
			if err != nil {
				return batchError(t, err)
			}
			waiting[i] = out[0].Rows
			// One read gave every destination its rows: a whole read
			// when it was one for each.
			if !slices.ContainsFunc(out, func(cp sqlsync.Checkpoint) bool { return !cp.WholeRead }) {
				waitingRead[i] = out[0].Rows
			}
			exact := true
			for _, d := range dsts {
				exact = exact && redoneExactly(plan, t, d.Options)
			}
			if !finals.queued() || finals.due() || !exact {
				record(false)
			}
		}
		if len(waiting) > 0 {
			record(false)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	out := &BatchResult{Copied: beat.Done}
	if in.WithRead {
		out.Read = beat.Read
	}
	return out, nil
}

// FanOutRange is SyncRange into every destination of in.FanOut from one
// read of the range. It returns the first destination's final checkpoint
// (without sketches, which stay in this worker's run cache).
func (a *Activities) FanOutRange(ctx context.Context, in RangeInput) (*sqlsync.Checkpoint, error) {
	n := len(fanOutDests(in.StepInput))
	cps := lastFanOutBeat(ctx, n, in.Table, &in.Range)
	if info := activity.GetInfo(ctx); info.Attempt > 1 {
		a.event(ctx, in.JobRunID, "warn", fmt.Sprintf("resuming %s %s into %d destinations, %s (attempt %d); the previous attempt ended: %s",
			in.Table, in.Range, n, describeResume(cps), info.Attempt, a.previousAttempt(ctx)), &in.Table)
	}
	h := keepAlive(ctx, FanOutBeat{Checkpoints: cps})
	defer h.Stop()
	var out []sqlsync.Checkpoint
	err := a.withFanOut(ctx, in.StepInput, func(plan *syncplan.Plan, src sqlsync.Source, dsts []sqlsync.Destination) error {
		var err error
		out, err = a.fanOut(ctx, in.StepInput, plan, in.Table, &in.Range, src, dsts, cps, func(b FanOutBeat) { h.set(b) }, nil)
		return err
	})
	if err != nil {
		return nil, err
	}
	first := out[0]
	first.Sketches, first.Leaks, first.Reidentified = nil, nil, nil
	return &first, nil
}
