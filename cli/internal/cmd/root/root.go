// Package root assembles the `neosync` command tree.
package root

import (
	"io"

	"github.com/spf13/cobra"

	"github.com/neosyncio/neosync/cli/internal/cmd/version"
)

// NewCommand returns the root command writing to out.
func NewCommand(out io.Writer) *cobra.Command {
	root := &cobra.Command{
		Use:           "neosync",
		Short:         "Neosync: anonymized copies of production databases",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetOut(out)
	root.AddCommand(version.NewCommand(out))
	return root
}
