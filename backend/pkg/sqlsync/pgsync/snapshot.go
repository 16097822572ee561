package pgsync

import (
	"context"
	"errors"
	"fmt"
	"regexp"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/neosyncio/neosync/backend/pkg/sqlsync/syncdriver"
)

// snapshotID is the form of pg_export_snapshot's identifiers, e.g.
// "00000003-0000001B-1"; anything else is refused before it is put in a
// statement (SET TRANSACTION SNAPSHOT takes no parameter).
var snapshotID = regexp.MustCompile(`^[0-9A-F]{8}-[0-9A-F]{8}-[0-9]+$`)

// ValidSnapshotID reports whether id has the form of an exported
// snapshot's identifier.
func ValidSnapshotID(id string) bool { return snapshotID.MatchString(id) }

// pgBeginSource opens a table read's transaction on the source:
// REPEATABLE READ, READ ONLY, and in the run's exported snapshot when it
// has one (j.Src.Snapshot). A snapshot the server no longer has (the
// transaction that exported it ended: its worker stopped, or an
// idle-in-transaction timeout ended it) is not an error: the table is
// read in its own snapshot, as without one, and a warning says so.
func pgBeginSource(ctx context.Context, sc *pgx.Conn, j *syncdriver.TableJob) error {
	const begin = "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"
	id := j.Src.Snapshot
	if id == "" {
		if _, err := sc.Exec(ctx, begin); err != nil {
			return fmt.Errorf("begin source transaction: %w", err)
		}
		return nil
	}
	if !ValidSnapshotID(id) {
		return fmt.Errorf("source snapshot %q is not a snapshot identifier", id)
	}
	// One round trip (no arguments: the simple protocol runs both).
	_, err := sc.Exec(ctx, begin+"; SET TRANSACTION SNAPSHOT '"+id+"'")
	var pg *pgconn.PgError
	if err == nil || !errors.As(err, &pg) {
		if err != nil {
			return fmt.Errorf("import the run's snapshot: %w", err)
		}
		return nil
	}
	if _, err := sc.Exec(ctx, "ROLLBACK"); err != nil {
		return fmt.Errorf("import the run's snapshot: %w", err)
	}
	if _, err := sc.Exec(ctx, begin); err != nil {
		return fmt.Errorf("begin source transaction: %w", err)
	}
	if j.Logger != nil {
		j.Logger.WarnContext(ctx, "table read in its own snapshot: the run's snapshot of the source is gone, so rows written to the source during the run may be copied with this table and not with the tables read before it",
			"table", j.Table.Name.String(), "snapshot", id, "error", pg.Message)
	}
	return nil
}
