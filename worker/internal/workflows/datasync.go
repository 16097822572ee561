// Package workflows holds the worker's Temporal workflows. A workflow is a
// deterministic function of its input and its activities' results: it reads
// no environment, clock or random source and does no I/O. Activities (in
// package activities) do the work.
package workflows

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/neosyncio/neosync/backend/pkg/jobcontract"
	"github.com/neosyncio/neosync/backend/pkg/sqlschema"
	"github.com/neosyncio/neosync/backend/pkg/sqlsync"
	"github.com/neosyncio/neosync/worker/internal/activities"
)

// Defaults for activities a job does not configure.
const (
	// DefaultHeartbeatTimeout is how long Temporal waits for a heartbeat
	// before it gives an activity of a dead worker to another worker. Every
	// activity heartbeats at least every third of it.
	DefaultHeartbeatTimeout   = 30 * time.Second
	DefaultTableStartToClose  = 24 * time.Hour
	DefaultStepStartToClose   = 24 * time.Hour
	DefaultMaxAttempts        = 10
	DefaultTableConcurrency   = 4
	defaultRetryInitial       = 2 * time.Second
	defaultRetryMaximum       = time.Minute
	defaultRetryBackoffFactor = 2.0
)

// ChunkTables is the most tables one workflow copies itself: a run over
// more copies them in child workflows of this many tables each, one after
// the other in write order, so no workflow's history grows past a few
// thousand events whatever the size of the schema.
const ChunkTables = 400

// a is a nil receiver used only to name activity methods.
var a *activities.Activities

func retryPolicy(maxAttempts int32) *temporal.RetryPolicy {
	if maxAttempts <= 0 {
		maxAttempts = DefaultMaxAttempts
	}
	return &temporal.RetryPolicy{
		InitialInterval: defaultRetryInitial, BackoffCoefficient: defaultRetryBackoffFactor, MaximumInterval: defaultRetryMaximum,
		MaximumAttempts: maxAttempts, NonRetryableErrorTypes: activities.NonRetryable,
	}
}

// stepOptions are the options of the steps (start, prepare, update passes,
// finalize, verify, restore, finish): they heartbeat like table copies, so
// a lost worker's step moves on within a heartbeat timeout.
func stepOptions(ctx workflow.Context, info *activities.RunInfo) workflow.Context {
	o := workflow.ActivityOptions{StartToCloseTimeout: DefaultStepStartToClose, HeartbeatTimeout: DefaultHeartbeatTimeout, RetryPolicy: retryPolicy(5)}
	if info != nil {
		if info.MaxAttempts > 0 {
			o.RetryPolicy = retryPolicy(info.MaxAttempts)
		}
		if info.HeartbeatSeconds > 0 {
			o.HeartbeatTimeout = time.Duration(info.HeartbeatSeconds) * time.Second
		}
		if info.StartToCloseSeconds > 0 {
			o.StartToCloseTimeout = time.Duration(info.StartToCloseSeconds) * time.Second
		}
	}
	return workflow.WithActivityOptions(ctx, o)
}

func tableOptions(ctx workflow.Context, info *activities.RunInfo) workflow.Context {
	o := workflow.ActivityOptions{StartToCloseTimeout: DefaultTableStartToClose, HeartbeatTimeout: DefaultHeartbeatTimeout, RetryPolicy: retryPolicy(info.MaxAttempts)}
	if info.StartToCloseSeconds > 0 {
		o.StartToCloseTimeout = time.Duration(info.StartToCloseSeconds) * time.Second
	}
	if info.ScheduleToCloseSeconds > 0 {
		o.ScheduleToCloseTimeout = time.Duration(info.ScheduleToCloseSeconds) * time.Second
	}
	if info.HeartbeatSeconds > 0 {
		o.HeartbeatTimeout = time.Duration(info.HeartbeatSeconds) * time.Second
	}
	o.WaitForCancellation = true
	return workflow.WithActivityOptions(ctx, o)
}

