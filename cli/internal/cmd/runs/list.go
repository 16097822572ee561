package runs

import (
	"context"
	"fmt"
	"io"
	"time"

	"connectrpc.com/connect"
	"github.com/spf13/cobra"

	mgmtv1alpha1 "github.com/neosyncio/neosync/backend/gen/go/protos/mgmt/v1alpha1"
	"github.com/neosyncio/neosync/cli/internal/cmd/complete"
	"github.com/neosyncio/neosync/cli/internal/describe"
	"github.com/neosyncio/neosync/cli/internal/lookup"
	"github.com/neosyncio/neosync/cli/internal/output"
	"github.com/neosyncio/neosync/cli/internal/session"
)

type listFlags struct {
	job    string
	limit  int32
	format output.Format
}

func newListCommand(s *session.Session) *cobra.Command {
	f := &listFlags{}
	cmd := &cobra.Command{
		Use:     "list [--job NAME_OR_ID]",
		Aliases: []string{"ls"},
		Short:   "List recent runs of the account, or of one job",
		Example: `  neosync runs list
  neosync runs list --job nightly --limit 5 -o json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runList(cmd.Context(), s, f)
		},
	}
	cmd.Flags().StringVar(&f.job, "job", "", "only this job's runs")
	cmd.Flags().Int32Var(&f.limit, "limit", 20, "most runs to list")
	_ = cmd.RegisterFlagCompletionFunc("job", complete.Jobs(s))
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
	req := &mgmtv1alpha1.GetJobRunsRequest{PageSize: f.limit, Id: &mgmtv1alpha1.GetJobRunsRequest_AccountId{AccountId: acct.GetId()}}
	if f.job != "" {
		j := lookup.FindJob(jobs, f.job)
		if j == nil {
			return noJob(f.job)
		}
		req.Id = &mgmtv1alpha1.GetJobRunsRequest_JobId{JobId: j.GetId()}
	}
	resp, err := c.Jobs.GetJobRuns(ctx, connect.NewRequest(req))
	if err != nil {
		return err
	}
	names := map[string]string{}
	for _, j := range jobs {
		names[j.GetId()] = j.GetName()
	}
	now := time.Now()
	return output.Message(s.Out, f.format, resp.Msg, func(w io.Writer) error {
		if len(resp.Msg.GetJobRuns()) == 0 {
			_, err := fmt.Fprintln(w, "No runs yet; start one with neosync jobs trigger JOB.")
			return err
		}
		t := output.NewTable("id", "job", "status", "started", "duration", "error")
		for _, r := range resp.Msg.GetJobRuns() {
			t.Row(r.GetId(), describe.Name(names, r.GetJobId()), describe.RunStatus(r.GetStatus()),
				output.Ago(r.GetStartedAt(), now), duration(r, now), r.GetError())
		}
		return t.Render(w)
	})
}

func noJob(name string) error {
	return fmt.Errorf("no job named %q (see neosync jobs list)", name)
}

func duration(r *mgmtv1alpha1.JobRun, now time.Time) string {
	if r.GetStartedAt() == nil {
		return ""
	}
	end := now
	if r.GetCompletedAt() != nil {
		end = r.GetCompletedAt().AsTime()
	}
	return end.Sub(r.GetStartedAt().AsTime()).Round(time.Second).String()
}
