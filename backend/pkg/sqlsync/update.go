package sqlsync

import (
	"context"
	"fmt"

	"github.com/neosyncio/neosync/backend/pkg/syncplan"
)

// RunUpdatePasses fills in the deferred foreign keys once every table is
// loaded: for each table with deferred keys it reads the table's key and
// those columns from the source (same filter, same transformers as the
// copy), and sets them on the destination rows with the same key — but
// only where the referenced row exists in the destination, so a subset
// never gains a dangling reference (the column stays NULL instead). It is
// idempotent, so a crashed pass is simply run again.
func (e *Engine) RunUpdatePasses(ctx context.Context, plan *syncplan.Plan, src Source, dst Destination) error {
	if err := sameDriver(src.DB, dst.DB); err != nil {
		return err
	}
	dst, err := e.resolve(ctx, plan, src.DB, dst)
	if err != nil {
		return err
	}
	for i := range plan.Tables {
		t := &plan.Tables[i]
		if len(t.Deferred()) == 0 {
			continue
		}
		err := driverOf(dst.DB).UpdatePass(ctx, e.tableJob(plan, t, src, dst, nil))
		if err != nil {
			return fmt.Errorf("sqlsync: update pass of %s: %w", t.Name, err)
		}
	}
	return nil
}
