package sqlsync

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/go-sql-driver/mysql"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/neosyncio/neosync/backend/pkg/sqlconnect"
)

// SessionPrefix starts the name of every destination session the engine
// tags: a PostgreSQL session's application_name is SessionPrefix followed
// by Destination.SessionTag, and a tagged MySQL statement starts with the
// comment "/* " + SessionPrefix + tag + " */".
const SessionPrefix = "neosync:"

// maxSessionName is PostgreSQL's limit on application_name (NAMEDATALEN
// - 1 bytes); longer names are cut there, by the server and by us alike.
const maxSessionName = 63

// SessionName is the name the engine gives the destination sessions of a
// step tagged tag: SessionPrefix + tag, with every byte outside
// [A-Za-z0-9:._-] replaced by '_' (so the name is safe inside a SQL
// comment and survives PostgreSQL's ASCII-only application_name) and cut
// at 63 bytes. EndStaleSessions matches prefixes the same way.
func SessionName(tag string) string {
	return sanitizeSessionName(SessionPrefix + tag)
}

func sanitizeSessionName(s string) string {
	b := []byte(s)
	for i, c := range b {
		ok := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == ':' || c == '.' || c == '_' || c == '-'
		if !ok {
			b[i] = '_'
		}
	}
	if len(b) > maxSessionName {
		b = b[:maxSessionName]
	}
	return string(b)
}

// sessionName is SessionName(d.SessionTag), or "" without a tag.
func (d Destination) sessionName() string {
	if d.SessionTag == "" {
		return ""
	}
	return SessionName(d.SessionTag)
}

// pgConn acquires a destination session and, when the destination has a
// SessionTag, names it (application_name) so that EndStaleSessions of a
// retried step can find it.
func (d Destination) pgConn(ctx context.Context) (*pgxpool.Conn, error) {
	conn, err := d.DB.Postgres.Acquire(ctx)
	if err != nil {
		return nil, err
	}
	if name := d.sessionName(); name != "" {
		if _, err := conn.Exec(ctx, "SELECT pg_catalog.set_config('application_name', $1, false)", name); err != nil {
			conn.Release()
			return nil, err
		}
	}
	return conn, nil
}

// mysqlTag returns the comment that starts the destination's long MySQL
// statements ("" without a SessionTag), so that they show in
// information_schema.PROCESSLIST.INFO for EndStaleSessions.
func (d Destination) mysqlTag() string {
	if d.SessionTag == "" {
		return ""
	}
	return "/* " + d.sessionName() + " */ "
}

// step reports what the engine is about to run on the destination (see
// Destination.OnStep).
func (d Destination) step(what string) {
	if d.OnStep != nil {
		d.OnStep(what)
	}
}

// EndStaleSessions ends the destination sessions that an earlier attempt
// of a step left running, so that a retried step never waits on a lock its
// dead predecessor still holds: every other session whose name
// (SessionName) starts with tagPrefix. On PostgreSQL those are the
// sessions of the destination's database whose application_name starts
// with tagPrefix, idle ones included (an open transaction keeps its
// locks); each is terminated (pg_terminate_backend, which rolls back its
// transaction) and waited for until it is gone. On MySQL/MariaDB they are
// the sessions whose current statement starts with the comment
// "/* tagPrefix…" (an idle session shows no statement and is not found);
// each is killed (KILL CONNECTION). tagPrefix must start with
// SessionPrefix, as in "neosync:<run id>:<destination>:", and is sanitized
// and cut at 63 bytes like SessionName (so keep tags short: a run id is
// 36 of them). A prefix that also matches a step still running
// legitimately (a table copied in parallel) ends it too. It returns how
// many sessions it ended.
func EndStaleSessions(ctx context.Context, dst Destination, tagPrefix string) (int, error) {
	if dst.DB == nil {
		return 0, fmt.Errorf("sqlsync: destination %s: no connection", dst.Name)
	}
	if !strings.HasPrefix(tagPrefix, SessionPrefix) || len(tagPrefix) <= len(SessionPrefix) {
		return 0, fmt.Errorf("sqlsync: end stale sessions of %s: tag prefix %q must start with %q and name a run", dst.Name, tagPrefix, SessionPrefix)
	}
	prefix := sanitizeSessionName(tagPrefix)
	var n int
	var err error
	if dst.DB.Driver == sqlconnect.DriverPostgres {
		n, err = pgEndSessions(ctx, dst.DB.Postgres, prefix)
	} else {
		n, err = mysqlEndSessions(ctx, dst.DB.MySQL, prefix)
	}
	if err != nil {
		return n, fmt.Errorf("sqlsync: end stale sessions %s* of %s: %w", prefix, dst.Name, err)
	}
	return n, nil
}

