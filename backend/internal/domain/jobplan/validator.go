package jobplan

import (
	"context"
	"errors"
	"slices"

	"github.com/google/uuid"

	"github.com/neosyncio/neosync/backend/internal/domain"
	"github.com/neosyncio/neosync/backend/internal/domain/connection"
	"github.com/neosyncio/neosync/backend/internal/domain/job"
	"github.com/neosyncio/neosync/backend/internal/domain/transformer"
	"github.com/neosyncio/neosync/backend/pkg/generate"
	"github.com/neosyncio/neosync/backend/pkg/jobresolve"
	"github.com/neosyncio/neosync/backend/pkg/sqlconnect"
	"github.com/neosyncio/neosync/backend/pkg/sqlschema"
	"github.com/neosyncio/neosync/backend/pkg/syncplan"
	"github.com/neosyncio/neosync/backend/pkg/transformers"
)

// Validator checks job definitions against their source's schema with the
// rules the worker's plan applies to every run: syncplan.Validate for sync
// jobs, generate.NewPlan for generate jobs. It implements
// job.SourceValidator.
type Validator struct {
	connections  *connection.Service
	transformers *transformer.Service
}

// NewValidator returns a Validator.
func NewValidator(c *connection.Service, t *transformer.Service) *Validator {
	return &Validator{connections: c, transformers: t}
}

// validationKey stands for the job key: every job the API saves has one
// (job.Service.Create seals it), so definitions are validated in
// consistent mode. Validation never transforms a value with it.
var validationKey = []byte("validation")

// ValidateSource reads the schemas of d's mapped tables in its source (or
// in cfg, when not nil) and validates d against them.
func (v *Validator) ValidateSource(ctx context.Context, accountID uuid.UUID, d job.Definition, cfg *sqlconnect.Config) (syncplan.Report, error) {
	only := domain.Scope{AccountIDs: []uuid.UUID{accountID}}
	udts, err := resolveTransformers(ctx, v.transformers, only, d.Mappings)
	if err != nil {
		return syncplan.Report{}, err
	}
	rj, err := jobresolve.Resolve(definition("", d, nil, validationKey), jobresolve.Resolved{Transformers: udts})
	if err != nil {
		return syncplan.Report{}, err
	}
	var db *sqlconnect.DB
	if cfg != nil {
		db, err = v.connections.OpenConfig(ctx, *cfg)
	} else {
		db, err = v.connections.Open(ctx, only, d.SourceConnectionID())
	}
	if err != nil {
		var fp *domain.FailedPreconditionError
		if errors.As(err, &fp) {
			return syncplan.Report{}, &job.SourceUnavailableError{Err: err}
		}
		return syncplan.Report{}, err
	}
	defer db.Close()
	var schemas []string
	for _, m := range d.Mappings {
		if !slices.Contains(schemas, m.Schema) {
			schemas = append(schemas, m.Schema)
		}
	}
	if d.Generate != nil {
		for _, t := range d.Generate.Tables {
			if !slices.Contains(schemas, t.Schema) {
				schemas = append(schemas, t.Schema)
			}
		}
	}
	sch, err := syncplan.ReadSchema(ctx, db, schemas)
	if err != nil {
		return syncplan.Report{}, &job.SourceUnavailableError{Err: domain.FailedPrecondition("cannot read the source's schema: %s", err.Error())}
	}
	if rj.Generate != nil {
		return validateGenerate(sch, rj.Generate.Request, v.transformers.Registry())
	}
	return syncplan.Validate(sch, *rj.Sync, v.transformers.Registry()), nil
}

// validateGenerate checks a generate job's mappings with the generation
// planner (generate.NewPlan), the rules its runs apply. Without tables yet
// (the wizard asks for row counts after the mappings) every mapped table
// is planned with one row. Its problems and warnings are job-wide.
func validateGenerate(sch *syncplan.Schema, req generate.Request, reg *transformers.Registry) (syncplan.Report, error) {
	if len(req.Tables) == 0 {
		for _, m := range req.Mappings {
			req.Tables[sqlschema.TableName{Schema: m.Schema, Table: m.Table}] = 1
		}
	}
	var r syncplan.Report
	p, err := generate.NewPlan(sch, req, reg)
	var ve *generate.ValidationError
	switch {
	case errors.As(err, &ve):
		for _, msg := range ve.Problems {
			r.Problems = append(r.Problems, syncplan.Finding{Message: msg})
		}
		return r, nil
	case err != nil:
		return r, err
	}
	for _, msg := range p.Warnings {
		r.Warnings = append(r.Warnings, syncplan.Finding{Message: msg})
	}
	return r, nil
}
