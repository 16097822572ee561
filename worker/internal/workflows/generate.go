package workflows

import (
	"errors"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/neosyncio/neosync/backend/pkg/jobcontract"
	"github.com/neosyncio/neosync/worker/internal/activities"
)

// Generate runs a generate job: plan from the schema connection, then per
// destination every table in foreign-key order (parents before children, so
// child rows reference generated parents), then finalize, and records the
// outcome.
func Generate(ctx workflow.Context, in jobcontract.WorkflowInput) (jobcontract.WorkflowResult, error) {
	var info activities.GenerateInfo
	err := workflow.ExecuteActivity(stepOptions(ctx, nil), a.StartGenerate, in.JobID).Get(ctx, &info)
	if err != nil && info.JobRunID == "" {
		return jobcontract.WorkflowResult{}, err
	}
	result := jobcontract.WorkflowResult{JobRunID: info.JobRunID}
	if err == nil {
		err = generateAll(ctx, &info, &result)
	}
	finish := activities.FinishInput{JobRunID: info.JobRunID, JobID: info.JobID, StartedUnixMs: workflow.GetInfo(ctx).WorkflowStartTime.UnixMilli(), Status: activities.StatusComplete}
	fctx := ctx
	switch {
	case err == nil:
	case temporal.IsCanceledError(err) || errors.Is(ctx.Err(), workflow.ErrCanceled):
		finish.Status, finish.Error = activities.StatusCanceled, "canceled"
		fctx, _ = workflow.NewDisconnectedContext(ctx)
	default:
		finish.Status, finish.Error = activities.StatusFailed, activities.RootMessage(err)
	}
	ri := &activities.RunInfo{MaxAttempts: info.MaxAttempts}
	if ferr := workflow.ExecuteActivity(stepOptions(fctx, ri), a.FinishRun, finish).Get(fctx, nil); ferr != nil && err == nil {
		err = ferr
	}
	return result, err
}

func generateAll(ctx workflow.Context, info *activities.GenerateInfo, result *jobcontract.WorkflowResult) error {
	ri := &activities.RunInfo{MaxAttempts: info.MaxAttempts, HeartbeatSeconds: info.HeartbeatSeconds}
	tctx := tableOptions(ctx, ri)
	if info.HeartbeatSeconds == 0 {
		tctx = workflow.WithHeartbeatTimeout(tctx, 2*time.Minute)
	}
	for d := range info.Destinations {
		for _, t := range info.Plan.Tables {
			var n int64
			step := activities.GenerateStep{JobRunID: info.JobRunID, JobID: info.JobID, Plan: info.Plan, Destination: d, Table: t.Name, DestinationName: info.Destinations[d]}
			if err := workflow.ExecuteActivity(tctx, a.GenerateTable, step).Get(ctx, &n); err != nil {
				return describe("table "+t.Name.String(), err)
			}
			result.Rows += n
		}
		result.Tables = len(info.Plan.Tables)
		step := activities.GenerateStep{JobRunID: info.JobRunID, JobID: info.JobID, Plan: info.Plan, Destination: d, DestinationName: info.Destinations[d]}
		if err := workflow.ExecuteActivity(stepOptions(ctx, ri), a.GenerateFinalize, step).Get(ctx, nil); err != nil {
			return describe("finalize "+info.Destinations[d], err)
		}
	}
	return nil
}
