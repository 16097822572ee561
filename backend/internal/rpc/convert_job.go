package rpc

import (
	"fmt"
	"time"

	"github.com/google/uuid"
	"google.golang.org/protobuf/types/known/structpb"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/neosyncio/neosync/backend/gen/go/protos/mgmt/v1alpha1"
	"github.com/neosyncio/neosync/backend/internal/domain/job"
	"github.com/neosyncio/neosync/backend/pkg/protoconv"
	"github.com/neosyncio/neosync/backend/pkg/transformers"
)

// sourceFromProto fills the source, mappings and virtual foreign keys of a definition.
func sourceFromProto(src *mgmtv1alpha1.JobSource, mappings []*mgmtv1alpha1.JobMapping, vfks []*mgmtv1alpha1.VirtualForeignConstraint) (job.Definition, error) {
	var d job.Definition
	switch o := src.GetOptions().(type) {
	case *mgmtv1alpha1.JobSource_Sync:
		id, err := parseID("source.sync.connection_id", o.Sync.GetConnectionId())
		if err != nil {
			return d, err
		}
		d.Sync = &job.SyncSource{
			ConnectionID: id, Subsets: subsetsFromProto(o.Sync.GetSubsets()),
			SubsetByForeignKeys: o.Sync.GetSubsetByForeignKeyConstraints(), HaltOnNewColumn: o.Sync.GetHaltOnNewColumnAddition(),
			PRF: prfFromProto(o.Sync.GetConsistentPrf()), LeakPolicy: protoconv.LeakPolicy(o.Sync.GetLeakPolicy()),
			RangeRows: o.Sync.GetRangeRows(),
		}
		if im := o.Sync.GetS3Import(); im != nil {
			d.Sync.Import = &job.S3Import{ExportJob: im.GetExportJobName(), RunID: im.GetRunId()}
		}
	case *mgmtv1alpha1.JobSource_Generate:
		id, err := parseID("source.generate.fk_source_connection_id", o.Generate.GetFkSourceConnectionId())
		if err != nil {
			return d, err
		}
		g := &job.GenerateSource{SchemaConnectionID: id}
		for _, t := range o.Generate.GetTables() {
			g.Tables = append(g.Tables, job.GenerateTable{Schema: t.GetSchema(), Table: t.GetTable(), RowCount: t.GetRowCount()})
		}
		d.Generate = g
	default:
		return d, invalid("source", "is required (sync or generate)")
	}
	var err error
	if d.Mappings, err = mappingsFromProto(mappings); err != nil {
		return d, err
	}
	d.VirtualForeignKeys = vfksFromProto(vfks)
	return d, nil
}

// createParamsFromProto decodes a CreateJob request for accountID.
func createParamsFromProto(accountID uuid.UUID, m *mgmtv1alpha1.CreateJobRequest) (job.CreateParams, error) {
	def, err := sourceFromProto(m.GetSource(), m.GetMappings(), m.GetVirtualForeignKeys())
	if err != nil {
		return job.CreateParams{}, err
	}
	def.WorkflowOptions = workflowOptionsFromProto(m.GetWorkflowOptions())
	def.ActivityOptions = activityOptionsFromProto(m.GetSyncOptions())
	dests, err := destinationsFromProto(m.GetDestinations())
	if err != nil {
		return job.CreateParams{}, err
	}
	return job.CreateParams{AccountID: accountID, Name: m.GetJobName(), Definition: def, CronSchedule: m.CronSchedule, Destinations: dests}, nil
}

func subsetsFromProto(in []*mgmtv1alpha1.JobSourceSubset) []job.Subset {
	var out []job.Subset
	for _, s := range in {
		out = append(out, job.Subset{Schema: s.GetSchema(), Table: s.GetTable(), Where: s.GetWhereClause()})
	}
	return out
}

func mappingsFromProto(in []*mgmtv1alpha1.JobMapping) ([]job.Mapping, error) {
	out := make([]job.Mapping, 0, len(in))
	for i, m := range in {
		t := job.Transformer{Source: m.GetTransformer().GetSource()}
		if cfg := m.GetTransformer().GetConfig(); cfg != nil {
			t.Config = cfg.AsMap()
		}
		if udt := m.GetTransformer().UserDefinedTransformerId; udt != nil {
			id, err := parseID(fmt.Sprintf("mappings[%d].transformer.user_defined_transformer_id", i), *udt)
			if err != nil {
				return nil, err
			}
			t.UserDefinedID = &id
		}
		out = append(out, job.Mapping{Schema: m.GetSchema(), Table: m.GetTable(), Column: m.GetColumn(), Transformer: t})
	}
	return out, nil
}

