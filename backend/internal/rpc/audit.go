package rpc

import (
	"context"

	"connectrpc.com/connect"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/google/uuid"

	"github.com/neosyncio/neosync/backend/gen/go/protos/mgmt/v1alpha1"
	"github.com/neosyncio/neosync/backend/gen/go/protos/mgmt/v1alpha1/mgmtv1alpha1connect"
	"github.com/neosyncio/neosync/backend/internal/domain/audit"
)

// AuditHandler serves AuditService.
type AuditHandler struct {
	mgmtv1alpha1connect.UnimplementedAuditServiceHandler
	trail *audit.Service
}

// NewAuditHandler returns the handler.
func NewAuditHandler(trail *audit.Service) *AuditHandler { return &AuditHandler{trail: trail} }

// GetAuditEvents lists an account's audit trail, newest first.
func (h *AuditHandler) GetAuditEvents(ctx context.Context, req *connect.Request[mgmtv1alpha1.GetAuditEventsRequest]) (*connect.Response[mgmtv1alpha1.GetAuditEventsResponse], error) {
	t, err := resolve(ctx, "account_id", req.Msg.GetAccountId())
	if err != nil {
		return nil, err
	}
	events, next, err := h.trail.List(ctx, t.Scope, t.ID, int(req.Msg.GetPageSize()), req.Msg.GetPageToken())
	if err != nil {
		return nil, err
	}
	out := make([]*mgmtv1alpha1.AuditEvent, 0, len(events))
	for _, e := range events {
		pe := &mgmtv1alpha1.AuditEvent{
			Id: e.ID, AccountId: e.AccountID.String(), Actor: e.Actor, Action: e.Action,
			ResourceType: e.ResourceType, ResourceId: e.ResourceID, Procedure: e.Procedure, CreatedAt: timestamppb.New(e.CreatedAt),
		}
		if e.ActorUserID != uuid.Nil {
			pe.ActorUserId = e.ActorUserID.String()
		}
		out = append(out, pe)
	}
	return connect.NewResponse(&mgmtv1alpha1.GetAuditEventsResponse{Events: out, NextPageToken: next}), nil
}
