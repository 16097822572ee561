// Package workflows holds the worker's Temporal workflows. A workflow is a
// deterministic function of its input and its activities' results: it reads
// no environment, clock or random source and does no I/O. Activities (in
// package activities) do the work.
package workflows

import (
	"errors"
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
	DefaultHeartbeatTimeout   = time.Minute
	DefaultTableStartToClose  = 24 * time.Hour
	DefaultStepStartToClose   = time.Hour
	DefaultMaxAttempts        = 10
	DefaultTableConcurrency   = 2
	defaultRetryInitial       = 2 * time.Second
	defaultRetryMaximum       = time.Minute
	defaultRetryBackoffFactor = 2.0
)

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

func stepOptions(ctx workflow.Context, info *activities.RunInfo) workflow.Context {
	o := workflow.ActivityOptions{StartToCloseTimeout: DefaultStepStartToClose, HeartbeatTimeout: 0, RetryPolicy: retryPolicy(5)}
	if info != nil && info.MaxAttempts > 0 {
		o.RetryPolicy = retryPolicy(info.MaxAttempts)
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
// dependency order (bounded concurrency) → update passes → finalize →
// verify, and records the outcome. Cancellation reaches every activity
// through its heartbeat; the run is then recorded as canceled.
func DataSync(ctx workflow.Context, in jobcontract.WorkflowInput) (jobcontract.WorkflowResult, error) {
	var info activities.RunInfo
	startErr := workflow.ExecuteActivity(stepOptions(ctx, nil), a.StartRun, in.JobID).Get(ctx, &info)
	if startErr != nil && info.JobRunID == "" {
		return jobcontract.WorkflowResult{}, startErr
	}
	result := jobcontract.WorkflowResult{JobRunID: info.JobRunID}
	var reports []*sqlsync.Report
	err := startErr
	if err == nil {
		reports, err = syncAll(ctx, &info, &result)
	}
	finish := activities.FinishInput{JobRunID: info.JobRunID, Status: activities.StatusComplete, Reports: reports}
	fctx := ctx
	switch {
	case err == nil:
	case temporal.IsCanceledError(err) || errors.Is(ctx.Err(), workflow.ErrCanceled):
		finish.Status, finish.Error = activities.StatusCanceled, "canceled"
		fctx, _ = workflow.NewDisconnectedContext(ctx)
	default:
		finish.Status, finish.Error = activities.StatusFailed, rootMessage(err)
	}
	if ferr := workflow.ExecuteActivity(stepOptions(fctx, &info), a.FinishRun, finish).Get(fctx, nil); ferr != nil && err == nil {
		err = ferr
	}
	return result, err
}

// describe prefixes err's root cause with where it happened, keeping
// cancellations recognisable.
func describe(where string, err error) error {
	if err == nil || temporal.IsCanceledError(err) {
		return err
	}
	return temporal.NewNonRetryableApplicationError(where+": "+rootMessage(err), "RunFailed", err)
}

// rootMessage strips Temporal's wrapping ("activity error (...): ...") down
// to the cause a user can act on.
func rootMessage(err error) string {
	var ae *temporal.ApplicationError
	if errors.As(err, &ae) {
		return ae.Message()
	}
	return err.Error()
}

func syncAll(ctx workflow.Context, info *activities.RunInfo, result *jobcontract.WorkflowResult) ([]*sqlsync.Report, error) {
	var reports []*sqlsync.Report
	for d := range info.Destinations {
		step := activities.StepInput{JobRunID: info.JobRunID, JobID: info.JobID, Plan: info.Plan, Destination: d, DestinationName: info.Destinations[d]}
		sctx := stepOptions(ctx, info)
		if err := workflow.ExecuteActivity(sctx, a.PrepareDestination, step).Get(ctx, nil); err != nil {
			return nil, describe("prepare destination "+info.Destinations[d], err)
		}
		rows, err := syncTables(ctx, info, step)
		if err != nil {
			return nil, err
		}
		result.Rows += rows
		result.Tables = len(info.Plan.Tables)
		if err := workflow.ExecuteActivity(sctx, a.RunUpdatePasses, step).Get(ctx, nil); err != nil {
			return nil, describe("update passes on "+info.Destinations[d], err)
		}
		if err := workflow.ExecuteActivity(sctx, a.Finalize, step).Get(ctx, nil); err != nil {
			return nil, describe("finalize "+info.Destinations[d], err)
		}
		var rep sqlsync.Report
		if err := workflow.ExecuteActivity(sctx, a.Verify, step).Get(ctx, &rep); err != nil {
			return nil, describe("verify "+info.Destinations[d], err)
		}
		reports = append(reports, &rep)
	}
	return reports, nil
}

// syncTables runs one activity per table, each once the tables it depends
// on are done, at most TableConcurrency at a time. The first failure
// cancels the rest.
func syncTables(ctx workflow.Context, info *activities.RunInfo, step activities.StepInput) (int64, error) {
	concurrency := info.TableConcurrency
	if concurrency <= 0 {
		concurrency = DefaultTableConcurrency
	}
	tctx, cancel := workflow.WithCancel(tableOptions(ctx, info))
	defer cancel()
	done := map[sqlschema.TableName]workflow.Settable{}
	futures := map[sqlschema.TableName]workflow.Future{}
	for _, t := range info.Plan.Tables {
		f, s := workflow.NewFuture(tctx)
		futures[t.Name], done[t.Name] = f, s
	}
	slots := workflow.NewBufferedChannel(tctx, concurrency)
	var total int64
	for _, t := range info.Plan.Tables {
		workflow.Go(tctx, func(gctx workflow.Context) {
			for _, dep := range t.DependsOn {
				if f, ok := futures[dep]; ok {
					if err := f.Get(gctx, nil); err != nil {
						done[t.Name].SetError(err)
						return
					}
				}
			}
			slots.Send(gctx, true)
			var cp sqlsync.Checkpoint
			err := workflow.ExecuteActivity(gctx, a.SyncTable, activities.TableInput{StepInput: step, Table: t.Name}).Get(gctx, &cp)
			slots.Receive(gctx, nil)
			if err == nil {
				total += cp.Rows
			}
			done[t.Name].Set(nil, err)
		})
	}
	var firstErr error
	for _, t := range info.Plan.Tables {
		if err := futures[t.Name].Get(ctx, nil); err != nil && firstErr == nil {
			firstErr = describe("table "+t.Name.String(), err)
			cancel()
		}
	}
	return total, firstErr
}
