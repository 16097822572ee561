// Package logout implements `neosync logout`: it removes the stored API key
// or OIDC sign-in (and the account selection that came with it).
package logout

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/neosyncio/neosync/cli/internal/config"
	"github.com/neosyncio/neosync/cli/internal/oidclogin"
	"github.com/neosyncio/neosync/cli/internal/session"
)

type flags struct{}

// NewCommand returns the logout command.
func NewCommand(s *session.Session) *cobra.Command {
	f := &flags{}
	return &cobra.Command{
		Use:     "logout",
		Short:   "Forget the stored API key",
		Long:    "Remove the API key and the selected account from the configuration file. The API URL is kept.",
		Example: "  neosync logout",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return run(cmd.Context(), s, f)
		},
	}
}

func run(_ context.Context, s *session.Session, _ *flags) error {
	st, err := s.Settings()
	if err != nil {
		return err
	}
	_, signedIn, err := oidclogin.Load(st.Dir)
	if err != nil {
		return err
	}
	if st.File.APIKey == "" && !signedIn {
		_, err := fmt.Fprintln(s.Out, "Not logged in; nothing to do.")
		return err
	}
	if err := oidclogin.Remove(st.Dir); err != nil {
		return err
	}
	if err := s.SaveFile(config.File{APIURL: st.File.APIURL}); err != nil {
		return err
	}
	_, err = fmt.Fprintf(s.Out, "Logged out of %s.\n", st.File.APIURL)
	return err
}
