// Package account answers who the caller is and manages the accounts
// (tenants) they belong to: a personal account per user and team accounts.
package account

import (
	"context"
	"time"

	"github.com/google/uuid"

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
	CreatedAt   time.Time
}

// Account is a tenant.
type Account struct {
	ID        uuid.UUID
	Name      string
	Type      Type
	CreatedAt time.Time
}

// Service reads and creates users and accounts.
type Service struct{ store *store.Store }

// NewService returns a Service.
func NewService(st *store.Store) *Service { return &Service{store: st} }

// GetUser returns the user behind the caller.
func (s *Service) GetUser(ctx context.Context, userID uuid.UUID) (User, error) {
	u, err := s.store.GetUser(ctx, userID)
	if store.IsNotFound(err) {
		return User{}, domain.NotFound("user", userID)
	}
	if err != nil {
		return User{}, err
	}
	return User{ID: u.ID, DisplayName: u.DisplayName, Kind: u.Kind, CreatedAt: u.CreatedAt}, nil
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
