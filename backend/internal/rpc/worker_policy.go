package rpc

import (
	"context"

	"connectrpc.com/connect"

	mgmtv1alpha1 "github.com/neosyncio/neosync/backend/gen/go/protos/mgmt/v1alpha1"
)

// GetWorkerPolicy tells a worker which databases no tenant connection may
// use: the API's own, identified server-side so that no spelling of its
// address in a connection URL gets past the worker.
func (h *WorkerHandler) GetWorkerPolicy(ctx context.Context, _ *connect.Request[mgmtv1alpha1.GetWorkerPolicyRequest]) (*connect.Response[mgmtv1alpha1.GetWorkerPolicyResponse], error) {
	ids, err := h.connections.ProtectedDatabases(ctx)
	if err != nil {
		return nil, err
	}
	resp := &mgmtv1alpha1.GetWorkerPolicyResponse{}
	for _, id := range ids {
		resp.ProtectedDatabases = append(resp.ProtectedDatabases, &mgmtv1alpha1.ProtectedDatabase{Server: id.Server, Database: id.Database})
	}
	return connect.NewResponse(resp), nil
}
