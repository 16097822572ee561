package runs

import (
	"context"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"connectrpc.com/connect"
	"github.com/spf13/cobra"
	"google.golang.org/protobuf/encoding/protojson"

	mgmtv1alpha1 "github.com/neosyncio/neosync/backend/gen/go/protos/mgmt/v1alpha1"
	"github.com/neosyncio/neosync/cli/internal/output"
	"github.com/neosyncio/neosync/cli/internal/session"
)

type logsFlags struct {
	run    string
	follow bool
	format output.Format
}

func newLogsCommand(s *session.Session) *cobra.Command {
	f := &logsFlags{}
	cmd := &cobra.Command{
		Use:   "logs RUN_ID [--follow]",
		Short: "Print the worker's log lines of a run; --follow waits for new ones until the run ends",
		Long: `The worker's log lines for a run, oldest first: steps, table copies with their
rows and time, retries and failures. They are kept for the API's
NEOSYNC_RUN_LOG_RETENTION_DAYS. -o json prints one JSON object per line.`,
		Example: `  neosync runs logs 0b7c3f52
  neosync runs logs 0b7c3f52 --follow
  neosync runs logs 0b7c3f52 -o json | jq -r .message`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			f.run = args[0]
			return runLogs(cmd.Context(), s, f)
		},
	}
	cmd.Flags().BoolVarP(&f.follow, "follow", "f", false, "keep printing new lines until the run has ended")
	output.AddFlag(cmd, &f.format)
	return cmd
}

func runLogs(ctx context.Context, s *session.Session, f *logsFlags) error {
	if f.format == output.YAML {
		return fmt.Errorf("runs logs prints text or JSON lines (-o table or -o json), not yaml")
	}
	c, id, err := clientAndRun(ctx, s, f.run)
	if err != nil {
		return err
	}
	stream, err := c.Jobs.GetJobRunLogs(ctx, connect.NewRequest(&mgmtv1alpha1.GetJobRunLogsRequest{JobRunId: id, Follow: f.follow}))
	if err != nil {
		return err
	}
	defer stream.Close()
	for stream.Receive() {
		for _, l := range stream.Msg().GetLines() {
			if err := writeLogLine(s.Out, f.format, l); err != nil {
				return err
			}
		}
	}
	return stream.Err()
}

// writeLogLine prints one line: `TIME LEVEL message key=value …` with the
// attributes sorted, or the line as one JSON object.
func writeLogLine(w io.Writer, format output.Format, l *mgmtv1alpha1.JobRunLogLine) error {
	if format == output.JSON {
		b, err := protojson.MarshalOptions{UseProtoNames: true}.Marshal(l)
		if err != nil {
			return err
		}
		_, err = fmt.Fprintf(w, "%s\n", b)
		return err
	}
	var b strings.Builder
	b.WriteString(l.GetTime().AsTime().UTC().Format(time.RFC3339Nano))
	fmt.Fprintf(&b, " %-5s %s", strings.ToUpper(l.GetLevel()), l.GetMessage())
	keys := make([]string, 0, len(l.GetAttributes()))
	for k := range l.GetAttributes() {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		v := l.GetAttributes()[k]
		if v == "" || strings.ContainsAny(v, " \"=") {
			v = fmt.Sprintf("%q", v)
		}
		fmt.Fprintf(&b, " %s=%s", k, v)
	}
	b.WriteByte('\n')
	_, err := io.WriteString(w, b.String())
	return err
}
