// Package root assembles the `neosync` command tree and its global flags.
package root

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/neosyncio/neosync/cli/internal/cmd/accounts"
	"github.com/neosyncio/neosync/cli/internal/cmd/apply"
	"github.com/neosyncio/neosync/cli/internal/cmd/audit"
	"github.com/neosyncio/neosync/cli/internal/cmd/complete"
	"github.com/neosyncio/neosync/cli/internal/cmd/connections"
	"github.com/neosyncio/neosync/cli/internal/cmd/group"
	"github.com/neosyncio/neosync/cli/internal/cmd/jobs"
	"github.com/neosyncio/neosync/cli/internal/cmd/login"
	"github.com/neosyncio/neosync/cli/internal/cmd/logout"
	"github.com/neosyncio/neosync/cli/internal/cmd/runs"
	"github.com/neosyncio/neosync/cli/internal/cmd/synccmd"
	"github.com/neosyncio/neosync/cli/internal/cmd/transformers"
	"github.com/neosyncio/neosync/cli/internal/cmd/usage"
	"github.com/neosyncio/neosync/cli/internal/cmd/version"
	"github.com/neosyncio/neosync/cli/internal/cmd/whoami"
	"github.com/neosyncio/neosync/cli/internal/exitcode"
	"github.com/neosyncio/neosync/cli/internal/session"
)

// NewCommand returns the root command; every command writes through s.
func NewCommand(s *session.Session) *cobra.Command {
	root := &cobra.Command{
		Use:   "neosync",
		Short: "Neosync: anonymized copies of production databases",
		Long: `neosync manages Neosync connections, jobs and runs from the command line.

Settings, highest precedence first: flags (--api-url, --account), the
environment (NEOSYNC_API_URL, NEOSYNC_API_KEY), the configuration file
(~/.neosync/config.yaml; NEOSYNC_CONFIG_DIR or XDG_CONFIG_HOME/neosync move
it), then the default API http://127.0.0.1:8080.`,
		Example: `  neosync login --api-key "$NEOSYNC_KEY" --api-url https://neosync.example.com
  neosync connections list
  neosync apply -f neosync.yaml --dry-run
  neosync jobs trigger nightly --wait`,
		Args:          cobra.ArbitraryArgs,
		RunE:          group.RunE,
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	// --version prints the client's build without asking the API, like
	// `neosync version --client`.
	root.Version = version.Client()
	root.SetVersionTemplate("neosync {{.Version}}\n")
	root.SetOut(s.Out)
	root.SetErr(s.Err)
	root.SetIn(s.In)
	pf := root.PersistentFlags()
	pf.StringVar(&s.Overrides.APIURL, "api-url", "", "Neosync API URL (overrides NEOSYNC_API_URL and the stored URL)")
	pf.StringVar(&s.Overrides.Account, "account", "", "account name or id to act in (overrides the stored choice)")
	_ = root.RegisterFlagCompletionFunc("account", complete.Accounts(s))
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error {
		return exitcode.Usage(fmt.Errorf("%w (see %s --help)", err, c.CommandPath()))
	})
	root.AddCommand(
		login.NewCommand(s),
		logout.NewCommand(s),
		whoami.NewCommand(s),
		accounts.NewCommand(s),
		audit.NewCommand(s),
		connections.NewCommand(s),
		jobs.NewCommand(s),
		runs.NewCommand(s),
		apply.NewCommand(s),
		synccmd.NewCommand(s),
		transformers.NewCommand(s),
		usage.NewCommand(s),
		version.NewCommand(s),
	)
	markUsageErrors(root)
	return root
}

// markUsageErrors makes every command's argument and required-flag errors
// usage errors (exit code 2): its Args check is wrapped, and the flag
// checks cobra would run after PreRun are run first, in PersistentPreRunE
// (no command defines its own).
func markUsageErrors(c *cobra.Command) {
	if check := c.Args; check != nil {
		c.Args = func(cmd *cobra.Command, args []string) error {
			if err := check(cmd, args); err != nil {
				return exitcode.Usage(fmt.Errorf("%w (see %s --help)", err, cmd.CommandPath()))
			}
			return nil
		}
	}
	if c.PersistentPreRunE == nil && c.PersistentPreRun == nil && !c.HasParent() {
		c.PersistentPreRunE = func(cmd *cobra.Command, _ []string) error {
			if err := cmd.ValidateRequiredFlags(); err != nil {
				return exitcode.Usage(fmt.Errorf("%w (see %s --help)", err, cmd.CommandPath()))
			}
			if err := cmd.ValidateFlagGroups(); err != nil {
				return exitcode.Usage(fmt.Errorf("%w (see %s --help)", err, cmd.CommandPath()))
			}
			return nil
		}
	}
	for _, sub := range c.Commands() {
		markUsageErrors(sub)
	}
}
