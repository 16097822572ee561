package server_test

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"connectrpc.com/connect"
	"golang.org/x/oauth2"

	mgmt "github.com/neosyncio/neosync/backend/gen/go/protos/mgmt/v1alpha1"
	"github.com/neosyncio/neosync/backend/internal/apitest"
	"github.com/neosyncio/neosync/backend/internal/auth"
	"github.com/neosyncio/neosync/backend/pkg/devoidc"
)

// redirectURI is registered with the provider; tests never serve it: the
// login driver stops at the redirect and exchanges the code itself.
const redirectURI = "http://127.0.0.1:1/callback"

// oidcEnv is an API in oidc mode beside a real OpenID Provider.
type oidcEnv struct {
	api *apitest.API
	op  *devoidc.Server
	// offset moves the API's clock forward.
	offset atomic.Int64
}

// people on the provider's login page; the password is the username + "-pw".
var people = []string{"alice", "bob", "carol", "dev", "exec", "view", "mallory"}

func startOIDC(t *testing.T) *oidcEnv {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	users := make([]devoidc.User, 0, len(people))
	for _, p := range people {
		users = append(users, devoidc.User{ID: "sub-" + p, Username: p, Password: p + "-pw", Name: p + " Example", Email: p + "@example.com"})
	}
	op, err := devoidc.Start(ctx, devoidc.Options{RedirectURIs: []string{redirectURI}, Users: users})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = op.Stop() })
	env := &oidcEnv{op: op}
	env.api = apitest.Start(t, apitest.Options{
		AuthMode: auth.ModeOIDC,
		OIDC:     auth.OIDCConfig{Issuer: op.Issuer, Audiences: []string{devoidc.WebClientID, devoidc.NativeClientID}, CLIClientID: devoidc.NativeClientID},
		Clock:    func() time.Time { return time.Now().Add(time.Duration(env.offset.Load())) },
	})
	return env
}

// login signs person in through the provider's login page with clientID.
func (e *oidcEnv) login(t *testing.T, clientID, person string) *oauth2.Token {
	t.Helper()
	ctx := apitest.Ctx(t)
	cfg, err := e.op.OAuthConfig(ctx, clientID, devoidc.ClientSecret, redirectURI)
	if err != nil {
		t.Fatal(err)
	}
	tok, err := e.op.Login(ctx, cfg, person, person+"-pw")
	if err != nil {
		t.Fatalf("sign in as %s: %v", person, err)
	}
	return tok
}

// token signs person in with clientID and returns their ID token.
func (e *oidcEnv) token(t *testing.T, clientID, person string) string {
	t.Helper()
	raw, err := devoidc.IDToken(e.login(t, clientID, person))
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

// signIn returns clients acting as person, signed in through the web
// client, after handing the API their access token (as the web app does)
// so it reads their name and verified email from the provider.
func (e *oidcEnv) signIn(t *testing.T, person string) apitest.Clients {
	t.Helper()
	tok := e.login(t, devoidc.WebClientID, person)
	raw, err := devoidc.IDToken(tok)
	if err != nil {
		t.Fatal(err)
	}
	c := e.api.Clients(raw)
	u, err := c.Users.SetUser(apitest.Ctx(t), connect.NewRequest(&mgmt.SetUserRequest{AccessToken: tok.AccessToken}))
	if err != nil {
		t.Fatalf("SetUser as %s: %v", person, err)
	}
	if u.Msg.GetUser().GetEmail() != person+"@example.com" {
		t.Fatalf("%s's email = %q after SetUser", person, u.Msg.GetUser().GetEmail())
	}
	return c
}

// teamAccount creates a team account as c and returns its id.
func teamAccount(t *testing.T, c apitest.Clients, name string) string {
	t.Helper()
	resp, err := c.Users.CreateTeamAccount(apitest.Ctx(t), connect.NewRequest(&mgmt.CreateTeamAccountRequest{Name: name}))
	if err != nil {
		t.Fatalf("CreateTeamAccount %s: %v", name, err)
	}
	return resp.Msg.GetAccountId()
}

// join invites person's email to accountID with role (as admin) and has
// them accept.
func join(t *testing.T, admin, member apitest.Clients, accountID, person string, role mgmt.AccountRole) {
	t.Helper()
	ctx := apitest.Ctx(t)
	inv, err := admin.Users.InviteUserToTeamAccount(ctx, connect.NewRequest(&mgmt.InviteUserToTeamAccountRequest{AccountId: accountID, Email: person + "@example.com", Role: role}))
	if err != nil {
		t.Fatalf("invite %s: %v", person, err)
	}
	if _, err := member.Users.AcceptTeamAccountInvite(ctx, connect.NewRequest(&mgmt.AcceptTeamAccountInviteRequest{Token: inv.Msg.GetToken()})); err != nil {
		t.Fatalf("%s accepts: %v", person, err)
	}
}
