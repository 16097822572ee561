package server_test

import (
	"os/exec"
	"strings"
	"testing"
	"time"

	"connectrpc.com/connect"

	mgmt "github.com/neosyncio/neosync/backend/gen/go/protos/mgmt/v1alpha1"
	"github.com/neosyncio/neosync/backend/internal/apitest"
	"github.com/neosyncio/neosync/backend/pkg/testdb"
)

const canary = "Canary-Pa55word-7f3a9c"

func TestConnectionsCRUD(t *testing.T) {
	t.Parallel()
	api := apitest.Start(t, apitest.Options{})
	c := api.Clients("")
	ctx := apitest.Ctx(t)
	accountID := personalAccount(t, c)

	url := "postgres://app:" + canary + "@127.0.0.1:5432/prod?sslmode=disable"
	conn := createConnection(t, c, accountID, "prod-db", pgConfig(url))
	gotURL := conn.GetConnectionConfig().GetPgConfig().GetUrl()
	if strings.Contains(gotURL, canary) || !strings.Contains(gotURL, "********") {
		t.Fatalf("create returned an unmasked secret: %s", gotURL)
	}

	_, err := c.Connections.CreateConnection(ctx, connect.NewRequest(&mgmt.CreateConnectionRequest{AccountId: accountID, Name: "prod-db", ConnectionConfig: pgConfig(url)}))
	wantCode(t, "duplicate name", err, connect.CodeAlreadyExists)

	avail, err := c.Connections.IsConnectionNameAvailable(ctx, connect.NewRequest(&mgmt.IsConnectionNameAvailableRequest{AccountId: accountID, ConnectionName: "prod-db"}))
	if err != nil || avail.Msg.GetIsAvailable() {
		t.Fatalf("IsConnectionNameAvailable(prod-db) = %v, %v", avail, err)
	}
	avail, err = c.Connections.IsConnectionNameAvailable(ctx, connect.NewRequest(&mgmt.IsConnectionNameAvailableRequest{AccountId: accountID, ConnectionName: "other"}))
	if err != nil || !avail.Msg.GetIsAvailable() {
		t.Fatalf("IsConnectionNameAvailable(other) = %v, %v", avail, err)
	}

	// Bad input names the field.
	bad := map[string]struct {
		req   *mgmt.CreateConnectionRequest
		field string
	}{
		"malformed url": {&mgmt.CreateConnectionRequest{AccountId: accountID, Name: "x", ConnectionConfig: pgConfig("postgres://u@h:notaport/db")}, "connection_config.url"},
		"bad mysql url": {&mgmt.CreateConnectionRequest{AccountId: accountID, Name: "x", ConnectionConfig: mysqlConfig("definitely not a dsn")}, "connection_config.url"},
		"empty url":     {&mgmt.CreateConnectionRequest{AccountId: accountID, Name: "x", ConnectionConfig: pgConfig("")}, "connection_config.pg_config.url"},
		"no config":     {&mgmt.CreateConnectionRequest{AccountId: accountID, Name: "x"}, "connection_config"},
		"bad name":      {&mgmt.CreateConnectionRequest{AccountId: accountID, Name: "has space", ConnectionConfig: pgConfig(url)}, "name"},
		"empty name":    {&mgmt.CreateConnectionRequest{AccountId: accountID, Name: "", ConnectionConfig: pgConfig(url)}, "name"},
		"bad account":   {&mgmt.CreateConnectionRequest{AccountId: "123", Name: "x", ConnectionConfig: pgConfig(url)}, "account_id"},
		"missing host": {&mgmt.CreateConnectionRequest{AccountId: accountID, Name: "x", ConnectionConfig: &mgmt.ConnectionConfig{Config: &mgmt.ConnectionConfig_PgConfig{PgConfig: &mgmt.PostgresConnectionConfig{
			ConnectionConfig: &mgmt.PostgresConnectionConfig_Connection{Connection: &mgmt.PostgresConnection{User: "u"}}}}}}, "connection_config.host"},
		"bad ssl mode": {&mgmt.CreateConnectionRequest{AccountId: accountID, Name: "x", ConnectionConfig: &mgmt.ConnectionConfig{Config: &mgmt.ConnectionConfig_PgConfig{PgConfig: &mgmt.PostgresConnectionConfig{
			ConnectionConfig: &mgmt.PostgresConnectionConfig_Connection{Connection: &mgmt.PostgresConnection{Host: "h", User: "u", SslMode: ptr("sometimes")}}}}}}, "connection_config.ssl_mode"},
		"bad pool duration": {&mgmt.CreateConnectionRequest{AccountId: accountID, Name: "x", ConnectionConfig: &mgmt.ConnectionConfig{Config: &mgmt.ConnectionConfig_PgConfig{PgConfig: &mgmt.PostgresConnectionConfig{
			ConnectionConfig:  &mgmt.PostgresConnectionConfig_Url{Url: url},
			ConnectionOptions: &mgmt.SqlConnectionOptions{MaxIdleDuration: ptr("forever")}}}}}, "connection_config.pg_config.connection_options.max_idle_duration"},
	}
	for name, tc := range bad {
		_, err := c.Connections.CreateConnection(ctx, connect.NewRequest(tc.req))
		wantCode(t, name, err, connect.CodeInvalidArgument)
		if !strings.Contains(err.Error(), tc.field) {
			t.Errorf("%s: message %q does not name %s", name, err, tc.field)
		}
		if strings.Contains(err.Error(), canary) {
			t.Errorf("%s: error leaks the password", name)
		}
	}
	_, err = c.Connections.CreateConnection(ctx, connect.NewRequest(&mgmt.CreateConnectionRequest{AccountId: accountID, Name: "s3", ConnectionConfig: &mgmt.ConnectionConfig{
		Config: &mgmt.ConnectionConfig_AwsS3Config{AwsS3Config: &mgmt.AwsS3ConnectionConfig{Bucket: "b"}}}}))
	wantCode(t, "s3 bucket name", err, connect.CodeInvalidArgument)
	if !strings.Contains(err.Error(), "connection_config.aws_s3_config.bucket") {
		t.Errorf("s3: message %q does not name the bucket field", err)
	}

	// Get masks; the masked config sent back on update keeps the secret.
	got, err := c.Connections.GetConnection(ctx, connect.NewRequest(&mgmt.GetConnectionRequest{Id: conn.GetId()}))
	if err != nil {
		t.Fatalf("GetConnection: %v", err)
	}
	masked := got.Msg.GetConnection().GetConnectionConfig()
	if strings.Contains(masked.GetPgConfig().GetUrl(), canary) {
		t.Fatalf("GetConnection returned the password")
	}
	upd, err := c.Connections.UpdateConnection(ctx, connect.NewRequest(&mgmt.UpdateConnectionRequest{Id: conn.GetId(), Name: "prod-db-renamed", ConnectionConfig: masked}))
	if err != nil || upd.Msg.GetConnection().GetName() != "prod-db-renamed" {
		t.Fatalf("UpdateConnection = %v, %v", upd, err)
	}
	worker := api.WorkerKey(t)
	wc := api.Clients(worker)
	revealed, err := wc.Connections.GetConnection(ctx, connect.NewRequest(&mgmt.GetConnectionRequest{Id: conn.GetId()}))
	if err != nil {
		t.Fatalf("worker GetConnection: %v", err)
	}
	if revealed.Msg.GetConnection().GetConnectionConfig().GetPgConfig().GetUrl() != url {
		t.Fatalf("after a masked update the worker sees %q, want the original URL", revealed.Msg.GetConnection().GetConnectionConfig().GetPgConfig().GetUrl())
	}
	// The worker may not change things.
	_, err = wc.Connections.DeleteConnection(ctx, connect.NewRequest(&mgmt.DeleteConnectionRequest{Id: conn.GetId()}))
	wantCode(t, "worker delete", err, connect.CodePermissionDenied)

	list, err := c.Connections.GetConnections(ctx, connect.NewRequest(&mgmt.GetConnectionsRequest{AccountId: accountID}))
	if err != nil || len(list.Msg.GetConnections()) != 1 {
		t.Fatalf("GetConnections = %v, %v", list, err)
	}

	if _, err := c.Connections.DeleteConnection(ctx, connect.NewRequest(&mgmt.DeleteConnectionRequest{Id: conn.GetId()})); err != nil {
		t.Fatalf("DeleteConnection: %v", err)
	}
	_, err = c.Connections.GetConnection(ctx, connect.NewRequest(&mgmt.GetConnectionRequest{Id: conn.GetId()}))
	wantCode(t, "get deleted", err, connect.CodeNotFound)
	_, err = c.Connections.DeleteConnection(ctx, connect.NewRequest(&mgmt.DeleteConnectionRequest{Id: conn.GetId()}))
	wantCode(t, "delete twice", err, connect.CodeNotFound)
}

