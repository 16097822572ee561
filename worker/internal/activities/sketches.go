package activities

import (
	"cmp"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"connectrpc.com/connect"
	"go.temporal.io/sdk/activity"

	mgmt "github.com/neosyncio/neosync/backend/gen/go/protos/mgmt/v1alpha1"
	"github.com/neosyncio/neosync/backend/pkg/leakscan"
	"github.com/neosyncio/neosync/backend/pkg/sqlschema"
	"github.com/neosyncio/neosync/backend/pkg/sqlsync"
	"github.com/neosyncio/neosync/backend/pkg/sqlsync/syncdriver"
	"github.com/neosyncio/neosync/backend/pkg/syncplan"
)

// The key ranges of one table may be copied by several workers, and the
// table is verified by one of them; a table copied in one piece may be
// copied by one worker and verified by another. Each copy measures its
// leak sketches and re-identification count with the run's hash seed
// (leakscan.RunSeed of the run id and the job key: every worker derives
// the same one) and stores them, serialised, with the API
// (WorkerService.PutRangeSketches: one part per column, bounded by
// leakscan.MaxEncodedSize — under 600 KiB at the default sample — and a
// header naming the columns, in as few calls as sketchCallBytes allows,
// the header in the last; a whole table as range -1;
// the tables of a batch of small tables together, PutRangeSketches, see
// finalSketches).
// Verify fetches them (every range's), merges them (leakscan.Table.Merge)
// and reports the merge as the table's leak scan: what one copy of the
// whole table would have measured, without re-reading the source. A whole
// table copied by the verifying worker is read from its run cache
// instead. Nothing of it passes through Temporal's history.
//
// A copy interrupted by a crash resumes from the checkpoint Temporal
// holds. So that the resumed copy still measures the whole table (or
// range), the copy also stores, at most once per heartbeat interval, the
// sketches of the rows up to its latest checkpoint (syncdriver.Leaks
// keeps them per committed batch), tagged with that checkpoint
// (checkpointTag), and only then heartbeats the checkpoint: every
// checkpoint Temporal gets has its sketches stored. A retry fetches
// those of the checkpoint it resumes from and continues them. When they
// are missing (the store failed) the resumed copy keeps no sketch and the
// table's leak scan falls back to a re-read sample; a run event says so.
// A copy keeps the last few checkpoints' sketches (Temporal may still
// hold an older checkpoint than the last one heartbeated) and deletes
// them once it has stored its final ones. The API deletes a run's
// sketches when the run finishes.

// RangedTable names a table copied in key ranges, for Verify.
type RangedTable struct {
	Name   sqlschema.TableName `json:"n"`
	Ranges int                 `json:"r"`
}

// runSeed is the hash seed of a run's range sketches.
func runSeed(runID string, src sqlsync.Source) leakscan.Seed {
	return leakscan.RunSeed(runID, src.Key)
}

// wholeTable is the range index of a table copied in one piece.
const wholeTable = -1

// rangeSketchKey addresses one range's (index wholeTable: a whole
// table's) sketches in destination dest (its name, as the table progress
// names it) with the API: the finished copy's, or with checkpoint set
// those of one checkpoint (checkpointTag).
func rangeSketchKey(runID, dest string, table sqlschema.TableName, index int, checkpoint string) *mgmt.RangeSketchKey {
	return &mgmt.RangeSketchKey{JobRunId: runID, Destination: dest, Schema: table.Schema, Table: table.Table, RangeIndex: int32(index), Checkpoint: checkpoint}
}

// rangeIndex is rng's index, or wholeTable for nil.
func rangeIndex(rng *sqlsync.KeyRange) int {
	if rng == nil {
		return wholeTable
	}
	return rng.Index
}

// checkpointTag names a checkpoint's stored sketches: its rows and a hash
// of its key, so a checkpoint resumed from finds only its own sketches.
func checkpointTag(cp sqlsync.Checkpoint) string {
	h := sha256.New()
	for _, k := range cp.Key {
		fmt.Fprintf(h, "%d:%s;", len(k), k)
	}
	return fmt.Sprintf("r%d-%x", cp.Rows, h.Sum(nil)[:12])
}

// forgetRangeSketch deletes what an earlier attempt of a range stored for
// destination dest.
func (a *Activities) forgetRangeSketch(ctx context.Context, runID, dest string, table sqlschema.TableName, rng sqlsync.KeyRange) error {
	_, err := a.API.Worker.DeleteRangeSketch(ctx, connect.NewRequest(&mgmt.DeleteRangeSketchRequest{Range: rangeSketchKey(runID, dest, table, rng.Index, "")}))
	if err != nil {
		return fmt.Errorf("forget the leak sketches of %s %s's earlier attempt: %w", table, rng, err)
	}
	return nil
}