// DataSync runs a sync job: plan, then per destination prepare → tables in
// dependency order (bounded concurrency; in child workflows of ChunkTables
// tables for large schemas) → update passes → finalize → verify, and
// records the outcome. With several database destinations the tables are
// copied once for all of them (syncFanOut: one read of the source per
// table, written to every destination). Cancellation reaches every activity through its
// heartbeat; the run is then recorded as canceled. A run that fails or is
// canceled after preparing a destination restores that destination's
// constraints and indexes before it records its outcome.
func DataSync(ctx workflow.Context, in jobcontract.WorkflowInput) (jobcontract.WorkflowResult, error) {
	var info activities.RunInfo
	startErr := workflow.ExecuteActivity(stepOptions(ctx, nil), a.StartRun, in.JobID).Get(ctx, &info)
	if startErr != nil && info.JobRunID == "" {
		return jobcontract.WorkflowResult{}, startErr
	}
	result := jobcontract.WorkflowResult{JobRunID: info.JobRunID}
	var reports []*activities.PackedReport
	prepared := map[int]bool{}
	err := startErr
	if err == nil {
		reports, err = syncAll(ctx, &info, &result, prepared)
	}
	finish := activities.FinishInput{JobRunID: info.JobRunID, JobID: info.JobID, StartedUnixMs: workflow.GetInfo(ctx).WorkflowStartTime.UnixMilli(), Status: activities.StatusComplete, Packed: reports}
	fctx := ctx
	switch {
	case err == nil:
	case temporal.IsCanceledError(err) || errors.Is(ctx.Err(), workflow.ErrCanceled):
		finish.Status, finish.Error = activities.StatusCanceled, "canceled"
		fctx, _ = workflow.NewDisconnectedContext(ctx)
	default:
		finish.Status, finish.Error = activities.StatusFailed, activities.RootMessage(err)
	}
	if err != nil {
		if missing := restore(fctx, &info, prepared, finish.Error); missing != "" {
			finish.Error += "; " + missing
		}
	}
	if ferr := workflow.ExecuteActivity(stepOptions(fctx, &info), a.FinishRun, finish).Get(fctx, nil); ferr != nil && err == nil {
		err = ferr
	}
	return result, err
}

// restore puts back the constraints and indexes of every destination the
// run prepared; it returns what could not be restored ("" when all was).
// A restore that fails for the reason the run failed (cause: the
// destination is unreachable) says so instead of repeating it.
func restore(ctx workflow.Context, info *activities.RunInfo, prepared map[int]bool, cause string) string {
	var missing []string
	for d := range info.Destinations {
		if !prepared[d] {
			continue
		}
		step := stepInput(info, d)
		var msg string
		if err := workflow.ExecuteActivity(stepOptions(ctx, info), a.RestoreDestination, step).Get(ctx, &msg); err != nil {
			why := activities.RootMessage(err)
			if strings.Contains(cause, why) {
				why = "the same reason"
			}
			msg = "restoring " + info.Destinations[d] + " failed: " + why
		}
		if msg != "" {
			missing = append(missing, msg)
		}
	}
	return strings.Join(missing, "; ")
}

// describe prefixes err's root cause with where it happened (nothing when
// where is "" or err is already described), keeping cancellations
// recognisable.
func describe(where string, err error) error {
	if err == nil || temporal.IsCanceledError(err) {
		return err
	}
	var ae *temporal.ApplicationError
	if errors.As(err, &ae) && ae.Type() == "RunFailed" && where == "" {
		return err
	}
	msg := activities.RootMessage(err)
	if where != "" {
		// The engine names the table too ("sqlsync: table x: …"): say it once.
		msg = where + ": " + strings.TrimPrefix(msg, "sqlsync: "+where+": ")
	}
	return temporal.NewNonRetryableApplicationError(msg, "RunFailed", err)
}

func stepInput(info *activities.RunInfo, d int) activities.StepInput {
	return activities.StepInput{JobRunID: info.JobRunID, JobID: info.JobID, PlanDigest: info.PlanDigest, Destination: d, DestinationName: info.Destinations[d],
		SourceSnapshot: info.SourceSnapshot}
}

