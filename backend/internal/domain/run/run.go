// Package run triggers, schedules, lists, cancels and terminates job runs,
// and records what workers report about them.
//
// Runs live in the API's Postgres: the API inserts a pending run when it
// triggers one, the worker marks it running, reports per-table progress and
// events, and finishes it with a status and the verification report. The
// workflow engine (Temporal) is behind the Engine interface, so this package
// knows nothing about it beyond workflow ids. When a worker dies without
// finishing a run, reads reconcile the run with the engine's view.
package run

import (
	"context"
	"time"

	"github.com/google/uuid"

	"github.com/neosyncio/neosync/backend/pkg/jobcontract"
)

// Status is a run's lifecycle state.
type Status string

// Statuses.
const (
	StatusPending    Status = "pending"
	StatusRunning    Status = "running"
	StatusComplete   Status = "complete"
	StatusFailed     Status = "failed"
	StatusCanceled   Status = "canceled"
	StatusTerminated Status = "terminated"
)

// Terminal reports whether s is final.
func (s Status) Terminal() bool { return s != StatusPending && s != StatusRunning }

// TableProgress is one table's progress within a run.
type TableProgress struct {
	// Destination names the destination connection the table is written
	// to ("" for generate jobs); a table has one entry per destination.
	Destination   string
	Schema, Table string
	// State is pending, running, complete or failed.
	State        string
	RowsDone     int64
	RowsExpected int64
	Error        *string
	StartedAt    *time.Time
	CompletedAt  *time.Time
	// RangesTotal is the number of key ranges the table is copied in (0:
	// whole), RangesDone those complete.
	RangesTotal, RangesDone int32
	// RangeIndex, in a worker's report, names the one range State and
	// RowsDone are about (see Service.ReportTable).
	RangeIndex *int32
}

// Run is one execution of a job.
type Run struct {
	ID          uuid.UUID
	JobID       uuid.UUID
	AccountID   uuid.UUID
	WorkflowID  string
	Status      Status
	Error       *string
	Report      map[string]any
	CreatedAt   time.Time
	StartedAt   *time.Time
	CompletedAt *time.Time
	Tables      []TableProgress
}

// Event is one entry of a run's log.
type Event struct {
	ID            int64
	Time          time.Time
	Level         string
	Message       string
	Schema, Table *string
}

// WorkflowState is the engine's view of a workflow.
type WorkflowState string

// Workflow states.
const (
	WorkflowRunning    WorkflowState = "running"
	WorkflowCompleted  WorkflowState = "completed"
	WorkflowFailed     WorkflowState = "failed"
	WorkflowCanceled   WorkflowState = "canceled"
	WorkflowTerminated WorkflowState = "terminated"
	WorkflowTimedOut   WorkflowState = "timed_out"
	WorkflowNotFound   WorkflowState = "not_found"
)

// StartOptions bound a workflow.
type StartOptions struct {
	RunTimeout time.Duration
}

// Engine starts and controls workflows (Temporal in production).
type Engine interface {
	Start(ctx context.Context, workflowName, workflowID string, in jobcontract.WorkflowInput, o StartOptions) error
	Cancel(ctx context.Context, workflowID string) error
	Terminate(ctx context.Context, workflowID, reason string) error
	// State reads a workflow's state and, once it has ended, why: the
	// failure's root message or the termination's reason ("" when it
	// completed or the engine does not say).
	State(ctx context.Context, workflowID string) (WorkflowState, string, error)
}
