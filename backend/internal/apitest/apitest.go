// Package apitest starts a real API for integration tests: a fresh Postgres
// database for its state (migrated with the embedded migrations), the real
// HTTP server on a loopback port speaking HTTP/1.1 and h2c, and the generated
// Connect clients pointed at it. Scratch source databases come from
// pkg/testdb.
package apitest

import (
	"context"
	"crypto/rand"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"testing"
	"time"

	"connectrpc.com/connect"
	"github.com/jackc/pgx/v5/pgxpool"
	"go.temporal.io/sdk/client"

	"github.com/neosyncio/neosync/backend/gen/go/protos/mgmt/v1alpha1/mgmtv1alpha1connect"
	"github.com/neosyncio/neosync/backend/internal/auth"
	"github.com/neosyncio/neosync/backend/internal/domain/apikey"
	"github.com/neosyncio/neosync/backend/internal/domain/connection"
	"github.com/neosyncio/neosync/backend/internal/server"
	"github.com/neosyncio/neosync/backend/internal/store"
	"github.com/neosyncio/neosync/backend/pkg/bearer"
	"github.com/neosyncio/neosync/backend/pkg/devtemporal"
	"github.com/neosyncio/neosync/backend/pkg/jsvm/jsrunner"
	"github.com/neosyncio/neosync/backend/pkg/netpolicy"
	"github.com/neosyncio/neosync/backend/pkg/temporalconn"
	"github.com/neosyncio/neosync/backend/pkg/testdb"
)

// Ctx returns a context bounded to the test.
func Ctx(t testing.TB) context.Context { return testdb.Ctx(t) }

// API is a running API server with clients.
type API struct {
	// TaskQueue is this API's own task queue, so tests sharing one Temporal
	// server never pick up each other's workflows.
	TaskQueue string
	// Temporal is the API's Temporal client.
	Temporal client.Client
	URL      string
	DBURL    string
	Store    *store.Store
	// HTTP is an HTTP/1.1 client; H2C speaks cleartext HTTP/2 (for gRPC).
	HTTP *http.Client
	H2C  *http.Client
	// JS is the API's JavaScript runner (its children are this test binary).
	JS *jsrunner.Runner
}

// Options for Start.
type Options struct {
	AuthMode auth.Mode
	// OIDC configures AuthMode oidc.
	OIDC auth.OIDCConfig
	// Clock replaces time.Now where the API decides expiry.
	Clock func() time.Time
	// ConnectionNetwork is the network policy for tenants' connections;
	// nil allows every address (the tests' databases are on loopback).
	ConnectionNetwork *netpolicy.Policy
	// BodyReadTimeout overrides server.DefaultBodyReadTimeout.
	BodyReadTimeout time.Duration
	// EnvURLs allows url_from_env connections and gives the API the
	// environment it reads them from (zero: not allowed).
	EnvURLs connection.EnvURLs
}

// temporalHostPort is the package's shared Temporal dev server (see Main).
var temporalHostPort string

