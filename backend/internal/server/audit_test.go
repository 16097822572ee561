package server_test

import (
	"fmt"
	"slices"
	"testing"

	"connectrpc.com/connect"

	mgmt "github.com/neosyncio/neosync/backend/gen/go/protos/mgmt/v1alpha1"
	"github.com/neosyncio/neosync/backend/internal/apitest"
	"github.com/neosyncio/neosync/backend/pkg/testdb"
)

// TestAuditTrail makes each kind of write as two people and reads the
// account's trail back: every write is there, newest first, naming who did
// what to which resource; reads and refused calls leave nothing; pages
// follow each other.
func TestAuditTrail(t *testing.T) {
	t.Parallel()
	env := startOIDC(t)
	ctx := apitest.Ctx(t)
	alice, dev := env.signIn(t, "alice"), env.signIn(t, "dev")
	team := teamAccount(t, alice, "audited")
	join(t, alice, dev, team, "dev", mgmt.AccountRole_ACCOUNT_ROLE_JOB_DEVELOPER)

	src := testdb.Postgres(t, "neosync_audit")
	execPG(t, src, apitest.PostgresFixture)
	conn := createConnection(t, dev, team, "src", pgConfig(src))
	dst := createConnection(t, dev, team, "dst", pgConfig(testdb.Postgres(t, "neosync_audit")))
	if _, err := dev.Connections.UpdateConnection(ctx, connect.NewRequest(&mgmt.UpdateConnectionRequest{Id: dst.GetId(), Name: "dst2", ConnectionConfig: pgConfig(src)})); err != nil {
		t.Fatal(err)
	}
	job, err := dev.Jobs.CreateJob(ctx, connect.NewRequest(&mgmt.CreateJobRequest{
		AccountId: team, JobName: "nightly", Source: syncSource(conn.GetId()),
		Destinations: []*mgmt.JobDestinationCreate{{ConnectionId: dst.GetId()}},
		Mappings:     []*mgmt.JobMapping{mapping("shop", "regions", "country", "passthrough")},
	}))
	if err != nil {
		t.Fatal(err)
	}
	jobID := job.Msg.GetJob().GetId()
	run, err := dev.Jobs.CreateJobRun(ctx, connect.NewRequest(&mgmt.CreateJobRunRequest{JobId: jobID}))
	if err != nil {
		t.Fatal(err)
	}
	runID := run.Msg.GetJobRun().GetId()
	if _, err := alice.Jobs.CancelJobRun(ctx, connect.NewRequest(&mgmt.CancelJobRunRequest{JobRunId: runID})); err != nil {
		t.Fatal(err)
	}
	// Reads and refusals are not audited.
	if _, err := dev.Jobs.GetJob(ctx, connect.NewRequest(&mgmt.GetJobRequest{Id: jobID})); err != nil {
		t.Fatal(err)
	}
	_, err = dev.Users.InviteUserToTeamAccount(ctx, connect.NewRequest(&mgmt.InviteUserToTeamAccountRequest{AccountId: team, Email: "x@example.com", Role: mgmt.AccountRole_ACCOUNT_ROLE_ADMIN}))
	wantCode(t, "developer invites", err, connect.CodePermissionDenied)
	udt, err := dev.Transformers.CreateUserDefinedTransformer(ctx, connect.NewRequest(&mgmt.CreateUserDefinedTransformerRequest{AccountId: team, Name: "hash", Source: "transform_hash"}))
	if err != nil {
		t.Fatal(err)
	}
	udtID := udt.Msg.GetTransformer().GetId()
	if _, err := dev.Transformers.DeleteUserDefinedTransformer(ctx, connect.NewRequest(&mgmt.DeleteUserDefinedTransformerRequest{TransformerId: udtID})); err != nil {
		t.Fatal(err)
	}

	var got []string
	token := ""
	for {
		page, err := alice.Audit.GetAuditEvents(ctx, connect.NewRequest(&mgmt.GetAuditEventsRequest{AccountId: team, PageSize: 3, PageToken: token}))
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range page.Msg.GetEvents() {
			got = append(got, fmt.Sprintf("%s %s %s %s", e.GetActor(), e.GetAction(), e.GetResourceType(), e.GetResourceId()))
		}
		if token = page.Msg.GetNextPageToken(); token == "" {
			break
		}
	}
	slices.Reverse(got)
	want := []string{
		"alice Example create account " + team,
		"alice Example invite invite " + inviteIDOf(t, alice, team, "dev@example.com"),
		"dev Example accept invite " + inviteIDOf(t, alice, team, "dev@example.com"),
		"dev Example create connection " + conn.GetId(),
		"dev Example create connection " + dst.GetId(),
		"dev Example update connection " + dst.GetId(),
		"dev Example create job " + jobID,
		"dev Example run run " + runID,
		"alice Example cancel run " + runID,
		"dev Example create transformer " + udtID,
		"dev Example delete transformer " + udtID,
	}
	if !slices.Equal(got, want) {
		t.Fatalf("audit trail:\n got %q\nwant %q", got, want)
	}
}

func inviteIDOf(t *testing.T, admin apitest.Clients, accountID, email string) string {
	t.Helper()
	resp, err := admin.Users.GetTeamAccountInvites(apitest.Ctx(t), connect.NewRequest(&mgmt.GetTeamAccountInvitesRequest{AccountId: accountID}))
	if err != nil {
		t.Fatal(err)
	}
	for _, i := range resp.Msg.GetInvites() {
		if i.GetEmail() == email {
			return i.GetId()
		}
	}
	t.Fatalf("no invitation for %s", email)
	return ""
}
