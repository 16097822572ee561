package connections

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
	"github.com/neosyncio/neosync/cli/internal/describe"
	"github.com/neosyncio/neosync/cli/internal/lookup"
	"github.com/neosyncio/neosync/cli/internal/output"
	"github.com/neosyncio/neosync/cli/internal/session"
)

type scanFlags struct {
	connection string
	schemas    []string
	sample     int
	timeLimit  time.Duration
	format     output.Format
}

func newScanCommand(s *session.Session) *cobra.Command {
	f := &scanFlags{}
	cmd := &cobra.Command{
		Use:   "scan NAME_OR_ID",
		Short: "Find the columns that hold personal data, with a suggested transformer for each",
		Long: `Ask the API to sample every table of a saved connection (the first --sample
rows, each read bounded by a statement timeout) and report the columns that
hold personal data: emails, phone numbers, card numbers (Luhn), US SSNs,
IBANs, IP addresses, person names, dates of birth and free text containing
any of these. Each finding gives the evidence as counts (never the values)
and a transformer that replaces the kind.

The whole scan is bounded by --time-limit (default 1m, at most 10m): on a
schema of thousands of tables the tables not sampled by then are listed
with the reason, so scan them again by --schema or with a longer limit.`,
		Example: `  neosync connections scan prod
  neosync connections scan prod --schema public --sample 1000 -o json
  neosync connections scan warehouse --time-limit 5m`,
		Args:              cobra.ExactArgs(1),
		ValidArgsFunction: complete.Connections(s),
		RunE: func(cmd *cobra.Command, args []string) error {
			f.connection = args[0]
			return runScan(cmd.Context(), s, f)
		},
	}
	cmd.Flags().StringSliceVar(&f.schemas, "schema", nil, "scan only these schemas (repeatable; default every user schema)")
	cmd.Flags().IntVar(&f.sample, "sample", 0, "rows read per table (default 200, at most 10000)")
	cmd.Flags().DurationVar(&f.timeLimit, "time-limit", 0, "bound on the whole scan, in whole seconds (default 1m, at most 10m)")
	output.AddFlag(cmd, &f.format)
	return cmd
}

func runScan(ctx context.Context, s *session.Session, f *scanFlags) error {
	c, acct, err := s.ClientAndAccount(ctx)
	if err != nil {
		return err
	}
	conn, err := lookup.Connection(ctx, c, acct.GetId(), f.connection)
	if err != nil {
		return err
	}
	if f.timeLimit < 0 || f.timeLimit%time.Second != 0 {
		return fmt.Errorf("--time-limit: must be a whole number of seconds, e.g. 90s or 5m (got %s)", f.timeLimit)
	}
	resp, err := c.Data.ScanConnectionPii(ctx, connect.NewRequest(&mgmtv1alpha1.ScanConnectionPiiRequest{
		ConnectionId: conn.GetId(), Schemas: f.schemas, SampleSize: int32(f.sample), TimeLimitSeconds: int32(f.timeLimit / time.Second),
	}))
	if err != nil {
		return err
	}
	return output.Message(s.Out, f.format, resp.Msg, func(w io.Writer) error {
		return writeFindings(w, conn.GetName(), resp.Msg)
	})
}

func writeFindings(w io.Writer, name string, r *mgmtv1alpha1.ScanConnectionPiiResponse) error {
	fmt.Fprintf(w, "Scanned %s of %s: %s with personal data.\n",
		describe.Count(int(r.GetTablesScanned()), "table"), name, describe.Count(len(r.GetFindings()), "column"))
	if err := writeNotScanned(w, r.GetTablesNotScanned()); err != nil {
		return err
	}
	if len(r.GetFindings()) == 0 {
		return nil
	}
	t := output.NewTable("schema", "table", "column", "kind", "confidence", "matched", "suggested transformer")
	for _, f := range r.GetFindings() {
		ev := f.GetEvidence()
		matched := fmt.Sprintf("%d/%d", ev.GetMatched(), ev.GetNonNull())
		if ev.GetNonNull() == 0 {
			matched = "name only"
		}
		t.Row(f.GetSchema(), f.GetTable(), f.GetColumn(), f.GetKind(),
			strconv.FormatFloat(f.GetConfidence(), 'f', 2, 64), matched, f.GetSuggestedTransformer().GetSource())
	}
	return t.Render(w)
}

// notScannedShown is how many tables not scanned the table output names;
// -o json lists them all.
const notScannedShown = 10

// writeNotScanned says which tables the scan did not sample, and why.
func writeNotScanned(w io.Writer, tables []*mgmtv1alpha1.PiiUnscannedTable) error {
	if len(tables) == 0 {
		return nil
	}
	fmt.Fprintf(w, "Not scanned: %s (their columns may hold personal data; scan again by --schema or with a longer --time-limit):\n", describe.Count(len(tables), "table"))
	for i, t := range tables {
		if i == notScannedShown {
			fmt.Fprintf(w, "  … and %d more (-o json lists them all)\n", len(tables)-notScannedShown)
			break
		}
		fmt.Fprintf(w, "  %s.%s: %s\n", t.GetSchema(), t.GetTable(), t.GetReason())
	}
	_, err := fmt.Fprintln(w)
	return err
}
