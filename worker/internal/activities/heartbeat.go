package activities

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/activity"

	"github.com/neosyncio/neosync/worker/internal/runlog"
)

// Every activity heartbeats while it runs — table copies with their
// checkpoint, steps (prepare, update passes, finalize, verify) with the
// statement they are on — so Temporal notices a dead worker within one
// heartbeat timeout and hands the work to a live one. A long statement (an
// index build, a constraint validation) does not stop the heartbeat: a
// ticker repeats the latest details until the activity returns.

// heartbeater repeats an activity's latest heartbeat details on a timer.
type heartbeater struct {
	ctx     context.Context
	mu      sync.Mutex
	details any
	stop    chan struct{}
	done    sync.WaitGroup
}

// heartbeatEvery is how often the ticker heartbeats for a heartbeat
// timeout: a third of it, between 1 s and 10 s.
func heartbeatEvery(timeout time.Duration) time.Duration {
	if timeout <= 0 {
		return 10 * time.Second
	}
	return min(max(timeout/3, time.Second), 10*time.Second)
}

// keepAlive starts heartbeating ctx's activity with details (nil for none)
// until the returned heartbeater is stopped.
func keepAlive(ctx context.Context, details any) *heartbeater {
	h := &heartbeater{ctx: ctx, details: details, stop: make(chan struct{})}
	every := heartbeatEvery(activity.GetInfo(ctx).HeartbeatTimeout)
	h.beat()
	h.done.Add(1)
	go func() {
		defer h.done.Done()
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			select {
			case <-h.stop:
				return
			case <-ctx.Done():
				return
			case <-t.C:
				h.beat()
			}
		}
	}()
	return h
}

func (h *heartbeater) beat() {
	h.mu.Lock()
	d := h.details
	h.mu.Unlock()
	if d == nil {
		activity.RecordHeartbeat(h.ctx)
		return
	}
	activity.RecordHeartbeat(h.ctx, d)
}

// set replaces the details and heartbeats them now.
func (h *heartbeater) set(details any) {
	h.mu.Lock()
	h.details = details
	h.mu.Unlock()
	h.beat()
}

// Stop ends the ticker.
func (h *heartbeater) Stop() {
	close(h.stop)
	h.done.Wait()
}

// StepBeat is a step activity's heartbeat details: what it is doing.
type StepBeat struct {
	Step    string `json:"step"`
	Attempt int32  `json:"attempt"`
	Doing   string `json:"doing,omitempty"`
}

// announceAttempt records in the run's events that a step or table starts
// again, and why its previous attempt ended: the worker was lost (no
// heartbeat), the time limit passed, or the error it returned.
func (a *Activities) announceAttempt(ctx context.Context, runID, what string) {
	info := activity.GetInfo(ctx)
	if info.Attempt <= 1 {
		return
	}
	why := a.previousAttempt(ctx)
	a.event(ctx, runID, "warn", fmt.Sprintf("%s: attempt %d; the previous attempt ended: %s", what, info.Attempt, why), nil)
}

// previousAttempt says why the current activity's previous attempt ended,
// from the workflow's pending-activity record in Temporal.
func (a *Activities) previousAttempt(ctx context.Context) string {
	const unknown = "the worker running it stopped or returned an error (see the events above)"
	if a.Temporal == nil {
		return unknown
	}
	info := activity.GetInfo(ctx)
	dctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	desc, err := a.Temporal.DescribeWorkflowExecution(dctx, info.WorkflowExecution.ID, info.WorkflowExecution.RunID)
	if err != nil {
		return unknown
	}
	for _, p := range desc.GetPendingActivities() {
		if p.GetActivityId() != info.ActivityID {
			continue
		}
		f := p.GetLastFailure()
		if f == nil {
			return unknown
		}
		if t := f.GetTimeoutFailureInfo(); t != nil {
			switch t.GetTimeoutType() {
			case enumspb.TIMEOUT_TYPE_HEARTBEAT:
				// The pending activity names the worker of this attempt by
				// now, not the lost one's.
				return fmt.Sprintf("worker lost (no heartbeat for %s)", info.HeartbeatTimeout)
			case enumspb.TIMEOUT_TYPE_START_TO_CLOSE:
				return "it ran past its time limit (start-to-close " + info.StartToCloseTimeout.String() + ")"
			}
			return "timed out (" + t.GetTimeoutType().String() + ")"
		}
		if f.GetMessage() != "" {
			return f.GetMessage()
		}
		return unknown
	}
	return unknown
}

// doing names the statement a step is on in its heartbeat.
func (h *heartbeater) doing(what string) {
	h.mu.Lock()
	b, ok := h.details.(StepBeat)
	h.mu.Unlock()
	if ok {
		b.Doing = what
		h.set(b)
	}
}

type beaterKey struct{}

// beaterFrom returns the heartbeater runStep put in ctx, or nil.
func beaterFrom(ctx context.Context) *heartbeater {
	h, _ := ctx.Value(beaterKey{}).(*heartbeater)
	return h
}

// runStep runs a step activity body with a heartbeat that names the step
// (and, through the context, the statement it is on), records the step's
// start in the run's events, and announces a retry first.
func (a *Activities) runStep(ctx context.Context, runID, step string, fn func(ctx context.Context) error) error {
	ctx = runlog.WithRun(ctx, runID)
	started := time.Now()
	a.announceAttempt(ctx, runID, step)
	if activity.GetInfo(ctx).Attempt <= 1 {
		a.event(ctx, runID, "info", step, nil)
	}
	h := keepAlive(ctx, StepBeat{Step: step, Attempt: activity.GetInfo(ctx).Attempt})
	defer h.Stop()
	err := fn(context.WithValue(ctx, beaterKey{}, h))
	if err != nil && !errors.Is(err, context.Canceled) && activity.GetInfo(ctx).Attempt < maxAttempts(ctx) && !isNonRetryable(err) {
		a.event(ctx, runID, "warn", fmt.Sprintf("%s: attempt %d failed, will retry: %v", step, activity.GetInfo(ctx).Attempt, err), nil)
	}
	if err == nil {
		a.Logger.InfoContext(ctx, "step done", slog.String("step", step), slog.Duration("took", time.Since(started)))
	}
	return err
}

// maxAttempts is the current activity's retry limit (0 = unlimited, shown
// as a large number).
func maxAttempts(ctx context.Context) int32 {
	rp := activity.GetInfo(ctx).RetryPolicy
	if rp == nil || rp.MaximumAttempts == 0 {
		return 1 << 30
	}
	return rp.MaximumAttempts
}
