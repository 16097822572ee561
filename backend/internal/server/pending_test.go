package server_test

import (
	"fmt"
	"strings"
	"testing"

	"connectrpc.com/connect"

	mgmt "github.com/neosyncio/neosync/backend/gen/go/protos/mgmt/v1alpha1"
	"github.com/neosyncio/neosync/backend/internal/apitest"
)

// TestPendingTablesInOneCall records the tables of a run as pending in one
// ReportPendingTables call, as a worker starting a run over thousands of
// tables does: every table shows pending with its expected rows, a table
// already reported is reset to pending, bad input is refused naming the
// entry and stores nothing, and only a worker key may call it.
func TestPendingTablesInOneCall(t *testing.T) {
	t.Parallel()
	api := apitest.Start(t, apitest.Options{AuthMode: "apikey"})
	key, accountID := api.AccountKey(t, "pending")
	c := api.Clients(key)
	w := api.Clients(api.WorkerKey(t))
	ctx := apitest.Ctx(t)
	job := newJob(t, api, c, accountID, "pending-job", nil)
	started, err := w.Worker().StartJobRun(ctx, connect.NewRequest(&mgmt.StartJobRunRequest{JobId: job.GetId(), WorkflowId: "pending-workflow", TemporalRunId: "x"}))
	if err != nil {
		t.Fatalf("StartJobRun: %v", err)
	}
	runID := started.Msg.GetJobRunId()
	// A table reported running before (a retried start) goes back to pending.
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