// storeRangeSketch stores the final sketches of a range (nil: a whole
// table) for destination dest with the API: every column's, then the
// header that makes them count. A failure is reported as a run event (the
// table's leak scan then re-reads a sample) and returned.
func (a *Activities) storeRangeSketch(ctx context.Context, runID, dest string, table sqlschema.TableName, rng *sqlsync.KeyRange, t *leakscan.Table) error {
	header, columns := t.MarshalParts()
	err := a.putSketch(ctx, rangeSketchKey(runID, dest, table, rangeIndex(rng), ""), header, columns)
	if err != nil {
		what := table.String()
		if rng != nil {
			what += " " + rng.String()
		}
		a.event(ctx, runID, "warn", fmt.Sprintf("the leak sketches of %s could not be stored (%v); the table's leak scan will re-read a sample of the source", what, err), &table)
	}
	return err
}

// putSketch stores serialised sketches under key: the columns, then the
// header, in as few PutRangeSketches calls as sketchCallBytes allows — one
// for the few columns of a table, where it took a PutRangeSketch call per
// column and the header, one after the other, as the copy ended — the
// header in the last call.
func (a *Activities) putSketch(ctx context.Context, key *mgmt.RangeSketchKey, header []byte, columns map[string][]byte) error {
	var call []*mgmt.RangeSketchPart
	size := 0
	send := func() error {
		if len(call) == 0 {
			return nil
		}
		_, err := a.API.Worker.PutRangeSketches(ctx, connect.NewRequest(&mgmt.PutRangeSketchesRequest{Sketches: []*mgmt.RangeSketches{{Range: key, Parts: call}}}))
		if err != nil {
			var names []string
			for _, p := range call {
				names = append(names, cmp.Or(p.GetPart(), "(header)"))
			}
			err = fmt.Errorf("columns %s: %w", strings.Join(names, ", "), err)
		}
		call, size = nil, 0
		return err
	}
	add := func(part string, b []byte) error {
		if size > 0 && size+len(b) > sketchCallBytes {
			if err := send(); err != nil {
				return err
			}
		}
		call, size = append(call, &mgmt.RangeSketchPart{Part: part, Sketch: b}), size+len(b)
		return nil
	}
	for _, col := range slices.Sorted(maps.Keys(columns)) {
		if err := add(col, columns[col]); err != nil {
			return err
		}
	}
	if err := add("", header); err != nil {
		return err
	}
	return send()
}

// getSketch fetches and restores the sketches stored under key; nil
// without error when they are not (all) stored.
func (a *Activities) getSketch(ctx context.Context, key *mgmt.RangeSketchKey, seed leakscan.Seed) (*leakscan.Table, error) {
	resp, err := a.API.Worker.GetRangeSketch(ctx, connect.NewRequest(&mgmt.GetRangeSketchRequest{Range: key}))
	if err != nil {
		return nil, err
	}
	var header []byte
	columns := map[string][]byte{}
	for _, p := range resp.Msg.GetParts() {
		if p.GetPart() == "" {
			header = p.GetSketch()
		} else {
			columns[p.GetPart()] = p.GetSketch()
		}
	}
	if header == nil {
		return nil, nil
	}
	t, err := leakscan.UnmarshalTableParts(header, columns, seed)
	if errors.Is(err, leakscan.ErrMissingPart) {
		return nil, nil
	}
	return t, err
}

// restoreSketch gives cp, the checkpoint a copy of table (rng nil: the
// whole table) into destination dest resumes from, the sketches stored
// for it (Checkpoint.Sketches), so the resumed copy continues them. When
// none are stored it says so in a run event: the resumed copy then keeps
// no sketch and the table's leak scan re-reads a sample of the source.
func (a *Activities) restoreSketch(ctx context.Context, runID, dest string, table sqlschema.TableName, rng *sqlsync.KeyRange, seed leakscan.Seed, cp *sqlsync.Checkpoint) {
	if cp == nil || cp.Done || (cp.Rows == 0 && len(cp.Key) == 0) {
		return
	}
	t, err := a.getSketch(ctx, rangeSketchKey(runID, dest, table, rangeIndex(rng), checkpointTag(*cp)), seed)
	if err == nil && t != nil {
		cp.Sketches = t
		return
	}
	why := "none was stored for it (the worker stopped between a commit and the store of its sketches)"
	if err != nil {
		why = err.Error()
	}
	what := table.String()
	if rng != nil {
		what += " " + rng.String()
	}
	a.event(ctx, runID, "warn", fmt.Sprintf("%s resumes after %d rows without the leak sketches of those rows: %s; its leak scan will re-read a sample of the source", what, cp.Rows, why), &table)
}

