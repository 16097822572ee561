package rpc

import (
	"context"
	"time"

	"connectrpc.com/connect"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/neosyncio/neosync/backend/gen/go/protos/mgmt/v1alpha1"
	"github.com/neosyncio/neosync/backend/internal/auth"
	"github.com/neosyncio/neosync/backend/internal/domain/account"
)

var roleToProto = map[auth.Role]mgmtv1alpha1.AccountRole{
	auth.RoleAdmin:        mgmtv1alpha1.AccountRole_ACCOUNT_ROLE_ADMIN,
	auth.RoleJobDeveloper: mgmtv1alpha1.AccountRole_ACCOUNT_ROLE_JOB_DEVELOPER,
	auth.RoleJobExecutor:  mgmtv1alpha1.AccountRole_ACCOUNT_ROLE_JOB_EXECUTOR,
	auth.RoleJobViewer:    mgmtv1alpha1.AccountRole_ACCOUNT_ROLE_JOB_VIEWER,
}

// roleFromProto maps a requested role; UNSPECIFIED is "" (the domain says
// the field is required).
func roleFromProto(r mgmtv1alpha1.AccountRole) auth.Role {
	for k, v := range roleToProto {
		if v == r {
			return k
		}
	}
	return ""
}

func inviteToProto(i account.Invite) *mgmtv1alpha1.AccountInvite {
	return &mgmtv1alpha1.AccountInvite{
		Id: i.ID.String(), AccountId: i.AccountID.String(), Email: i.Email, Role: roleToProto[i.Role],
		CreatedAt: timestamppb.New(i.CreatedAt), ExpiresAt: timestamppb.New(i.ExpiresAt), Status: i.Status,
	}
}

// GetTeamAccountMembers lists members.
func (h *UserAccountHandler) GetTeamAccountMembers(ctx context.Context, req *connect.Request[mgmtv1alpha1.GetTeamAccountMembersRequest]) (*connect.Response[mgmtv1alpha1.GetTeamAccountMembersResponse], error) {
	t, err := resolve(ctx, "account_id", req.Msg.GetAccountId())
	if err != nil {
		return nil, err
	}
	ms, err := h.accounts.Members(ctx, t.Scope, t.ID)
	if err != nil {
		return nil, err
	}
	out := make([]*mgmtv1alpha1.AccountMember, 0, len(ms))
	for _, m := range ms {
		out = append(out, &mgmtv1alpha1.AccountMember{User: userToProto(m.User), Role: roleToProto[m.Role], JoinedAt: timestamppb.New(m.JoinedAt)})
	}
	return connect.NewResponse(&mgmtv1alpha1.GetTeamAccountMembersResponse{Members: out}), nil
}

// UpdateTeamAccountMemberRole changes a member's role.
func (h *UserAccountHandler) UpdateTeamAccountMemberRole(ctx context.Context, req *connect.Request[mgmtv1alpha1.UpdateTeamAccountMemberRoleRequest]) (*connect.Response[mgmtv1alpha1.UpdateTeamAccountMemberRoleResponse], error) {
	t, err := resolve(ctx, "account_id", req.Msg.GetAccountId())
	if err != nil {
		return nil, err
	}
	userID, err := parseID("user_id", req.Msg.GetUserId())
	if err != nil {
		return nil, err
	}
	if err := h.accounts.SetMemberRole(ctx, t.Scope, t.ID, userID, roleFromProto(req.Msg.GetRole())); err != nil {
		return nil, err
	}
	return connect.NewResponse(&mgmtv1alpha1.UpdateTeamAccountMemberRoleResponse{}), nil
}

// RemoveTeamAccountMember removes a member.
func (h *UserAccountHandler) RemoveTeamAccountMember(ctx context.Context, req *connect.Request[mgmtv1alpha1.RemoveTeamAccountMemberRequest]) (*connect.Response[mgmtv1alpha1.RemoveTeamAccountMemberResponse], error) {
	t, err := resolve(ctx, "account_id", req.Msg.GetAccountId())
	if err != nil {
		return nil, err
	}
	userID, err := parseID("user_id", req.Msg.GetUserId())
	if err != nil {
		return nil, err
	}
	if err := h.accounts.RemoveMember(ctx, t.Scope, t.ID, userID); err != nil {
		return nil, err
	}
	return connect.NewResponse(&mgmtv1alpha1.RemoveTeamAccountMemberResponse{}), nil
}

