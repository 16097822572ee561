// Package server wires the API: it builds the domain services over the store,
// mounts every Connect handler with the auth interceptor, a request-size cap
// and a body-read deadline (lifted once the body is read, so server streams
// run as long as they need), adds gRPC health and reflection, and serves
// Connect, gRPC and gRPC-Web on one port over HTTP/1.1 and cleartext HTTP/2
// (h2c).
package server

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"slices"
	"time"

	"connectrpc.com/connect"
	"connectrpc.com/grpchealth"
	"connectrpc.com/grpcreflect"
	"go.temporal.io/sdk/client"

	"github.com/neosyncio/neosync/backend/gen/go/protos/mgmt/v1alpha1/mgmtv1alpha1connect"
	"github.com/neosyncio/neosync/backend/internal/auth"
	"github.com/neosyncio/neosync/backend/internal/domain/account"
	"github.com/neosyncio/neosync/backend/internal/domain/anonymization"
	"github.com/neosyncio/neosync/backend/internal/domain/apikey"
	"github.com/neosyncio/neosync/backend/internal/domain/audit"
	"github.com/neosyncio/neosync/backend/internal/domain/connection"
	"github.com/neosyncio/neosync/backend/internal/domain/connectiondata"
	"github.com/neosyncio/neosync/backend/internal/domain/job"
	"github.com/neosyncio/neosync/backend/internal/domain/jobplan"
	"github.com/neosyncio/neosync/backend/internal/domain/run"
	"github.com/neosyncio/neosync/backend/internal/domain/transformer"
	"github.com/neosyncio/neosync/backend/internal/rpc"
	"github.com/neosyncio/neosync/backend/internal/scheduler"
	"github.com/neosyncio/neosync/backend/internal/secretbox"
	"github.com/neosyncio/neosync/backend/internal/store"
	"github.com/neosyncio/neosync/backend/pkg/jsvm/jsrunner"
	"github.com/neosyncio/neosync/backend/pkg/netpolicy"
	"github.com/neosyncio/neosync/backend/pkg/sqlconnect"
	"github.com/neosyncio/neosync/backend/pkg/telemetry"
	"github.com/neosyncio/neosync/backend/pkg/transformers"
)

// Options configure the handler.
type Options struct {
	AuthMode auth.Mode
	// OIDC configures AuthMode oidc.
	OIDC auth.OIDCConfig
	// Clock decides whether keys and tokens have expired; nil is time.Now
	// (tests move it forward instead of waiting).
	Clock           func() time.Time
	EncryptionKey   []byte
	MaxRequestBytes int
	Logger          *slog.Logger
	// Registry is the transformer registry; nil builds one.
	Registry *transformers.Registry
	// Temporal is the workflow engine client (a lazy client is fine: calls
	// fail with Unavailable while Temporal is down).
	Temporal client.Client
	// TaskQueue is the queue workers poll.
	TaskQueue string
	// TemporalHostPort is shown in errors.
	TemporalHostPort string
	// JSRunner evaluates the JavaScript of previews and anonymizations in
	// child processes with memory, CPU and time limits. Required.
	JSRunner *jsrunner.Runner
	// BodyReadTimeout is how long a request may take to deliver its body
	// (zero means DefaultBodyReadTimeout). It ends when the body has been
	// read, so responses, server streams included, may run longer.
	BodyReadTimeout time.Duration
	// ConnectionNetwork is the network policy for tenants' connections;
	// nil allows every address. The API's own database is refused
	// whatever it says.
	ConnectionNetwork *netpolicy.Policy
	// EnvURLs says whether connections may read their URL from the
	// environment (url_from_env) and how the API reads its own.
	EnvURLs connection.EnvURLs
	// Interceptors run around every RPC before authentication (tracing,
	// metrics), outermost first.
	Interceptors []connect.Interceptor
}

