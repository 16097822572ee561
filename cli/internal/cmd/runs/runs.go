// Package runs implements `neosync runs list|get|cancel|terminate|watch`.
// Every subcommand calls the API's run RPCs; until the worker lands the API
// answers "not available yet", which is reported as one line with a
// non-zero exit.
package runs

import (
	"github.com/spf13/cobra"

	"github.com/neosyncio/neosync/cli/internal/cmd/group"
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
  neosync runs cancel RUN_ID`,
		newListCommand(s), newGetCommand(s), newStopCommand(s, false), newStopCommand(s, true), newWatchCommand(s))
	cmd.Aliases = []string{"run"}
	return cmd
}
