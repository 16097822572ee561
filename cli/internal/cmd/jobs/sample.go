package jobs

import (
	"context"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"connectrpc.com/connect"

	mgmtv1alpha1 "github.com/neosyncio/neosync/backend/gen/go/protos/mgmt/v1alpha1"
	"github.com/neosyncio/neosync/cli/internal/apiclient"
	"github.com/neosyncio/neosync/cli/internal/output"
	"github.com/neosyncio/neosync/cli/internal/progress"
)

// MaxSampleRows bounds --sample: a preview, not an export.
const MaxSampleRows = 20

// subsetSample is what one subset keeps: its row count and its first rows,
// as the source holds them (before any transformer).
type subsetSample struct {
	subset  *mgmtv1alpha1.JobSourceSubset
	count   int64
	columns []string
	rows    [][]string
}

// sampleSubsets reads, for every subset of a sync job, how many rows its
// WHERE keeps and the first n of them. Reading rows needs the data
// permission on the source connection (the API refuses it otherwise).
func sampleSubsets(ctx context.Context, c *apiclient.Client, j *mgmtv1alpha1.Job, n int) ([]subsetSample, error) {
	sync := j.GetSource().GetSync()
	var out []subsetSample
	for _, sub := range sync.GetSubsets() {
		where := sub.GetWhereClause()
		name := sub.GetSchema() + "." + sub.GetTable()
		cnt, err := c.Data.GetTableRowCount(ctx, connect.NewRequest(&mgmtv1alpha1.GetTableRowCountRequest{
			ConnectionId: sync.GetConnectionId(), Schema: sub.GetSchema(), Table: sub.GetTable(), WhereClause: &where,
		}))
		if err != nil {
			return nil, fmt.Errorf("subset of %s: %w", name, err)
		}
		s := subsetSample{subset: sub, count: cnt.Msg.GetCount()}
		if s.count > 0 {
			if s.columns, s.rows, err = firstRows(ctx, c, sync.GetConnectionId(), sub, n); err != nil {
				return nil, fmt.Errorf("subset of %s: sample rows: %w", name, err)
			}
		}
		out = append(out, s)
	}
	return out, nil
}

// firstRows reads the first message of the table's stream (n rows) and
// stops the stream.
func firstRows(ctx context.Context, c *apiclient.Client, connectionID string, sub *mgmtv1alpha1.JobSourceSubset, n int) ([]string, [][]string, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	where := sub.GetWhereClause()
	stream, err := c.Data.GetConnectionDataStream(ctx, connect.NewRequest(&mgmtv1alpha1.GetConnectionDataStreamRequest{
		ConnectionId: connectionID, Schema: sub.GetSchema(), Table: sub.GetTable(), WhereClause: &where, BatchSize: int32(n),
	}))
	if err != nil {
		return nil, nil, err
	}
	defer stream.Close()
	if !stream.Receive() {
		return nil, nil, stream.Err()
	}
	msg := stream.Msg()
	var rows [][]string
	for _, r := range msg.GetRows() {
		if len(rows) == n {
			break
		}
		row := make([]string, len(r.GetValues()))
		for i, v := range r.GetValues() {
			row[i] = cell(v)
		}
		rows = append(rows, row)
	}
	return msg.GetColumns(), rows, nil
}

// maxCell bounds a printed value, so one long text does not hide the table.
const maxCell = 40

// cell is a value as the sample table prints it: NULL, text cut at maxCell
// runes, or the size of a binary value.
func cell(v *mgmtv1alpha1.RowValue) string {
	switch x := v.GetValue().(type) {
	case *mgmtv1alpha1.RowValue_IsNull:
		return "NULL"
	case *mgmtv1alpha1.RowValue_Binary:
		return fmt.Sprintf("<%d bytes>", len(x.Binary))
	}
	s := strings.Join(strings.Fields(v.GetText()), " ")
	if utf8.RuneCountInString(s) > maxCell {
		s = string([]rune(s)[:maxCell-1]) + "…"
	}
	return s
}

// writeSamples prints each subset's count and sample rows after the plan.
func writeSamples(w io.Writer, samples []subsetSample) error {
	for _, s := range samples {
		sub := s.subset
		if _, err := fmt.Fprintf(w, "\nSubset %s.%s WHERE %s: %s rows", sub.GetSchema(), sub.GetTable(), sub.GetWhereClause(), progress.Number(s.count)); err != nil {
			return err
		}
		if len(s.rows) == 0 {
			if _, err := fmt.Fprintln(w); err != nil {
				return err
			}
			continue
		}
		if _, err := fmt.Fprintf(w, "; the first %d, as the source holds them (before transformers):\n", len(s.rows)); err != nil {
			return err
		}
		t := output.NewTable(s.columns...)
		for _, r := range s.rows {
			t.Row(r...)
		}
		if err := t.Render(w); err != nil {
			return err
		}
	}
	return nil
}
