// Package scheduler drives Temporal for the API: it starts, cancels and
// terminates run workflows by name (the names come from pkg/jobcontract; the
// API never imports worker code), reads a workflow's state for
// reconciliation, and keeps one Temporal Schedule per job in step with the
// job's cron expression and paused flag.
package scheduler

import (
	"context"
	"errors"
	"fmt"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"

	"github.com/neosyncio/neosync/backend/internal/domain"
	"github.com/neosyncio/neosync/backend/internal/domain/job"
	"github.com/neosyncio/neosync/backend/internal/domain/run"
	"github.com/neosyncio/neosync/backend/pkg/jobcontract"
)

// Temporal implements run.Engine and job.Scheduler over a Temporal client.
type Temporal struct {
	client    client.Client
	taskQueue string
	hostPort  string
}

// New returns a Temporal scheduler for the task queue workers poll.
func New(c client.Client, taskQueue, hostPort string) *Temporal {
	return &Temporal{client: c, taskQueue: taskQueue, hostPort: hostPort}
}

var (
	_ run.Engine    = (*Temporal)(nil)
	_ job.Scheduler = (*Temporal)(nil)
)

func (t *Temporal) unavailable(what string, err error) error {
	if errors.Is(err, context.Canceled) {
		return err
	}
	return &domain.UnavailableError{Reason: fmt.Sprintf("workflow engine (Temporal at %s): %s: %v", t.hostPort, what, err)}
}

func isNotFound(err error) bool {
	var nf *serviceerror.NotFound
	return errors.As(err, &nf)
}

// Start starts a run workflow; a duplicate workflow id is refused.
func (t *Temporal) Start(ctx context.Context, workflowName, workflowID string, in jobcontract.WorkflowInput, o run.StartOptions) error {
	_, err := t.client.ExecuteWorkflow(ctx, client.StartWorkflowOptions{
		ID:                       workflowID,
		TaskQueue:                t.taskQueue,
		WorkflowRunTimeout:       o.RunTimeout,
		WorkflowIDReusePolicy:    enumspb.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE,
		WorkflowIDConflictPolicy: enumspb.WORKFLOW_ID_CONFLICT_POLICY_FAIL,
	}, workflowName, in)
	if err != nil {
		return t.unavailable("start workflow", err)
	}
	return nil
}

// Cancel requests graceful cancellation.
func (t *Temporal) Cancel(ctx context.Context, workflowID string) error {
	if err := t.client.CancelWorkflow(ctx, workflowID, ""); err != nil && !isNotFound(err) {
		return t.unavailable("cancel workflow", err)
	}
	return nil
}

// Terminate stops a workflow immediately.
func (t *Temporal) Terminate(ctx context.Context, workflowID, reason string) error {
	if err := t.client.TerminateWorkflow(ctx, workflowID, "", reason); err != nil && !isNotFound(err) {
		return t.unavailable("terminate workflow", err)
	}
	return nil
}

// State reads a workflow's status and, for one that ended without
// completing, the reason Temporal recorded in its closing event.
func (t *Temporal) State(ctx context.Context, workflowID string) (run.WorkflowState, string, error) {
	desc, err := t.client.DescribeWorkflow(ctx, workflowID, "")
	if isNotFound(err) {
		return run.WorkflowNotFound, "", nil
	}
	if err != nil {
		return "", "", t.unavailable("describe workflow", err)
	}
	var state run.WorkflowState
	switch desc.RawResponse.GetWorkflowExecutionInfo().GetStatus() {
	case enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING, enumspb.WORKFLOW_EXECUTION_STATUS_CONTINUED_AS_NEW:
		return run.WorkflowRunning, "", nil
	case enumspb.WORKFLOW_EXECUTION_STATUS_COMPLETED:
		return run.WorkflowCompleted, "", nil
	case enumspb.WORKFLOW_EXECUTION_STATUS_CANCELED:
		state = run.WorkflowCanceled
	case enumspb.WORKFLOW_EXECUTION_STATUS_TERMINATED:
		state = run.WorkflowTerminated
	case enumspb.WORKFLOW_EXECUTION_STATUS_TIMED_OUT:
		state = run.WorkflowTimedOut
	default:
		state = run.WorkflowFailed
	}
	return state, t.closeReason(ctx, workflowID), nil
}