func TestCheckConnectionConfig(t *testing.T) {
	t.Parallel()
	api := apitest.Start(t, apitest.Options{})
	c := api.Clients("")
	ctx := apitest.Ctx(t)
	pgURL := testdb.Postgres(t, "neosync_check")
	execPG(t, pgURL, "CREATE TABLE public.things (id int primary key)")
	myURL, myDB := testdb.MySQL(t, "neosync_check")
	if _, err := myDB.ExecContext(ctx, "CREATE TABLE things (id int primary key)"); err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name      string
		cfg       *mgmt.ConnectionConfig
		connected bool
		errPart   string
	}{
		{"postgres ok", pgConfig(pgURL), true, ""},
		{"mysql ok", mysqlConfig(myURL), true, ""},
		{"postgres refused", pgConfig("postgres://postgres@127.0.0.1:1/x?sslmode=disable"), false, "unreachable"},
		{"unknown host", pgConfig("postgres://postgres@no-such-host.invalid:5432/x?sslmode=disable"), false, "unreachable"},
		{"unknown database", pgConfig("postgres://postgres@127.0.0.1:5432/no_such_db_xyz?sslmode=disable"), false, "unknown_database"},
		{"mysql wrong password", mysqlConfig("mysql://root:" + canary + "@127.0.0.1:3306/mysql"), false, "authentication"},
	}
	for _, tc := range tests {
		start := time.Now()
		resp, err := c.Connections.CheckConnectionConfig(ctx, connect.NewRequest(&mgmt.CheckConnectionConfigRequest{ConnectionConfig: tc.cfg}))
		if err != nil {
			t.Fatalf("%s: CheckConnectionConfig: %v", tc.name, err)
		}
		if elapsed := time.Since(start); elapsed > 15*time.Second {
			t.Errorf("%s: answered after %v; the check is bounded by 10s", tc.name, elapsed)
		}
		if resp.Msg.GetIsConnected() != tc.connected || !strings.Contains(resp.Msg.GetConnectionError(), tc.errPart) {
			t.Errorf("%s: connected=%v error=%q, want connected=%v error containing %q", tc.name, resp.Msg.GetIsConnected(), resp.Msg.GetConnectionError(), tc.connected, tc.errPart)
		}
		if strings.Contains(resp.Msg.GetConnectionError(), canary) {
			t.Errorf("%s: error leaks the password", tc.name)
		}
		if tc.connected {
			found := false
			for _, p := range resp.Msg.GetPrivileges() {
				if p.GetTable() == "things" {
					found = strings.Contains(strings.Join(p.GetPrivilegeType(), ","), "SELECT")
				}
				if p.GetGrantee() == "" {
					t.Errorf("%s: privilege row without a grantee: %v", tc.name, p)
				}
				if tc.name == "mysql ok" && !strings.HasPrefix(p.GetSchema(), "neosync_check") {
					t.Errorf("%s: privileges of another database listed: %v", tc.name, p)
				}
			}
			if !found {
				t.Errorf("%s: privileges %v lack SELECT on things", tc.name, resp.Msg.GetPrivileges())
			}
		}
	}

	saved := createConnection(t, c, personalAccount(t, c), "pg", pgConfig(pgURL))
	byID, err := c.Connections.CheckConnectionConfigById(ctx, connect.NewRequest(&mgmt.CheckConnectionConfigByIdRequest{Id: saved.GetId()}))
	if err != nil || !byID.Msg.GetIsConnected() {
		t.Fatalf("CheckConnectionConfigById = %v, %v", byID, err)
	}
}

