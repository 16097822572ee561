// Package jobs implements `neosync jobs list|get|create|delete|pause|resume|trigger|plan|export`.
// Pausing, resuming and triggering call the run RPCs, which answer
// "not available yet" until the worker lands; the CLI reports that and
// exits non-zero rather than pretending.
package jobs

import (
	"github.com/spf13/cobra"

	"github.com/neosyncio/neosync/cli/internal/cmd/group"
	"github.com/neosyncio/neosync/cli/internal/session"
)

// NewCommand returns the jobs command group.
func NewCommand(s *session.Session) *cobra.Command {
	cmd := group.New("jobs", "Manage data-sync and data-generation jobs",
		`A job copies a source connection to one or more destinations with a
transformer on each sensitive column (a sync job), or writes synthetic rows
(a generation job). Define jobs in YAML (see neosync apply --help and the
README) and create them with neosync jobs create -f or neosync apply.`,
		`  neosync jobs list
  neosync jobs create -f job.yaml
  neosync jobs get nightly -o yaml
  neosync jobs export nightly > nightly.yaml
  neosync jobs plan nightly
  neosync jobs trigger nightly --wait`,
		newListCommand(s), newGetCommand(s), newCreateCommand(s), newDeleteCommand(s),
		newPauseCommand(s, true), newPauseCommand(s, false), newTriggerCommand(s), newPlanCommand(s), newExportCommand(s))
	cmd.Aliases = []string{"job"}
	return cmd
}
