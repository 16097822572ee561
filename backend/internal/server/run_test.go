package server_test

import (
	"fmt"
	"strings"
	"testing"

	"connectrpc.com/connect"
	"google.golang.org/protobuf/types/known/structpb"

	mgmt "github.com/neosyncio/neosync/backend/gen/go/protos/mgmt/v1alpha1"
	"github.com/neosyncio/neosync/backend/internal/apitest"
	"github.com/neosyncio/neosync/backend/pkg/jobcontract"
	"github.com/neosyncio/neosync/backend/pkg/testdb"
)

// newJob creates a source, a destination and a job in a fresh account.
func newJob(t *testing.T, api *apitest.API, c apitest.Clients, accountID, name string, cron *string) *mgmt.Job {
	t.Helper()
	srcURL := testdb.Postgres(t, "neosync_runsrc")
	execPG(t, srcURL, apitest.PostgresFixture)
	src := createConnection(t, c, accountID, name+"-src", pgConfig(srcURL))
	dst := createConnection(t, c, accountID, name+"-dst", pgConfig(testdb.Postgres(t, "neosync_rundst")))
	resp, err := c.Jobs.CreateJob(apitest.Ctx(t), connect.NewRequest(&mgmt.CreateJobRequest{
		AccountId: accountID, JobName: name, Source: syncSource(src.GetId()), CronSchedule: cron,
		Destinations: []*mgmt.JobDestinationCreate{{ConnectionId: dst.GetId()}},
		Mappings:     []*mgmt.JobMapping{mapping("shop", "regions", "country", "passthrough")},
	}))
	if err != nil {
		t.Fatalf("CreateJob: %v", err)
	}
	return resp.Msg.GetJob()
}

