package s3sync

import (
	"context"
	"fmt"
	"slices"

	"github.com/neosyncio/neosync/backend/pkg/objectstore"
	"github.com/neosyncio/neosync/backend/pkg/sqlconnect"
	"github.com/neosyncio/neosync/backend/pkg/sqlschema"
	"github.com/neosyncio/neosync/backend/pkg/sqlsync"
	"github.com/neosyncio/neosync/backend/pkg/syncplan"
)

// Import loads an export back into a database whose tables already exist
// (the round trip): every table of the manifest, every exported column,
// written as exported (the export already holds transformed values), by
// the engine's stream path (sqlsync.Engine.RunStream: the same writers,
// foreign key order, update passes, Finalize and verification as any
// sync). The plan is read from the destination's own schema, so the
// export must come from a database of the same kind (values are that
// database's text form). It returns the verification report, which
// compares the manifest's row counts with the destination's. progress
// (may be nil) is called as tables are written.
// dst.DB must be the database dstCfg opens.
func Import(ctx context.Context, eng *sqlsync.Engine, r *objectstore.Reader, dstCfg sqlconnect.Config, dst sqlsync.Destination, progress func(sqlsync.Progress)) (*sqlsync.Report, error) {
	if d := r.Manifest.Dialect; d != "" && d != string(dstCfg.Driver) {
		return nil, fmt.Errorf("s3sync: import: the export was written from a %s database and its values are that database's text; the destination is %s", d, dstCfg.Driver)
	}
	job := syncplan.Job{Source: dstCfg, Destinations: []syncplan.Destination{{Name: dst.Name, Conn: dstCfg, Options: dst.Options}}}
	tables := map[sqlschema.TableName]objectstore.TableManifest{}
	var schemas []string
	for _, t := range r.Manifest.Tables {
		name := sqlschema.TableName{Schema: t.Schema, Table: t.Table}
		tables[name] = t
		if !slices.Contains(schemas, t.Schema) {
			schemas = append(schemas, t.Schema)
		}
		for _, c := range t.Columns {
			job.Mappings = append(job.Mappings, syncplan.Mapping{Schema: t.Schema, Table: t.Table, Column: c.Name, Transformer: syncplan.Transformer{Source: "passthrough"}})
		}
	}
	// The plan comes from the destination's schema (NewPlan records no
	// source identity, so the destination is not refused as the source).
	schema, err := syncplan.ReadSchema(ctx, dst.DB, schemas)
	if err != nil {
		return nil, fmt.Errorf("s3sync: import: read the destination's schema: %w", err)
	}
	plan, err := syncplan.NewPlan(schema, job, eng.Registry)
	if err != nil {
		return nil, fmt.Errorf("s3sync: import: %w", err)
	}
	return eng.RunStream(ctx, plan, &exportSource{r: r, tables: tables}, dst, 2, progress)
}

// exportSource is the sqlsync.RowSource of an import: rows from the
// export's JSON Lines files, checked against the manifest as they are read.
type exportSource struct {
	r      *objectstore.Reader
	tables map[sqlschema.TableName]objectstore.TableManifest
}

// Rows implements sqlsync.RowSource. The export holds every row the run
// selected, so t.Filter is not applied again.
func (s *exportSource) Rows(ctx context.Context, t *syncplan.Table, cols []string, fn func([][]*string) error) error {
	tm, ok := s.tables[t.Name]
	if !ok {
		return fmt.Errorf("the export has no table %s", t.Name)
	}
	batch := make([][]*string, 0, BatchSize)
	err := s.r.Rows(ctx, tm, func(row map[string]*string) error {
		vals := make([]*string, len(cols))
		for i, c := range cols {
			v, ok := row[c]
			if !ok {
				return fmt.Errorf("the export of %s has no column %q", t.Name, c)
			}
			vals[i] = v
		}
		batch = append(batch, vals)
		if len(batch) == BatchSize {
			if err := fn(batch); err != nil {
				return err
			}
			batch = make([][]*string, 0, BatchSize)
		}
		return nil
	})
	if err != nil || len(batch) == 0 {
		return err
	}
	return fn(batch)
}

// Count implements sqlsync.RowSource: the manifest's row count.
func (s *exportSource) Count(_ context.Context, t *syncplan.Table) (int64, error) {
	tm, ok := s.tables[t.Name]
	if !ok {
		return 0, fmt.Errorf("the export has no table %s", t.Name)
	}
	return tm.Rows, nil
}
