package workflows

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/mock"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"

	"github.com/neosyncio/neosync/backend/pkg/jobcontract"
	"github.com/neosyncio/neosync/backend/pkg/sqlschema"
	"github.com/neosyncio/neosync/backend/pkg/sqlsync"
	"github.com/neosyncio/neosync/backend/pkg/syncplan"
	"github.com/neosyncio/neosync/worker/internal/activities"
)

func tn(t string) sqlschema.TableName { return sqlschema.TableName{Schema: "public", Table: t} }

// plan: parent ← child ← grandchild, and an independent table.
func testPlan() *syncplan.Plan {
	return &syncplan.Plan{Tables: []syncplan.Table{
		{Name: tn("parent")},
		{Name: tn("lonely")},
		{Name: tn("child"), DependsOn: []sqlschema.TableName{tn("parent")}},
		{Name: tn("grandchild"), DependsOn: []sqlschema.TableName{tn("child")}},
	}}
}

type recorder struct {
	mu     sync.Mutex
	order  []string
	finish activities.FinishInput
}

func (r *recorder) syncTable(_ context.Context, in activities.TableInput) (*sqlsync.Checkpoint, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.order = append(r.order, in.Table.Table)
	return &sqlsync.Checkpoint{Table: in.Table, Rows: 10, Done: true}, nil
}

func setup(t *testing.T, rec *recorder, tableErr error) *testsuite.TestWorkflowEnvironment {
	var s testsuite.WorkflowTestSuite
	env := s.NewTestWorkflowEnvironment()
	env.RegisterWorkflow(DataSync)
	env.RegisterActivity(&activities.Activities{})
	env.OnActivity(a.StartRun, mock.Anything, "job-1").Return(&activities.RunInfo{JobRunID: "run-1", JobID: "job-1", Plan: testPlan(), Destinations: []string{"dst"}, TableConcurrency: 2}, nil)
	env.OnActivity(a.PrepareDestination, mock.Anything, mock.Anything).Return(nil)
	if tableErr != nil {
		env.OnActivity(a.SyncTable, mock.Anything, mock.MatchedBy(func(in activities.TableInput) bool { return in.Table.Table == "child" })).Return(nil, tableErr)
	}
	env.OnActivity(a.SyncTable, mock.Anything, mock.Anything).Return(rec.syncTable)
	env.OnActivity(a.RunUpdatePasses, mock.Anything, mock.Anything).Return(nil)
	env.OnActivity(a.Finalize, mock.Anything, mock.Anything).Return(nil)
	env.OnActivity(a.Verify, mock.Anything, mock.Anything).Return(&sqlsync.Report{Destination: "dst"}, nil)
	env.OnActivity(a.FinishRun, mock.Anything, mock.Anything).Return(func(_ context.Context, in activities.FinishInput) error {
		rec.finish = in
		return nil
	})
	return env
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
	if rec.finish.Status != activities.StatusComplete || len(rec.finish.Reports) != 1 {
		t.Fatalf("finish = %+v", rec.finish)
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
	if rec.finish.Status != activities.StatusFailed || rec.finish.Error != "table public.child: duplicate key value" {
		t.Fatalf("finish = %+v", rec.finish)
	}
	if index(rec.order, "grandchild") >= 0 {
		t.Fatalf("a table depending on the failed one ran: %v", rec.order)
	}
}

func TestDataSyncCanceled(t *testing.T) {
	t.Parallel()
	rec := &recorder{}
	var s testsuite.WorkflowTestSuite
	env := s.NewTestWorkflowEnvironment()
	env.RegisterWorkflow(DataSync)
	env.RegisterActivity(&activities.Activities{})
	env.OnActivity(a.StartRun, mock.Anything, "job-1").Return(&activities.RunInfo{JobRunID: "run-1", JobID: "job-1", Plan: testPlan(), Destinations: []string{"dst"}}, nil)
	env.OnActivity(a.PrepareDestination, mock.Anything, mock.Anything).Return(nil)
	env.OnActivity(a.SyncTable, mock.Anything, mock.Anything).Return(func(ctx context.Context, in activities.TableInput) (*sqlsync.Checkpoint, error) {
		<-ctx.Done()
		return nil, ctx.Err()
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
}
