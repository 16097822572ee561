package workflows

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/mock"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/workflow"

	"github.com/neosyncio/neosync/backend/pkg/jobcontract"
	"github.com/neosyncio/neosync/backend/pkg/sqlschema"
	"github.com/neosyncio/neosync/backend/pkg/sqlsync"
	"github.com/neosyncio/neosync/worker/internal/activities"
)

func tn(t string) sqlschema.TableName { return sqlschema.TableName{Schema: "public", Table: t} }

// testTables: parent ← child ← grandchild, and an independent table.
func testTables() []activities.TableRef {
	const large = 1_000_000 // copied one activity per table
	return []activities.TableRef{
		{Name: tn("parent"), Rows: large},
		{Name: tn("lonely"), Rows: large},
		{Name: tn("child"), DependsOn: []sqlschema.TableName{tn("parent")}, Rows: large},
		{Name: tn("grandchild"), DependsOn: []sqlschema.TableName{tn("child")}, Rows: large},
	}
}

type recorder struct {
	mu       sync.Mutex
	order    []string
	finish   activities.FinishInput
	restored []string
	many     int
	batches  int
	// ranged splits the parent table into this many key ranges.
	ranged   int
	finished []activities.RangesDoneInput
	// dests are the job's destinations (default: one, "dst"); fanOuts
	// records the FanOut of every copy activity, prepared and verified
	// the destinations of those steps, in order.
	dests    []string
	fanOuts  [][]int
	prepared []string
	verified []string
	// noUpdatePasses is the RunInfo's NoUpdatePasses; updatePasses counts
	// the RunUpdatePasses activities.
	noUpdatePasses bool
	updatePasses   int
	// finalizeTogether makes each Finalize wait (up to 10 s) until this
	// many Finalize activities have started.
	finalizeTogether int
	finalizing       int
	// reads makes the copies say they read their table (range) whole in
	// one attempt, all but table lonely and range 2 (resumed); verifyIns
	// are the Verify activities' inputs.
	reads     bool
	verifyIns []activities.VerifyInput
}

// finalize is the Finalize activity: it waits for finalizeTogether
// Finalize activities to be running at once, and fails when they never
// are (the destinations were finalized one after the other).
func (r *recorder) finalize(context.Context, activities.StepInput) error {
	r.mu.Lock()
	r.finalizing++
	r.mu.Unlock()
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		r.mu.Lock()
		n := r.finalizing
		r.mu.Unlock()
		if n >= r.finalizeTogether {
			return nil
		}
	}
	return temporal.NewNonRetryableApplicationError("the destinations were not finalized at the same time", "Test", nil)
}

func (r *recorder) fanOut(what string, in activities.StepInput) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.order = append(r.order, what)
	r.fanOuts = append(r.fanOuts, in.FanOut)
}

func (r *recorder) syncRange(_ context.Context, in activities.RangeInput) (*sqlsync.Checkpoint, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.order = append(r.order, fmt.Sprintf("%s#%d", in.Table.Table, in.Range.Index))
	return &sqlsync.Checkpoint{Table: in.Table, Range: &in.Range, Rows: 10, Done: true, WholeRead: r.reads && in.Range.Index != 2}, nil
}

func (r *recorder) finishRanges(_ context.Context, in activities.RangesDoneInput) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.order = append(r.order, in.Table.Table)
	r.finished = append(r.finished, in)
	return nil
}

func (r *recorder) syncTable(_ context.Context, in activities.TableInput) (*sqlsync.Checkpoint, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.order = append(r.order, in.Table.Table)
	return &sqlsync.Checkpoint{Table: in.Table, Rows: 10, Done: true, WholeRead: r.reads && in.Table.Table != "lonely"}, nil
}

func (r *recorder) syncBatch(_ context.Context, in activities.BatchInput) (*activities.BatchResult, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.batches++
	var res activities.BatchResult
	for _, t := range in.Tables {
		r.order = append(r.order, t.Table)
		res.Copied = append(res.Copied, 10)
		if in.WithRead {
			res.Read = append(res.Read, 10)
		}
	}
	return &res, nil
}

