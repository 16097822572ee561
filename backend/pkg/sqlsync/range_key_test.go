package sqlsync

import (
	"slices"
	"sync"
	"testing"

	"github.com/neosyncio/neosync/backend/pkg/leakscan"
	"github.com/neosyncio/neosync/backend/pkg/sqlschema"
	"github.com/neosyncio/neosync/backend/pkg/syncplan"
)

// splitByKey splits table (rows rows) into ranges of rangeRows rows and
// checks they are key ranges (not integer ones), at least min of them,
// open at both ends and contiguous.
func splitByKey(t *testing.T, e *Engine, plan *syncplan.Plan, table sqlschema.TableName, src Source, rows, rangeRows int64, least int) []KeyRange {
	t.Helper()
	ranges, err := e.SplitRanges(testCtx(t), plan, table, src, rows, rangeRows)
	assertNoError(t, "split", err)
	if len(ranges) < least {
		t.Fatalf("%s split into %d ranges %v, want at least %d", table, len(ranges), ranges, least)
	}
	if ranges[0].LoKey != nil || ranges[len(ranges)-1].HiKey != nil {
		t.Fatalf("ranges %+v are not open at both ends", ranges)
	}
	for i, r := range ranges {
		if !r.ByKey() || r.Index != i || r.Count != len(ranges) {
			t.Fatalf("range %d %+v: want a key range %d of %d", i, r, i, len(ranges))
		}
		if i > 0 && !slices.Equal(r.LoKey, ranges[i-1].HiKey) {
			t.Fatalf("ranges %+v are not contiguous at %d", ranges, i)
		}
	}
	return ranges
}

// copyRangesWithFailures copies every range of table as the worker may:
// range 0 interrupted and retried with no checkpoint after it committed
// rows, range 1 interrupted and resumed from an older checkpoint than its
// last commit, the others at once. It checks that the ranges copied rows
// together, each some: the bounds cut the key into parts of real size.
// It returns the ranges' final checkpoints.
func copyRangesWithFailures(t *testing.T, e *Engine, plan *syncplan.Plan, table sqlschema.TableName, ranges []KeyRange, src Source, dst Destination, rows int64) []Checkpoint {
	t.Helper()
	ctx := testCtx(t)
	interruptedRange(t, e, plan, table, ranges[0], src, dst, nil, func(p Progress) bool { return p.Checkpoint.Rows >= 600 })
	seen := interruptedRange(t, e, plan, table, ranges[1], src, dst, nil, func(p Progress) bool { return p.Checkpoint.Rows >= 1200 })
	if len(seen) < 3 {
		t.Fatalf("checkpoints %+v: want several", seen)
	}
	var wg sync.WaitGroup
	results := make([]Checkpoint, len(ranges))
	errs := make([]error, len(ranges))
	for i, r := range ranges {
		var cp *Checkpoint
		switch i {
		case 0:
			cp = &Checkpoint{Table: table, Range: &ranges[0]}
		case 1:
			cp = &seen[len(seen)-3]
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[i], errs[i] = e.SyncRange(ctx, plan, table, r, src, dst, cp, leakscan.Seed{}, nil)
		}()
	}
	wg.Wait()
	var total int64
	for i, err := range errs {
		assertNoError(t, ranges[i].String(), err)
		if !results[i].Done {
			t.Fatalf("%s: final checkpoint %+v", ranges[i], results[i])
		}
		total += results[i].Rows
	}
	// Range 1's count is from its resumed checkpoint on; the others'
	// are whole.
	if total != rows {
		t.Fatalf("ranges copied %d rows, want %d", total, rows)
	}
	for i, r := range results {
		if i != 1 && r.Rows == 0 {
			t.Fatalf("%s copied no row: its bounds %v..%v cut nothing", ranges[i], ranges[i].LoKey, ranges[i].HiKey)
		}
	}
	return results
}

