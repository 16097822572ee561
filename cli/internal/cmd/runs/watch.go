package runs

import (
	"context"
	"errors"

	"connectrpc.com/connect"
	"github.com/spf13/cobra"

	mgmtv1alpha1 "github.com/neosyncio/neosync/backend/gen/go/protos/mgmt/v1alpha1"
	"github.com/neosyncio/neosync/cli/internal/exitcode"
	"github.com/neosyncio/neosync/cli/internal/lookup"
	"github.com/neosyncio/neosync/cli/internal/output"

	"github.com/neosyncio/neosync/cli/internal/progress"
	"github.com/neosyncio/neosync/cli/internal/session"
)

type watchFlags struct {
	run    string
	format output.Format
}

func newWatchCommand(s *session.Session) *cobra.Command {
	f := &watchFlags{}
	cmd := &cobra.Command{
		Use:   "watch RUN_ID",
		Short: "Follow a run until it ends; exit non-zero if it fails",
		Long: `Follow a run until it ends. On a terminal the view is redrawn in place: an
overall bar, then per table its state, rows done and rows/s. When the output is
not a terminal, or CI or GITHUB_ACTIONS is set, plain progress lines are
printed instead. The exit code is 4 when the run fails, is canceled or
is terminated, and the reason is printed.

-o json writes one JSON object per line for programs: a start event, table
events (state and rows of each table as they change), progress events
(rows, percent, rows/s, tables done), warning events (the run's warn and
error events) and one result event (status, error, report). The schema is
in cli/README.md.`,
		Example: `  neosync runs watch 0b7c3f52
  CI=1 neosync runs watch 0b7c3f52 | tee run.log
  neosync runs watch 0b7c3f52 -o json | jq -c 'select(.type == "table")'`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			f.run = args[0]
			return runWatch(cmd.Context(), s, f)
		},
	}
	output.AddFlag(cmd, &f.format)
	return cmd
}

func runWatch(ctx context.Context, s *session.Session, f *watchFlags) error {
	if f.format == output.YAML {
		return exitcode.Usage(errors.New("-o yaml: a run is followed as a stream; use -o json (one event per line)"))
	}
	c, id, err := clientAndRun(ctx, s, f.run)
	if err != nil {
		return err
	}
	f.run = id
	resp, err := c.Jobs.GetJobRun(ctx, connect.NewRequest(&mgmtv1alpha1.GetJobRunRequest{JobRunId: f.run}))
	if err != nil {
		return err
	}
	name := jobName(ctx, s, resp.Msg.GetJobRun().GetJobId())
	if f.format == output.JSON {
		return progress.FollowJSON(ctx, c.Jobs, f.run, name, s.Out)
	}
	return progress.Follow(ctx, c.Jobs, f.run, name, s.Out, s.LiveWidth(s.Out))
}

// jobName names a job for display; it is "" when the job cannot be listed.
func jobName(ctx context.Context, s *session.Session, jobID string) string {
	c, acct, err := s.ClientAndAccount(ctx)
	if err != nil {
		return ""
	}
	jobs, err := lookup.Jobs(ctx, c, acct.GetId())
	if err != nil {
		return ""
	}
	if j := lookup.FindJob(jobs, jobID); j != nil {
		return j.GetName()
	}
	return ""
}
