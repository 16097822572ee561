package auth

import (
	"context"
	"fmt"

	"github.com/google/uuid"

	"github.com/neosyncio/neosync/backend/internal/domain"
	"github.com/neosyncio/neosync/backend/internal/store"
)

// Resource is the kind of thing a request names by id; the authorization
// check finds the account that owns it.
type Resource string

// The resources a request may name.
const (
	ResourceAccount     Resource = "account"
	ResourceConnection  Resource = "connection"
	ResourceJob         Resource = "job"
	ResourceRun         Resource = "run"
	ResourceTransformer Resource = "transformer"
	ResourceAPIKey      Resource = "api_key"
	ResourceInvite      Resource = "invite"
)

// Target is the resource a request acts on.
type Target struct {
	Resource Resource
	ID       uuid.UUID
}

// Authorizer applies the role table: it finds the account a request acts
// in and checks the caller's role there. It is called once per request, by
// the RPC layer's interceptor, before any handler runs.
type Authorizer struct{ store *store.Store }

// NewAuthorizer returns an Authorizer reading resource owners from st.
func NewAuthorizer(st *store.Store) *Authorizer { return &Authorizer{store: st} }

// Check decides whether p may use perm on target. A nil target is an
// account-less action (checking an unsaved connection), allowed when p holds
// perm in at least one account. It returns the account the request acts in
// (uuid.Nil when unknown).
//
// An account p is not a member of is NotFound. A resource that does not
// exist, or belongs to such an account, passes: the handler's scoped lookup
// answers NotFound exactly as for a random id, so nothing is revealed. Only
// a member whose role lacks perm is refused here, with PermissionDenied.
func (a *Authorizer) Check(ctx context.Context, p *Principal, perm Permission, target *Target) (uuid.UUID, error) {
	if p.Kind == KindWorker {
		return uuid.Nil, nil
	}
	if target == nil {
		for _, r := range p.Roles {
			if r.Allows(perm) {
				return uuid.Nil, nil
			}
		}
		return uuid.Nil, &domain.PermissionDeniedError{Reason: fmt.Sprintf(
			"this needs the %s permission (role %s or above) in at least one of your accounts", perm, weakestHolding(perm).Label())}
	}
	if target.Resource == ResourceAccount && !p.Scope.Allows(target.ID) {
		// Naming an account is no secret; not being in it is NotFound,
		// whatever the handler would do with the rest of the request.
		return uuid.Nil, domain.NotFound("account", target.ID)
	}
	accountID, found, err := a.accountOf(ctx, *target)
	if err != nil || !found || !p.Scope.Allows(accountID) {
		return uuid.Nil, err
	}
	role := p.RoleIn(accountID)
	if !role.Allows(perm) {
		return accountID, &domain.PermissionDeniedError{Reason: fmt.Sprintf(
			"your role in this account is %s, which may not do this: it needs %s (role %s or above)",
			role.Label(), perm, weakestHolding(perm).Label())}
	}
	return accountID, nil
}

// accountOf finds the account owning target.
func (a *Authorizer) accountOf(ctx context.Context, t Target) (uuid.UUID, bool, error) {
	var (
		id  uuid.UUID
		err error
	)
	switch t.Resource {
	case ResourceAccount:
		return t.ID, true, nil
	case ResourceConnection:
		id, err = a.store.GetConnectionAccountID(ctx, t.ID)
	case ResourceJob:
		id, err = a.store.GetJobAccountID(ctx, t.ID)
	case ResourceRun:
		id, err = a.store.GetJobRunAccountID(ctx, t.ID)
	case ResourceTransformer:
		id, err = a.store.GetTransformerAccountID(ctx, t.ID)
	case ResourceInvite:
		id, err = a.store.GetInviteAccountID(ctx, t.ID)
	case ResourceAPIKey:
		var acct *uuid.UUID
		acct, err = a.store.GetApiKeyAccountID(ctx, t.ID)
		if err == nil && acct != nil {
			id = *acct
		}
	default:
		return uuid.Nil, false, fmt.Errorf("auth: unknown resource %q", t.Resource)
	}
	if store.IsNotFound(err) {
		return uuid.Nil, false, nil
	}
	if err != nil {
		return uuid.Nil, false, err
	}
	return id, id != uuid.Nil, nil
}