// Main runs a test package with a Temporal dev server shared by its tests:
// call it from TestMain as os.Exit(apitest.Main(m)). The server is stopped by
// pid when the tests end.
//
// Main also serves as the API's JavaScript runner when the API under test
// re-executes the test binary as one (see jsrunner.IsChild).
func Main(m *testing.M) int {
	if jsrunner.IsChild() {
		return jsrunner.Main()
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	srv, err := devtemporal.Start(ctx, devtemporal.Options{})
	cancel()
	if err != nil {
		fmt.Fprintln(os.Stderr, "apitest: cannot start the Temporal dev server:", err)
		return 1
	}
	defer srv.Stop()
	temporalHostPort = srv.HostPort
	return m.Run()
}

// TemporalHostPort is the shared dev server's address ("" outside Main).
func TemporalHostPort() string { return temporalHostPort }

// Start migrates a fresh API database and serves the API on a loopback port.
func Start(t testing.TB, opts Options) *API {
	t.Helper()
	if opts.AuthMode == "" {
		opts.AuthMode = auth.ModeNone
	}
	dbURL := testdb.Postgres(t, "neosync_api_test")
	if err := store.MigrateUp(dbURL); err != nil {
		t.Fatalf("migrate: %v", err)
	}
	ctx := Ctx(t)
	pool, err := pgxpool.New(ctx, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	st := store.FromPool(pool)
	key := make([]byte, 32)
	_, _ = rand.Read(key)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	if testing.Verbose() {
		log = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	}
	hostPort := temporalHostPort
	if hostPort == "" {
		hostPort = "127.0.0.1:1" // no engine: run RPCs answer Unavailable
	}
	tc, err := temporalconn.NewLazyClient(temporalconn.Config{HostPort: hostPort, Namespace: "default"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(tc.Close)
	taskQueue := "apitest-" + testdb.Suffix()
	js, err := jsrunner.New(jsrunner.Config{Command: []string{os.Args[0]}})
	if err != nil {
		t.Fatal(err)
	}
	h, err := server.NewHandler(st, server.Options{
		AuthMode: opts.AuthMode, OIDC: opts.OIDC, Clock: opts.Clock, EncryptionKey: key, MaxRequestBytes: 1 << 20, Logger: log,
		Temporal: tc, TaskQueue: taskQueue, TemporalHostPort: hostPort, JSRunner: js,
		ConnectionNetwork: opts.ConnectionNetwork, BodyReadTimeout: opts.BodyReadTimeout, EnvURLs: opts.EnvURLs,
	})
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srvCtx, stop := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- server.Serve(srvCtx, server.NewHTTPServer(h, log), ln, 5*time.Second) }()
	t.Cleanup(func() {
		stop()
		if err := <-done; err != nil {
			t.Errorf("serve: %v", err)
		}
		pool.Close()
	})
	h2 := &http.Transport{Protocols: new(http.Protocols)}
	h2.Protocols.SetUnencryptedHTTP2(true)
	return &API{
		TaskQueue: taskQueue,
		Temporal:  tc,
		URL:       "http://" + ln.Addr().String(),
		DBURL:     dbURL,
		Store:     st,
		HTTP:      &http.Client{Timeout: time.Minute},
		H2C:       &http.Client{Transport: h2, Timeout: time.Minute},
		JS:        js,
	}
}

// Clients bundles one generated client per service.
type Clients struct {
	Users        mgmtv1alpha1connect.UserAccountServiceClient
	Keys         mgmtv1alpha1connect.ApiKeyServiceClient
	Connections  mgmtv1alpha1connect.ConnectionServiceClient
	Data         mgmtv1alpha1connect.ConnectionDataServiceClient
	Jobs         mgmtv1alpha1connect.JobServiceClient
	Transformers mgmtv1alpha1connect.TransformersServiceClient
	Anonymize    mgmtv1alpha1connect.AnonymizationServiceClient
	Audit        mgmtv1alpha1connect.AuditServiceClient
	worker       mgmtv1alpha1connect.WorkerServiceClient
}

// Worker returns the WorkerService client (worker keys only).
func (c Clients) Worker() mgmtv1alpha1connect.WorkerServiceClient { return c.worker }

// Clients returns Connect-protocol clients over HTTP/1.1 sending apiKey as a
// bearer token (none when empty).
func (a *API) Clients(apiKey string) Clients {
	return a.clients(a.HTTP, apiKey)
}

// GRPCClients returns gRPC-protocol clients over cleartext HTTP/2.
func (a *API) GRPCClients(apiKey string) Clients {
	return a.clients(a.H2C, apiKey, connect.WithGRPC())
}

func (a *API) clients(hc *http.Client, apiKey string, extra ...connect.ClientOption) Clients {
	var opts []connect.ClientOption
	if apiKey != "" {
		opts = append(opts, connect.WithInterceptors(bearer.Interceptor(apiKey)))
	}
	opts = append(opts, extra...)
	return Clients{
		Users:        mgmtv1alpha1connect.NewUserAccountServiceClient(hc, a.URL, opts...),
		Keys:         mgmtv1alpha1connect.NewApiKeyServiceClient(hc, a.URL, opts...),
		Connections:  mgmtv1alpha1connect.NewConnectionServiceClient(hc, a.URL, opts...),
		Data:         mgmtv1alpha1connect.NewConnectionDataServiceClient(hc, a.URL, opts...),
		Jobs:         mgmtv1alpha1connect.NewJobServiceClient(hc, a.URL, opts...),
		Transformers: mgmtv1alpha1connect.NewTransformersServiceClient(hc, a.URL, opts...),
		Anonymize:    mgmtv1alpha1connect.NewAnonymizationServiceClient(hc, a.URL, opts...),
		Audit:        mgmtv1alpha1connect.NewAuditServiceClient(hc, a.URL, opts...),
		worker:       mgmtv1alpha1connect.NewWorkerServiceClient(hc, a.URL, opts...),
	}
}

// Code returns the Connect code of err, failing the test when err is nil.
func Code(t testing.TB, err error) connect.Code {
	t.Helper()
	if err == nil {
		t.Fatalf("expected an error, got nil")
	}
	return connect.CodeOf(err)
}

// AccountKey creates a team account named accountName (if missing) and an
// account API key for it, as `neosync-api apikey create -account` does.
func (a *API) AccountKey(t testing.TB, accountName string) (key, accountID string) {
	t.Helper()
	k, value, err := apikey.NewService(a.Store).Bootstrap(Ctx(t), accountName, "test", time.Now().Add(24*time.Hour))
	if err != nil {
		t.Fatalf("bootstrap key: %v", err)
	}
	return value, k.AccountID.String()
}

// WorkerKey creates a worker key.
func (a *API) WorkerKey(t testing.TB) string {
	t.Helper()
	value, err := apikey.NewService(a.Store).CreateWorkerKey(Ctx(t), "test-worker", time.Now().Add(24*time.Hour))
	if err != nil {
		t.Fatalf("worker key: %v", err)
	}
	return value
}
