package workflows

import (
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

	"github.com/neosyncio/neosync/backend/pkg/jobcontract"
	"github.com/neosyncio/neosync/worker/internal/activities"
)

// Register adds the workflows (under the names the API starts them by) and
// the activities to w.
func Register(w worker.Registry, acts *activities.Activities) {
	w.RegisterWorkflowWithOptions(DataSync, workflow.RegisterOptions{Name: jobcontract.WorkflowDataSync})
	w.RegisterWorkflowWithOptions(Generate, workflow.RegisterOptions{Name: jobcontract.WorkflowGenerate})
	w.RegisterWorkflowWithOptions(DataSyncTables, workflow.RegisterOptions{Name: DataSyncTablesName})
	w.RegisterWorkflowWithOptions(RestoreDestinations, workflow.RegisterOptions{Name: jobcontract.WorkflowRestore})
	w.RegisterActivityWithOptions(acts, activity.RegisterOptions{})
}
