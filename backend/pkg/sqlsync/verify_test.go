package sqlsync

import (
	"strings"
	"testing"

	"github.com/neosyncio/neosync/backend/pkg/sqlschema"
	"github.com/neosyncio/neosync/backend/pkg/syncplan"
)

// TestVerifyEnforcedAndCounted checks the report's two ways of vouching
// for keys: a destination constraint that guarantees them (named, nothing
// counted) and, without one, counting — which finds planted orphans and
// duplicates.
func TestVerifyEnforcedAndCounted(t *testing.T) {
	t.Parallel()
	src, dst := newPGDB(t), newPGDB(t)
	src.exec(t,
		`CREATE TABLE parent (id int PRIMARY KEY, code text UNIQUE)`,
		`CREATE TABLE child (id int PRIMARY KEY, pid int REFERENCES parent (id))`,
		`INSERT INTO parent SELECT g, 'c' || g FROM generate_series(1, 50) g`,
		`INSERT INTO child SELECT g, 1 + g % 50 FROM generate_series(1, 200) g`,
	)
	job := passthroughJob(t, src, "public", []string{"parent", "child"})
	job.Source = src.cfg
	job.Destinations = []syncplan.Destination{{Name: "dst", Conn: dst.cfg,
		Options: syncplan.DestinationOptions{InitSchema: true, Truncate: true}}}
	plan, res := runJob(t, job)
	rep := res[0].Report
	if !rep.OK() || len(rep.Uniques) != 3 || len(rep.ForeignKeys) != 1 {
		t.Fatalf("report:\n%s", rep)
	}
	for _, u := range rep.Uniques {
		if u.EnforcedBy == "" {
			t.Errorf("unique %s of %s not reported as enforced:\n%s", u.Constraint, u.Table, rep)
		}
	}
	if rep.ForeignKeys[0].EnforcedBy != "child_pid_fkey" {
		t.Errorf("foreign key enforced by %q, want child_pid_fkey", rep.ForeignKeys[0].EnforcedBy)
	}

	// Without the constraints the report counts, and finds what is wrong.
	dst.exec(t,
		`ALTER TABLE child DROP CONSTRAINT child_pid_fkey`,
		`ALTER TABLE parent DROP CONSTRAINT parent_code_key`,
		`ALTER TABLE child DROP CONSTRAINT child_pkey`,
		`INSERT INTO child VALUES (1, 999), (2, 998), (3, NULL)`,
		`INSERT INTO parent VALUES (51, 'c1')`,
	)
	rep, err := newTestEngine().Verify(testCtx(t), plan, Source{DB: src.db}, Destination{Name: "dst", DB: dst.db}, VerifyOptions{})
	assertNoError(t, "verify", err)
	if rep.OK() {
		t.Fatalf("report OK despite orphans and duplicates:\n%s", rep)
	}
	if fk := rep.ForeignKeys[0]; fk.EnforcedBy != "" || fk.Orphans != 2 {
		t.Errorf("foreign key: %+v, want 2 orphans counted", fk)
	}
	want := map[string]int64{"parent/primary key": 0, "parent/parent_code_key": 1, "child/primary key": 3}
	for _, u := range rep.Uniques {
		key := u.Table.Table + "/" + u.Constraint
		if n, ok := want[key]; !ok || n != u.Duplicates {
			t.Errorf("unique %s: %d duplicates (enforced by %q), want %d", key, u.Duplicates, u.EnforcedBy, n)
		}
	}
	if rep.Uniques[0].EnforcedBy == "" {
		t.Errorf("parent's primary key still has its index but is not reported enforced")
	}
}