// syncAll runs the run sequence (sqlsync.Steps, the one Engine.Run and
// the CLI's RunStream follow in process) into each destination, one
// activity per step, the tables fanned out.
func syncAll(ctx workflow.Context, info *activities.RunInfo, result *jobcontract.WorkflowResult, prepared map[int]bool) ([]*activities.PackedReport, error) {
	var databases []int
	for d := range info.Destinations {
		if !info.IsBucket(d) {
			databases = append(databases, d)
		}
	}
	if len(databases) > 1 && workflow.GetVersion(ctx, fanOutChange, workflow.DefaultVersion, 1) == 1 {
		return syncFanOut(ctx, info, result, prepared, databases)
	}
	var reports []*activities.PackedReport
	for d := range info.Destinations {
		if info.ImportRunID != "" {
			rep, err := importExport(ctx, info, d, result)
			if err != nil {
				return nil, err
			}
			reports = append(reports, rep)
			continue
		}
		if info.IsBucket(d) {
			rep, err := exportBucket(ctx, info, stepInput(info, d), result)
			if err != nil {
				return nil, err
			}
			reports = append(reports, rep)
			continue
		}
		dr := &destinationRun{info: info, step: stepInput(info, d), result: result}
		prepared[d] = true
		for _, s := range sqlsync.Steps() {
			if err := dr.run(ctx, s); err != nil {
				return nil, err
			}
		}
		reports = append(reports, &dr.report)
	}
	return reports, nil
}

// fanOutChange marks (workflow.GetVersion) the runs whose database
// destinations share one read of the source; a run recorded before it
// replays with one copy per destination.
const fanOutChange = "fan-out"

// syncFanOut runs the run sequence into several database destinations with
// one read of the source per table: every destination is prepared, then
// each table (batch of small tables, key range) is copied by one activity
// into all of them (activities.FanOutTable, FanOutBatch, FanOutRange),
// then the destinations get their update passes, finalize and verify, all
// destinations at once.
// Bucket destinations are exported afterwards, each on its own. The
// reports are in job order.
func syncFanOut(ctx workflow.Context, info *activities.RunInfo, result *jobcontract.WorkflowResult, prepared map[int]bool, databases []int) ([]*activities.PackedReport, error) {
	runs := make([]*destinationRun, len(info.Destinations))
	copyStep := stepInput(info, databases[0])
	for _, d := range databases {
		runs[d] = &destinationRun{info: info, step: stepInput(info, d), result: result}
		prepared[d] = true
		if err := runs[d].run(ctx, sqlsync.StepPrepare); err != nil {
			return nil, err
		}
		copyStep.FanOut = append(copyStep.FanOut, d)
		copyStep.FanOutNames = append(copyStep.FanOutNames, info.Destinations[d])
	}
	copied, err := syncTables(ctx, info, copyStep)
	if err != nil {
		return nil, err
	}
	result.Tables = len(info.Tables)
	for _, d := range databases {
		runs[d].copied = copied
		for _, n := range copied.copied {
			result.Rows += max(n, 0)
		}
	}
	reports := make([]*activities.PackedReport, len(info.Destinations))
	after := func(ctx workflow.Context, d int) error {
		for _, s := range sqlsync.Steps() {
			if s == sqlsync.StepPrepare || s == sqlsync.StepTables {
				continue
			}
			if err := runs[d].run(ctx, s); err != nil {
				return err
			}
		}
		reports[d] = &runs[d].report
		return nil
	}
	if workflow.GetVersion(ctx, fanOutParallelSteps, workflow.DefaultVersion, 1) == 1 {
		// Each destination is its own database: their update passes,
		// finalize and verify run side by side; every destination finishes
		// its sequence, and the first failure (in job order) is the run's.
		errs := make([]error, len(databases))
		done := workflow.NewWaitGroup(ctx)
		for i, d := range databases {
			done.Add(1)
			workflow.Go(ctx, func(gctx workflow.Context) {
				defer done.Done()
				errs[i] = after(gctx, d)
			})
		}
		done.Wait(ctx)
		for _, err := range errs {
			if err != nil {
				return nil, err
			}
		}
	} else {
		for _, d := range databases {
			if err := after(ctx, d); err != nil {
				return nil, err
			}
		}
	}
	for d := range info.Destinations {
		if info.IsBucket(d) {
			rep, err := exportBucket(ctx, info, stepInput(info, d), result)
			if err != nil {
				return nil, err
			}
			reports[d] = rep
		}
	}
	return reports, nil
}

