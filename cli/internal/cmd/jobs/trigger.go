package jobs

import (
	"context"
	"fmt"

	"connectrpc.com/connect"
	"github.com/spf13/cobra"

	mgmtv1alpha1 "github.com/neosyncio/neosync/backend/gen/go/protos/mgmt/v1alpha1"
	"github.com/neosyncio/neosync/cli/internal/cmd/complete"
	"github.com/neosyncio/neosync/cli/internal/lookup"
	"github.com/neosyncio/neosync/cli/internal/progress"
	"github.com/neosyncio/neosync/cli/internal/session"
)

type triggerFlags struct {
	job  string
	wait bool
}

func newTriggerCommand(s *session.Session) *cobra.Command {
	f := &triggerFlags{}
	cmd := &cobra.Command{
		Use:   "trigger NAME_OR_ID [--wait]",
		Short: "Start a run of a job now",
		Long: `Start a run of a job now. With --wait, follow the run until it ends: a live view
on a terminal (an overall bar; per table: state, rows done, rows/s), plain
progress lines otherwise or when CI or GITHUB_ACTIONS is set. With --wait the
exit code is 4 when the run fails, and the reason is printed once, last.`,
		Example: `  neosync jobs trigger nightly
  neosync jobs trigger nightly --wait`,
		Args:              cobra.ExactArgs(1),
		ValidArgsFunction: complete.Jobs(s),
		RunE: func(cmd *cobra.Command, args []string) error {
			f.job = args[0]
			return runTrigger(cmd.Context(), s, f)
		},
	}
	cmd.Flags().BoolVar(&f.wait, "wait", false, "follow the run until it ends; exit non-zero if it fails")
	return cmd
}

func runTrigger(ctx context.Context, s *session.Session, f *triggerFlags) error {
	c, acct, err := s.ClientAndAccount(ctx)
	if err != nil {
		return err
	}
	j, err := lookup.Job(ctx, c, acct.GetId(), f.job)
	if err != nil {
		return err
	}
	resp, err := c.Jobs.CreateJobRun(ctx, connect.NewRequest(&mgmtv1alpha1.CreateJobRunRequest{JobId: j.GetId()}))
	if err != nil {
		return err
	}
	run := resp.Msg.GetJobRun()
	fmt.Fprintf(s.Out, "Started run %s of job %s.\n", run.GetId(), j.GetName())
	if !f.wait {
		_, err := fmt.Fprintf(s.Out, "Follow it with: neosync runs watch %s\n", run.GetId())
		return err
	}
	return progress.Follow(ctx, c.Jobs, run.GetId(), j.GetName(), s.Out, s.LiveWidth(s.Out))
}
