package connections

import (
	"context"
	"errors"
	"fmt"
	"io"

	"connectrpc.com/connect"
	"github.com/spf13/cobra"

	mgmtv1alpha1 "github.com/neosyncio/neosync/backend/gen/go/protos/mgmt/v1alpha1"
	"github.com/neosyncio/neosync/cli/internal/output"
	"github.com/neosyncio/neosync/cli/internal/session"
)

type createFlags struct {
	name      string
	config    configFlags
	skipCheck bool
	format    output.Format
}

func newCreateCommand(s *session.Session) *cobra.Command {
	f := &createFlags{}
	cmd := &cobra.Command{
		Use:   "create --name NAME (--postgres-url URL | --mysql-url URL | --type TYPE --host HOST … | --s3-bucket BUCKET …)",
		Short: "Save a new connection (after checking that the API can connect)",
		Long: `Save a new connection. The API first tries to connect with it; a connection
that cannot connect is refused unless --skip-check is given (for a database
the API cannot reach yet).`,
		Example: `  neosync connections create --name prod --postgres-url "postgres://app:$PGPASSWORD@db.internal:5432/app?sslmode=require"
  neosync connections create --name stage --mysql-url "mysql://root@127.0.0.1:3306/stage"
  neosync connections create --name local --type postgres --host 127.0.0.1 --user postgres --database dev --ssl-mode disable
  neosync connections create --name prod --type postgres --url-from-env NEOSYNC_URL_PROD --skip-check
  neosync connections create --name behind-bastion --postgres-url "postgres://app:$PGPASSWORD@db.internal:5432/app" \
    --ssh-host bastion.example.com --ssh-user neosync --ssh-key-file ~/.ssh/neosync_ed25519 \
    --ssh-known-host-key "$(ssh-keyscan -t ed25519 bastion.example.com 2>/dev/null | cut -d' ' -f2-)"
  neosync connections create --name exports --s3-bucket exports --s3-prefix neosync --s3-region eu-west-1 \
    --s3-access-key-id "$AWS_ACCESS_KEY_ID" --s3-secret-access-key "$AWS_SECRET_ACCESS_KEY"`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runCreate(cmd.Context(), s, f)
		},
	}
	cmd.Flags().StringVar(&f.name, "name", "", "connection name (letters, digits, '.', '_', '-')")
	_ = cmd.MarkFlagRequired("name")
	cmd.Flags().BoolVar(&f.skipCheck, "skip-check", false, "save without checking that the API can connect")
	f.config.register(cmd)
	output.AddFlag(cmd, &f.format)
	return cmd
}

func runCreate(ctx context.Context, s *session.Session, f *createFlags) error {
	cfg, err := f.config.config(f.name)
	if err != nil {
		return err
	}
	c, acct, err := s.ClientAndAccount(ctx)
	if err != nil {
		return err
	}
	if !f.skipCheck {
		resp, err := c.Connections.CheckConnectionConfig(ctx, connect.NewRequest(&mgmtv1alpha1.CheckConnectionConfigRequest{ConnectionConfig: cfg}))
		if err != nil {
			return err
		}
		if !resp.Msg.GetIsConnected() {
			return fmt.Errorf("not saved: the API cannot connect to the database: %s (use --skip-check to save it anyway)", resp.Msg.GetConnectionError())
		}
	}
	resp, err := c.Connections.CreateConnection(ctx, connect.NewRequest(&mgmtv1alpha1.CreateConnectionRequest{
		AccountId: acct.GetId(), Name: f.name, ConnectionConfig: cfg,
	}))
	if err != nil {
		return err
	}
	conn := resp.Msg.GetConnection()
	if conn == nil {
		return errors.New("the API returned no connection")
	}
	return output.Message(s.Out, f.format, conn, func(w io.Writer) error {
		_, err := fmt.Fprintf(w, "Created connection %s (%s).\n", conn.GetName(), conn.GetId())
		return err
	})
}
