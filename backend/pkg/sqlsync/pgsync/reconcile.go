package pgsync

import (
	"context"
	"fmt"

	"github.com/neosyncio/neosync/backend/pkg/sqlsync/syncdriver"
	"github.com/neosyncio/neosync/backend/pkg/syncplan"
)

// Reconcile makes the destination agree with checkpoint cp before a
// keyed copy continues from it: an interrupted attempt may have committed
// batches after the checkpoint it last reported, and those rows are
// deleted. The key columns are written deterministically (that is what
// makes the table keyed), so the destination keys of the source rows past
// the checkpoint are computed by reading the source keys past it and
// transforming them exactly as the copy does; they are streamed with COPY
// into a temporary table and deleted with one DELETE ... USING. When
// nothing was ever checkpointed and the job owns the table (truncate:
// rw.Owned) all of its rows are the previous attempt's and a plain DELETE
// does — unless the copy is one key range of the table (j.Range), whose
// rows are told from the other ranges' by their keys as above. An empty
// table needs nothing.
//
// In a table the job owns every row a key names is deleted. In one it
// does not own, a row a key names may also be the user's, which the copy
// must collide with (syncdriver.CollisionError), not delete: there only
// the rows the attempt provably committed go. Its batches were rw.Batch
// source rows each from the checkpoint, in key order, each committed in
// one transaction, so the keys are read in key order and numbered as
// COPY stores them (an identity column, filled in input order), cut
// into batches of rw.Batch from the checkpoint, and only the rows of the
// leading batches whose keys are all in the destination are deleted
// (syncdriver.RewindKeys.Through); every later match is kept and logged.
// rw.Batch must be the batch size the interrupted attempt used (the
// copy's syncplan.DestinationOptions.Rows, or 1 when unsure). A whole
// table that restarts (syncplan.Plan.Restarts: one transaction per
// attempt) is the one-batch case, rw.Batch 0: all its rows or none.
func (s *pgSide) Reconcile(ctx context.Context, cp syncdriver.Checkpoint, rw syncdriver.Rewind) error {
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
	if len(cp.Key) == 0 && rw.Owned && j.Range == nil {
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
	ord := q.ID(syncdriver.OrdinalColumn(key))
	stmts := []string{
		"DROP TABLE IF EXISTS " + keys,
		"CREATE TEMPORARY TABLE " + keys + " AS SELECT " + list + " FROM " + dest + " WITH NO DATA",
	}
	if !rw.Owned {
		// A cached sequence: this session alone draws from it, so the
		// values stay consecutive, and cost a third less than uncached.
		stmts = append(stmts, "ALTER TABLE "+keys+" ADD COLUMN "+ord+" bigint GENERATED ALWAYS AS IDENTITY (CACHE 10000)")
	}
	for _, s := range stmts {
		if _, err := dconn.Exec(ctx, s); err != nil {
			return fmt.Errorf("prepare key table: %w", err)
		}
	}
	defer func() { _, _ = dconn.Exec(context.WithoutCancel(ctx), "DROP TABLE IF EXISTS "+keys) }()
	copySQL := "COPY " + keys + " (" + list + ") FROM STDIN (FORMAT binary)"
	err := s.Stream(ctx, syncdriver.SourceSpec{Out: keyCols, After: cp.Key, Range: j.Range, Ordered: rw.Ordered()}, nil, func(ctx context.Context, r *syncdriver.BatchReader) error {
		_, err := dconn.Conn().PgConn().CopyFrom(ctx, r, copySQL)
		return err
	})
	if err != nil {
		return fmt.Errorf("read source keys past the checkpoint: %w", err)
	}
	del := "DELETE FROM " + dest + " AS d USING " + keys + " AS k WHERE " + q.Equal("d", "k", key)
	del, found, err := j.RewindDelete(ctx, rw, q, keys, dest, del, " AND ", func(ctx context.Context, sql string, into ...any) error {
		return dconn.QueryRow(ctx, sql).Scan(into...)
	})
	if err != nil || del == "" {
		return err
	}
	tag, err := dconn.Exec(ctx, del)
	if err != nil {
		return fmt.Errorf("delete rows past the checkpoint: %w", err)
	}
	j.LogRewind(ctx, tag.RowsAffected(), found)
	return q.Err()
}
