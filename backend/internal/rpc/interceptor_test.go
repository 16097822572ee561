package rpc

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"connectrpc.com/connect"
	"github.com/google/uuid"

	"github.com/neosyncio/neosync/backend/gen/go/protos/mgmt/v1alpha1"
	"github.com/neosyncio/neosync/backend/gen/go/protos/mgmt/v1alpha1/mgmtv1alpha1connect"
	"github.com/neosyncio/neosync/backend/internal/auth"
	"github.com/neosyncio/neosync/backend/internal/domain"
)

// fixedAuth authenticates every call as user, or fails with err.
type fixedAuth struct {
	user *auth.Principal
	err  error
}

func (a fixedAuth) Authenticate(context.Context, string) (*auth.Principal, error) {
	return a.user, a.err
}

// failingHandlers end every call with err: GetJob at once, the data stream
// after sending one message (an error in the middle of a stream).
type failingHandlers struct {
	mgmtv1alpha1connect.UnimplementedJobServiceHandler
	mgmtv1alpha1connect.UnimplementedConnectionDataServiceHandler
	err error
}

func (h failingHandlers) GetJob(context.Context, *connect.Request[mgmtv1alpha1.GetJobRequest]) (*connect.Response[mgmtv1alpha1.GetJobResponse], error) {
	if h.err == nil {
		return connect.NewResponse(&mgmtv1alpha1.GetJobResponse{}), nil
	}
	return nil, h.err
}

func (h failingHandlers) GetConnectionDataStream(_ context.Context, _ *connect.Request[mgmtv1alpha1.GetConnectionDataStreamRequest], s *connect.ServerStream[mgmtv1alpha1.GetConnectionDataStreamResponse]) error {
	if err := s.Send(&mgmtv1alpha1.GetConnectionDataStreamResponse{Columns: []string{"id"}}); err != nil {
		return err
	}
	return h.err
}

// syncBuffer is a log sink the server's goroutines may share.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

// records returns the log records whose message is msg.
func (b *syncBuffer) records(t *testing.T, msg string) []map[string]any {
	t.Helper()
	b.mu.Lock()
	defer b.mu.Unlock()
	var out []map[string]any
	for _, line := range strings.Split(strings.TrimSpace(b.buf.String()), "\n") {
		if line == "" {
			continue
		}
		var rec map[string]any
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			t.Fatalf("log line %q: %v", line, err)
		}
		if rec["msg"] == msg {
			out = append(out, rec)
		}
	}
	return out
}

// testAPI serves the failing handlers behind the interceptor over HTTP/2
// (TLS), so both the Connect and the gRPC protocol can be used.
func testAPI(t *testing.T, authn authenticator, handlerErr error) (*httptest.Server, *syncBuffer) {
	t.Helper()
	logs := &syncBuffer{}
	log := slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	opt := connect.WithInterceptors(&authInterceptor{authn: authn, log: log})
	h := failingHandlers{err: handlerErr}
	mux := http.NewServeMux()
	mux.Handle(mgmtv1alpha1connect.NewJobServiceHandler(h, opt))
	mux.Handle(mgmtv1alpha1connect.NewConnectionDataServiceHandler(h, opt))
	srv := httptest.NewUnstartedServer(mux)
	srv.EnableHTTP2 = true
	srv.StartTLS()
	t.Cleanup(srv.Close)
	return srv, logs
}

// protocols are the wire protocols a call is checked over.
var protocols = map[string][]connect.ClientOption{
	"connect": nil,
	"grpc":    {connect.WithGRPC()},
}

// callUnary calls GetJob and returns its error.
func callUnary(srv *httptest.Server, opts []connect.ClientOption, req *mgmtv1alpha1.GetJobRequest) error {
	c := mgmtv1alpha1connect.NewJobServiceClient(srv.Client(), srv.URL, opts...)
	_, err := c.GetJob(context.Background(), connect.NewRequest(req))
	return err
}

// callStream reads the whole data stream and returns how many messages
// arrived and the error it ended with.
func callStream(srv *httptest.Server, opts []connect.ClientOption, req *mgmtv1alpha1.GetConnectionDataStreamRequest) (int, error) {
	c := mgmtv1alpha1connect.NewConnectionDataServiceClient(srv.Client(), srv.URL, opts...)
	stream, err := c.GetConnectionDataStream(context.Background(), connect.NewRequest(req))
	if err != nil {
		return 0, err
	}
	defer stream.Close()
	n := 0
	for stream.Receive() {
		n++
	}
	return n, stream.Err()
}

// wantError fails unless err is a Connect error with code and message.
func wantError(t *testing.T, err error, code connect.Code, message string) {
	t.Helper()
	var ce *connect.Error
	if !errors.As(err, &ce) {
		t.Fatalf("error = %v, want a Connect %s error", err, code)
	}
	if ce.Code() != code || ce.Message() != message {
		t.Fatalf("error = %s %q, want %s %q", ce.Code(), ce.Message(), code, message)
	}
}

