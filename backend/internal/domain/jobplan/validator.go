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
	"github.com/neosyncio/neosync/backend/pkg/sqlconnect"
	"github.com/neosyncio/neosync/backend/pkg/syncplan"
)

// Validator checks sync job definitions against their source's schema
// with syncplan.Validate, the rules the worker's plan applies to every
// run. It implements job.SourceValidator.
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
	mappings, err := resolveMappings(ctx, v.transformers, only, d.Mappings)
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
	for _, m := range mappings {
		if !slices.Contains(schemas, m.Schema) {
			schemas = append(schemas, m.Schema)
		}
	}
	sch, err := syncplan.ReadSchema(ctx, db, schemas)
	if err != nil {
		return syncplan.Report{}, &job.SourceUnavailableError{Err: domain.FailedPrecondition("cannot read the source's schema: %s", err.Error())}
	}
	return syncplan.Validate(sch, syncJob(d, mappings, validationKey), v.transformers.Registry()), nil
}