// skipEmptyUpdatePasses marks (workflow.GetVersion) the runs that skip the
// update-pass step when the plan has no update pass
// (RunInfo.NoUpdatePasses): a run recorded before it replays with the
// step's activity, which did nothing.
const skipEmptyUpdatePasses = "skip-empty-update-passes"

// fanOutParallelSteps marks (workflow.GetVersion) the fan-out runs whose
// destinations go through their steps after the copy (update passes,
// finalize, verify) side by side; a run recorded before it replays with
// one destination after the other.
const fanOutParallelSteps = "fan-out-parallel-steps"

// destinationRun is one destination's pass through the run sequence.
type destinationRun struct {
	info   *activities.RunInfo
	step   activities.StepInput
	result *jobcontract.WorkflowResult
	copied tablesOut // what the tables step copied and read
	report activities.PackedReport
}

// run executes step s as its activity (or, for the tables, the fan-out)
// and names the step and destination in its error.
func (dr *destinationRun) run(ctx workflow.Context, s sqlsync.Step) error {
	name := dr.info.Destinations[dr.step.Destination]
	sctx := stepOptions(ctx, dr.info)
	switch s {
	case sqlsync.StepPrepare:
		return describe("prepare destination "+name, workflow.ExecuteActivity(sctx, a.PrepareDestination, dr.step).Get(ctx, nil))
	case sqlsync.StepTables:
		copied, err := syncTables(ctx, dr.info, dr.step)
		if err != nil {
			return err
		}
		dr.copied = copied
		for _, n := range copied.copied {
			dr.result.Rows += max(n, 0)
		}
		dr.result.Tables = len(dr.info.Tables)
		return nil
	case sqlsync.StepUpdatePasses:
		if dr.info.NoUpdatePasses && workflow.GetVersion(ctx, skipEmptyUpdatePasses, workflow.DefaultVersion, 1) == 1 {
			return nil
		}
		return describe("update passes on "+name, workflow.ExecuteActivity(sctx, a.RunUpdatePasses, dr.step).Get(ctx, nil))
	case sqlsync.StepFinalize:
		return describe("finalize "+name, workflow.ExecuteActivity(sctx, a.Finalize, dr.step).Get(ctx, nil))
	case sqlsync.StepVerify:
		vin := activities.VerifyInput{StepInput: dr.step, Copied: dr.copied.copied, Read: dr.copied.read, Recount: dr.copied.recount}
		for _, t := range dr.info.Tables {
			vin.Before = append(vin.Before, t.Rows)
			if len(t.Ranges) > 0 {
				vin.Ranged = append(vin.Ranged, activities.RangedTable{Name: t.Name, Ranges: len(t.Ranges)})
			}
		}
		return describe("verify "+name, workflow.ExecuteActivity(sctx, a.Verify, vin).Get(ctx, &dr.report))
	}
	return fmt.Errorf("run sequence: unknown step %q", s)
}

// TablesInput is the input of the DataSyncTables child workflow: one chunk
// of a run's tables for one destination.
type TablesInput struct {
	Info   activities.RunInfo    `json:"info"`
	Step   activities.StepInput  `json:"step"`
	Tables []activities.TableRef `json:"tables"`
	// WithRead asks for the source rows the copies read too
	// (TablesResult.Read); a parent recorded before copyReadsChange does
	// not ask, and gets the rows alone, as before.
	WithRead bool `json:"with_read,omitempty"`
}

