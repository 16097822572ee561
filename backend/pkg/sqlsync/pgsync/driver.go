package pgsync

import (
	"context"
	"errors"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/neosyncio/neosync/backend/pkg/sqlconnect"
	"github.com/neosyncio/neosync/backend/pkg/sqlsync/syncdriver"
	"github.com/neosyncio/neosync/backend/pkg/syncplan"
)

// Driver is the PostgreSQL syncdriver.Driver. It holds nothing: the
// engine passes every step what it needs.
type Driver struct{}

var _ syncdriver.Driver = Driver{}

// Prepare implements syncdriver.Driver (see pgPrepare); PostgreSQL's
// TRUNCATE … CASCADE empties the tables reach names by itself.
func (Driver) Prepare(ctx context.Context, plan *syncplan.Plan, dst syncdriver.Destination, _ []syncplan.Reference) error {
	return pgPrepare(ctx, plan, dst)
}

// OpenCopy implements syncdriver.Driver: the binary COPY relay.
func (Driver) OpenCopy(ctx context.Context, j *syncdriver.TableJob, out []syncplan.Column) (syncdriver.CopySide, error) {
	return openPostgres(ctx, j, out)
}

// OpenLoad implements syncdriver.Driver: COPY in text format.
func (Driver) OpenLoad(ctx context.Context, j *syncdriver.TableJob, src syncdriver.RowSource, out []syncplan.Column) (syncdriver.CopySide, error) {
	return openStreamPG(ctx, j, src, out)
}

// UpdatePass implements syncdriver.Driver.
func (Driver) UpdatePass(ctx context.Context, j *syncdriver.TableJob) error {
	return pgUpdatePass(ctx, j)
}

// LoadUpdatePass implements syncdriver.Driver.
func (Driver) LoadUpdatePass(ctx context.Context, j *syncdriver.TableJob, src syncdriver.RowSource) error {
	return pgStreamUpdatePass(ctx, j, src)
}

// Finalize implements syncdriver.Driver.
func (Driver) Finalize(ctx context.Context, plan *syncplan.Plan, run *syncdriver.FinalizeRun) error {
	return pgFinalize(ctx, plan, run)
}

// Verifier implements syncdriver.Driver.
func (Driver) Verifier(plan *syncplan.Plan, src *sqlconnect.DB, dst *syncdriver.Destination) syncdriver.Verifier {
	v := &pgVerifier{q: syncdriver.NewQuoter(plan.Dialect)}
	if src != nil {
		v.src = src.Postgres
	}
	if dst != nil {
		v.dst, v.session = dst.DB.Postgres, dst.Session()
	}
	return v
}

// EndSessions implements syncdriver.Driver: pg_terminate_backend.
func (Driver) EndSessions(ctx context.Context, db *sqlconnect.DB, prefix string) (int, error) {
	return pgEndSessions(ctx, db.Postgres, prefix)
}

// Duplicate implements syncdriver.Driver: SQLSTATE 23505,
// unique_violation.
func (Driver) Duplicate(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && pe.Code == "23505"
}

// destConn acquires a session of d and, when d has a SessionTag, names it
// (application_name) so that EndStaleSessions of a retried step can find
// it.
func destConn(ctx context.Context, d syncdriver.Destination) (*pgxpool.Conn, error) {
	conn, err := d.DB.Postgres.Acquire(ctx)
	if err != nil {
		return nil, err
	}
	if name := d.Session(); name != "" {
		if _, err := conn.Exec(ctx, "SELECT pg_catalog.set_config('application_name', $1, false)", name); err != nil {
			conn.Release()
			return nil, err
		}
	}
	return conn, nil
}
