package rpc

import (
	"context"

	"connectrpc.com/connect"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/neosyncio/neosync/backend/gen/go/protos/mgmt/v1alpha1"
	"github.com/neosyncio/neosync/backend/gen/go/protos/mgmt/v1alpha1/mgmtv1alpha1connect"
	"github.com/neosyncio/neosync/backend/internal/auth"
	"github.com/neosyncio/neosync/backend/internal/domain/account"
	"github.com/neosyncio/neosync/backend/pkg/buildinfo"
)

// UserAccountHandler serves UserAccountService.
type UserAccountHandler struct {
	mgmtv1alpha1connect.UnimplementedUserAccountServiceHandler
	accounts *account.Service
	authMode auth.Mode
	oidc     auth.OIDCConfig
}

// NewUserAccountHandler returns the handler; oidc is told to `neosync login`.
func NewUserAccountHandler(a *account.Service, mode auth.Mode, oidc auth.OIDCConfig) *UserAccountHandler {
	return &UserAccountHandler{accounts: a, authMode: mode, oidc: oidc}
}

// user loads the caller's user record.
func (h *UserAccountHandler) user(ctx context.Context) (account.User, error) {
	p, err := auth.FromContext(ctx)
	if err != nil {
		return account.User{}, err
	}
	return h.accounts.GetUser(ctx, p.UserID)
}

func userToProto(u account.User) *mgmtv1alpha1.User {
	out := &mgmtv1alpha1.User{Id: u.ID.String(), DisplayName: u.DisplayName, Kind: u.Kind, Email: u.Email}
	if !u.CreatedAt.IsZero() {
		out.CreatedAt = timestamppb.New(u.CreatedAt)
	}
	return out
}

// accountToProto describes an account and the caller's role in it.
func accountToProto(a account.Account, role auth.Role) *mgmtv1alpha1.UserAccount {
	t := mgmtv1alpha1.UserAccountType_USER_ACCOUNT_TYPE_TEAM
	if a.Type == account.TypePersonal {
		t = mgmtv1alpha1.UserAccountType_USER_ACCOUNT_TYPE_PERSONAL
	}
	out := &mgmtv1alpha1.UserAccount{Id: a.ID.String(), Name: a.Name, Type: t, CreatedAt: timestamppb.New(a.CreatedAt), Role: roleToProto[role]}
	for _, p := range role.Permissions() {
		out.Permissions = append(out.Permissions, string(p))
	}
	return out
}

// GetUser returns the caller.
func (h *UserAccountHandler) GetUser(ctx context.Context, _ *connect.Request[mgmtv1alpha1.GetUserRequest]) (*connect.Response[mgmtv1alpha1.GetUserResponse], error) {
	u, err := h.user(ctx)
	if err != nil {
		return nil, err
	}
	return connect.NewResponse(&mgmtv1alpha1.GetUserResponse{User: userToProto(u)}), nil
}

// SetUser returns the caller (their record is created at authentication),
// refreshing their profile when given an access token.
func (h *UserAccountHandler) SetUser(ctx context.Context, req *connect.Request[mgmtv1alpha1.SetUserRequest]) (*connect.Response[mgmtv1alpha1.SetUserResponse], error) {
	p, err := auth.FromContext(ctx)
	if err != nil {
		return nil, err
	}
	u, err := h.accounts.SetUser(ctx, p, req.Msg.GetAccessToken())
	if err != nil {
		return nil, err
	}
	return connect.NewResponse(&mgmtv1alpha1.SetUserResponse{User: userToProto(u)}), nil
}

// GetUserAccounts lists the caller's accounts.
func (h *UserAccountHandler) GetUserAccounts(ctx context.Context, _ *connect.Request[mgmtv1alpha1.GetUserAccountsRequest]) (*connect.Response[mgmtv1alpha1.GetUserAccountsResponse], error) {
	p, err := auth.FromContext(ctx)
	if err != nil {
		return nil, err
	}
	accts, err := h.accounts.Accounts(ctx, p.Scope)
	if err != nil {
		return nil, err
	}
	out := make([]*mgmtv1alpha1.UserAccount, 0, len(accts))
	for _, a := range accts {
		out = append(out, accountToProto(a, p.RoleIn(a.ID)))
	}
	return connect.NewResponse(&mgmtv1alpha1.GetUserAccountsResponse{Accounts: out}), nil
}

// SetPersonalAccount ensures the caller's personal account.
func (h *UserAccountHandler) SetPersonalAccount(ctx context.Context, _ *connect.Request[mgmtv1alpha1.SetPersonalAccountRequest]) (*connect.Response[mgmtv1alpha1.SetPersonalAccountResponse], error) {
	u, err := h.user(ctx)
	if err != nil {
		return nil, err
	}
	id, err := h.accounts.SetPersonalAccount(ctx, u)
	if err != nil {
		return nil, err
	}
	return connect.NewResponse(&mgmtv1alpha1.SetPersonalAccountResponse{AccountId: id.String()}), nil
}

// CreateTeamAccount creates a team account.
func (h *UserAccountHandler) CreateTeamAccount(ctx context.Context, req *connect.Request[mgmtv1alpha1.CreateTeamAccountRequest]) (*connect.Response[mgmtv1alpha1.CreateTeamAccountResponse], error) {
	u, err := h.user(ctx)
	if err != nil {
		return nil, err
	}
	id, err := h.accounts.CreateTeamAccount(ctx, u, req.Msg.GetName())
	if err != nil {
		return nil, err
	}
	return connect.NewResponse(&mgmtv1alpha1.CreateTeamAccountResponse{AccountId: id.String()}), nil
}

// GetSystemInformation reports the build.
func (h *UserAccountHandler) GetSystemInformation(_ context.Context, _ *connect.Request[mgmtv1alpha1.GetSystemInformationRequest]) (*connect.Response[mgmtv1alpha1.GetSystemInformationResponse], error) {
	bi := buildinfo.Get()
	resp := &mgmtv1alpha1.GetSystemInformationResponse{
		Version: bi.Version, Commit: bi.Commit, GoVersion: bi.GoVersion, Platform: bi.Platform, AuthMode: string(h.authMode),
	}
	if h.authMode == auth.ModeOIDC {
		resp.OidcIssuer, resp.OidcCliClientId = h.oidc.Issuer, h.oidc.CLIClientID
	}
	if !bi.BuildDate.IsZero() {
		resp.BuildDate = timestamppb.New(bi.BuildDate)
	}
	return connect.NewResponse(resp), nil
}
