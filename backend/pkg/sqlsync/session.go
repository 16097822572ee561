package sqlsync

import (
	"context"
	"fmt"
	"strings"

	"github.com/neosyncio/neosync/backend/pkg/sqlsync/syncdriver"
)

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
	prefix := syncdriver.SanitizeSessionName(tagPrefix)
	n, err := driverOf(dst.DB).EndSessions(ctx, dst.DB, prefix)
	if err != nil {
		return n, fmt.Errorf("sqlsync: end stale sessions %s* of %s: %w", prefix, dst.Name, err)
	}
	return n, nil
}
