package server_test

import (
	"context"
	"testing"

	"connectrpc.com/connect"
	"github.com/jackc/pgx/v5"

	mgmt "github.com/neosyncio/neosync/backend/gen/go/protos/mgmt/v1alpha1"
	"github.com/neosyncio/neosync/backend/internal/apitest"
)

// workerRuns is an API in apikey mode with an account (its clients c) and
// a worker key (its clients w), for tests of what a worker reports.
type workerRuns struct {
	api       *apitest.API
	c, w      apitest.Clients
	accountID string
}

func newWorkerRuns(t *testing.T, account string) *workerRuns {
	t.Helper()
	api := apitest.Start(t, apitest.Options{AuthMode: "apikey"})
	key, accountID := api.AccountKey(t, account)
	return &workerRuns{api: api, c: api.Clients(key), w: api.Clients(api.WorkerKey(t)), accountID: accountID}
}

// start creates a job named name and has the worker start a run of it;
// it returns the run's id.
func (r *workerRuns) start(t *testing.T, name string) string {
	t.Helper()
	job := newJob(t, r.api, r.c, r.accountID, name, nil)
	started, err := r.w.Worker().StartJobRun(apitest.Ctx(t), connect.NewRequest(&mgmt.StartJobRunRequest{JobId: job.GetId(), WorkflowId: name, TemporalRunId: "x"}))
	if err != nil {
		t.Fatalf("StartJobRun: %v", err)
	}
	return started.Msg.GetJobRunId()
}

func pgConfig(url string) *mgmt.ConnectionConfig {
	return &mgmt.ConnectionConfig{Config: &mgmt.ConnectionConfig_PgConfig{PgConfig: &mgmt.PostgresConnectionConfig{
		ConnectionConfig: &mgmt.PostgresConnectionConfig_Url{Url: url},
	}}}
}

func mysqlConfig(url string) *mgmt.ConnectionConfig {
	return &mgmt.ConnectionConfig{Config: &mgmt.ConnectionConfig_MysqlConfig{MysqlConfig: &mgmt.MysqlConnectionConfig{
		ConnectionConfig: &mgmt.MysqlConnectionConfig_Url{Url: url},
	}}}
}

func personalAccount(t *testing.T, c apitest.Clients) string {
	t.Helper()
	resp, err := c.Users.SetPersonalAccount(apitest.Ctx(t), connect.NewRequest(&mgmt.SetPersonalAccountRequest{}))
	if err != nil {
		t.Fatalf("SetPersonalAccount: %v", err)
	}
	return resp.Msg.GetAccountId()
}

func createConnection(t *testing.T, c apitest.Clients, accountID, name string, cfg *mgmt.ConnectionConfig) *mgmt.Connection {
	t.Helper()
	resp, err := c.Connections.CreateConnection(apitest.Ctx(t), connect.NewRequest(&mgmt.CreateConnectionRequest{AccountId: accountID, Name: name, ConnectionConfig: cfg}))
	if err != nil {
		t.Fatalf("CreateConnection %s: %v", name, err)
	}
	return resp.Msg.GetConnection()
}

func execPG(t *testing.T, url, sql string) {
	t.Helper()
	ctx := apitest.Ctx(t)
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	if _, err := conn.Exec(ctx, sql); err != nil {
		t.Fatalf("exec fixture: %v", err)
	}
}

func wantCode(t *testing.T, what string, err error, code connect.Code) {
	t.Helper()
	if err == nil {
		t.Fatalf("%s: expected %v, got success", what, code)
	}
	if got := connect.CodeOf(err); got != code {
		t.Fatalf("%s: code = %v (%v), want %v", what, got, err, code)
	}
}

func ptr[T any](v T) *T { return &v }
