package sqlsync

import (
	"context"
	"fmt"

	"github.com/neosyncio/neosync/backend/pkg/syncplan"
)

// PrepareDestination readies dst for the copy, per its options. With
// InitSchema it creates what is missing — schemas (MySQL: databases),
// PostgreSQL enums, domains and sequences, then the tables with their
// columns, defaults, identity and generated columns and check constraints
// — but leaves primary keys, unique constraints, indexes and foreign keys
// to Finalize, because loading into a bare table and building them once
// is faster (with OnConflict the keys are created now: the merge needs
// them). With Truncate it empties every copied table: one TRUNCATE of all
// of them on PostgreSQL (CASCADE with TruncateCascade), children first
// with foreign key checks off on MySQL. It is idempotent.
func (e *Engine) PrepareDestination(ctx context.Context, plan *syncplan.Plan, dst Destination) error {
	dst, reach, err := e.checkDestination(ctx, plan, dst, "prepare destination")
	if err != nil {
		return err
	}
	// Said once, when the tables are emptied (CheckDestination only looks).
	for _, t := range syncplan.ReachedTables(reach) {
		e.Logger.WarnContext(ctx, "truncate_cascade empties a table outside the job",
			"destination", dst.Name, "table", t.String())
	}
	if dst.Logger == nil {
		dst.Logger = e.Logger
	}
	err = driverOf(dst.DB).Prepare(ctx, plan, dst, reach)
	if err != nil {
		return fmt.Errorf("sqlsync: prepare destination %s: %w", dst.Name, err)
	}
	return nil
}

// CheckDestination makes the checks PrepareDestination makes before it
// writes, without writing: dst is not the source (*SameDatabaseError), its
// options are valid, and with Truncate no table outside the job is
// reached without TruncateCascade (*TruncateCascadeError). A run into
// several destinations checks them all first, so that a refusal of one
// comes before another is emptied.
func (e *Engine) CheckDestination(ctx context.Context, plan *syncplan.Plan, dst Destination) error {
	_, _, err := e.checkDestination(ctx, plan, dst, "check destination")
	return err
}

// checkDestination is CheckDestination for step (which names it in an
// error): it returns dst resolved and, with Truncate, the references
// through which the truncate reaches tables outside the job.
func (e *Engine) checkDestination(ctx context.Context, plan *syncplan.Plan, dst Destination, step string) (Destination, []syncplan.Reference, error) {
	dst, err := e.resolve(ctx, plan, nil, dst)
	if err != nil {
		return dst, nil, err
	}
	if err := dst.Options.Validate(); err != nil {
		return dst, nil, fmt.Errorf("sqlsync: destination %s: %w", dst.Name, err)
	}
	var reach []syncplan.Reference
	if dst.Options.Truncate {
		if reach, err = e.checkTruncateReach(ctx, plan, dst); err != nil {
			return dst, nil, fmt.Errorf("sqlsync: %s %s: %w", step, dst.Name, err)
		}
	}
	return dst, reach, nil
}
