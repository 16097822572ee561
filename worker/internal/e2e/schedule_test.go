package e2e_test

import (
	"testing"
	"time"

	"connectrpc.com/connect"

	mgmt "github.com/neosyncio/neosync/backend/gen/go/protos/mgmt/v1alpha1"
)

func countRuns(t *testing.T, s *stack, jobID string) []*mgmt.JobRun {
	t.Helper()
	resp, err := s.c.Jobs.GetJobRuns(testCtx(t, time.Minute), connect.NewRequest(&mgmt.GetJobRunsRequest{Id: &mgmt.GetJobRunsRequest_JobId{JobId: jobID}}))
	if err != nil {
		t.Fatal(err)
	}
	return resp.Msg.GetJobRuns()
}

// TestCronScheduleRunsAndPauseStopsIt: a one-minute cron produces a run
// that the worker completes; once paused, no further run starts.
func TestCronScheduleRunsAndPauseStopsIt(t *testing.T) {
	t.Parallel()
	s := startStack(t)
	s.startWorker(t)
	ctx := testCtx(t, 5*time.Minute)
	src := newDatabase(t, "neosync_e2e_cron")
	execSQL(t, src, sourceSchema)
	dst := newDatabase(t, "neosync_e2e_cron")
	job, err := s.c.Jobs.CreateJob(ctx, connect.NewRequest(&mgmt.CreateJobRequest{
		AccountId: s.accountID, JobName: "every-minute", CronSchedule: ptr("* * * * *"),
		Source:       &mgmt.JobSource{Options: &mgmt.JobSource_Sync{Sync: &mgmt.SyncSourceOptions{ConnectionId: s.connection(t, "csrc", src)}}},
		Destinations: []*mgmt.JobDestinationCreate{{ConnectionId: s.connection(t, "cdst", dst), Options: &mgmt.JobDestinationOptions{InitTableSchema: true, TruncateBeforeInsert: true}}},
		Mappings:     allMappings(),
	}))
	if err != nil {
		t.Fatalf("CreateJob: %v", err)
	}
	jobID := job.Msg.GetJob().GetId()
	deadline := time.Now().Add(90 * time.Second)
	var runs []*mgmt.JobRun
	for {
		runs = countRuns(t, s, jobID)
		if len(runs) > 0 && final(runs[0]) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no scheduled run completed within 90s: %v", runs)
		}
		time.Sleep(time.Second)
	}
	if runs[0].GetStatus() != mgmt.JobRunStatus_JOB_RUN_STATUS_COMPLETE {
		t.Fatalf("scheduled run ended %v: %s", runs[0].GetStatus(), runs[0].GetError())
	}
	if got := queryInt(t, dst, "SELECT count(*) FROM orders"); got != 5000 {
		t.Fatalf("scheduled run copied %d orders", got)
	}
	if _, err := s.c.Jobs.PauseJob(ctx, connect.NewRequest(&mgmt.PauseJobRequest{Id: jobID, Pause: true})); err != nil {
		t.Fatalf("PauseJob: %v", err)
	}
	// Wait for any run that started before the pause, then count.
	for time.Now().Before(deadline.Add(30 * time.Second)) {
		runs = countRuns(t, s, jobID)
		if final(runs[0]) {
			break
		}
		time.Sleep(time.Second)
	}
	before := len(runs)
	time.Sleep(65 * time.Second)
	if after := len(countRuns(t, s, jobID)); after != before {
		t.Fatalf("a paused schedule started %d more run(s)", after-before)
	}
}
