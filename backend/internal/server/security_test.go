package server_test

import (
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"connectrpc.com/connect"
	"github.com/jackc/pgx/v5"

	mgmt "github.com/neosyncio/neosync/backend/gen/go/protos/mgmt/v1alpha1"
	"github.com/neosyncio/neosync/backend/internal/apitest"
	"github.com/neosyncio/neosync/backend/internal/auth"
	"github.com/neosyncio/neosync/backend/pkg/netpolicy"
	"github.com/neosyncio/neosync/backend/pkg/testdb"
)

// These tests replay the findings of issue 14 against the real API over
// HTTP, with hostile database servers played by fakes on loopback.

func check(t *testing.T, c apitest.Clients, cfg *mgmt.ConnectionConfig) (*mgmt.CheckConnectionConfigResponse, error) {
	t.Helper()
	resp, err := c.Connections.CheckConnectionConfig(apitest.Ctx(t), connect.NewRequest(&mgmt.CheckConnectionConfigRequest{ConnectionConfig: cfg}))
	if err != nil {
		return nil, err
	}
	return resp.Msg, nil
}

// Finding 1: a MySQL server run by a tenant must not read the API host's
// files, through allowAllFiles or otherwise.
func TestSecurityMySQLServerCannotReadAPIFiles(t *testing.T) {
	t.Parallel()
	secret := filepath.Join(t.TempDir(), "encryption.key")
	const content = "API-HOST-FILE-CANARY-4b1d"
	if err := os.WriteFile(secret, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	fake := startFakeMySQL(t, secret)
	api := apitest.Start(t, apitest.Options{})
	c := api.Clients("")
	accountID := personalAccount(t, c)
	for _, u := range []string{
		"mysql://tenant:pw@" + fake.Addr + "/db?allowAllFiles=true",
		"tenant:pw@tcp(" + fake.Addr + ")/db?allowAllFiles=true",
	} {
		_, err := check(t, c, mysqlConfig(u))
		wantCode(t, "check with allowAllFiles", err, connect.CodeInvalidArgument)
		if !strings.Contains(err.Error(), "allowAllFiles") {
			t.Errorf("the error %q does not name allowAllFiles", err)
		}
		_, err = c.Connections.CreateConnection(apitest.Ctx(t), connect.NewRequest(&mgmt.CreateConnectionRequest{AccountId: accountID, Name: "files", ConnectionConfig: mysqlConfig(u)}))
		wantCode(t, "create with allowAllFiles", err, connect.CodeInvalidArgument)
	}
	// Without the option the server still asks for the file on every query.
	if _, err := check(t, c, mysqlConfig("mysql://tenant:pw@"+fake.Addr+"/db")); err != nil {
		t.Fatalf("check: %v", err)
	}
	got, queries := fake.received()
	if strings.Contains(string(got), content) {
		t.Fatalf("the fake MySQL server received the API host's file")
	}
	if queries == 0 {
		t.Fatalf("the fake MySQL server was never queried, so the test proves nothing")
	}
}

// Finding 1: Postgres file options are refused and the API's environment
// (PGPASSWORD) never fills in a tenant's password. Not parallel: it sets
// the process environment the in-process API reads.
func TestSecurityPostgresFilesAndEnvironment(t *testing.T) {
	const envCanary, fileCanary = "ENV-PASSWORD-CANARY-91c2", "PASSFILE-CANARY-77e0"
	passfile := filepath.Join(t.TempDir(), "pgpass")
	if err := os.WriteFile(passfile, []byte("*:*:*:*:"+fileCanary+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PGPASSWORD", envCanary)
	fake := startFakePostgres(t)
	api := apitest.Start(t, apitest.Options{})
	c := api.Clients("")
	base := "postgres://victim@" + fake.Addr + "/db?sslmode=disable"
	for param, value := range map[string]string{
		"passfile": passfile, "sslrootcert": "/etc/hostname", "sslkey": "/etc/hostname", "sslcert": "/etc/hostname",
		"servicefile": "/etc/hostname", "service": "prod",
	} {
		_, err := check(t, c, pgConfig(base+"&"+param+"="+url.QueryEscape(value)))
		wantCode(t, param, err, connect.CodeInvalidArgument)
		if !strings.Contains(err.Error(), `"`+param+`"`) {
			t.Errorf("%s: the error %q does not name the parameter", param, err)
		}
	}
	r, err := check(t, c, pgConfig(base))
	if err != nil || r.GetIsConnected() {
		t.Fatalf("check against the fake = %v, %v", r, err)
	}
	passwords, startups := fake.received()
	if startups == 0 {
		t.Fatalf("the fake Postgres server was never reached, so the test proves nothing")
	}
	for _, p := range passwords {
		if strings.Contains(p, envCanary) || strings.Contains(p, fileCanary) {
			t.Fatalf("the fake Postgres server received %q from the API host", p)
		}
	}
}

// Finding 2: the API's own database is refused (by TCP and by Unix
// socket) even when the network policy allows loopback; another database
// on the same server is not.
func TestSecurityAPIDatabaseIsRefused(t *testing.T) {
	t.Parallel()
	api := apitest.Start(t, apitest.Options{})
	c := api.Clients("")
	own, err := url.Parse(api.DBURL)
	if err != nil {
		t.Fatal(err)
	}
	ownName := strings.TrimPrefix(own.Path, "/")
	for name, cfg := range map[string]*mgmt.ConnectionConfig{
		"tcp":  pgConfig(api.DBURL),
		"unix": pgConfig("host=/var/run/postgresql user=" + own.User.Username() + " dbname=" + ownName),
	} {
		r, err := check(t, c, cfg)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if r.GetIsConnected() || !strings.Contains(r.GetConnectionError(), "not allowed by the API's connection policy") {
			t.Fatalf("%s: check of the API's own database = connected %v, %q", name, r.GetIsConnected(), r.GetConnectionError())
		}
	}
	other := testdb.Postgres(t, "neosync_security_other")
	if r, err := check(t, c, pgConfig(other)); err != nil || !r.GetIsConnected() {
		t.Fatalf("another database on the same server: %v, %v", r, err)
	}
}

// Finding 2: with several accounts the default policy refuses the API host
// (loopback, its Unix sockets) and the metadata addresses, and a refused
// address reads exactly like a closed port.
func TestSecurityMultiAccountNetworkPolicy(t *testing.T) {
	t.Parallel()
	policy, err := netpolicy.FromSettings("", "", true)
	if err != nil {
		t.Fatal(err)
	}
	api := apitest.Start(t, apitest.Options{AuthMode: auth.ModeAPIKey, ConnectionNetwork: policy})
	key, _ := api.AccountKey(t, "tenant-a")
	c := api.Clients(key)
	open := testdb.Postgres(t, "neosync_security_loopback")
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closedAddr := ln.Addr().String()
	_ = ln.Close()
	ou, _ := url.Parse(open)
	openAddr := ou.Host
	closed := *ou
	closed.Host = closedAddr

	message := func(cfg *mgmt.ConnectionConfig, addr string) string {
		t.Helper()
		r, err := check(t, c, cfg)
		if err != nil {
			t.Fatalf("check %s: %v", addr, err)
		}
		if r.GetIsConnected() {
			t.Fatalf("check %s connected under the multi-account policy", addr)
		}
		return strings.ReplaceAll(r.GetConnectionError(), addr, "ADDR")
	}
	openMsg := message(pgConfig(open), openAddr)
	closedMsg := message(pgConfig(closed.String()), closedAddr)
	if openMsg != closedMsg {
		t.Fatalf("a listening and a closed port read differently:\n%s\n%s", openMsg, closedMsg)
	}
	for addr, cfg := range map[string]*mgmt.ConnectionConfig{
		"169.254.169.254:5432":      pgConfig("postgres://u@169.254.169.254:5432/x?connect_timeout=2"),
		"localhost:5432":            pgConfig("postgres://postgres@localhost:5432/postgres"),
		"[::ffff:127.0.0.1]:5432":   pgConfig("postgres://postgres@[::ffff:127.0.0.1]:5432/postgres"),
		"unix socket":               pgConfig("host=/var/run/postgresql user=postgres dbname=postgres"),
		"mysql " + "127.0.0.1:3306": mysqlConfig(testdb.MySQLAdminDSN()),
	} {
		if m := message(cfg, addr); !strings.Contains(m, "not allowed by the API's connection policy") {
			t.Errorf("%s: %q", addr, m)
		}
	}
}

// Finding 3: a masked secret is not sent to a host, port, user or database
// other than the one it was saved for.
func TestSecurityMaskedSecretStaysWithItsTarget(t *testing.T) {
	t.Parallel()
	fake := startFakePostgres(t)
	api := apitest.Start(t, apitest.Options{})
	c := api.Clients("")
	ctx := apitest.Ctx(t)
	accountID := personalAccount(t, c)
	db := testdb.Postgres(t, "neosync_security_mask")
	u, _ := url.Parse(db)
	u.User = url.UserPassword(u.User.Username(), canary)
	byURL := createConnection(t, c, accountID, "by-url", pgConfig(u.String()))
	fields := &mgmt.ConnectionConfig{Config: &mgmt.ConnectionConfig_PgConfig{PgConfig: &mgmt.PostgresConnectionConfig{
		ConnectionConfig: &mgmt.PostgresConnectionConfig_Connection{Connection: &mgmt.PostgresConnection{
			Host: "127.0.0.1", Port: 5432, User: "postgres", Pass: canary, Name: strings.TrimPrefix(u.Path, "/"), SslMode: ptr("disable")}}}}}
	byFields := createConnection(t, c, accountID, "by-fields", fields)
	fakeHost, fakePort, _ := net.SplitHostPort(fake.Addr)

	masked := func(id string) *mgmt.ConnectionConfig {
		got, err := c.Connections.GetConnection(ctx, connect.NewRequest(&mgmt.GetConnectionRequest{Id: id}))
		if err != nil {
			t.Fatal(err)
		}
		return got.Msg.GetConnection().GetConnectionConfig()
	}
	update := func(id, name string, cfg *mgmt.ConnectionConfig) error {
		_, err := c.Connections.UpdateConnection(ctx, connect.NewRequest(&mgmt.UpdateConnectionRequest{Id: id, Name: name, ConnectionConfig: cfg}))
		return err
	}

	m := masked(byURL.GetId())
	m.GetPgConfig().ConnectionConfig = &mgmt.PostgresConnectionConfig_Url{Url: strings.Replace(m.GetPgConfig().GetUrl(), u.Host, fake.Addr, 1)}
	err := update(byURL.GetId(), "by-url", m)
	wantCode(t, "re-pointed URL", err, connect.CodeInvalidArgument)
	if !strings.Contains(err.Error(), "connection_config.url") || !strings.Contains(err.Error(), "port changed") {
		t.Errorf("re-pointed URL: %q does not name the field and the change", err)
	}
	for what, edit := range map[string]func(*mgmt.PostgresConnection){
		"host":     func(p *mgmt.PostgresConnection) { p.Host = "localhost" },
		"port":     func(p *mgmt.PostgresConnection) { p.Port = 1 },
		"user":     func(p *mgmt.PostgresConnection) { p.User = "someone_else" },
		"database": func(p *mgmt.PostgresConnection) { p.Name = "elsewhere" },
	} {
		m := masked(byFields.GetId())
		edit(m.GetPgConfig().GetConnection())
		err := update(byFields.GetId(), "by-fields", m)
		wantCode(t, "changed "+what, err, connect.CodeInvalidArgument)
		if !strings.Contains(err.Error(), "connection_config.password") || !strings.Contains(err.Error(), what+" changed") {
			t.Errorf("changed %s: %q does not name the password", what, err)
		}
	}
	// The full attack: point at the fake and ask the API to check it.
	m = masked(byFields.GetId())
	p := m.GetPgConfig().GetConnection()
	port, _ := net.LookupPort("tcp", fakePort)
	p.Host, p.Port = fakeHost, int32(port)
	_ = update(byFields.GetId(), "by-fields", m)
	for _, id := range []string{byURL.GetId(), byFields.GetId()} {
		if _, err := c.Connections.CheckConnectionConfigById(ctx, connect.NewRequest(&mgmt.CheckConnectionConfigByIdRequest{Id: id})); err != nil {
			t.Fatalf("check by id: %v", err)
		}
	}
	passwords, _ := fake.received()
	for _, pw := range passwords {
		if pw == canary {
			t.Fatal("the stored password was sent to the host the update pointed at")
		}
	}
	// Sending the secret again is how a target is changed.
	p.Pass = "new-password"
	if err := update(byFields.GetId(), "by-fields", m); err != nil {
		t.Fatalf("update with the secret sent again: %v", err)
	}
}

// Finding 6: WHERE clauses are one expression when saved and when run, and
// a row count runs read only, under a statement timeout, keeping nothing.
func TestSecurityWhereClauses(t *testing.T) {
	t.Parallel()
	api := apitest.Start(t, apitest.Options{})
	c := api.Clients("")
	ctx := apitest.Ctx(t)
	accountID := personalAccount(t, c)
	srcURL := testdb.Postgres(t, "neosync_security_where")
	execPG(t, srcURL, apitest.PostgresFixture)
	src := createConnection(t, c, accountID, "source", pgConfig(srcURL))
	dst := createConnection(t, c, accountID, "dest", pgConfig(testdb.Postgres(t, "neosync_security_where_dst")))
	escapes := []string{"1=1) UNION ALL SELECT email FROM shop.stores WHERE (1=1", "1=1; DROP TABLE shop.stores", "1=1 --", "region_country = 'US' /*"}

	create := func(where string) error {
		src := syncSource(src.GetId())
		src.GetSync().Subsets = []*mgmt.JobSourceSubset{{Schema: "shop", Table: "stores", WhereClause: where}}
		_, err := c.Jobs.CreateJob(ctx, connect.NewRequest(&mgmt.CreateJobRequest{
			AccountId: accountID, JobName: "where-" + testdb.Suffix(), Source: src,
			Destinations: []*mgmt.JobDestinationCreate{{ConnectionId: dst.GetId()}},
			Mappings:     []*mgmt.JobMapping{mapping("shop", "stores", "email", "passthrough")},
		}))
		return err
	}
	if err := create("region_country = 'US'"); err != nil {
		t.Fatalf("a plain subset: %v", err)
	}
	for _, where := range escapes {
		err := create(where)
		wantCode(t, "create with "+where, err, connect.CodeInvalidArgument)
		if !strings.Contains(err.Error(), "source.sync.subsets[0].where_clause") {
			t.Errorf("%q: %q does not name the field", where, err)
		}
		count := &mgmt.GetTableRowCountRequest{ConnectionId: src.GetId(), Schema: "shop", Table: "stores", WhereClause: ptr(where)}
		_, err = c.Data.GetTableRowCount(ctx, connect.NewRequest(count))
		wantCode(t, "row count with "+where, err, connect.CodeInvalidArgument)
		stream, err := c.Data.GetConnectionDataStream(ctx, connect.NewRequest(&mgmt.GetConnectionDataStreamRequest{ConnectionId: src.GetId(), Schema: "shop", Table: "stores", WhereClause: ptr(where)}))
		if err == nil {
			for stream.Receive() {
				t.Errorf("stream with %q returned rows", where)
			}
			err = stream.Err()
		}
		wantCode(t, "stream with "+where, err, connect.CodeInvalidArgument)
	}

	largeObjects := func() int {
		conn, err := pgx.Connect(ctx, srcURL)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close(ctx)
		var n int
		if err := conn.QueryRow(ctx, "SELECT count(*) FROM pg_largeobject_metadata").Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	before := largeObjects()
	for where, wantAll := range map[string]bool{
		"lo_import('/etc/hostname') > 0": true,
		"current_setting('statement_timeout') = '30s' AND current_setting('transaction_read_only') = 'on'": true,
	} {
		all, err := c.Data.GetTableRowCount(ctx, connect.NewRequest(&mgmt.GetTableRowCountRequest{ConnectionId: src.GetId(), Schema: "shop", Table: "stores"}))
		if err != nil {
			t.Fatal(err)
		}
		got, err := c.Data.GetTableRowCount(ctx, connect.NewRequest(&mgmt.GetTableRowCountRequest{ConnectionId: src.GetId(), Schema: "shop", Table: "stores", WhereClause: ptr(where)}))
		if err != nil || (got.Msg.GetCount() == all.Msg.GetCount()) != wantAll {
			t.Errorf("row count with %q = %v, %v; want all %d rows", where, got, err, all.Msg.GetCount())
		}
	}
	if after := largeObjects(); after != before {
		t.Fatalf("a row count left %d large objects in the source", after-before)
	}
}
