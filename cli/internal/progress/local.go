package progress

import (
	"context"
	"sync"
	"time"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/timestamppb"

	mgmtv1alpha1 "github.com/neosyncio/neosync/backend/gen/go/protos/mgmt/v1alpha1"
)

// Local is the progress of work the CLI does itself (`neosync sync`),
// kept as the same snapshots a job run reports so the live and plain
// views show it unchanged. Its methods are safe for concurrent use.
type Local struct {
	mu     sync.Mutex
	run    *mgmtv1alpha1.JobRun
	tables map[string]*mgmtv1alpha1.JobRunTableProgress
	now    func() time.Time
}

// NewLocal starts a local run named title (shown where a run's label
// goes) over tables, in order, given as schema and table pairs, each with
// its expected row count (0: unknown).
func NewLocal(title string, tables []LocalTable, now func() time.Time) *Local {
	if now == nil {
		now = time.Now
	}
	l := &Local{now: now, tables: map[string]*mgmtv1alpha1.JobRunTableProgress{},
		run: &mgmtv1alpha1.JobRun{Name: title, Status: mgmtv1alpha1.JobRunStatus_JOB_RUN_STATUS_RUNNING, StartedAt: timestamppb.New(now())}}
	for _, t := range tables {
		tp := &mgmtv1alpha1.JobRunTableProgress{Schema: t.Schema, Table: t.Table, State: "pending", RowsExpected: t.Rows}
		l.run.Tables = append(l.run.Tables, tp)
		l.tables[tableKey(tp)] = tp
	}
	return l
}

// LocalTable is one table of a local run.
type LocalTable struct {
	Schema, Table string
	// Rows is the expected row count (0: unknown).
	Rows int64
}

func (l *Local) table(schema, table string) *mgmtv1alpha1.JobRunTableProgress {
	return l.tables[tableKey(&mgmtv1alpha1.JobRunTableProgress{Schema: schema, Table: table})]
}

// Start marks a table running.
func (l *Local) Start(schema, table string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if tp := l.table(schema, table); tp != nil && tp.State == "pending" {
		tp.State, tp.StartedAt = "running", timestamppb.New(l.now())
	}
}

// Rows records a table's rows done so far; done marks it complete.
func (l *Local) Rows(schema, table string, rows int64, done bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	tp := l.table(schema, table)
	if tp == nil {
		return
	}
	if tp.StartedAt == nil {
		tp.StartedAt = timestamppb.New(l.now())
	}
	tp.RowsDone = max(tp.RowsDone, rows)
	switch {
	case done:
		tp.State, tp.CompletedAt = "complete", timestamppb.New(l.now())
	case tp.State == "pending":
		tp.State = "running"
	}
}

// Finish ends the run: complete when err is nil, failed otherwise (a
// table still running is marked failed with the error).
func (l *Local) Finish(err error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.run.CompletedAt = timestamppb.New(l.now())
	if err == nil {
		l.run.Status = mgmtv1alpha1.JobRunStatus_JOB_RUN_STATUS_COMPLETE
		return
	}
	l.run.Status = mgmtv1alpha1.JobRunStatus_JOB_RUN_STATUS_FAILED
	msg := err.Error()
	l.run.Error = &msg
	for _, tp := range l.run.Tables {
		if tp.State == "running" {
			tp.State, tp.Error = "failed", &msg
		}
	}
}

// Snapshot returns a copy of the run as it is now.
func (l *Local) Snapshot() *mgmtv1alpha1.JobRun {
	l.mu.Lock()
	defer l.mu.Unlock()
	return proto.Clone(l.run).(*mgmtv1alpha1.JobRun)
}

// Show draws the run with r every interval until ctx ends, then returns;
// the caller draws the final snapshot with r.Done.
func (l *Local) Show(ctx context.Context, r Renderer, interval time.Duration) error {
	ticker := time.NewTicker(interval)
	defer ticker.Stop()
	for {
		if err := r.Update(l.Snapshot(), l.now()); err != nil {
			return err
		}
		select {
		case <-ctx.Done():
			return nil
		case <-ticker.C:
		}
	}
}