// checkRangesRead checks the source count Verify takes from the ranges'
// copies (copyRangesWithFailures' results): every range read from its
// start in one attempt — range 0's retry too — is marked WholeRead and
// range 1, resumed, is not; Verify then adds to the read ranges' rows a
// count of range 1's key interval alone (SourceFromRangesCounted), and
// with every range read, counts nothing (SourceFromRanges). The source
// count is right either way, and the destination's is its own.
func checkRangesRead(t *testing.T, e *Engine, plan *syncplan.Plan, table sqlschema.TableName, ranges []KeyRange, results []Checkpoint, src Source, dst Destination, rows int64) {
	t.Helper()
	var read int64
	for i, cp := range results {
		if cp.WholeRead != (i != 1) {
			t.Fatalf("%s: whole read %v; want only the resumed range 2 not read whole", ranges[i], cp.WholeRead)
		}
		if cp.WholeRead {
			read += cp.Rows
		}
	}
	verify := func(rr RangesRead) TableCount {
		t.Helper()
		rep, err := e.Verify(testCtx(t), plan, src, dst, VerifyOptions{PIIBudget: -1, RangesRead: map[sqlschema.TableName]RangesRead{table: rr}})
		assertNoError(t, "verify", err)
		for _, c := range rep.Tables {
			if c.Table == table {
				return c
			}
		}
		t.Fatalf("no count of %s:\n%s", table, rep)
		return TableCount{}
	}
	if c := verify(RangesRead{Rows: read, Recount: []KeyRange{ranges[1]}}); c.SourceFrom != SourceFromRangesCounted || c.SourceRows != rows || c.DestRows != rows {
		t.Fatalf("ranges read but range 2: %+v; want source %d (%s), destination %d", c, rows, SourceFromRangesCounted, rows)
	}
	if c := verify(RangesRead{Rows: rows}); c.SourceFrom != SourceFromRanges || c.SourceRows != rows || c.DestRows != rows {
		t.Fatalf("every range read: %+v; want source %d (%s), destination %d", c, rows, SourceFromRanges, rows)
	}
}

// TestPostgresKeyRangesByKey splits tables whose key is not one integer
// column — a uuid, a text key whose collation orders differently from its
// bytes, a composite (date, text) key whose first column has few values —
// at keys the database picks, and copies them range by range with an
// interrupted range resumed and another retried: the destination ends
// with exactly the source rows.
func TestPostgresKeyRangesByKey(t *testing.T) {
	t.Parallel()
	src := newPGDB(t)
	src.exec(t,
		`CREATE SCHEMA app`,
		`CREATE TABLE app.by_uuid (id uuid PRIMARY KEY, payload text NOT NULL)`,
		`INSERT INTO app.by_uuid SELECT md5(g::text)::uuid, md5(g::text) FROM generate_series(1, 16000) g`,
		// "a…" and "B…" interleave under a linguistic collation and do not
		// under C: the bounds must be compared by the database.
		`CREATE TABLE app.by_text (code text COLLATE "en-x-icu" PRIMARY KEY, payload text)`,
		`INSERT INTO app.by_text SELECT (CASE WHEN g % 2 = 0 THEN 'a' ELSE 'B' END) || lpad(g::text, 6, '0'), md5(g::text) FROM generate_series(1, 16000) g`,
		`CREATE TABLE app.by_pair (day date, name text, payload text, PRIMARY KEY (day, name))`,
		`INSERT INTO app.by_pair SELECT date '2024-01-01' + (g % 3), md5(g::text), g::text FROM generate_series(1, 16000) g`,
	)
	tables := []string{"by_uuid", "by_text", "by_pair"}
	job := passthroughJob(t, src, "app", tables)
	job.Source = src.cfg
	ctx := testCtx(t)
	plan, err := syncplan.BuildPlan(ctx, src.db, job, registry)
	assertNoError(t, "plan", err)
	e := NewEngine(registry, nil)
	source := Source{DB: src.db}
	for _, name := range tables {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			table := sqlschema.TableName{Schema: "app", Table: name}
			if r, err := e.SplitRanges(ctx, plan, table, source, 16000, 8001); err != nil || r != nil {
				t.Fatalf("a table under twice the range size: ranges %v, %v; want none", r, err)
			}
			ranges := splitByKey(t, e, plan, table, source, 16000, 4000, 4)
			dst := newPGDB(t)
			dest := Destination{Name: "dst", DB: dst.db, Options: syncplan.DestinationOptions{InitSchema: true, Truncate: true, BatchSize: 300}}
			assertNoError(t, "prepare", e.PrepareDestination(ctx, plan, dest))
			results := copyRangesWithFailures(t, e, plan, table, ranges, source, dest, 16000)
			assertNoError(t, "finalize", e.Finalize(ctx, plan, dest))
			checkRangesRead(t, e, plan, table, ranges, results, source, dest, 16000)
			assertSameRows(t, src, dst, "app", []string{name})
		})
	}
}

