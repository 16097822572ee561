package spec

import (
	"bytes"
	"fmt"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	mgmtv1alpha1 "github.com/neosyncio/neosync/backend/gen/go/protos/mgmt/v1alpha1"
)

// Names maps the ids a stored job holds back to the names a job file uses.
type Names struct {
	// Connections maps connection ids to names.
	Connections map[string]string
	// UserDefinedTransformers maps user-defined transformer ids to names.
	UserDefinedTransformers map[string]string
}

// ExportJob converts a stored job into its job-file form, the inverse of
// Job.Definition: applying the result to the same account changes nothing.
// Every id must have a name in names, or the file could not be applied.
func ExportJob(j *mgmtv1alpha1.Job, names Names) (*Job, error) {
	where := fmt.Sprintf("job %q", j.GetName())
	conn := func(field, id string) (string, error) {
		n, ok := names.Connections[id]
		if !ok {
			return "", fmt.Errorf("%s: %s: connection %s is not in this account (deleted?)", where, field, id)
		}
		return n, nil
	}
	out := &Job{Name: j.GetName(), Schedule: j.GetCronSchedule()}
	switch {
	case j.GetSource().GetSync() != nil:
		s := j.GetSource().GetSync()
		name, err := conn("source", s.GetConnectionId())
		if err != nil {
			return nil, err
		}
		src := &SyncSource{Connection: name, SubsetByForeignKeys: s.GetSubsetByForeignKeyConstraints(), HaltOnNewColumn: s.GetHaltOnNewColumnAddition(), RangeRows: s.GetRangeRows()}
		for k, v := range consistentPRF {
			if v == s.GetConsistentPrf() {
				src.ConsistentPRF = k
			}
		}
		for _, sub := range s.GetSubsets() {
			src.Subsets = append(src.Subsets, Subset{Schema: sub.GetSchema(), Table: sub.GetTable(), Where: sub.GetWhereClause()})
		}
		if p := s.GetLeakPolicy(); p != nil && (p.WarnRate != nil || p.FailRate != nil || p.ReidentifiedFailRate != nil) {
			src.LeakPolicy = &LeakPolicy{WarnRate: p.WarnRate, FailRate: p.FailRate, ReidentifiedFailRate: p.ReidentifiedFailRate}
		}
		if im := s.GetS3Import(); im != nil {
			src.S3Import = &S3Import{ExportJob: im.GetExportJobName(), RunID: im.GetRunId()}
		}
		out.Source = src
	case j.GetSource().GetGenerate() != nil:
		g := j.GetSource().GetGenerate()
		name, err := conn("generate", g.GetFkSourceConnectionId())
		if err != nil {
			return nil, err
		}
		gen := &GenerateSource{Connection: name}
		for _, t := range g.GetTables() {
			gen.Tables = append(gen.Tables, GenerateTable{Schema: t.GetSchema(), Table: t.GetTable(), RowCount: t.GetRowCount()})
		}
		out.Generate = gen
	default:
		return nil, fmt.Errorf("%s: has neither a sync nor a generate source", where)
	}
	for i, d := range j.GetDestinations() {
		name, err := conn(fmt.Sprintf("destinations[%d]", i), d.GetConnectionId())
		if err != nil {
			return nil, err
		}
		o := d.GetOptions()
		out.Destinations = append(out.Destinations, Destination{Connection: name, InitSchema: o.GetInitTableSchema(),
			TruncateBeforeInsert: o.GetTruncateBeforeInsert(), TruncateCascade: o.GetTruncateCascade(), OnConflict: o.GetOnConflict(), BatchSize: o.GetBatchSize(),
			ExportFormats: o.GetExportFormats(), ExportCompression: o.GetExportCompression()})
	}
	tables := map[[2]string]int{} // schema, table → index in out.Mappings
	for _, m := range j.GetMappings() {
		t, err := exportTransformer(m.GetTransformer(), names)
		if err != nil {
			return nil, fmt.Errorf("%s: mappings %s.%s.%s: %w", where, m.GetSchema(), m.GetTable(), m.GetColumn(), err)
		}
		key := [2]string{m.GetSchema(), m.GetTable()}
		i, ok := tables[key]
		if !ok {
			i = len(out.Mappings)
			tables[key] = i
			out.Mappings = append(out.Mappings, TableMapping{Schema: m.GetSchema(), Table: m.GetTable()})
		}
		out.Mappings[i].Columns = append(out.Mappings[i].Columns, ColumnMapping{Column: m.GetColumn(), Transformer: t})
	}
	for _, v := range j.GetVirtualForeignKeys() {
		out.VirtualForeignKeys = append(out.VirtualForeignKeys, VirtualForeignKey{Schema: v.GetSchema(), Table: v.GetTable(), Columns: v.GetColumns(),
			References: Reference{Schema: v.GetReferencedSchema(), Table: v.GetReferencedTable(), Columns: v.GetReferencedColumns()}})
	}
	if t := j.GetWorkflowOptions().RunTimeoutSeconds; t != nil && *t > 0 {
		out.WorkflowOptions = &WorkflowOptions{RunTimeout: duration(*t)}
	}
	if o := j.GetSyncOptions(); o != nil {
		so := &SyncOptions{MaxAttempts: o.GetMaxAttempts()}
		if v := o.ScheduleToCloseTimeoutSeconds; v != nil && *v > 0 {
			so.ScheduleToCloseTimeout = duration(*v)
		}
		if v := o.StartToCloseTimeoutSeconds; v != nil && *v > 0 {
			so.StartToCloseTimeout = duration(*v)
		}
		if v := o.HeartbeatTimeoutSeconds; v != nil && *v > 0 {
			so.HeartbeatTimeout = duration(*v)
		}
		if *so != (SyncOptions{}) {
			out.SyncOptions = so
		}
	}
	return out, nil
}

func exportTransformer(t *mgmtv1alpha1.JobMappingTransformer, names Names) (Transformer, error) {
	if id := t.GetUserDefinedTransformerId(); id != "" {
		n, ok := names.UserDefinedTransformers[id]
		if !ok {
			return Transformer{}, fmt.Errorf("user-defined transformer %s is not in this account (deleted?)", id)
		}
		return Transformer{UserDefined: n}, nil
	}
	out := Transformer{Source: t.GetSource()}
	if len(t.GetConfig().GetFields()) > 0 {
		out.Config = t.GetConfig().AsMap()
	}
	return out, nil
}

// duration writes whole seconds the way a job file reads them (90 →
// "1m30s", 7200 → "2h").
func duration(seconds int64) string {
	s := (time.Duration(seconds) * time.Second).String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}

// Marshal writes f as a job file that Parse reads back.
func Marshal(f *File) ([]byte, error) {
	var b bytes.Buffer
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(f); err != nil {
		return nil, err
	}
	if err := enc.Close(); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// MarshalYAML writes the columns as a mapping from column name to
// transformer, in order.
func (c ColumnMappings) MarshalYAML() (any, error) {
	n := &yaml.Node{Kind: yaml.MappingNode}
	for _, m := range c {
		var v yaml.Node
		if err := v.Encode(m.Transformer); err != nil {
			return nil, err
		}
		n.Content = append(n.Content, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: m.Column}, &v)
	}
	return n, nil
}

// MarshalYAML writes a transformer without parameters as its bare source
// name, the shorthand Parse reads.
func (t Transformer) MarshalYAML() (any, error) {
	if t.UserDefined == "" && len(t.Config) == 0 {
		return t.Source, nil
	}
	type plain Transformer
	return plain(t), nil
}
