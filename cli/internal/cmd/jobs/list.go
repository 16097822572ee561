package jobs

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/spf13/cobra"

	mgmtv1alpha1 "github.com/neosyncio/neosync/backend/gen/go/protos/mgmt/v1alpha1"
	"github.com/neosyncio/neosync/cli/internal/describe"
	"github.com/neosyncio/neosync/cli/internal/lookup"
	"github.com/neosyncio/neosync/cli/internal/output"
	"github.com/neosyncio/neosync/cli/internal/session"
)

type listFlags struct {
	format output.Format
}

func newListCommand(s *session.Session) *cobra.Command {
	f := &listFlags{}
	cmd := &cobra.Command{
		Use:     "list",
		Aliases: []string{"ls"},
		Short:   "List the account's jobs",
		Example: `  neosync jobs list
  neosync jobs list -o json | jq -r '.jobs[] | select(.cronSchedule) | .name'`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runList(cmd.Context(), s, f)
		},
	}
	output.AddFlag(cmd, &f.format)
	return cmd
}

func runList(ctx context.Context, s *session.Session, f *listFlags) error {
	c, acct, err := s.ClientAndAccount(ctx)
	if err != nil {
		return err
	}
	jobs, err := lookup.Jobs(ctx, c, acct.GetId())
	if err != nil {
		return err
	}
	msg := &mgmtv1alpha1.GetJobsResponse{Jobs: jobs}
	if f.format != output.Table {
		return output.Message(s.Out, f.format, msg, nil)
	}
	if len(jobs) == 0 {
		_, err := fmt.Fprintf(s.Out, "No jobs in account %s yet; create one with neosync jobs create -f job.yaml or neosync apply.\n", acct.GetName())
		return err
	}
	conns, err := lookup.Connections(ctx, c, acct.GetId())
	if err != nil {
		return err
	}
	names := lookup.ConnectionNames(conns)
	now := time.Now()
	return output.Message(s.Out, f.format, msg, func(w io.Writer) error {
		t := output.NewTable("name", "type", "source", "destinations", "schedule", "paused", "updated")
		for _, j := range jobs {
			var dests []string
			for _, d := range j.GetDestinations() {
				dests = append(dests, describe.Name(names, d.GetConnectionId()))
			}
			paused := ""
			if j.GetPaused() {
				paused = "yes"
			}
			t.Row(j.GetName(), describe.JobType(j), describe.Name(names, describe.JobSourceConnectionID(j)),
				strings.Join(dests, ", "), j.GetCronSchedule(), paused, output.Ago(j.GetUpdatedAt(), now))
		}
		return t.Render(w)
	})
}
