package sqlsync

import (
	"cmp"
	"fmt"
	"slices"

	"github.com/neosyncio/neosync/backend/pkg/leakscan"
	"github.com/neosyncio/neosync/backend/pkg/sqlschema"
	"github.com/neosyncio/neosync/backend/pkg/syncplan"
	"github.com/neosyncio/neosync/backend/pkg/transformers"
)

// RowLeak is the row-level re-identification check of one table: of Rows
// copied rows, Reidentified kept every one of the table's quasi-identifier
// columns (its small-domain columns: names, cities, ZIP codes, …) equal
// to their own source values — each may match by chance, all of them
// together single a person out — where Expected rows would by chance.
type RowLeak struct {
	Table        sqlschema.TableName `json:"table"`
	Columns      []string            `json:"columns"`
	Rows         int64               `json:"rows"`
	Reidentified int64               `json:"reidentified"`
	Expected     float64             `json:"expected"`
	leakscan.Judgement
}

// Finding is one line of a report's verdict, for the run record, the CLI
// and the web app, which list them worst first (Findings).
type Finding struct {
	Status leakscan.Status `json:"status"`
	// Kind is "rows", "foreign_key", "unique", "leak", "reidentification"
	// or "pii" (personal data copied unchanged, or tables that could not
	// be checked for it).
	Kind    string              `json:"kind"`
	Table   sqlschema.TableName `json:"table"`
	Column  string              `json:"column,omitempty"`
	Message string              `json:"message"`
}

// Status is the report's verdict: FAIL when counts, orphans or duplicates
// are wrong (OK is false) or a leak finding fails the job's policy, WARN
// when a leak finding warns or personal data is copied unchanged (PII), OK
// otherwise.
func (r *Report) Status() leakscan.Status {
	s := leakscan.StatusOK
	for _, f := range r.Findings() {
		s = leakscan.Worst(s, f.Status)
	}
	return s
}

// Findings lists the report's checks, worst first (FAIL, then WARN, then
// OK; in report order within a status).
func (r *Report) Findings() []Finding {
	var out []Finding
	fail := func(ok bool) leakscan.Status {
		if ok {
			return leakscan.StatusOK
		}
		return leakscan.StatusFail
	}
	for _, t := range r.Tables {
		msg := fmt.Sprintf("%s: source %d rows, destination %d", t.Table, t.SourceRows, t.DestRows)
		if t.Appended && t.DestRows > t.SourceRows {
			msg += fmt.Sprintf(" (%d already there: the job appends to this table)", t.DestRows-t.SourceRows)
		}
		if t.Problem != "" {
			msg += ": " + t.Problem
		}
		out = append(out, Finding{Status: fail(t.Matches()), Kind: "rows", Table: t.Table, Message: msg})
	}
	for _, f := range r.ForeignKeys {
		out = append(out, Finding{Status: fail(f.Orphans == 0), Kind: "foreign_key", Table: f.Table,
			Message: fmt.Sprintf("%s %s: %d orphans", f.Table, f.ForeignKey, f.Orphans)})
	}
	for _, u := range r.Uniques {
		out = append(out, Finding{Status: fail(u.Duplicates == 0), Kind: "unique", Table: u.Table,
			Message: fmt.Sprintf("%s %s: %d duplicates", u.Table, u.Constraint, u.Duplicates)})
	}
	// Personal data copied unchanged leads the WARN findings: every value
	// of such a column leaks, where a leak line's WARN is a share of rows.
	if r.PII != nil {
		for _, c := range r.PII.Columns {
			out = append(out, Finding{Status: leakscan.StatusWarn, Kind: "pii", Table: c.Table, Column: c.Column, Message: c.Message()})
		}
		if msg := r.PII.Incomplete(); msg != "" {
			out = append(out, Finding{Status: leakscan.StatusWarn, Kind: "pii", Message: msg})
		}
	}
	for _, l := range r.Leaks {
		out = append(out, Finding{Status: cmp.Or(l.Status, leakscan.StatusOK), Kind: "leak", Table: l.Table, Column: l.Column,
			Message: fmt.Sprintf("%s.%s (%s): %s", l.Table, l.Column, l.Transformer, l.Reason)})
	}
	for _, rl := range r.Reidentified {
		out = append(out, Finding{Status: cmp.Or(rl.Status, leakscan.StatusOK), Kind: "reidentification", Table: rl.Table,
			Message: fmt.Sprintf("%s: %s", rl.Table, rl.Reason)})
	}
	slices.SortStableFunc(out, func(a, b Finding) int { return b.Status.Severity() - a.Status.Severity() })
	return out
}

