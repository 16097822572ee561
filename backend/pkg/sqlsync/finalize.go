package sqlsync

import (
	"context"
	"fmt"

	"github.com/neosyncio/neosync/backend/pkg/sqlsync/syncdriver"
	"github.com/neosyncio/neosync/backend/pkg/syncplan"
)

// Finalize completes dst after every table and update pass: with
// InitSchema it adds the primary keys, unique and exclusion constraints,
// indexes and foreign keys the destination lacks; on PostgreSQL it moves
// every sequence behind a serial or identity column past the largest
// value loaded, so the application's next insert does not collide.
// (InnoDB's AUTO_INCREMENT already moves past explicit values.)
//
// It adds only what is missing: an object the destination already has
// under the same name with the same definition is kept (a retried
// Finalize after a partial attempt, or one whose predecessor added the
// object while this one was waiting, never fails with "already exists"),
// a foreign key left NOT VALID is validated. So it is idempotent.
//
// It is all-or-nothing from the user's point of view: when an object
// cannot be built (a duplicated value under a unique key, an orphan
// under a foreign key), Finalize goes on and builds every other one —
// primary keys, unique constraints and unique indexes first, then foreign
// keys, then the other indexes — and then returns a *FinalizeError that
// lists each missing object with the reason, the offending rows' count
// and an example key. Retrying does not help until the data is fixed, so
// callers treat a *FinalizeError as permanent; any other error (the
// connection lost, the statement canceled) is worth a retry.
func (e *Engine) Finalize(ctx context.Context, plan *syncplan.Plan, dst Destination) error {
	return e.finalize(ctx, plan, dst, false)
}

// Restore puts back, after a run that stopped before Finalize (failed,
// canceled, terminated), every key, index and foreign key of the plan
// that the destination lacks — those PrepareDestination dropped for the
// load and those InitSchema left for Finalize — and resets the sequences,
// so a stopped run never leaves its destination without keys. It is
// Finalize in best-effort mode: tables that do not exist (PrepareDestination
// never ran, or stopped before creating them) are skipped, and objects
// that cannot be built over the rows present (an incomplete copy leaves
// orphans) are reported, not fatal: it builds every other one and
// returns a *FinalizeError listing the missing, nil when nothing is
// missing, and another error only when it could not run at all. It is
// safe at any point of a run and idempotent. A caller whose context was
// canceled must give it a fresh one (context.WithoutCancel and a
// deadline).
func (e *Engine) Restore(ctx context.Context, plan *syncplan.Plan, dst Destination) error {
	return e.finalize(ctx, plan, dst, true)
}

func (e *Engine) finalize(ctx context.Context, plan *syncplan.Plan, dst Destination, restore bool) error {
	dst, err := e.resolve(ctx, plan, nil, dst)
	if err != nil {
		return err
	}
	run := syncdriver.NewFinalizeRun(dst, restore)
	if err := driverOf(dst.DB).Finalize(ctx, plan, run); err != nil {
		return fmt.Errorf("sqlsync: %s destination %s: %w", run.Verb(), dst.Name, err)
	}
	if len(run.Missing) > 0 {
		e.Logger.WarnContext(ctx, "constraints missing after "+run.Verb(), "destination", dst.Name, "missing", len(run.Missing))
		return &FinalizeError{Destination: dst.Name, Restore: restore, Total: run.Total, Missing: run.Missing}
	}
	return nil
}
