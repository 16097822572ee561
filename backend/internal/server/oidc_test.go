package server_test

import (
	"strings"
	"testing"
	"time"

	"connectrpc.com/connect"
	"google.golang.org/protobuf/types/known/timestamppb"

	mgmt "github.com/neosyncio/neosync/backend/gen/go/protos/mgmt/v1alpha1"
	"github.com/neosyncio/neosync/backend/internal/apitest"
	"github.com/neosyncio/neosync/backend/pkg/devoidc"
)

// TestOIDCSignIn signs in through a real OpenID Provider: the first call
// creates the user and a personal account they administer; API keys work
// beside tokens; expired tokens, tokens for another client and tokens
// signed with a retired key are refused, and a rotated key is picked up.
func TestOIDCSignIn(t *testing.T) {
	t.Parallel()
	env := startOIDC(t)
	ctx := apitest.Ctx(t)
	raw := env.token(t, devoidc.WebClientID, "alice")
	alice := env.api.Clients(raw)

	u, err := alice.Users.GetUser(ctx, connect.NewRequest(&mgmt.GetUserRequest{}))
	if err != nil {
		t.Fatalf("GetUser: %v", err)
	}
	if u.Msg.GetUser().GetKind() != "oidc" || u.Msg.GetUser().GetDisplayName() == "" {
		t.Fatalf("GetUser = %v, want an oidc user", u.Msg.GetUser())
	}
	accts, err := alice.Users.GetUserAccounts(ctx, connect.NewRequest(&mgmt.GetUserAccountsRequest{}))
	if err != nil {
		t.Fatal(err)
	}
	if len(accts.Msg.GetAccounts()) != 1 || accts.Msg.GetAccounts()[0].GetType() != mgmt.UserAccountType_USER_ACCOUNT_TYPE_PERSONAL ||
		accts.Msg.GetAccounts()[0].GetRole() != mgmt.AccountRole_ACCOUNT_ROLE_ADMIN {
		t.Fatalf("accounts = %v, want one personal account with the admin role", accts.Msg.GetAccounts())
	}
	personal := accts.Msg.GetAccounts()[0].GetId()

	// The same person through the CLI's client is the same user.
	again, err := env.api.Clients(env.token(t, devoidc.NativeClientID, "alice")).Users.GetUser(ctx, connect.NewRequest(&mgmt.GetUserRequest{}))
	if err != nil || again.Msg.GetUser().GetId() != u.Msg.GetUser().GetId() {
		t.Fatalf("second sign-in = %v, %v; want the same user", again, err)
	}

	// An API key made by a signed-in admin works beside OIDC.
	key, err := alice.Keys.CreateAccountApiKey(ctx, connect.NewRequest(&mgmt.CreateAccountApiKeyRequest{AccountId: personal, Name: "ci", ExpiresAt: timestamppb.New(time.Now().Add(time.Hour))}))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := env.api.Clients(key.Msg.GetApiKey().GetKeyValue()).Connections.GetConnections(ctx, connect.NewRequest(&mgmt.GetConnectionsRequest{AccountId: personal})); err != nil {
		t.Fatalf("API key in oidc mode: %v", err)
	}

	refused := func(what string, c apitest.Clients, wantMsg string) {
		t.Helper()
		_, err := c.Users.GetUser(ctx, connect.NewRequest(&mgmt.GetUserRequest{}))
		if apitest.Code(t, err) != connect.CodeUnauthenticated {
			t.Fatalf("%s: %v, want Unauthenticated", what, err)
		}
		if !strings.Contains(err.Error(), wantMsg) {
			t.Fatalf("%s: %q does not say %q", what, err, wantMsg)
		}
	}
	refused("no token", env.api.Clients(""), "")
	// Before signing in, `neosync login` learns where to sign in.
	info, err := env.api.Clients("").Users.GetSystemInformation(ctx, connect.NewRequest(&mgmt.GetSystemInformationRequest{}))
	if err != nil || info.Msg.GetAuthMode() != "oidc" || info.Msg.GetOidcIssuer() != env.op.Issuer || info.Msg.GetOidcCliClientId() != devoidc.NativeClientID {
		t.Fatalf("GetSystemInformation without a token = %v, %v", info, err)
	}
	_, err = env.api.Clients("not.a.jwt").Users.GetSystemInformation(ctx, connect.NewRequest(&mgmt.GetSystemInformationRequest{}))
	wantCode(t, "system information with a bad token", err, connect.CodeUnauthenticated)
	refused("garbage", env.api.Clients("not.a.jwt"), "not valid")
	refused("tampered", env.api.Clients(raw[:len(raw)-4]+"AAAA"), "not valid")
	refused("another client's token", env.api.Clients(env.token(t, devoidc.APIClientID, "alice")), "not for this server")

	// The provider's ID tokens live an hour: two hours on, alice's is expired.
	env.offset.Store(int64(2 * time.Hour))
	refused("expired", alice, "expired")
	env.offset.Store(0)

	// Rotation: the restarted provider signs with a new key. New tokens are
	// accepted (the API fetches the new JWKS); the old one is not.
	if err := env.op.Restart(ctx); err != nil {
		t.Fatal(err)
	}
	fresh := env.signIn(t, "alice")
	if _, err := fresh.Users.GetUser(ctx, connect.NewRequest(&mgmt.GetUserRequest{})); err != nil {
		t.Fatalf("token signed with the rotated key: %v", err)
	}
	refused("token signed with the retired key", alice, "not valid")
}
