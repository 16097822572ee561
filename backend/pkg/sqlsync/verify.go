package sqlsync

import (
	"cmp"
	"context"
	"fmt"
	"strings"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/neosyncio/neosync/backend/pkg/leakscan"
	"github.com/neosyncio/neosync/backend/pkg/sqlschema"
	"github.com/neosyncio/neosync/backend/pkg/sqlsync/syncdriver"
	"github.com/neosyncio/neosync/backend/pkg/syncplan"
	"github.com/neosyncio/neosync/backend/pkg/transformers"
)

// DefaultLeakSample is the number of destination values per transformed
// column the leak scan checks when VerifyOptions.Sample is 0.
const DefaultLeakSample = 10_000

// VerifyOptions tune Verify and give it what the run observed, so the
// report can cross-check the counts it takes itself (see TableCount).
type VerifyOptions struct {
	// Sample is the leak scan's sample size per column (0: the default)
	// where it re-reads the source (columns without a copy sketch).
	Sample int
	// Leaks are the copy's leak sketches (Checkpoint.Leaks) per table and
	// column, with those of the update passes' columns (UpdateLeaksOf),
	// when the caller kept them: those columns' leak scan is taken from
	// them, and the source is not read again (LeakMethodCopy).
	Leaks map[sqlschema.TableName]map[string]leakscan.Result
	// Reidentified are the copy's row-level re-identification counts
	// (Checkpoint.Reidentified) per table, when the caller kept them.
	Reidentified map[sqlschema.TableName]leakscan.RowCount
	// Copied are the rows each table's copy committed (the Rows of its
	// final Checkpoint), when the caller has them; a table missing from a
	// non-nil map was not written by this run.
	Copied map[sqlschema.TableName]int64
	// SourceRead are the rows each table's copy read from the source in
	// one snapshot — the whole table, its filter applied, in one attempt
	// (Checkpoint.WholeRead, collected by SourceReadOf) — when the caller
	// kept them: such a table's SourceRows is taken from here
	// (SourceFromCopy) instead of counting the source again. A table also
	// in Copied must have the same number there, else it is counted.
	SourceRead map[sqlschema.TableName]int64
	// RangesRead are, for tables copied in key ranges, what the ranges'
	// copies read (see RangesRead), when the caller kept it: such a
	// table's SourceRows is their sum (SourceFromRanges), with only the
	// ranges no copy read whole counted on the source, each within its
	// key interval.
	RangesRead map[sqlschema.TableName]RangesRead
	// SourceRowsBefore are the rows each source table held (its filter
	// applied) before the run wrote anything, when the caller counted
	// them (an exact count or the catalog's estimate).
	SourceRowsBefore map[sqlschema.TableName]int64
	// PIIBudget bounds the check of the columns copied unchanged for
	// personal data (Report.PII): 0 means DefaultPIIBudget, a negative
	// budget skips the check.
	PIIBudget time.Duration
	// registry gives the transformers' expected leak levels (set by the
	// engine).
	registry *transformers.Registry
}

// RangesRead is what the copies of a table's key ranges read from the
// source. Each range is read in its own snapshot, so their sum is the
// source's rows range by range — as exact as one count(*) of a source
// that changes during the run, and free.
type RangesRead struct {
	// Rows are the rows the ranges read whole in one attempt
	// (Checkpoint.WholeRead) read together.
	Rows int64 `json:"rows"`
	// Recount are the ranges no attempt read whole (resumed from a
	// checkpoint): Verify counts their source rows, each with one count
	// bounded by its key interval.
	Recount []KeyRange `json:"recount,omitempty"`
}

// Report is the verification of one destination after a sync. It is a
// plain value the worker records with the run (JSON-serialisable).
type Report struct {
	Destination string              `json:"destination"`
	Tables      []TableCount        `json:"tables"`
	ForeignKeys []ForeignKeyOrphans `json:"foreign_keys,omitempty"`
	Leaks       []ColumnLeak        `json:"leaks,omitempty"`
	// Reidentified are the tables whose rows were checked for keeping all
	// their quasi-identifiers (see RowLeak).
	Reidentified []RowLeak          `json:"reidentified,omitempty"`
	Uniques      []UniqueDuplicates `json:"uniques,omitempty"`
	// TruncatedOutsideJob are the destination tables outside the job that
	// truncate_cascade emptied because they reference copied tables
	// (Engine.TruncateReach); the job does not copy them, so they stay
	// empty. The user asked for it, so it does not affect OK.
	TruncatedOutsideJob []sqlschema.TableName `json:"truncated_outside_job,omitempty"`
	// PII is the check of the columns copied unchanged for personal data
	// (CheckPassthroughPII): each column found is a WARN finding, and so
	// is a check that could not cover every such table. Nil when the
	// check did not run.
	PII *PIICheck `json:"pii,omitempty"`
}

