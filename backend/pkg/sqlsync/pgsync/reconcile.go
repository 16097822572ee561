package pgsync

import (
	"context"
	"fmt"

	"github.com/neosyncio/neosync/backend/pkg/sqlsync/syncdriver"
	"github.com/neosyncio/neosync/backend/pkg/syncplan"
)

// Reconcile makes the destination agree with checkpoint cp before a
// keyed copy continues from it: an interrupted attempt may have committed
// batches after the checkpoint it last reported, so every destination row
// that comes from a source row past the checkpoint is deleted. The key
// columns are written deterministically (that is what makes the table
// keyed), so the destination keys of those rows are computed by reading
// the source keys past the checkpoint and transforming them exactly as the
// copy does; they are streamed into a temporary table and deleted with one
// DELETE ... USING. When nothing was ever checkpointed and the job owns
// the table (truncate: syncplan.DestinationOptions.Owns), all of its rows are the previous
// attempt's and a plain DELETE does — unless the copy is one key range of
// the table (j.Range), whose rows are told from the other ranges' by
// their keys as above. An empty table needs nothing. A whole table that
// restarts into a destination the job does not own (syncplan.Plan.Restarts:
// one transaction per attempt) and was given no checkpoint loses those
// rows only when all of them are there: an attempt commits all its rows
// or none.
func (s *pgSide) Reconcile(ctx context.Context, cp syncdriver.Checkpoint, owned bool) error {
	j, dconn := s.j, s.dconn
	q := syncdriver.NewQuoter(j.Plan.Dialect)
	dest := q.Table(j.DestName())
	if err := q.Err(); err != nil {
		return err
	}
	var nonEmpty bool
	if err := dconn.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM "+dest+")").Scan(&nonEmpty); err != nil {
		return fmt.Errorf("look at the destination table: %w", err)
	}
	if !nonEmpty {
		return nil
	}
	if len(cp.Key) == 0 && owned && j.Range == nil {
		if _, err := dconn.Exec(ctx, "DELETE FROM "+dest); err != nil {
			return fmt.Errorf("empty the destination table: %w", err)
		}
		return nil
	}
	key := j.Table.Key
	var keyCols []syncplan.Column
	for _, k := range key {
		keyCols = append(keyCols, *j.Table.Column(k))
	}
	const keys = `"neosync_resume_keys"`
	list := q.List("", key)
	stmts := []string{
		"CREATE TEMPORARY TABLE IF NOT EXISTS " + keys + " AS SELECT " + list + " FROM " + dest + " WITH NO DATA",
		"TRUNCATE " + keys,
	}
	for _, s := range stmts {
		if _, err := dconn.Exec(ctx, s); err != nil {
			return fmt.Errorf("prepare key table: %w", err)
		}
	}
	defer func() { _, _ = dconn.Exec(context.WithoutCancel(ctx), "DROP TABLE IF EXISTS "+keys) }()
	copySQL := "COPY " + keys + " (" + list + ") FROM STDIN (FORMAT binary)"
	err := s.Stream(ctx, syncdriver.SourceSpec{Out: keyCols, After: cp.Key, Range: j.Range}, nil, func(ctx context.Context, r *syncdriver.BatchReader) error {
		_, err := dconn.Conn().PgConn().CopyFrom(ctx, r, copySQL)
		return err
	})
	if err != nil {
		return fmt.Errorf("read source keys past the checkpoint: %w", err)
	}
	if j.Range == nil && !owned && j.Plan.Restarts(j.Table, j.Dst.Options) && j.Start.Rows == 0 && len(j.Start.Key) == 0 {
		// A copy that restarts wrote the table in one transaction: an
		// earlier attempt committed every source row or none. (A key
		// checkpoint is from a worker that still copied the table in
		// batches: its rows are cleaned up as any resume's.) Only if
		// the destination holds every key the source's rows give are
		// they that attempt's (its commit passed the table's unique key,
		// so no row of the user's shared one); else it committed nothing,
		// and the keys that match are rows of the user's, which the copy
		// must collide with, not delete.
		var all, matched int64
		if err := dconn.QueryRow(ctx, "SELECT (SELECT count(*) FROM "+keys+"), (SELECT count(*) FROM "+dest+" AS d JOIN "+keys+" AS k ON "+
			q.Equal("d", "k", key)+")").Scan(&all, &matched); err != nil {
			return fmt.Errorf("look for an earlier attempt's rows: %w", err)
		}
		if matched < all {
			j.Logger.InfoContext(ctx, "retried table: the earlier attempt committed nothing; rows already there are not deleted",
				"table", j.Table.Name.String(), "matching_keys", matched, "source_keys", all)
			return q.Err()
		}
	}
	del := "DELETE FROM " + dest + " AS d USING " + keys + " AS k WHERE " + q.Equal("d", "k", key)
	tag, err := dconn.Exec(ctx, del)
	if err != nil {
		return fmt.Errorf("delete rows past the checkpoint: %w", err)
	}
	j.Logger.InfoContext(ctx, "resumed table: deleted rows written after the checkpoint",
		"table", j.Table.Name.String(), "rows", tag.RowsAffected())
	return q.Err()
}
