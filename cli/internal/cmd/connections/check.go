package connections

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"connectrpc.com/connect"
	"github.com/spf13/cobra"
	"google.golang.org/protobuf/proto"

	mgmtv1alpha1 "github.com/neosyncio/neosync/backend/gen/go/protos/mgmt/v1alpha1"
	"github.com/neosyncio/neosync/cli/internal/cmd/complete"
	"github.com/neosyncio/neosync/cli/internal/describe"
	"github.com/neosyncio/neosync/cli/internal/lookup"
	"github.com/neosyncio/neosync/cli/internal/output"
	"github.com/neosyncio/neosync/cli/internal/session"
)

type checkFlags struct {
	connection string
	url        string
	config     configFlags
	format     output.Format
}

func newCheckCommand(s *session.Session) *cobra.Command {
	f := &checkFlags{}
	cmd := &cobra.Command{
		Use:   "check [NAME_OR_ID | --url URL | --type TYPE --host HOST …]",
		Short: "Check that the API can connect, and show the role's privileges",
		Long: `Ask the API to connect to a saved connection, or to an unsaved one described by
flags, and list what the connecting role may do on each table. Exits non-zero
when the API cannot connect.

--url detects the database from the URL: postgres:// or postgresql:// is
Postgres, mysql:// or mariadb:// (or a user:pass@tcp(host)/db DSN) is MySQL.`,
		Example: `  neosync connections check prod
  neosync connections check --url "postgres://postgres@127.0.0.1:5432/app?sslmode=disable"
  neosync connections check --type mysql --host 127.0.0.1 --user root --database stage -o json`,
		Args:              cobra.MaximumNArgs(1),
		ValidArgsFunction: complete.Connections(s),
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 1 {
				f.connection = args[0]
			}
			return runCheck(cmd.Context(), s, f)
		},
	}
	cmd.Flags().StringVar(&f.url, "url", "", "an unsaved database URL (type detected from the scheme)")
	f.config.register(cmd)
	output.AddFlag(cmd, &f.format)
	return cmd
}

func runCheck(ctx context.Context, s *session.Session, f *checkFlags) error {
	unsaved := f.url != "" || f.config.given()
	switch {
	case f.connection != "" && unsaved:
		return errors.New("give a saved connection's name or an unsaved connection's flags, not both")
	case f.connection == "" && !unsaved:
		return errors.New("name a saved connection, or describe one with --url (see neosync connections check --help)")
	}
	var (
		connected bool
		connErr   string
		privs     []*mgmtv1alpha1.ConnectionRolePrivilege
		what      string
		bucket    bool          // an S3 bucket: no tables, a probe object
		msg       proto.Message // the response, for -o json|yaml
	)
	if f.connection != "" {
		c, acct, err := s.ClientAndAccount(ctx)
		if err != nil {
			return err
		}
		conn, err := lookup.Connection(ctx, c, acct.GetId(), f.connection)
		if err != nil {
			return err
		}
		resp, err := c.Connections.CheckConnectionConfigById(ctx, connect.NewRequest(&mgmtv1alpha1.CheckConnectionConfigByIdRequest{Id: conn.GetId()}))
		if err != nil {
			return err
		}
		connected, connErr, privs, msg = resp.Msg.GetIsConnected(), resp.Msg.GetConnectionError(), resp.Msg.GetPrivileges(), resp.Msg
		what = fmt.Sprintf("connection %s (%s)", conn.GetName(), describe.ConnectionTarget(conn.GetConnectionConfig()))
		bucket = conn.GetConnectionConfig().GetAwsS3Config() != nil
	} else {
		if f.url != "" {
			if f.config.given() {
				return errors.New("give --url or the other connection flags, not both")
			}
			kind, err := detectKind(f.url)
			if err != nil {
				return err
			}
			if kind == "postgres" {
				f.config.postgresURL = f.url
			} else {
				f.config.mysqlURL = f.url
			}
		}
		cfg, err := f.config.config("unsaved")
		if err != nil {
			return err
		}
		c, err := s.Client()
		if err != nil {
			return err
		}
		resp, err := c.Connections.CheckConnectionConfig(ctx, connect.NewRequest(&mgmtv1alpha1.CheckConnectionConfigRequest{ConnectionConfig: cfg}))
		if err != nil {
			return err
		}
		connected, connErr, privs, msg = resp.Msg.GetIsConnected(), resp.Msg.GetConnectionError(), resp.Msg.GetPrivileges(), resp.Msg
		what = describe.ConnectionTarget(cfg)
		bucket = cfg.GetAwsS3Config() != nil
	}
	if f.format != output.Table {
		if err := output.Message(s.Out, f.format, msg, nil); err != nil {
			return err
		}
	} else if connected {
		if err := writePrivileges(s.Out, what, bucket, privs); err != nil {
			return err
		}
	}
	if !connected {
		return fmt.Errorf("cannot connect to %s: %s", what, connErr)
	}
	return nil
}

func writePrivileges(w io.Writer, what string, bucket bool, privs []*mgmtv1alpha1.ConnectionRolePrivilege) error {
	if bucket {
		_, err := fmt.Fprintf(w, "Connected to %s: listed, wrote and deleted a probe object.\n", what)
		return err
	}
	grantee := ""
	if len(privs) > 0 && privs[0].GetGrantee() != "" {
		grantee = " as " + privs[0].GetGrantee()
	}
	fmt.Fprintf(w, "Connected to %s%s: %s.\n", what, grantee, describe.Count(len(privs), "table"))
	if len(privs) == 0 {
		return nil
	}
	t := output.NewTable("schema", "table", "privileges")
	for _, p := range privs {
		t.Row(p.GetSchema(), p.GetTable(), strings.Join(p.GetPrivilegeType(), ", "))
	}
	return t.Render(w)
}

// detectKind tells Postgres from MySQL by a URL's scheme or DSN shape.
func detectKind(raw string) (string, error) {
	switch {
	case strings.HasPrefix(raw, "postgres://"), strings.HasPrefix(raw, "postgresql://"):
		return "postgres", nil
	case strings.HasPrefix(raw, "mysql://"), strings.HasPrefix(raw, "mariadb://"):
		return "mysql", nil
	case strings.Contains(raw, "@tcp("), strings.Contains(raw, "@unix("):
		return "mysql", nil
	case strings.Contains(raw, "host=") || strings.Contains(raw, "dbname="):
		return "postgres", nil
	}
	return "", errors.New("--url: cannot tell the database from the URL; use --postgres-url or --mysql-url")
}
