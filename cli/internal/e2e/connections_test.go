package e2e_test

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"google.golang.org/protobuf/encoding/protojson"

	mgmtv1alpha1 "github.com/neosyncio/neosync/backend/gen/go/protos/mgmt/v1alpha1"
	"github.com/neosyncio/neosync/backend/pkg/tests3"
	"github.com/neosyncio/neosync/backend/pkg/testsshd"
	"github.com/neosyncio/neosync/cli/internal/output"
)

func TestConnectionsPostgresAndMariaDB(t *testing.T) {
	t.Parallel()
	c := newCLI(t, local.apiURL)
	pgURL := newPostgres(t, "neosync_cli_conn")
	pgExec(t, pgURL, `CREATE TABLE public.customers (id int PRIMARY KEY, email text NOT NULL)`)
	maria := newMariaDB(t, "CREATE TABLE orders (id INT PRIMARY KEY, note TEXT)")
	sfx := suffix()
	pgName, myName := "pg-"+sfx, "maria-"+sfx

	// Postgres here trusts local connections, so any password works; it
	// must come back masked.
	withPassword := strings.Replace(pgURL, "postgres@", "postgres:hunter2@", 1)
	out := c.ok("connections", "create", "--name", pgName, "--postgres-url", withPassword)
	if !strings.Contains(out, "Created connection "+pgName) {
		t.Fatalf("create: %s", out)
	}
	c.ok("connections", "create", "--name", myName, "--type", "mysql", "--host", "127.0.0.1", "--port", "3306",
		"--user", "root", "--database", maria)

	// list -o json is the API's message and reads back with protojson.
	var list mgmtv1alpha1.GetConnectionsResponse
	if err := protojson.Unmarshal([]byte(c.ok("connections", "list", "-o", "json")), &list); err != nil {
		t.Fatal(err)
	}
	found := map[string]*mgmtv1alpha1.Connection{}
	for _, conn := range list.GetConnections() {
		found[conn.GetName()] = conn
	}
	if u := found[pgName].GetConnectionConfig().GetPgConfig().GetUrl(); !strings.Contains(u, "postgres:********@") {
		t.Fatalf("postgres connection missing from the list or its password not masked: %q", u)
	}
	if my := found[myName].GetConnectionConfig().GetMysqlConfig().GetConnection(); my.GetHost() != "127.0.0.1" || my.GetName() != maria {
		t.Fatalf("mariadb connection: %v", my)
	}
	if out := c.ok("connections", "list"); !strings.Contains(out, pgName) || !strings.Contains(out, "mysql") {
		t.Fatalf("list table:\n%s", out)
	}

	// get, by name and by id, in every format.
	out = c.ok("connections", "get", myName)
	for _, want := range []string{"Type:", "mysql", "Host:", "127.0.0.1", "Database:", maria} {
		if !strings.Contains(out, want) {
			t.Fatalf("get lacks %q:\n%s", want, out)
		}
	}
	y, err := output.YAMLToJSON([]byte(c.ok("connections", "get", found[pgName].GetId(), "-o", "yaml")))
	if err != nil {
		t.Fatal(err)
	}
	var got mgmtv1alpha1.Connection
	if err := protojson.Unmarshal(y, &got); err != nil || got.GetName() != pgName {
		t.Fatalf("get -o yaml: %v %v", &got, err)
	}

	// check: saved connections report the role's privileges per table.
	out = c.ok("connections", "check", pgName)
	if !strings.Contains(out, "Connected to connection "+pgName) || !strings.Contains(out, "customers") || !strings.Contains(out, "SELECT") {
		t.Fatalf("check postgres:\n%s", out)
	}
	out = c.ok("connections", "check", myName)
	if !strings.Contains(out, maria) || !strings.Contains(out, "orders") {
		t.Fatalf("check mariadb:\n%s", out)
	}
	var check mgmtv1alpha1.CheckConnectionConfigResponse
	if err := protojson.Unmarshal([]byte(c.ok("connections", "check", "--url", pgURL, "-o", "json")), &check); err != nil || !check.GetIsConnected() {
		t.Fatalf("check --url -o json: %v %v", &check, err)
	}
	c.ok("connections", "check", "--url", "mysql://root@127.0.0.1:3306/"+maria)

	// A connection that cannot connect: one line, non-zero, nothing saved.
	bad := strings.Replace(pgURL, "postgres@", "nosuchrole@", 1)
	c.fail("cannot connect to", "connections", "check", "--url", bad)
	c.fail("not saved: the API cannot connect to the database", "connections", "create", "--name", "bad-"+sfx, "--postgres-url", bad)
	c.fail(`no connection named "bad-`+sfx+`"`, "connections", "get", "bad-"+sfx)

	// Bad input is reported before any call, naming the field or flag.
	c.fail("name must be", "connections", "create", "--name", "has space", "--postgres-url", pgURL)
	c.fail("--type needs --host", "connections", "create", "--name", "x-"+sfx, "--type", "postgres")
	c.fail("if any flags in the group [postgres-url mysql-url type] are set none of the others can be", "connections", "create", "--name", "x", "--postgres-url", pgURL, "--mysql-url", "mysql://h/db")
	c.fail("required flag(s) \"name\" not set", "connections", "create", "--postgres-url", pgURL)
	c.fail(`connection with name "`+pgName+`" already exists`, "connections", "create", "--name", pgName, "--postgres-url", pgURL, "--skip-check")

	// delete, then it is gone.
	for _, name := range []string{pgName, myName} {
		if out := c.ok("connections", "delete", name); !strings.Contains(out, "Deleted connection "+name) {
			t.Fatalf("delete: %s", out)
		}
		c.fail(`no connection named "`+name+`"`, "connections", "delete", name)
	}
}