func setup(t *testing.T, rec *recorder, tableErr error) *testsuite.TestWorkflowEnvironment {
	var s testsuite.WorkflowTestSuite
	env := s.NewTestWorkflowEnvironment()
	env.RegisterWorkflow(DataSync)
	env.RegisterWorkflowWithOptions(DataSyncTables, workflow.RegisterOptions{Name: DataSyncTablesName})
	env.RegisterActivity(&activities.Activities{})
	dests := rec.dests
	if dests == nil {
		dests = []string{"dst"}
	}
	env.OnActivity(a.StartRun, mock.Anything, "job-1").Return(&activities.RunInfo{JobRunID: "run-1", JobID: "job-1", PlanDigest: "d1", Tables: rec.tables(), Destinations: dests, TableConcurrency: 2, NoUpdatePasses: rec.noUpdatePasses}, nil)
	env.OnActivity(a.PrepareDestination, mock.Anything, mock.Anything).Return(func(_ context.Context, in activities.StepInput) error {
		rec.mu.Lock()
		defer rec.mu.Unlock()
		rec.prepared = append(rec.prepared, in.DestinationName)
		if len(rec.order) > 0 {
			rec.order = append(rec.order, "prepare after copies")
		}
		return nil
	})
	env.OnActivity(a.FanOutTable, mock.Anything, mock.Anything).Return(func(ctx context.Context, in activities.TableInput) (*sqlsync.Checkpoint, error) {
		rec.fanOut(in.Table.Table, in.StepInput)
		return &sqlsync.Checkpoint{Table: in.Table, Rows: 10, Done: true}, nil
	})
	env.OnActivity(a.FanOutBatch, mock.Anything, mock.Anything).Return(func(ctx context.Context, in activities.BatchInput) (*activities.BatchResult, error) {
		rows := make([]int64, len(in.Tables))
		for i, t := range in.Tables {
			rec.fanOut(t.Table, in.StepInput)
			rows[i] = 10
		}
		rec.mu.Lock()
		rec.batches++
		rec.mu.Unlock()
		return &activities.BatchResult{Copied: rows}, nil
	})
	env.OnActivity(a.FanOutRange, mock.Anything, mock.Anything).Return(func(ctx context.Context, in activities.RangeInput) (*sqlsync.Checkpoint, error) {
		rec.fanOut(fmt.Sprintf("%s#%d", in.Table.Table, in.Range.Index), in.StepInput)
		return &sqlsync.Checkpoint{Table: in.Table, Range: &in.Range, Rows: 10, Done: true}, nil
	})
	if tableErr != nil {
		env.OnActivity(a.SyncTable, mock.Anything, mock.MatchedBy(func(in activities.TableInput) bool { return in.Table.Table == "child" })).Return(nil, tableErr)
	}
	env.OnActivity(a.SyncTable, mock.Anything, mock.Anything).Return(rec.syncTable)
	env.OnActivity(a.SyncTableBatch, mock.Anything, mock.Anything).Return(rec.syncBatch)
	env.OnActivity(a.SyncRange, mock.Anything, mock.Anything).Return(rec.syncRange)
	env.OnActivity(a.FinishRanges, mock.Anything, mock.Anything).Return(rec.finishRanges)
	env.OnActivity(a.RunUpdatePasses, mock.Anything, mock.Anything).Return(func(context.Context, activities.StepInput) error {
		rec.mu.Lock()
		defer rec.mu.Unlock()
		rec.updatePasses++
		return nil
	})
	env.OnActivity(a.Finalize, mock.Anything, mock.Anything).Return(rec.finalize)
	packed, err := activities.PackReport(&sqlsync.Report{Destination: "dst"})
	if err != nil {
		t.Fatal(err)
	}
	env.OnActivity(a.Verify, mock.Anything, mock.Anything).Return(func(_ context.Context, in activities.VerifyInput) (*activities.PackedReport, error) {
		rec.mu.Lock()
		defer rec.mu.Unlock()
		rec.verified = append(rec.verified, in.DestinationName)
		rec.verifyIns = append(rec.verifyIns, in)
		return packed, nil
	})
	env.OnActivity(a.RestoreDestination, mock.Anything, mock.Anything).Return(func(_ context.Context, in activities.StepInput) (string, error) {
		rec.mu.Lock()
		defer rec.mu.Unlock()
		rec.restored = append(rec.restored, in.DestinationName)
		return "destination dst is missing constraints: employees_email_key", nil
	})
	env.OnActivity(a.FinishRun, mock.Anything, mock.Anything).Return(func(_ context.Context, in activities.FinishInput) error {
		rec.finish = in
		return nil
	})
	return env
}

