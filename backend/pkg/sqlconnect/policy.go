package sqlconnect

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"net"
	"strconv"

	"github.com/jackc/pgx/v5"

	"github.com/neosyncio/neosync/backend/pkg/netpolicy"
)

// Policy is what a process lets tenants' connections reach. The parameter
// allow-list (see ParamError) always applies; a Policy adds the network
// policy, checked on every dial, and a database that no tenant connection
// may use (the API's own), checked on every new Postgres session.
//
// A nil *Policy allows every address, which suits the CLI syncing into a
// database its own user chose.
type Policy struct {
	// Network decides which addresses may be dialed; nil allows all.
	Network *netpolicy.Policy
	// Protected returns the identities of the Postgres databases tenants
	// must never reach (the API's own). It is asked on each new session, so
	// a restarted server is still recognised; nil protects nothing. The API
	// identifies its own database directly; a worker asks the API
	// (WorkerService.GetWorkerPolicy) and caches the answer briefly.
	Protected func(ctx context.Context) ([]Identity, error)
	// Tracer, when set, records a span per query on the Postgres pools
	// opened under this policy (the worker's traces); nil traces nothing.
	Tracer pgx.QueryTracer
	// OpenMySQL, when set, makes the MySQL/MariaDB pools opened under this
	// policy from their connector (the worker's traces wrap it to record a
	// span per statement); nil uses sql.OpenDB.
	OpenMySQL func(driver.Connector) *sql.DB
}

type policyKey struct{}

// WithPolicy returns a context whose Open calls apply p. The worker sets it
// on the root context of its activities, so every pool they open — through
// the sync engine too — dials through the worker's network policy.
func WithPolicy(ctx context.Context, p *Policy) context.Context {
	return context.WithValue(ctx, policyKey{}, p)
}

// PolicyFrom returns the policy set by WithPolicy (nil when none).
func PolicyFrom(ctx context.Context) *Policy {
	p, _ := ctx.Value(policyKey{}).(*Policy)
	return p
}

// openMySQLDB makes a pool from c, traced when the policy says so.
func (p *Policy) openMySQLDB(c driver.Connector) *sql.DB {
	if p != nil && p.OpenMySQL != nil {
		return p.OpenMySQL(c)
	}
	return sql.OpenDB(c)
}

func (p *Policy) network() *netpolicy.Policy {
	if p == nil {
		return nil
	}
	return p.Network
}

// dialer is the one way pools reach the network.
func (p *Policy) dialer() *netpolicy.Dialer {
	return &netpolicy.Dialer{Policy: p.network()}
}

// checkProtected refuses a session on the protected database. A server that
// cannot report its identity (a wire-compatible server without
// pg_control_system, or a role denied it) is not the API's Postgres, where
// PUBLIC may call it.
func (p *Policy) checkProtected(ctx context.Context, conn *pgx.Conn) error {
	if p == nil || p.Protected == nil {
		return nil
	}
	got, err := PostgresIdentity(ctx, conn)
	if err != nil {
		return nil
	}
	protected, err := p.Protected(ctx)
	if err != nil {
		return err
	}
	for _, own := range protected {
		if got.SameServer(own) && got.Database == own.Database {
			cc := conn.Config()
			return &netpolicy.DialError{Addr: net.JoinHostPort(cc.Host, strconv.Itoa(int(cc.Port)))}
		}
	}
	return nil
}

// NetworkPolicy is the network policy non-database clients (the S3 client)
// dial through; nil allows every address.
func (p *Policy) NetworkPolicy() *netpolicy.Policy { return p.network() }
