// Package runs implements `neosync runs list|get|cancel|terminate|watch|logs`.
// Every subcommand calls the API's run RPCs; a run is named by its id or by
// the short id (a prefix of it) that the web app and `runs list` print.
package runs

import (
	"context"

	"github.com/spf13/cobra"

	"github.com/neosyncio/neosync/cli/internal/apiclient"
	"github.com/neosyncio/neosync/cli/internal/cmd/group"
	"github.com/neosyncio/neosync/cli/internal/lookup"
	"github.com/neosyncio/neosync/cli/internal/session"
)

// NewCommand returns the runs command group.
func NewCommand(s *session.Session) *cobra.Command {
	cmd := group.New("runs", "List, inspect, follow and stop job runs",
		`A run is one execution of a job: pending, running, then complete, failed,
canceled or terminated, with per-table progress. Start one with neosync jobs
trigger.`,
		`  neosync runs list --job nightly
  neosync runs watch RUN_ID
  neosync runs logs RUN_ID --follow
  neosync runs cancel RUN_ID`,
		newListCommand(s), newGetCommand(s), newStopCommand(s, false), newStopCommand(s, true), newWatchCommand(s), newLogsCommand(s))
	cmd.Aliases = []string{"run"}
	return cmd
}

// clientAndRun returns the API client and the id of the run the user
// named: its id, or the short id (a prefix) that the web app and `runs
// list` print, looked up among the account's runs.
func clientAndRun(ctx context.Context, s *session.Session, run string) (*apiclient.Client, string, error) {
	if !lookup.IsRunPrefix(run) {
		c, err := s.Client()
		return c, run, err
	}
	c, acct, err := s.ClientAndAccount(ctx)
	if err != nil {
		return nil, "", err
	}
	id, err := lookup.RunID(ctx, c, acct.GetId(), run)
	return c, id, err
}