// TableCount compares a table's row counts: the source's rows that the
// plan selects (its subset filter applied) and the destination's rows,
// and — when Verify is told — the rows the copy committed and the
// source's rows before the run. DestRows is always counted by a query on
// the destination after the run (count(*)): it is the independent check
// of the copy. SourceRows is, per SourceFrom, the rows the copy read in
// its one snapshot of the source (SourceFromCopy: the table was read whole
// in one attempt, so counting it again would only re-read what the copy
// counted), the sum of its key ranges' reads (SourceFromRanges, and
// SourceFromRangesCounted when resumed ranges were counted) or a count(*)
// on the source at verification (SourceFromCount: resumed copies, tables
// whose copy the caller did not report). Equal source and destination counts prove
// nothing when the copy wrote nothing (both may be 0, or the destination
// may hold an earlier run's rows) or when the source lost its rows during
// the run; Problem says so.
type TableCount struct {
	Table      sqlschema.TableName `json:"table"`
	SourceRows int64               `json:"source_rows"`
	// SourceFrom says where SourceRows comes from (SourceFromCopy or
	// SourceFromCount).
	SourceFrom string `json:"source_from,omitempty"`
	DestRows   int64  `json:"dest_rows"`
	// CopiedRows are the rows the copy committed (VerifyOptions.Copied);
	// nil when Verify was not told.
	CopiedRows *int64 `json:"copied_rows,omitempty"`
	// SourceRowsBefore are the source's rows before the run
	// (VerifyOptions.SourceRowsBefore); nil when Verify was not told.
	SourceRowsBefore *int64 `json:"source_rows_before,omitempty"`
	// Problem explains why the counts do not vouch for the copy even
	// though they may match ("" when they do).
	Problem string `json:"problem,omitempty"`
	// Appended is true when the destination is not the job's to empty
	// (no truncate: syncplan.DestinationOptions.Owns): rows the table held
	// before the run are the user's and stay, so DestRows may exceed
	// SourceRows (see Matches).
	Appended bool `json:"appended,omitempty"`
}

// Matches reports whether the counts vouch for the copy: no Problem, and
// the destination holds exactly the source's rows — or, in a table the
// job appends to (Appended), at least them: the rows beyond are those the
// table held before the run. (The copy's own count of the rows it wrote
// is checked against the source's apart, by CrossCheck, and each load's
// count against its batch as the copy runs.)
func (t TableCount) Matches() bool {
	if t.Problem != "" {
		return false
	}
	if t.Appended {
		return t.DestRows >= t.SourceRows
	}
	return t.DestRows == t.SourceRows
}

// Where TableCount.SourceRows comes from.
const (
	// SourceFromCopy: the rows the table's copy read from the source in
	// one repeatable-read snapshot (VerifyOptions.SourceRead). The copy
	// then wrote exactly these rows, so CopiedRows equals it by
	// construction; DestRows, counted on the destination, is what checks
	// the copy.
	SourceFromCopy = "copy snapshot"
	// SourceFromCount: a count(*) of the source (its filter applied) at
	// verification time, independent of the copy.
	SourceFromCount = "count"
	// SourceFromRanges: the sum of the rows each key range's copy read
	// in its own snapshot (VerifyOptions.RangesRead), every range read
	// whole in one attempt.
	SourceFromRanges = "copy ranges"
	// SourceFromRangesCounted: as SourceFromRanges, plus a count of the
	// source within the key interval of each range that was resumed.
	SourceFromRangesCounted = "copy ranges and counts of resumed ranges"
)

