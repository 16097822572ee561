package devoidc_test

import (
	"context"
	"testing"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"

	"github.com/neosyncio/neosync/backend/pkg/devoidc"
)

// TestLoginAndRotation signs in through the real provider's login page,
// verifies the ID token against its JWKS, and checks that a restart signs
// with a new key that the old token does not carry.
func TestLoginAndRotation(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	const redirect = "http://127.0.0.1:1/callback"
	op, err := devoidc.Start(ctx, devoidc.Options{
		RedirectURIs: []string{redirect},
		Users:        []devoidc.User{{ID: "u-alice", Username: "alice", Password: "alice-pw", Name: "Alice Doe", Email: "alice@example.com"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = op.Stop() })

	cfg, err := op.OAuthConfig(ctx, devoidc.WebClientID, devoidc.ClientSecret, redirect)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := op.Login(ctx, cfg, "alice", "wrong"); err == nil {
		t.Fatal("a wrong password signed in")
	}
	tok, err := op.Login(ctx, cfg, "alice", "alice-pw")
	if err != nil {
		t.Fatal(err)
	}
	raw, err := devoidc.IDToken(tok)
	if err != nil {
		t.Fatal(err)
	}
	provider, err := oidc.NewProvider(ctx, op.Issuer)
	if err != nil {
		t.Fatal(err)
	}
	verifier := provider.Verifier(&oidc.Config{ClientID: devoidc.WebClientID})
	idt, err := verifier.Verify(ctx, raw)
	if err != nil {
		t.Fatalf("verify: %v", err)
	}
	if idt.Subject != "u-alice" {
		t.Fatalf("subject %q, want u-alice", idt.Subject)
	}

	if err := op.Restart(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := oidc.NewProvider(ctx, op.Issuer); err != nil {
		t.Fatal(err)
	}
	fresh := oidc.NewVerifier(op.Issuer, oidc.NewRemoteKeySet(ctx, op.Issuer+"keys"), &oidc.Config{ClientID: devoidc.WebClientID})
	if _, err := fresh.Verify(ctx, raw); err == nil {
		t.Fatal("a token signed with the key from before the restart still verifies: the key did not rotate")
	}
}
