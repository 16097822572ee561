// Package apply implements `neosync apply -f neosync.yaml`: connections and
// jobs declared as code are created or updated, by name, to match the file.
// It is idempotent (a second apply reports "no changes"), never deletes
// what the file does not mention, and with --dry-run prints the plan and
// changes nothing.
package apply

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/neosyncio/neosync/cli/internal/describe"
	"github.com/neosyncio/neosync/cli/internal/plan"
	"github.com/neosyncio/neosync/cli/internal/session"
	"github.com/neosyncio/neosync/cli/internal/spec"
)

type flags struct {
	file          string
	dryRun        bool
	updateSecrets bool
	skipCheck     bool
}

// NewCommand returns the apply command.
func NewCommand(s *session.Session) *cobra.Command {
	f := &flags{}
	cmd := &cobra.Command{
		Use:   "apply -f neosync.yaml [--dry-run]",
		Short: "Create or update connections and jobs declared in a YAML file",
		Long: `Make the account's connections and jobs match a YAML file: each resource is
found by name and created when missing, updated when it differs, and left
alone when it matches, so applying the same file twice changes nothing the
second time. Resources the file does not mention are never deleted.

--dry-run prints the plan (create, update or unchanged, with what differs) and
changes nothing.

Before anything changes (and with --dry-run), the API connects with every
connection the file creates or changes, as "neosync connections create" does
(--skip-check skips this, for a database the API cannot reach yet), and checks
every sync job the file creates or changes against its source's schema with the
rules every run applies: unknown tables and columns, transformer parameters,
transformers that do not fit the column's type, NOT NULL columns mapped to a
transformer that writes NULL, foreign-key cycles that cannot be broken. Any
problem stops the apply; warnings (such as a unique column under a transformer
that may map two values to one) are printed. ${VAR} in any value is replaced by the environment variable
VAR (${VAR:-default} when unset; $${ for a literal); an unset variable is an
error, so secrets can stay out of the file.

Connection secrets are write-only: the API never returns them, so a changed
password alone is not detected. Pass --update-secrets to send the secrets of
every declared connection again.

The file format is documented, with a full example, in the CLI's README.`,
		Example: `  neosync apply -f neosync.yaml --dry-run
  PROD_DATABASE_URL=postgres://… neosync apply -f neosync.yaml

  # neosync.yaml
  version: 1
  connections:
    - name: prod
      postgres:
        url: ${PROD_DATABASE_URL}
    - name: stage
      postgres:
        host: 127.0.0.1
        user: postgres
        database: stage
        ssl_mode: disable
  jobs:
    - name: nightly
      source:
        connection: prod
      destinations:
        - connection: stage
          truncate_before_insert: true
      schedule: "0 3 * * *"
      mappings:
        - schema: public
          table: users
          columns:
            id: passthrough
            email:
              source: transform_email
              config: {preserve_domain: true}`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return run(cmd.Context(), s, f)
		},
	}
	cmd.Flags().StringVarP(&f.file, "file", "f", "", `the YAML file ("-" for stdin)`)
	_ = cmd.MarkFlagRequired("file")
	_ = cmd.MarkFlagFilename("file", "yaml", "yml")
	cmd.Flags().BoolVar(&f.dryRun, "dry-run", false, "print what would change and change nothing")
	cmd.Flags().BoolVar(&f.skipCheck, "skip-check", false, "do not check that the API can connect with the connections the file creates or changes")
	cmd.Flags().BoolVar(&f.updateSecrets, "update-secrets", false, "send every declared connection's secrets again (a changed password is otherwise not detected)")
	return cmd
}

func run(ctx context.Context, s *session.Session, f *flags) error {
	data, err := spec.Read(f.file, s.In)
	if err != nil {
		return err
	}
	name := f.file
	if name == "-" {
		name = "stdin"
	}
	file, err := spec.Parse(name, data, s.LookupEnv)
	if err != nil {
		return err
	}
	c, acct, err := s.ClientAndAccount(ctx)
	if err != nil {
		return err
	}
	a := &applier{c: c, accountID: acct.GetId(), out: s.Out, updateSecrets: f.updateSecrets}
	p, err := a.plan(ctx, file)
	if err != nil {
		return err
	}
	changes := p.changes()
	create, update, unchanged := plan.Summary(changes)
	if create+update == 0 {
		_, err := fmt.Fprintf(s.Out, "No changes: %s up to date.\n", resourceCount(len(file.Connections), len(file.Jobs)))
		return err
	}
	if !f.skipCheck {
		if err := a.checkConnections(ctx, p); err != nil {
			return err
		}
	}
	warnings, err := a.validateJobs(ctx, p)
	if err != nil {
		return err
	}
	if f.dryRun {
		fmt.Fprintf(s.Out, "Plan for account %s at %s:\n", acct.GetName(), c.URL)
		for _, ch := range changes {
			fmt.Fprintf(s.Out, "  %s\n", ch.Line(false))
		}
		printWarnings(s.Out, warnings)
		_, err := fmt.Fprintf(s.Out, "Dry run: %d to create, %d to update, %d unchanged; nothing was changed.\n", create, update, unchanged)
		return err
	}
	printWarnings(s.Out, warnings)
	fmt.Fprintf(s.Out, "Applying to account %s at %s:\n", acct.GetName(), c.URL)
	if err := a.execute(ctx, p); err != nil {
		if a.applied > 0 {
			return fmt.Errorf("%w (%s applied before the failure)", err, describe.Count(a.applied, "change"))
		}
		return err
	}
	created, updated, same := plan.Summary(a.done)
	_, err = fmt.Fprintf(s.Out, "Applied: %d created, %d updated, %d unchanged.\n", created, updated, same)
	return err
}

// printWarnings prints what a user should know before the jobs run.
func printWarnings(w io.Writer, warnings []string) {
	for _, m := range warnings {
		fmt.Fprintf(w, "  warning: %s\n", m)
	}
}

// resourceCount is "2 connections and 1 job are" / "1 connection is".
func resourceCount(conns, jobs int) string {
	var parts []string
	if conns > 0 {
		parts = append(parts, describe.Count(conns, "connection"))
	}
	if jobs > 0 {
		parts = append(parts, describe.Count(jobs, "job"))
	}
	verb := "are"
	if conns+jobs == 1 {
		verb = "is"
	}
	return strings.Join(parts, " and ") + " " + verb
}