func TestRunLifecycleThroughTheAPI(t *testing.T) {
	t.Parallel()
	api := apitest.Start(t, apitest.Options{AuthMode: "apikey"})
	key, accountID := api.AccountKey(t, "runs")
	c := api.Clients(key)
	w := api.Clients(api.WorkerKey(t))
	ctx := apitest.Ctx(t)
	job := newJob(t, api, c, accountID, "runs-job", nil)
	if job.TransformerKey != nil {
		t.Fatal("an account key received the job's transformer key")
	}
	wj, err := w.Jobs.GetJob(ctx, connect.NewRequest(&mgmt.GetJobRequest{Id: job.GetId()}))
	if err != nil || len(wj.Msg.GetJob().GetTransformerKey()) < 40 {
		t.Fatalf("worker GetJob: key %q, %v", wj.Msg.GetJob().GetTransformerKey(), err)
	}
	wj2, _ := w.Jobs.GetJob(ctx, connect.NewRequest(&mgmt.GetJobRequest{Id: job.GetId()}))
	if wj2.Msg.GetJob().GetTransformerKey() != wj.Msg.GetJob().GetTransformerKey() {
		t.Fatal("the job key changed between reads")
	}

	created, err := c.Jobs.CreateJobRun(ctx, connect.NewRequest(&mgmt.CreateJobRunRequest{JobId: job.GetId()}))
	if err != nil {
		t.Fatalf("CreateJobRun: %v", err)
	}
	r := created.Msg.GetJobRun()
	if r.GetStatus() != mgmt.JobRunStatus_JOB_RUN_STATUS_PENDING || !strings.HasPrefix(r.GetWorkflowId(), "neosync-run-") {
		t.Fatalf("new run = %v", r)
	}
	_, err = c.Jobs.CreateJobRun(ctx, connect.NewRequest(&mgmt.CreateJobRunRequest{JobId: job.GetId()}))
	wantCode(t, "second trigger while running", err, connect.CodeFailedPrecondition)
	if !strings.Contains(err.Error(), "already running") {
		t.Errorf("message %q does not say the job is running", err)
	}
	// The workflow really exists in Temporal, on this API's task queue.
	desc, err := api.Temporal.DescribeWorkflow(ctx, r.GetWorkflowId(), "")
	if err != nil || desc.RawResponse.GetExecutionConfig().GetTaskQueue().GetName() != api.TaskQueue {
		t.Fatalf("workflow in Temporal: %v, %v", desc, err)
	}

	// The worker reports through WorkerService.
	_, err = c.Worker().StartJobRun(ctx, connect.NewRequest(&mgmt.StartJobRunRequest{JobId: job.GetId(), WorkflowId: r.GetWorkflowId()}))
	wantCode(t, "account key on WorkerService", err, connect.CodePermissionDenied)
	started, err := w.Worker().StartJobRun(ctx, connect.NewRequest(&mgmt.StartJobRunRequest{JobId: job.GetId(), WorkflowId: r.GetWorkflowId(), TemporalRunId: "x"}))
	if err != nil || started.Msg.GetJobRunId() != r.GetId() {
		t.Fatalf("StartJobRun = %v, %v (want the run the API created)", started, err)
	}
	// One table written to two destinations is two progress entries.
	for _, p := range []*mgmt.JobRunTableProgress{
		{Destination: "staging", Schema: "shop", Table: "regions", State: "complete", RowsDone: 3, RowsExpected: 3},
		{Destination: "dev", Schema: "shop", Table: "regions", State: "running", RowsDone: 1, RowsExpected: 3},
		{Destination: "dev", Schema: "shop", Table: "regions", State: "running", RowsDone: 2},
	} {
		if _, err := w.Worker().ReportTableProgress(ctx, connect.NewRequest(&mgmt.ReportTableProgressRequest{JobRunId: r.GetId(), Progress: p})); err != nil {
			t.Fatalf("ReportTableProgress: %v", err)
		}
	}
	if _, err := w.Worker().AddJobRunEvent(ctx, connect.NewRequest(&mgmt.AddJobRunEventRequest{JobRunId: r.GetId(), Level: "info", Message: "copying shop.regions", Schema: ptr("shop"), Table: ptr("regions")})); err != nil {
		t.Fatalf("AddJobRunEvent: %v", err)
	}
	_, err = w.Worker().AddJobRunEvent(ctx, connect.NewRequest(&mgmt.AddJobRunEventRequest{JobRunId: r.GetId(), Level: "loud", Message: "x"}))
	wantCode(t, "bad level", err, connect.CodeInvalidArgument)

	got, err := c.Jobs.GetJobRun(ctx, connect.NewRequest(&mgmt.GetJobRunRequest{JobRunId: r.GetId()}))
	if err != nil || got.Msg.GetJobRun().GetStatus() != mgmt.JobRunStatus_JOB_RUN_STATUS_RUNNING || len(got.Msg.GetJobRun().GetTables()) != 2 {
		t.Fatalf("GetJobRun while running = %v, %v", got, err)
	}
	if dev, staging := got.Msg.GetJobRun().GetTables()[0], got.Msg.GetJobRun().GetTables()[1]; dev.GetDestination() != "dev" || dev.GetRowsDone() != 2 ||
		dev.GetRowsExpected() != 3 || staging.GetDestination() != "staging" || staging.GetState() != "complete" {
		t.Fatalf("per-destination progress = %v", got.Msg.GetJobRun().GetTables())
	}
	// A table copied in key ranges: each range reports itself, the table
	// sums their rows and counts those complete.
	for _, p := range []*mgmt.JobRunTableProgress{
		{Destination: "dev", Schema: "shop", Table: "orders", State: "pending", RowsExpected: 900},
		{Destination: "dev", Schema: "shop", Table: "orders", State: "running", RowsDone: 100, RangesTotal: 3, RangeIndex: ptr(int32(0))},
		{Destination: "dev", Schema: "shop", Table: "orders", State: "complete", RowsDone: 250, RangesTotal: 3, RangeIndex: ptr(int32(1))},
		{Destination: "dev", Schema: "shop", Table: "orders", State: "complete", RowsDone: 300, RangesTotal: 3, RangeIndex: ptr(int32(0))},
	} {
		if _, err := w.Worker().ReportTableProgress(ctx, connect.NewRequest(&mgmt.ReportTableProgressRequest{JobRunId: r.GetId(), Progress: p})); err != nil {
			t.Fatalf("ReportTableProgress of a range: %v", err)
		}
	}
	for name, p := range map[string]*mgmt.JobRunTableProgress{
		"range index past the ranges": {Destination: "dev", Schema: "shop", Table: "orders", State: "running", RangesTotal: 3, RangeIndex: ptr(int32(3))},
		"failed range":                {Destination: "dev", Schema: "shop", Table: "orders", State: "failed", RangesTotal: 3, RangeIndex: ptr(int32(2))},
	} {
		_, err := w.Worker().ReportTableProgress(ctx, connect.NewRequest(&mgmt.ReportTableProgressRequest{JobRunId: r.GetId(), Progress: p}))
		wantCode(t, name, err, connect.CodeInvalidArgument)
	}
	got, err = c.Jobs.GetJobRun(ctx, connect.NewRequest(&mgmt.GetJobRunRequest{JobRunId: r.GetId()}))
	if err != nil {
		t.Fatal(err)
	}
	for _, tb := range got.Msg.GetJobRun().GetTables() {
		if tb.GetTable() == "orders" && (tb.GetState() != "running" || tb.GetRowsDone() != 550 || tb.GetRowsExpected() != 900 || tb.GetRangesDone() != 2 || tb.GetRangesTotal() != 3) {
			t.Fatalf("progress of a table in ranges = %v; want running, 550 of 900 rows, 2 of 3 ranges", tb)
		}
	}
	if _, err := w.Worker().ReportTableProgress(ctx, connect.NewRequest(&mgmt.ReportTableProgressRequest{JobRunId: r.GetId(),
		Progress: &mgmt.JobRunTableProgress{Destination: "dev", Schema: "shop", Table: "orders", State: "complete", RowsDone: 900, RowsExpected: 900}})); err != nil {
		t.Fatalf("ReportTableProgress: %v", err)
	}

	_, err = c.Jobs.DeleteJobRun(ctx, connect.NewRequest(&mgmt.DeleteJobRunRequest{JobRunId: r.GetId()}))
	wantCode(t, "delete a running run", err, connect.CodeFailedPrecondition)

	report, _ := structpb.NewStruct(map[string]any{"tables": []any{map[string]any{"table": "shop.regions", "source_rows": 3, "destination_rows": 3}}})
	if _, err := w.Worker().FinishJobRun(ctx, connect.NewRequest(&mgmt.FinishJobRunRequest{JobRunId: r.GetId(), Status: mgmt.JobRunStatus_JOB_RUN_STATUS_COMPLETE, Report: report})); err != nil {
		t.Fatalf("FinishJobRun: %v", err)
	}
	got, err = c.Jobs.GetJobRun(ctx, connect.NewRequest(&mgmt.GetJobRunRequest{JobRunId: r.GetId()}))
	if err != nil || got.Msg.GetJobRun().GetStatus() != mgmt.JobRunStatus_JOB_RUN_STATUS_COMPLETE || got.Msg.GetJobRun().GetReport() == nil || got.Msg.GetJobRun().GetCompletedAt() == nil {
		t.Fatalf("finished run = %v, %v", got, err)
	}
	events, err := c.Jobs.GetJobRunEvents(ctx, connect.NewRequest(&mgmt.GetJobRunEventsRequest{JobRunId: r.GetId()}))
	if err != nil || !events.Msg.GetIsRunComplete() || len(events.Msg.GetEvents()) != 1 || events.Msg.GetEvents()[0].GetTable() != "regions" {
		t.Fatalf("GetJobRunEvents = %v, %v", events, err)
	}
	_, err = c.Jobs.CancelJobRun(ctx, connect.NewRequest(&mgmt.CancelJobRunRequest{JobRunId: r.GetId()}))
	wantCode(t, "cancel a finished run", err, connect.CodeFailedPrecondition)

	// Terminate: a second run, stopped at once.
	second, err := c.Jobs.CreateJobRun(ctx, connect.NewRequest(&mgmt.CreateJobRunRequest{JobId: job.GetId()}))
	if err != nil {
		t.Fatalf("trigger after completion: %v", err)
	}
	if _, err := c.Jobs.TerminateJobRun(ctx, connect.NewRequest(&mgmt.TerminateJobRunRequest{JobRunId: second.Msg.GetJobRun().GetId()})); err != nil {
		t.Fatalf("TerminateJobRun: %v", err)
	}
	desc, err = api.Temporal.DescribeWorkflow(ctx, second.Msg.GetJobRun().GetWorkflowId(), "")
	if err != nil || desc.RawResponse.GetWorkflowExecutionInfo().GetStatus().String() != "Terminated" {
		t.Fatalf("terminated workflow = %v, %v", desc, err)
	}

	// Lists, newest first, paginated.
	page1, err := c.Jobs.GetJobRuns(ctx, connect.NewRequest(&mgmt.GetJobRunsRequest{Id: &mgmt.GetJobRunsRequest_JobId{JobId: job.GetId()}, PageSize: 1}))
	if err != nil || len(page1.Msg.GetJobRuns()) != 1 || page1.Msg.GetJobRuns()[0].GetStatus() != mgmt.JobRunStatus_JOB_RUN_STATUS_TERMINATED || page1.Msg.GetNextPageToken() == "" {
		t.Fatalf("page 1 = %v, %v", page1, err)
	}
	page2, err := c.Jobs.GetJobRuns(ctx, connect.NewRequest(&mgmt.GetJobRunsRequest{Id: &mgmt.GetJobRunsRequest_JobId{JobId: job.GetId()}, PageSize: 1, PageToken: page1.Msg.GetNextPageToken()}))
	if err != nil || len(page2.Msg.GetJobRuns()) != 1 || page2.Msg.GetJobRuns()[0].GetId() != r.GetId() {
		t.Fatalf("page 2 = %v, %v", page2, err)
	}
	byAccount, err := c.Jobs.GetJobRuns(ctx, connect.NewRequest(&mgmt.GetJobRunsRequest{Id: &mgmt.GetJobRunsRequest_AccountId{AccountId: accountID}}))
	if err != nil || len(byAccount.Msg.GetJobRuns()) != 2 {
		t.Fatalf("runs by account = %v, %v", byAccount, err)
	}
	_, err = c.Jobs.GetJobRuns(ctx, connect.NewRequest(&mgmt.GetJobRunsRequest{Id: &mgmt.GetJobRunsRequest_JobId{JobId: job.GetId()}, PageToken: "garbage"}))
	wantCode(t, "bad page token", err, connect.CodeInvalidArgument)
	recent, err := c.Jobs.GetJobRecentRuns(ctx, connect.NewRequest(&mgmt.GetJobRecentRunsRequest{JobId: job.GetId()}))
	if err != nil || len(recent.Msg.GetRecentRuns()) != 2 {
		t.Fatalf("GetJobRecentRuns = %v, %v", recent, err)
	}
	if _, err := c.Jobs.DeleteJobRun(ctx, connect.NewRequest(&mgmt.DeleteJobRunRequest{JobRunId: r.GetId()})); err != nil {
		t.Fatalf("DeleteJobRun: %v", err)
	}
	_, err = c.Jobs.GetJobRun(ctx, connect.NewRequest(&mgmt.GetJobRunRequest{JobRunId: r.GetId()}))
	wantCode(t, "deleted run", err, connect.CodeNotFound)
}

