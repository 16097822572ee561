package pgsync

import (
	"context"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/neosyncio/neosync/backend/pkg/sqlsync/syncdriver"
	"time"
)

func pgEndSessions(ctx context.Context, pool *pgxpool.Pool, prefix string) (int, error) {
	conn, err := pool.Acquire(ctx)
	if err != nil {
		return 0, err
	}
	defer conn.Release()
	const find = `SELECT pid FROM pg_catalog.pg_stat_activity
WHERE application_name LIKE $1 AND pid <> pg_catalog.pg_backend_pid() AND datname = pg_catalog.current_database()`
	rows, err := conn.Query(ctx, find, syncdriver.LikePrefix(prefix))
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
