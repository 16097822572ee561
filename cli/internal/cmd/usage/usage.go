// Package usage implements `neosync usage`: rows copied per day and job
// over a range of days, from the API's run records (JobService.GetUsage).
package usage

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"time"

	"connectrpc.com/connect"
	"github.com/spf13/cobra"

	mgmtv1alpha1 "github.com/neosyncio/neosync/backend/gen/go/protos/mgmt/v1alpha1"
	"github.com/neosyncio/neosync/cli/internal/cmd/complete"
	"github.com/neosyncio/neosync/cli/internal/lookup"
	"github.com/neosyncio/neosync/cli/internal/output"
	"github.com/neosyncio/neosync/cli/internal/session"
)

type flags struct {
	job      string
	from, to string
	days     int
	format   output.Format
}

// NewCommand returns the usage command.
func NewCommand(s *session.Session) *cobra.Command {
	f := &flags{}
	cmd := &cobra.Command{
		Use:   "usage [--job NAME_OR_ID] [--days N | --from DAY --to DAY]",
		Short: "Rows copied per day and job (UTC days, from the run records)",
		Long: `Rows written to destinations per day and job, as the account's run records
hold them: each table's rows count on the day its copy ended, once per
destination. Days are UTC; a range covers at most 366 days.`,
		Example: `  neosync usage
  neosync usage --days 7 --job nightly
  neosync usage --from 2026-11-01 --to 2026-11-30 -o json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return run(cmd.Context(), s, f, time.Now().UTC())
		},
	}
	cmd.Flags().StringVar(&f.job, "job", "", "only this job")
	cmd.Flags().IntVar(&f.days, "days", 30, "the last N days up to today (ignored with --from)")
	cmd.Flags().StringVar(&f.from, "from", "", "first day, YYYY-MM-DD (UTC)")
	cmd.Flags().StringVar(&f.to, "to", "", "last day, YYYY-MM-DD (UTC; default today)")
	_ = cmd.RegisterFlagCompletionFunc("job", complete.Jobs(s))
	output.AddFlag(cmd, &f.format)
	return cmd
}

// dateRange returns the first and last day the flags ask for.
func (f *flags) dateRange(today time.Time) (string, string, error) {
	to := f.to
	if to == "" {
		to = today.Format(time.DateOnly)
	}
	if f.from != "" {
		return f.from, to, nil
	}
	if f.days < 1 {
		return "", "", fmt.Errorf("--days must be at least 1, got %d", f.days)
	}
	end, err := time.Parse(time.DateOnly, to)
	if err != nil {
		return "", "", fmt.Errorf("--to must be a day as YYYY-MM-DD, got %q", to)
	}
	return end.AddDate(0, 0, 1-f.days).Format(time.DateOnly), to, nil
}

func run(ctx context.Context, s *session.Session, f *flags, today time.Time) error {
	from, to, err := f.dateRange(today)
	if err != nil {
		return err
	}
	c, acct, err := s.ClientAndAccount(ctx)
	if err != nil {
		return err
	}
	req := &mgmtv1alpha1.GetUsageRequest{AccountId: acct.GetId(), StartDate: from, EndDate: to}
	if f.job != "" {
		j, err := lookup.Job(ctx, c, acct.GetId(), f.job)
		if err != nil {
			return err
		}
		id := j.GetId()
		req.JobId = &id
	}
	resp, err := c.Jobs.GetUsage(ctx, connect.NewRequest(req))
	if err != nil {
		return err
	}
	return output.Message(s.Out, f.format, resp.Msg, func(w io.Writer) error {
		if len(resp.Msg.GetDays()) == 0 {
			_, err := fmt.Fprintf(w, "No rows copied from %s to %s.\n", from, to)
			return err
		}
		t := output.NewTable("day", "job", "rows", "runs")
		for _, d := range resp.Msg.GetDays() {
			t.Row(d.GetDate(), d.GetJobName(), strconv.FormatInt(d.GetRows(), 10), strconv.FormatInt(d.GetRuns(), 10))
		}
		if err := t.Render(w); err != nil {
			return err
		}
		_, err := fmt.Fprintf(w, "%d rows copied from %s to %s.\n", resp.Msg.GetTotalRows(), from, to)
		return err
	})
}
