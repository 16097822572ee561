package sqlconnect_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/neosyncio/neosync/backend/pkg/netpolicy"
	"github.com/neosyncio/neosync/backend/pkg/sqlconnect"
	"github.com/neosyncio/neosync/backend/pkg/testdb"
	"github.com/neosyncio/neosync/backend/pkg/testsshd"
)

func tunnelTo(s *testsshd.Server) *sqlconnect.SSHTunnel {
	return &sqlconnect.SSHTunnel{Host: s.Host, Port: s.Port, User: s.User, PrivateKey: s.ClientKey, KnownHostKey: s.HostKey}
}

func openCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// TestSSHTunnel opens Postgres and MariaDB through a real sshd, and shows
// the traffic takes the tunnel: with sshd gone, the same configuration
// fails with a tunnel error while the database is still up.
func TestSSHTunnel(t *testing.T) {
	t.Parallel()
	sshd := testsshd.Start(t)
	pgURL := testdb.Postgres(t, "neosync_tunnel")
	myURL, _ := testdb.MySQL(t, "neosync_tunnel")
	for _, cfg := range []sqlconnect.Config{
		{Driver: sqlconnect.DriverPostgres, URL: pgURL, Tunnel: tunnelTo(sshd)},
		{Driver: sqlconnect.DriverMySQL, URL: myURL, Tunnel: tunnelTo(sshd)},
	} {
		db, err := sqlconnect.Open(openCtx(t), cfg)
		if err != nil {
			t.Fatalf("%s through the tunnel: %v", cfg.Driver, err)
		}
		var one int
		if cfg.Driver == sqlconnect.DriverPostgres {
			err = db.Postgres.QueryRow(openCtx(t), "SELECT 1").Scan(&one)
		} else {
			err = db.MySQL.QueryRowContext(openCtx(t), "SELECT 1").Scan(&one)
		}
		if err != nil || one != 1 {
			t.Fatalf("%s query through the tunnel: %v", cfg.Driver, err)
		}
		db.Close()
	}
	sshd.Stop()
	_, err := sqlconnect.Open(openCtx(t), sqlconnect.Config{Driver: sqlconnect.DriverPostgres, URL: pgURL, Tunnel: tunnelTo(sshd)})
	var ce *sqlconnect.ConnectError
	if !errors.As(err, &ce) || ce.Kind != sqlconnect.KindUnreachable || !strings.Contains(err.Error(), "ssh tunnel: cannot reach the bastion") || !strings.Contains(err.Error(), sshd.Addr()) {
		t.Fatalf("with sshd stopped: %v, want an unreachable ssh tunnel error", err)
	}
}

// TestSSHTunnelRefusals: a host key that is not the known one is refused
// before any credential is sent, a key sshd does not accept is an
// authentication error, and the network policy applies to the bastion.
func TestSSHTunnelRefusals(t *testing.T) {
	t.Parallel()
	sshd := testsshd.Start(t)
	pgURL := testdb.Postgres(t, "neosync_tunnel")
	otherPub, otherKey := testsshd.NewKey(t)

	wrongHost := tunnelTo(sshd)
	wrongHost.KnownHostKey = otherPub
	_, err := sqlconnect.Open(openCtx(t), sqlconnect.Config{Driver: sqlconnect.DriverPostgres, URL: pgURL, Tunnel: wrongHost})
	var ce *sqlconnect.ConnectError
	if !errors.As(err, &ce) || ce.Kind != sqlconnect.KindHostKey || !strings.Contains(err.Error(), "not the known host key SHA256:") {
		t.Fatalf("wrong host key: %v", err)
	}

	wrongUser := tunnelTo(sshd)
	wrongUser.PrivateKey = otherKey
	_, err = sqlconnect.Open(openCtx(t), sqlconnect.Config{Driver: sqlconnect.DriverPostgres, URL: pgURL, Tunnel: wrongUser})
	if !errors.As(err, &ce) || ce.Kind != sqlconnect.KindAuthentication || strings.Contains(err.Error(), "PRIVATE KEY") {
		t.Fatalf("a key sshd does not accept: %v", err)
	}

	deny, err := netpolicy.FromSettings("", "loopback", true)
	if err != nil {
		t.Fatal(err)
	}
	ctx := sqlconnect.WithPolicy(openCtx(t), &sqlconnect.Policy{Network: deny})
	_, err = sqlconnect.Open(ctx, sqlconnect.Config{Driver: sqlconnect.DriverPostgres, URL: pgURL, Tunnel: tunnelTo(sshd)})
	if !errors.As(err, &ce) || ce.Kind != sqlconnect.KindUnreachable {
		t.Fatalf("a bastion the network policy denies: %v", err)
	}
}

// TestSSHTunnelCannotReachTheProtectedDatabase: a bastion that can reach
// the API's own database does not open a way into it — the session at the
// end of the tunnel is identified and refused like a direct one.
func TestSSHTunnelCannotReachTheProtectedDatabase(t *testing.T) {
	t.Parallel()
	sshd := testsshd.Start(t)
	ctx := openCtx(t)
	own := testdb.Postgres(t, "neosync_tunnel_own")
	pool, err := pgxpool.New(ctx, own)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	p := &sqlconnect.Policy{Protected: func(ctx context.Context) ([]sqlconnect.Identity, error) {
		id, err := sqlconnect.PostgresIdentity(ctx, pool)
		return []sqlconnect.Identity{id}, err
	}}
	_, err = p.Open(ctx, sqlconnect.Config{Driver: sqlconnect.DriverPostgres, URL: own, Tunnel: tunnelTo(sshd)})
	var ce *sqlconnect.ConnectError
	if !errors.As(err, &ce) || ce.Kind != sqlconnect.KindUnreachable {
		t.Fatalf("the protected database through a tunnel: %v, want refused", err)
	}
}
