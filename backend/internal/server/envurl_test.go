package server_test

import (
	"strings"
	"testing"

	"connectrpc.com/connect"

	mgmt "github.com/neosyncio/neosync/backend/gen/go/protos/mgmt/v1alpha1"
	"github.com/neosyncio/neosync/backend/internal/apitest"
	"github.com/neosyncio/neosync/backend/internal/domain/connection"
	"github.com/neosyncio/neosync/backend/pkg/testdb"
)

func envURLConfig(name string) *mgmt.ConnectionConfig {
	return &mgmt.ConnectionConfig{Config: &mgmt.ConnectionConfig_PgConfig{PgConfig: &mgmt.PostgresConnectionConfig{
		ConnectionConfig: &mgmt.PostgresConnectionConfig_UrlFromEnv{UrlFromEnv: name}}}}
}

// TestURLFromEnvIsOffUnlessAllowed: an instance that does not allow
// url_from_env refuses such a connection with the field named, so a tenant
// cannot point a connection at another account's variable.
func TestURLFromEnvIsOffUnlessAllowed(t *testing.T) {
	t.Parallel()
	api := apitest.Start(t, apitest.Options{})
	c := api.Clients("")
	ctx := apitest.Ctx(t)
	accountID := personalAccount(t, c)
	_, err := c.Connections.CreateConnection(ctx, connect.NewRequest(&mgmt.CreateConnectionRequest{AccountId: accountID, Name: "env", ConnectionConfig: envURLConfig("NEOSYNC_URL_PROD")}))
	wantCode(t, "url_from_env while off", err, connect.CodeInvalidArgument)
	if !strings.Contains(err.Error(), "connection_config.url_from_env") || !strings.Contains(err.Error(), "NEOSYNC_URL_FROM_ENV=on") {
		t.Fatalf("error does not name the field and the setting: %v", err)
	}
}

// TestURLFromEnv: the URL is read from the API's environment when the
// connection is checked and only its name is shown; names outside
// NEOSYNC_URL_* and a variable the API lacks get readable answers.
func TestURLFromEnv(t *testing.T) {
	t.Parallel()
	dbURL := testdb.Postgres(t, "neosync_envurl")
	env := map[string]string{"NEOSYNC_URL_TEST_SOURCE": dbURL}
	api := apitest.Start(t, apitest.Options{EnvURLs: connection.EnvURLs{Allowed: true, Lookup: func(k string) (string, bool) { v, ok := env[k]; return v, ok }}})
	c := api.Clients("")
	ctx := apitest.Ctx(t)
	accountID := personalAccount(t, c)

	for name, bad := range map[string]string{"other variable": "PGPASSWORD", "lower case": "NEOSYNC_URL_prod", "prefix only": "NEOSYNC_URL_"} {
		_, err := c.Connections.CreateConnection(ctx, connect.NewRequest(&mgmt.CreateConnectionRequest{AccountId: accountID, Name: "bad", ConnectionConfig: envURLConfig(bad)}))
		wantCode(t, name, err, connect.CodeInvalidArgument)
		if !strings.Contains(err.Error(), "url_from_env") {
			t.Errorf("%s: error does not name url_from_env: %v", name, err)
		}
	}

	conn := createConnection(t, c, accountID, "from-env", envURLConfig("NEOSYNC_URL_TEST_SOURCE"))
	if got := conn.GetConnectionConfig().GetPgConfig().GetUrlFromEnv(); got != "NEOSYNC_URL_TEST_SOURCE" {
		t.Fatalf("url_from_env read back as %q", got)
	}
	check, err := c.Connections.CheckConnectionConfigById(ctx, connect.NewRequest(&mgmt.CheckConnectionConfigByIdRequest{Id: conn.GetId()}))
	if err != nil || !check.Msg.GetIsConnected() {
		t.Fatalf("check of a connection whose URL is in the API's environment: %v %v", check, err)
	}

	missing := createConnection(t, c, accountID, "missing", envURLConfig("NEOSYNC_URL_ONLY_ON_WORKER"))
	check, err = c.Connections.CheckConnectionConfigById(ctx, connect.NewRequest(&mgmt.CheckConnectionConfigByIdRequest{Id: missing.GetId()}))
	if err != nil || check.Msg.GetIsConnected() || !strings.Contains(check.Msg.GetConnectionError(), "NEOSYNC_URL_ONLY_ON_WORKER is not set on the API") {
		t.Fatalf("check of a variable only the worker has: %v %v", check, err)
	}

}
