// Package login implements `neosync login`: it checks an API key against the
// API and, only if the API accepts it, stores it with the API URL in the
// configuration file (mode 0600), selecting the key's account.
package login

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"strings"

	"connectrpc.com/connect"
	"github.com/spf13/cobra"

	mgmtv1alpha1 "github.com/neosyncio/neosync/backend/gen/go/protos/mgmt/v1alpha1"
	"github.com/neosyncio/neosync/cli/internal/apiclient"
	"github.com/neosyncio/neosync/cli/internal/config"
	"github.com/neosyncio/neosync/cli/internal/session"
)

type flags struct {
	apiKey string
}

// NewCommand returns the login command.
func NewCommand(s *session.Session) *cobra.Command {
	f := &flags{}
	cmd := &cobra.Command{
		Use:   "login --api-key KEY [--api-url URL]",
		Short: "Check an API key and store it for later commands",
		Long: `Check an API key against the Neosync API and store it, with the API URL, in
the configuration file (~/.neosync/config.yaml, or $NEOSYNC_CONFIG_DIR, or
$XDG_CONFIG_HOME/neosync; mode 0600). The key is stored only if the API
accepts it. When the key gives access to a single account, that account is
selected.

A server in single-user mode (the default for a local API) needs no login.
NEOSYNC_API_KEY in the environment overrides the stored key.`,
		Example: `  neosync login --api-key "$NEOSYNC_KEY" --api-url https://neosync.example.com
  echo "$NEOSYNC_KEY" | neosync login --api-key -`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return run(cmd.Context(), s, f)
		},
	}
	cmd.Flags().StringVar(&f.apiKey, "api-key", "", `the API key ("-" reads it from stdin)`)
	_ = cmd.MarkFlagRequired("api-key")
	return cmd
}

func run(ctx context.Context, s *session.Session, f *flags) error {
	key := strings.TrimSpace(f.apiKey)
	if key == "-" {
		line, err := bufio.NewReader(s.In).ReadString('\n')
		if err != nil && line == "" {
			return errors.New("--api-key -: nothing to read on stdin")
		}
		key = strings.TrimSpace(line)
	}
	if key == "" {
		return errors.New("--api-key is empty")
	}
	st, err := s.Settings()
	if err != nil {
		return err
	}
	c := s.ClientFor(st.APIURL, key)
	user, err := c.Users.GetUser(ctx, connect.NewRequest(&mgmtv1alpha1.GetUserRequest{}))
	if apiclient.IsCode(err, connect.CodeUnauthenticated) {
		return fmt.Errorf("login failed: the API at %s rejected the key (unknown, revoked or expired); nothing was stored", st.APIURL)
	}
	if err != nil {
		return fmt.Errorf("login failed: %w", err)
	}
	acctResp, err := c.Users.GetUserAccounts(ctx, connect.NewRequest(&mgmtv1alpha1.GetUserAccountsRequest{}))
	if err != nil {
		return fmt.Errorf("login failed: %w", err)
	}
	file := config.File{APIURL: st.APIURL, APIKey: key}
	acct, acctErr := session.DefaultAccount(acctResp.Msg.GetAccounts())
	if acctErr == nil {
		file.AccountID, file.AccountName = acct.GetId(), acct.GetName()
	}
	if err := s.SaveFile(file); err != nil {
		return err
	}
	fmt.Fprintf(s.Out, "Logged in to %s as %s (%s user).\n", st.APIURL, user.Msg.GetUser().GetDisplayName(), user.Msg.GetUser().GetKind())
	if acctErr == nil {
		fmt.Fprintf(s.Out, "Account: %s\n", acct.GetName())
	} else {
		fmt.Fprintf(s.Out, "Choose an account with neosync accounts switch NAME (%s).\n", acctErr)
	}
	if s.Getenv(config.EnvAPIKey) != "" {
		fmt.Fprintf(s.Err, "note: %s is set and overrides the stored key\n", config.EnvAPIKey)
	}
	return nil
}
