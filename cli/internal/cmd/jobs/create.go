package jobs

import (
	"context"
	"fmt"
	"io"

	"connectrpc.com/connect"
	"github.com/spf13/cobra"

	"github.com/neosyncio/neosync/cli/internal/lookup"
	"github.com/neosyncio/neosync/cli/internal/output"
	"github.com/neosyncio/neosync/cli/internal/session"
	"github.com/neosyncio/neosync/cli/internal/spec"
)

type createFlags struct {
	file   string
	format output.Format
}

func newCreateCommand(s *session.Session) *cobra.Command {
	f := &createFlags{}
	cmd := &cobra.Command{
		Use:   "create -f job.yaml",
		Short: "Create a job from a YAML file",
		Long: `Create a job from a YAML file holding one job, in the same format as an entry
of the jobs: list of a neosync.yaml (see neosync apply --help and the README).
Connections and user-defined transformers are named, not given by id;
${VAR} is replaced by the environment variable VAR. To create or update jobs
idempotently, use neosync apply instead.`,
		Example: `  neosync jobs create -f job.yaml
  cat job.yaml | neosync jobs create -f -

  # job.yaml
  name: nightly
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
        email: transform_email
        name: generate_full_name`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runCreate(cmd.Context(), s, f)
		},
	}
	cmd.Flags().StringVarP(&f.file, "file", "f", "", `job YAML file ("-" for stdin)`)
	_ = cmd.MarkFlagRequired("file")
	_ = cmd.MarkFlagFilename("file", "yaml", "yml")
	output.AddFlag(cmd, &f.format)
	return cmd
}

func runCreate(ctx context.Context, s *session.Session, f *createFlags) error {
	data, err := spec.Read(f.file, s.In)
	if err != nil {
		return err
	}
	name := f.file
	if name == "-" {
		name = "stdin"
	}
	job, err := spec.ParseJob(name, data, s.LookupEnv)
	if err != nil {
		return err
	}
	c, acct, err := s.ClientAndAccount(ctx)
	if err != nil {
		return err
	}
	conns, err := lookup.Connections(ctx, c, acct.GetId())
	if err != nil {
		return err
	}
	def, err := job.Definition(lookup.NewResolver(ctx, c, acct.GetId(), conns))
	if err != nil {
		return err
	}
	resp, err := c.Jobs.CreateJob(ctx, connect.NewRequest(def.CreateRequest(acct.GetId())))
	if err != nil {
		return fmt.Errorf("create job %s: %w", job.Name, err)
	}
	j := resp.Msg.GetJob()
	return output.Message(s.Out, f.format, j, func(w io.Writer) error {
		_, err := fmt.Fprintf(w, "Created job %s (%s).\n", j.GetName(), j.GetId())
		return err
	})
}
