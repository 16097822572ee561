package connections

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	mgmtv1alpha1 "github.com/neosyncio/neosync/backend/gen/go/protos/mgmt/v1alpha1"
	"github.com/neosyncio/neosync/cli/internal/cmd/complete"
	"github.com/neosyncio/neosync/cli/internal/describe"
	"github.com/neosyncio/neosync/cli/internal/lookup"
	"github.com/neosyncio/neosync/cli/internal/output"
	"github.com/neosyncio/neosync/cli/internal/session"
)

type getFlags struct {
	connection string
	format     output.Format
}

func newGetCommand(s *session.Session) *cobra.Command {
	f := &getFlags{}
	cmd := &cobra.Command{
		Use:   "get NAME_OR_ID",
		Short: "Show one connection (secrets masked)",
		Example: `  neosync connections get prod
  neosync connections get prod -o yaml`,
		Args:              cobra.ExactArgs(1),
		ValidArgsFunction: complete.Connections(s),
		RunE: func(cmd *cobra.Command, args []string) error {
			f.connection = args[0]
			return runGet(cmd.Context(), s, f)
		},
	}
	output.AddFlag(cmd, &f.format)
	return cmd
}

func runGet(ctx context.Context, s *session.Session, f *getFlags) error {
	c, acct, err := s.ClientAndAccount(ctx)
	if err != nil {
		return err
	}
	conn, err := lookup.Connection(ctx, c, acct.GetId(), f.connection)
	if err != nil {
		return err
	}
	return output.Message(s.Out, f.format, conn, func(w io.Writer) error {
		return writeConnection(w, conn)
	})
}

func writeConnection(w io.Writer, conn *mgmtv1alpha1.Connection) error {
	cfg := conn.GetConnectionConfig()
	fields := []output.Field{
		{Label: "Name", Value: conn.GetName()},
		{Label: "ID", Value: conn.GetId()},
		{Label: "Type", Value: describe.ConnectionType(cfg)},
	}
	var pool *mgmtv1alpha1.SqlConnectionOptions
	var tls *mgmtv1alpha1.ClientTlsConfig
	switch x := cfg.GetConfig().(type) {
	case *mgmtv1alpha1.ConnectionConfig_PgConfig:
		pg := x.PgConfig
		if pg.GetUrl() != "" {
			fields = append(fields, output.Field{Label: "URL", Value: pg.GetUrl()})
		} else if pg.GetUrlFromEnv() != "" {
			fields = append(fields, output.Field{Label: "URL from env", Value: pg.GetUrlFromEnv() + " (read by the worker)"})
		} else {
			cc := pg.GetConnection()
			fields = append(fields, discrete(cc.GetHost(), cc.GetPort(), cc.GetName(), cc.GetUser(), cc.GetPass())...)
			fields = append(fields, output.Field{Label: "SSL mode", Value: cc.GetSslMode()})
		}
		pool, tls = pg.GetConnectionOptions(), pg.GetClientTls()
		fields = append(fields, tunnelFields(pg.GetTunnel())...)
	case *mgmtv1alpha1.ConnectionConfig_MysqlConfig:
		my := x.MysqlConfig
		if my.GetUrl() != "" {
			fields = append(fields, output.Field{Label: "URL", Value: my.GetUrl()})
		} else if my.GetUrlFromEnv() != "" {
			fields = append(fields, output.Field{Label: "URL from env", Value: my.GetUrlFromEnv() + " (read by the worker)"})
		} else {
			cc := my.GetConnection()
			fields = append(fields, discrete(cc.GetHost(), cc.GetPort(), cc.GetName(), cc.GetUser(), cc.GetPass())...)
			fields = append(fields, output.Field{Label: "Protocol", Value: cc.GetProtocol()})
		}
		pool, tls = my.GetConnectionOptions(), my.GetClientTls()
		fields = append(fields, tunnelFields(my.GetTunnel())...)
	case *mgmtv1alpha1.ConnectionConfig_AwsS3Config:
		fields = append(fields, s3Fields(x.AwsS3Config)...)
	}
	if pool != nil {
		var parts []string
		if pool.MaxConnectionLimit != nil {
			parts = append(parts, fmt.Sprintf("max open %d", pool.GetMaxConnectionLimit()))
		}
		if pool.MaxIdleConnections != nil {
			parts = append(parts, fmt.Sprintf("max idle %d", pool.GetMaxIdleConnections()))
		}
		if pool.MaxIdleDuration != nil {
			parts = append(parts, "idle time "+pool.GetMaxIdleDuration())
		}
		if pool.MaxOpenDuration != nil {
			parts = append(parts, "lifetime "+pool.GetMaxOpenDuration())
		}
		fields = append(fields, output.Field{Label: "Pool", Value: strings.Join(parts, ", ")})
	}
	if tls != nil {
		var parts []string
		if tls.GetRootCert() != "" {
			parts = append(parts, "root certificate")
		}
		if tls.GetClientCert() != "" {
			parts = append(parts, "client certificate")
		}
		if tls.GetServerName() != "" {
			parts = append(parts, "server name "+tls.GetServerName())
		}
		fields = append(fields, output.Field{Label: "TLS", Value: strings.Join(parts, ", ")})
	}
	fields = append(fields,
		output.Field{Label: "Created", Value: output.Time(conn.GetCreatedAt())},
		output.Field{Label: "Updated", Value: output.Time(conn.GetUpdatedAt())},
	)
	return output.Fields(w, fields...)
}

func discrete(host string, port int32, db, user, pass string) []output.Field {
	p := ""
	if port != 0 {
		p = fmt.Sprint(port)
	}
	return []output.Field{
		{Label: "Host", Value: host}, {Label: "Port", Value: p}, {Label: "Database", Value: db},
		{Label: "User", Value: user}, {Label: "Password", Value: pass},
	}
}

// tunnelFields describes an SSH tunnel (none for nil); secrets arrive
// masked from the API and are not shown at all.
func tunnelFields(t *mgmtv1alpha1.SshTunnel) []output.Field {
	if t == nil {
		return nil
	}
	port := t.GetPort()
	if port == 0 {
		port = 22
	}
	auth := "private key"
	if t.GetPassword() != "" {
		auth = "password"
	}
	hostKey := t.GetKnownHostKey()
	if t.GetInsecureSkipHostKeyCheck() {
		hostKey = "NOT CHECKED (insecure_skip_host_key_check)"
	} else if f := strings.Fields(hostKey); len(f) >= 2 {
		hostKey = f[0] + " " + f[1]
	}
	return []output.Field{
		{Label: "SSH tunnel", Value: fmt.Sprintf("%s@%s:%d (%s)", t.GetUser(), t.GetHost(), port, auth)},
		{Label: "SSH host key", Value: hostKey},
	}
}

// s3Fields describes a bucket; the secret key arrives masked.
func s3Fields(c *mgmtv1alpha1.AwsS3ConnectionConfig) []output.Field {
	endpoint := c.GetEndpoint()
	if endpoint == "" {
		endpoint = "AWS"
	}
	if c.GetForcePathStyle() {
		endpoint += " (path-style)"
	}
	key := "anonymous"
	if id := c.GetCredentials().GetAccessKeyId(); id != "" {
		key = id + " (secret " + c.GetCredentials().GetSecretAccessKey() + ")"
	}
	return []output.Field{
		{Label: "Bucket", Value: c.GetBucket()}, {Label: "Prefix", Value: c.GetPathPrefix()},
		{Label: "Region", Value: c.GetRegion()}, {Label: "Endpoint", Value: endpoint}, {Label: "Access key", Value: key},
	}
}