// closeReason reads why a workflow ended from its closing event: the root
// cause of a failure (the message the workflow failed with, without
// Temporal's wrapping) or the reason given for a termination.
func (t *Temporal) closeReason(ctx context.Context, workflowID string) string {
	iter := t.client.GetWorkflowHistory(ctx, workflowID, "", false, enumspb.HISTORY_EVENT_FILTER_TYPE_CLOSE_EVENT)
	for iter.HasNext() {
		e, err := iter.Next()
		if err != nil {
			return ""
		}
		if a := e.GetWorkflowExecutionTerminatedEventAttributes(); a != nil {
			return a.GetReason()
		}
		if a := e.GetWorkflowExecutionFailedEventAttributes(); a != nil {
			f := a.GetFailure()
			msg := f.GetMessage()
			// An activity failure's own message is generic ("activity
			// error"); the cause carries what went wrong.
			for f.GetActivityFailureInfo() != nil || f.GetChildWorkflowExecutionFailureInfo() != nil {
				if f.GetCause() == nil {
					break
				}
				f = f.GetCause()
				msg = f.GetMessage()
			}
			return msg
		}
		if e.GetWorkflowExecutionTimedOutEventAttributes() != nil {
			return "the run exceeded its time limit (workflow run timeout)"
		}
	}
	return ""
}

func (t *Temporal) action(j job.Job) *client.ScheduleWorkflowAction {
	return &client.ScheduleWorkflowAction{
		ID:                 jobcontract.ScheduledWorkflowIDPrefix(j.ID.String()),
		Workflow:           jobcontract.WorkflowName(string(j.Type)),
		Args:               []any{jobcontract.WorkflowInput{JobID: j.ID.String()}},
		TaskQueue:          t.taskQueue,
		WorkflowRunTimeout: j.Definition.WorkflowOptions.RunTimeout,
	}
}

// SyncSchedule makes the job's Temporal Schedule match its cron and paused
// flag: created, updated or deleted. old is the job before the change (nil
// for a new job), so jobs that never had a schedule never touch Temporal.
func (t *Temporal) SyncSchedule(ctx context.Context, old *job.Job, j job.Job) error {
	id := jobcontract.ScheduleID(j.ID.String())
	handle := t.client.ScheduleClient().GetHandle(ctx, id)
	if j.CronSchedule == nil {
		if old == nil || old.CronSchedule == nil {
			return nil
		}
		if err := handle.Delete(ctx); err != nil && !isNotFound(err) {
			return t.unavailable("delete schedule", err)
		}
		return nil
	}
	spec := client.ScheduleSpec{CronExpressions: []string{*j.CronSchedule}}
	_, err := handle.Describe(ctx)
	if isNotFound(err) {
		_, err = t.client.ScheduleClient().Create(ctx, client.ScheduleOptions{
			ID: id, Spec: spec, Action: t.action(j), Paused: j.Paused,
			Overlap: enumspb.SCHEDULE_OVERLAP_POLICY_SKIP, Note: "managed by Neosync",
		})
		if err != nil {
			return t.unavailable("create schedule", err)
		}
		return nil
	}
	if err != nil {
		return t.unavailable("describe schedule", err)
	}
	err = handle.Update(ctx, client.ScheduleUpdateOptions{DoUpdate: func(in client.ScheduleUpdateInput) (*client.ScheduleUpdate, error) {
		s := in.Description.Schedule
		s.Spec = &spec
		s.Action = t.action(j)
		if s.State == nil {
			s.State = &client.ScheduleState{}
		}
		s.State.Paused = j.Paused
		if s.Policy == nil {
			s.Policy = &client.SchedulePolicies{}
		}
		s.Policy.Overlap = enumspb.SCHEDULE_OVERLAP_POLICY_SKIP
		return &client.ScheduleUpdate{Schedule: &s}, nil
	}})
	if err != nil {
		return t.unavailable("update schedule", err)
	}
	return nil
}

// DeleteSchedule removes the job's schedule when it has one.
func (t *Temporal) DeleteSchedule(ctx context.Context, j job.Job) error {
	if j.CronSchedule == nil {
		return nil
	}
	err := t.client.ScheduleClient().GetHandle(ctx, jobcontract.ScheduleID(j.ID.String())).Delete(ctx)
	if err != nil && !isNotFound(err) {
		return t.unavailable("delete schedule", err)
	}
	return nil
}