// CrossCheck records in the report what the run observed — the rows each
// table's copy committed (copied: the Rows of its final Checkpoint; a
// table missing from a non-nil map was not written) and the rows each
// source table held before the run wrote anything (before) — and marks
// the tables whose counts therefore do not vouch for the copy (see
// TableCount.Problem), which makes the report not OK. Either map may be
// nil. Verify does this with VerifyOptions; a caller that learns these
// numbers elsewhere (the CLI counts the source before it starts) calls it
// on the report.
func (r *Report) CrossCheck(copied, before map[sqlschema.TableName]int64) {
	for i := range r.Tables {
		c := &r.Tables[i]
		if n, ok := before[c.Table]; ok {
			c.SourceRowsBefore = &n
		}
		if n, ok := copied[c.Table]; ok {
			c.CopiedRows = &n
		}
		switch {
		case c.SourceRowsBefore != nil && *c.SourceRowsBefore > 0 && c.SourceRows == 0:
			c.Problem = fmt.Sprintf("the source table had %d rows before the run and has none now", *c.SourceRowsBefore)
		case copied != nil && c.CopiedRows == nil:
			c.Problem = "this run did not write the table"
		case c.CopiedRows != nil && *c.CopiedRows != c.SourceRows:
			c.Problem = fmt.Sprintf("the copy wrote %d rows but the source has %d", *c.CopiedRows, c.SourceRows)
		}
	}
}

// ForeignKeyOrphans counts destination rows whose (non-NULL) reference
// has no parent row.
type ForeignKeyOrphans struct {
	Table      sqlschema.TableName `json:"table"`
	ForeignKey string              `json:"foreign_key"`
	Orphans    int64               `json:"orphans"`
	// EnforcedBy names the destination's validated foreign key constraint
	// over the same columns when there is one: the database guarantees no
	// orphan, so none was counted.
	EnforcedBy string `json:"enforced_by,omitempty"`
}

// The methods of a leak scan (ColumnLeak.Method).
const (
	// LeakMethodCopy: measured by the copy itself (package leakscan) — or,
	// for a column deferred to an update pass, by the update pass, which
	// reads and transforms it as the copy would (Engine.RunUpdatePasses) —
	// SelfEqual exact over every row; Equal of Sampled exact over a
	// uniform hash sample of the distinct output values (all of them up to
	// the sample size, then Exact is false). No query reads the source.
	LeakMethodCopy = "copy"
	// LeakMethodResample: the copy kept no sketch (the table was resumed
	// after an interruption without the sketches of its checkpoint, the
	// sketches could not be stored, or the verification ran where they
	// are not at hand), so Sampled destination
	// values (a random sample, or all when the table has fewer) were looked
	// up in the source column with one query.
	LeakMethodResample = "re-read sample"
)

// ColumnLeak is the leak scan of one transformed column: of Sampled
// non-NULL destination rows, Equal hold a value that the source column
// holds in some row. A transformer that never reproduces an input scores
// 0; a small domain (booleans, categories, first names) naturally does
// not. Method says how it was measured, and with it what the numbers
// guarantee.
type ColumnLeak struct {
	Table       sqlschema.TableName `json:"table"`
	Column      string              `json:"column"`
	Transformer string              `json:"transformer"`
	Method      string              `json:"method"`
	Sampled     int64               `json:"sampled"`
	Equal       int64               `json:"equal"`
	// SelfEqual are the rows whose output equals their own input, counted
	// over every row (LeakMethodCopy only).
	SelfEqual *int64 `json:"self_equal,omitempty"`
	// Rows are the rows with a non-NULL output (LeakMethodCopy only).
	Rows int64 `json:"rows,omitempty"`
	// Exact is true when Sampled is every such row.
	Exact bool `json:"exact"`
	// Margin95 is the half-width of the 95 % confidence interval of
	// Equal/Sampled as an estimate of the whole column's fraction (0 when
	// Exact).
	Margin95 float64 `json:"margin95,omitempty"`
	// SourceDistinct and OutputDistinct estimate the column's distinct
	// values (LeakMethodCopy only).
	SourceDistinct float64 `json:"source_distinct,omitempty"`
	OutputDistinct float64 `json:"output_distinct,omitempty"`
	// Expected is the transformer's expected leak level, and Judgement
	// the verdict against it under the job's leak policy.
	Expected transformers.LeakExpectation `json:"expected"`
	leakscan.Judgement
}

// leakFromCopy is the report line of a column measured by the copy.
func leakFromCopy(t sqlschema.TableName, c *syncplan.Column, r leakscan.Result) ColumnLeak {
	self := r.SelfEqual
	return ColumnLeak{Table: t, Column: c.Name, Transformer: c.Transformer.Source, Method: LeakMethodCopy,
		Sampled: r.Sampled, Equal: r.Equal, SelfEqual: &self, Rows: r.Rows, Exact: r.Exact, Margin95: r.Margin95(),
		SourceDistinct: r.SourceDistinct, OutputDistinct: r.OutputDistinct}
}

