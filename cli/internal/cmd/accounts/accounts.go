// Package accounts implements `neosync accounts list|switch`: the accounts
// the caller may act in, and which one later commands use (stored in the
// configuration file).
package accounts

import (
	"context"
	"fmt"
	"io"

	"github.com/spf13/cobra"

	mgmtv1alpha1 "github.com/neosyncio/neosync/backend/gen/go/protos/mgmt/v1alpha1"
	"github.com/neosyncio/neosync/cli/internal/cmd/complete"
	"github.com/neosyncio/neosync/cli/internal/cmd/group"
	"github.com/neosyncio/neosync/cli/internal/describe"
	"github.com/neosyncio/neosync/cli/internal/output"
	"github.com/neosyncio/neosync/cli/internal/session"
)

// NewCommand returns the accounts command group.
func NewCommand(s *session.Session) *cobra.Command {
	return group.New("accounts", "List accounts and choose the one commands act in",
		`Every connection and job belongs to one account. Commands act in the account
chosen with neosync accounts switch (stored in the configuration file), or
--account for one command; when neither is set, the only account (or the
personal one) is used.`,
		`  neosync accounts list
  neosync accounts switch my-team`,
		newListCommand(s), newSwitchCommand(s))
}

type listFlags struct {
	format output.Format
}

func newListCommand(s *session.Session) *cobra.Command {
	f := &listFlags{}
	cmd := &cobra.Command{
		Use:     "list",
		Aliases: []string{"ls"},
		Short:   "List the accounts you may act in (* marks the current one)",
		Example: `  neosync accounts list
  neosync accounts list -o json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runList(cmd.Context(), s, f)
		},
	}
	output.AddFlag(cmd, &f.format)
	return cmd
}

func runList(ctx context.Context, s *session.Session, f *listFlags) error {
	accts, err := s.Accounts(ctx)
	if err != nil {
		return err
	}
	current := ""
	if a, err := s.Account(ctx); err == nil {
		current = a.GetId()
	}
	msg := &mgmtv1alpha1.GetUserAccountsResponse{Accounts: accts}
	return output.Message(s.Out, f.format, msg, func(w io.Writer) error {
		t := output.NewTable("current", "name", "type", "role", "id", "created")
		for _, a := range accts {
			mark := ""
			if a.GetId() == current {
				mark = "*"
			}
			t.Row(mark, a.GetName(), describe.AccountType(a), describe.Role(a.GetRole()), a.GetId(), output.Time(a.GetCreatedAt()))
		}
		return t.Render(w)
	})
}

type switchFlags struct {
	account string
}

func newSwitchCommand(s *session.Session) *cobra.Command {
	f := &switchFlags{}
	return &cobra.Command{
		Use:   "switch NAME_OR_ID",
		Short: "Choose the account later commands act in",
		Example: `  neosync accounts switch my-team
  neosync accounts switch 2f0c9c8e-7d1c-4f4e-9a51-0e1f3b1c2d3e`,
		Args:              cobra.ExactArgs(1),
		ValidArgsFunction: complete.Accounts(s),
		RunE: func(cmd *cobra.Command, args []string) error {
			f.account = args[0]
			return runSwitch(cmd.Context(), s, f)
		},
	}
}

func runSwitch(ctx context.Context, s *session.Session, f *switchFlags) error {
	accts, err := s.Accounts(ctx)
	if err != nil {
		return err
	}
	a := session.FindAccount(accts, f.account)
	if a == nil {
		return fmt.Errorf("no account named %q (see neosync accounts list)", f.account)
	}
	st, err := s.Settings()
	if err != nil {
		return err
	}
	file := st.File
	file.AccountID, file.AccountName = a.GetId(), a.GetName()
	if err := s.SaveFile(file); err != nil {
		return err
	}
	_, err = fmt.Fprintf(s.Out, "Switched to account %s (%s).\n", a.GetName(), describe.AccountType(a))
	return err
}
