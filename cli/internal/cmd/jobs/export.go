package jobs

import (
	"context"
	"fmt"
	"io"

	"github.com/spf13/cobra"

	mgmtv1alpha1 "github.com/neosyncio/neosync/backend/gen/go/protos/mgmt/v1alpha1"
	"github.com/neosyncio/neosync/cli/internal/apiclient"
	"github.com/neosyncio/neosync/cli/internal/cmd/complete"
	"github.com/neosyncio/neosync/cli/internal/lookup"
	"github.com/neosyncio/neosync/cli/internal/session"
	"github.com/neosyncio/neosync/cli/internal/spec"
)

func newExportCommand(s *session.Session) *cobra.Command {
	return &cobra.Command{
		Use:   "export NAME_OR_ID",
		Short: "Write a job as a job file for neosync apply -f (the same as jobs get -o apply)",
		Long: `Write a job — built in the web app or anywhere else — as the YAML that
neosync apply -f reads, so it can live in version control. Connections and
user-defined transformers are named, not embedded: the file applies to an
account that has them (connection secrets never leave the API). Applying
the file unchanged to the same account changes nothing.`,
		Example: `  neosync jobs export nightly > nightly.yaml
  neosync apply -f nightly.yaml --dry-run
  neosync jobs get nightly -o apply`,
		Args:              cobra.ExactArgs(1),
		ValidArgsFunction: complete.Jobs(s),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			c, acct, err := s.ClientAndAccount(ctx)
			if err != nil {
				return err
			}
			j, err := lookup.Job(ctx, c, acct.GetId(), args[0])
			if err != nil {
				return err
			}
			return writeJobFile(ctx, s.Out, c, acct.GetId(), j)
		},
	}
}

// writeJobFile writes j as a one-job file for neosync apply -f.
func writeJobFile(ctx context.Context, w io.Writer, c *apiclient.Client, accountID string, j *mgmtv1alpha1.Job) error {
	conns, err := lookup.Connections(ctx, c, accountID)
	if err != nil {
		return err
	}
	udts, err := lookup.UserDefinedTransformers(ctx, c, accountID)
	if err != nil {
		return err
	}
	names := spec.Names{Connections: lookup.ConnectionNames(conns), UserDefinedTransformers: map[string]string{}}
	for _, u := range udts {
		names.UserDefinedTransformers[u.GetId()] = u.GetName()
	}
	job, err := spec.ExportJob(j, names)
	if err != nil {
		return err
	}
	doc, err := spec.Marshal(&spec.File{Version: 1, Jobs: []spec.Job{*job}})
	if err != nil {
		return err
	}
	if _, err := fmt.Fprintf(w, "# Job %q exported by neosync jobs export; apply with: neosync apply -f FILE\n", j.GetName()); err != nil {
		return err
	}
	_, err = w.Write(doc)
	return err
}