// TestSecretsAtRest dumps the API database and looks for the canary password
// and an API key value in clear.
func TestSecretsAtRest(t *testing.T) {
	t.Parallel()
	api := apitest.Start(t, apitest.Options{AuthMode: "apikey"})
	key, accountID := api.AccountKey(t, "secrets")
	c := api.Clients(key)
	createConnection(t, c, accountID, "with-url", pgConfig("postgres://app:"+canary+"@127.0.0.1:5432/prod"))
	createConnection(t, c, accountID, "with-fields", &mgmt.ConnectionConfig{Config: &mgmt.ConnectionConfig_MysqlConfig{MysqlConfig: &mgmt.MysqlConnectionConfig{
		ConnectionConfig: &mgmt.MysqlConnectionConfig_Connection{Connection: &mgmt.MysqlConnection{Host: "127.0.0.1", Port: 3306, User: "app", Pass: canary, Name: "prod"}},
	}}})
	out, err := exec.Command("pg_dump", "--no-owner", api.DBURL).CombinedOutput()
	if err != nil {
		t.Fatalf("pg_dump: %v\n%s", err, out)
	}
	dump := string(out)
	if !strings.Contains(dump, "COPY public.connections") {
		t.Fatalf("dump has no connections table; is it the right database?")
	}
	if strings.Contains(dump, canary) {
		t.Fatalf("pg_dump of the API database contains the connection password")
	}
	if strings.Contains(dump, key) || strings.Contains(dump, strings.TrimPrefix(key, "neo_ak_")) {
		t.Fatalf("pg_dump of the API database contains an API key value")
	}
}

// TestWrongEncryptionKeyIsExplained: an API restarted with another
// NEOSYNC_ENCRYPTION_KEY cannot read saved credentials and says why.
func TestWrongEncryptionKeyIsExplained(t *testing.T) {
	t.Parallel()
	api := apitest.Start(t, apitest.Options{})
	c := api.Clients("")
	accountID := personalAccount(t, c)
	conn := createConnection(t, c, accountID, "locked", pgConfig("postgres://app:"+canary+"@127.0.0.1:5432/app"))
	// Simulate a key change by corrupting the stored ciphertext's binding.
	if _, err := api.Store.Pool().Exec(apitest.Ctx(t), "UPDATE connections SET config_ciphertext = set_byte(config_ciphertext, 20, get_byte(config_ciphertext, 20) # 1) WHERE id = $1", conn.GetId()); err != nil {
		t.Fatal(err)
	}
	_, err := c.Connections.GetConnections(apitest.Ctx(t), connect.NewRequest(&mgmt.GetConnectionsRequest{AccountId: accountID}))
	wantCode(t, "undecryptable connection", err, connect.CodeFailedPrecondition)
	if !strings.Contains(err.Error(), "NEOSYNC_ENCRYPTION_KEY") || strings.Contains(err.Error(), canary) {
		t.Fatalf("message %q", err)
	}
}
