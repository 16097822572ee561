// Package apiclient builds the worker's Connect clients for the API, each
// sending the worker key as a bearer token, and checks at start that the API
// accepts that key.
package apiclient

import (
	"net/http"
	"slices"
	"time"

	"connectrpc.com/connect"

	"github.com/neosyncio/neosync/backend/gen/go/protos/mgmt/v1alpha1/mgmtv1alpha1connect"
	"github.com/neosyncio/neosync/backend/pkg/bearer"
)

// Clients are the services the worker calls.
type Clients struct {
	Jobs         mgmtv1alpha1connect.JobServiceClient
	Connections  mgmtv1alpha1connect.ConnectionServiceClient
	Transformers mgmtv1alpha1connect.TransformersServiceClient
	Worker       mgmtv1alpha1connect.WorkerServiceClient
	// Users answers GetSystemInformation, the call CheckKey makes.
	Users mgmtv1alpha1connect.UserAccountServiceClient
}

// New returns clients for the API at baseURL authenticated with key;
// extra interceptors (tracing) run outside the bearer one.
func New(baseURL, key string, extra ...connect.Interceptor) Clients {
	hc := &http.Client{Timeout: 2 * time.Minute}
	opts := []connect.ClientOption{connect.WithInterceptors(append(slices.Clone(extra), bearer.Interceptor(key))...)}
	return Clients{
		Jobs:         mgmtv1alpha1connect.NewJobServiceClient(hc, baseURL, opts...),
		Connections:  mgmtv1alpha1connect.NewConnectionServiceClient(hc, baseURL, opts...),
		Transformers: mgmtv1alpha1connect.NewTransformersServiceClient(hc, baseURL, opts...),
		Worker:       mgmtv1alpha1connect.NewWorkerServiceClient(hc, baseURL, opts...),
		Users:        mgmtv1alpha1connect.NewUserAccountServiceClient(hc, baseURL, opts...),
	}
}
