// Package login implements `neosync login`. With --api-key it checks the
// key against the API and, only if the API accepts it, stores it with the
// API URL in the configuration file (mode 0600), selecting the key's
// account. Without one, against an API in oidc mode, it signs the person in
// at the API's identity provider in their browser (authorization code with
// PKCE, see oidclogin) and stores the tokens beside the configuration file.
package login

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"connectrpc.com/connect"
	"github.com/spf13/cobra"

	mgmtv1alpha1 "github.com/neosyncio/neosync/backend/gen/go/protos/mgmt/v1alpha1"
	"github.com/neosyncio/neosync/cli/internal/apiclient"
	"github.com/neosyncio/neosync/cli/internal/config"
	"github.com/neosyncio/neosync/cli/internal/session"
)

type flags struct {
	apiKey    string
	noBrowser bool
	issuer    string
	clientID  string
	timeout   time.Duration
}

// NewCommand returns the login command.
func NewCommand(s *session.Session) *cobra.Command {
	f := &flags{}
	cmd := &cobra.Command{
		Use:   "login [--api-key KEY] [--api-url URL]",
		Short: "Sign in (in a browser, or with an API key) for later commands",
		Long: `Without --api-key, against an API in oidc mode: open the identity provider's
sign-in page in a browser (or print its URL with --no-browser), wait for the
provider to send the browser back to the CLI (a one-shot listener on
127.0.0.1), and store the tokens in the configuration directory
(oidc-token.json, mode 0600). Later commands send the ID token and refresh
it when it expires.

With --api-key: check the key against the Neosync API and store it, with the
API URL, in the configuration file (~/.neosync/config.yaml, or
$NEOSYNC_CONFIG_DIR, or $XDG_CONFIG_HOME/neosync; mode 0600). The key is
stored only if the API accepts it.

When the caller has a single account, that account is selected. A server in
single-user mode (the default for a local API) needs no login.
NEOSYNC_API_KEY in the environment overrides the stored key and sign-in.`,
		Example: `  neosync login --api-url https://neosync.example.com
  neosync login --no-browser
  neosync login --api-key "$NEOSYNC_KEY" --api-url https://neosync.example.com
  echo "$NEOSYNC_KEY" | neosync login --api-key -`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return run(cmd.Context(), s, f)
		},
	}
	cmd.Flags().StringVar(&f.apiKey, "api-key", "", `the API key ("-" reads it from stdin); without it, sign in with the API's identity provider`)
	cmd.Flags().BoolVar(&f.noBrowser, "no-browser", false, "print the sign-in URL instead of opening a browser")
	cmd.Flags().StringVar(&f.issuer, "issuer", "", "the identity provider's issuer URL (default: the one the API names)")
	cmd.Flags().StringVar(&f.clientID, "client-id", "", "the public OIDC client of the CLI (default: the one the API names)")
	cmd.Flags().DurationVar(&f.timeout, "timeout", 5*time.Minute, "how long to wait for the browser sign-in")
	return cmd
}

func run(ctx context.Context, s *session.Session, f *flags) error {
	if f.apiKey == "" {
		return runOIDC(ctx, s, f)
	}
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
