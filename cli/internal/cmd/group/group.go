// Package group builds command groups (`neosync connections`, `neosync
// jobs`, …): commands that only hold subcommands. Run without a
// subcommand they print help; run with an unknown one they fail with one
// line that suggests the closest name, instead of printing help and
// exiting 0 as cobra does by default.
package group

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"
)

// New returns a group command holding subs.
func New(use, short, long, example string, subs ...*cobra.Command) *cobra.Command {
	cmd := &cobra.Command{
		Use:     use,
		Short:   short,
		Long:    long,
		Example: example,
		Args:    cobra.ArbitraryArgs,
		RunE:    RunE,
	}
	cmd.AddCommand(subs...)
	return cmd
}

// RunE prints help when no subcommand is given and rejects unknown ones.
func RunE(cmd *cobra.Command, args []string) error {
	if len(args) == 0 {
		return cmd.Help()
	}
	msg := fmt.Sprintf("unknown command %q for %q", args[0], cmd.CommandPath())
	if cmd.SuggestionsMinimumDistance <= 0 {
		cmd.SuggestionsMinimumDistance = 2
	}
	if s := cmd.SuggestionsFor(args[0]); len(s) > 0 {
		msg += fmt.Sprintf("; did you mean %s?", strings.Join(s, " or "))
	}
	return fmt.Errorf("%s (see %s --help)", msg, cmd.CommandPath())
}