// tables is the recorder's table list: testTables unless set.
func (r *recorder) tables() []activities.TableRef {
	if r.many > 0 {
		var out []activities.TableRef
		for i := range r.many {
			t := activities.TableRef{Name: tn(fmt.Sprintf("t%04d", i))}
			if i%100 == 55 {
				t.Rows = 5_000_000 // a large table among small ones
			}
			if i%10 == 9 {
				t.DependsOn = []sqlschema.TableName{tn(fmt.Sprintf("t%04d", i-1))}
			}
			out = append(out, t)
		}
		return out
	}
	tables := testTables()
	if r.ranged > 0 {
		for i := range r.ranged {
			tables[0].Ranges = append(tables[0].Ranges, sqlsync.KeyRange{Index: i, Count: r.ranged})
		}
	}
	return tables
}

func index(order []string, s string) int {
	for i, o := range order {
		if o == s {
			return i
		}
	}
	return -1
}

func TestDataSyncOrdersTablesAndFinishes(t *testing.T) {
	t.Parallel()
	rec := &recorder{}
	env := setup(t, rec, nil)
	env.ExecuteWorkflow(DataSync, jobcontract.WorkflowInput{JobID: "job-1"})
	if !env.IsWorkflowCompleted() || env.GetWorkflowError() != nil {
		t.Fatalf("workflow: completed=%v err=%v", env.IsWorkflowCompleted(), env.GetWorkflowError())
	}
	var res jobcontract.WorkflowResult
	if err := env.GetWorkflowResult(&res); err != nil || res.Rows != 40 || res.JobRunID != "run-1" {
		t.Fatalf("result = %+v, %v", res, err)
	}
	if len(rec.order) != 4 || index(rec.order, "parent") > index(rec.order, "child") || index(rec.order, "child") > index(rec.order, "grandchild") {
		t.Fatalf("tables ran in order %v", rec.order)
	}
	if rec.finish.Status != activities.StatusComplete || len(rec.finish.Packed) != 1 {
		t.Fatalf("finish = %+v", rec.finish)
	}
	if len(rec.restored) != 0 {
		t.Fatalf("a complete run restored %v", rec.restored)
	}
}

// TestDataSyncSkipsEmptyUpdatePasses checks that a plan without update
// passes costs no update-pass activity, on one destination and on two fed
// from one read, while a plan with some still runs the step per
// destination.
func TestDataSyncSkipsEmptyUpdatePasses(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name  string
		none  bool
		dests []string
		want  int
	}{
		{"no update passes", true, nil, 0},
		{"no update passes, fan-out", true, []string{"a", "b"}, 0},
		{"update passes", false, nil, 1},
		{"update passes, fan-out", false, []string{"a", "b"}, 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			rec := &recorder{noUpdatePasses: tc.none, dests: tc.dests}
			env := setup(t, rec, nil)
			env.ExecuteWorkflow(DataSync, jobcontract.WorkflowInput{JobID: "job-1"})
			if !env.IsWorkflowCompleted() || env.GetWorkflowError() != nil {
				t.Fatalf("workflow: completed=%v err=%v", env.IsWorkflowCompleted(), env.GetWorkflowError())
			}
			if rec.updatePasses != tc.want {
				t.Fatalf("%d update-pass activities, want %d", rec.updatePasses, tc.want)
			}
			if rec.finish.Status != activities.StatusComplete {
				t.Fatalf("finish = %+v", rec.finish)
			}
		})
	}
}

