package e2e_test

import (
	"strings"
	"testing"
	"time"

	"connectrpc.com/connect"

	mgmt "github.com/neosyncio/neosync/backend/gen/go/protos/mgmt/v1alpha1"
)

// TestRefusedSyncEmptiesNothing: a sync job into two destinations — the
// first truncates a database holding rows, the second is a connection of
// its own to the source database — is refused, and the refusal comes
// before the first destination is emptied: a refused run has written
// nothing anywhere.
func TestRefusedSyncEmptiesNothing(t *testing.T) {
	t.Parallel()
	s := startStack(t)
	s.startWorker(t)
	src, dst := newDatabase(t, "neosync_e2e_refuse_src"), newDatabase(t, "neosync_e2e_refuse_dst")
	execSQL(t, src, genShopPostgres)
	execSQL(t, dst, genShopPostgres)
	owned := &mgmt.JobDestinationOptions{InitTableSchema: true, TruncateBeforeInsert: true, TruncateCascade: true}
	ctx := testCtx(t, 5*time.Minute)
	job, err := s.c.Jobs.CreateJob(ctx, connect.NewRequest(&mgmt.CreateJobRequest{
		AccountId: s.accountID, JobName: "refused-sync",
		Source: &mgmt.JobSource{Options: &mgmt.JobSource_Sync{Sync: &mgmt.SyncSourceOptions{ConnectionId: s.connection(t, "refuse-src", src)}}},
		Destinations: []*mgmt.JobDestinationCreate{
			{ConnectionId: s.connection(t, "refuse-staging", dst), Options: owned},
			{ConnectionId: s.connection(t, "refuse-src-again", strings.Replace(src, "127.0.0.1", "localhost", 1)), Options: owned},
		},
		Mappings: []*mgmt.JobMapping{
			mapping("customers", "id", "passthrough", nil), mapping("customers", "email", "transform_email", nil),
			mapping("orders", "id", "passthrough", nil), mapping("orders", "customer_id", "passthrough", nil), mapping("orders", "total", "passthrough", nil),
		},
	}))
	if err != nil {
		t.Fatalf("CreateJob: %v", err)
	}
	run, err := s.c.Jobs.CreateJobRun(ctx, connect.NewRequest(&mgmt.CreateJobRunRequest{JobId: job.Msg.GetJob().GetId()}))
	if err != nil {
		t.Fatal(err)
	}
	r := s.waitRun(t, run.Msg.GetJobRun().GetId(), 3*time.Minute, final)
	if r.GetStatus() != mgmt.JobRunStatus_JOB_RUN_STATUS_FAILED || !strings.Contains(r.GetError(), "is the source itself") {
		t.Errorf("run ended %v: %q; want failed: the second destination is the source itself", r.GetStatus(), r.GetError())
	}
	t.Logf("refused: %s", r.GetError())
	checkRealCustomers(t, "the source", func(q string) int64 { return queryInt(t, src, q) })
	checkRealCustomers(t, "the first destination", func(q string) int64 { return queryInt(t, dst, q) })
}