// TestConnectionThroughSSHTunnel creates a connection behind a real sshd
// with the CLI's flags, checks it and reads it back (key masked, host key
// shown by type and key).
func TestConnectionThroughSSHTunnel(t *testing.T) {
	t.Parallel()
	c := newCLI(t, local.apiURL)
	sshd := testsshd.Start(t)
	pgURL := newPostgres(t, "neosync_cli_tunnel")
	pgExec(t, pgURL, `CREATE TABLE public.accounts (id int PRIMARY KEY)`)
	keyFile := filepath.Join(t.TempDir(), "id_ed25519")
	if err := os.WriteFile(keyFile, []byte(sshd.ClientKey), 0o600); err != nil {
		t.Fatal(err)
	}
	name := "bastion-" + suffix()
	c.ok("connections", "create", "--name", name, "--postgres-url", pgURL, "--ssh-host", sshd.Host, "--ssh-port", strconv.Itoa(sshd.Port),
		"--ssh-user", sshd.User, "--ssh-key-file", keyFile, "--ssh-known-host-key", sshd.HostKey)
	if out := c.ok("connections", "check", name); !strings.Contains(out, "accounts") {
		t.Fatalf("check through the tunnel:\n%s", out)
	}
	out := c.ok("connections", "get", name)
	if !strings.Contains(out, sshd.User+"@"+sshd.Addr()+" (private key)") || strings.Contains(out, "PRIVATE KEY") {
		t.Fatalf("get of a tunnelled connection:\n%s", out)
	}
	// Without a host key the CLI refuses before calling the API.
	c.fail("known_host_key: is required", "connections", "create", "--name", name+"-x", "--postgres-url", pgURL, "--ssh-host", sshd.Host, "--ssh-user", sshd.User, "--ssh-key-file", keyFile)
}

// TestConnectionToS3Bucket creates a bucket connection against a real
// S3-compatible server with the CLI's flags, checks it and reads it back
// (secret masked).
func TestConnectionToS3Bucket(t *testing.T) {
	t.Parallel()
	c := newCLI(t, local.apiURL)
	srv := tests3.Start(t)
	bucket := srv.Bucket(t, "cli-exports")
	name := "bucket-" + suffix()
	c.ok("connections", "create", "--name", name, "--s3-bucket", bucket, "--s3-prefix", "team/a", "--s3-endpoint", srv.Endpoint, "--s3-path-style",
		"--s3-region", srv.Region, "--s3-access-key-id", srv.AccessKey, "--s3-secret-access-key", srv.SecretKey)
	if out := c.ok("connections", "check", name); !strings.Contains(out, "probe object") {
		t.Fatalf("check of a bucket:\n%s", out)
	}
	out := c.ok("connections", "get", name)
	if !strings.Contains(out, srv.AccessKey+" (secret ********)") || strings.Contains(out, srv.SecretKey) || !strings.Contains(out, "(path-style)") {
		t.Fatalf("get of a bucket connection:\n%s", out)
	}
	// Bad input is refused before calling the API, naming the field.
	c.fail("bucket", "connections", "create", "--name", name+"-x", "--s3-bucket", "Not_A_Bucket")
	c.fail("need --s3-bucket", "connections", "create", "--name", name+"-y", "--s3-prefix", "x", "--postgres-url", "postgres://u@h/db")
}
