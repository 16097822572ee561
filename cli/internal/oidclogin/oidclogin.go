// Package oidclogin signs the CLI in at an OpenID Provider with the
// authorization code flow, PKCE and a loopback redirect (RFC 8252), keeps
// the tokens in the configuration directory (mode 0600) and refreshes them
// when the ID token the API accepts has expired.
package oidclogin

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"html"

	"io/fs"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"
)

// TokenFile is the token store inside the configuration directory.
const TokenFile = "oidc-token.json"

// Tokens is what the CLI keeps between commands.
type Tokens struct {
	Issuer       string    `json:"issuer"`
	ClientID     string    `json:"client_id"`
	IDToken      string    `json:"id_token"`
	AccessToken  string    `json:"access_token,omitempty"`
	RefreshToken string    `json:"refresh_token,omitempty"`
	Expiry       time.Time `json:"expiry"`
}

// Flow is one sign-in.
type Flow struct {
	Issuer   string
	ClientID string
	// Show is told the URL to open (printed, and opened in a browser by the
	// caller when it can).
	Show func(url string)
}

// Run waits for the person to sign in at the provider and returns their
// tokens. The provider redirects the browser to a one-shot listener on
// 127.0.0.1; state and the PKCE verifier tie the answer to this request.
func (f Flow) Run(ctx context.Context) (Tokens, error) {
	provider, err := oidc.NewProvider(ctx, f.Issuer)
	if err != nil {
		return Tokens{}, fmt.Errorf("cannot reach the identity provider %s: %w", f.Issuer, err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return Tokens{}, err
	}
	defer ln.Close()
	cfg := &oauth2.Config{
		ClientID:    f.ClientID,
		Endpoint:    provider.Endpoint(),
		RedirectURL: fmt.Sprintf("http://127.0.0.1:%d/callback", ln.Addr().(*net.TCPAddr).Port),
		Scopes:      []string{oidc.ScopeOpenID, "profile", "email", oidc.ScopeOfflineAccess},
	}
	verifier := oauth2.GenerateVerifier()
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	state := hex.EncodeToString(b)

	codes := make(chan string, 1)
	errs := make(chan error, 1)
	srv := &http.Server{ReadHeaderTimeout: 10 * time.Second, Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/callback" {
			http.NotFound(w, r)
			return
		}
		q := r.URL.Query()
		switch {
		case q.Get("state") != state:
			http.Error(w, "This answer is not for the sign-in the CLI started.", http.StatusBadRequest)
			return
		case q.Get("error") != "":
			msg := q.Get("error") + ": " + q.Get("error_description")
			fmt.Fprintf(w, "Sign-in failed: %s. You can close this tab.", html.EscapeString(msg))
			errs <- fmt.Errorf("the identity provider refused the sign-in: %s", msg)
			return
		}
		fmt.Fprint(w, "Signed in to Neosync. You can close this tab and return to the terminal.")
		codes <- q.Get("code")
	})}
	go func() { _ = srv.Serve(ln) }()
	defer srv.Close()

	f.Show(cfg.AuthCodeURL(state, oauth2.S256ChallengeOption(verifier)))
	var code string
	select {
	case code = <-codes:
	case err := <-errs:
		return Tokens{}, err
	case <-ctx.Done():
		return Tokens{}, fmt.Errorf("sign-in not completed: %w", ctx.Err())
	}
	tok, err := cfg.Exchange(ctx, code, oauth2.VerifierOption(verifier))
	if err != nil {
		return Tokens{}, fmt.Errorf("the identity provider refused the code: %w", err)
	}
	return fromOAuth(f.Issuer, f.ClientID, tok, "")
}

// fromOAuth keeps a token response; a refresh may omit the refresh token
// (keep the old one).
func fromOAuth(issuer, clientID string, tok *oauth2.Token, oldRefresh string) (Tokens, error) {
	raw, _ := tok.Extra("id_token").(string)
	if raw == "" {
		return Tokens{}, errors.New("the identity provider returned no ID token (is the openid scope allowed for this client?)")
	}
	exp, err := idTokenExpiry(raw)
	if err != nil {
		return Tokens{}, err
	}
	t := Tokens{Issuer: issuer, ClientID: clientID, IDToken: raw, AccessToken: tok.AccessToken, RefreshToken: tok.RefreshToken, Expiry: exp}
	if t.RefreshToken == "" {
		t.RefreshToken = oldRefresh
	}
	return t, nil
}

// idTokenExpiry reads exp without verifying: the API verifies the token;
// the CLI only needs to know when to refresh it.
func idTokenExpiry(raw string) (time.Time, error) {
	var claims struct {
		Exp int64 `json:"exp"`
	}
	if err := unverifiedClaims(raw, &claims); err != nil || claims.Exp == 0 {
		return time.Time{}, errors.New("the ID token has no expiry")
	}
	return time.Unix(claims.Exp, 0), nil
}

// Load reads the stored tokens; ok is false when there are none.
func Load(dir string) (Tokens, bool, error) {
	b, err := os.ReadFile(filepath.Join(dir, TokenFile))
	if errors.Is(err, fs.ErrNotExist) {
		return Tokens{}, false, nil
	}
	if err != nil {
		return Tokens{}, false, err
	}
	var t Tokens
	if err := json.Unmarshal(b, &t); err != nil {
		return Tokens{}, false, fmt.Errorf("%s is damaged (%v): run neosync login again", filepath.Join(dir, TokenFile), err)
	}
	return t, true, nil
}

// Save writes t atomically with mode 0600, creating dir with mode 0700.
func Save(dir string, t Tokens) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	b, err := json.MarshalIndent(t, "", "  ")
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(dir, ".oidc-token-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(b); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), filepath.Join(dir, TokenFile))
}

// Remove deletes the stored tokens (logout).
func Remove(dir string) error {
	err := os.Remove(filepath.Join(dir, TokenFile))
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	return err
}

// refreshMargin refreshes a token this long before it expires, so it does
// not expire on the way to the API.
const refreshMargin = time.Minute

// Fresh returns an ID token valid for at least a minute, refreshing (and
// storing) the tokens in dir when needed.
func Fresh(ctx context.Context, hc *http.Client, dir string, t Tokens, now time.Time) (string, error) {
	if now.Add(refreshMargin).Before(t.Expiry) {
		return t.IDToken, nil
	}
	if t.RefreshToken == "" {
		return "", errors.New("your sign-in has expired: run neosync login")
	}
	if hc != nil {
		ctx = oidc.ClientContext(ctx, hc)
	}
	provider, err := oidc.NewProvider(ctx, t.Issuer)
	if err != nil {
		return "", fmt.Errorf("cannot reach the identity provider %s to refresh your sign-in: %w", t.Issuer, err)
	}
	cfg := &oauth2.Config{ClientID: t.ClientID, Endpoint: provider.Endpoint()}
	tok, err := cfg.TokenSource(ctx, &oauth2.Token{RefreshToken: t.RefreshToken}).Token()
	if err != nil {
		return "", fmt.Errorf("your sign-in has expired and cannot be refreshed (%v): run neosync login", err)
	}
	nt, err := fromOAuth(t.Issuer, t.ClientID, tok, t.RefreshToken)
	if err != nil {
		return "", err
	}
	if err := Save(dir, nt); err != nil {
		return "", err
	}
	return nt.IDToken, nil
}
