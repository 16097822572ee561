package sqlconnect_test

import (
	"context"
	"errors"
	"net"
	"net/url"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/neosyncio/neosync/backend/pkg/netpolicy"
	"github.com/neosyncio/neosync/backend/pkg/sqlconnect"
	"github.com/neosyncio/neosync/backend/pkg/testdb"
)

// TestParameterPolicy checks every file-reading or unlisted parameter is
// refused with an error naming it, in every URL and DSN form.
func TestParameterPolicy(t *testing.T) {
	t.Parallel()
	pg := func(u string) sqlconnect.Config { return sqlconnect.Config{Driver: sqlconnect.DriverPostgres, URL: u} }
	my := func(u string) sqlconnect.Config { return sqlconnect.Config{Driver: sqlconnect.DriverMySQL, URL: u} }
	for name, tc := range map[string]struct {
		cfg   sqlconnect.Config
		param string
	}{
		"pg passfile url":     {pg("postgres://u@db/x?passfile=/etc/passwd"), "passfile"},
		"pg passfile dsn":     {pg("host=db user=u passfile=/etc/passwd"), "passfile"},
		"pg service":          {pg("postgres://u@db/x?service=prod"), "service"},
		"pg servicefile":      {pg("host=db user=u servicefile='/etc/pg_service.conf'"), "servicefile"},
		"pg sslrootcert":      {pg("postgres://u@db/x?sslrootcert=/etc/ssl/private/key.pem"), "sslrootcert"},
		"pg sslcert":          {pg("postgres://u@db/x?sslcert=/etc/hostname"), "sslcert"},
		"pg sslkey":           {pg("postgres://u@db/x?sslkey=/etc/hostname"), "sslkey"},
		"pg unlisted":         {pg("postgres://u@db/x?pool_max_conns=5"), "pool_max_conns"},
		"mysql allowAllFiles": {my("mysql://u:p@db:3306/x?allowAllFiles=true"), "allowAllFiles"},
		"mysql dsn files":     {my("u:p@tcp(db:3306)/x?allowAllFiles=true"), "allowAllFiles"},
		"mysql custom tls":    {my("u:p@tcp(db:3306)/x?tls=other-tenant"), "tls"},
		"mysql cleartext":     {my("u:p@tcp(db:3306)/x?allowCleartextPasswords=1"), "allowCleartextPasswords"},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			err := tc.cfg.Validate()
			var pe *sqlconnect.ParamError
			if !errors.As(err, &pe) || pe.Param != tc.param {
				t.Fatalf("Validate() = %v, want a ParamError naming %s", err, tc.param)
			}
			var ce *sqlconnect.ConfigError
			if !errors.As(err, &ce) || ce.Field != "url" || !strings.Contains(err.Error(), tc.param) {
				t.Fatalf("Validate() = %v, want a ConfigError on url naming %s", err, tc.param)
			}
			if _, err := sqlconnect.Open(context.Background(), tc.cfg); !errors.As(err, &pe) {
				t.Fatalf("Open() = %v, want the ParamError", err)
			}
		})
	}
	for _, ok := range []sqlconnect.Config{
		pg("postgres://u:p@db:5432/x?sslmode=disable&application_name=a&connect_timeout=3"),
		pg("host=db user=u password='a b' dbname=x sslmode=require"),
		pg("postgres://u@h1:5432,h2:5433/x"),
		my("mysql://u:p@db:3306/x?tls=preferred&charset=utf8mb4"),
		my("u:p@tcp(db:3306)/x?parseTime=true&loc=UTC"),
	} {
		if err := ok.Validate(); err != nil {
			t.Errorf("Validate(%s) = %v, want nil", ok.URL, err)
		}
	}
}

// TestEnvironmentNeverFillsAPostgresConnection sets every PG* variable the
// driver reads and checks none reaches the configuration (not parallel: it
// changes the process environment).
func TestEnvironmentNeverFillsAPostgresConnection(t *testing.T) {
	passfile := t.TempDir() + "/pgpass"
	for k, v := range map[string]string{
		"PGPASSWORD": "env-secret", "PGUSER": "envuser", "PGDATABASE": "envdb", "PGPORT": "6543",
		"PGPASSFILE": passfile, "PGAPPNAME": "envapp", "PGOPTIONS": "-c work_mem=1MB", "PGTZ": "Asia/Tokyo",
		"PGSSLROOTCERT": "/etc/hostname", "PGSSLMODE": "verify-full",
	} {
		t.Setenv(k, v)
	}
	for name, cfg := range map[string]sqlconnect.Config{
		"url":    {Driver: sqlconnect.DriverPostgres, URL: "postgres://tenant@db.example/"},
		"dsn":    {Driver: sqlconnect.DriverPostgres, URL: "host=db.example user=tenant"},
		"fields": {Driver: sqlconnect.DriverPostgres, Host: "db.example", User: "tenant"},
	} {
		cc, err := cfg.PostgresConfigForTest()
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if cc.Password != "" || cc.User != "tenant" || cc.Database != "" || cc.Port != 5432 {
			t.Errorf("%s: environment filled in password %q user %q database %q port %d", name, cc.Password, cc.User, cc.Database, cc.Port)
		}
		if len(cc.RuntimeParams) != 1 || cc.RuntimeParams["application_name"] != "neosync" {
			t.Errorf("%s: session parameters %v came from the environment", name, cc.RuntimeParams)
		}
		if cc.TLSConfig != nil && cc.TLSConfig.RootCAs != nil {
			t.Errorf("%s: PGSSLROOTCERT was read", name)
		}
	}
	noUser := sqlconnect.Config{Driver: sqlconnect.DriverPostgres, URL: "postgres://db.example/x"}
	if err := noUser.Validate(); err == nil || !strings.Contains(err.Error(), "no user") {
		t.Errorf("a URL without a user = %v, want an error (PGUSER must not fill it)", err)
	}
}

