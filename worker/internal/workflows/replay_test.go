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