// TestMySQLKeyRangesByKey is TestPostgresKeyRangesByKey on MariaDB: a
// text key under a case-insensitive collation (whose order is not its
// bytes'), a composite key, a uuid stored as binary(16) (bytes of any
// value, not text) and a bigint unsigned key past int64.
func TestMySQLKeyRangesByKey(t *testing.T) {
	t.Parallel()
	src := newMySQLDB(t, "_src")
	src.exec(t,
		"CREATE TABLE by_ci (code varchar(20) COLLATE utf8mb4_general_ci PRIMARY KEY, payload varchar(40))",
		"INSERT INTO by_ci SELECT CONCAT(IF(seq % 2 = 0, 'a', 'B'), LPAD(seq, 6, '0')), md5(seq) FROM seq_1_to_12000",
		"CREATE TABLE by_pair (tenant int, name varchar(40) COLLATE utf8mb4_general_ci, payload int, PRIMARY KEY (tenant, name))",
		"INSERT INTO by_pair SELECT seq % 3, CONCAT(IF(seq % 2 = 0, 'x', 'Y'), md5(seq)), seq FROM seq_1_to_12000",
		"CREATE TABLE by_uuid (id binary(16) PRIMARY KEY, payload varchar(40))",
		"INSERT INTO by_uuid SELECT UNHEX(md5(seq)), md5(seq) FROM seq_1_to_12000",
		"CREATE TABLE by_unsigned (id bigint unsigned PRIMARY KEY, payload varchar(40))",
		"INSERT INTO by_unsigned SELECT 18446744073709000000 + seq * 7, md5(seq) FROM seq_1_to_12000",
	)
	tables := []string{"by_ci", "by_pair", "by_uuid", "by_unsigned"}
	job := mysqlPassthroughJob(t, src, tables)
	e := newTestEngine()
	ctx := testCtx(t)
	plan, err := syncplan.BuildPlan(ctx, src.db, job, registry)
	assertNoError(t, "plan", err)
	source := Source{DB: src.db}
	for _, name := range tables {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			dst := newMySQLDB(t, "_dst")
			opts := syncplan.DestinationOptions{InitSchema: true, Truncate: true, BatchSize: 300, SchemaMap: map[string]string{src.name: dst.name}}
			dest := Destination{Name: "dst", DB: dst.db, Options: opts}
			assertNoError(t, "prepare", e.PrepareDestination(ctx, plan, dest))
			table := sqlschema.TableName{Schema: src.name, Table: name}
			ranges := splitByKey(t, e, plan, table, source, 12000, 3000, 4)
			results := copyRangesWithFailures(t, e, plan, table, ranges, source, dest, 12000)
			assertNoError(t, "finalize", e.Finalize(ctx, plan, dest))
			checkRangesRead(t, e, plan, table, ranges, results, source, dest, 12000)
			assertSameMySQLRows(t, src, dst, []string{name})
		})
	}
}