// likePrefix escapes s for a LIKE pattern matching strings that start
// with it (backslash is the escape character of both dialects).
func likePrefix(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
	return r.Replace(s) + "%"
}

func pgEndSessions(ctx context.Context, pool *pgxpool.Pool, prefix string) (int, error) {
	conn, err := pool.Acquire(ctx)
	if err != nil {
		return 0, err
	}
	defer conn.Release()
	const find = `SELECT pid FROM pg_catalog.pg_stat_activity
WHERE application_name LIKE $1 AND pid <> pg_catalog.pg_backend_pid() AND datname = pg_catalog.current_database()`
	rows, err := conn.Query(ctx, find, likePrefix(prefix))
	if err != nil {
		return 0, err
	}
	var pids []int32
	for rows.Next() {
		var pid int32
		if err := rows.Scan(&pid); err != nil {
			rows.Close()
			return 0, err
		}
		pids = append(pids, pid)
	}
	if err := rows.Err(); err != nil {
		return 0, err
	}
	if len(pids) == 0 {
		return 0, nil
	}
	if _, err := conn.Exec(ctx, "SELECT pg_catalog.pg_terminate_backend(pid) FROM pg_catalog.unnest($1::int4[]) AS pid", pids); err != nil {
		return 0, err
	}
	// A terminated backend releases its locks when it exits, a moment
	// later; wait until none of them is left.
	for {
		var left int
		if err := conn.QueryRow(ctx, "SELECT pg_catalog.count(*) FROM pg_catalog.pg_stat_activity WHERE pid = ANY($1::int4[])", pids).Scan(&left); err != nil {
			return len(pids), err
		}
		if left == 0 {
			return len(pids), nil
		}
		select {
		case <-ctx.Done():
			return len(pids), context.Cause(ctx)
		case <-time.After(20 * time.Millisecond):
		}
	}
}

func mysqlEndSessions(ctx context.Context, db *sql.DB, prefix string) (int, error) {
	conn, err := db.Conn(ctx)
	if err != nil {
		return 0, err
	}
	defer func() { _ = conn.Close() }()
	rows, err := conn.QueryContext(ctx, `SELECT ID FROM information_schema.PROCESSLIST WHERE INFO LIKE ? AND ID <> CONNECTION_ID()`, likePrefix("/* "+prefix))
	if err != nil {
		return 0, err
	}
	var ids []uint64
	for rows.Next() {
		var id uint64
		if err := rows.Scan(&id); err != nil {
			_ = rows.Close()
			return 0, err
		}
		ids = append(ids, id)
	}
	if err := rows.Close(); err != nil {
		return 0, err
	}
	if err := rows.Err(); err != nil {
		return 0, err
	}
	n := 0
	for _, id := range ids {
		if _, err := conn.ExecContext(ctx, fmt.Sprintf("KILL CONNECTION %d", id)); err != nil {
			var me *mysql.MySQLError
			if errors.As(err, &me) && me.Number == 1094 { // unknown thread: it ended meanwhile
				continue
			}
			return n, err
		}
		n++
	}
	if len(ids) == 0 {
		return 0, nil
	}
	// A killed session rolls back and releases its locks before it
	// leaves the process list; wait for that.
	marks := strings.TrimSuffix(strings.Repeat("?, ", len(ids)), ", ")
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	for {
		var left int
		if err := conn.QueryRowContext(ctx, "SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE ID IN ("+marks+")", args...).Scan(&left); err != nil {
			return n, err
		}
		if left == 0 {
			return n, nil
		}
		select {
		case <-ctx.Done():
			return n, context.Cause(ctx)
		case <-time.After(20 * time.Millisecond):
		}
	}
}