// LeaveTeamAccount removes the caller.
func (h *UserAccountHandler) LeaveTeamAccount(ctx context.Context, req *connect.Request[mgmtv1alpha1.LeaveTeamAccountRequest]) (*connect.Response[mgmtv1alpha1.LeaveTeamAccountResponse], error) {
	t, err := resolve(ctx, "account_id", req.Msg.GetAccountId())
	if err != nil {
		return nil, err
	}
	if err := h.accounts.RemoveMember(ctx, t.Scope, t.ID, t.UserID); err != nil {
		return nil, err
	}
	return connect.NewResponse(&mgmtv1alpha1.LeaveTeamAccountResponse{}), nil
}

// InviteUserToTeamAccount creates an invitation.
func (h *UserAccountHandler) InviteUserToTeamAccount(ctx context.Context, req *connect.Request[mgmtv1alpha1.InviteUserToTeamAccountRequest]) (*connect.Response[mgmtv1alpha1.InviteUserToTeamAccountResponse], error) {
	t, err := resolve(ctx, "account_id", req.Msg.GetAccountId())
	if err != nil {
		return nil, err
	}
	var expires time.Time
	if req.Msg.GetExpiresAt() != nil {
		expires = req.Msg.GetExpiresAt().AsTime()
	}
	inv, token, err := h.accounts.CreateInvite(ctx, t.Scope, t.UserID, account.InviteParams{
		AccountID: t.ID, Email: req.Msg.GetEmail(), Role: roleFromProto(req.Msg.GetRole()), ExpiresAt: expires,
	})
	if err != nil {
		return nil, err
	}
	return connect.NewResponse(&mgmtv1alpha1.InviteUserToTeamAccountResponse{Invite: inviteToProto(inv), Token: token}), nil
}

// GetTeamAccountInvites lists invitations.
func (h *UserAccountHandler) GetTeamAccountInvites(ctx context.Context, req *connect.Request[mgmtv1alpha1.GetTeamAccountInvitesRequest]) (*connect.Response[mgmtv1alpha1.GetTeamAccountInvitesResponse], error) {
	t, err := resolve(ctx, "account_id", req.Msg.GetAccountId())
	if err != nil {
		return nil, err
	}
	invs, err := h.accounts.Invites(ctx, t.Scope, t.ID)
	if err != nil {
		return nil, err
	}
	out := make([]*mgmtv1alpha1.AccountInvite, 0, len(invs))
	for _, i := range invs {
		out = append(out, inviteToProto(i))
	}
	return connect.NewResponse(&mgmtv1alpha1.GetTeamAccountInvitesResponse{Invites: out}), nil
}

// RemoveTeamAccountInvite withdraws an invitation.
func (h *UserAccountHandler) RemoveTeamAccountInvite(ctx context.Context, req *connect.Request[mgmtv1alpha1.RemoveTeamAccountInviteRequest]) (*connect.Response[mgmtv1alpha1.RemoveTeamAccountInviteResponse], error) {
	t, err := resolve(ctx, "id", req.Msg.GetId())
	if err != nil {
		return nil, err
	}
	if err := h.accounts.DeleteInvite(ctx, t.Scope, t.ID); err != nil {
		return nil, err
	}
	return connect.NewResponse(&mgmtv1alpha1.RemoveTeamAccountInviteResponse{}), nil
}

// AcceptTeamAccountInvite joins the invitation's account.
func (h *UserAccountHandler) AcceptTeamAccountInvite(ctx context.Context, req *connect.Request[mgmtv1alpha1.AcceptTeamAccountInviteRequest]) (*connect.Response[mgmtv1alpha1.AcceptTeamAccountInviteResponse], error) {
	u, err := h.user(ctx)
	if err != nil {
		return nil, err
	}
	ans, err := h.accounts.AcceptInvite(ctx, u, req.Msg.GetToken())
	if err != nil {
		return nil, err
	}
	return connect.NewResponse(&mgmtv1alpha1.AcceptTeamAccountInviteResponse{
		Account: accountToProto(ans.Account, ans.Role), InviteId: ans.InviteID.String(),
	}), nil
}

// DeclineTeamAccountInvite refuses an invitation.
func (h *UserAccountHandler) DeclineTeamAccountInvite(ctx context.Context, req *connect.Request[mgmtv1alpha1.DeclineTeamAccountInviteRequest]) (*connect.Response[mgmtv1alpha1.DeclineTeamAccountInviteResponse], error) {
	u, err := h.user(ctx)
	if err != nil {
		return nil, err
	}
	ans, err := h.accounts.DeclineInvite(ctx, u, req.Msg.GetToken())
	if err != nil {
		return nil, err
	}
	return connect.NewResponse(&mgmtv1alpha1.DeclineTeamAccountInviteResponse{AccountId: ans.Account.ID.String(), InviteId: ans.InviteID.String()}), nil
}
