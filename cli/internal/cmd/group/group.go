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

	"github.com/neosyncio/neosync/cli/internal/exitcode"
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
	if s := closest(args[0], cmd.Commands()); len(s) > 0 {
		msg += fmt.Sprintf("; did you mean %s?", strings.Join(s, " or "))
	}
	return exitcode.Usage(fmt.Errorf("%s (see %s --help)", msg, cmd.CommandPath()))
}

// closest names the available subcommands nearest to typed: those it
// starts, else those at the smallest edit distance (at most 2), so "lst"
// suggests list and not also get.
func closest(typed string, cmds []*cobra.Command) []string {
	var names []string
	for _, c := range cmds {
		if c.IsAvailableCommand() {
			names = append(names, c.Name())
		}
	}
	var out []string
	for _, n := range names {
		if strings.HasPrefix(n, strings.ToLower(typed)) {
			out = append(out, n)
		}
	}
	if len(out) > 0 {
		return out
	}
	best := 3
	for _, n := range names {
		switch d := distance(strings.ToLower(typed), n); {
		case d < best:
			best, out = d, []string{n}
		case d == best:
			out = append(out, n)
		}
	}
	return out
}

// distance is the Levenshtein distance between a and b.
func distance(a, b string) int {
	prev := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur := make([]int, len(b)+1)
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev = cur
	}
	return prev[len(b)]
}