// copyReadsChange marks (workflow.GetVersion) the runs whose Verify is
// given the source rows the copies read, whichever worker ran them
// (VerifyInput.Read and Recount); a run recorded before it replays
// without, and its Verify counts the tables this worker did not copy
// whole.
const copyReadsChange = "verify-copy-reads"

// tablesOut is what the tables step did, per table in plan order.
type tablesOut struct {
	// copied are the rows each table's copy committed (-1: not copied).
	copied []int64
	// read are the source rows each copy read (see VerifyInput.Read; -1:
	// unknown), nil in a run recorded before copyReadsChange; recount
	// are the ranges whose rows Verify counts (VerifyInput.Recount).
	read    []int64
	recount []activities.RangeRecount
}

// syncTables copies the tables of one destination: itself when they fit in
// one chunk, else chunk by chunk in child workflows. It returns the rows
// each table's copy committed and read, in plan order.
func syncTables(ctx workflow.Context, info *activities.RunInfo, step activities.StepInput) (tablesOut, error) {
	withRead := workflow.GetVersion(ctx, copyReadsChange, workflow.DefaultVersion, 1) == 1
	if len(info.Tables) <= ChunkTables {
		out, err := copyTables(ctx, info, step, info.Tables, withRead)
		if !withRead {
			out.read, out.recount = nil, nil
		}
		return out, err
	}
	slim := *info
	slim.Tables = nil
	var out tablesOut
	for start, n := 0, 0; start < len(info.Tables); start, n = start+ChunkTables, n+1 {
		chunk := info.Tables[start:min(start+ChunkTables, len(info.Tables))]
		cctx := workflow.WithChildOptions(ctx, workflow.ChildWorkflowOptions{
			WorkflowID:          fmt.Sprintf("%s/tables-%d-%d", workflow.GetInfo(ctx).WorkflowExecution.ID, step.Destination, n),
			WaitForCancellation: true,
		})
		var res TablesResult
		if err := workflow.ExecuteChildWorkflow(cctx, DataSyncTablesName, TablesInput{Info: slim, Step: step, Tables: chunk, WithRead: withRead}).Get(ctx, &res); err != nil {
			var ae *temporal.ApplicationError
			if errors.As(err, &ae) && ae.Type() == "RunFailed" {
				return tablesOut{}, temporal.NewNonRetryableApplicationError(ae.Message(), "RunFailed", err)
			}
			return tablesOut{}, err
		}
		out.copied = append(out.copied, res.Copied...)
		if !withRead {
			continue
		}
		read := res.Read
		if len(read) != len(chunk) { // a child on a worker without Read
			read = unknownRows(len(chunk))
		}
		out.read = append(out.read, read...)
		for _, r := range res.Recount {
			out.recount = append(out.recount, activities.RangeRecount{Table: start + r.Table, Ranges: r.Ranges})
		}
	}
	return out, nil
}

// unknownRows returns n counts of -1 (unknown).
func unknownRows(n int) []int64 {
	out := make([]int64, n)
	for i := range out {
		out[i] = -1
	}
	return out
}

// TablesResult is what DataSyncTables returns, per table of its chunk
// (see activities.CopiedRows): Read and Recount only when the parent
// asked (TablesInput.WithRead), else encoded as the list of copied rows
// a child recorded before them returned.
type TablesResult = activities.CopiedRows

// DataSyncTablesName is the registered name of DataSyncTables.
const DataSyncTablesName = "DataSyncTables"

// DataSyncTables copies one chunk of a run's tables (see ChunkTables).
// Dependencies on tables of earlier chunks are already met.
func DataSyncTables(ctx workflow.Context, in TablesInput) (TablesResult, error) {
	out, err := copyTables(ctx, &in.Info, in.Step, in.Tables, in.WithRead)
	res := TablesResult{Copied: out.copied}
	if in.WithRead {
		res.Read, res.Recount = out.read, out.recount
	}
	return res, err
}