// TestDataSyncFanOutFinishesDestinationsTogether checks that after a
// fan-out copy the destinations' steps run side by side: each Finalize
// waits for the other's to start, which a sequential run never does.
func TestDataSyncFanOutFinishesDestinationsTogether(t *testing.T) {
	t.Parallel()
	rec := &recorder{dests: []string{"a", "b"}, finalizeTogether: 2}
	env := setup(t, rec, nil)
	env.ExecuteWorkflow(DataSync, jobcontract.WorkflowInput{JobID: "job-1"})
	if !env.IsWorkflowCompleted() || env.GetWorkflowError() != nil {
		t.Fatalf("workflow: completed=%v err=%v", env.IsWorkflowCompleted(), env.GetWorkflowError())
	}
	if rec.finish.Status != activities.StatusComplete || len(rec.finish.Packed) != 2 || len(rec.verified) != 2 {
		t.Fatalf("finish = %+v, verified %v", rec.finish, rec.verified)
	}
}

// TestDataSyncLargeSchemaInChunks runs a schema of more than ChunkTables
// tables: every table is copied once, after the tables it depends on,
// through child workflows.
func TestDataSyncLargeSchemaInChunks(t *testing.T) {
	t.Parallel()
	rec := &recorder{many: 2*ChunkTables + 37}
	env := setup(t, rec, nil)
	env.ExecuteWorkflow(DataSync, jobcontract.WorkflowInput{JobID: "job-1"})
	if !env.IsWorkflowCompleted() || env.GetWorkflowError() != nil {
		t.Fatalf("workflow: completed=%v err=%v", env.IsWorkflowCompleted(), env.GetWorkflowError())
	}
	var res jobcontract.WorkflowResult
	if err := env.GetWorkflowResult(&res); err != nil || res.Rows != int64(10*rec.many) || res.Tables != rec.many {
		t.Fatalf("result = %+v, %v", res, err)
	}
	if len(rec.order) != rec.many {
		t.Fatalf("%d table copies for %d tables", len(rec.order), rec.many)
	}
	if rec.batches == 0 || rec.batches > rec.many/10 {
		t.Fatalf("%d batches for %d mostly small tables", rec.batches, rec.many)
	}
	for i := 9; i < rec.many; i += 10 {
		if index(rec.order, fmt.Sprintf("t%04d", i-1)) > index(rec.order, fmt.Sprintf("t%04d", i)) {
			t.Fatalf("t%04d copied before the table it depends on", i)
		}
	}
}

func TestDataSyncFailsWithTheTableAndReason(t *testing.T) {
	t.Parallel()
	rec := &recorder{}
	env := setup(t, rec, temporal.NewNonRetryableApplicationError("duplicate key value", activities.ErrTypeData, nil))
	env.ExecuteWorkflow(DataSync, jobcontract.WorkflowInput{JobID: "job-1"})
	if env.GetWorkflowError() == nil {
		t.Fatal("workflow succeeded despite a failed table")
	}
	if rec.finish.Status != activities.StatusFailed || rec.finish.Error != "table public.child: duplicate key value; destination dst is missing constraints: employees_email_key" {
		t.Fatalf("finish = %+v", rec.finish)
	}
	if index(rec.order, "grandchild") >= 0 {
		t.Fatalf("a table depending on the failed one ran: %v", rec.order)
	}
	if len(rec.restored) != 1 || rec.restored[0] != "dst" {
		t.Fatalf("restored %v, want the prepared destination", rec.restored)
	}
}

