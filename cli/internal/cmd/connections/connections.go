// Package connections implements `neosync connections list|get|create|check|scan|delete`:
// the databases jobs read from and write to. Credentials are write-only: the
// API masks them on every read.
package connections

import (
	"github.com/spf13/cobra"

	"github.com/neosyncio/neosync/cli/internal/cmd/group"
	"github.com/neosyncio/neosync/cli/internal/session"
)

// NewCommand returns the connections command group.
func NewCommand(s *session.Session) *cobra.Command {
	cmd := group.New("connections", "Manage database connections",
		`Connections are the databases jobs read from and write to: Postgres and
MySQL/MariaDB, given as a URL or as discrete fields. Credentials are stored
encrypted by the API and shown masked (********).`,
		`  neosync connections list
  neosync connections create --name prod --postgres-url "$PROD_DATABASE_URL"
  neosync connections check prod
  neosync connections scan prod
  neosync connections delete prod`,
		newListCommand(s), newGetCommand(s), newCreateCommand(s), newCheckCommand(s), newScanCommand(s), newDeleteCommand(s))
	cmd.Aliases = []string{"connection", "conn"}
	return cmd
}
