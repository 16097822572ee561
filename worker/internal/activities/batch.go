package activities

import (
	"context"
	"errors"
	"fmt"
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
// of its tables are done and the checkpoint of the one it is on; a retry
// skips the done ones and resumes the current one.

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
	err := a.withDBs(ctx, in.StepInput, func(plan *syncplan.Plan, src sqlsync.Source, dst sqlsync.Destination) error {
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
				h.set(beat)
			})
			if err != nil {
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
			beat.Done[i], beat.Current = out.Rows, nil
			h.set(beat)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return beat.Done, nil
}

// tableMessage is err's message prefixed with the table once (the engine's
// own "sqlsync: table x: " prefix is dropped).
func tableMessage(t sqlschema.TableName, err error) string {
	where := "table " + t.String()
	return where + ": " + strings.TrimPrefix(RootMessage(err), "sqlsync: "+where+": ")
}
