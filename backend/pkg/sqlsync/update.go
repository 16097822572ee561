package sqlsync

import (
	"context"
	"fmt"
	"maps"

	"github.com/neosyncio/neosync/backend/pkg/leakscan"
	"github.com/neosyncio/neosync/backend/pkg/sqlschema"
	"github.com/neosyncio/neosync/backend/pkg/sqlsync/syncdriver"
	"github.com/neosyncio/neosync/backend/pkg/syncplan"
)

// RunUpdatePasses fills in the deferred foreign keys once every table is
// loaded: for each table with deferred keys it reads the table's key and
// those columns from the source (same filter, same transformers as the
// copy), and sets them on the destination rows with the same key — but
// only where the referenced row exists in the destination, so a subset
// never gains a dangling reference (the column stays NULL instead). It is
// idempotent, so a crashed pass is simply run again.
//
// The copy writes a deferred column NULL and so cannot sketch it; the
// update pass, which holds each of its source values beside the
// transformed value, does: it returns, by table, the leak sketches of the
// deferred columns that have a transformer (hashed with Source.Seed, as
// the copy's), which verification reports instead of re-reading the
// source (see UpdateLeaksOf). Tables without such a column have none.
// A rerun measures them again from the start, as it rewrites the
// columns. Under a subset the sketches also count the values the pass
// read but left NULL because their parent was not copied: the leak scan
// of such a column may count a leak that is no longer in the destination,
// never miss one.
func (e *Engine) RunUpdatePasses(ctx context.Context, plan *syncplan.Plan, src Source, dst Destination) (map[sqlschema.TableName]*leakscan.Table, error) {
	if err := sameDriver(src.DB, dst.DB); err != nil {
		return nil, err
	}
	dst, err := e.resolve(ctx, plan, src.DB, dst)
	if err != nil {
		return nil, err
	}
	out := map[sqlschema.TableName]*leakscan.Table{}
	for i := range plan.Tables {
		t := &plan.Tables[i]
		if len(t.Deferred()) == 0 {
			continue
		}
		job := e.tableJob(plan, t, src, dst, nil)
		if cols := UpdatePassSketched(t); len(cols) > 0 {
			job.Leaks = syncdriver.NewLeaks(2*e.leakSample(), src.Seed, nil).Only(cols...)
		}
		if err := driverOf(dst.DB).UpdatePass(ctx, job); err != nil {
			return nil, fmt.Errorf("sqlsync: update pass of %s: %w", t.Name, err)
		}
		if job.Leaks != nil {
			out[t.Name] = job.Leaks.Table()
		}
	}
	return out, nil
}

// UpdatePassSketched are the columns of t whose leak sketches its update
// pass returns (RunUpdatePasses): those it writes through a transformer.
func UpdatePassSketched(t *syncplan.Table) []string {
	var out []string
	for _, c := range t.Columns {
		if c.Deferred && c.Action == syncplan.ActionTransform {
			out = append(out, c.Name)
		}
	}
	return out
}

// UpdateLeaksOf adds the leak scans of the columns update passes wrote
// (RunUpdatePasses's sketches, by table) to leaks, the copy's
// (VerifyOptions.Leaks, which may be nil), and returns it. The copy never
// sketches those columns, so nothing of the copy's is replaced.
func UpdateLeaksOf(leaks map[sqlschema.TableName]map[string]leakscan.Result, updates map[sqlschema.TableName]*leakscan.Table) map[sqlschema.TableName]map[string]leakscan.Result {
	for t, sk := range updates {
		res := sk.Results()
		if len(res) == 0 {
			continue
		}
		if leaks == nil {
			leaks = map[sqlschema.TableName]map[string]leakscan.Result{}
		}
		merged := maps.Clone(leaks[t])
		if merged == nil {
			merged = res
		} else {
			maps.Copy(merged, res)
		}
		leaks[t] = merged
	}
	return leaks
}
