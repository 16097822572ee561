package activities

import (
	"context"
	"fmt"
	"strings"

	"connectrpc.com/connect"
	"go.temporal.io/sdk/activity"

	mgmt "github.com/neosyncio/neosync/backend/gen/go/protos/mgmt/v1alpha1"
	"github.com/neosyncio/neosync/backend/pkg/leakscan"
	"github.com/neosyncio/neosync/backend/pkg/sqlschema"
	"github.com/neosyncio/neosync/backend/pkg/sqlsync"
	"github.com/neosyncio/neosync/backend/pkg/syncplan"
)

// The copy writes a foreign key that breaks a cycle NULL; the update pass
// writes it afterwards, reading and transforming it as the copy would, and
// sketches the transformed ones (sqlsync.Engine.RunUpdatePasses). The
// update-pass activity stores those sketches with the API under the
// table's range updatePass — apart from the copy's sketches of the same
// table — hashed with the run's seed, and Verify, on whichever worker,
// fetches them (copyLeaks) and reports those columns' leak scans from
// them instead of re-reading the source. An update pass keeps no
// checkpoint: a retried activity runs every pass again and measures the
// sketches again, after forgetting what an earlier attempt stored, so the
// stored sketches are always those of the values last written. When they
// cannot be stored, a run event says so and Verify re-reads a sample of
// those columns.

// updatePass is the range index of a table's update-pass sketches (the
// API's run.UpdatePass).
const updatePass = -2

// updatePassTables are the tables of plan whose update pass sketches
// columns.
func updatePassTables(plan *syncplan.Plan) []*syncplan.Table {
	var out []*syncplan.Table
	for i := range plan.Tables {
		if len(sqlsync.UpdatePassSketched(&plan.Tables[i])) > 0 {
			out = append(out, &plan.Tables[i])
		}
	}
	return out
}

// runUpdatePasses runs the update passes of destination in.Destination
// and stores their sketches (see above).
func (a *Activities) runUpdatePasses(ctx context.Context, in StepInput, plan *syncplan.Plan, src sqlsync.Source, dst sqlsync.Destination) error {
	if activity.GetInfo(ctx).Attempt > 1 {
		for _, t := range updatePassTables(plan) {
			_, err := a.API.Worker.DeleteRangeSketch(ctx, connect.NewRequest(&mgmt.DeleteRangeSketchRequest{Range: rangeSketchKey(in.JobRunID, in.DestinationName, t.Name, updatePass, "")}))
			if err != nil {
				return apiError(fmt.Sprintf("forget the update-pass leak sketches of %s's earlier attempt", t.Name), err)
			}
		}
	}
	sketches, err := a.Engine.RunUpdatePasses(ctx, plan, src, dst)
	if err != nil {
		return err
	}
	var failed []string
	var first error
	for _, t := range updatePassTables(plan) {
		sk := sketches[t.Name]
		if sk == nil {
			continue
		}
		header, columns := sk.MarshalParts()
		if err := a.putSketch(ctx, rangeSketchKey(in.JobRunID, in.DestinationName, t.Name, updatePass, ""), header, columns); err != nil {
			failed, first = append(failed, t.Name.String()), cmpErr(first, err)
		}
	}
	if first != nil {
		a.event(ctx, in.JobRunID, "warn", fmt.Sprintf("the update-pass leak sketches of %s could not be stored (%v); the leak scans of their foreign keys will re-read a sample of the source",
			strings.Join(failed, ", "), first), nil)
	}
	return nil
}

// updateLeaks adds to o the leak scans of the columns the update passes
// of in's destination wrote, from the sketches they stored; a table whose
// update pass stored none is left to a re-read of a sample, and a run
// event says so.
func (a *Activities) updateLeaks(ctx context.Context, in VerifyInput, plan *syncplan.Plan, seed leakscan.Seed, o *sqlsync.VerifyOptions) error {
	for _, t := range updatePassTables(plan) {
		sk, err := a.getSketch(ctx, rangeSketchKey(in.JobRunID, in.DestinationName, t.Name, updatePass, ""), seed)
		if err != nil {
			return fmt.Errorf("the update-pass leak sketches of %s: %w", t.Name, err)
		}
		if sk == nil {
			a.event(ctx, in.JobRunID, "info", fmt.Sprintf("the leak scan of %s (%s) re-reads a sample of the source: its update pass stored no leak sketch",
				t.Name, strings.Join(sqlsync.UpdatePassSketched(t), ", ")), &t.Name)
			continue
		}
		o.Leaks = sqlsync.UpdateLeaksOf(o.Leaks, map[sqlschema.TableName]*leakscan.Table{t.Name: sk})
	}
	return nil
}
