package syncdriver

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"strconv"
)

// Rewind says what a CopySide's Reconcile may delete before a retried
// copy continues from its checkpoint.
type Rewind struct {
	// Owned says the job owns the destination table (truncate:
	// syncplan.DestinationOptions.Owns): every row there that a source
	// key past the checkpoint names is the job's, and is deleted.
	Owned bool
	// Batch matters only when the job does not own the table: the rows
	// per commit of the attempt that may have died after committing
	// batches past the checkpoint, counted from the checkpoint in source
	// key order. Such an attempt committed whole batches, in order, each
	// all or none, so only the destination rows of the leading batches
	// whose keys are all there are its rows; a match after the first
	// incomplete batch is a row of the user's, kept (the copy then
	// collides with it). 0 means one commit of every row (a copy that
	// restarts, syncplan.Plan.Restarts): all the rows or none. 1 deletes
	// the contiguous run of matching keys right after the checkpoint: the
	// safe choice when the attempt's batch size is not known.
	Batch int64
}

// Ordered reports whether Reconcile must number the source keys past
// the checkpoint in key order (the copy's order) to group them into
// batches.
func (rw Rewind) Ordered() bool { return !rw.Owned && rw.Batch > 0 }

// RewindKeys is what Reconcile found of the source keys past a
// checkpoint, numbered in the order they were streamed into its key table
// (a serial or AUTO_INCREMENT ordinal), against the destination.
type RewindKeys struct {
	// Count is the number of source keys; Lo and Hi their least and
	// greatest ordinal.
	Count, Lo, Hi int64
	// Matched is the number of destination rows a key names (for the
	// log).
	Matched int64
	// FirstMissing is the least ordinal of a key no destination row has;
	// 0 when every key has one.
	FirstMissing int64
}

// Through returns the greatest ordinal whose destination row an attempt
// that commits rw.Batch rows at a time provably committed: the end of the
// last complete batch before the first missing key (Lo-1: none). Ordinals
// that are not consecutive (a gap left by the database) cannot be cut
// into batches; then only the contiguous run before the first missing key
// counts, as for Batch 1.
func (k RewindKeys) Through(batch int64) int64 {
	switch {
	case k.FirstMissing == 0:
		return k.Hi
	case batch <= 0:
		return k.Lo - 1
	case k.Hi-k.Lo+1 != k.Count:
		return k.FirstMissing - 1
	}
	return k.Lo + (k.FirstMissing-k.Lo)/batch*batch - 1
}

// LogRewind logs what a retry's Reconcile deleted of the destination
// rows that source keys past its checkpoint name, and how many such rows
// it kept as the user's. It logs counts only, never a key.
func (j *TableJob) LogRewind(ctx context.Context, deleted int64, k RewindKeys) {
	table := slog.String("table", j.Table.Name.String())
	if kept := k.Matched - deleted; kept > 0 {
		j.Logger.InfoContext(ctx, "retried table: rows already there are not deleted — the earlier attempt's batches end before them; the copy will fail on them",
			table, slog.Int64("deleted", deleted), slog.Int64("kept", kept), slog.Int64("source_keys", k.Count))
		return
	}
	j.Logger.InfoContext(ctx, "resumed table: deleted rows written after the checkpoint", table, slog.Int64("rows", deleted))
}

// OrdinalColumn names the ordinal column of Reconcile's key table: one
// that is not a key column's name.
func OrdinalColumn(key []string) string {
	name := "neosync_resume_ord"
	for slices.Contains(key, name) {
		name += "_"
	}
	return name
}

// RewindDelete is the common part of a dialect's Reconcile once the
// source keys past the checkpoint are in the key table keys (quoted,
// alias "k", its ordinal column OrdinalColumn(j.Table.Key) unless
// rw.Owned): it returns del, the statement deleting every destination row
// a key names, limited — in a table the job does not own — to the rows
// the interrupted attempt provably committed (a predicate on k added
// after join, " AND " or " WHERE "), or "" when nothing is to be deleted
// (logged). What it found it reads from dest (quoted, alias "d") with one
// join, run by query (one row scanned into the given pointers).
func (j *TableJob) RewindDelete(ctx context.Context, rw Rewind, q *Quoter, keys, dest, del, join string, query func(ctx context.Context, sql string, into ...any) error) (string, RewindKeys, error) {
	var found RewindKeys
	if rw.Owned {
		return del, found, nil
	}
	key := j.Table.Key
	ord := "k." + q.ID(OrdinalColumn(key))
	first := "d." + q.ID(key[0])
	// The keys' ordinals, the matches and the first key with none, in one
	// join. (A destination holding a key twice makes the count exceed the
	// ordinals' span: see RewindKeys.Through.)
	err := query(ctx, "SELECT COUNT(*), COALESCE(MIN("+ord+"), 0), COALESCE(MAX("+ord+"), 0), COUNT("+first+"), COALESCE(MIN(CASE WHEN "+first+" IS NULL THEN "+ord+" END), 0) FROM "+
		keys+" AS k LEFT JOIN "+dest+" AS d ON "+q.Equal("d", "k", key), &found.Count, &found.Lo, &found.Hi, &found.Matched, &found.FirstMissing)
	if err != nil {
		return "", found, fmt.Errorf("look for an earlier attempt's rows: %w", err)
	}
	through := found.Through(rw.Batch)
	switch {
	case through < found.Lo:
		j.LogRewind(ctx, 0, found)
		return "", found, q.Err()
	case through < found.Hi:
		del += join + ord + " <= " + strconv.FormatInt(through, 10)
	}
	return del, found, q.Err()
}
