package auth

import (
	"context"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/neosyncio/neosync/backend/internal/domain"
	"github.com/neosyncio/neosync/backend/internal/domain/apikey"
	"github.com/neosyncio/neosync/backend/internal/store"
)

// LocalUserSubject identifies the single user of ModeNone.
const LocalUserSubject = "local:default"

// Authenticator turns an Authorization header into a Principal.
type Authenticator struct {
	mode  Mode
	store *store.Store
	now   func() time.Time
	oidc  *tokenVerifier

	mu          sync.Mutex
	localUserID uuid.UUID
}

// NewAuthenticator returns an authenticator for mode; oidcCfg is used in
// ModeOIDC only.
func NewAuthenticator(mode Mode, st *store.Store, oidcCfg OIDCConfig) *Authenticator {
	a := &Authenticator{mode: mode, store: st, now: time.Now}
	if mode == ModeOIDC {
		a.oidc = &tokenVerifier{cfg: oidcCfg, now: func() time.Time { return a.now() }}
	}
	return a
}

// SetClock replaces the clock that decides whether keys and tokens have
// expired (tests move it forward instead of waiting).
func (a *Authenticator) SetClock(now func() time.Time) { a.now = now }

// isAPIKey tells an API key from an OIDC token by its prefix.
func isAPIKey(token string) bool {
	return strings.HasPrefix(token, apikey.AccountKeyPrefix) || strings.HasPrefix(token, apikey.WorkerKeyPrefix)
}

// Authenticate resolves the caller. A presented key must be valid in every
// mode — a bad key never falls back to the local user. In ModeOIDC a bearer
// that is not an API key is verified as an OIDC ID token.
func (a *Authenticator) Authenticate(ctx context.Context, authorization string) (*Principal, error) {
	token, hasToken := bearerToken(authorization)
	if hasToken && a.oidc != nil && !isAPIKey(token) {
		return a.fromOIDC(ctx, token)
	}
	if hasToken {
		return a.fromAPIKey(ctx, token)
	}
	if authorization != "" {
		return nil, domain.ErrUnauthenticated
	}
	if a.mode != ModeNone {
		return nil, domain.ErrUnauthenticated
	}
	uid, err := a.localUser(ctx)
	if err != nil {
		return nil, err
	}
	return a.userPrincipal(ctx, uid, "Local user")
}

// userPrincipal is a person with their memberships and roles.
func (a *Authenticator) userPrincipal(ctx context.Context, uid uuid.UUID, name string) (*Principal, error) {
	ms, err := a.store.GetMembershipsForUser(ctx, uid)
	if err != nil {
		return nil, err
	}
	p := &Principal{Kind: KindUser, UserID: uid, Name: name, Roles: make(map[uuid.UUID]Role, len(ms))}
	for _, m := range ms {
		p.Scope.AccountIDs = append(p.Scope.AccountIDs, m.AccountID)
		p.Roles[m.AccountID] = Role(m.Role)
	}
	return p, nil
}

func bearerToken(h string) (string, bool) {
	scheme, tok, ok := strings.Cut(strings.TrimSpace(h), " ")
	if !ok || !strings.EqualFold(scheme, "bearer") {
		return "", false
	}
	tok = strings.TrimSpace(tok)
	return tok, tok != ""
}

func (a *Authenticator) fromAPIKey(ctx context.Context, token string) (*Principal, error) {
	row, err := a.store.GetApiKeyByHash(ctx, apikey.Hash(token))
	if store.IsNotFound(err) {
		return nil, domain.ErrUnauthenticated
	}
	if err != nil {
		return nil, err
	}
	if !row.ExpiresAt.After(a.now()) {
		return nil, domain.ErrUnauthenticated
	}
	_ = a.store.TouchApiKey(ctx, row.ID)
	p := &Principal{UserID: row.UserID, APIKeyID: row.ID, Name: "api key " + row.Name}
	switch row.KeyType {
	case "worker":
		p.Kind = KindWorker
		p.Scope = domain.Scope{All: true}
	default:
		// Only admins create account keys, so a key acts as an admin of
		// its one account.
		p.Kind = KindAccountKey
		p.Scope = domain.Scope{AccountIDs: []uuid.UUID{*row.AccountID}}
		p.Roles = map[uuid.UUID]Role{*row.AccountID: RoleAdmin}
	}
	return p, nil
}

// localUser returns the single user of ModeNone, creating it and its personal
// account on first use.
func (a *Authenticator) localUser(ctx context.Context) (uuid.UUID, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.localUserID != uuid.Nil {
		return a.localUserID, nil
	}
	var uid uuid.UUID
	err := a.store.InTx(ctx, func(q *store.Queries) error {
		subject := LocalUserSubject
		u, err := q.GetUserByProviderSubject(ctx, &subject)
		if store.IsNotFound(err) {
			u, err = q.CreateUser(ctx, store.CreateUserParams{Kind: "local", DisplayName: "Local user", ProviderSubject: &subject})
		}
		if err != nil {
			return err
		}
		uid = u.ID
		if _, err := q.GetPersonalAccount(ctx, &u.ID); store.IsNotFound(err) {
			acct, err := q.CreateAccount(ctx, store.CreateAccountParams{Name: "personal", AccountType: "personal", PersonalUserID: &u.ID})
			if err != nil {
				return err
			}
			return q.AddAccountMember(ctx, store.AddAccountMemberParams{AccountID: acct.ID, UserID: u.ID})
		} else if err != nil {
			return err
		}
		return nil
	})
	if err != nil {
		return uuid.Nil, err
	}
	a.localUserID = uid
	return uid, nil
}

// workerProcedures are the only RPCs a worker key may call.
var workerProcedures = map[string]bool{
	"/mgmt.v1alpha1.JobService/GetJob":                                   true,
	"/mgmt.v1alpha1.JobService/GetJobs":                                  true,
	"/mgmt.v1alpha1.ConnectionService/GetConnection":                     true,
	"/mgmt.v1alpha1.ConnectionDataService/GetConnectionSchema":           true,
	"/mgmt.v1alpha1.ConnectionDataService/GetConnectionTableConstraints": true,
	"/mgmt.v1alpha1.TransformersService/GetSystemTransformers":           true,
	"/mgmt.v1alpha1.TransformersService/GetUserDefinedTransformerById":   true,
	"/mgmt.v1alpha1.UserAccountService/GetSystemInformation":             true,
}

// workerOnlyServicePrefix is the service only worker keys may call.
const workerOnlyServicePrefix = "/mgmt.v1alpha1.WorkerService/"

// Authorize checks that p may call procedure (a Connect procedure path).
func Authorize(p *Principal, procedure string) error {
	workerOnly := strings.HasPrefix(procedure, workerOnlyServicePrefix)
	if p.Kind == KindWorker && !workerProcedures[procedure] && !workerOnly {
		return &domain.PermissionDeniedError{Reason: "a worker key may not call " + procedure}
	}
	if p.Kind != KindWorker && workerOnly {
		return &domain.PermissionDeniedError{Reason: procedure + " is reserved for workers (use a worker key)"}
	}
	return nil
}
