package progress

import (
	"context"
	"fmt"
	"io"
	"time"

	"connectrpc.com/connect"

	mgmtv1alpha1 "github.com/neosyncio/neosync/backend/gen/go/protos/mgmt/v1alpha1"
	"github.com/neosyncio/neosync/backend/gen/go/protos/mgmt/v1alpha1/mgmtv1alpha1connect"
	"github.com/neosyncio/neosync/cli/internal/exitcode"
)

// PollInterval is how often a followed run is read.
const PollInterval = time.Second

// Follow shows a run of job jobName until it ends — live when width > 0 (a
// terminal that wide), as plain lines otherwise — and returns Outcome of
// the final state.
func Follow(ctx context.Context, jobs mgmtv1alpha1connect.JobServiceClient, runID, jobName string, w io.Writer, width int) error {
	var r Renderer = NewPlain(w, jobName)
	if width > 0 {
		r = NewLive(w, width, jobName)
	}
	return follow(ctx, jobs, runID, jobName, r)
}

// FollowJSON is Follow writing JSON lines (Event): the run's progress, and
// its warn- and error-level run events as warning events.
func FollowJSON(ctx context.Context, jobs mgmtv1alpha1connect.JobServiceClient, runID, jobName string, w io.Writer) error {
	return follow(ctx, jobs, runID, jobName, &runEvents{JSON: NewJSON(w, jobName), ctx: ctx, jobs: jobs, runID: runID, seen: map[int64]bool{}})
}

func follow(ctx context.Context, jobs mgmtv1alpha1connect.JobServiceClient, runID, jobName string, r Renderer) error {
	get := func(ctx context.Context) (*mgmtv1alpha1.JobRun, error) {
		resp, err := jobs.GetJobRun(ctx, connect.NewRequest(&mgmtv1alpha1.GetJobRunRequest{JobRunId: runID}))
		if err != nil {
			return nil, err
		}
		return resp.Msg.GetJobRun(), nil
	}
	run, err := Watch(ctx, get, r, PollInterval, time.Now)
	if err != nil && ctx.Err() != nil {
		return fmt.Errorf("stopped following run %s; it goes on without you (stop it with neosync runs cancel %s)", runID, runID)
	}
	if err != nil {
		return err
	}
	return exitcode.RunFailed(Outcome(run, jobName))
}

// runEvents adds a run's warnings (its warn- and error-level events, each
// once) to the JSON stream before each snapshot.
type runEvents struct {
	*JSON
	// ctx is the follow's: Renderer methods take none.
	ctx   context.Context
	jobs  mgmtv1alpha1connect.JobServiceClient
	runID string
	seen  map[int64]bool
}

func (r *runEvents) warnings(run *mgmtv1alpha1.JobRun, now time.Time) error {
	if err := r.start(run, now); err != nil {
		return err
	}
	resp, err := r.jobs.GetJobRunEvents(r.ctx, connect.NewRequest(&mgmtv1alpha1.GetJobRunEventsRequest{JobRunId: r.runID}))
	if err != nil {
		return nil // the events are extra; the run's own state is what counts
	}
	for _, e := range resp.Msg.GetEvents() {
		if r.seen[e.GetId()] || (e.GetLevel() != "warn" && e.GetLevel() != "error") {
			continue
		}
		r.seen[e.GetId()] = true
		if err := r.Warn(now, e.GetLevel(), e.GetMessage(), e.GetSchema(), e.GetTable()); err != nil {
			return err
		}
	}
	return nil
}

// Update implements Renderer.
func (r *runEvents) Update(run *mgmtv1alpha1.JobRun, now time.Time) error {
	if err := r.warnings(run, now); err != nil {
		return err
	}
	return r.JSON.Update(run, now)
}

// Done implements Renderer.
func (r *runEvents) Done(run *mgmtv1alpha1.JobRun, now time.Time) error {
	if err := r.warnings(run, now); err != nil {
		return err
	}
	return r.JSON.Done(run, now)
}
