package generate

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/neosyncio/neosync/backend/pkg/sqlconnect"
	"github.com/neosyncio/neosync/backend/pkg/sqlsync/syncdriver"
)

// session carries the writes of one GenerateTable call — the DELETEs
// that empty tables and the INSERTs — named (Options.Session) so that a
// retried step can end what its dead predecessor still runs with
// sqlsync.EndStaleSessions before it empties the same tables: otherwise
// an INSERT of the lost attempt could commit after the retry's DELETE.
// On PostgreSQL the writes run on one connection whose application_name
// is the name, found even between statements; on MySQL/MariaDB each write
// statement starts with the comment "/* name */", found while it runs.
// Its reads (parent keys, sequence starts) run on the same PostgreSQL
// connection, so a pool of one connection is enough.
type session struct {
	db   *sqlconnect.DB
	pg   *pgxpool.Conn
	note string // MySQL: the comment before every write statement
}

// openSession returns the session of a GenerateTable call on db, named
// name ("": unnamed, writes go to the pool).
func openSession(ctx context.Context, db *sqlconnect.DB, name string) (*session, error) {
	s := &session{db: db}
	if name == "" {
		return s, nil
	}
	name = syncdriver.SanitizeSessionName(name)
	if db.Postgres == nil {
		s.note = "/* " + name + " */ "
		return s, nil
	}
	conn, err := db.Postgres.Acquire(ctx)
	if err != nil {
		return nil, err
	}
	if _, err := conn.Exec(ctx, "SELECT pg_catalog.set_config('application_name', $1, false)", name); err != nil {
		conn.Release()
		return nil, err
	}
	s.pg = conn
	return s, nil
}

// exec runs a write statement and returns the rows it affected.
func (s *session) exec(ctx context.Context, q string, args ...any) (int64, error) {
	if s.pg != nil {
		tag, err := s.pg.Exec(ctx, q, args...)
		return tag.RowsAffected(), err
	}
	if s.note != "" {
		q = s.note + q
	}
	return execSQL(ctx, s.db, q, args...)
}

// pgQuerier is what the session's PostgreSQL reads need: a pooled
// connection or the pool.
type pgQuerier interface {
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// pgq is where the session reads on PostgreSQL: its connection, or the
// pool when it has none.
func (s *session) pgq() pgQuerier {
	if s.pg != nil {
		return s.pg
	}
	return s.db.Postgres
}

// close hands a named PostgreSQL connection back to the pool without its
// name, or closes it when the name cannot be taken off: a later retry of
// the same step must not end a connection another step is using.
func (s *session) close() {
	if s.pg == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if _, err := s.pg.Exec(ctx, "RESET application_name"); err != nil {
		_ = s.pg.Hijack().Close(ctx)
		return
	}
	s.pg.Release()
	s.pg = nil
}