// sketchSaver stores a copy's checkpoint sketches (see above) and then
// heartbeats their checkpoint through beat. Its goroutine runs until
// stop.
type sketchSaver struct {
	a      *Activities
	ctx    context.Context
	runID  string
	dests  []string // the destinations whose key the sketches are stored under
	table  sqlschema.TableName
	rng    *sqlsync.KeyRange
	beat   func(sqlsync.Checkpoint)
	every  time.Duration
	keep   int
	leaks  atomic.Pointer[syncdriver.Leaks]
	stored []string // tags stored, oldest first
	done   chan struct{}
	wg     sync.WaitGroup
	warned bool
}

// newSketchSaver starts the saver of a copy of table (rng nil: the
// whole table) into dests.
func (a *Activities) newSketchSaver(ctx context.Context, runID string, dests []string, table sqlschema.TableName, rng *sqlsync.KeyRange, beat func(sqlsync.Checkpoint)) *sketchSaver {
	// One store per heartbeat interval (a third of the timeout, 1 to
	// 10 s).
	hb := activity.GetInfo(ctx).HeartbeatTimeout
	every := heartbeatEvery(hb)
	// Temporal may hold a checkpoint heartbeated up to 0.8 heartbeat
	// timeouts ago (the SDK throttles heartbeats): keep the sketches of
	// the checkpoints stored since, and one more.
	keep := 2 + int(hb*8/10/every)
	s := &sketchSaver{a: a, ctx: ctx, runID: runID, dests: dests, table: table, rng: rng, beat: beat, every: every, keep: keep, done: make(chan struct{})}
	s.wg.Add(1)
	go s.loop()
	return s
}

// progress takes a copy's progress: while the copy keeps sketches the
// saver heartbeats its checkpoints once stored; otherwise the checkpoint
// is heartbeated at once.
func (s *sketchSaver) progress(p sqlsync.Progress) {
	if p.Leaks == nil {
		s.beat(p.Checkpoint)
		return
	}
	s.leaks.CompareAndSwap(nil, p.Leaks)
}

func (s *sketchSaver) loop() {
	defer s.wg.Done()
	t := time.NewTicker(s.every)
	defer t.Stop()
	last := ""
	for {
		select {
		case <-s.done:
			return
		case <-s.ctx.Done():
			return
		case <-t.C:
		}
		l := s.leaks.Load()
		cp, header, columns, ok := l.Committed()
		if !ok {
			continue
		}
		tag := checkpointTag(cp)
		if tag == last {
			continue
		}
		last = tag
		if err := s.store(tag, header, columns); err != nil {
			if !s.warned {
				s.warned = true
				s.a.event(s.ctx, s.runID, "warn", fmt.Sprintf("the leak sketches of %s at a checkpoint could not be stored (%v); if the copy is resumed, its leak scan will re-read a sample of the source", s.table, err), &s.table)
			}
		}
		s.beat(cp) // stored or not: the checkpoint itself must not be lost
	}
}

// store stores one checkpoint's sketches under every destination and
// forgets those older than the last keep.
func (s *sketchSaver) store(tag string, header []byte, columns map[string][]byte) error {
	for _, d := range s.dests {
		if err := s.a.putSketch(s.ctx, rangeSketchKey(s.runID, d, s.table, rangeIndex(s.rng), tag), header, columns); err != nil {
			return err
		}
	}
	s.stored = append(s.stored, tag)
	for len(s.stored) > s.keep {
		s.forget(s.stored[0])
		s.stored = s.stored[1:]
	}
	return nil
}

// forget deletes one checkpoint's sketches (best effort: the run's end
// deletes what is left).
func (s *sketchSaver) forget(tag string) {
	for _, d := range s.dests {
		_, _ = s.a.API.Worker.DeleteRangeSketch(s.ctx, connect.NewRequest(&mgmt.DeleteRangeSketchRequest{Range: rangeSketchKey(s.runID, d, s.table, rangeIndex(s.rng), tag)}))
	}
}

// stop ends the saver; with finished set (the copy is complete and its
// final sketches stored) it forgets the checkpoints' sketches.
func (s *sketchSaver) stop(finished bool) {
	close(s.done)
	s.wg.Wait()
	if finished {
		s.forgetStored()
	}
}

// forgetStored forgets the checkpoints' sketches the stopped saver stored
// (its copy's final sketches are stored).
func (s *sketchSaver) forgetStored() {
	for _, tag := range s.stored {
		s.forget(tag)
	}
	s.stored = nil
}

