// Package jobcontract is the small contract between the API and the worker:
// workflow names, the default task queue, workflow ids and the workflow
// input. The API starts workflows by these names without importing worker
// code; the worker registers its workflows under the same names.
package jobcontract

import "strings"

// Workflow type names.
const (
	// WorkflowDataSync copies a source into destinations, transforming columns.
	WorkflowDataSync = "DataSync"
	// WorkflowGenerate writes synthetic rows.
	WorkflowGenerate = "Generate"
	// WorkflowRestore puts back the constraints and indexes a sync run
	// dropped in its destinations when the run was stopped without its own
	// cleanup (terminated, timed out); the API starts it.
	WorkflowRestore = "RestoreDestinations"
)

// DefaultTaskQueue is the task queue the worker polls unless configured.
const DefaultTaskQueue = "sync-job"

// WorkflowInput starts a run. It carries ids only: the worker loads the job
// and its connections from the API, so no secret travels through Temporal.
type WorkflowInput struct {
	JobID string `json:"job_id"`
	// JobRunID names the run a restore workflow cleans up after.
	JobRunID string `json:"job_run_id,omitempty"`
}

// WorkflowResult is what a run workflow returns.
type WorkflowResult struct {
	JobRunID string `json:"job_run_id"`
	// Tables is how many tables were copied or generated.
	Tables int `json:"tables"`
	// Rows is the total number of rows written (per destination).
	Rows int64 `json:"rows"`
}

// WorkflowName returns the workflow type for a job type ("sync" or "generate").
func WorkflowName(jobType string) string {
	if jobType == "generate" {
		return WorkflowGenerate
	}
	return WorkflowDataSync
}

// TriggeredWorkflowID is the workflow id of a run triggered through the API.
func TriggeredWorkflowID(jobID, runID string) string { return "neosync-run-" + jobID + "-" + runID }

// RestoreWorkflowID is the workflow id of the restore after a run; one per
// run, so starting it twice is refused.
func RestoreWorkflowID(runID string) string { return "neosync-restore-" + runID }

// ScheduleID is the id of a job's Temporal Schedule.
func ScheduleID(jobID string) string { return "neosync-job-" + jobID }

// ScheduledWorkflowIDPrefix prefixes the workflow ids a schedule starts
// (Temporal appends the scheduled time).
func ScheduledWorkflowIDPrefix(jobID string) string { return "neosync-scheduled-" + jobID }

// JobIDFromWorkflowID recovers the job id from either kind of workflow id.
func JobIDFromWorkflowID(workflowID string) (string, bool) {
	for _, p := range []string{"neosync-run-", "neosync-scheduled-"} {
		if rest, ok := strings.CutPrefix(workflowID, p); ok && len(rest) >= 36 {
			return rest[:36], true
		}
	}
	return "", false
}
