package server_test

import (
	"testing"
	"time"

	"connectrpc.com/connect"
	"google.golang.org/protobuf/types/known/timestamppb"

	mgmt "github.com/neosyncio/neosync/backend/gen/go/protos/mgmt/v1alpha1"
	"github.com/neosyncio/neosync/backend/internal/apitest"
)

// TestInvitations runs invitations end to end with people signed in
// through the provider: invite, accept with the role, decline, withdraw,
// expiry, the wrong person, role changes, leave and remove, and the last
// admin who cannot go.
func TestInvitations(t *testing.T) {
	t.Parallel()
	env := startOIDC(t)
	ctx := apitest.Ctx(t)
	alice, bob, carol, mallory := env.signIn(t, "alice"), env.signIn(t, "bob"), env.signIn(t, "carol"), env.signIn(t, "mallory")
	team := teamAccount(t, alice, "acme")

	invite := func(email string, role mgmt.AccountRole, expires *timestamppb.Timestamp) string {
		t.Helper()
		resp, err := alice.Users.InviteUserToTeamAccount(ctx, connect.NewRequest(&mgmt.InviteUserToTeamAccountRequest{AccountId: team, Email: email, Role: role, ExpiresAt: expires}))
		if err != nil {
			t.Fatalf("invite %s: %v", email, err)
		}
		if resp.Msg.GetInvite().GetStatus() != "pending" || resp.Msg.GetToken() == "" {
			t.Fatalf("invite = %v", resp.Msg)
		}
		return resp.Msg.GetToken()
	}
	accept := func(c apitest.Clients, token string) error {
		_, err := c.Users.AcceptTeamAccountInvite(ctx, connect.NewRequest(&mgmt.AcceptTeamAccountInviteRequest{Token: token}))
		return err
	}
	roleIn := func(c apitest.Clients) mgmt.AccountRole {
		t.Helper()
		resp, err := c.Users.GetUserAccounts(ctx, connect.NewRequest(&mgmt.GetUserAccountsRequest{}))
		if err != nil {
			t.Fatal(err)
		}
		for _, a := range resp.Msg.GetAccounts() {
			if a.GetId() == team {
				return a.GetRole()
			}
		}
		return mgmt.AccountRole_ACCOUNT_ROLE_UNSPECIFIED
	}

	// Bad invitations name the field.
	_, err := alice.Users.InviteUserToTeamAccount(ctx, connect.NewRequest(&mgmt.InviteUserToTeamAccountRequest{AccountId: team, Email: "not an email", Role: mgmt.AccountRole_ACCOUNT_ROLE_JOB_VIEWER}))
	wantCode(t, "bad email", err, connect.CodeInvalidArgument)
	_, err = alice.Users.InviteUserToTeamAccount(ctx, connect.NewRequest(&mgmt.InviteUserToTeamAccountRequest{AccountId: team, Email: "bob@example.com"}))
	wantCode(t, "no role", err, connect.CodeInvalidArgument)

	// Bob's invitation: mallory (another verified email) cannot use it; bob can, once.
	bobToken := invite("Bob@Example.com", mgmt.AccountRole_ACCOUNT_ROLE_JOB_VIEWER, nil)
	wantCode(t, "someone else accepts", accept(mallory, bobToken), connect.CodePermissionDenied)
	if err := accept(bob, bobToken); err != nil {
		t.Fatalf("bob accepts: %v", err)
	}
	if r := roleIn(bob); r != mgmt.AccountRole_ACCOUNT_ROLE_JOB_VIEWER {
		t.Fatalf("bob's role = %v, want job viewer", r)
	}
	wantCode(t, "accept twice", accept(bob, bobToken), connect.CodeFailedPrecondition)
	wantCode(t, "unknown token", accept(bob, "neo_inv_nope"), connect.CodeNotFound)

	// A viewer sees the members but may not invite.
	members, err := bob.Users.GetTeamAccountMembers(ctx, connect.NewRequest(&mgmt.GetTeamAccountMembersRequest{AccountId: team}))
	if err != nil || len(members.Msg.GetMembers()) != 2 {
		t.Fatalf("members = %v, %v; want alice and bob", members, err)
	}
	_, err = bob.Users.InviteUserToTeamAccount(ctx, connect.NewRequest(&mgmt.InviteUserToTeamAccountRequest{AccountId: team, Email: "carol@example.com", Role: mgmt.AccountRole_ACCOUNT_ROLE_ADMIN}))
	wantCode(t, "viewer invites", err, connect.CodePermissionDenied)

	// Carol declines; the invitation cannot be accepted afterwards.
	carolToken := invite("carol@example.com", mgmt.AccountRole_ACCOUNT_ROLE_JOB_EXECUTOR, nil)
	if _, err := carol.Users.DeclineTeamAccountInvite(ctx, connect.NewRequest(&mgmt.DeclineTeamAccountInviteRequest{Token: carolToken})); err != nil {
		t.Fatalf("decline: %v", err)
	}
	wantCode(t, "accept declined", accept(carol, carolToken), connect.CodeFailedPrecondition)

	// A withdrawn invitation is gone; an expired one is refused.
	withdrawn := invite("carol@example.com", mgmt.AccountRole_ACCOUNT_ROLE_JOB_EXECUTOR, nil)
	list, err := alice.Users.GetTeamAccountInvites(ctx, connect.NewRequest(&mgmt.GetTeamAccountInvitesRequest{AccountId: team}))
	if err != nil || len(list.Msg.GetInvites()) != 3 {
		t.Fatalf("invites = %v, %v", list, err)
	}
	last := list.Msg.GetInvites()[2]
	if _, err := alice.Users.RemoveTeamAccountInvite(ctx, connect.NewRequest(&mgmt.RemoveTeamAccountInviteRequest{Id: last.GetId()})); err != nil {
		t.Fatal(err)
	}
	wantCode(t, "accept withdrawn", accept(carol, withdrawn), connect.CodeNotFound)
	expiring := invite("carol@example.com", mgmt.AccountRole_ACCOUNT_ROLE_JOB_EXECUTOR, timestamppb.New(time.Now().Add(10*time.Minute)))
	env.offset.Store(int64(11 * time.Minute)) // carol's sign-in lasts an hour; the invitation ten minutes
	wantCode(t, "accept expired", accept(carol, expiring), connect.CodeFailedPrecondition)
	env.offset.Store(0)

	// Roles change; the last admin can neither step down, leave nor be removed.
	bobID := memberID(t, alice, team, "bob")
	aliceID := memberID(t, alice, team, "alice")
	if _, err := alice.Users.UpdateTeamAccountMemberRole(ctx, connect.NewRequest(&mgmt.UpdateTeamAccountMemberRoleRequest{AccountId: team, UserId: bobID, Role: mgmt.AccountRole_ACCOUNT_ROLE_JOB_DEVELOPER})); err != nil {
		t.Fatal(err)
	}
	if r := roleIn(bob); r != mgmt.AccountRole_ACCOUNT_ROLE_JOB_DEVELOPER {
		t.Fatalf("bob's role = %v, want job developer", r)
	}
	_, err = alice.Users.UpdateTeamAccountMemberRole(ctx, connect.NewRequest(&mgmt.UpdateTeamAccountMemberRoleRequest{AccountId: team, UserId: aliceID, Role: mgmt.AccountRole_ACCOUNT_ROLE_JOB_VIEWER}))
	wantCode(t, "last admin steps down", err, connect.CodeFailedPrecondition)
	_, err = alice.Users.LeaveTeamAccount(ctx, connect.NewRequest(&mgmt.LeaveTeamAccountRequest{AccountId: team}))
	wantCode(t, "last admin leaves", err, connect.CodeFailedPrecondition)
	_, err = bob.Users.RemoveTeamAccountMember(ctx, connect.NewRequest(&mgmt.RemoveTeamAccountMemberRequest{AccountId: team, UserId: aliceID}))
	wantCode(t, "developer removes admin", err, connect.CodePermissionDenied)

	// Bob leaves and no longer sees the account (NotFound, as for strangers).
	if _, err := bob.Users.LeaveTeamAccount(ctx, connect.NewRequest(&mgmt.LeaveTeamAccountRequest{AccountId: team})); err != nil {
		t.Fatalf("leave: %v", err)
	}
	_, err = bob.Connections.GetConnections(ctx, connect.NewRequest(&mgmt.GetConnectionsRequest{AccountId: team}))
	wantCode(t, "after leaving", err, connect.CodeNotFound)
	_, err = mallory.Users.GetTeamAccountMembers(ctx, connect.NewRequest(&mgmt.GetTeamAccountMembersRequest{AccountId: team}))
	wantCode(t, "stranger lists members", err, connect.CodeNotFound)

	// Personal accounts have no members to manage.
	_, err = alice.Users.InviteUserToTeamAccount(ctx, connect.NewRequest(&mgmt.InviteUserToTeamAccountRequest{AccountId: personalAccount(t, alice), Email: "bob@example.com", Role: mgmt.AccountRole_ACCOUNT_ROLE_ADMIN}))
	wantCode(t, "invite to a personal account", err, connect.CodeFailedPrecondition)
}

// memberID finds a member's user id by display name prefix.
func memberID(t *testing.T, c apitest.Clients, accountID, person string) string {
	t.Helper()
	resp, err := c.Users.GetTeamAccountMembers(apitest.Ctx(t), connect.NewRequest(&mgmt.GetTeamAccountMembersRequest{AccountId: accountID}))
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range resp.Msg.GetMembers() {
		if m.GetUser().GetDisplayName() == person+" Example" {
			return m.GetUser().GetId()
		}
	}
	t.Fatalf("%s is not a member", person)
	return ""
}
