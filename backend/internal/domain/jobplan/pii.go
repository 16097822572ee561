package jobplan

import (
	"context"
	"time"

	"github.com/neosyncio/neosync/backend/pkg/sqlschema"
	"github.com/neosyncio/neosync/backend/pkg/sqlsync"
	"github.com/neosyncio/neosync/backend/pkg/syncplan"
)

// piiBudget bounds the time the plan view spends sampling, so the plan of a
// schema of thousands of tables still comes back promptly; tables not
// reached are named in one warning.
const piiBudget = 10 * time.Second

// passthroughPIIWarnings samples every table that has a column copied
// unchanged (passthrough, mapped or not) — the check a run's report makes
// (sqlsync.CheckPassthroughPII) — and returns one warning per such column
// the PII scanner flags, naming the kind, the evidence and the suggested
// transformer, and one warning for the tables it could not check (not
// reached within budget, or not readable); it never fails the plan.
func passthroughPIIWarnings(ctx context.Context, insp sqlschema.Inspector, p *syncplan.Plan, budget time.Duration) []string {
	check := sqlsync.CheckPassthroughPII(ctx, insp, p, budget)
	var warnings []string
	for _, c := range check.Columns {
		warnings = append(warnings, c.Message())
	}
	if msg := check.Incomplete(); msg != "" {
		warnings = append(warnings, msg)
	}
	return warnings
}
