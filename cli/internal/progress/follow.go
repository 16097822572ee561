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
