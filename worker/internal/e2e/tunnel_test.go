package e2e_test

import (
	"strings"
	"testing"
	"time"

	"connectrpc.com/connect"

	mgmt "github.com/neosyncio/neosync/backend/gen/go/protos/mgmt/v1alpha1"
	"github.com/neosyncio/neosync/backend/pkg/testsshd"
)

// TestSyncThroughSSHTunnel: a job whose source is reached through a real
// sshd copies every row; the same source with a host key that is not the
// bastion's fails the run on its first attempt, naming both fingerprints,
// and the check through the API says the same.
func TestSyncThroughSSHTunnel(t *testing.T) {
	t.Parallel()
	// The API denies loopback in apikey mode; this bastion is on loopback.
	s := startStack(t, "NEOSYNC_CONNECTION_ALLOW=127.0.0.1")
	s.startWorker(t)
	sshd := testsshd.Start(t)
	src := newDatabase(t, "neosync_e2e_tunsrc")
	execSQL(t, src, sourceSchema)
	ctx := testCtx(t, 5*time.Minute)
	otherHostKey, _ := testsshd.NewKey(t)

	viaTunnel := func(name, hostKey string) string {
		t.Helper()
		cfg := pgConfig(src)
		cfg.GetPgConfig().Tunnel = &mgmt.SshTunnel{Host: sshd.Host, Port: int32(sshd.Port), User: sshd.User,
			Auth: &mgmt.SshTunnel_PrivateKey{PrivateKey: sshd.ClientKey}, KnownHostKey: hostKey}
		resp, err := s.c.Connections.CreateConnection(ctx, connect.NewRequest(&mgmt.CreateConnectionRequest{AccountId: s.accountID, Name: name, ConnectionConfig: cfg}))
		if err != nil {
			t.Fatalf("CreateConnection(%s): %v", name, err)
		}
		if k := resp.Msg.GetConnection().GetConnectionConfig().GetPgConfig().GetTunnel().GetPrivateKey(); k != "********" {
			t.Fatalf("the tunnel's private key is not masked on read: %.20q", k)
		}
		return resp.Msg.GetConnection().GetId()
	}
	run := func(name, sourceID string) (*mgmt.JobRun, string) {
		t.Helper()
		dst := newDatabase(t, "neosync_e2e_tundst")
		job, err := s.c.Jobs.CreateJob(ctx, connect.NewRequest(&mgmt.CreateJobRequest{
			AccountId: s.accountID, JobName: name,
			Source:       &mgmt.JobSource{Options: &mgmt.JobSource_Sync{Sync: &mgmt.SyncSourceOptions{ConnectionId: sourceID}}},
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
		return s.waitRun(t, r.Msg.GetJobRun().GetId(), 3*time.Minute, final), dst
	}

	r, dst := run("tunnel-ok", viaTunnel("via-bastion", sshd.HostKey))
	if r.GetStatus() != mgmt.JobRunStatus_JOB_RUN_STATUS_COMPLETE {
		t.Fatalf("sync through the tunnel ended %v: %s", r.GetStatus(), r.GetError())
	}
	if n := queryInt(t, dst, "SELECT count(*) FROM orders"); n != 5000 {
		t.Fatalf("destination has %d orders, want 5000", n)
	}

	wrongID := viaTunnel("wrong-host-key", otherHostKey)
	check, err := s.c.Connections.CheckConnectionConfigById(ctx, connect.NewRequest(&mgmt.CheckConnectionConfigByIdRequest{Id: wrongID}))
	if err != nil || check.Msg.GetIsConnected() || !strings.Contains(check.Msg.GetConnectionError(), "not the known host key") {
		t.Fatalf("check with a wrong host key: %v %v", check, err)
	}
	r, _ = run("tunnel-wrong-key", wrongID)
	if r.GetStatus() != mgmt.JobRunStatus_JOB_RUN_STATUS_FAILED || !strings.Contains(r.GetError(), "not the known host key SHA256:") {
		t.Fatalf("a wrong host key: run ended %v: %q", r.GetStatus(), r.GetError())
	}
}
