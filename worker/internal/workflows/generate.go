package workflows

import (
	"errors"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/neosyncio/neosync/backend/pkg/jobcontract"
	"github.com/neosyncio/neosync/backend/pkg/sqlschema"
	"github.com/neosyncio/neosync/worker/internal/activities"
)

// Generate runs a generate job: plan from the schema connection, then per
// destination every table in foreign-key order (parents before children, so
// child rows reference generated parents) in batches of consecutive tables
// (generateBatches; the plan itself stays with the workers, the history
// holds its digest and the table names), then finalize, and records the
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
	if workflow.GetVersion(ctx, generateByDigest, workflow.DefaultVersion, 1) == workflow.DefaultVersion || info.PlanDigest == "" {
		return generateEachTable(ctx, tctx, ri, info, result)
	}
	for d := range info.Destinations {
		step := activities.GenerateStep{JobRunID: info.JobRunID, JobID: info.JobID, PlanDigest: info.PlanDigest, Destination: d, DestinationName: info.Destinations[d]}
		for _, batch := range generateBatches(info.Tables) {
			var rows []int64
			if err := workflow.ExecuteActivity(tctx, a.GenerateTables, activities.GenerateBatch{GenerateStep: step, Tables: batch}).Get(ctx, &rows); err != nil {
				return describe("", err) // the error names its table
			}
			for _, n := range rows {
				result.Rows += max(n, 0)
			}
		}
		result.Tables = len(info.Tables)
		if err := workflow.ExecuteActivity(stepOptions(ctx, ri), a.GenerateFinalize, step).Get(ctx, nil); err != nil {
			return describe("finalize "+info.Destinations[d], err)
		}
	}
	return nil
}

// generateByDigest marks (workflow.GetVersion) the generate runs whose
// activities fetch the plan by digest and write tables in batches
// (GenerateTables); a run recorded before it replays with the plan in
// every activity and one activity per table.
const generateByDigest = "generate-plan-by-digest"

// GenerateBatchTables and GenerateBatchRows bound a GenerateTables batch:
// consecutive tables of the plan, at most this many, whose rows add up to
// at most GenerateBatchRows (a larger table is a batch of its own). A
// schema of thousands of small tables then costs its workflow a few dozen
// activities, not one per table, while a large table keeps its own
// retries and heartbeat.
const (
	GenerateBatchTables = 100
	GenerateBatchRows   = 1_000_000
)

// generateBatches cuts the plan's tables, in order, into batches.
func generateBatches(tables []activities.GenerateTableRef) [][]sqlschema.TableName {
	var out [][]sqlschema.TableName
	var cur []sqlschema.TableName
	var rows int64
	for _, t := range tables {
		if len(cur) > 0 && (len(cur) == GenerateBatchTables || rows+t.Rows > GenerateBatchRows) {
			out = append(out, cur)
			cur, rows = nil, 0
		}
		cur = append(cur, t.Name)
		rows += t.Rows
	}
	if len(cur) > 0 {
		out = append(out, cur)
	}
	return out
}

// generateEachTable is the generation of a run recorded before
// generateByDigest: the plan in every activity, one activity per table.
func generateEachTable(ctx, tctx workflow.Context, ri *activities.RunInfo, info *activities.GenerateInfo, result *jobcontract.WorkflowResult) error {
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
