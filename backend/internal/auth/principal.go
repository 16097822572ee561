// Package auth identifies the caller of the API and the accounts they may
// act in. It knows nothing about the transport: the RPC layer hands it the
// Authorization header and stores the resulting Principal in the context.
package auth

import (
	"context"

	"github.com/google/uuid"

	"github.com/neosyncio/neosync/backend/internal/domain"
)

// Mode is the server's authentication mode (NEOSYNC_AUTH_MODE).
type Mode string

const (
	// ModeNone is single-user mode: callers without a key act as the local user.
	ModeNone Mode = "none"
	// ModeAPIKey requires `Authorization: Bearer <key>` on every call.
	ModeAPIKey Mode = "apikey"
	// ModeOIDC accepts OIDC ID tokens from one issuer, and API keys.
	ModeOIDC Mode = "oidc"
)

// Kind tells what sort of caller a Principal is.
type Kind string

const (
	// KindUser is a person (the local user in single-user mode).
	KindUser Kind = "user"
	// KindAccountKey is an account API key; it acts in its one account.
	KindAccountKey Kind = "account_key"
	// KindWorker is a worker key: every account, a fixed set of procedures,
	// and the only caller that may read connection secrets.
	KindWorker Kind = "worker"
)

// Principal is an authenticated caller.
type Principal struct {
	Kind   Kind
	UserID uuid.UUID
	// Scope is the set of accounts the caller may use.
	Scope domain.Scope
	// APIKeyID is set for key-based callers.
	APIKeyID uuid.UUID
	// Roles is the caller's role in each account of Scope (nil for workers).
	Roles map[uuid.UUID]Role
	// Name is how the audit trail names the caller.
	Name string
	// Subject is an OIDC caller's issuer-qualified subject ("" otherwise).
	Subject string
}

// IsWorker reports whether the caller is a worker, which may read secrets.
func (p *Principal) IsWorker() bool { return p.Kind == KindWorker }

type principalKey struct{}

// WithPrincipal stores p in ctx.
func WithPrincipal(ctx context.Context, p *Principal) context.Context {
	return context.WithValue(ctx, principalKey{}, p)
}

// FromContext returns the caller, or ErrUnauthenticated when there is none.
func FromContext(ctx context.Context) (*Principal, error) {
	p, ok := ctx.Value(principalKey{}).(*Principal)
	if !ok || p == nil {
		return nil, domain.ErrUnauthenticated
	}
	return p, nil
}
