package rpc

import (
	"context"

	"connectrpc.com/connect"

	"github.com/neosyncio/neosync/backend/gen/go/protos/mgmt/v1alpha1"
	"github.com/neosyncio/neosync/backend/gen/go/protos/mgmt/v1alpha1/mgmtv1alpha1connect"
	"github.com/neosyncio/neosync/backend/internal/domain/connection"
)

// ConnectionHandler serves ConnectionService.
type ConnectionHandler struct {
	mgmtv1alpha1connect.UnimplementedConnectionServiceHandler
	connections *connection.Service
}

// NewConnectionHandler returns the handler.
func NewConnectionHandler(c *connection.Service) *ConnectionHandler {
	return &ConnectionHandler{connections: c}
}

// GetConnections lists an account's connections, secrets masked.
func (h *ConnectionHandler) GetConnections(ctx context.Context, req *connect.Request[mgmtv1alpha1.GetConnectionsRequest]) (*connect.Response[mgmtv1alpha1.GetConnectionsResponse], error) {
	t, err := resolve(ctx, "account_id", req.Msg.GetAccountId())
	if err != nil {
		return nil, err
	}
	conns, err := h.connections.List(ctx, t.Scope, t.ID)
	if err != nil {
		return nil, err
	}
	out := make([]*mgmtv1alpha1.Connection, 0, len(conns))
	for _, c := range conns {
		out = append(out, connectionToProto(c, false))
	}
	return connect.NewResponse(&mgmtv1alpha1.GetConnectionsResponse{Connections: out}), nil
}

// GetConnection returns one connection; only the worker sees its secrets.
func (h *ConnectionHandler) GetConnection(ctx context.Context, req *connect.Request[mgmtv1alpha1.GetConnectionRequest]) (*connect.Response[mgmtv1alpha1.GetConnectionResponse], error) {
	t, err := resolve(ctx, "id", req.Msg.GetId())
	if err != nil {
		return nil, err
	}
	c, err := h.connections.Get(ctx, t.Scope, t.ID)
	if err != nil {
		return nil, err
	}
	return connect.NewResponse(&mgmtv1alpha1.GetConnectionResponse{Connection: connectionToProto(c, t.IsWorker())}), nil
}

// CreateConnection saves a connection.
func (h *ConnectionHandler) CreateConnection(ctx context.Context, req *connect.Request[mgmtv1alpha1.CreateConnectionRequest]) (*connect.Response[mgmtv1alpha1.CreateConnectionResponse], error) {
	t, err := resolve(ctx, "account_id", req.Msg.GetAccountId())
	if err != nil {
		return nil, err
	}
	cfg, err := connectionConfigFromProto("connection_config", req.Msg.GetConnectionConfig())
	if err != nil {
		return nil, err
	}
	c, err := h.connections.Create(ctx, t.Scope, t.UserID, t.ID, req.Msg.GetName(), cfg)
	if err != nil {
		return nil, err
	}
	return connect.NewResponse(&mgmtv1alpha1.CreateConnectionResponse{Connection: connectionToProto(c, false)}), nil
}

// UpdateConnection replaces a connection's name and config.
func (h *ConnectionHandler) UpdateConnection(ctx context.Context, req *connect.Request[mgmtv1alpha1.UpdateConnectionRequest]) (*connect.Response[mgmtv1alpha1.UpdateConnectionResponse], error) {
	t, err := resolve(ctx, "id", req.Msg.GetId())
	if err != nil {
		return nil, err
	}
	cfg, err := connectionConfigFromProto("connection_config", req.Msg.GetConnectionConfig())
	if err != nil {
		return nil, err
	}
	c, err := h.connections.Update(ctx, t.Scope, t.UserID, t.ID, req.Msg.GetName(), cfg)
	if err != nil {
		return nil, err
	}
	return connect.NewResponse(&mgmtv1alpha1.UpdateConnectionResponse{Connection: connectionToProto(c, false)}), nil
}

// DeleteConnection removes a connection no job uses.
func (h *ConnectionHandler) DeleteConnection(ctx context.Context, req *connect.Request[mgmtv1alpha1.DeleteConnectionRequest]) (*connect.Response[mgmtv1alpha1.DeleteConnectionResponse], error) {
	t, err := resolve(ctx, "id", req.Msg.GetId())
	if err != nil {
		return nil, err
	}
	if err := h.connections.Delete(ctx, t.Scope, t.ID); err != nil {
		return nil, err
	}
	return connect.NewResponse(&mgmtv1alpha1.DeleteConnectionResponse{}), nil
}

// IsConnectionNameAvailable reports whether a name is free.
func (h *ConnectionHandler) IsConnectionNameAvailable(ctx context.Context, req *connect.Request[mgmtv1alpha1.IsConnectionNameAvailableRequest]) (*connect.Response[mgmtv1alpha1.IsConnectionNameAvailableResponse], error) {
	t, err := resolve(ctx, "account_id", req.Msg.GetAccountId())
	if err != nil {
		return nil, err
	}
	ok, err := h.connections.IsNameAvailable(ctx, t.Scope, t.ID, req.Msg.GetConnectionName())
	if err != nil {
		return nil, err
	}
	return connect.NewResponse(&mgmtv1alpha1.IsConnectionNameAvailableResponse{IsAvailable: ok}), nil
}

func checkToProto(r connection.CheckResult) (bool, *string, []*mgmtv1alpha1.ConnectionRolePrivilege) {
	var errMsg *string
	if r.Error != "" {
		errMsg = &r.Error
	}
	privs := make([]*mgmtv1alpha1.ConnectionRolePrivilege, 0, len(r.Privileges))
	for _, p := range r.Privileges {
		privs = append(privs, &mgmtv1alpha1.ConnectionRolePrivilege{Grantee: r.Grantee, Schema: p.Table.Schema, Table: p.Table.Table, PrivilegeType: p.Privileges})
	}
	return r.Connected, errMsg, privs
}

// CheckConnectionConfig tries an unsaved config.
func (h *ConnectionHandler) CheckConnectionConfig(ctx context.Context, req *connect.Request[mgmtv1alpha1.CheckConnectionConfigRequest]) (*connect.Response[mgmtv1alpha1.CheckConnectionConfigResponse], error) {
	cfg, err := connectionConfigFromProto("connection_config", req.Msg.GetConnectionConfig())
	if err != nil {
		return nil, err
	}
	r, err := h.connections.Check(ctx, cfg)
	if err != nil {
		return nil, err
	}
	ok, msg, privs := checkToProto(r)
	return connect.NewResponse(&mgmtv1alpha1.CheckConnectionConfigResponse{IsConnected: ok, ConnectionError: msg, Privileges: privs}), nil
}

// CheckConnectionConfigById tries a saved connection.
func (h *ConnectionHandler) CheckConnectionConfigById(ctx context.Context, req *connect.Request[mgmtv1alpha1.CheckConnectionConfigByIdRequest]) (*connect.Response[mgmtv1alpha1.CheckConnectionConfigByIdResponse], error) {
	t, err := resolve(ctx, "id", req.Msg.GetId())
	if err != nil {
		return nil, err
	}
	r, err := h.connections.CheckByID(ctx, t.Scope, t.ID)
	if err != nil {
		return nil, err
	}
	ok, msg, privs := checkToProto(r)
	return connect.NewResponse(&mgmtv1alpha1.CheckConnectionConfigByIdResponse{IsConnected: ok, ConnectionError: msg, Privileges: privs}), nil
}
