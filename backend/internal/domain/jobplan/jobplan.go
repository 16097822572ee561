// Package jobplan computes, in the API, the plan a job's next run would
// follow — the same plan the worker computes, from the same libraries
// (syncplan for sync jobs, generate for generate jobs) — so the CLI and the
// web app can show it before anything runs.
package jobplan

import (
	"context"
	"errors"
	"fmt"

	"github.com/google/uuid"

	"github.com/neosyncio/neosync/backend/internal/domain"
	"github.com/neosyncio/neosync/backend/internal/domain/connection"
	"github.com/neosyncio/neosync/backend/internal/domain/job"
	"github.com/neosyncio/neosync/backend/internal/domain/transformer"
	"github.com/neosyncio/neosync/backend/pkg/generate"
	"github.com/neosyncio/neosync/backend/pkg/sqlschema"
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
		return Plan{Text: p.String(), Value: p}, nil
	}
	key, err := s.jobs.Key(ctx, j)
	if err != nil {
		return Plan{}, err
	}
	sj := syncplan.Job{Mappings: mappings, Key: key, SubsetByForeignKeys: j.Definition.Sync.SubsetByForeignKeys, HaltOnNewColumn: j.Definition.Sync.HaltOnNewColumn}
	for _, sub := range j.Definition.Sync.Subsets {
		sj.Subsets = append(sj.Subsets, syncplan.Subset{Schema: sub.Schema, Table: sub.Table, Where: sub.Where})
	}
	for _, v := range j.Definition.VirtualForeignKeys {
		sj.VirtualForeignKeys = append(sj.VirtualForeignKeys, syncplan.VirtualForeignKey{
			Table: sqlschema.TableName{Schema: v.Schema, Table: v.Table}, Columns: v.Columns,
			Referenced: sqlschema.TableName{Schema: v.ReferencedSchema, Table: v.ReferencedTable}, ReferencedColumns: v.ReferencedColumns,
		})
	}
	p, err := syncplan.BuildPlan(ctx, db, sj, reg)
	if err != nil {
		var ve *syncplan.ValidationError
		if errors.As(err, &ve) {
			return Plan{}, domain.Invalid("job", "%s", err.Error())
		}
		return Plan{}, err
	}
	return Plan{Text: p.String(), Value: p, Warnings: p.Warnings}, nil
}

// mappings resolves user-defined transformers into system ones.
func (s *Service) mappings(ctx context.Context, scope domain.Scope, in []job.Mapping) ([]syncplan.Mapping, error) {
	out := make([]syncplan.Mapping, 0, len(in))
	for _, m := range in {
		t := syncplan.Transformer{Source: m.Transformer.Source, Params: m.Transformer.Config}
		if m.Transformer.UserDefinedID != nil {
			u, err := s.transformers.Get(ctx, scope, *m.Transformer.UserDefinedID)
			if err != nil {
				return nil, fmt.Errorf("mapping %s.%s.%s: %w", m.Schema, m.Table, m.Column, err)
			}
			t = syncplan.Transformer{Source: u.Source, Params: u.Config}
		}
		out = append(out, syncplan.Mapping{Schema: m.Schema, Table: m.Table, Column: m.Column, Transformer: t})
	}
	return out, nil
}
