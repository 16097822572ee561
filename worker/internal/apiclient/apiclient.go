// Package apiclient builds the worker's Connect clients for the API, each
// sending the worker key as a bearer token.
package apiclient

import (
	"context"
	"net/http"
	"time"

	"connectrpc.com/connect"

	"github.com/neosyncio/neosync/backend/gen/go/protos/mgmt/v1alpha1/mgmtv1alpha1connect"
)

// Clients are the services the worker calls.
type Clients struct {
	Jobs         mgmtv1alpha1connect.JobServiceClient
	Connections  mgmtv1alpha1connect.ConnectionServiceClient
	Transformers mgmtv1alpha1connect.TransformersServiceClient
	Worker       mgmtv1alpha1connect.WorkerServiceClient
}

// New returns clients for the API at baseURL authenticated with key.
func New(baseURL, key string) Clients {
	hc := &http.Client{Timeout: 2 * time.Minute}
	opts := []connect.ClientOption{connect.WithInterceptors(bearer(key))}
	return Clients{
		Jobs:         mgmtv1alpha1connect.NewJobServiceClient(hc, baseURL, opts...),
		Connections:  mgmtv1alpha1connect.NewConnectionServiceClient(hc, baseURL, opts...),
		Transformers: mgmtv1alpha1connect.NewTransformersServiceClient(hc, baseURL, opts...),
		Worker:       mgmtv1alpha1connect.NewWorkerServiceClient(hc, baseURL, opts...),
	}
}

type bearer string

func (b bearer) WrapUnary(next connect.UnaryFunc) connect.UnaryFunc {
	return func(ctx context.Context, req connect.AnyRequest) (connect.AnyResponse, error) {
		req.Header().Set("Authorization", "Bearer "+string(b))
		return next(ctx, req)
	}
}

func (b bearer) WrapStreamingClient(next connect.StreamingClientFunc) connect.StreamingClientFunc {
	return func(ctx context.Context, spec connect.Spec) connect.StreamingClientConn {
		conn := next(ctx, spec)
		conn.RequestHeader().Set("Authorization", "Bearer "+string(b))
		return conn
	}
}

func (b bearer) WrapStreamingHandler(next connect.StreamingHandlerFunc) connect.StreamingHandlerFunc {
	return next
}
