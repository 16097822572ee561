// Package version implements `neosync version`: the CLI's build and, when an
// API is reachable, the server's.
package version

import (
	"context"
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/neosyncio/neosync/backend/pkg/buildinfo"
)

// NewCommand returns the version command.
func NewCommand(out io.Writer) *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the CLI version",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return run(cmd.Context(), out)
		},
	}
}

func run(_ context.Context, out io.Writer) error {
	bi := buildinfo.Get()
	_, err := fmt.Fprintf(out, "neosync %s (commit %s, %s, %s)\n", bi.Version, bi.Commit, bi.GoVersion, bi.Platform)
	return err
}