// errNoRangeSketch marks a range whose sketches were not (all) stored.
var errNoRangeSketch = errors.New("no complete leak sketch stored")

// rangeLeaks fetches and merges the sketches of every range of table. It
// returns errNoRangeSketch (wrapped) when a range has none.
func (a *Activities) rangeLeaks(ctx context.Context, in VerifyInput, seed leakscan.Seed, rt RangedTable) (map[string]leakscan.Result, *leakscan.RowCount, error) {
	merged := &leakscan.Table{}
	missing := 0
	for i := range rt.Ranges {
		t, err := a.getSketch(ctx, rangeSketchKey(in.JobRunID, in.DestinationName, rt.Name, i, ""), seed)
		if t == nil && err == nil {
			missing++
			continue
		}
		if err != nil {
			return nil, nil, fmt.Errorf("the leak sketches of %s range %d: %w", rt.Name, i, err)
		}
		if err := merged.Merge(t); err != nil {
			return nil, nil, fmt.Errorf("the leak sketches of %s range %d: %w", rt.Name, i, err)
		}
	}
	if missing > 0 {
		return nil, nil, fmt.Errorf("%w for %d of %d key ranges of %s", errNoRangeSketch, missing, rt.Ranges, rt.Name)
	}
	return merged.Results(), merged.Reidentified(), nil
}

// wholeLeaks fetches the sketches of table, copied in one piece by
// another worker; nil results when none are stored.
func (a *Activities) wholeLeaks(ctx context.Context, in VerifyInput, seed leakscan.Seed, table sqlschema.TableName) (map[string]leakscan.Result, *leakscan.RowCount, error) {
	t, err := a.getSketch(ctx, rangeSketchKey(in.JobRunID, in.DestinationName, table, wholeTable, ""), seed)
	if err != nil || t == nil {
		if err != nil {
			err = fmt.Errorf("the leak sketches of %s: %w", table, err)
		}
		return nil, nil, err
	}
	return t.Results(), t.Reidentified(), nil
}

// copyLeaks sets o's leak scans and re-identification counts to what the
// copies measured: this worker's run cache for the whole tables it
// copied, the API for the others' and for every key range (merged). A
// table whose copy left no sketch is left out — Verify re-reads a sample
// of it — and a run event says so.
func (a *Activities) copyLeaks(ctx context.Context, in VerifyInput, plan *syncplan.Plan, seed leakscan.Seed, o *sqlsync.VerifyOptions) error {
	o.Leaks, o.Reidentified = a.runs.leaksOf(in.JobRunID, in.Destination)
	use := func(table sqlschema.TableName, leaks map[string]leakscan.Result, reid *leakscan.RowCount) {
		if o.Leaks == nil {
			o.Leaks = map[sqlschema.TableName]map[string]leakscan.Result{}
		}
		o.Leaks[table] = leaks
		if reid != nil {
			if o.Reidentified == nil {
				o.Reidentified = map[sqlschema.TableName]leakscan.RowCount{}
			}
			o.Reidentified[table] = *reid
		}
	}
	ranged := map[sqlschema.TableName]bool{}
	for _, rt := range in.Ranged {
		ranged[rt.Name] = true
		leaks, reid, err := a.rangeLeaks(ctx, in, seed, rt)
		if errors.Is(err, errNoRangeSketch) {
			a.event(ctx, in.JobRunID, "info", fmt.Sprintf("the leak scan of %s re-reads a sample of the source: %v (a range resumed from a checkpoint without the sketches of its rows, or its sketches could not be stored)", rt.Name, err), &rt.Name)
			continue
		}
		if err != nil {
			return err
		}
		use(rt.Name, leaks, reid)
	}
	// Whole tables copied by another worker (or before this worker
	// restarted): their sketches are with the API.
	for _, t := range plan.Tables {
		// A column an update pass writes is not the copy's to sketch
		// (updateLeaks).
		copied := slices.ContainsFunc(t.Columns, func(c syncplan.Column) bool { return c.Action == syncplan.ActionTransform && !c.Deferred })
		if ranged[t.Name] || o.Leaks[t.Name] != nil || !copied {
			continue
		}
		leaks, reid, err := a.wholeLeaks(ctx, in, seed, t.Name)
		if err != nil {
			return err
		}
		if leaks == nil {
			a.event(ctx, in.JobRunID, "info", fmt.Sprintf("the leak scan of %s re-reads a sample of the source: its copy stored no leak sketch (it was resumed without the sketches of its checkpoint, or they could not be stored)", t.Name), &t.Name)
			continue
		}
		use(t.Name, leaks, reid)
	}
	return nil
}
