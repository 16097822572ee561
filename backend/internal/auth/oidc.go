package auth

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/neosyncio/neosync/backend/internal/domain"
)

// OIDCConfig configures NEOSYNC_AUTH_MODE=oidc.
type OIDCConfig struct {
	// Issuer is the provider's issuer URL (NEOSYNC_OIDC_ISSUER); its
	// discovery document names the JWKS.
	Issuer string
	// Audiences are the accepted "aud" values (NEOSYNC_OIDC_AUDIENCE, comma
	// separated): the client ids of the web app and the CLI.
	Audiences []string
	// CLIClientID is the public client `neosync login` uses
	// (NEOSYNC_OIDC_CLI_CLIENT_ID); it is told to the CLI, not checked here.
	CLIClientID string
}

// identity is what a verified token says about its bearer.
type identity struct {
	subject string // issuer-qualified, unique per person
	name    string
	email   string // only when the provider marked it verified
}

// tokenVerifier checks OIDC ID tokens with the issuer's published keys.
// go-oidc caches the JWKS and fetches it again when a token names a key id
// it has not seen, so the provider may rotate keys at any time.
type tokenVerifier struct {
	cfg OIDCConfig
	now func() time.Time

	mu       sync.Mutex
	provider *oidc.Provider
	verifier *oidc.IDTokenVerifier
}

// discoveryTimeout bounds a call to the provider's discovery or JWKS URL.
const discoveryTimeout = 10 * time.Second

// get discovers the provider on first use (so the API starts while the
// provider is down), and again after a failure.
func (v *tokenVerifier) get(ctx context.Context) (*oidc.IDTokenVerifier, error) {
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.verifier != nil {
		return v.verifier, nil
	}
	// go-oidc keeps the context's values (the HTTP client) for its later
	// JWKS fetches and drops its cancellation.
	dctx, cancel := context.WithTimeout(oidc.ClientContext(ctx, &http.Client{Timeout: discoveryTimeout}), discoveryTimeout)
	defer cancel()
	p, err := oidc.NewProvider(dctx, v.cfg.Issuer)
	if err != nil {
		return nil, &domain.UnavailableError{Reason: fmt.Sprintf("the identity provider %s cannot be reached: %v", v.cfg.Issuer, err)}
	}
	v.provider = p
	v.verifier = p.Verifier(&oidc.Config{SkipClientIDCheck: true, Now: v.now})
	return v.verifier, nil
}

// verify checks signature, issuer, expiry and audience and returns who the
// token is for.
func (v *tokenVerifier) verify(ctx context.Context, raw string) (identity, error) {
	ver, err := v.get(ctx)
	if err != nil {
		return identity{}, err
	}
	tok, err := ver.Verify(ctx, raw)
	if err != nil {
		var expired *oidc.TokenExpiredError
		if errors.As(err, &expired) {
			return identity{}, &domain.UnauthenticatedError{Reason: "the sign-in token has expired: sign in again (neosync login)"}
		}
		return identity{}, &domain.UnauthenticatedError{Reason: "the sign-in token is not valid for this server: " + err.Error()}
	}
	if !slices.ContainsFunc(tok.Audience, func(a string) bool { return slices.Contains(v.cfg.Audiences, a) }) {
		return identity{}, &domain.UnauthenticatedError{Reason: fmt.Sprintf(
			"the sign-in token is for %s, not for this server (NEOSYNC_OIDC_AUDIENCE)", strings.Join(tok.Audience, ", "))}
	}
	var c profileClaims
	if err := tok.Claims(&c); err != nil {
		return identity{}, &domain.UnauthenticatedError{Reason: "the sign-in token's claims cannot be read"}
	}
	return c.identity(subjectOf(tok.Issuer, tok.Subject), tok.Subject), nil
}

// subjectOf is the stored, issuer-qualified subject of a person.
func subjectOf(issuer, sub string) string { return "oidc:" + issuer + "#" + sub }

// profileClaims are the standard claims naming a person, in an ID token or
// a userinfo answer.
type profileClaims struct {
	Name          string `json:"name"`
	PreferredName string `json:"preferred_username"`
	Email         string `json:"email"`
	EmailVerified *bool  `json:"email_verified"`
}

func (c profileClaims) identity(subject, sub string) identity {
	id := identity{subject: subject}
	if c.EmailVerified != nil && *c.EmailVerified {
		id.email = strings.ToLower(c.Email)
	}
	for _, n := range []string{c.Name, c.PreferredName, id.email, sub} {
		if n != "" {
			id.name = n
			break
		}
	}
	return id
}

// userInfo asks the provider's userinfo endpoint who accessToken belongs
// to; it must be the same person as subject.
func (v *tokenVerifier) userInfo(ctx context.Context, subject, accessToken string) (identity, error) {
	if _, err := v.get(ctx); err != nil {
		return identity{}, err
	}
	info, err := v.provider.UserInfo(ctx, oauth2.StaticTokenSource(&oauth2.Token{AccessToken: accessToken}))
	if err != nil {
		return identity{}, domain.Invalid("access_token", "the identity provider refused it: %v", err)
	}
	if subjectOf(v.cfg.Issuer, info.Subject) != subject {
		return identity{}, domain.Invalid("access_token", "belongs to another person than the signed-in one")
	}
	var c profileClaims
	if err := info.Claims(&c); err != nil {
		return identity{}, err
	}
	return c.identity(subject, info.Subject), nil
}
