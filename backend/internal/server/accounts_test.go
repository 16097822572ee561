package server_test

import (
	"testing"

	"connectrpc.com/connect"

	mgmt "github.com/neosyncio/neosync/backend/gen/go/protos/mgmt/v1alpha1"
	"github.com/neosyncio/neosync/backend/internal/apitest"
)

func TestUserAccounts(t *testing.T) {
	t.Parallel()
	api := apitest.Start(t, apitest.Options{})
	c := api.Clients("")
	ctx := apitest.Ctx(t)

	user, err := c.Users.GetUser(ctx, connect.NewRequest(&mgmt.GetUserRequest{}))
	if err != nil {
		t.Fatalf("GetUser: %v", err)
	}
	if user.Msg.GetUser().GetKind() != "local" || user.Msg.GetUser().GetId() == "" {
		t.Fatalf("GetUser = %v, want the local user", user.Msg)
	}
	set, err := c.Users.SetUser(ctx, connect.NewRequest(&mgmt.SetUserRequest{}))
	if err != nil || set.Msg.GetUser().GetId() != user.Msg.GetUser().GetId() {
		t.Fatalf("SetUser = %v, %v; want the same user", set, err)
	}

	personal := personalAccount(t, c)
	if again := personalAccount(t, c); again != personal {
		t.Fatalf("SetPersonalAccount is not idempotent: %s then %s", personal, again)
	}

	team, err := c.Users.CreateTeamAccount(ctx, connect.NewRequest(&mgmt.CreateTeamAccountRequest{Name: "data-team"}))
	if err != nil {
		t.Fatalf("CreateTeamAccount: %v", err)
	}
	_, err = c.Users.CreateTeamAccount(ctx, connect.NewRequest(&mgmt.CreateTeamAccountRequest{Name: "data-team"}))
	wantCode(t, "duplicate team", err, connect.CodeAlreadyExists)
	for _, bad := range []string{"", "x", "Has Caps", "-lead", "a--b", "emoji-😀"} {
		_, err = c.Users.CreateTeamAccount(ctx, connect.NewRequest(&mgmt.CreateTeamAccountRequest{Name: bad}))
		wantCode(t, "team name "+bad, err, connect.CodeInvalidArgument)
	}

	accts, err := c.Users.GetUserAccounts(ctx, connect.NewRequest(&mgmt.GetUserAccountsRequest{}))
	if err != nil {
		t.Fatalf("GetUserAccounts: %v", err)
	}
	got := map[string]mgmt.UserAccountType{}
	for _, a := range accts.Msg.GetAccounts() {
		got[a.GetId()] = a.GetType()
	}
	if len(got) != 2 || got[personal] != mgmt.UserAccountType_USER_ACCOUNT_TYPE_PERSONAL || got[team.Msg.GetAccountId()] != mgmt.UserAccountType_USER_ACCOUNT_TYPE_TEAM {
		t.Fatalf("GetUserAccounts = %v", accts.Msg.GetAccounts())
	}

	info, err := c.Users.GetSystemInformation(ctx, connect.NewRequest(&mgmt.GetSystemInformationRequest{}))
	if err != nil {
		t.Fatalf("GetSystemInformation: %v", err)
	}
	if info.Msg.GetVersion() == "" || info.Msg.GetGoVersion() == "" || info.Msg.GetAuthMode() != "none" {
		t.Fatalf("GetSystemInformation = %v", info.Msg)
	}
}

func TestAPIKeyModeRequiresKey(t *testing.T) {
	t.Parallel()
	api := apitest.Start(t, apitest.Options{AuthMode: "apikey"})
	ctx := apitest.Ctx(t)
	_, err := api.Clients("").Users.GetUser(ctx, connect.NewRequest(&mgmt.GetUserRequest{}))
	wantCode(t, "no key", err, connect.CodeUnauthenticated)
	_, err = api.Clients("neo_ak_not-a-real-key").Users.GetUser(ctx, connect.NewRequest(&mgmt.GetUserRequest{}))
	wantCode(t, "bad key", err, connect.CodeUnauthenticated)

	key, accountID := api.AccountKey(t, "acme")
	c := api.Clients(key)
	user, err := c.Users.GetUser(ctx, connect.NewRequest(&mgmt.GetUserRequest{}))
	if err != nil || user.Msg.GetUser().GetKind() != "machine" {
		t.Fatalf("GetUser with key = %v, %v", user, err)
	}
	accts, err := c.Users.GetUserAccounts(ctx, connect.NewRequest(&mgmt.GetUserAccountsRequest{}))
	if err != nil || len(accts.Msg.GetAccounts()) != 1 || accts.Msg.GetAccounts()[0].GetId() != accountID {
		t.Fatalf("GetUserAccounts with key = %v, %v", accts, err)
	}
	_, err = c.Users.CreateTeamAccount(ctx, connect.NewRequest(&mgmt.CreateTeamAccountRequest{Name: "other-team"}))
	wantCode(t, "key creates team", err, connect.CodePermissionDenied)
}
