package workflows

import (
	"go.temporal.io/sdk/workflow"

	"github.com/neosyncio/neosync/backend/pkg/jobcontract"
	"github.com/neosyncio/neosync/backend/pkg/sqlsync"
	"github.com/neosyncio/neosync/worker/internal/activities"
)

// exportBucket runs an S3 destination: every table exported by its own
// ExportTable activity (at most TableConcurrency at a time; files have no
// foreign keys, so no order is needed), then FinishExport writes the
// manifest and returns the report. The database steps (prepare, update
// passes, finalize, restore) have nothing to do in a bucket.
func exportBucket(ctx workflow.Context, info *activities.RunInfo, step activities.StepInput, result *jobcontract.WorkflowResult) (*activities.PackedReport, error) {
	name := info.Destinations[step.Destination]
	concurrency := info.TableConcurrency
	if concurrency <= 0 {
		concurrency = DefaultTableConcurrency
	}
	tctx, cancel := workflow.WithCancel(tableOptions(ctx, info))
	defer cancel()
	copied := make([]int64, len(info.Tables))
	futures := make([]workflow.Future, len(info.Tables))
	waited := make([]bool, len(info.Tables))
	var firstErr error
	wait := func(i int) {
		waited[i] = true
		var cp sqlsync.Checkpoint
		if err := futures[i].Get(ctx, &cp); err != nil {
			copied[i] = -1
			if firstErr == nil {
				firstErr = describe("export "+info.Tables[i].Name.String()+" to "+name, err)
				cancel()
			}
			return
		}
		copied[i] = cp.Rows
	}
	for i, t := range info.Tables {
		if i >= concurrency {
			wait(i - concurrency)
		}
		if firstErr != nil {
			break
		}
		futures[i] = workflow.ExecuteActivity(tctx, a.ExportTable, activities.TableInput{StepInput: step, Table: t.Name})
	}
	for i, f := range futures {
		if f != nil && !waited[i] {
			wait(i)
		}
	}
	if firstErr != nil {
		return nil, firstErr
	}
	for _, n := range copied {
		result.Rows += max(n, 0)
	}
	result.Tables = len(info.Tables)
	vin := activities.VerifyInput{StepInput: step, Copied: copied}
	for _, t := range info.Tables {
		vin.Before = append(vin.Before, t.Rows)
	}
	var report activities.PackedReport
	if err := workflow.ExecuteActivity(stepOptions(ctx, info), a.FinishExport, vin).Get(ctx, &report); err != nil {
		return nil, describe("write the manifest of "+name, err)
	}
	return &report, nil
}

// importExport loads the run's S3 export into database destination d (the
// round trip) in one ImportExport activity: the engine writes the tables
// in foreign key order from the part files, then verifies the counts
// against the manifest.
func importExport(ctx workflow.Context, info *activities.RunInfo, d int, result *jobcontract.WorkflowResult) (*activities.PackedReport, error) {
	step := stepInput(info, d)
	step.ImportRunID = info.ImportRunID
	var out activities.ImportResult
	if err := workflow.ExecuteActivity(tableOptions(ctx, info), a.ImportExport, step).Get(ctx, &out); err != nil {
		return nil, describe("import "+info.ImportRunID+" into "+info.Destinations[d], err)
	}
	result.Rows += out.Rows
	result.Tables = max(result.Tables, out.Tables)
	return out.Report, nil
}
