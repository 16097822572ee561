package sqlsync

import (
	"context"
	"github.com/neosyncio/neosync/backend/pkg/syncplan"
)

// Step is one step of a sync into one destination. Steps lists them in
// the order every run follows.
type Step string

// The steps of a sync into one destination.
const (
	// StepPrepare is PrepareDestination: create what is missing, truncate.
	StepPrepare Step = "prepare"
	// StepTables copies every table, parents first (SyncTables, or
	// LoadTables from a RowSource).
	StepTables Step = "tables"
	// StepUpdatePasses fills in the foreign keys that break cycles
	// (RunUpdatePasses, or StreamUpdatePasses).
	StepUpdatePasses Step = "update passes"
	// StepFinalize builds the keys, indexes and foreign keys left for after
	// the data, and moves sequences (Finalize).
	StepFinalize Step = "finalize"
	// StepVerify builds the Report (Verify, or VerifyStream).
	StepVerify Step = "verify"
)

// Steps returns the run sequence: prepare → tables → update passes →
// finalize → verify. Engine.Run and Engine.RunStream run it in process
// (runSequence); the worker's DataSync workflow walks the same list, one
// activity per step (the tables fanned out), so that each step can be
// retried alone.
func Steps() []Step {
	return []Step{StepPrepare, StepTables, StepUpdatePasses, StepFinalize, StepVerify}
}

// RestoresOnFailure reports whether a run that fails in step s (or is
// canceled during it) puts the destination's keys, indexes and foreign
// keys back (Engine.Restore) before it stops: every step before Finalize,
// since those may run on a destination whose keys PrepareDestination
// dropped for the load. Finalize is itself what would restore them, and
// Verify only reads.
func (s Step) RestoresOnFailure() bool {
	return s == StepPrepare || s == StepTables || s == StepUpdatePasses
}

// sequence holds what each step of one destination's run does.
type sequence map[Step]func(context.Context) error

// runSequence runs the steps of seq into dst in the order of Steps; when
// a step that RestoresOnFailure fails, dst is restored (restoreAfter)
// before the error is returned.
func (e *Engine) runSequence(ctx context.Context, plan *syncplan.Plan, dst Destination, seq sequence) error {
	for _, s := range Steps() {
		if err := seq[s](ctx); err != nil {
			if s.RestoresOnFailure() {
				return e.restoreAfter(ctx, plan, dst, err)
			}
			return err
		}
	}
	return nil
}