func TestSchedules(t *testing.T) {
	t.Parallel()
	api := apitest.Start(t, apitest.Options{})
	c := api.Clients("")
	ctx := apitest.Ctx(t)
	accountID := personalAccount(t, c)
	job := newJob(t, api, c, accountID, "scheduled", ptr("0 3 * * *"))
	handle := api.Temporal.ScheduleClient().GetHandle(ctx, jobcontract.ScheduleID(job.GetId()))
	desc, err := handle.Describe(ctx)
	if err != nil {
		t.Fatalf("schedule not created in Temporal: %v", err)
	}
	if got := desc.Schedule.Spec.CronExpressions; len(got) != 1 || got[0] != "0 3 * * *" {
		if len(desc.Schedule.Spec.Calendars) == 0 {
			t.Fatalf("schedule spec = %+v", desc.Schedule.Spec)
		}
	}
	next, err := c.Jobs.GetJobNextRuns(ctx, connect.NewRequest(&mgmt.GetJobNextRunsRequest{JobId: job.GetId()}))
	if err != nil || len(next.Msg.GetNextRunTimes()) != 5 || next.Msg.GetNextRunTimes()[0].AsTime().Hour() != 3 {
		t.Fatalf("GetJobNextRuns = %v, %v", next, err)
	}

	paused, err := c.Jobs.PauseJob(ctx, connect.NewRequest(&mgmt.PauseJobRequest{Id: job.GetId(), Pause: true}))
	if err != nil || !paused.Msg.GetJob().GetPaused() {
		t.Fatalf("PauseJob = %v, %v", paused, err)
	}
	if desc, err = handle.Describe(ctx); err != nil || !desc.Schedule.State.Paused {
		t.Fatalf("schedule not paused in Temporal: %v", err)
	}
	next, err = c.Jobs.GetJobNextRuns(ctx, connect.NewRequest(&mgmt.GetJobNextRunsRequest{JobId: job.GetId()}))
	if err != nil || len(next.Msg.GetNextRunTimes()) != 0 {
		t.Fatalf("next runs of a paused job = %v, %v", next, err)
	}
	if _, err := c.Jobs.PauseJob(ctx, connect.NewRequest(&mgmt.PauseJobRequest{Id: job.GetId(), Pause: false})); err != nil {
		t.Fatalf("resume: %v", err)
	}
	if _, err := c.Jobs.UpdateJobSchedule(ctx, connect.NewRequest(&mgmt.UpdateJobScheduleRequest{Id: job.GetId(), CronSchedule: ptr("*/15 * * * *")})); err != nil {
		t.Fatalf("UpdateJobSchedule: %v", err)
	}
	if desc, err = handle.Describe(ctx); err != nil || desc.Schedule.State.Paused {
		t.Fatalf("schedule after resume and update: %v %v", desc, err)
	}
	if _, err := c.Jobs.UpdateJobSchedule(ctx, connect.NewRequest(&mgmt.UpdateJobScheduleRequest{Id: job.GetId()})); err != nil {
		t.Fatalf("clear schedule: %v", err)
	}
	if _, err := handle.Describe(ctx); err == nil {
		t.Fatal("clearing the cron did not delete the Temporal schedule")
	}
}

