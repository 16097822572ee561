package activities

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/temporal"

	"github.com/neosyncio/neosync/backend/pkg/sqlschema"
	"github.com/neosyncio/neosync/backend/pkg/sqlsync"
	"github.com/neosyncio/neosync/backend/pkg/syncplan"
)

// Small tables are copied in batches: one activity copies several of them
// one after the other over one pair of connections, so a schema of
// thousands of small tables does not pay an activity's scheduling, its
// connections and its history events per table. A batch heartbeats which
// of its tables are done (once their final leak sketches are stored, see
// finalSketches) and the checkpoint of the one it is on; a retry skips the
// done ones and resumes the current one.

// BatchInput addresses a batch of small tables of one destination, in
// write order.
type BatchInput struct {
	StepInput
	Tables []sqlschema.TableName `json:"tables"`
}

// BatchBeat is a batch's heartbeat: the rows each table's copy committed
// (-1 while not done) and the checkpoint of the table being copied.
type BatchBeat struct {
	Done    []int64             `json:"done"`
	Current *sqlsync.Checkpoint `json:"current,omitempty"`
}

// SyncTableBatch copies a batch of small tables and returns the rows each
// copy committed, in the batch's order.
func (a *Activities) SyncTableBatch(ctx context.Context, in BatchInput) ([]int64, error) {
	beat := BatchBeat{Done: make([]int64, len(in.Tables))}
	for i := range beat.Done {
		beat.Done[i] = -1
	}
	if activity.HasHeartbeatDetails(ctx) {
		var last BatchBeat
		if err := activity.GetHeartbeatDetails(ctx, &last); err == nil && len(last.Done) == len(in.Tables) {
			beat = last
		}
	}
	if info := activity.GetInfo(ctx); info.Attempt > 1 {
		done := 0
		for _, n := range beat.Done {
			if n >= 0 {
				done++
			}
		}
		a.event(ctx, in.JobRunID, "warn", fmt.Sprintf("resuming a batch of %d small tables with %d done (attempt %d); the previous attempt ended: %s",
			len(in.Tables), done, info.Attempt, a.previousAttempt(ctx)), nil)
	}
	h := keepAlive(ctx, beat)
	defer h.Stop()
	// The tables whose final sketches wait in finals are recorded done
	// once they are stored (see finalSketches).
	finals := a.newFinalSketches(ctx, in.JobRunID)
	waiting := map[int]int64{}
	// record stores the queue and records its tables done; after a
	// failure (failed set) the checkpoint of the table that failed stays
	// in the heartbeat, for the retry to resume from.
	record := func(failed bool) {
		_ = finals.store() // a failure is a run event
		for i, n := range waiting {
			beat.Done[i] = n
		}
		clear(waiting)
		if !failed {
			beat.Current = nil
		}
		h.set(BatchBeat{Done: slices.Clone(beat.Done), Current: beat.Current})
	}
	err := a.withDBs(ctx, in.StepInput, func(plan *syncplan.Plan, src sqlsync.Source, dst sqlsync.Destination) error {
		defer func() {
			if len(waiting) > 0 {
				record(true) // the tables done before a failure stay done
			}
		}()
		for i, t := range in.Tables {
			if beat.Done[i] >= 0 {
				continue
			}
			var cp *sqlsync.Checkpoint
			if beat.Current != nil && beat.Current.Table == t {
				cp = beat.Current
				a.restoreSketch(ctx, in.JobRunID, in.DestinationName, t, nil, src.Seed, cp)
			}
			out, err := a.copyTable(ctx, in.StepInput, plan, t, src, dst, cp, func(c sqlsync.Checkpoint) {
				beat.Current = &c
				h.set(BatchBeat{Done: slices.Clone(beat.Done), Current: beat.Current})
			}, finals)
			if err != nil {
				return batchError(t, err)
			}
			waiting[i] = out.Rows
			if !finals.queued() || finals.due() || !redoneExactly(plan, t, dst.Options) {
				record(false)
			}
		}
		if len(waiting) > 0 {
			record(false)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return beat.Done, nil
}

// redoneExactly reports whether copying table t again from its start,
// after its copy committed but before that was recorded, leaves its rows
// exact in a destination with options o: everything but a table without a
// key appended to (see the sqlsync package's resume rules).
func redoneExactly(plan *syncplan.Plan, t sqlschema.TableName, o syncplan.DestinationOptions) bool {
	pt := plan.Table(t)
	return pt != nil && (pt.Resume == syncplan.ResumeKeyed || o.Truncate || o.InitSchema)
}

// batchError is the error of a batch that failed on table t: err's
// message prefixed with the table, non-retryable when err is.
func batchError(t sqlschema.TableName, err error) error {
	if isNonRetryable(err) {
		var typ string
		var ae *temporal.ApplicationError
		if errors.As(err, &ae) {
			typ = ae.Type()
		}
		return temporal.NewNonRetryableApplicationError(tableMessage(t, err), typ, nil)
	}
	return errors.New(tableMessage(t, err))
}

// tableMessage is err's message prefixed with the table once (the engine's
// own "sqlsync: table x: " prefix is dropped).
func tableMessage(t sqlschema.TableName, err error) string {
	where := "table " + t.String()
	return where + ": " + strings.TrimPrefix(RootMessage(err), "sqlsync: "+where+": ")
}
