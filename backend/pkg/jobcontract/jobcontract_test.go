package jobcontract

import "testing"

func TestWorkflowIDs(t *testing.T) {
	t.Parallel()
	job := "0d9b8a4e-6c47-4a53-9d2e-3c7e3b0c2f11"
	for _, id := range []string{TriggeredWorkflowID(job, "run-x"), ScheduledWorkflowIDPrefix(job) + "-2026-11-27T10:00:00Z"} {
		got, ok := JobIDFromWorkflowID(id)
		if !ok || got != job {
			t.Errorf("JobIDFromWorkflowID(%q) = %q, %v", id, got, ok)
		}
	}
	if _, ok := JobIDFromWorkflowID("other"); ok {
		t.Error("foreign workflow id accepted")
	}
	if WorkflowName("generate") != WorkflowGenerate || WorkflowName("sync") != WorkflowDataSync {
		t.Error("WorkflowName")
	}
}