// TestInterceptorMapsErrors checks that what a handler returns reaches the
// caller with the code and message it always had, for unary calls and for
// a server stream that fails after its first message, over both protocols.
func TestInterceptorMapsErrors(t *testing.T) {
	t.Parallel()
	nf := &domain.NotFoundError{Resource: "job", ID: "3f1c2a9e-0000-4000-8000-000000000001"}
	tests := []struct {
		name    string
		err     error
		code    connect.Code
		message string
	}{
		{"not found", nf, connect.CodeNotFound, "job 3f1c2a9e-0000-4000-8000-000000000001 not found"},
		{"wrapped not found", fmt.Errorf("load job: %w", nf), connect.CodeNotFound, "job 3f1c2a9e-0000-4000-8000-000000000001 not found"},
		{"validation", &domain.ValidationError{Field: "id", Reason: "must be a UUID"}, connect.CodeInvalidArgument, "id: must be a UUID"},
		{"already exists", &domain.AlreadyExistsError{Resource: "job", Field: "name", Value: "nightly"}, connect.CodeAlreadyExists, `job with name "nightly" already exists`},
		{"failed precondition", domain.FailedPrecondition("connection %s is used by %d jobs", "pg", 2), connect.CodeFailedPrecondition, "connection pg is used by 2 jobs"},
		{"permission denied", &domain.PermissionDeniedError{Reason: "a worker key may not call X"}, connect.CodePermissionDenied, "a worker key may not call X"},
		{"unavailable", &domain.UnavailableError{Reason: "workflow engine unreachable"}, connect.CodeUnavailable, "workflow engine unreachable"},
		{"unimplemented", &domain.UnimplementedError{Reason: "S3 connections are not supported yet"}, connect.CodeUnimplemented, "S3 connections are not supported yet"},
		{"unauthenticated", domain.ErrUnauthenticated, connect.CodeUnauthenticated, domain.ErrUnauthenticated.Error()},
		{"canceled", fmt.Errorf("query: %w", context.Canceled), connect.CodeCanceled, "request canceled"},
		{"deadline", fmt.Errorf("query: %w", context.DeadlineExceeded), connect.CodeDeadlineExceeded, "request deadline exceeded"},
		{"connect error passes through", connect.NewError(connect.CodeResourceExhausted, errors.New("slow down")), connect.CodeResourceExhausted, "slow down"},
		{"wrapped connect error passes through", fmt.Errorf("send: %w", connect.NewError(connect.CodeAborted, errors.New("retry"))), connect.CodeAborted, "retry"},
	}
	user := fixedAuth{user: &auth.Principal{Kind: auth.KindUser, UserID: uuid.New(), Roles: map[uuid.UUID]auth.Role{uuid.New(): auth.RoleAdmin}}}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv, logs := testAPI(t, user, tc.err)
			for proto, opts := range protocols {
				wantError(t, callUnary(srv, opts, &mgmtv1alpha1.GetJobRequest{}), tc.code, tc.message)
				n, err := callStream(srv, opts, &mgmtv1alpha1.GetConnectionDataStreamRequest{})
				if n != 1 {
					t.Errorf("%s stream: %d messages before the error, want 1", proto, n)
				}
				wantError(t, err, tc.code, tc.message)
			}
			if got := len(logs.records(t, "internal error")); got != 0 {
				t.Errorf("%d internal error records for a %s error, want none", got, tc.code)
			}
			for _, rec := range logs.records(t, "rpc") {
				if rec["code"] != tc.code.String() {
					t.Errorf("rpc log code = %v, want %s", rec["code"], tc.code)
				}
			}
		})
	}
}

// TestInterceptorHidesInternalErrors checks that an unknown error reaches
// the caller as Internal with a generic message, and that its cause is
// logged exactly once per call, never in the call's own log line.
func TestInterceptorHidesInternalErrors(t *testing.T) {
	t.Parallel()
	cause := errors.New("dial tcp 10.1.2.3:5432: password authentication failed for user \"app\"")
	user := fixedAuth{user: &auth.Principal{Kind: auth.KindUser, UserID: uuid.New(), Roles: map[uuid.UUID]auth.Role{uuid.New(): auth.RoleAdmin}}}
	srv, logs := testAPI(t, user, fmt.Errorf("load job: %w", cause))
	calls := 0
	for _, opts := range protocols {
		wantError(t, callUnary(srv, opts, &mgmtv1alpha1.GetJobRequest{}), connect.CodeInternal, internalMessage)
		_, err := callStream(srv, opts, &mgmtv1alpha1.GetConnectionDataStreamRequest{})
		wantError(t, err, connect.CodeInternal, internalMessage)
		calls += 2
	}
	internal := logs.records(t, "internal error")
	if len(internal) != calls {
		t.Fatalf("%d internal error records for %d calls, want one each", len(internal), calls)
	}
	for _, rec := range internal {
		if rec["error"] != "load job: "+cause.Error() {
			t.Errorf("logged cause = %v, want the wrapped cause", rec["error"])
		}
	}
	for _, rec := range logs.records(t, "rpc") {
		if rec["code"] != connect.CodeInternal.String() || strings.Contains(fmt.Sprint(rec), "10.1.2.3") {
			t.Errorf("rpc log record = %v, want code internal and no cause", rec)
		}
	}
}