// judgeLeaks judges every leak line and the copy's re-identification
// counts against the transformers' expected leak levels (from reg; a
// report built without one judges every column as unknown) and the plan's
// leak policy.
func (r *Report) judgeLeaks(reg *transformers.Registry, plan *syncplan.Plan, reid map[sqlschema.TableName]leakscan.RowCount) {
	policy := plan.LeakPolicy
	for i := range r.Leaks {
		l := &r.Leaks[i]
		var c *syncplan.Column
		if t := plan.Table(l.Table); t != nil {
			c = t.Column(l.Column)
		}
		l.Expected = expectation(reg, c)
		obs := leakscan.Observation{Sampled: l.Sampled, Equal: l.Equal, Margin95: l.Margin95, Rows: l.Rows,
			SourceDistinct: l.SourceDistinct, OutputDistinct: l.OutputDistinct, Grouped: plan.Consistent && inputBound(reg, c)}
		if l.SelfEqual != nil {
			obs.HasSelf, obs.SelfEqual = true, *l.SelfEqual
		}
		l.Judgement = policy.JudgeColumn(l.Expected, obs)
	}
	for _, t := range plan.Tables {
		rc, ok := reid[t.Name]
		if !ok || rc.Rows == 0 {
			continue
		}
		p := float64(rc.Rows)
		for _, c := range rc.Columns {
			if e := expectation(reg, t.Column(c)); e.Domain > 0 {
				p /= e.Domain
			}
		}
		r.Reidentified = append(r.Reidentified, RowLeak{Table: t.Name, Columns: rc.Columns, Rows: rc.Rows, Reidentified: rc.Reidentified, Expected: p,
			Judgement: policy.JudgeRows(leakscan.RowObservation{Columns: rc.Columns, Rows: rc.Rows, Reidentified: rc.Reidentified, Expected: p})})
	}
}

// expectation is the expected leak level of column c's transformer
// (unknown when it cannot be told).
func expectation(reg *transformers.Registry, c *syncplan.Column) transformers.LeakExpectation {
	unknown := transformers.LeakExpectation{Class: transformers.LeakUnknown}
	if reg == nil || c == nil || c.Transformer == nil {
		return unknown
	}
	e, err := reg.LeakExpectation(c.Transformer.Source, c.Transformer.Params)
	if err != nil {
		return unknown
	}
	return e
}

// inputBound reports whether c's transformer maps equal inputs to equal
// outputs in consistent mode (a transform that supports it, not a
// generator, whose rows are drawn independently).
func inputBound(reg *transformers.Registry, c *syncplan.Column) bool {
	if reg == nil || c == nil || c.Transformer == nil {
		return false
	}
	d, err := reg.Lookup(c.Transformer.Source)
	return err == nil && d.Consistent && !d.Generator
}

// quasiIdentifiers are the columns of t whose transform (not generator)
// draws from a small domain: the columns whose joint self-equality makes
// a row re-identifiable. A generator's output does not depend on the row,
// so it can keep a row's value only by chance, and counting it would
// divide the joint count of the transforms by its domain and hide their
// leak.
func (e *Engine) quasiIdentifiers(t *syncplan.Table) []string {
	var out []string
	for i := range t.Columns {
		c := &t.Columns[i]
		if c.Action != syncplan.ActionTransform || expectation(e.Registry, c).Class != transformers.LeakSmallDomain {
			continue
		}
		if d, err := e.Registry.Lookup(c.Transformer.Source); err == nil && !d.Generator {
			out = append(out, c.Name)
		}
	}
	return out
}
