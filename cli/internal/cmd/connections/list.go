package connections

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/spf13/cobra"

	mgmtv1alpha1 "github.com/neosyncio/neosync/backend/gen/go/protos/mgmt/v1alpha1"
	"github.com/neosyncio/neosync/cli/internal/describe"
	"github.com/neosyncio/neosync/cli/internal/lookup"
	"github.com/neosyncio/neosync/cli/internal/output"
	"github.com/neosyncio/neosync/cli/internal/session"
)

type listFlags struct {
	format output.Format
}

func newListCommand(s *session.Session) *cobra.Command {
	f := &listFlags{}
	cmd := &cobra.Command{
		Use:     "list",
		Aliases: []string{"ls"},
		Short:   "List the account's connections",
		Example: `  neosync connections list
  neosync connections list -o json | jq -r '.connections[].name'`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runList(cmd.Context(), s, f)
		},
	}
	output.AddFlag(cmd, &f.format)
	return cmd
}

func runList(ctx context.Context, s *session.Session, f *listFlags) error {
	c, acct, err := s.ClientAndAccount(ctx)
	if err != nil {
		return err
	}
	conns, err := lookup.Connections(ctx, c, acct.GetId())
	if err != nil {
		return err
	}
	now := time.Now()
	return output.Message(s.Out, f.format, &mgmtv1alpha1.GetConnectionsResponse{Connections: conns}, func(w io.Writer) error {
		if len(conns) == 0 {
			_, err := fmt.Fprintf(w, "No connections in account %s yet; create one with neosync connections create.\n", acct.GetName())
			return err
		}
		t := output.NewTable("name", "type", "target", "id", "updated")
		for _, conn := range conns {
			cfg := conn.GetConnectionConfig()
			t.Row(conn.GetName(), describe.ConnectionType(cfg), describe.ConnectionTarget(cfg), conn.GetId(), output.Ago(conn.GetUpdatedAt(), now))
		}
		return t.Render(w)
	})
}
