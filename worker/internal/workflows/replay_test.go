package workflows

import (
	"path/filepath"
	"testing"

	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

	"github.com/neosyncio/neosync/backend/pkg/jobcontract"
)

// TestReplayRecordedHistory replays a DataSync history recorded from a real
// run (see e2e's recordHistory). A change that makes the workflow
// non-deterministic for runs already in flight fails here.
func TestReplayRecordedHistory(t *testing.T) {
	t.Parallel()
	r := worker.NewWorkflowReplayer()
	r.RegisterWorkflowWithOptions(DataSync, workflow.RegisterOptions{Name: jobcontract.WorkflowDataSync})
	if err := r.ReplayWorkflowHistoryFromJSONFile(nil, filepath.Join("testdata", "datasync_history.json")); err != nil {
		t.Fatalf("replay: %v", err)
	}
}

// TestReplayRecordedGenerateHistories replays two Generate histories
// recorded from real runs: one from before generate plans went by digest
// (the plan in every activity, one activity per table) and one after
// (batches). A change that breaks either kind of run in flight fails here.
func TestReplayRecordedGenerateHistories(t *testing.T) {
	t.Parallel()
	for _, name := range []string{"generate_plan_history.json", "generate_batches_history.json"} {
		r := worker.NewWorkflowReplayer()
		r.RegisterWorkflowWithOptions(Generate, workflow.RegisterOptions{Name: jobcontract.WorkflowGenerate})
		if err := r.ReplayWorkflowHistoryFromJSONFile(nil, filepath.Join("testdata", name)); err != nil {
			t.Fatalf("replay %s: %v", name, err)
		}
	}
}