func vfksFromProto(in []*mgmtv1alpha1.VirtualForeignConstraint) []job.VirtualForeignKey {
	var out []job.VirtualForeignKey
	for _, v := range in {
		out = append(out, job.VirtualForeignKey{
			Schema: v.GetSchema(), Table: v.GetTable(), Columns: v.GetColumns(),
			ReferencedSchema: v.GetReferencedSchema(), ReferencedTable: v.GetReferencedTable(), ReferencedColumns: v.GetReferencedColumns(),
		})
	}
	return out
}

func seconds(p *int64) time.Duration {
	if p == nil {
		return 0
	}
	return time.Duration(*p) * time.Second
}

func workflowOptionsFromProto(o *mgmtv1alpha1.WorkflowOptions) job.WorkflowOptions {
	if o == nil {
		return job.WorkflowOptions{}
	}
	return job.WorkflowOptions{RunTimeout: seconds(o.RunTimeoutSeconds)}
}

func activityOptionsFromProto(o *mgmtv1alpha1.ActivityOptions) job.ActivityOptions {
	if o == nil {
		return job.ActivityOptions{}
	}
	return job.ActivityOptions{
		ScheduleToCloseTimeout: seconds(o.ScheduleToCloseTimeoutSeconds), StartToCloseTimeout: seconds(o.StartToCloseTimeoutSeconds),
		HeartbeatTimeout: seconds(o.HeartbeatTimeoutSeconds), MaxAttempts: int(o.GetMaxAttempts()),
	}
}

func destinationOptionsFromProto(o *mgmtv1alpha1.JobDestinationOptions) job.DestinationOptions {
	return job.DestinationOptions{
		InitSchema: o.GetInitTableSchema(), Truncate: o.GetTruncateBeforeInsert(), TruncateCascade: o.GetTruncateCascade(),
		OnConflict: o.GetOnConflict(), BatchSize: int(o.GetBatchSize()),
		ExportFormats: o.GetExportFormats(), ExportCompression: o.GetExportCompression(),
	}
}

func destinationsFromProto(in []*mgmtv1alpha1.JobDestinationCreate) ([]job.DestinationOptionsFor, error) {
	var out []job.DestinationOptionsFor
	for i, d := range in {
		id, err := parseID(fmt.Sprintf("destinations[%d].connection_id", i), d.GetConnectionId())
		if err != nil {
			return nil, err
		}
		out = append(out, job.DestinationOptionsFor{ConnectionID: id, Options: destinationOptionsFromProto(d.GetOptions())})
	}
	return out, nil
}

func optSeconds(d time.Duration) *int64 {
	if d == 0 {
		return nil
	}
	s := int64(d / time.Second)
	return &s
}

func destinationToProto(d job.Destination) *mgmtv1alpha1.JobDestination {
	return &mgmtv1alpha1.JobDestination{Id: d.ID.String(), ConnectionId: d.ConnectionID.String(), Options: &mgmtv1alpha1.JobDestinationOptions{
		InitTableSchema: d.Options.InitSchema, TruncateBeforeInsert: d.Options.Truncate, TruncateCascade: d.Options.TruncateCascade,
		OnConflict: d.Options.OnConflict, BatchSize: int32(d.Options.BatchSize),
		ExportFormats: d.Options.ExportFormats, ExportCompression: d.Options.ExportCompression,
	}}
}

