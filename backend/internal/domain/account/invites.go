package account

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"net/mail"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/neosyncio/neosync/backend/internal/auth"
	"github.com/neosyncio/neosync/backend/internal/domain"
	"github.com/neosyncio/neosync/backend/internal/domain/apikey"
	"github.com/neosyncio/neosync/backend/internal/store"
)

// InviteTokenPrefix starts every invitation token.
const InviteTokenPrefix = "neo_inv_"

// Invitation lifetimes.
const (
	DefaultInviteLifetime = 7 * 24 * time.Hour
	MaxInviteLifetime     = 30 * 24 * time.Hour
)

// Invite is an invitation to a team account.
type Invite struct {
	ID        uuid.UUID
	AccountID uuid.UUID
	Email     string
	Role      auth.Role
	CreatedAt time.Time
	ExpiresAt time.Time
	// Status is pending, accepted, declined or expired.
	Status string
}

func (s *Service) inviteFromRow(r store.AccountInvite) Invite {
	inv := Invite{ID: r.ID, AccountID: r.AccountID, Email: r.Email, Role: auth.Role(r.Role), CreatedAt: r.CreatedAt, ExpiresAt: r.ExpiresAt, Status: "pending"}
	switch {
	case r.AcceptedAt != nil:
		inv.Status = "accepted"
	case r.DeclinedAt != nil:
		inv.Status = "declined"
	case !r.ExpiresAt.After(s.now()):
		inv.Status = "expired"
	}
	return inv
}

// InviteParams is what an admin asks for.
type InviteParams struct {
	AccountID uuid.UUID
	Email     string
	Role      auth.Role
	// ExpiresAt zero means DefaultInviteLifetime from now.
	ExpiresAt time.Time
}

// CreateInvite invites an email address to a team account with a role and
// returns the invitation and its token, shown this once.
func (s *Service) CreateInvite(ctx context.Context, scope domain.Scope, inviter uuid.UUID, p InviteParams) (Invite, string, error) {
	email, err := normalizeEmail(p.Email)
	if err != nil {
		return Invite{}, "", err
	}
	if p.Role == "" {
		return Invite{}, "", domain.Invalid("role", "is required (admin, job_developer, job_executor or job_viewer)")
	}
	if _, err := auth.ParseRole(string(p.Role)); err != nil {
		return Invite{}, "", domain.Invalid("role", "%v", err)
	}
	now := s.now()
	if p.ExpiresAt.IsZero() {
		p.ExpiresAt = now.Add(DefaultInviteLifetime)
	}
	if !p.ExpiresAt.After(now) || p.ExpiresAt.After(now.Add(MaxInviteLifetime)) {
		return Invite{}, "", domain.Invalid("expires_at", "must be in the future and at most 30 days away")
	}
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return Invite{}, "", err
	}
	token := InviteTokenPrefix + base64.RawURLEncoding.EncodeToString(b)
	var row store.AccountInvite
	err = s.store.InTx(ctx, func(q *store.Queries) error {
		if _, err := s.teamAccount(ctx, q, scope, p.AccountID); err != nil {
			return err
		}
		row, err = q.CreateInvite(ctx, store.CreateInviteParams{
			AccountID: p.AccountID, Email: email, Role: string(p.Role), TokenHash: apikey.Hash(token), CreatedBy: &inviter, ExpiresAt: p.ExpiresAt,
		})
		return err
	})
	if err != nil {
		return Invite{}, "", err
	}
	return s.inviteFromRow(row), token, nil
}

func normalizeEmail(raw string) (string, error) {
	e := strings.ToLower(strings.TrimSpace(raw))
	if a, err := mail.ParseAddress(e); err != nil || a.Address != e || len(e) > 254 {
		return "", domain.Invalid("email", "must be an email address like ada@example.com")
	}
	return e, nil
}

// Invites lists a team account's invitations.
func (s *Service) Invites(ctx context.Context, scope domain.Scope, accountID uuid.UUID) ([]Invite, error) {
	if _, err := s.teamAccount(ctx, s.store.Queries, scope, accountID); err != nil {
		return nil, err
	}
	rows, err := s.store.ListInvites(ctx, accountID)
	if err != nil {
		return nil, err
	}
	out := make([]Invite, 0, len(rows))
	for _, r := range rows {
		out = append(out, s.inviteFromRow(r))
	}
	return out, nil
}

// DeleteInvite withdraws an invitation.
func (s *Service) DeleteInvite(ctx context.Context, scope domain.Scope, id uuid.UUID) error {
	acct, err := s.store.GetInviteAccountID(ctx, id)
	if store.IsNotFound(err) || (err == nil && !scope.Allows(acct)) {
		return domain.NotFound("invite", id)
	}
	if err != nil {
		return err
	}
	n, err := s.store.DeleteInvite(ctx, store.DeleteInviteParams{ID: id, AccountID: acct})
	if err != nil {
		return err
	}
	if n == 0 {
		return domain.NotFound("invite", id)
	}
	return nil
}

// Answer is the result of accepting or declining an invitation.
type Answer struct {
	InviteID uuid.UUID
	Account  Account
	Role     auth.Role
}

// AcceptInvite makes user a member with the invitation's role.
func (s *Service) AcceptInvite(ctx context.Context, user User, token string) (Answer, error) {
	return s.answer(ctx, user, token, true)
}

// DeclineInvite refuses an invitation.
func (s *Service) DeclineInvite(ctx context.Context, user User, token string) (Answer, error) {
	return s.answer(ctx, user, token, false)
}

func (s *Service) answer(ctx context.Context, user User, token string, accept bool) (Answer, error) {
	if user.Kind == "machine" {
		return Answer{}, &domain.PermissionDeniedError{Reason: "an API key cannot answer invitations: sign in as the invited person"}
	}
	if !strings.HasPrefix(token, InviteTokenPrefix) {
		return Answer{}, domain.Invalid("token", "is not an invitation token (they start with %s)", InviteTokenPrefix)
	}
	var ans Answer
	err := s.store.InTx(ctx, func(q *store.Queries) error {
		row, err := q.GetInviteByTokenHash(ctx, apikey.Hash(token))
		if store.IsNotFound(err) {
			return &domain.NotFoundError{Resource: "invitation"}
		}
		if err != nil {
			return err
		}
		inv := s.inviteFromRow(row)
		if inv.Status != "pending" {
			return domain.FailedPrecondition("this invitation was already %s: ask an admin of the account for a new one", inv.Status)
		}
		if user.Email != "" && !strings.EqualFold(user.Email, inv.Email) {
			return &domain.PermissionDeniedError{Reason: "this invitation is for " + inv.Email + ", and you are signed in as " + user.Email}
		}
		acct, err := q.GetAccount(ctx, row.AccountID)
		if err != nil {
			return err
		}
		ans = Answer{InviteID: row.ID, Role: inv.Role, Account: Account{ID: acct.ID, Name: acct.Name, Type: Type(acct.AccountType), CreatedAt: acct.CreatedAt}}
		if !accept {
			return q.DeclineInvite(ctx, row.ID)
		}
		if err := q.AddAccountMemberWithRole(ctx, store.AddAccountMemberWithRoleParams{AccountID: row.AccountID, UserID: user.ID, Role: row.Role}); err != nil {
			return err
		}
		return q.AcceptInvite(ctx, store.AcceptInviteParams{ID: row.ID, AcceptedBy: &user.ID})
	})
	return ans, err
}
