package account

import (
	"context"
	"time"

	"github.com/google/uuid"

	"github.com/neosyncio/neosync/backend/internal/auth"
	"github.com/neosyncio/neosync/backend/internal/domain"
	"github.com/neosyncio/neosync/backend/internal/store"
)

// Member is a user's membership of an account.
type Member struct {
	User     User
	Role     auth.Role
	JoinedAt time.Time
}

// teamAccount loads a team account in scope; personal accounts have no
// members to manage.
func (s *Service) teamAccount(ctx context.Context, q *store.Queries, scope domain.Scope, id uuid.UUID) (store.Account, error) {
	if !scope.Allows(id) {
		return store.Account{}, domain.NotFound("account", id)
	}
	a, err := q.GetAccount(ctx, id)
	if store.IsNotFound(err) {
		return store.Account{}, domain.NotFound("account", id)
	}
	if err != nil {
		return store.Account{}, err
	}
	if a.AccountType != string(TypeTeam) {
		return store.Account{}, domain.FailedPrecondition("account %s is a personal account: only team accounts have members and invitations", id)
	}
	return a, nil
}

// Members lists a team account's members.
func (s *Service) Members(ctx context.Context, scope domain.Scope, accountID uuid.UUID) ([]Member, error) {
	if _, err := s.teamAccount(ctx, s.store.Queries, scope, accountID); err != nil {
		return nil, err
	}
	rows, err := s.store.ListAccountMembers(ctx, accountID)
	if err != nil {
		return nil, err
	}
	out := make([]Member, 0, len(rows))
	for _, r := range rows {
		u := User{ID: r.ID, DisplayName: r.DisplayName, Kind: r.Kind}
		if r.Email != nil {
			u.Email = *r.Email
		}
		out = append(out, Member{User: u, Role: auth.Role(r.Role), JoinedAt: r.CreatedAt})
	}
	return out, nil
}

// SetMemberRole changes a member's role; the last admin cannot step down.
func (s *Service) SetMemberRole(ctx context.Context, scope domain.Scope, accountID, userID uuid.UUID, role auth.Role) error {
	if _, err := auth.ParseRole(string(role)); err != nil {
		return domain.Invalid("role", "%v", err)
	}
	return s.store.InTx(ctx, func(q *store.Queries) error {
		if _, err := s.teamAccount(ctx, q, scope, accountID); err != nil {
			return err
		}
		if role != auth.RoleAdmin {
			if err := keepAnAdmin(ctx, q, accountID, userID); err != nil {
				return err
			}
		}
		n, err := q.SetAccountMemberRole(ctx, store.SetAccountMemberRoleParams{AccountID: accountID, UserID: userID, Role: string(role)})
		if err != nil {
			return err
		}
		if n == 0 {
			return domain.NotFound("member", userID)
		}
		return nil
	})
}

// RemoveMember removes userID from a team account (a member leaving is
// userID == the caller); the last admin cannot leave or be removed.
func (s *Service) RemoveMember(ctx context.Context, scope domain.Scope, accountID, userID uuid.UUID) error {
	return s.store.InTx(ctx, func(q *store.Queries) error {
		if _, err := s.teamAccount(ctx, q, scope, accountID); err != nil {
			return err
		}
		if err := keepAnAdmin(ctx, q, accountID, userID); err != nil {
			return err
		}
		n, err := q.RemoveAccountMember(ctx, store.RemoveAccountMemberParams{AccountID: accountID, UserID: userID})
		if err != nil {
			return err
		}
		if n == 0 {
			return domain.NotFound("member", userID)
		}
		return nil
	})
}

// keepAnAdmin refuses a change that would leave the account without an
// admin (userID is an admin and the only one). It locks the account row, so
// two admins cannot both step down at once.
func keepAnAdmin(ctx context.Context, q *store.Queries, accountID, userID uuid.UUID) error {
	if err := q.LockAccount(ctx, accountID); err != nil {
		return err
	}
	ms, err := q.ListAccountMembers(ctx, accountID)
	if err != nil {
		return err
	}
	admins, isAdmin := 0, false
	for _, m := range ms {
		if m.Role == string(auth.RoleAdmin) {
			admins++
			isAdmin = isAdmin || m.ID == userID
		}
	}
	if isAdmin && admins == 1 {
		return domain.FailedPrecondition("this is the account's last admin: make another member admin first")
	}
	return nil
}