// TestVerifyCrossChecksCounts checks that matching source and destination
// counts are not enough for an OK report: not when the source lost its
// rows during the run (the "source 0, destination 0" after the
// run truncated its own source), and not when this run did not write a
// table whose destination already held as many rows.
func TestVerifyCrossChecksCounts(t *testing.T) {
	t.Parallel()
	src, dst, _, plan, _ := parentChildRun(t)
	e := newTestEngine()
	verify := func(o VerifyOptions) *Report {
		t.Helper()
		rep, err := e.Verify(testCtx(t), plan, Source{DB: src.db}, Destination{Name: "dst", DB: dst.db}, o)
		assertNoError(t, "verify", err)
		return rep
	}
	problem := func(rep *Report, table, want string) {
		t.Helper()
		if rep.OK() {
			t.Fatalf("report OK, want a problem with %s:\n%s", table, rep)
		}
		for _, tc := range rep.Tables {
			if tc.Table.Table == table {
				if !strings.Contains(tc.Problem, want) || !strings.Contains(rep.String(), want) {
					t.Fatalf("%s: problem %q, want %q:\n%s", table, tc.Problem, want, rep)
				}
				return
			}
		}
		t.Fatalf("no row count of %s:\n%s", table, rep)
	}

	// Destinations already hold the rows; this run wrote nothing (a table
	// missing from Copied) or nothing of parent (0 rows copied).
	problem(verify(VerifyOptions{Copied: map[sqlschema.TableName]int64{}}), "parent", "this run did not write the table")
	problem(verify(VerifyOptions{Copied: map[sqlschema.TableName]int64{{Schema: "public", Table: "parent"}: 0, {Schema: "public", Table: "child"}: 200}}),
		"parent", "the copy wrote 0 rows but the source has 50")

	// The source was emptied after it was counted; so was the destination.
	before, err := e.CountSource(testCtx(t), plan, Source{DB: src.db})
	assertNoError(t, "count source", err)
	src.exec(t, `TRUNCATE parent, child`)
	dst.exec(t, `TRUNCATE parent, child`)
	rep := verify(VerifyOptions{SourceRowsBefore: before})
	problem(rep, "child", "the source table had 200 rows before the run and has none now")
	problem(rep, "parent", "the source table had 50 rows before the run and has none now")
}

// parentChildRun copies parent (50 rows) and child (200 rows, referencing
// parent) into an owned destination in process and checks that the report
// is OK and cross-checked.
func parentChildRun(t *testing.T) (src, dst *pgDB, job syncplan.Job, plan *syncplan.Plan, res []RunResult) {
	t.Helper()
	src, dst = newPGDB(t), newPGDB(t)
	src.exec(t,
		`CREATE TABLE parent (id int PRIMARY KEY)`,
		`CREATE TABLE child (id int PRIMARY KEY, pid int REFERENCES parent (id))`,
		`INSERT INTO parent SELECT g FROM generate_series(1, 50) g`,
		`INSERT INTO child SELECT g, 1 + g % 50 FROM generate_series(1, 200) g`,
	)
	job = passthroughJob(t, src, "public", []string{"parent", "child"})
	job.Source = src.cfg
	job.Destinations = []syncplan.Destination{{Name: "dst", Conn: dst.cfg,
		Options: syncplan.DestinationOptions{InitSchema: true, Truncate: true}}}
	plan, res = runJob(t, job)
	assertCrossChecked(t, res[0].Report)
	return src, dst, job, plan, res
}

// assertCrossChecked checks that every table of an in-process run's
// report was cross-checked with the copy's and the source's earlier counts.
func assertCrossChecked(t *testing.T, rep *Report) {
	t.Helper()
	if !rep.OK() {
		t.Fatalf("report not OK:\n%s", rep)
	}
	for _, tc := range rep.Tables {
		if tc.CopiedRows == nil || *tc.CopiedRows != tc.SourceRows || tc.SourceRowsBefore == nil || *tc.SourceRowsBefore != tc.SourceRows {
			t.Fatalf("%s: not cross-checked: %+v", tc.Table, tc)
		}
	}
}

