// Package jobplan computes, in the API, the plan a job's next run would
// follow — the same plan the worker computes, from the same libraries
// (syncplan for sync jobs, generate for generate jobs) — so the CLI and the
// web app can show it before anything runs.
package jobplan

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/google/uuid"

	"github.com/neosyncio/neosync/backend/internal/domain"
	"github.com/neosyncio/neosync/backend/internal/domain/connection"
	"github.com/neosyncio/neosync/backend/internal/domain/job"
	"github.com/neosyncio/neosync/backend/internal/domain/transformer"
	"github.com/neosyncio/neosync/backend/pkg/generate"
	"github.com/neosyncio/neosync/backend/pkg/sqlschema"
	"github.com/neosyncio/neosync/backend/pkg/sqlsync"
	"github.com/neosyncio/neosync/backend/pkg/syncplan"
)

// Plan is a printable plan with its machine form.
type Plan struct {
	Text     string
	Value    any // *syncplan.Plan or *generate.Plan
	Warnings []string
}

// Service computes plans.
type Service struct {
	jobs         *job.Service
	connections  *connection.Service
	transformers *transformer.Service
}

// NewService returns a Service.
func NewService(j *job.Service, c *connection.Service, t *transformer.Service) *Service {
	return &Service{jobs: j, connections: c, transformers: t}
}

// Plan computes the job's plan against its source as it is now. A job the
// engine would refuse (unbreakable cycle, unknown column…) is a
// ValidationError listing every problem.
func (s *Service) Plan(ctx context.Context, scope domain.Scope, jobID uuid.UUID) (Plan, error) {
	j, err := s.jobs.Get(ctx, scope, jobID)
	if err != nil {
		return Plan{}, err
	}
	only := domain.Scope{AccountIDs: []uuid.UUID{j.AccountID}}
	mappings, err := s.mappings(ctx, only, j.Definition.Mappings)
	if err != nil {
		return Plan{}, err
	}
	db, err := s.connections.Open(ctx, only, j.Definition.SourceConnectionID())
	if err != nil {
		return Plan{}, err
	}
	defer db.Close()
	reg := s.transformers.Registry()
	if g := j.Definition.Generate; g != nil {
		req := generate.Request{Tables: map[sqlschema.TableName]int64{}, Mappings: mappings}
		var schemas []string
		for _, t := range g.Tables {
			req.Tables[sqlschema.TableName{Schema: t.Schema, Table: t.Table}] = t.RowCount
			schemas = append(schemas, t.Schema)
		}
		sch, err := syncplan.ReadSchema(ctx, db, schemas)
		if err != nil {
			return Plan{}, err
		}
		p, err := generate.NewPlan(sch, req, reg)
		if err != nil {
			var ve *generate.ValidationError
			if errors.As(err, &ve) {
				return Plan{}, domain.Invalid("job", "%s", err.Error())
			}
			return Plan{}, err
		}
		return Plan{Text: p.String(), Value: p, Warnings: p.Warnings}, nil
	}
	key, err := s.jobs.Key(ctx, j)
	if err != nil {
		return Plan{}, err
	}
	sj := syncJob(j.Definition, mappings, key)
	conns := make([]uuid.UUID, len(j.Destinations))
	for i, d := range j.Destinations {
		c, err := s.connections.Get(ctx, only, d.ConnectionID)
		if err != nil {
			return Plan{}, err
		}
		conns[i] = d.ConnectionID
		o := d.Options
		sj.Destinations = append(sj.Destinations, syncplan.Destination{Name: c.Name, Conn: c.Config, Options: syncplan.DestinationOptions{
			InitSchema: o.InitSchema, Truncate: o.Truncate, TruncateCascade: o.TruncateCascade,
			OnConflict: syncplan.OnConflict(o.OnConflict), BatchSize: o.BatchSize,
		}})
	}
	p, err := syncplan.BuildPlan(ctx, db, sj, reg)
	if err != nil {
		var ve *syncplan.ValidationError
		if errors.As(err, &ve) {
			return Plan{}, domain.Invalid("job", "%s", err.Error())
		}
		return Plan{}, err
	}
	for i, d := range sj.Destinations {
		w, checked := s.checkDestination(ctx, only, conns[i], p, d)
		if checked {
			// The destination's own catalog replaces what the source's
			// suggested about its truncate.
			p.Warnings = slices.DeleteFunc(p.Warnings, func(w string) bool {
				return strings.HasPrefix(w, syncplan.TruncateWarningPrefix(d.Name))
			})
		}
		if w != "" {
			p.Warnings = append(p.Warnings, w)
		}
	}
	return Plan{Text: p.String(), Value: p, Warnings: p.Warnings}, nil
}

