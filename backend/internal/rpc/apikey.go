package rpc

import (
	"context"

	"connectrpc.com/connect"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/neosyncio/neosync/backend/gen/go/protos/mgmt/v1alpha1"
	"github.com/neosyncio/neosync/backend/gen/go/protos/mgmt/v1alpha1/mgmtv1alpha1connect"
	"github.com/neosyncio/neosync/backend/internal/domain/apikey"
)

// ApiKeyHandler serves ApiKeyService.
type ApiKeyHandler struct {
	mgmtv1alpha1connect.UnimplementedApiKeyServiceHandler
	keys *apikey.Service
}

// NewApiKeyHandler returns the handler.
func NewApiKeyHandler(k *apikey.Service) *ApiKeyHandler {
	return &ApiKeyHandler{keys: k}
}

func apiKeyToProto(k apikey.Key, value string) *mgmtv1alpha1.AccountApiKey {
	out := &mgmtv1alpha1.AccountApiKey{
		Id: k.ID.String(), Name: k.Name, AccountId: k.AccountID.String(), UserId: k.UserID.String(),
		CreatedAt: timestamppb.New(k.CreatedAt), UpdatedAt: timestamppb.New(k.UpdatedAt), ExpiresAt: timestamppb.New(k.ExpiresAt),
	}
	if k.LastUsedAt != nil {
		out.LastUsedAt = timestamppb.New(*k.LastUsedAt)
	}
	if value != "" {
		out.KeyValue = &value
	}
	return out
}

// CreateAccountApiKey creates a key and returns its value once.
func (h *ApiKeyHandler) CreateAccountApiKey(ctx context.Context, req *connect.Request[mgmtv1alpha1.CreateAccountApiKeyRequest]) (*connect.Response[mgmtv1alpha1.CreateAccountApiKeyResponse], error) {
	t, err := resolve(ctx, "account_id", req.Msg.GetAccountId())
	if err != nil {
		return nil, err
	}
	if req.Msg.GetExpiresAt() == nil {
		return nil, invalid("expires_at", "is required")
	}
	k, value, err := h.keys.Create(ctx, t.Scope, t.UserID, t.ID, req.Msg.GetName(), req.Msg.GetExpiresAt().AsTime())
	if err != nil {
		return nil, err
	}
	return connect.NewResponse(&mgmtv1alpha1.CreateAccountApiKeyResponse{ApiKey: apiKeyToProto(k, value)}), nil
}

// GetAccountApiKey returns one key without its value.
func (h *ApiKeyHandler) GetAccountApiKey(ctx context.Context, req *connect.Request[mgmtv1alpha1.GetAccountApiKeyRequest]) (*connect.Response[mgmtv1alpha1.GetAccountApiKeyResponse], error) {
	t, err := resolve(ctx, "id", req.Msg.GetId())
	if err != nil {
		return nil, err
	}
	k, err := h.keys.Get(ctx, t.Scope, t.ID)
	if err != nil {
		return nil, err
	}
	return connect.NewResponse(&mgmtv1alpha1.GetAccountApiKeyResponse{ApiKey: apiKeyToProto(k, "")}), nil
}

// GetAccountApiKeys lists an account's keys without values.
func (h *ApiKeyHandler) GetAccountApiKeys(ctx context.Context, req *connect.Request[mgmtv1alpha1.GetAccountApiKeysRequest]) (*connect.Response[mgmtv1alpha1.GetAccountApiKeysResponse], error) {
	t, err := resolve(ctx, "account_id", req.Msg.GetAccountId())
	if err != nil {
		return nil, err
	}
	keys, err := h.keys.List(ctx, t.Scope, t.ID)
	if err != nil {
		return nil, err
	}
	out := make([]*mgmtv1alpha1.AccountApiKey, 0, len(keys))
	for _, k := range keys {
		out = append(out, apiKeyToProto(k, ""))
	}
	return connect.NewResponse(&mgmtv1alpha1.GetAccountApiKeysResponse{ApiKeys: out}), nil
}

// RegenerateAccountApiKey replaces a key's value and returns it once.
func (h *ApiKeyHandler) RegenerateAccountApiKey(ctx context.Context, req *connect.Request[mgmtv1alpha1.RegenerateAccountApiKeyRequest]) (*connect.Response[mgmtv1alpha1.RegenerateAccountApiKeyResponse], error) {
	t, err := resolve(ctx, "id", req.Msg.GetId())
	if err != nil {
		return nil, err
	}
	if req.Msg.GetExpiresAt() == nil {
		return nil, invalid("expires_at", "is required")
	}
	k, value, err := h.keys.Regenerate(ctx, t.Scope, t.ID, req.Msg.GetExpiresAt().AsTime())
	if err != nil {
		return nil, err
	}
	return connect.NewResponse(&mgmtv1alpha1.RegenerateAccountApiKeyResponse{ApiKey: apiKeyToProto(k, value)}), nil
}

// DeleteAccountApiKey revokes a key.
func (h *ApiKeyHandler) DeleteAccountApiKey(ctx context.Context, req *connect.Request[mgmtv1alpha1.DeleteAccountApiKeyRequest]) (*connect.Response[mgmtv1alpha1.DeleteAccountApiKeyResponse], error) {
	t, err := resolve(ctx, "id", req.Msg.GetId())
	if err != nil {
		return nil, err
	}
	if err := h.keys.Delete(ctx, t.Scope, t.ID); err != nil {
		return nil, err
	}
	return connect.NewResponse(&mgmtv1alpha1.DeleteAccountApiKeyResponse{}), nil
}
