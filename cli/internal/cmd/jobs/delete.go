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

type deleteFlags struct {
	job string
}

func newDeleteCommand(s *session.Session) *cobra.Command {
	f := &deleteFlags{}
	return &cobra.Command{
		Use:               "delete NAME_OR_ID",
		Aliases:           []string{"rm"},
		Short:             "Delete a job (its connections are kept)",
		Example:           `  neosync jobs delete nightly`,
		Args:              cobra.ExactArgs(1),
		ValidArgsFunction: complete.Jobs(s),
		RunE: func(cmd *cobra.Command, args []string) error {
			f.job = args[0]
			return runDelete(cmd.Context(), s, f)
		},
	}
}

func runDelete(ctx context.Context, s *session.Session, f *deleteFlags) error {
	c, acct, err := s.ClientAndAccount(ctx)
	if err != nil {
		return err
	}
	j, err := lookup.Job(ctx, c, acct.GetId(), f.job)
	if err != nil {
		return err
	}
	if _, err := c.Jobs.DeleteJob(ctx, connect.NewRequest(&mgmtv1alpha1.DeleteJobRequest{Id: j.GetId()})); err != nil {
		return fmt.Errorf("delete job %s: %w", j.GetName(), err)
	}
	_, err = fmt.Fprintf(s.Out, "Deleted job %s.\n", j.GetName())
	return err
}