func TestDataSyncCanceled(t *testing.T) {
	t.Parallel()
	rec := &recorder{}
	var s testsuite.WorkflowTestSuite
	env := s.NewTestWorkflowEnvironment()
	env.RegisterWorkflow(DataSync)
	env.RegisterActivity(&activities.Activities{})
	env.OnActivity(a.StartRun, mock.Anything, "job-1").Return(&activities.RunInfo{JobRunID: "run-1", JobID: "job-1", Tables: testTables(), Destinations: []string{"dst"}}, nil)
	env.OnActivity(a.PrepareDestination, mock.Anything, mock.Anything).Return(nil)
	env.OnActivity(a.SyncTable, mock.Anything, mock.Anything).Return(func(ctx context.Context, in activities.TableInput) (*sqlsync.Checkpoint, error) {
		<-ctx.Done()
		return nil, ctx.Err()
	})
	env.OnActivity(a.RestoreDestination, mock.Anything, mock.Anything).Return(func(_ context.Context, in activities.StepInput) (string, error) {
		rec.restored = append(rec.restored, in.DestinationName)
		return "", nil
	})
	env.OnActivity(a.FinishRun, mock.Anything, mock.Anything).Return(func(_ context.Context, in activities.FinishInput) error {
		rec.finish = in
		return nil
	})
	env.RegisterDelayedCallback(env.CancelWorkflow, time.Second)
	env.ExecuteWorkflow(DataSync, jobcontract.WorkflowInput{JobID: "job-1"})
	var canceled *temporal.CanceledError
	if err := env.GetWorkflowError(); !errors.As(err, &canceled) {
		t.Fatalf("workflow error = %v, want a cancellation", err)
	}
	if rec.finish.Status != activities.StatusCanceled {
		t.Fatalf("finish = %+v, want canceled", rec.finish)
	}
	if len(rec.restored) != 1 {
		t.Fatalf("a canceled run restored %v, want its prepared destination", rec.restored)
	}
}

// TestPlanUnitsNeverWaitOnEachOther checks the batching rule: a small
// table that depends on a large table made after its batch opened starts a
// new batch, so no two units wait for each other, and every table is in
// exactly one unit.
func TestPlanUnitsNeverWaitOnEachOther(t *testing.T) {
	t.Parallel()
	tables := []activities.TableRef{
		{Name: tn("s1")},
		{Name: tn("big"), DependsOn: []sqlschema.TableName{tn("s1")}, Rows: 1_000_000},
		{Name: tn("s2")},
		{Name: tn("s3"), DependsOn: []sqlschema.TableName{tn("big")}},
		{Name: tn("s4"), DependsOn: []sqlschema.TableName{tn("s3")}},
	}
	units := planUnits(tables)
	seen := map[int]int{}
	for ui, u := range units {
		for _, i := range u.tables {
			seen[i]++
		}
		for _, d := range u.deps {
			if d >= ui {
				t.Fatalf("unit %d (%v) depends on a later or the same unit %d: %+v", ui, u.tables, d, units)
			}
		}
	}
	if len(seen) != len(tables) {
		t.Fatalf("units cover %d of %d tables: %+v", len(seen), len(tables), units)
	}
	for i, n := range seen {
		if n != 1 {
			t.Fatalf("table %d in %d units", i, n)
		}
	}
	// s1 and s2 share a batch; big is alone; s3 and s4 share a new batch.
	if len(units) != 3 || len(units[0].tables) != 2 || units[1].batch || len(units[2].tables) != 2 {
		t.Fatalf("units = %+v", units)
	}
}

// TestDataSyncKeyRanges runs a table split into key ranges: one activity
// per range, all before the table's dependents, the table recorded once
// with the ranges' rows together, and the run's rows counted once.
func TestDataSyncKeyRanges(t *testing.T) {
	t.Parallel()
	rec := &recorder{ranged: 4}
	env := setup(t, rec, nil)
	env.ExecuteWorkflow(DataSync, jobcontract.WorkflowInput{JobID: "job-1"})
	if !env.IsWorkflowCompleted() || env.GetWorkflowError() != nil {
		t.Fatalf("workflow: completed=%v err=%v", env.IsWorkflowCompleted(), env.GetWorkflowError())
	}
	var res jobcontract.WorkflowResult
	if err := env.GetWorkflowResult(&res); err != nil || res.Rows != 70 {
		t.Fatalf("result = %+v, %v; want 70 rows (4 ranges of 10 and 3 tables of 10)", res, err)
	}
	for i := range 4 {
		if k := index(rec.order, fmt.Sprintf("parent#%d", i)); k < 0 || k > index(rec.order, "parent") {
			t.Fatalf("range %d ran at %d, the table finished at %d: %v", i, k, index(rec.order, "parent"), rec.order)
		}
	}
	if index(rec.order, "parent") > index(rec.order, "child") {
		t.Fatalf("child ran before its parent's ranges were done: %v", rec.order)
	}
	if len(rec.finished) != 1 || rec.finished[0].Rows != 40 || rec.finished[0].Ranges != 4 {
		t.Fatalf("FinishRanges got %+v; want once, 40 rows, 4 ranges", rec.finished)
	}
}

