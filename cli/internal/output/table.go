package output

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"google.golang.org/protobuf/types/known/timestamppb"
)

// TableWriter lays out rows in aligned columns under an upper-case header.
type TableWriter struct {
	header []string
	rows   [][]string
}

// NewTable starts a table with the given column names.
func NewTable(header ...string) *TableWriter {
	return &TableWriter{header: header}
}

// Row adds one row; missing cells are empty.
func (t *TableWriter) Row(cells ...string) {
	t.rows = append(t.rows, cells)
}

// Len is the number of rows added.
func (t *TableWriter) Len() int { return len(t.rows) }

// Render writes the table.
func (t *TableWriter) Render(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 0, 3, ' ', 0)
	up := make([]string, len(t.header))
	for i, h := range t.header {
		up[i] = strings.ToUpper(h)
	}
	fmt.Fprintln(tw, strings.Join(up, "\t"))
	for _, r := range t.rows {
		cells := make([]string, len(t.header))
		for i := range cells {
			if i < len(r) {
				cells[i] = clean(r[i])
			}
		}
		fmt.Fprintln(tw, strings.Join(cells, "\t"))
	}
	return tw.Flush()
}

// Field is one "Label: value" line of a detail view.
type Field struct {
	Label string
	Value string
}

// Fields writes aligned "Label:  value" lines, skipping empty values; a
// field without a label continues the previous one on its own line.
func Fields(w io.Writer, fields ...Field) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for _, f := range fields {
		if f.Value == "" {
			continue
		}
		if f.Label == "" {
			fmt.Fprintf(tw, "\t%s\n", clean(f.Value))
			continue
		}
		fmt.Fprintf(tw, "%s:\t%s\n", f.Label, clean(f.Value))
	}
	return tw.Flush()
}

// Duration formats d compactly: 2h, 1h30m, 45s.
func Duration(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}

// clean keeps a cell on one line and free of tabs.
func clean(s string) string {
	return strings.NewReplacer("\t", " ", "\n", " ", "\r", " ").Replace(s)
}

// Time formats a timestamp for tables in UTC, or "" when unset.
func Time(ts *timestamppb.Timestamp) string {
	if ts == nil || (ts.GetSeconds() == 0 && ts.GetNanos() == 0) {
		return ""
	}
	return ts.AsTime().UTC().Format("2006-01-02 15:04:05Z")
}

// Ago formats a timestamp relative to now ("3m ago"), or "" when unset.
func Ago(ts *timestamppb.Timestamp, now time.Time) string {
	if ts == nil || (ts.GetSeconds() == 0 && ts.GetNanos() == 0) {
		return ""
	}
	d := now.Sub(ts.AsTime())
	switch {
	case d < 0:
		return "just now"
	case d < time.Minute:
		return fmt.Sprintf("%ds ago", int(d.Seconds()))
	case d < time.Hour:
		return fmt.Sprintf("%dm ago", int(d.Minutes()))
	case d < 48*time.Hour:
		return fmt.Sprintf("%dh ago", int(d.Hours()))
	}
	return fmt.Sprintf("%dd ago", int(d.Hours()/24))
}
