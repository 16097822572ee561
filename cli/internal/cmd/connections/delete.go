package connections

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
	connection string
}

func newDeleteCommand(s *session.Session) *cobra.Command {
	f := &deleteFlags{}
	return &cobra.Command{
		Use:               "delete NAME_OR_ID",
		Aliases:           []string{"rm"},
		Short:             "Delete a connection no job uses",
		Long:              "Delete a saved connection. The API refuses while a job reads from or writes to it.",
		Example:           `  neosync connections delete stage`,
		Args:              cobra.ExactArgs(1),
		ValidArgsFunction: complete.Connections(s),
		RunE: func(cmd *cobra.Command, args []string) error {
			f.connection = args[0]
			return runDelete(cmd.Context(), s, f)
		},
	}
}

func runDelete(ctx context.Context, s *session.Session, f *deleteFlags) error {
	c, acct, err := s.ClientAndAccount(ctx)
	if err != nil {
		return err
	}
	conn, err := lookup.Connection(ctx, c, acct.GetId(), f.connection)
	if err != nil {
		return err
	}
	if _, err := c.Connections.DeleteConnection(ctx, connect.NewRequest(&mgmtv1alpha1.DeleteConnectionRequest{Id: conn.GetId()})); err != nil {
		return fmt.Errorf("delete connection %s: %w", conn.GetName(), err)
	}
	_, err = fmt.Fprintf(s.Out, "Deleted connection %s.\n", conn.GetName())
	return err
}