// TestDataSyncFansOutToDestinations runs a job with two database
// destinations: both are prepared before any copy, every table, batch
// and key range is copied once by a fan-out activity that writes both,
// and each destination then gets its own verification.
func TestDataSyncFansOutToDestinations(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		rec  *recorder
		want int
	}{
		{"tables and key ranges", &recorder{ranged: 3, dests: []string{"a", "b"}}, 3 + 3},
		{"batches in child workflows", &recorder{many: ChunkTables + 11, dests: []string{"a", "b"}}, ChunkTables + 11},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec := tc.rec
			env := setup(t, rec, nil)
			env.ExecuteWorkflow(DataSync, jobcontract.WorkflowInput{JobID: "job-1"})
			if !env.IsWorkflowCompleted() || env.GetWorkflowError() != nil {
				t.Fatalf("workflow: completed=%v err=%v", env.IsWorkflowCompleted(), env.GetWorkflowError())
			}
			for i, o := range rec.order {
				if o == "prepare after copies" {
					t.Fatalf("a destination was prepared after copies began: %v", rec.order[:i+1])
				}
			}
			if len(rec.fanOuts) != tc.want {
				t.Fatalf("%d fan-out copies, want %d (one per table or range): %v", len(rec.fanOuts), tc.want, rec.order)
			}
			for _, f := range rec.fanOuts {
				if len(f) != 2 || f[0] != 0 || f[1] != 1 {
					t.Fatalf("a copy wrote destinations %v, want [0 1]", f)
				}
			}
			// The destinations are verified side by side, in any order.
			if fmt.Sprint(rec.prepared) != "[a b]" || fmt.Sprint(slices.Sorted(slices.Values(rec.verified))) != "[a b]" {
				t.Fatalf("prepared %v, verified %v", rec.prepared, rec.verified)
			}
			if len(rec.finish.Packed) != 2 || rec.finish.Status != activities.StatusComplete {
				t.Fatalf("finish = %+v", rec.finish)
			}
			if rec.ranged > 0 && len(rec.finished) != 1 || rec.ranged > 0 && fmt.Sprint(rec.finished[0].FanOutNames) != "[a b]" {
				t.Fatalf("ranges finished %+v", rec.finished)
			}
		})
	}
}

// TestDataSyncHandsVerifyTheCopiesReads: Verify gets, per table, the
// source rows the copies read, from the copy activities' results — a
// whole table's rows when its copy read it whole in one attempt, a ranged
// table's ranges so read together, with its other (resumed) ranges to
// count — and -1 where unknown (a resumed table), also through the
// child workflows of a large schema, where tables copied in batches give
// their reads too.
func TestDataSyncHandsVerifyTheCopiesReads(t *testing.T) {
	t.Parallel()
	rec := &recorder{ranged: 4, reads: true}
	env := setup(t, rec, nil)
	env.ExecuteWorkflow(DataSync, jobcontract.WorkflowInput{JobID: "job-1"})
	if !env.IsWorkflowCompleted() || env.GetWorkflowError() != nil {
		t.Fatalf("workflow: completed=%v err=%v", env.IsWorkflowCompleted(), env.GetWorkflowError())
	}
	if len(rec.verifyIns) != 1 {
		t.Fatalf("%d Verify activities", len(rec.verifyIns))
	}
	in := rec.verifyIns[0]
	// parent: ranges 0, 1, 3 read (30 rows), range 2 resumed; lonely
	// resumed; child and grandchild read.
	if fmt.Sprint(in.Read) != "[30 -1 10 10]" || len(in.Recount) != 1 || in.Recount[0].Table != 0 ||
		len(in.Recount[0].Ranges) != 1 || in.Recount[0].Ranges[0].Index != 2 || fmt.Sprint(in.Copied) != "[40 10 10 10]" {
		t.Fatalf("Verify got read %v, recount %+v, copied %v; want read [30 -1 10 10], range 2 of table 0 to count, copied [40 10 10 10]", in.Read, in.Recount, in.Copied)
	}

	rec = &recorder{many: ChunkTables + 60, reads: true}
	env = setup(t, rec, nil)
	env.ExecuteWorkflow(DataSync, jobcontract.WorkflowInput{JobID: "job-1"})
	if !env.IsWorkflowCompleted() || env.GetWorkflowError() != nil {
		t.Fatalf("workflow: completed=%v err=%v", env.IsWorkflowCompleted(), env.GetWorkflowError())
	}
	in = rec.verifyIns[0]
	if len(in.Read) != rec.many || len(in.Copied) != rec.many {
		t.Fatalf("Verify got %d reads and %d copied counts for %d tables", len(in.Read), len(in.Copied), rec.many)
	}
	for i, n := range in.Read {
		// Tables t0055, t0155, … are large (SyncTable), the others
		// small (copied in batches).
		if n != 10 {
			t.Fatalf("read of t%04d: %d, want 10", i, n)
		}
	}
}

