package jobs

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"connectrpc.com/connect"
	"github.com/spf13/cobra"

	mgmtv1alpha1 "github.com/neosyncio/neosync/backend/gen/go/protos/mgmt/v1alpha1"
	"github.com/neosyncio/neosync/cli/internal/cmd/complete"
	"github.com/neosyncio/neosync/cli/internal/exitcode"
	"github.com/neosyncio/neosync/cli/internal/lookup"
	"github.com/neosyncio/neosync/cli/internal/output"
	"github.com/neosyncio/neosync/cli/internal/session"
)

type planFlags struct {
	job    string
	format output.Format
	sample int
}

func newPlanCommand(s *session.Session) *cobra.Command {
	f := &planFlags{}
	cmd := &cobra.Command{
		Use:   "plan NAME_OR_ID",
		Short: "Show the plan the job's next run would follow",
		Long: `Show the plan the API computes from the job and the source as it is now:
tables in write order, what happens to every column, the foreign keys filled
in by update passes after a cycle, the subset filters and any warnings. A job
the engine would refuse fails here with every problem listed.

--sample N previews each subset: how many rows its WHERE keeps and the first
N of them (at most 20) as the source holds them, before any transformer.
Reading rows needs the data permission on the source connection.`,
		Example: `  neosync jobs plan nightly
  neosync jobs plan nightly --sample 5
  neosync jobs plan nightly -o json`,
		Args:              cobra.ExactArgs(1),
		ValidArgsFunction: complete.Jobs(s),
		RunE: func(cmd *cobra.Command, args []string) error {
			f.job = args[0]
			return runPlan(cmd.Context(), s, f)
		},
	}
	output.AddFlag(cmd, &f.format)
	cmd.Flags().IntVar(&f.sample, "sample", 0, "show each subset's row count and its first N source rows (1–20)")
	return cmd
}

func runPlan(ctx context.Context, s *session.Session, f *planFlags) error {
	if f.sample < 0 || f.sample > MaxSampleRows {
		return exitcode.Usage(fmt.Errorf("--sample: must be between 1 and %d", MaxSampleRows))
	}
	if f.sample > 0 && f.format != output.Table {
		return exitcode.Usage(errors.New("--sample prints a table; leave out -o"))
	}
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
	var samples []subsetSample
	if f.sample > 0 {
		if j.GetSource().GetSync() == nil {
			return exitcode.Usage(fmt.Errorf("--sample: job %s generates its rows; it has no subsets", j.GetName()))
		}
		if samples, err = sampleSubsets(ctx, c, j, f.sample); err != nil {
			return err
		}
	}
	return output.Message(s.Out, f.format, resp.Msg, func(w io.Writer) error {
		if err := writePlan(w, j.GetName(), resp.Msg); err != nil {
			return err
		}
		if f.sample > 0 && len(samples) == 0 {
			_, err := fmt.Fprintln(w, "\nNo subsets: every row of every table is copied.")
			return err
		}
		return writeSamples(w, samples)
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