// TestNetworkPolicyAtConnect opens the real test server under policies that
// allow and refuse it, and checks a refused address reads exactly like a
// closed port.
func TestNetworkPolicyAtConnect(t *testing.T) {
	t.Parallel()
	ctx := testdb.Ctx(t)
	u := testdb.Postgres(t, "sqlconnect_policy")
	cfg := sqlconnect.Config{Driver: sqlconnect.DriverPostgres, URL: u}
	deny, err := netpolicy.Parse("", "loopback,unix")
	if err != nil {
		t.Fatal(err)
	}
	allow, err := netpolicy.Parse("127.0.0.1", "all")
	if err != nil {
		t.Fatal(err)
	}
	if db, err := (&sqlconnect.Policy{Network: allow}).Open(ctx, cfg); err != nil {
		t.Fatalf("allowed address: %v", err)
	} else {
		db.Close()
	}
	_, denied := (&sqlconnect.Policy{Network: deny}).Open(ctx, cfg)
	var ce *sqlconnect.ConnectError
	if !errors.As(denied, &ce) || ce.Kind != sqlconnect.KindUnreachable {
		t.Fatalf("denied address: %v, want an unreachable ConnectError", denied)
	}
	// A closed port on an allowed address: same message, address aside.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := ln.Addr().String()
	_ = ln.Close()
	pu, _ := url.Parse(u)
	deniedAddr := pu.Host
	pu.Host = closed
	_, refused := (&sqlconnect.Policy{Network: allow}).Open(ctx, sqlconnect.Config{Driver: sqlconnect.DriverPostgres, URL: pu.String()})
	if refused == nil || strings.ReplaceAll(refused.Error(), closed, "ADDR") != strings.ReplaceAll(denied.Error(), deniedAddr, "ADDR") {
		t.Fatalf("denied and closed read differently:\n%v\n%v", denied, refused)
	}
	// The context-carried policy is what Open (the worker's path) applies.
	if _, err := sqlconnect.Open(sqlconnect.WithPolicy(ctx, &sqlconnect.Policy{Network: deny}), cfg); !errors.As(err, &ce) {
		t.Fatalf("Open under WithPolicy: %v, want refused", err)
	}
	my := testdb.MySQLAdminDSN()
	_, err = (&sqlconnect.Policy{Network: deny}).Open(ctx, sqlconnect.Config{Driver: sqlconnect.DriverMySQL, URL: my})
	if !errors.As(err, &ce) || ce.Kind != sqlconnect.KindUnreachable || !strings.Contains(err.Error(), "not allowed by the API's connection policy") {
		t.Fatalf("MySQL denied: %v", err)
	}
}

// TestProtectedDatabase checks the protected database is refused on the
// same server while another database there is not.
func TestProtectedDatabase(t *testing.T) {
	t.Parallel()
	ctx := testdb.Ctx(t)
	own := testdb.Postgres(t, "sqlconnect_own")
	other := testdb.Postgres(t, "sqlconnect_other")
	pool, err := pgxpool.New(ctx, own)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	p := &sqlconnect.Policy{Protected: func(ctx context.Context) ([]sqlconnect.Identity, error) {
		id, err := sqlconnect.PostgresIdentity(ctx, pool)
		return []sqlconnect.Identity{{Server: "postgres:another-cluster", Database: id.Database}, id}, err
	}}
	_, err = p.Open(ctx, sqlconnect.Config{Driver: sqlconnect.DriverPostgres, URL: own})
	var ce *sqlconnect.ConnectError
	if !errors.As(err, &ce) || ce.Kind != sqlconnect.KindUnreachable {
		t.Fatalf("own database: %v, want refused", err)
	}
	db, err := p.Open(ctx, sqlconnect.Config{Driver: sqlconnect.DriverPostgres, URL: other})
	if err != nil {
		t.Fatalf("other database on the same server: %v", err)
	}
	db.Close()
}