// UniqueDuplicates counts the surplus rows of a primary key or unique
// constraint in the destination (rows beyond the first per key value).
type UniqueDuplicates struct {
	Table      sqlschema.TableName `json:"table"`
	Constraint string              `json:"constraint"`
	Columns    []string            `json:"columns"`
	Duplicates int64               `json:"duplicates"`
	// EnforcedBy names the destination's unique index over exactly these
	// columns when there is one: the database guarantees no duplicate, so
	// none was counted.
	EnforcedBy string `json:"enforced_by,omitempty"`
}

// OK reports whether counts match and there are no orphans and no
// duplicates. Leaks are judged apart (Status).
func (r *Report) OK() bool {
	for _, t := range r.Tables {
		if !t.Matches() {
			return false
		}
	}
	for _, f := range r.ForeignKeys {
		if f.Orphans != 0 {
			return false
		}
	}
	for _, u := range r.Uniques {
		if u.Duplicates != 0 {
			return false
		}
	}
	return true
}

// String renders the report as a short table for people.
func (r *Report) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "Verification of %s: %s\n", r.Destination, r.Status())
	for _, f := range r.Findings() {
		if f.Status != leakscan.StatusOK {
			fmt.Fprintf(&b, "  %-4s  %s\n", f.Status, f.Message)
		}
	}
	for _, t := range r.Tables {
		mark := ""
		switch {
		case !t.Matches() && t.SourceRows != t.DestRows:
			mark = "  <-- mismatch"
		case t.DestRows > t.SourceRows:
			mark = fmt.Sprintf(" (%d already there: appended to)", t.DestRows-t.SourceRows)
		}
		copied := ""
		if t.CopiedRows != nil {
			copied = fmt.Sprintf(", copied %d", *t.CopiedRows)
		}
		if t.Problem != "" {
			mark += "  <-- " + t.Problem
		}
		from := ""
		switch t.SourceFrom {
		case SourceFromCopy:
			from = " (read by the copy)"
		case SourceFromRanges:
			from = " (read by the copy's key ranges)"
		case SourceFromRangesCounted:
			from = " (read by the copy's key ranges, resumed ranges counted)"
		}
		fmt.Fprintf(&b, "  rows  %-40s source %d%s, destination %d%s%s\n", t.Table, t.SourceRows, from, t.DestRows, copied, mark)
	}
	for _, f := range r.ForeignKeys {
		if f.EnforcedBy != "" {
			fmt.Fprintf(&b, "  fk    %-40s %s: no orphans (enforced by destination constraint %s)\n", f.Table, f.ForeignKey, f.EnforcedBy)
			continue
		}
		fmt.Fprintf(&b, "  fk    %-40s %s: %d orphans\n", f.Table, f.ForeignKey, f.Orphans)
	}
	for _, u := range r.Uniques {
		if u.EnforcedBy != "" {
			fmt.Fprintf(&b, "  uniq  %-40s %s (%s): no duplicates (enforced by destination index %s)\n", u.Table, u.Constraint, strings.Join(u.Columns, ", "), u.EnforcedBy)
			continue
		}
		fmt.Fprintf(&b, "  uniq  %-40s %s (%s): %d duplicates\n", u.Table, u.Constraint, strings.Join(u.Columns, ", "), u.Duplicates)
	}
	if n := len(r.TruncatedOutsideJob); n > 0 {
		names := make([]string, n)
		for i, t := range r.TruncatedOutsideJob {
			names[i] = t.String()
		}
		fmt.Fprintf(&b, "  note  truncate_cascade emptied %d tables outside the job (they reference copied tables and are not copied): %s\n", n, strings.Join(names, ", "))
	}
	for _, l := range r.Leaks {
		b.WriteString(l.line())
	}
	if r.PII != nil {
		for _, c := range r.PII.Columns {
			fmt.Fprintf(&b, "  pii   %-40s %s: WARN: %s (%s) copied unchanged; suggested transformer %s\n", c.Table, c.Column, c.Kind, c.evidence(), c.Suggestion.Source)
		}
		if msg := r.PII.Incomplete(); msg != "" {
			fmt.Fprintf(&b, "  pii   WARN: %s\n", msg)
		}
	}
	for _, rl := range r.Reidentified {
		fmt.Fprintf(&b, "  reid  %-40s %s: %d of %d rows keep all of %s (%.2g expected by chance)\n",
			rl.Table, rl.Status, rl.Reidentified, rl.Rows, strings.Join(rl.Columns, ", "), rl.Expected)
	}
	return b.String()
}

