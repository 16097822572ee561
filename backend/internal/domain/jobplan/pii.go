package jobplan

import (
	"context"
	"fmt"
	"time"

	"github.com/neosyncio/neosync/backend/pkg/piiscan"
	"github.com/neosyncio/neosync/backend/pkg/sqlschema"
	"github.com/neosyncio/neosync/backend/pkg/syncplan"
)

// piiSampleSize is the number of rows per table the plan view samples to
// find personal data copied unchanged.
const piiSampleSize = 100

// piiBudget bounds the time the plan view spends sampling, so the plan of a
// schema of thousands of tables still comes back promptly; tables not
// reached are named in one warning.
const piiBudget = 10 * time.Second

// passthroughPIIWarnings samples every table that has a column copied
// unchanged (passthrough, mapped or not) and returns one warning per such
// column the PII scanner flags, naming the kind, the evidence and the
// suggested transformer. A table that cannot be sampled gets a warning
// saying so; it does not fail the plan. Sampling stops after budget, and
// one warning names the tables not reached.
func passthroughPIIWarnings(ctx context.Context, insp sqlschema.Inspector, p *syncplan.Plan, budget time.Duration) []string {
	var warnings []string
	ctx, cancel := context.WithTimeout(ctx, budget)
	defer cancel()
	stopped := func(i int) []string {
		return append(warnings, fmt.Sprintf("personal data check stopped after %s: %d tables from %s on were not checked; neosync connections scan checks every table",
			budget, len(p.Tables)-i, p.Tables[i].Name))
	}
	for i, t := range p.Tables {
		if ctx.Err() != nil {
			return stopped(i)
		}
		var copied []piiscan.Column
		for _, c := range t.Columns {
			if c.Action == syncplan.ActionCopy {
				copied = append(copied, piiscan.Column{Name: c.Name, DataType: c.DataType})
			}
		}
		if len(copied) == 0 {
			continue
		}
		names, rows, err := insp.SampleRows(ctx, t.Name, piiSampleSize)
		if err != nil && ctx.Err() != nil {
			return stopped(i)
		}
		if err != nil {
			warnings = append(warnings, fmt.Sprintf("table %s could not be checked for personal data: %v", t.Name, err))
			continue
		}
		found := piiscan.ScanSample(copied, names, rows)
		for _, c := range copied {
			if f, ok := found[c.Name]; ok {
				warnings = append(warnings, piiWarning(t.Name, c.Name, f))
			}
		}
	}
	return warnings
}

// piiWarning words one finding on a passthrough column.
func piiWarning(t sqlschema.TableName, column string, f piiscan.Finding) string {
	evidence := "by its name"
	if f.Evidence.NonNull > 0 {
		evidence = fmt.Sprintf("%d of %d sampled values", f.Evidence.Matched, f.Evidence.NonNull)
	}
	return fmt.Sprintf("personal data copied unchanged: %s.%s looks like %s (%s, confidence %.2f) and is mapped to passthrough; suggested transformer %s",
		t, column, f.Kind, evidence, f.Confidence, f.Suggestion.Source)
}