// TestTablesResultEncoding: the result of DataSyncTables and of a batch
// (activities.CopiedRows) is encoded as the list of copied rows alone
// (the form recorded before Read existed) unless it carries Read, and
// decodes from either form.
func TestTablesResultEncoding(t *testing.T) {
	t.Parallel()
	old, err := json.Marshal(TablesResult{Copied: []int64{1, 2}})
	if err != nil || string(old) != "[1,2]" {
		t.Fatalf("without Read: %s, %v; want [1,2]", old, err)
	}
	with := TablesResult{Copied: []int64{1, 2}, Read: []int64{1, -1}, Recount: []activities.RangeRecount{{Table: 1, Ranges: []sqlsync.KeyRange{{Index: 3, Count: 4}}}}}
	b, err := json.Marshal(with)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		in   []byte
		want TablesResult
	}{{old, TablesResult{Copied: []int64{1, 2}}}, {b, with}} {
		var got TablesResult
		if err := json.Unmarshal(tc.in, &got); err != nil || fmt.Sprint(got) != fmt.Sprint(tc.want) {
			t.Fatalf("decode %s: %+v, %v; want %+v", tc.in, got, err, tc.want)
		}
	}
}

func TestGenerateBatches(t *testing.T) {
	ref := func(name string, rows int64) activities.GenerateTableRef {
		return activities.GenerateTableRef{Name: sqlschema.TableName{Schema: "public", Table: name}, Rows: rows}
	}
	names := func(batches [][]sqlschema.TableName) [][]string {
		var out [][]string
		for _, b := range batches {
			var bs []string
			for _, t := range b {
				bs = append(bs, t.Table)
			}
			out = append(out, bs)
		}
		return out
	}
	var many []activities.GenerateTableRef
	for i := range 2*GenerateBatchTables + 1 {
		many = append(many, ref(fmt.Sprintf("t%d", i), 10))
	}
	if got := generateBatches(many); len(got) != 3 || len(got[0]) != GenerateBatchTables || len(got[2]) != 1 || got[2][0].Table != "t200" {
		t.Fatalf("201 small tables: %d batches of %d, %d, … tables", len(got), len(got[0]), len(got[1]))
	}
	// Order is kept; a table over the row budget is a batch of its own,
	// and the rows of a batch stay within the budget.
	got := names(generateBatches([]activities.GenerateTableRef{
		ref("a", 10), ref("big", GenerateBatchRows+1), ref("b", GenerateBatchRows/2), ref("c", GenerateBatchRows/2), ref("d", 1),
	}))
	want := [][]string{{"a"}, {"big"}, {"b", "c"}, {"d"}}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("batches %v, want %v", got, want)
	}
	if got := generateBatches(nil); got != nil {
		t.Fatalf("no tables: %v", got)
	}
}
