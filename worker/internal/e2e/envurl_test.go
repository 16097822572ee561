package e2e_test

import (
	"strings"
	"testing"
	"time"

	"connectrpc.com/connect"

	mgmt "github.com/neosyncio/neosync/backend/gen/go/protos/mgmt/v1alpha1"
)

func envURLConnection(t *testing.T, s *stack, name, variable string) string {
	t.Helper()
	cfg := &mgmt.ConnectionConfig{Config: &mgmt.ConnectionConfig_PgConfig{PgConfig: &mgmt.PostgresConnectionConfig{
		ConnectionConfig: &mgmt.PostgresConnectionConfig_UrlFromEnv{UrlFromEnv: variable}}}}
	resp, err := s.c.Connections.CreateConnection(testCtx(t, time.Minute), connect.NewRequest(&mgmt.CreateConnectionRequest{AccountId: s.accountID, Name: name, ConnectionConfig: cfg}))
	if err != nil {
		t.Fatalf("CreateConnection(%s): %v", name, err)
	}
	return resp.Msg.GetConnection().GetId()
}

// TestURLFromEnvOnTheWorker: a source whose URL only the worker's
// environment holds (the API has no such variable) is synced; a variable
// the worker lacks fails the run on its first attempt, naming it.
func TestURLFromEnvOnTheWorker(t *testing.T) {
	t.Parallel()
	s := startStack(t, "NEOSYNC_URL_FROM_ENV=on")
	src := newDatabase(t, "neosync_e2e_envsrc")
	execSQL(t, src, sourceSchema)
	s.startWorker(t, "NEOSYNC_URL_E2E_SOURCE="+src)
	ctx := testCtx(t, 5*time.Minute)

	run := func(name, variable string) *mgmt.JobRun {
		t.Helper()
		dst := newDatabase(t, "neosync_e2e_envdst")
		job, err := s.c.Jobs.CreateJob(ctx, connect.NewRequest(&mgmt.CreateJobRequest{
			AccountId: s.accountID, JobName: name,
			Source:       &mgmt.JobSource{Options: &mgmt.JobSource_Sync{Sync: &mgmt.SyncSourceOptions{ConnectionId: envURLConnection(t, s, name+"-src", variable)}}},
			Destinations: []*mgmt.JobDestinationCreate{{ConnectionId: s.connection(t, name+"-dst", dst), Options: &mgmt.JobDestinationOptions{InitTableSchema: true, TruncateBeforeInsert: true}}},
			Mappings:     allMappings(),
		}))
		if err != nil {
			t.Fatalf("CreateJob(%s): %v", name, err)
		}
		r, err := s.c.Jobs.CreateJobRun(ctx, connect.NewRequest(&mgmt.CreateJobRunRequest{JobId: job.Msg.GetJob().GetId()}))
		if err != nil {
			t.Fatalf("CreateJobRun(%s): %v", name, err)
		}
		out := s.waitRun(t, r.Msg.GetJobRun().GetId(), 3*time.Minute, final)
		if out.GetStatus() == mgmt.JobRunStatus_JOB_RUN_STATUS_COMPLETE {
			if n := queryInt(t, dst, "SELECT count(*) FROM customers"); n != 2000 {
				t.Fatalf("%s: destination has %d customers, want 2000", name, n)
			}
		}
		return out
	}

	if r := run("env-ok", "NEOSYNC_URL_E2E_SOURCE"); r.GetStatus() != mgmt.JobRunStatus_JOB_RUN_STATUS_COMPLETE {
		t.Fatalf("sync from the worker's environment ended %v: %s", r.GetStatus(), r.GetError())
	}
	r := run("env-missing", "NEOSYNC_URL_E2E_ELSEWHERE")
	if r.GetStatus() != mgmt.JobRunStatus_JOB_RUN_STATUS_FAILED || !strings.Contains(r.GetError(), "NEOSYNC_URL_E2E_ELSEWHERE is not set") {
		t.Fatalf("a variable the worker lacks: run ended %v: %q", r.GetStatus(), r.GetError())
	}
}
