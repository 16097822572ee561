// Package apiclient builds the Connect clients the CLI talks to the Neosync
// API with, and turns every failed call into one readable sentence: a user
// sees "cannot reach the Neosync API at …" or "not logged in …", never a raw
// Connect error.
package apiclient

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"time"

	"connectrpc.com/connect"

	"github.com/neosyncio/neosync/backend/gen/go/protos/mgmt/v1alpha1/mgmtv1alpha1connect"
	"github.com/neosyncio/neosync/backend/pkg/bearer"
	"github.com/neosyncio/neosync/backend/pkg/buildinfo"
)

// Client holds one Connect client per API service, all sharing a base URL,
// an API key and the error translation.
type Client struct {
	// URL is the API's base URL, as shown in error messages.
	URL string
	// Users answers who the caller is and which accounts they may use.
	Users mgmtv1alpha1connect.UserAccountServiceClient
	// Connections manages saved database connections.
	Connections mgmtv1alpha1connect.ConnectionServiceClient
	// Jobs manages jobs and their runs.
	Jobs mgmtv1alpha1connect.JobServiceClient
	// Transformers lists system and user-defined transformers.
	Transformers mgmtv1alpha1connect.TransformersServiceClient
	// Data reads a connection's schema and streams its rows (neosync sync).
	Data mgmtv1alpha1connect.ConnectionDataServiceClient
	// Audit lists an account's audit trail.
	Audit mgmtv1alpha1connect.AuditServiceClient
}

// DefaultHTTPClient dials with a short timeout, so an unreachable host fails
// fast, and bounds each call.
func DefaultHTTPClient() *http.Client {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.DialContext = (&net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}).DialContext
	tr.ResponseHeaderTimeout = 2 * time.Minute
	return &http.Client{Transport: tr}
}

// New returns clients for the API at baseURL. apiKey may be empty (single-user
// mode); when set it is sent as a bearer token on every call.
func New(httpClient connect.HTTPClient, baseURL, apiKey string) *Client {
	opts := []connect.ClientOption{connect.WithInterceptors(bearer.Interceptor(apiKey), &interceptor{url: baseURL, apiKey: apiKey})}
	return &Client{
		URL:          baseURL,
		Users:        mgmtv1alpha1connect.NewUserAccountServiceClient(httpClient, baseURL, opts...),
		Connections:  mgmtv1alpha1connect.NewConnectionServiceClient(httpClient, baseURL, opts...),
		Jobs:         mgmtv1alpha1connect.NewJobServiceClient(httpClient, baseURL, opts...),
		Transformers: mgmtv1alpha1connect.NewTransformersServiceClient(httpClient, baseURL, opts...),
		Data:         mgmtv1alpha1connect.NewConnectionDataServiceClient(httpClient, baseURL, opts...),
		Audit:        mgmtv1alpha1connect.NewAuditServiceClient(httpClient, baseURL, opts...),
	}
}

// interceptor names the client (User-Agent) and translates errors into one readable line.
type interceptor struct {
	url    string
	apiKey string
}

// WrapUnary names the client and translates errors (bearer.Interceptor adds the key).
func (i *interceptor) WrapUnary(next connect.UnaryFunc) connect.UnaryFunc {
	return func(ctx context.Context, req connect.AnyRequest) (connect.AnyResponse, error) {
		req.Header().Set("User-Agent", "neosync-cli/"+buildinfo.Version)
		resp, err := next(ctx, req)
		if err != nil {
			return nil, translate(err, i.url, req.Spec().Procedure, i.apiKey != "")
		}
		return resp, nil
	}
}

// WrapStreamingClient names the client on streams (neosync sync reads rows as a
// server stream) and translates the errors they end with.
func (i *interceptor) WrapStreamingClient(next connect.StreamingClientFunc) connect.StreamingClientFunc {
	return func(ctx context.Context, spec connect.Spec) connect.StreamingClientConn {
		conn := next(ctx, spec)
		conn.RequestHeader().Set("User-Agent", "neosync-cli/"+buildinfo.Version)
		return &translatingConn{StreamingClientConn: conn, i: i, procedure: spec.Procedure}
	}
}

// translatingConn translates the error a stream ends with (not io.EOF,
// which is how a stream ends well).
type translatingConn struct {
	connect.StreamingClientConn
	i         *interceptor
	procedure string
}

// Receive reads the next message, translating failures.
func (c *translatingConn) Receive(msg any) error {
	err := c.StreamingClientConn.Receive(msg)
	if err != nil && !errors.Is(err, io.EOF) {
		return translate(err, c.i.url, c.procedure, c.i.apiKey != "")
	}
	return err
}

// Send writes a message, translating failures.
func (c *translatingConn) Send(msg any) error {
	err := c.StreamingClientConn.Send(msg)
	if err != nil && !errors.Is(err, io.EOF) {
		return translate(err, c.i.url, c.procedure, c.i.apiKey != "")
	}
	return err
}

// WrapStreamingHandler is unused on a client.
func (i *interceptor) WrapStreamingHandler(next connect.StreamingHandlerFunc) connect.StreamingHandlerFunc {
	return next
}