// ServiceNames lists every service the API serves, for health and reflection.
var ServiceNames = []string{
	mgmtv1alpha1connect.UserAccountServiceName,
	mgmtv1alpha1connect.ApiKeyServiceName,
	mgmtv1alpha1connect.AuditServiceName,
	mgmtv1alpha1connect.ConnectionServiceName,
	mgmtv1alpha1connect.ConnectionDataServiceName,
	mgmtv1alpha1connect.JobServiceName,
	mgmtv1alpha1connect.TransformersServiceName,
	mgmtv1alpha1connect.AnonymizationServiceName,
	mgmtv1alpha1connect.WorkerServiceName,
}

// NewHandler returns the API's HTTP handler.
func NewHandler(st *store.Store, opts Options) (http.Handler, error) {
	box, err := secretbox.New(opts.EncryptionKey)
	if err != nil {
		return nil, err
	}
	log := opts.Logger
	authn := auth.NewAuthenticator(opts.AuthMode, st, opts.OIDC)
	if opts.Clock != nil {
		authn.SetClock(opts.Clock)
	}
	trail := audit.NewService(st)
	handlerOpts := []connect.HandlerOption{
		connect.WithInterceptors(append(slices.Clone(opts.Interceptors), rpc.NewInterceptor(authn, auth.NewAuthorizer(st), trail, log))...),
		connect.WithReadMaxBytes(opts.MaxRequestBytes),
	}
	accounts := account.NewService(st, authn)
	if opts.Clock != nil {
		accounts.SetClock(opts.Clock)
	}
	keys := apikey.NewService(st)
	policy := &sqlconnect.Policy{
		Network: opts.ConnectionNetwork,
		Protected: func(ctx context.Context) ([]sqlconnect.Identity, error) {
			own, err := sqlconnect.PostgresIdentity(ctx, st.Pool())
			if err != nil {
				return nil, err
			}
			return []sqlconnect.Identity{own}, nil
		},
	}
	conns := connection.NewService(st, box, policy, opts.EnvURLs)
	data := connectiondata.NewService(conns)
	registry := opts.Registry
	if registry == nil {
		registry = transformers.NewRegistry()
	}
	if opts.JSRunner == nil {
		return nil, errors.New("server: Options.JSRunner is required")
	}
	xforms := transformer.NewService(st, registry, opts.JSRunner)
	sched := scheduler.New(opts.Temporal, opts.TaskQueue, opts.TemporalHostPort)
	jobs := job.NewService(st, xforms, sched, jobplan.NewValidator(conns, xforms), box)
	runs := run.NewService(st, jobs, sched)

	mux := http.NewServeMux()
	mux.Handle(mgmtv1alpha1connect.NewUserAccountServiceHandler(rpc.NewUserAccountHandler(accounts, opts.AuthMode, opts.OIDC), handlerOpts...))
	mux.Handle(mgmtv1alpha1connect.NewAuditServiceHandler(rpc.NewAuditHandler(trail), handlerOpts...))
	mux.Handle(mgmtv1alpha1connect.NewApiKeyServiceHandler(rpc.NewApiKeyHandler(keys), handlerOpts...))
	mux.Handle(mgmtv1alpha1connect.NewConnectionServiceHandler(rpc.NewConnectionHandler(conns), handlerOpts...))
	mux.Handle(mgmtv1alpha1connect.NewConnectionDataServiceHandler(rpc.NewConnectionDataHandler(data), handlerOpts...))
	mux.Handle(mgmtv1alpha1connect.NewJobServiceHandler(rpc.NewJobHandler(jobs, runs, jobplan.NewService(jobs, conns, xforms), log), handlerOpts...))
	mux.Handle(mgmtv1alpha1connect.NewTransformersServiceHandler(rpc.NewTransformersHandler(xforms), handlerOpts...))
	mux.Handle(mgmtv1alpha1connect.NewAnonymizationServiceHandler(rpc.NewAnonymizationHandler(anonymization.NewService(xforms)), handlerOpts...))

	mux.Handle(mgmtv1alpha1connect.NewWorkerServiceHandler(rpc.NewWorkerHandler(runs, conns), handlerOpts...))

	mux.Handle(grpchealth.NewHandler(&healthChecker{store: st}))
	reflector := grpcreflect.NewStaticReflector(append([]string{grpchealth.HealthV1ServiceName}, ServiceNames...)...)
	mux.Handle(grpcreflect.NewHandlerV1(reflector))
	mux.Handle(grpcreflect.NewHandlerV1Alpha(reflector))
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		if err := st.Pool().Ping(r.Context()); err != nil {
			http.Error(w, "database unavailable", http.StatusServiceUnavailable)
			return
		}
		_, _ = w.Write([]byte("ok\n"))
	})
	mux.Handle("GET /readyz", telemetry.ProbeHandler(ReadinessProbes(st)))
	bodyTimeout := opts.BodyReadTimeout
	if bodyTimeout <= 0 {
		bodyTimeout = DefaultBodyReadTimeout
	}
	return http.MaxBytesHandler(bodyDeadline(mux, bodyTimeout), int64(opts.MaxRequestBytes)+1024), nil
}

