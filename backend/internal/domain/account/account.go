// Package account answers who the caller is and manages the accounts
// (tenants) they belong to: a personal account per user and team accounts.
package account

import (
	"context"
	"time"

	"github.com/google/uuid"

	"github.com/neosyncio/neosync/backend/internal/auth"
	"github.com/neosyncio/neosync/backend/internal/domain"
	"github.com/neosyncio/neosync/backend/internal/domain/apikey"
	"github.com/neosyncio/neosync/backend/internal/store"
)

// Type is personal or team.
type Type string

const (
	// TypePersonal is a user's own account.
	TypePersonal Type = "personal"
	// TypeTeam is a shared account.
	TypeTeam Type = "team"
)

// User is a person or machine caller.
type User struct {
	ID          uuid.UUID
	DisplayName string
	Kind        string
	// Email is what the identity provider vouched for ("" when it did not).
	Email     string
	CreatedAt time.Time
}

// Account is a tenant.
type Account struct {
	ID        uuid.UUID
	Name      string
	Type      Type
	CreatedAt time.Time
}

// Service reads and creates users and accounts, and manages members and
// invitations of team accounts.
type Service struct {
	store    *store.Store
	profiles ProfileSource
	now      func() time.Time
}

// ProfileSource refreshes a person's name and email from their identity
// provider (*auth.Authenticator in oidc mode).
type ProfileSource interface {
	RefreshProfile(ctx context.Context, p *auth.Principal, accessToken string) error
}

// NewService returns a Service; profiles may be nil outside oidc mode.
func NewService(st *store.Store, profiles ProfileSource) *Service {
	return &Service{store: st, profiles: profiles, now: time.Now}
}

// SetClock replaces the clock that decides whether invitations have
// expired (tests move it forward instead of waiting).
func (s *Service) SetClock(now func() time.Time) { s.now = now }

// SetUser returns the caller's user, first refreshing their profile from
// the identity provider when they hand over an access token.
func (s *Service) SetUser(ctx context.Context, p *auth.Principal, accessToken string) (User, error) {
	if accessToken != "" {
		if s.profiles == nil {
			return User{}, domain.Invalid("access_token", "is only used in oidc mode")
		}
		if err := s.profiles.RefreshProfile(ctx, p, accessToken); err != nil {
			return User{}, err
		}
	}
	return s.GetUser(ctx, p.UserID)
}

// GetUser returns the user behind the caller.
func (s *Service) GetUser(ctx context.Context, userID uuid.UUID) (User, error) {
	u, err := s.store.GetUser(ctx, userID)
	if store.IsNotFound(err) {
		return User{}, domain.NotFound("user", userID)
	}
	if err != nil {
		return User{}, err
	}
	out := User{ID: u.ID, DisplayName: u.DisplayName, Kind: u.Kind, CreatedAt: u.CreatedAt}
	if u.Email != nil {
		out.Email = *u.Email
	}
	return out, nil
}

// Accounts lists the accounts in scope.
func (s *Service) Accounts(ctx context.Context, scope domain.Scope) ([]Account, error) {
	if scope.All {
		return nil, &domain.PermissionDeniedError{Reason: "a worker key has no accounts of its own"}
	}
	rows, err := s.store.GetAccountsByIDs(ctx, scope.IDs())
	if err != nil {
		return nil, err
	}
	out := make([]Account, 0, len(rows))
	for _, r := range rows {
		out = append(out, Account{ID: r.ID, Name: r.Name, Type: Type(r.AccountType), CreatedAt: r.CreatedAt})
	}
	return out, nil
}

// SetPersonalAccount ensures the user has a personal account and returns it.
func (s *Service) SetPersonalAccount(ctx context.Context, user User) (uuid.UUID, error) {
	if user.Kind == "machine" {
		return uuid.Nil, &domain.PermissionDeniedError{Reason: "an API key cannot own a personal account"}
	}
	var id uuid.UUID
	err := s.store.InTx(ctx, func(q *store.Queries) error {
		acct, err := q.GetPersonalAccount(ctx, &user.ID)
		if store.IsNotFound(err) {
			acct, err = q.CreateAccount(ctx, store.CreateAccountParams{Name: "personal", AccountType: string(TypePersonal), PersonalUserID: &user.ID})
			if err != nil {
				return err
			}
			if err := q.AddAccountMember(ctx, store.AddAccountMemberParams{AccountID: acct.ID, UserID: user.ID}); err != nil {
				return err
			}
		} else if err != nil {
			return err
		}
		id = acct.ID
		return nil
	})
	return id, err
}

// CreateTeamAccount creates a team account with user as its first member.
func (s *Service) CreateTeamAccount(ctx context.Context, user User, name string) (uuid.UUID, error) {
	if user.Kind == "machine" {
		return uuid.Nil, &domain.PermissionDeniedError{Reason: "an API key cannot create accounts"}
	}
	if err := apikey.ValidateAccountName(name); err != nil {
		return uuid.Nil, err
	}
	var id uuid.UUID
	err := s.store.InTx(ctx, func(q *store.Queries) error {
		acct, err := q.CreateAccount(ctx, store.CreateAccountParams{Name: name, AccountType: string(TypeTeam)})
		if err != nil {
			return err
		}
		id = acct.ID
		return q.AddAccountMember(ctx, store.AddAccountMemberParams{AccountID: acct.ID, UserID: user.ID})
	})
	if store.IsUniqueViolation(err) {
		return uuid.Nil, &domain.AlreadyExistsError{Resource: "team account", Field: "name", Value: name}
	}
	return id, err
}