func jobToProto(j job.Job) (*mgmtv1alpha1.Job, error) {
	d := j.Definition
	out := &mgmtv1alpha1.Job{
		Id: j.ID.String(), AccountId: j.AccountID.String(), Name: j.Name, CronSchedule: j.CronSchedule, Paused: j.Paused,
		CreatedAt: timestamppb.New(j.CreatedAt), UpdatedAt: timestamppb.New(j.UpdatedAt),
		WorkflowOptions: &mgmtv1alpha1.WorkflowOptions{RunTimeoutSeconds: optSeconds(d.WorkflowOptions.RunTimeout)},
		SyncOptions: &mgmtv1alpha1.ActivityOptions{
			ScheduleToCloseTimeoutSeconds: optSeconds(d.ActivityOptions.ScheduleToCloseTimeout),
			StartToCloseTimeoutSeconds:    optSeconds(d.ActivityOptions.StartToCloseTimeout),
			HeartbeatTimeoutSeconds:       optSeconds(d.ActivityOptions.HeartbeatTimeout),
		},
	}
	if d.ActivityOptions.MaxAttempts > 0 {
		v := int32(d.ActivityOptions.MaxAttempts)
		out.SyncOptions.MaxAttempts = &v
	}
	switch {
	case d.Sync != nil:
		out.Type = mgmtv1alpha1.JobType_JOB_TYPE_SYNC
		s := &mgmtv1alpha1.SyncSourceOptions{
			ConnectionId: d.Sync.ConnectionID.String(), SubsetByForeignKeyConstraints: d.Sync.SubsetByForeignKeys,
			HaltOnNewColumnAddition: d.Sync.HaltOnNewColumn, ConsistentPrf: protoconv.ConsistentPrf(d.Sync.PRF),
			LeakPolicy: protoconv.LeakPolicyProto(d.Sync.LeakPolicy),
		}
		if d.Sync.RangeRows != 0 {
			s.RangeRows = &d.Sync.RangeRows
		}
		if im := d.Sync.Import; im != nil {
			s.S3Import = &mgmtv1alpha1.S3ImportOptions{ExportJobName: im.ExportJob}
			if im.RunID != "" {
				s.S3Import.RunId = &im.RunID
			}
		}
		for _, sub := range d.Sync.Subsets {
			s.Subsets = append(s.Subsets, &mgmtv1alpha1.JobSourceSubset{Schema: sub.Schema, Table: sub.Table, WhereClause: sub.Where})
		}
		out.Source = &mgmtv1alpha1.JobSource{Options: &mgmtv1alpha1.JobSource_Sync{Sync: s}}
	case d.Generate != nil:
		out.Type = mgmtv1alpha1.JobType_JOB_TYPE_GENERATE
		g := &mgmtv1alpha1.GenerateSourceOptions{FkSourceConnectionId: d.Generate.SchemaConnectionID.String()}
		for _, t := range d.Generate.Tables {
			g.Tables = append(g.Tables, &mgmtv1alpha1.GenerateSourceTable{Schema: t.Schema, Table: t.Table, RowCount: t.RowCount})
		}
		out.Source = &mgmtv1alpha1.JobSource{Options: &mgmtv1alpha1.JobSource_Generate{Generate: g}}
	}
	for _, m := range d.Mappings {
		t := &mgmtv1alpha1.JobMappingTransformer{Source: m.Transformer.Source}
		if m.Transformer.Config != nil {
			cfg, err := structpb.NewStruct(m.Transformer.Config)
			if err != nil {
				return nil, fmt.Errorf("job %s: encode transformer config: %w", j.ID, err)
			}
			t.Config = cfg
		}
		if m.Transformer.UserDefinedID != nil {
			s := m.Transformer.UserDefinedID.String()
			t.UserDefinedTransformerId = &s
		}
		out.Mappings = append(out.Mappings, &mgmtv1alpha1.JobMapping{Schema: m.Schema, Table: m.Table, Column: m.Column, Transformer: t})
	}
	for _, v := range d.VirtualForeignKeys {
		out.VirtualForeignKeys = append(out.VirtualForeignKeys, &mgmtv1alpha1.VirtualForeignConstraint{
			Schema: v.Schema, Table: v.Table, Columns: v.Columns,
			ReferencedSchema: v.ReferencedSchema, ReferencedTable: v.ReferencedTable, ReferencedColumns: v.ReferencedColumns,
		})
	}
	for _, dest := range j.Destinations {
		out.Destinations = append(out.Destinations, destinationToProto(dest))
	}
	return out, nil
}

// prfFromProto is the domain's PRF version of consistent_prf: unspecified
// is left to the service (job.PRFUnspecified); a number this API does not
// know stays out of range, for the service to refuse naming the field.
func prfFromProto(p mgmtv1alpha1.ConsistentPrf) transformers.PRFVersion {
	switch p {
	case mgmtv1alpha1.ConsistentPrf_CONSISTENT_PRF_UNSPECIFIED:
		return job.PRFUnspecified
	case mgmtv1alpha1.ConsistentPrf_CONSISTENT_PRF_V1:
		return transformers.PRFv1
	}
	return transformers.PRFVersion(p)
}
