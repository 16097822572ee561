package connections

import (
	"context"
	"fmt"
	"io"
	"strconv"

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
and a transformer that replaces the kind.`,
		Example: `  neosync connections scan prod
  neosync connections scan prod --schema public --sample 1000 -o json`,
		Args:              cobra.ExactArgs(1),
		ValidArgsFunction: complete.Connections(s),
		RunE: func(cmd *cobra.Command, args []string) error {
			f.connection = args[0]
			return runScan(cmd.Context(), s, f)
		},
	}
	cmd.Flags().StringSliceVar(&f.schemas, "schema", nil, "scan only these schemas (repeatable; default every user schema)")
	cmd.Flags().IntVar(&f.sample, "sample", 0, "rows read per table (default 200, at most 10000)")
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
	resp, err := c.Data.ScanConnectionPii(ctx, connect.NewRequest(&mgmtv1alpha1.ScanConnectionPiiRequest{
		ConnectionId: conn.GetId(), Schemas: f.schemas, SampleSize: int32(f.sample),
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