// Small tables are copied in batches (see activities.SyncTableBatch): a
// table whose source had fewer than SmallTableRows rows at the start joins
// a batch of at most BatchTables consecutive small tables.
const (
	SmallTableRows = 10_000
	BatchTables    = 50
)

// unit is what one activity copies: one table, or a batch of small ones.
type unit struct {
	tables []int // indexes into the chunk's tables, in write order
	batch  bool
	deps   []int // units that must be done first
}

// planUnits groups tables into units in write order. A small table joins
// the open batch unless it depends on a unit made after that batch was
// opened (a large table between them), which would make the batch and that
// unit wait for each other; it then opens a new batch.
func planUnits(tables []activities.TableRef) []unit {
	var units []unit
	unitOf := map[sqlschema.TableName]int{}
	open := -1
	for i, t := range tables {
		small := t.Rows < SmallTableRows
		joins := small && open >= 0 && len(units[open].tables) < BatchTables
		for _, dep := range t.DependsOn {
			if u, ok := unitOf[dep]; ok && u > open {
				joins = false
			}
		}
		switch {
		case joins:
			units[open].tables = append(units[open].tables, i)
		case small:
			units = append(units, unit{tables: []int{i}, batch: true})
			open = len(units) - 1
		default:
			units = append(units, unit{tables: []int{i}})
		}
		unitOf[t.Name] = len(units) - 1
		if joins {
			unitOf[t.Name] = open
		}
	}
	for ui := range units {
		seen := map[int]bool{ui: true}
		for _, i := range units[ui].tables {
			for _, dep := range tables[i].DependsOn {
				if u, ok := unitOf[dep]; ok && !seen[u] {
					seen[u] = true
					units[ui].deps = append(units[ui].deps, u)
				}
			}
		}
	}
	return units
}

// copyTables copies the tables unit by unit, each unit once the units it
// depends on are done, at most TableConcurrency units at a time. The first
// failure cancels the rest. It returns the rows each table's copy
// committed (-1 for a table not copied) and read: a table copied whole
// gives its rows when its copy read it whole in one attempt, a ranged
// table the sum of the ranges so read, the others to count (Recount); a
// table copied in a batch is unknown (-1) unless withRead asked the batch
// (BatchInput.WithRead, set in runs recorded after copyReadsChange).
func copyTables(ctx workflow.Context, info *activities.RunInfo, step activities.StepInput, tables []activities.TableRef, withRead bool) (tablesOut, error) {
	concurrency := info.TableConcurrency
	if concurrency <= 0 {
		concurrency = DefaultTableConcurrency
	}
	tctx, cancel := workflow.WithCancel(tableOptions(ctx, info))
	defer cancel()
	units := planUnits(tables)
	futures := make([]workflow.Future, len(units))
	settables := make([]workflow.Settable, len(units))
	for i := range units {
		futures[i], settables[i] = workflow.NewFuture(tctx)
	}
	slots := workflow.NewBufferedChannel(tctx, concurrency)
	copied, read := unknownRows(len(tables)), unknownRows(len(tables))
	var recount []activities.RangeRecount
	for ui, u := range units {
		workflow.Go(tctx, func(gctx workflow.Context) {
			for _, d := range u.deps {
				if err := futures[d].Get(gctx, nil); err != nil {
					settables[ui].SetError(err)
					return
				}
			}
			if t := tables[u.tables[0]]; !u.batch && len(t.Ranges) > 0 {
				rows, whole, again, err := copyRanges(gctx, step, t, slots)
				if err == nil {
					copied[u.tables[0]] = rows
					// Every range to count again is one count(*) of the
					// table in parts: count it whole instead.
					if len(again) < len(t.Ranges) {
						read[u.tables[0]] = whole
						if len(again) > 0 {
							recount = append(recount, activities.RangeRecount{Table: u.tables[0], Ranges: again})
						}
					}
				}
				settables[ui].Set(nil, err)
				return
			}
			slots.Send(gctx, true)
			var err error
			if u.batch {
				in := activities.BatchInput{StepInput: step, WithRead: withRead}
				for _, i := range u.tables {
					in.Tables = append(in.Tables, tables[i].Name)
				}
				var res activities.BatchResult
				batchActivity := a.SyncTableBatch
				if len(step.FanOut) > 1 {
					batchActivity = a.FanOutBatch
				}
				if err = workflow.ExecuteActivity(gctx, batchActivity, in).Get(gctx, &res); err == nil {
					for k, i := range u.tables {
						if k < len(res.Copied) {
							copied[i] = res.Copied[k]
						}
						if k < len(res.Read) {
							read[i] = res.Read[k]
						}
					}
				}
			} else {
				t := tables[u.tables[0]]
				var cp sqlsync.Checkpoint
				tableActivity := a.SyncTable
				if len(step.FanOut) > 1 {
					tableActivity = a.FanOutTable
				}
				if err = workflow.ExecuteActivity(gctx, tableActivity, activities.TableInput{StepInput: step, Table: t.Name}).Get(gctx, &cp); err == nil {
					copied[u.tables[0]] = cp.Rows
					if cp.WholeRead && cp.Range == nil {
						read[u.tables[0]] = cp.Rows
					}
				} else {
					err = describe("table "+t.Name.String(), err)
				}
			}
			slots.Receive(gctx, nil)
			settables[ui].Set(nil, err)
		})
	}
	var firstErr error
	for ui := range units {
		if err := futures[ui].Get(ctx, nil); err != nil && firstErr == nil {
			firstErr = describe("", err)
			cancel()
		}
	}
	// Tables finish in any order: list them in plan order.
	slices.SortFunc(recount, func(a, b activities.RangeRecount) int { return a.Table - b.Table })
	return tablesOut{copied: copied, read: read, recount: recount}, firstErr
}