// DefaultBodyReadTimeout bounds the delivery of a request body: a client
// that sends headers and then trickles (or withholds) the body cannot hold
// a connection and a handler for longer.
const DefaultBodyReadTimeout = time.Minute

// bodyDeadline gives each request d to deliver its body and lifts the
// deadline once the body has been read to its end, so a server stream that
// runs for hours after its request arrived is never cut. A request known to
// have no body gets no deadline (HTTP/1.1 would otherwise apply it to the
// server's background read of the idle connection and cancel the call).
func bodyDeadline(next http.Handler, d time.Duration) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.ContentLength == 0 || r.Body == nil || r.Body == http.NoBody {
			next.ServeHTTP(w, r)
			return
		}
		rc := http.NewResponseController(w)
		if err := rc.SetReadDeadline(time.Now().Add(d)); err == nil {
			r.Body = &deadlineBody{ReadCloser: r.Body, rc: rc}
		}
		next.ServeHTTP(w, r)
	})
}

// deadlineBody lifts the read deadline when the body ends.
type deadlineBody struct {
	io.ReadCloser
	rc   *http.ResponseController
	done bool
}

// Read reads the body; at its end the deadline is lifted.
func (b *deadlineBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	if err == io.EOF && !b.done {
		b.done = true
		_ = b.rc.SetReadDeadline(time.Time{})
	}
	return n, err
}

// ReadinessProbes are what the API needs to serve: its database answers.
// /readyz on the API's port and on its metrics port run them.
func ReadinessProbes(st *store.Store) []telemetry.Probe {
	return []telemetry.Probe{{Name: "database", Check: func(ctx context.Context) error {
		if err := st.Pool().Ping(ctx); err != nil {
			return errors.New("the API database does not answer")
		}
		return nil
	}}}
}

// healthChecker reports SERVING while the API database answers.
type healthChecker struct{ store *store.Store }

// Check pings the API database.
func (h *healthChecker) Check(ctx context.Context, req *grpchealth.CheckRequest) (*grpchealth.CheckResponse, error) {
	if req.Service != "" {
		known := false
		for _, s := range ServiceNames {
			known = known || s == req.Service
		}
		if !known {
			return nil, connect.NewError(connect.CodeNotFound, errors.New("unknown service "+req.Service))
		}
	}
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	if err := h.store.Pool().Ping(ctx); err != nil {
		return &grpchealth.CheckResponse{Status: grpchealth.StatusNotServing}, nil
	}
	return &grpchealth.CheckResponse{Status: grpchealth.StatusServing}, nil
}

// NewHTTPServer returns a server speaking HTTP/1.1 and h2c on one port.
func NewHTTPServer(h http.Handler, log *slog.Logger) *http.Server {
	protocols := new(http.Protocols)
	protocols.SetHTTP1(true)
	protocols.SetUnencryptedHTTP2(true)
	return &http.Server{
		Handler:           h,
		Protocols:         protocols,
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
}

// Serve serves on ln until ctx is done, then shuts down gracefully.
func Serve(ctx context.Context, srv *http.Server, ln net.Listener, grace time.Duration) error {
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), grace)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		return err
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