// checkDestination looks at a destination as the run's first step will
// (sqlsync.Engine.TruncateReach from its own catalog): it returns a
// warning when the run will refuse it — it is the source itself, or its
// truncate reaches tables outside the job without truncate_cascade — or,
// with truncate_cascade, names the tables outside the job it will empty;
// "" when there is nothing to say. checked is false when the destination
// could not be looked at.
func (s *Service) checkDestination(ctx context.Context, scope domain.Scope, connID uuid.UUID, p *syncplan.Plan, d syncplan.Destination) (warning string, checked bool) {
	db, err := s.connections.Open(ctx, scope, connID)
	if err != nil {
		return fmt.Sprintf("destination %s could not be checked: %v", d.Name, err), false
	}
	defer db.Close()
	engine := sqlsync.NewEngine(s.transformers.Registry(), nil)
	reach, err := engine.TruncateReach(ctx, p, sqlsync.Destination{Name: d.Name, DB: db, Options: d.Options})
	var same *sqlsync.SameDatabaseError
	switch {
	case errors.As(err, &same):
		return "the run will be refused: " + err.Error(), true
	case err != nil:
		return fmt.Sprintf("destination %s could not be checked: %v", d.Name, err), false
	case !d.Options.Truncate || len(reach) == 0:
		return "", true
	case !d.Options.TruncateCascade:
		return "the run will be refused: " + (&sqlsync.TruncateCascadeError{Destination: d.Name, References: reach}).Error(), true
	}
	names := make([]string, len(reach))
	for i, r := range reach {
		names[i] = r.String()
	}
	return fmt.Sprintf("destination %s: truncate_cascade will empty %d tables outside the job in the destination: %s",
		d.Name, len(syncplan.ReachedTables(reach)), strings.Join(names, ", ")), true
}

// syncJob is the data plane's view of a sync job's definition (without
// destinations): what the worker builds, and what the API validates.
func syncJob(d job.Definition, mappings []syncplan.Mapping, key []byte) syncplan.Job {
	sj := syncplan.Job{Mappings: mappings, Key: key}
	if d.Sync != nil {
		sj.SubsetByForeignKeys, sj.HaltOnNewColumn = d.Sync.SubsetByForeignKeys, d.Sync.HaltOnNewColumn
		for _, sub := range d.Sync.Subsets {
			sj.Subsets = append(sj.Subsets, syncplan.Subset{Schema: sub.Schema, Table: sub.Table, Where: sub.Where})
		}
	}
	for _, v := range d.VirtualForeignKeys {
		sj.VirtualForeignKeys = append(sj.VirtualForeignKeys, syncplan.VirtualForeignKey{
			Table: sqlschema.TableName{Schema: v.Schema, Table: v.Table}, Columns: v.Columns,
			Referenced: sqlschema.TableName{Schema: v.ReferencedSchema, Table: v.ReferencedTable}, ReferencedColumns: v.ReferencedColumns,
		})
	}
	return sj
}

// mappings resolves user-defined transformers into system ones.
func (s *Service) mappings(ctx context.Context, scope domain.Scope, in []job.Mapping) ([]syncplan.Mapping, error) {
	return resolveMappings(ctx, s.transformers, scope, in)
}

// resolveMappings resolves user-defined transformers into system ones.
func resolveMappings(ctx context.Context, ts *transformer.Service, scope domain.Scope, in []job.Mapping) ([]syncplan.Mapping, error) {
	out := make([]syncplan.Mapping, 0, len(in))
	for _, m := range in {
		t := syncplan.Transformer{Source: m.Transformer.Source, Params: m.Transformer.Config}
		if m.Transformer.UserDefinedID != nil {
			u, err := ts.Get(ctx, scope, *m.Transformer.UserDefinedID)
			if err != nil {
				return nil, fmt.Errorf("mapping %s.%s.%s: %w", m.Schema, m.Table, m.Column, err)
			}
			t = syncplan.Transformer{Source: u.Source, Params: u.Config}
		}
		out = append(out, syncplan.Mapping{Schema: m.Schema, Table: m.Table, Column: m.Column, Transformer: t})
	}
	return out, nil
}
