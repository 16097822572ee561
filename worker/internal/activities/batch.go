package activities

import (
	"bytes"
	"context"
	"encoding/json"
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
	// WithRead asks for the source rows each copy read too
	// (BatchResult.Read); a workflow recorded before it does not ask.
	WithRead bool `json:"with_read,omitempty"`
}

// BatchBeat is a batch's heartbeat: the rows each table's copy committed
// (-1 while not done), the source rows each done copy read (see
// BatchResult.Read) and the checkpoint of the table being copied.
type BatchBeat struct {
	Done    []int64             `json:"done"`
	Read    []int64             `json:"read,omitempty"`
	Current *sqlsync.Checkpoint `json:"current,omitempty"`
}

// BatchResult is what a batch of small tables copied, in the batch's
// order (see CopiedRows; a batch has no ranges to recount).
type BatchResult = CopiedRows

// CopiedRows is what a group of tables copied — a batch of small tables
// (SyncTableBatch, FanOutBatch) or a chunk of a run's tables (the
// workflows' DataSyncTables) — in its order: the rows each copy committed
// (Copied) and, when asked (BatchInput.WithRead), the source rows each
// read for Verify (Read, Recount with table indexes into the group; see
// VerifyInput): its rows when it read its table whole in one attempt
// (sqlsync.Checkpoint.WholeRead), else -1. Without Read it is encoded as
// the list of Copied alone, the result recorded before Read existed,
// which it also decodes.
type CopiedRows struct {
	Copied  []int64
	Read    []int64
	Recount []RangeRecount
}

// copiedRowsJSON is the encoded form of CopiedRows with Read.
type copiedRowsJSON struct {
	Copied  []int64        `json:"copied"`
	Read    []int64        `json:"read"`
	Recount []RangeRecount `json:"recount,omitempty"`
}

// MarshalJSON encodes r (see CopiedRows).
func (r CopiedRows) MarshalJSON() ([]byte, error) {
	if r.Read == nil {
		return json.Marshal(r.Copied)
	}
	return json.Marshal(copiedRowsJSON(r))
}

// UnmarshalJSON decodes either form of CopiedRows.
func (r *CopiedRows) UnmarshalJSON(b []byte) error {
	if t := bytes.TrimSpace(b); len(t) > 0 && t[0] == '[' {
		*r = CopiedRows{}
		return json.Unmarshal(t, &r.Copied)
	}
	var j copiedRowsJSON
	if err := json.Unmarshal(b, &j); err != nil {
		return err
	}
	*r = CopiedRows(j)
	return nil
}

// result is what the batch returns for in, once every table is done.
func (b BatchBeat) result(in BatchInput) *BatchResult {
	out := &BatchResult{Copied: b.Done}
	if in.WithRead {
		out.Read = b.Read
	}
	return out
}

// noRows returns n counts of -1 (not done, unknown).
func noRows(n int) []int64 {
	out := make([]int64, n)
	for i := range out {
		out[i] = -1
	}
	return out
}

// SyncTableBatch copies a batch of small tables and returns the rows each
// copy committed and read, in the batch's order.
func (a *Activities) SyncTableBatch(ctx context.Context, in BatchInput) (*BatchResult, error) {
	beat := BatchBeat{Done: noRows(len(in.Tables)), Read: noRows(len(in.Tables))}
	if activity.HasHeartbeatDetails(ctx) {
		var last BatchBeat
		if err := activity.GetHeartbeatDetails(ctx, &last); err == nil && len(last.Done) == len(in.Tables) {
			beat = last
			if len(beat.Read) != len(in.Tables) {
				beat.Read = noRows(len(in.Tables))
			}
		}
	}
	if info := activity.GetInfo(ctx); info.Attempt > 1 {
		a.event(ctx, in.JobRunID, "warn", fmt.Sprintf("resuming a batch of %d small tables with %d done (attempt %d); the previous attempt ended: %s",
			len(in.Tables), doneCount(beat.Done), info.Attempt, a.previousAttempt(ctx)), nil)
	}
	h := keepAlive(ctx, beat)
	defer h.Stop()
	// The tables whose final sketches wait in finals are recorded done
	// once they are stored (see finalSketches).
	finals := a.newFinalSketches(ctx, in.JobRunID)
	waiting := map[int]int64{}
	waitingRead := map[int]int64{} // the source rows of those read whole
	// record stores the queue and records its tables done; after a
	// failure (failed set) the checkpoint of the table that failed stays
	// in the heartbeat, for the retry to resume from.
	record := func(failed bool) {
		_ = finals.store() // a failure is a run event
		for i, n := range waiting {
			beat.Done[i] = n
		}
		for i, n := range waitingRead {
			beat.Read[i] = n
		}
		clear(waiting)
		clear(waitingRead)
		if !failed {
			beat.Current = nil
		}
		h.set(BatchBeat{Done: slices.Clone(beat.Done), Read: slices.Clone(beat.Read), Current: beat.Current})
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
			cp = retryFrom(ctx, cp, t, nil)
			out, err := a.copyTable(ctx, in.StepInput, plan, t, src, dst, cp, func(c sqlsync.Checkpoint) {
				beat.Current = &c
				h.set(BatchBeat{Done: slices.Clone(beat.Done), Read: slices.Clone(beat.Read), Current: beat.Current})
			}, finals)
			if err != nil {
				return batchError(t, err)
			}
			waiting[i] = out.Rows
			if out.WholeRead {
				waitingRead[i] = out.Rows
			}
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
	return beat.result(in), nil
}

// redoneExactly reports whether copying table t again from its start,
// after its copy committed but before that was recorded, leaves its rows
// exact in a destination with options o: everything but a table without a
// key appended to (see the sqlsync package's resume rules).
func redoneExactly(plan *syncplan.Plan, t sqlschema.TableName, o syncplan.DestinationOptions) bool {
	pt := plan.Table(t)
	return pt != nil && (pt.Resume == syncplan.ResumeKeyed || o.Owns())
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
