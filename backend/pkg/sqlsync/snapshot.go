package sqlsync

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/neosyncio/neosync/backend/pkg/sqlconnect"
	"github.com/neosyncio/neosync/backend/pkg/sqlsync/pgsync"
	"github.com/neosyncio/neosync/backend/pkg/sqlsync/syncdriver"
)

// RunSnapshot is a snapshot of a PostgreSQL source exported for a run
// (pg_export_snapshot), as pg_dump takes one: every table read that
// imports it (Source.Snapshot) sees the source as of the same moment, so
// a row a live application writes during the run — an order with its new
// customer — is copied with the rows it references or not at all. Read
// each in its own snapshot, the tables of a busy source leave references
// the copy cannot match, and Finalize cannot build the foreign key.
//
// The snapshot lives as long as the transaction that exported it, which
// holds one connection of the source, idle in transaction, until Close:
// like pg_dump's, it keeps the source's vacuum from removing rows deleted
// after it until then.
type RunSnapshot struct {
	// ID is the snapshot's identifier, for Source.Snapshot.
	ID   string
	db   *sqlconnect.DB
	conn *pgxpool.Conn
}

// ExportSnapshot exports a snapshot of the PostgreSQL source that cfg
// opens, on a connection of its own (not one of the run's pools, which it
// would take a connection from) kept until Close. A MySQL/MariaDB source
// has no exportable snapshot: it returns nil and no error. The
// connection's idle-in-transaction timeout is turned off for its session,
// so that a server setting does not end the snapshot before the run's
// last read (the reads that find it gone fall back to their own). The
// session is named name (application_name, "" leaves it unnamed), so
// that an operator who finds it idle in transaction knows whose it is.
func ExportSnapshot(ctx context.Context, cfg sqlconnect.Config, name string) (*RunSnapshot, error) {
	if cfg.Driver != sqlconnect.DriverPostgres {
		return nil, nil
	}
	cfg.Pool = sqlconnect.PoolOptions{MaxOpen: 1}
	db, err := sqlconnect.Open(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("sqlsync: export a snapshot of the source: %w", err)
	}
	s := &RunSnapshot{db: db}
	conn, err := db.Postgres.Acquire(ctx)
	if err != nil {
		s.Close()
		return nil, fmt.Errorf("sqlsync: export a snapshot of the source: %w", err)
	}
	s.conn = conn
	fail := func(err error) (*RunSnapshot, error) {
		s.Close()
		return nil, fmt.Errorf("sqlsync: export a snapshot of the source: %w", err)
	}
	if _, err := conn.Exec(ctx, "SET idle_in_transaction_session_timeout = 0"); err != nil {
		return fail(err)
	}
	if name != "" {
		if _, err := conn.Exec(ctx, "SELECT pg_catalog.set_config('application_name', $1, false)", syncdriver.SanitizeSessionName(name)); err != nil {
			return fail(err)
		}
	}
	if _, err := conn.Exec(ctx, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"); err != nil {
		return fail(err)
	}
	if err := conn.QueryRow(ctx, "SELECT pg_catalog.pg_export_snapshot()").Scan(&s.ID); err != nil {
		return fail(err)
	}
	if !pgsync.ValidSnapshotID(s.ID) {
		return fail(fmt.Errorf("the server exported %q, which is not a snapshot identifier", s.ID))
	}
	return s, nil
}

// Close ends the exporting transaction and closes its connection. It may
// be called more than once, and on nil.
func (s *RunSnapshot) Close() {
	if s == nil {
		return
	}
	if s.conn != nil {
		_ = s.conn.Conn().Close(context.Background())
		s.conn.Release()
		s.conn = nil
	}
	if s.db != nil {
		s.db.Close()
		s.db = nil
	}
}
