package jobs

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"google.golang.org/protobuf/encoding/protojson"

	mgmtv1alpha1 "github.com/neosyncio/neosync/backend/gen/go/protos/mgmt/v1alpha1"
	"github.com/neosyncio/neosync/cli/internal/cmd/complete"
	"github.com/neosyncio/neosync/cli/internal/describe"
	"github.com/neosyncio/neosync/cli/internal/lookup"
	"github.com/neosyncio/neosync/cli/internal/output"
	"github.com/neosyncio/neosync/cli/internal/session"
)

type getFlags struct {
	job    string
	format output.Format
}

func newGetCommand(s *session.Session) *cobra.Command {
	f := &getFlags{}
	cmd := &cobra.Command{
		Use:   "get NAME_OR_ID",
		Short: "Show one job: source, destinations, schedule and column mappings",
		Example: `  neosync jobs get nightly
  neosync jobs get nightly -o json
  neosync jobs get nightly -o apply > nightly.yaml`,
		Args:              cobra.ExactArgs(1),
		ValidArgsFunction: complete.Jobs(s),
		RunE: func(cmd *cobra.Command, args []string) error {
			f.job = args[0]
			return runGet(cmd.Context(), s, f)
		},
	}
	output.AddApplyFlag(cmd, &f.format)
	return cmd
}

func runGet(ctx context.Context, s *session.Session, f *getFlags) error {
	c, acct, err := s.ClientAndAccount(ctx)
	if err != nil {
		return err
	}
	j, err := lookup.Job(ctx, c, acct.GetId(), f.job)
	if err != nil {
		return err
	}
	if f.format == output.Apply {
		return writeJobFile(ctx, s.Out, c, acct.GetId(), j)
	}
	if f.format != output.Table {
		return output.Message(s.Out, f.format, j, nil)
	}
	conns, err := lookup.Connections(ctx, c, acct.GetId())
	if err != nil {
		return err
	}
	return writeJob(s.Out, j, lookup.ConnectionNames(conns))
}

func writeJob(w io.Writer, j *mgmtv1alpha1.Job, names map[string]string) error {
	fields := []output.Field{
		{Label: "Name", Value: j.GetName()},
		{Label: "ID", Value: j.GetId()},
		{Label: "Type", Value: describe.JobType(j)},
	}
	fields = append(fields, sourceFields(j, names)...)
	for i, d := range j.GetDestinations() {
		label := ""
		if i == 0 {
			label = "Destinations"
		}
		fields = append(fields, output.Field{Label: label, Value: describe.Name(names, d.GetConnectionId()) + destinationNotes(d.GetOptions())})
	}
	schedule := j.GetCronSchedule()
	if schedule == "" {
		schedule = "none (run on demand)"
	}
	paused := "no"
	if j.GetPaused() {
		paused = "yes"
	}
	fields = append(fields,
		output.Field{Label: "Schedule", Value: schedule},
		output.Field{Label: "Paused", Value: paused},
	)
	if t := j.GetWorkflowOptions().RunTimeoutSeconds; t != nil {
		fields = append(fields, output.Field{Label: "Run timeout", Value: output.Duration(time.Duration(*t) * time.Second)})
	}
	fields = append(fields,
		output.Field{Label: "Created", Value: output.Time(j.GetCreatedAt())},
		output.Field{Label: "Updated", Value: output.Time(j.GetUpdatedAt())},
	)
	if err := output.Fields(w, fields...); err != nil {
		return err
	}
	if len(j.GetMappings()) == 0 {
		_, err := fmt.Fprintln(w, "Mappings:     none (every column is copied unchanged)")
		return err
	}
	fmt.Fprintln(w, "\nMappings:")
	t := output.NewTable("schema", "table", "column", "transformer", "config")
	for _, m := range j.GetMappings() {
		tr := m.GetTransformer()
		src := tr.GetSource()
		if tr.UserDefinedTransformerId != nil {
			src += " (user-defined " + tr.GetUserDefinedTransformerId() + ")"
		}
		cfg := ""
		if tr.GetConfig() != nil && len(tr.GetConfig().GetFields()) > 0 {
			b, _ := protojson.Marshal(tr.GetConfig())
			cfg = string(b)
		}
		t.Row(m.GetSchema(), m.GetTable(), m.GetColumn(), src, cfg)
	}
	return t.Render(w)
}

// sourceFields describe where a job reads: a sync job's source connection
// and how it is subset, or the tables a generation job writes.
func sourceFields(j *mgmtv1alpha1.Job, names map[string]string) []output.Field {
	if sync := j.GetSource().GetSync(); sync != nil {
		src := describe.Name(names, sync.GetConnectionId())
		var notes []string
		if n := len(sync.GetSubsets()); n > 0 {
			notes = append(notes, "subset: "+describe.Count(n, "table"))
		}
		if sync.GetSubsetByForeignKeyConstraints() {
			notes = append(notes, "subset follows foreign keys")
		}
		if sync.GetHaltOnNewColumnAddition() {
			notes = append(notes, "halts on new columns")
		}
		switch sync.GetConsistentPrf() {
		case mgmtv1alpha1.ConsistentPrf_CONSISTENT_PRF_V1:
			notes = append(notes, "consistent PRF v1 (AES of FNV; opt in to v2 with consistent_prf: v2)")
		case mgmtv1alpha1.ConsistentPrf_CONSISTENT_PRF_V2:
			notes = append(notes, "consistent PRF v2")
		}
		if len(notes) > 0 {
			src += " (" + strings.Join(notes, "; ") + ")"
		}
		fields := []output.Field{{Label: "Source", Value: src}}
		if sync.RangeRows != nil {
			fields = append(fields, output.Field{Label: "Key ranges", Value: fmt.Sprintf("%d rows per range (a keyed table of %d rows or more is split)", sync.GetRangeRows(), 2*sync.GetRangeRows())})
		}
		return fields
	}
	if gen := j.GetSource().GetGenerate(); gen != nil {
		var tables []string
		for _, t := range gen.GetTables() {
			tables = append(tables, fmt.Sprintf("%s.%s × %d", t.GetSchema(), t.GetTable(), t.GetRowCount()))
		}
		return []output.Field{
			{Label: "Schema from", Value: describe.Name(names, gen.GetFkSourceConnectionId())},
			{Label: "Generates", Value: strings.Join(tables, ", ")},
		}
	}
	return nil
}

func destinationNotes(o *mgmtv1alpha1.JobDestinationOptions) string {
	var notes []string
	if o.GetInitTableSchema() {
		notes = append(notes, "init schema")
	}
	if o.GetTruncateBeforeInsert() {
		if o.GetTruncateCascade() {
			notes = append(notes, "truncate cascade")
		} else {
			notes = append(notes, "truncate")
		}
	}
	if o.GetOnConflict() != "" {
		notes = append(notes, "on conflict "+o.GetOnConflict())
	}
	if o.GetBatchSize() > 0 {
		notes = append(notes, fmt.Sprintf("batch %d", o.GetBatchSize()))
	}
	if len(notes) == 0 {
		return ""
	}
	return " (" + strings.Join(notes, ", ") + ")"
}
