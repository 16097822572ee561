package jobplan

import (
	"context"
	"fmt"

	"github.com/neosyncio/neosync/backend/internal/domain"
	"github.com/neosyncio/neosync/backend/internal/domain/job"
	"github.com/neosyncio/neosync/backend/internal/domain/transformer"
	"github.com/neosyncio/neosync/backend/pkg/jobresolve"
	"github.com/neosyncio/neosync/backend/pkg/sqlschema"
	"github.com/neosyncio/neosync/backend/pkg/syncplan"
)

// definition is the resolver's form of a job definition (jobresolve.Resolve
// turns it into what the worker runs), with the job's destinations and key
// (both may be nil).
func definition(name string, d job.Definition, dests []job.Destination, key []byte) jobresolve.Definition {
	out := jobresolve.Definition{Name: name, Key: key}
	if s := d.Sync; s != nil {
		out.Sync = &jobresolve.SyncSource{ConnectionID: s.ConnectionID.String(), SubsetByForeignKeys: s.SubsetByForeignKeys, HaltOnNewColumn: s.HaltOnNewColumn,
			LeakPolicy: s.LeakPolicy, RangeRows: s.RangeRows}
		if im := s.Import; im != nil {
			out.Sync.Import = &syncplan.Import{Job: im.ExportJob, RunID: im.RunID}
		}
		if s.PRF.Valid() {
			out.Sync.PRF = s.PRF
		}
		for _, sub := range s.Subsets {
			out.Sync.Subsets = append(out.Sync.Subsets, syncplan.Subset{Schema: sub.Schema, Table: sub.Table, Where: sub.Where})
		}
	}
	if g := d.Generate; g != nil {
		out.Generate = &jobresolve.GenerateSource{SchemaConnectionID: g.SchemaConnectionID.String()}
		for _, t := range g.Tables {
			out.Generate.Tables = append(out.Generate.Tables, jobresolve.GenerateTable{Table: sqlschema.TableName{Schema: t.Schema, Table: t.Table}, RowCount: t.RowCount})
		}
	}
	for _, m := range d.Mappings {
		rm := jobresolve.Mapping{Schema: m.Schema, Table: m.Table, Column: m.Column,
			Transformer: syncplan.Transformer{Source: m.Transformer.Source, Params: m.Transformer.Config}}
		if id := m.Transformer.UserDefinedID; id != nil {
			rm.UserDefinedID = id.String()
		}
		out.Mappings = append(out.Mappings, rm)
	}
	for _, v := range d.VirtualForeignKeys {
		out.VirtualForeignKeys = append(out.VirtualForeignKeys, syncplan.VirtualForeignKey{
			Table: sqlschema.TableName{Schema: v.Schema, Table: v.Table}, Columns: v.Columns,
			Referenced: sqlschema.TableName{Schema: v.ReferencedSchema, Table: v.ReferencedTable}, ReferencedColumns: v.ReferencedColumns,
		})
	}
	for _, dst := range dests {
		o := dst.Options
		out.Destinations = append(out.Destinations, jobresolve.Destination{ConnectionID: dst.ConnectionID.String(), Options: syncplan.DestinationOptions{
			InitSchema: o.InitSchema, Truncate: o.Truncate, TruncateCascade: o.TruncateCascade,
			OnConflict: syncplan.OnConflict(o.OnConflict), BatchSize: o.BatchSize,
			ExportFormats: o.ExportFormats, ExportCompression: o.ExportCompression,
		}})
	}
	return out
}

// resolveTransformers reads the user-defined transformers the mappings
// reference, as the system transformer each one configures, for
// jobresolve.Resolved. A missing one is reported with the first mapping
// that uses it.
func resolveTransformers(ctx context.Context, ts *transformer.Service, scope domain.Scope, in []job.Mapping) (map[string]syncplan.Transformer, error) {
	out := map[string]syncplan.Transformer{}
	for _, m := range in {
		id := m.Transformer.UserDefinedID
		if id == nil {
			continue
		}
		if _, ok := out[id.String()]; ok {
			continue
		}
		u, err := ts.Get(ctx, scope, *id)
		if err != nil {
			return nil, fmt.Errorf("mapping %s.%s.%s: %w", m.Schema, m.Table, m.Column, err)
		}
		out[id.String()] = syncplan.Transformer{Source: u.Source, Params: u.Config}
	}
	return out, nil
}
