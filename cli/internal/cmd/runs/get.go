package runs

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"connectrpc.com/connect"
	"github.com/spf13/cobra"
	"google.golang.org/protobuf/types/known/structpb"

	mgmtv1alpha1 "github.com/neosyncio/neosync/backend/gen/go/protos/mgmt/v1alpha1"
	"github.com/neosyncio/neosync/cli/internal/describe"
	"github.com/neosyncio/neosync/cli/internal/output"
	"github.com/neosyncio/neosync/cli/internal/progress"
	"github.com/neosyncio/neosync/cli/internal/session"
)

type getFlags struct {
	run    string
	format output.Format
}

func newGetCommand(s *session.Session) *cobra.Command {
	f := &getFlags{}
	cmd := &cobra.Command{
		Use:   "get RUN_ID",
		Short: "Show one run with per-table progress",
		Example: `  neosync runs get 0b7c3f52-…
  neosync runs get 0b7c3f52-… -o yaml`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			f.run = args[0]
			return runGet(cmd.Context(), s, f)
		},
	}
	output.AddFlag(cmd, &f.format)
	return cmd
}

func runGet(ctx context.Context, s *session.Session, f *getFlags) error {
	c, id, err := clientAndRun(ctx, s, f.run)
	if err != nil {
		return err
	}
	f.run = id
	resp, err := c.Jobs.GetJobRun(ctx, connect.NewRequest(&mgmtv1alpha1.GetJobRunRequest{JobRunId: f.run}))
	if err != nil {
		return err
	}
	run := resp.Msg.GetJobRun()
	if run == nil {
		return errors.New("the API returned no run")
	}
	if f.format != output.Table {
		return output.Message(s.Out, f.format, run, nil)
	}
	job := run.GetJobId()
	if name := jobName(ctx, s, job); name != "" {
		job = name + " (" + job + ")"
	}
	// The run's events name the step in progress, each retry and why the
	// previous attempt ended; a failed read of them only hides that.
	var events []*mgmtv1alpha1.JobRunEvent
	if ev, err := c.Jobs.GetJobRunEvents(ctx, connect.NewRequest(&mgmtv1alpha1.GetJobRunEventsRequest{JobRunId: run.GetId()})); err == nil {
		events = ev.Msg.GetEvents()
	}
	return output.Message(s.Out, f.format, run, func(w io.Writer) error {
		return writeRun(w, run, job, events)
	})
}

// writeRun prints a run as fields (job is its job's label), its retries and
// errors among events, its tables and the summary of its verification.
func writeRun(w io.Writer, run *mgmtv1alpha1.JobRun, job string, events []*mgmtv1alpha1.JobRunEvent) error {
	step := ""
	if !describe.IsTerminal(run.GetStatus()) && len(events) > 0 {
		step = events[len(events)-1].GetMessage()
	}
	report, summary := "", ""
	if run.GetReport() != nil {
		report = "verification report below (full detail with -o yaml)"
		summary = run.GetReport().GetFields()["summary"].GetStringValue()
		if summary == "" {
			report = "verification report available with -o yaml"
		}
		if s := reportStatus(run.GetReport()); s != "" {
			report = s + ", " + report
		}
	}
	if err := output.Fields(w,
		output.Field{Label: "ID", Value: run.GetId()},
		output.Field{Label: "Job", Value: job},
		output.Field{Label: "Workflow", Value: run.GetWorkflowId()},
		output.Field{Label: "Status", Value: describe.RunStatus(run.GetStatus())},
		output.Field{Label: "Started", Value: output.Time(run.GetStartedAt())},
		output.Field{Label: "Completed", Value: output.Time(run.GetCompletedAt())},
		output.Field{Label: "Duration", Value: duration(run, time.Now())},
		output.Field{Label: "Step", Value: step},
		output.Field{Label: "Error", Value: run.GetError()},
		output.Field{Label: "Report", Value: report},
	); err != nil {
		return err
	}
	writeNotable(w, events)
	if len(run.GetTables()) == 0 {
		return nil
	}
	fmt.Fprintln(w)
	t := output.NewTable("table", "state", "rows", "error")
	for _, tp := range run.GetTables() {
		rows := progress.Number(tp.GetRowsDone())
		if tp.GetRowsExpected() > 0 {
			rows += " / " + progress.Number(tp.GetRowsExpected())
		}
		t.Row(progress.TableLabel(run, tp), progress.StateLabel(tp), rows, tp.GetError())
	}
	if err := t.Render(w); err != nil {
		return err
	}
	if summary != "" {
		if _, err := fmt.Fprint(w, "\n"+summary); err != nil {
			return err
		}
	}
	return nil
}

// writeNotable prints the last 20 warnings and errors among events.
func writeNotable(w io.Writer, events []*mgmtv1alpha1.JobRunEvent) {
	var notable []*mgmtv1alpha1.JobRunEvent
	for _, e := range events {
		if e.GetLevel() == "warn" || e.GetLevel() == "error" {
			notable = append(notable, e)
		}
	}
	if len(notable) == 0 {
		return
	}
	fmt.Fprintln(w, "\nRetries and errors:")
	const show = 20
	if len(notable) > show {
		fmt.Fprintf(w, "  … %d earlier not shown\n", len(notable)-show)
		notable = notable[len(notable)-show:]
	}
	for _, e := range notable {
		fmt.Fprintf(w, "  %s %-5s %s\n", e.GetTime().AsTime().Local().Format("15:04:05"), e.GetLevel(), e.GetMessage())
	}
}

// reportStatus is a run report's verdict and its worst finding, e.g.
// "WARN: shop.customers.last_name (transform_last_name): …", or "" for a
// report recorded before reports had a status.
func reportStatus(r *structpb.Struct) string {
	status := r.GetFields()["status"].GetStringValue()
	if status == "" {
		return ""
	}
	findings := r.GetFields()["findings"].GetListValue().GetValues()
	if len(findings) == 0 {
		return status
	}
	n := ""
	if len(findings) > 1 {
		n = fmt.Sprintf(" (and %d more)", len(findings)-1)
	}
	return status + ": " + findings[0].GetStructValue().GetFields()["message"].GetStringValue() + n
}