// copyRanges copies a table split into key ranges: one SyncRange activity
// per range, each taking one of the run's slots, so the ranges spread over
// the workers polling the task queue as slots allow; then FinishRanges
// records the table. The first failure cancels the other ranges. It
// returns the rows the ranges committed together, the rows the ranges
// read whole in one attempt read together (sqlsync.Checkpoint.WholeRead)
// and the other ranges.
func copyRanges(ctx workflow.Context, step activities.StepInput, t activities.TableRef, slots workflow.Channel) (rows, read int64, again []sqlsync.KeyRange, err error) {
	rctx, cancel := workflow.WithCancel(ctx)
	defer cancel()
	futures := make([]workflow.Future, len(t.Ranges))
	for i, r := range t.Ranges {
		f, set := workflow.NewFuture(rctx)
		futures[i] = f
		workflow.Go(rctx, func(gctx workflow.Context) {
			slots.Send(gctx, true)
			var cp sqlsync.Checkpoint
			rangeActivity := a.SyncRange
			if len(step.FanOut) > 1 {
				rangeActivity = a.FanOutRange
			}
			err := workflow.ExecuteActivity(gctx, rangeActivity, activities.RangeInput{TableInput: activities.TableInput{StepInput: step, Table: t.Name}, Range: r}).Get(gctx, &cp)
			slots.Receive(gctx, nil)
			set.Set(cp, describe("table "+t.Name.String()+" "+r.String(), err))
		})
	}
	var firstErr error
	for i, f := range futures {
		var cp sqlsync.Checkpoint
		if err := f.Get(ctx, &cp); err != nil {
			if firstErr == nil {
				firstErr = err
				cancel()
			}
			continue
		}
		rows += cp.Rows
		if cp.WholeRead {
			read += cp.Rows
		} else {
			again = append(again, t.Ranges[i])
		}
	}
	if firstErr != nil {
		return 0, 0, nil, firstErr
	}
	done := activities.RangesDoneInput{TableInput: activities.TableInput{StepInput: step, Table: t.Name}, Rows: rows, Ranges: len(t.Ranges)}
	if err := workflow.ExecuteActivity(ctx, a.FinishRanges, done).Get(ctx, nil); err != nil {
		return 0, 0, nil, describe("table "+t.Name.String(), err)
	}
	return rows, read, again, nil
}
