package mysqlsync

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"github.com/go-sql-driver/mysql"
	"github.com/neosyncio/neosync/backend/pkg/sqlsync/syncdriver"
	"strings"
	"time"
)

func mysqlEndSessions(ctx context.Context, db *sql.DB, prefix string) (int, error) {
	conn, err := db.Conn(ctx)
	if err != nil {
		return 0, err
	}
	defer func() { _ = conn.Close() }()
	rows, err := conn.QueryContext(ctx, `SELECT ID FROM information_schema.PROCESSLIST WHERE INFO LIKE ? AND ID <> CONNECTION_ID()`, syncdriver.LikePrefix("/* "+prefix))
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
