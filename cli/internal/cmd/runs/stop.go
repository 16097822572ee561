package runs

import (
	"context"
	"fmt"

	"connectrpc.com/connect"
	"github.com/spf13/cobra"

	mgmtv1alpha1 "github.com/neosyncio/neosync/backend/gen/go/protos/mgmt/v1alpha1"
	"github.com/neosyncio/neosync/cli/internal/session"
)

type stopFlags struct {
	run       string
	terminate bool
}

// newStopCommand returns `runs cancel` (graceful) or `runs terminate` (immediate).
func newStopCommand(s *session.Session, terminate bool) *cobra.Command {
	f := &stopFlags{terminate: terminate}
	cmd := &cobra.Command{
		Use:     "cancel RUN_ID",
		Short:   "Cancel a run gracefully (tables in progress finish their batch)",
		Example: `  neosync runs cancel 0b7c3f52-…`,
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			f.run = args[0]
			return runStop(cmd.Context(), s, f)
		},
	}
	if terminate {
		cmd.Use = "terminate RUN_ID"
		cmd.Short = "Terminate a run immediately"
		cmd.Example = `  neosync runs terminate 0b7c3f52-…`
	}
	return cmd
}

func runStop(ctx context.Context, s *session.Session, f *stopFlags) error {
	c, id, err := clientAndRun(ctx, s, f.run)
	if err != nil {
		return err
	}
	f.run = id
	verb := "Canceled"
	if f.terminate {
		verb = "Terminated"
		_, err = c.Jobs.TerminateJobRun(ctx, connect.NewRequest(&mgmtv1alpha1.TerminateJobRunRequest{JobRunId: f.run}))
	} else {
		_, err = c.Jobs.CancelJobRun(ctx, connect.NewRequest(&mgmtv1alpha1.CancelJobRunRequest{JobRunId: f.run}))
	}
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(s.Out, "%s run %s.\n", verb, f.run)
	return err
}
