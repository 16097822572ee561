package jobs

import (
	"context"
	"fmt"

	"connectrpc.com/connect"
	"github.com/spf13/cobra"

	mgmtv1alpha1 "github.com/neosyncio/neosync/backend/gen/go/protos/mgmt/v1alpha1"
	"github.com/neosyncio/neosync/cli/internal/cmd/complete"
	"github.com/neosyncio/neosync/cli/internal/lookup"
	"github.com/neosyncio/neosync/cli/internal/session"
)

type pauseFlags struct {
	job   string
	pause bool
	note  string
}

// newPauseCommand returns `jobs pause` (pause true) or `jobs resume`.
func newPauseCommand(s *session.Session, pause bool) *cobra.Command {
	f := &pauseFlags{pause: pause}
	cmd := &cobra.Command{
		Use:               "pause NAME_OR_ID",
		Short:             "Pause a job's schedule (runs already started continue)",
		Example:           `  neosync jobs pause nightly --note "schema migration in progress"`,
		Args:              cobra.ExactArgs(1),
		ValidArgsFunction: complete.Jobs(s),
		RunE: func(cmd *cobra.Command, args []string) error {
			f.job = args[0]
			return runPause(cmd.Context(), s, f)
		},
	}
	if pause {
		cmd.Flags().StringVar(&f.note, "note", "", "why the job is paused")
	} else {
		cmd.Use = "resume NAME_OR_ID"
		cmd.Short = "Resume a paused job's schedule"
		cmd.Example = `  neosync jobs resume nightly`
	}
	return cmd
}

func runPause(ctx context.Context, s *session.Session, f *pauseFlags) error {
	c, acct, err := s.ClientAndAccount(ctx)
	if err != nil {
		return err
	}
	j, err := lookup.Job(ctx, c, acct.GetId(), f.job)
	if err != nil {
		return err
	}
	req := &mgmtv1alpha1.PauseJobRequest{Id: j.GetId(), Pause: f.pause}
	if f.note != "" {
		req.Note = &f.note
	}
	if _, err := c.Jobs.PauseJob(ctx, connect.NewRequest(req)); err != nil {
		return err
	}
	verb := "Paused"
	if !f.pause {
		verb = "Resumed"
	}
	_, err = fmt.Fprintf(s.Out, "%s job %s.\n", verb, j.GetName())
	return err
}
