package devoidc

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"
)

// SignIn plays the person at the browser: it opens authURL (an authorization
// request to this provider), fills the provider's login page with username
// and password, and follows the provider's redirects until one leaves for
// redirectPrefix. It returns that redirect (which carries the code and
// state) without calling it, so the relying party under test receives it
// however it likes.
func SignIn(ctx context.Context, authURL, redirectPrefix, username, password string) (*url.URL, error) {
	jar, _ := cookiejar.New(nil)
	var final *url.URL
	hc := &http.Client{Jar: jar, CheckRedirect: func(req *http.Request, _ []*http.Request) error {
		if strings.HasPrefix(req.URL.String(), redirectPrefix) {
			final = req.URL
			return http.ErrUseLastResponse
		}
		return nil
	}}
	page, err := get(ctx, hc, authURL)
	if err != nil {
		return nil, err
	}
	if final != nil {
		return final, nil
	}
	if page.StatusCode != http.StatusOK || !strings.Contains(page.Request.URL.Path, "/login/username") {
		return nil, fmt.Errorf("authorization request did not reach the login page: %s at %s", page.Status, page.Request.URL)
	}
	form := url.Values{
		"id":       {page.Request.URL.Query().Get("authRequestID")},
		"username": {username},
		"password": {password},
	}
	login := page.Request.URL.ResolveReference(&url.URL{Path: "/login/username"})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, login.String(), strings.NewReader(form.Encode()))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := hc.Do(req)
	if err != nil {
		return nil, err
	}
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
	_ = resp.Body.Close()
	if final == nil {
		return nil, fmt.Errorf("sign-in as %q did not return to %s (%s): %s", username, redirectPrefix, resp.Status, pageText(body))
	}
	return final, nil
}

func get(ctx context.Context, hc *http.Client, u string) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, err
	}
	resp, err := hc.Do(req)
	if err != nil {
		return nil, err
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	_ = resp.Body.Close()
	return resp, nil
}

// pageText keeps an error page short enough for a test failure.
func pageText(b []byte) string {
	s := strings.Join(strings.Fields(string(b)), " ")
	if len(s) > 300 {
		s = s[:300] + "…"
	}
	return s
}

// OAuthConfig is the oauth2 configuration of clientID at this provider, its
// endpoints read from discovery. secret is empty for the public native client.
func (s *Server) OAuthConfig(ctx context.Context, clientID, secret, redirectURI string) (*oauth2.Config, error) {
	p, err := oidc.NewProvider(ctx, s.Issuer)
	if err != nil {
		return nil, err
	}
	return &oauth2.Config{
		ClientID:     clientID,
		ClientSecret: secret,
		RedirectURL:  redirectURI,
		Scopes:       []string{oidc.ScopeOpenID, "profile", "email", oidc.ScopeOfflineAccess},
		Endpoint:     p.Endpoint(),
	}, nil
}

// Login signs username in through the login page with the authorization
// code flow and PKCE, and returns the token response; its "id_token" extra
// is the OIDC ID token.
func (s *Server) Login(ctx context.Context, cfg *oauth2.Config, username, password string) (*oauth2.Token, error) {
	verifier := oauth2.GenerateVerifier()
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	state := hex.EncodeToString(b)
	back, err := SignIn(ctx, cfg.AuthCodeURL(state, oauth2.S256ChallengeOption(verifier)), cfg.RedirectURL, username, password)
	if err != nil {
		return nil, err
	}
	if got := back.Query().Get("state"); got != state {
		return nil, fmt.Errorf("state mismatch: sent %q, got %q", state, got)
	}
	code := back.Query().Get("code")
	if code == "" {
		return nil, fmt.Errorf("no code in %s", back.Redacted())
	}
	return cfg.Exchange(ctx, code, oauth2.VerifierOption(verifier))
}

// IDToken returns the ID token of a token response.
func IDToken(t *oauth2.Token) (string, error) {
	raw, _ := t.Extra("id_token").(string)
	if raw == "" {
		return "", errors.New("the token response has no id_token")
	}
	return raw, nil
}