// Verify compares the destination with the source after a sync (see
// Report). It only reads.
func (e *Engine) Verify(ctx context.Context, plan *syncplan.Plan, src Source, dst Destination, o VerifyOptions) (*Report, error) {
	o.registry = e.Registry
	if err := sameDriver(src.DB, dst.DB); err != nil {
		return nil, err
	}
	dst, err := e.resolve(ctx, plan, src.DB, dst)
	if err != nil {
		return nil, err
	}
	sample := o.Sample
	if sample <= 0 {
		sample = DefaultLeakSample
	}
	v := driverOf(dst.DB).Verifier(plan, src.DB, &dst)
	// The check for personal data copied unchanged reads a small sample of
	// the source: it runs beside the counts.
	var pii *PIICheck
	piiDone := make(chan struct{})
	go func() {
		defer close(piiDone)
		if o.PIIBudget >= 0 {
			check := CheckPassthroughPII(ctx, sourceInspector(src.DB), plan, cmp.Or(o.PIIBudget, DefaultPIIBudget))
			pii = &check
		}
	}()
	r, err := verifyWith(ctx, plan, dst, v, sample, o)
	<-piiDone
	if err != nil {
		return nil, err
	}
	r.PII = pii
	return r, nil
}

// verifyWith builds the report of dst with v; a sample of 0 skips the
// leak scan (VerifyStream, whose source offers no SQL).
func verifyWith(ctx context.Context, plan *syncplan.Plan, dst Destination, v syncdriver.Verifier, sample int, o VerifyOptions) (*Report, error) {
	r := &Report{Destination: dst.Name}
	parts := make([]tableReport, len(plan.Tables))
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(VerifyConcurrency)
	for i := range plan.Tables {
		g.Go(func() error {
			var err error
			parts[i], err = verifyTable(gctx, &plan.Tables[i], dst, v, sample, o)
			return err
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	for _, p := range parts {
		r.Tables = append(r.Tables, p.count)
		r.ForeignKeys = append(r.ForeignKeys, p.fks...)
		r.Uniques = append(r.Uniques, p.uniques...)
		r.Leaks = append(r.Leaks, p.leaks...)
	}
	if dst.Options.Truncate && dst.Options.TruncateCascade {
		reach, err := truncateReach(ctx, plan, dst)
		if err != nil {
			return nil, fmt.Errorf("sqlsync: verify: %w", err)
		}
		r.TruncatedOutsideJob = syncplan.ReachedTables(reach)
	}
	r.CrossCheck(o.Copied, o.SourceRowsBefore)
	r.judgeLeaks(o.registry, plan, o.Reidentified)
	return r, nil
}

// VerifyConcurrency is how many tables Verify checks at once: each takes
// a session on the source and one on the destination at a time, and the
// report lists them in plan order whatever order they finish in.
const VerifyConcurrency = 4

// tableReport is one table's part of a Report.
type tableReport struct {
	count   TableCount
	fks     []ForeignKeyOrphans
	uniques []UniqueDuplicates
	leaks   []ColumnLeak
}

// verifyTable checks one table of the plan in dst: its row counts (the
// source's taken from the copy when o.SourceRead has it, each count on
// its own session, both at once), orphans, duplicates and leak scan.
func verifyTable(ctx context.Context, t *syncplan.Table, dst Destination, v syncdriver.Verifier, sample int, o VerifyOptions) (tableReport, error) {
	var out tableReport
	wrap := func(what string, err error) error {
		return fmt.Errorf("sqlsync: verify %s: %s: %w", t.Name, what, err)
	}
	dest := dst.Options.DestTable(t.Name)
	out.count = TableCount{Table: t.Name, SourceFrom: SourceFromCount, Appended: !dst.Options.Owns()}
	ranges, ranged := o.RangesRead[t.Name]
	switch n, ok := sourceRead(o, t.Name); {
	case ok:
		out.count.SourceRows, out.count.SourceFrom = n, SourceFromCopy
	case ranged && len(ranges.Recount) == 0:
		out.count.SourceRows, out.count.SourceFrom = ranges.Rows, SourceFromRanges
	case ranged:
		out.count.SourceRows, out.count.SourceFrom = ranges.Rows, SourceFromRangesCounted
	}
	var g errgroup.Group
	switch out.count.SourceFrom {
	case SourceFromCount:
		g.Go(func() error {
			n, err := v.SourceCount(ctx, t)
			if err != nil {
				return wrap("count source rows", err)
			}
			out.count.SourceRows = n
			return nil
		})
	case SourceFromRangesCounted:
		g.Go(func() error {
			for _, r := range ranges.Recount {
				n, err := v.SourceRangeCount(ctx, t, r)
				if err != nil {
					return wrap("count source rows of "+r.String(), err)
				}
				out.count.SourceRows += n
			}
			return nil
		})
	}
	expected := int64(-1) // the source's rows, when the copy gave them
	if out.count.SourceFrom != SourceFromCount {
		expected = out.count.SourceRows
	}
	g.Go(func() error {
		n, err := v.DestCount(ctx, dest, expected)
		if err != nil {
			return wrap("count destination rows", err)
		}
		out.count.DestRows = n
		return nil
	})
	if err := g.Wait(); err != nil {
		return out, err
	}
	for _, fk := range t.ForeignKeys {
		parent := dst.Options.DestTable(fk.Referenced)
		by := ""
		var err error
		if !fk.Virtual {
			if by, err = v.FKEnforcedBy(ctx, dest, fk, parent); err != nil {
				return out, wrap("constraints of "+fk.Name, err)
			}
		}
		var n int64
		if by == "" {
			if n, err = v.Orphans(ctx, dest, fk, parent); err != nil {
				return out, wrap("orphans of "+fk.Name, err)
			}
		}
		out.fks = append(out.fks, ForeignKeyOrphans{Table: t.Name, ForeignKey: fk.Name, Orphans: n, EnforcedBy: by})
	}
	keys := t.Uniques
	if t.PrimaryKey != nil {
		keys = append([]sqlschema.UniqueConstraint{{Name: "primary key", Columns: t.PrimaryKey}}, keys...)
	}
	for _, u := range keys {
		by, err := v.UniqueEnforcedBy(ctx, dest, u.Columns)
		if err != nil {
			return out, wrap("indexes of "+u.Name, err)
		}
		var n int64
		if by == "" {
			if n, err = v.Duplicates(ctx, dest, u.Columns); err != nil {
				return out, wrap("duplicates of "+u.Name, err)
			}
		}
		out.uniques = append(out.uniques, UniqueDuplicates{Table: t.Name, Constraint: u.Name, Columns: u.Columns, Duplicates: n, EnforcedBy: by})
	}
	for _, c := range t.Columns {
		if c.Action != syncplan.ActionTransform || sample <= 0 {
			continue
		}
		if res, ok := o.Leaks[t.Name][c.Name]; ok {
			out.leaks = append(out.leaks, leakFromCopy(t.Name, &c, res))
			continue
		}
		s, eq, err := v.Leak(ctx, t, dest, c.Name, sample)
		if err != nil {
			return out, wrap("leak scan of "+c.Name, err)
		}
		out.leaks = append(out.leaks, ColumnLeak{Table: t.Name, Column: c.Name, Transformer: c.Transformer.Source, Method: LeakMethodResample,
			Sampled: s, Equal: eq, Exact: s > 0 && s < int64(sample)})
	}
	return out, nil
}

// sourceRead is the source count the copy of t gave (o.SourceRead), when
// it agrees with the rows the copy committed (o.Copied, when given for t):
// a disagreement means the two numbers are not of the same copy (a retried
// activity), and the source is counted instead.
func sourceRead(o VerifyOptions, t sqlschema.TableName) (int64, bool) {
	n, ok := o.SourceRead[t]
	if !ok {
		return 0, false
	}
	if o.Copied != nil {
		if c, given := o.Copied[t]; !given || c != n {
			return 0, false
		}
	}
	return n, true
}

// line renders the leak scan of one column for people: what was found and
// how it was measured.
func (l ColumnLeak) line() string {
	what := fmt.Sprintf("%d of %d rows hold a source value", l.Equal, l.Sampled)
	switch {
	case l.Method == LeakMethodCopy && l.Exact:
		what += " (all rows, measured during the copy)"
	case l.Method == LeakMethodCopy:
		what += fmt.Sprintf(" (a hash sample of the %d rows, ±%.2f%% at 95%%, measured during the copy)", l.Rows, 100*l.Margin95)
	case l.Exact:
		what += " (all rows, re-read from the source)"
	default:
		what += " (random sample, re-read from the source)"
	}
	if l.SelfEqual != nil {
		what += fmt.Sprintf("; %d equal their own input", *l.SelfEqual)
	}
	return fmt.Sprintf("  leak  %-40s %s (%s): %s: %s\n", l.Table, l.Column, l.Transformer, cmp.Or(l.Status, leakscan.StatusOK), what)
}
