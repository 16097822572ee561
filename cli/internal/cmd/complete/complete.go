// Package complete provides shell completion of resource names (connections,
// jobs, accounts) fetched from the API. Completion never prints errors: when
// the API cannot be reached it simply offers nothing.
package complete

import (
	"context"
	"slices"
	"time"

	"github.com/spf13/cobra"

	"github.com/neosyncio/neosync/cli/internal/apiclient"
	"github.com/neosyncio/neosync/cli/internal/lookup"
	"github.com/neosyncio/neosync/cli/internal/session"
)

// names runs list within a short timeout and offers its result for the
// first positional argument only.
func names(list func(ctx context.Context) ([]string, error)) cobra.CompletionFunc {
	return func(cmd *cobra.Command, args []string, _ string) ([]cobra.Completion, cobra.ShellCompDirective) {
		if len(args) > 0 {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		ctx, cancel := context.WithTimeout(cmd.Context(), 3*time.Second)
		defer cancel()
		out, err := list(ctx)
		if err != nil {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		slices.Sort(out)
		return out, cobra.ShellCompDirectiveNoFileComp
	}
}

// Connections completes connection names in the current account.
func Connections(s *session.Session) cobra.CompletionFunc {
	return names(func(ctx context.Context) ([]string, error) {
		c, acct, err := clientAndAccount(ctx, s)
		if err != nil {
			return nil, err
		}
		conns, err := lookup.Connections(ctx, c, acct)
		var out []string
		for _, conn := range conns {
			out = append(out, conn.GetName())
		}
		return out, err
	})
}

// Jobs completes job names in the current account.
func Jobs(s *session.Session) cobra.CompletionFunc {
	return names(func(ctx context.Context) ([]string, error) {
		c, acct, err := clientAndAccount(ctx, s)
		if err != nil {
			return nil, err
		}
		jobs, err := lookup.Jobs(ctx, c, acct)
		var out []string
		for _, j := range jobs {
			out = append(out, j.GetName())
		}
		return out, err
	})
}

// Accounts completes account names.
func Accounts(s *session.Session) cobra.CompletionFunc {
	return names(func(ctx context.Context) ([]string, error) {
		accts, err := s.Accounts(ctx)
		var out []string
		for _, a := range accts {
			out = append(out, a.GetName())
		}
		return out, err
	})
}

func clientAndAccount(ctx context.Context, s *session.Session) (*apiclient.Client, string, error) {
	c, a, err := s.ClientAndAccount(ctx)
	if err != nil {
		return nil, "", err
	}
	return c, a.GetId(), nil
}