// TestVerifyTakesTheSourceCountFromTheCopy checks where the counts of a
// report come from when the copy read each table whole in one snapshot:
// the source's from the copy (Checkpoint.WholeRead, no second count of
// the source), the destination's from a query on the destination — so
// rows lost there after the copy still fail the report (it would pass if
// the destination's count were taken from the copy too) — and that a
// source emptied before the copy read it is still flagged.
func TestVerifyTakesTheSourceCountFromTheCopy(t *testing.T) {
	t.Parallel()
	src, dst, job, plan, res := parentChildRun(t)
	for _, tc := range res[0].Report.Tables {
		if tc.SourceFrom != SourceFromCopy {
			t.Fatalf("%s: source counted by %q, want %q (the copy read it whole):\n%s", tc.Table, tc.SourceFrom, SourceFromCopy, res[0].Report)
		}
	}
	e := newTestEngine()
	ctx := testCtx(t)
	source := Source{DB: src.db}
	destination := Destination{Name: "dst", DB: dst.db, Options: job.Destinations[0].Options}
	parent, child := sqlschema.TableName{Schema: "public", Table: "parent"}, sqlschema.TableName{Schema: "public", Table: "child"}
	count := func(rep *Report, table sqlschema.TableName) TableCount {
		t.Helper()
		for _, tc := range rep.Tables {
			if tc.Table == table {
				return tc
			}
		}
		t.Fatalf("no row count of %s:\n%s", table, rep)
		return TableCount{}
	}

	// Rows lost in the destination after the copy: its count is its own.
	dst.exec(t, `DELETE FROM child WHERE id <= 5`)
	read := map[sqlschema.TableName]int64{parent: 50, child: 200}
	rep, err := e.Verify(ctx, plan, source, destination, VerifyOptions{Copied: read, SourceRead: read})
	assertNoError(t, "verify", err)
	if c := count(rep, child); rep.OK() || c.SourceRows != 200 || c.SourceFrom != SourceFromCopy || c.DestRows != 195 {
		t.Fatalf("5 rows deleted from the destination: child %+v, OK %v, want source 200 (copy), destination 195, not OK:\n%s", c, rep.OK(), rep)
	}

	// A source count that is not the final copy's (a retried activity):
	// the source is counted, and the copy's 199 rows do not vouch.
	rep, err = e.Verify(ctx, plan, source, destination, VerifyOptions{
		Copied: map[sqlschema.TableName]int64{parent: 50, child: 199}, SourceRead: read})
	assertNoError(t, "verify", err)
	if c := count(rep, child); c.SourceFrom != SourceFromCount || c.SourceRows != 200 || !strings.Contains(c.Problem, "the copy wrote 199 rows but the source has 200") {
		t.Fatalf("disagreeing copy counts: child %+v, want counted 200 and the copy's 199 flagged:\n%s", c, rep)
	}

	// The source emptied after the run counted it and before the copy read
	// it: the copy reads 0 rows in its snapshot, which the report flags.
	before, err := e.CountSource(ctx, plan, source)
	assertNoError(t, "count source", err)
	src.exec(t, `TRUNCATE parent, child`)
	assertNoError(t, "prepare", e.PrepareDestination(ctx, plan, destination))
	cps := map[sqlschema.TableName]Checkpoint{}
	assertNoError(t, "copy", e.SyncTables(ctx, plan, source, destination, 0, cps, nil))
	for tb, cp := range cps {
		if !cp.WholeRead || cp.Rows != 0 {
			t.Fatalf("%s: checkpoint %+v, want a whole read of 0 rows", tb, cp)
		}
	}
	rep, err = e.Verify(ctx, plan, source, destination, VerifyOptions{Copied: rowsOf(cps), SourceRead: SourceReadOf(cps), SourceRowsBefore: before})
	assertNoError(t, "verify", err)
	for _, tb := range []sqlschema.TableName{parent, child} {
		if c := count(rep, tb); c.SourceFrom != SourceFromCopy || !strings.Contains(c.Problem, "before the run and has none now") {
			t.Fatalf("%s emptied before the copy: %+v, want the loss flagged:\n%s", tb, c, rep)
		}
	}
}
