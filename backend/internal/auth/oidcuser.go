package auth

import (
	"context"

	"github.com/google/uuid"

	"github.com/neosyncio/neosync/backend/internal/domain"
	"github.com/neosyncio/neosync/backend/internal/store"
)

// fromOIDC verifies an ID token and returns its user, creating the user
// and their personal account on first sign-in.
func (a *Authenticator) fromOIDC(ctx context.Context, raw string) (*Principal, error) {
	id, err := a.oidc.verify(ctx, raw)
	if err != nil {
		return nil, err
	}
	uid, name, err := a.oidcUser(ctx, id)
	if err != nil {
		return nil, err
	}
	p, err := a.userPrincipal(ctx, uid, name)
	if err != nil {
		return nil, err
	}
	p.Subject = id.subject
	return p, nil
}

// RefreshProfile reads the caller's name and verified email from the
// provider's userinfo endpoint with their access token and stores them.
// Only OIDC callers have a profile to refresh.
func (a *Authenticator) RefreshProfile(ctx context.Context, p *Principal, accessToken string) error {
	if a.oidc == nil || p.Subject == "" {
		return domain.FailedPrecondition("only people signed in with OIDC have a profile at an identity provider")
	}
	id, err := a.oidc.userInfo(ctx, p.Subject, accessToken)
	if err != nil {
		return err
	}
	var email *string
	if id.email != "" {
		email = &id.email
	}
	return a.store.UpdateUserProfile(ctx, store.UpdateUserProfileParams{ID: p.UserID, DisplayName: id.name, Email: email})
}

// oidcUser finds or creates the user of a verified identity and returns
// their id and name. A token that names the person (name, verified email)
// updates the stored profile; one that does not leaves what RefreshProfile
// stored.
func (a *Authenticator) oidcUser(ctx context.Context, id identity) (uuid.UUID, string, error) {
	var email *string
	if id.email != "" {
		email = &id.email
	}
	u, err := a.store.GetUserByProviderSubject(ctx, &id.subject)
	if err == nil {
		if email != nil && (u.DisplayName != id.name || !sameString(u.Email, email)) {
			err = a.store.UpdateUserProfile(ctx, store.UpdateUserProfileParams{ID: u.ID, DisplayName: id.name, Email: email})
			u.DisplayName = id.name
		}
		return u.ID, u.DisplayName, err
	}
	if !store.IsNotFound(err) {
		return uuid.Nil, "", err
	}
	var uid uuid.UUID
	err = a.store.InTx(ctx, func(q *store.Queries) error {
		u, err := q.CreateOIDCUser(ctx, store.CreateOIDCUserParams{DisplayName: id.name, ProviderSubject: &id.subject, Email: email})
		if err != nil {
			return err
		}
		uid = u.ID
		acct, err := q.CreateAccount(ctx, store.CreateAccountParams{Name: "personal", AccountType: "personal", PersonalUserID: &u.ID})
		if err != nil {
			return err
		}
		return q.AddAccountMemberWithRole(ctx, store.AddAccountMemberWithRoleParams{AccountID: acct.ID, UserID: u.ID, Role: string(RoleAdmin)})
	})
	if store.IsUniqueViolation(err) {
		// A concurrent first request created the user.
		u, err := a.store.GetUserByProviderSubject(ctx, &id.subject)
		return u.ID, u.DisplayName, err
	}
	return uid, id.name, err
}

func sameString(a, b *string) bool {
	if a == nil || b == nil {
		return a == b
	}
	return *a == *b
}
