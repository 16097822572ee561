// Package version implements `neosync version`: the CLI's build and, when an
// API is reachable, the server's.
package version

import (
	"context"
	"fmt"
	"io"
	"time"

	"connectrpc.com/connect"
	"github.com/spf13/cobra"
	"google.golang.org/protobuf/types/known/structpb"

	mgmtv1alpha1 "github.com/neosyncio/neosync/backend/gen/go/protos/mgmt/v1alpha1"
	"github.com/neosyncio/neosync/backend/pkg/buildinfo"
	"github.com/neosyncio/neosync/cli/internal/output"
	"github.com/neosyncio/neosync/cli/internal/session"
)

type flags struct {
	format output.Format
	// clientOnly skips asking the server.
	clientOnly bool
}

// NewCommand returns the version command.
func NewCommand(s *session.Session) *cobra.Command {
	f := &flags{}
	cmd := &cobra.Command{
		Use:   "version",
		Short: "Print the CLI's version and, when reachable, the API server's",
		Long: `Print the CLI's version and, when the API answers within two seconds, the
server's version and authentication mode. An unreachable server is reported but
is not an error.`,
		Example: `  neosync version
  neosync version --client
  neosync version -o json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return run(cmd.Context(), s, f)
		},
	}
	cmd.Flags().BoolVar(&f.clientOnly, "client", false, "print the CLI's version only")
	output.AddFlag(cmd, &f.format)
	return cmd
}

func run(ctx context.Context, s *session.Session, f *flags) error {
	bi := buildinfo.Get()
	var server *mgmtv1alpha1.GetSystemInformationResponse
	var serverErr error
	apiURL := ""
	if !f.clientOnly {
		server, apiURL, serverErr = serverInfo(ctx, s)
	}
	if f.format != output.Table {
		fields := map[string]any{
			"client": map[string]any{"version": bi.Version, "commit": bi.Commit, "goVersion": bi.GoVersion, "platform": bi.Platform},
		}
		if server != nil {
			fields["server"] = map[string]any{
				"url": apiURL, "version": server.GetVersion(), "commit": server.GetCommit(), "goVersion": server.GetGoVersion(),
				"platform": server.GetPlatform(), "authMode": server.GetAuthMode(),
			}
		}
		msg, err := structpb.NewStruct(fields)
		if err != nil {
			return err
		}
		return output.Message(s.Out, f.format, msg, nil)
	}
	if _, err := fmt.Fprintf(s.Out, "neosync %s\n", Client()); err != nil {
		return err
	}
	switch {
	case f.clientOnly:
		return nil
	case serverErr != nil:
		_, err := fmt.Fprintf(s.Out, "server: %s\n", serverErr)
		return err
	}
	return printServer(s.Out, apiURL, server)
}

func printServer(w io.Writer, apiURL string, si *mgmtv1alpha1.GetSystemInformationResponse) error {
	_, err := fmt.Fprintf(w, "neosync-api %s (commit %s, %s, %s) at %s, auth mode %s\n",
		si.GetVersion(), short(si.GetCommit()), si.GetGoVersion(), si.GetPlatform(), apiURL, si.GetAuthMode())
	return err
}

func serverInfo(ctx context.Context, s *session.Session) (*mgmtv1alpha1.GetSystemInformationResponse, string, error) {
	c, err := s.Client()
	if err != nil {
		return nil, "", err
	}
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	resp, err := c.Users.GetSystemInformation(ctx, connect.NewRequest(&mgmtv1alpha1.GetSystemInformationRequest{}))
	if err != nil {
		return nil, c.URL, err
	}
	return resp.Msg, c.URL, nil
}

// Client describes this CLI's build: version, commit, Go version and
// platform, as `neosync version` and `neosync --version` print it.
func Client() string {
	bi := buildinfo.Get()
	return fmt.Sprintf("%s (commit %s, %s, %s)", bi.Version, short(bi.Commit), bi.GoVersion, bi.Platform)
}

func short(commit string) string {
	if commit == "" {
		return "unknown"
	}
	if len(commit) > 12 {
		return commit[:12]
	}
	return commit
}
