package jobs

import (
	"context"
	"fmt"
	"io"
	"strings"

	"connectrpc.com/connect"
	"github.com/spf13/cobra"

	mgmtv1alpha1 "github.com/neosyncio/neosync/backend/gen/go/protos/mgmt/v1alpha1"
	"github.com/neosyncio/neosync/cli/internal/cmd/complete"
	"github.com/neosyncio/neosync/cli/internal/lookup"
	"github.com/neosyncio/neosync/cli/internal/output"
	"github.com/neosyncio/neosync/cli/internal/session"
)

type planFlags struct {
	job    string
	format output.Format
}

func newPlanCommand(s *session.Session) *cobra.Command {
	f := &planFlags{}
	cmd := &cobra.Command{
		Use:   "plan NAME_OR_ID",
		Short: "Show the plan the job's next run would follow",
		Long: `Show the plan the API computes from the job and the source as it is now:
tables in write order, what happens to every column, the foreign keys filled
in by update passes after a cycle, the subset filters and any warnings. A job
the engine would refuse fails here with every problem listed.`,
		Example: `  neosync jobs plan nightly
  neosync jobs plan nightly -o json`,
		Args:              cobra.ExactArgs(1),
		ValidArgsFunction: complete.Jobs(s),
		RunE: func(cmd *cobra.Command, args []string) error {
			f.job = args[0]
			return runPlan(cmd.Context(), s, f)
		},
	}
	output.AddFlag(cmd, &f.format)
	return cmd
}

func runPlan(ctx context.Context, s *session.Session, f *planFlags) error {
	c, acct, err := s.ClientAndAccount(ctx)
	if err != nil {
		return err
	}
	j, err := lookup.Job(ctx, c, acct.GetId(), f.job)
	if err != nil {
		return err
	}
	resp, err := c.Jobs.GetJobPlan(ctx, connect.NewRequest(&mgmtv1alpha1.GetJobPlanRequest{Id: j.GetId()}))
	if err != nil {
		return err
	}
	return output.Message(s.Out, f.format, resp.Msg, func(w io.Writer) error {
		return writePlan(w, j.GetName(), resp.Msg)
	})
}

// writePlan prints the plan's text and then each warning the text does not
// already list (the API's text ends with its warnings), so none is printed
// twice.
func writePlan(w io.Writer, name string, p *mgmtv1alpha1.GetJobPlanResponse) error {
	text := p.GetText()
	if text != "" && !strings.HasSuffix(text, "\n") {
		text += "\n"
	}
	if _, err := fmt.Fprintf(w, "Plan of job %s:\n%s", name, text); err != nil {
		return err
	}
	for _, warn := range p.GetWarnings() {
		if strings.Contains(text, warn) {
			continue
		}
		if _, err := fmt.Fprintf(w, "warning: %s\n", warn); err != nil {
			return err
		}
	}
	return nil
}