// TestPendingTablesInOneCall records the tables of a run as pending in one
// ReportPendingTables call, as a worker starting a run over thousands of
// tables does: every table shows pending with its expected rows, a table
// already reported is reset to pending, bad input is refused naming the
// entry and stores nothing, and only a worker key may call it.
func TestPendingTablesInOneCall(t *testing.T) {
	t.Parallel()
	runs := newWorkerRuns(t, "pending")
	c, w := runs.c, runs.w
	ctx := apitest.Ctx(t)
	runID := runs.start(t, "pending-job")
	// A table reported before (a retried start) goes back to pending.
	if _, err := w.Worker().ReportTableProgress(ctx, connect.NewRequest(&mgmt.ReportTableProgressRequest{JobRunId: runID,
		Progress: &mgmt.JobRunTableProgress{Destination: "dev", Schema: "shop", Table: "t0", State: "failed", RowsDone: 5, RowsExpected: 9, Error: ptr("boom")}})); err != nil {
		t.Fatalf("ReportTableProgress: %v", err)
	}
	report := func(cl apitest.Clients, run string, tables ...*mgmt.PendingTable) error {
		_, err := cl.Worker().ReportPendingTables(ctx, connect.NewRequest(&mgmt.ReportPendingTablesRequest{JobRunId: run, Tables: tables}))
		return err
	}
	var tables []*mgmt.PendingTable
	for i := range 1000 {
		tables = append(tables, &mgmt.PendingTable{Destination: "dev", Schema: "shop", Table: fmt.Sprintf("t%d", i), RowsExpected: int64(i)})
	}
	tables = append(tables[:999], &mgmt.PendingTable{Destination: "staging", Schema: "shop", Table: "t0", RowsExpected: 7})
	if err := report(w, runID, tables...); err != nil {
		t.Fatalf("ReportPendingTables: %v", err)
	}
	got, err := c.Jobs.GetJobRun(ctx, connect.NewRequest(&mgmt.GetJobRunRequest{JobRunId: runID}))
	if err != nil {
		t.Fatal(err)
	}
	if n := len(got.Msg.GetJobRun().GetTables()); n != 1000 {
		t.Fatalf("the run has %d tables, want 1,000", n)
	}
	for _, tb := range got.Msg.GetJobRun().GetTables() {
		want := int64(0)
		fmt.Sscanf(tb.GetTable(), "t%d", &want)
		if tb.GetDestination() == "staging" {
			want = 7
		}
		if tb.GetTable() == "t0" && tb.GetDestination() == "dev" {
			want = 9 // no expectation keeps the one reported before
		}
		if tb.GetState() != "pending" || tb.GetRowsDone() != 0 || tb.GetRowsExpected() != want || tb.Error != nil {
			t.Fatalf("table %s/%s: %s, %d of %d rows, error %q; want pending, 0 of %d", tb.GetDestination(), tb.GetTable(), tb.GetState(), tb.GetRowsDone(), tb.GetRowsExpected(), tb.GetError(), want)
		}
	}

	one := &mgmt.PendingTable{Destination: "dev", Schema: "shop", Table: "new", RowsExpected: 1}
	for _, tc := range []struct {
		what   string
		cl     apitest.Clients
		run    string
		tables []*mgmt.PendingTable
		code   connect.Code
		field  string
	}{
		{"an account key", c, runID, []*mgmt.PendingTable{one}, connect.CodePermissionDenied, ""},
		{"no run id", w, "", []*mgmt.PendingTable{one}, connect.CodeInvalidArgument, "job_run_id"},
		{"no table", w, runID, nil, connect.CodeInvalidArgument, "tables"},
		{"1,001 tables", w, runID, append(tables, one, one), connect.CodeInvalidArgument, "tables"},
		{"no table name", w, runID, []*mgmt.PendingTable{one, {Destination: "dev", Schema: "shop"}}, connect.CodeInvalidArgument, "tables[1]"},
		{"negative rows", w, runID, []*mgmt.PendingTable{one, {Destination: "dev", Schema: "shop", Table: "x", RowsExpected: -1}}, connect.CodeInvalidArgument, "tables[1].rows_expected"},
		{"a table twice", w, runID, []*mgmt.PendingTable{one, one}, connect.CodeInvalidArgument, "tables[1]"},
		{"an unknown run", w, "00000000-0000-0000-0000-000000000001", []*mgmt.PendingTable{one}, connect.CodeNotFound, ""},
	} {
		err := report(tc.cl, tc.run, tc.tables...)
		wantCode(t, tc.what, err, tc.code)
		if tc.field != "" && !strings.Contains(err.Error(), tc.field+":") {
			t.Errorf("%s: %v does not name %s", tc.what, err, tc.field)
		}
	}
	got, err = c.Jobs.GetJobRun(ctx, connect.NewRequest(&mgmt.GetJobRunRequest{JobRunId: runID}))
	if err != nil {
		t.Fatal(err)
	}
	if n := len(got.Msg.GetJobRun().GetTables()); n != 1000 {
		t.Fatalf("refused calls changed the run's tables: %d", n)
	}
}