// TestInterceptorRefusesBeforeHandler checks the errors raised before a
// handler runs: authentication, authorization and a request string the
// database could not store, in a unary request and in a stream's request.
func TestInterceptorRefusesBeforeHandler(t *testing.T) {
	t.Parallel()
	user := fixedAuth{user: &auth.Principal{Kind: auth.KindUser, UserID: uuid.New(), Roles: map[uuid.UUID]auth.Role{uuid.New(): auth.RoleAdmin}}}
	worker := fixedAuth{user: &auth.Principal{Kind: auth.KindWorker, Scope: domain.Scope{All: true}}}
	type want struct {
		code    connect.Code
		message string
	}
	tests := []struct {
		name     string
		authn    authenticator
		job      *mgmtv1alpha1.GetJobRequest
		stream   *mgmtv1alpha1.GetConnectionDataStreamRequest
		unary    *want // nil: the call is allowed (the handler's own error follows)
		streamed *want
	}{
		{
			name: "unauthenticated", authn: fixedAuth{err: domain.ErrUnauthenticated},
			unary:    &want{connect.CodeUnauthenticated, domain.ErrUnauthenticated.Error()},
			streamed: &want{connect.CodeUnauthenticated, domain.ErrUnauthenticated.Error()},
		},
		{
			name: "authenticator broken", authn: fixedAuth{err: errors.New("pool closed")},
			unary:    &want{connect.CodeInternal, internalMessage},
			streamed: &want{connect.CodeInternal, internalMessage},
		},
		{
			// GetJob is on the worker's allow-list, the data stream is not.
			name: "worker outside its allow-list", authn: worker,
			streamed: &want{connect.CodePermissionDenied, "a worker key may not call /mgmt.v1alpha1.ConnectionDataService/GetConnectionDataStream"},
		},
		{
			name: "NUL byte", authn: user,
			job: &mgmtv1alpha1.GetJobRequest{Id: "a\x00b"}, stream: &mgmtv1alpha1.GetConnectionDataStreamRequest{Schema: "a\x00b"},
			unary:    &want{connect.CodeInvalidArgument, "id: contains a NUL byte"},
			streamed: &want{connect.CodeInvalidArgument, "schema: contains a NUL byte"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv, _ := testAPI(t, tc.authn, &domain.NotFoundError{Resource: "handler"})
			job, stream := tc.job, tc.stream
			if job == nil {
				job, stream = &mgmtv1alpha1.GetJobRequest{}, &mgmtv1alpha1.GetConnectionDataStreamRequest{}
			}
			unary := tc.unary
			if unary == nil {
				unary = &want{connect.CodeNotFound, "handler not found"}
			}
			for _, opts := range protocols {
				wantError(t, callUnary(srv, opts, job), unary.code, unary.message)
				n, err := callStream(srv, opts, stream)
				if n != 0 {
					t.Errorf("stream sent %d messages, want none", n)
				}
				wantError(t, err, tc.streamed.code, tc.streamed.message)
			}
		})
	}
}

// TestResolve checks the one way a handler opens: the caller from the
// context, the id from the named field.
func TestResolve(t *testing.T) {
	t.Parallel()
	p := &auth.Principal{Kind: auth.KindUser, UserID: uuid.New()}
	ctx := auth.WithPrincipal(context.Background(), p)
	id := uuid.New()

	got, err := resolve(ctx, "job_id", id.String())
	if err != nil || got.ID != id || got.Principal != p {
		t.Fatalf("resolve = %+v, %v; want the caller and %s", got, err, id)
	}
	if _, err := resolve(context.Background(), "job_id", id.String()); !errors.Is(err, domain.ErrUnauthenticated) {
		t.Fatalf("without a caller: %v, want ErrUnauthenticated", err)
	}
	for raw, reason := range map[string]string{"": "is required", "nope": "must be a UUID"} {
		var ve *domain.ValidationError
		_, err := resolve(ctx, "job_id", raw)
		if !errors.As(err, &ve) || ve.Field != "job_id" || ve.Reason != reason {
			t.Fatalf("resolve(%q) = %v, want job_id: %s", raw, err, reason)
		}
	}
}
