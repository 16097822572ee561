package workflows

import (
	"go.temporal.io/sdk/workflow"

	"github.com/neosyncio/neosync/backend/pkg/jobcontract"
)

// RestoreDestinations puts back the constraints and indexes of a sync run's
// destinations after the run was stopped without its own cleanup
// (terminated or timed out). The API starts it once per such run, under
// jobcontract.RestoreWorkflowID.
func RestoreDestinations(ctx workflow.Context, in jobcontract.WorkflowInput) error {
	return workflow.ExecuteActivity(stepOptions(ctx, nil), a.RestoreAfterStop, in).Get(ctx, nil)
}
