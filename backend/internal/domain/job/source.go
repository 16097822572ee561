package job

import (
	"context"
	"errors"
	"strings"

	"github.com/google/uuid"

	"github.com/neosyncio/neosync/backend/internal/domain"
	"github.com/neosyncio/neosync/backend/pkg/sqlconnect"
	"github.com/neosyncio/neosync/backend/pkg/syncplan"
)

// SourceValidator checks a job's definition against its source's schema
// with the rules every run's plan applies (syncplan.Validate for a sync
// job, the generation planner for a generate job).
type SourceValidator interface {
	// ValidateSource reads the schema of d's source in the account (or,
	// when cfg is not nil, of that unsaved configuration) and validates d
	// against it. A source that cannot be reached now is a
	// *SourceUnavailableError.
	ValidateSource(ctx context.Context, accountID uuid.UUID, d Definition, cfg *sqlconnect.Config) (syncplan.Report, error)
}

// SourceUnavailableError means the source could not be read to validate a
// job against it (unreachable, wrong password, …).
type SourceUnavailableError struct {
	Err error
}

// Error describes the problem for people.
func (e *SourceUnavailableError) Error() string { return e.Err.Error() }

// Unwrap returns the cause.
func (e *SourceUnavailableError) Unwrap() error { return e.Err }

// ValidateMappings checks a job's mappings and virtual foreign keys
// against its source's schema (ValidateJobMappings): the report's problems
// are what would stop every run, its warnings what a user should know.
// With cfg the source is that unsaved configuration instead of d's saved
// connection.
func (s *Service) ValidateMappings(ctx context.Context, scope domain.Scope, accountID uuid.UUID, d Definition, cfg *sqlconnect.Config) (syncplan.Report, error) {
	if !scope.Allows(accountID) {
		return syncplan.Report{}, domain.NotFound("account", accountID)
	}
	if cfg == nil {
		if err := s.requireConnection(ctx, accountID, d.SourceConnectionID()); err != nil {
			return syncplan.Report{}, err
		}
	}
	if len(d.Mappings) == 0 {
		return syncplan.Report{}, nil
	}
	r, err := s.source.ValidateSource(ctx, accountID, d, cfg)
	var unavailable *SourceUnavailableError
	if errors.As(err, &unavailable) {
		return syncplan.Report{}, unavailable.Err
	}
	return r, err
}

// checkSource refuses a sync job that its source's schema cannot run
// (syncplan.Validate), naming every problem. A job without mappings has
// nothing to check yet; a source the API cannot reach now is not checked
// here, so a job can be saved while its database is down (or reachable
// only from the worker's network): every run's plan applies the same
// rules before anything is written.
func (s *Service) checkSource(ctx context.Context, accountID uuid.UUID, d Definition) error {
	if d.Sync == nil || len(d.Mappings) == 0 {
		return nil
	}
	r, err := s.source.ValidateSource(ctx, accountID, d, nil)
	var unavailable *SourceUnavailableError
	switch {
	case errors.As(err, &unavailable):
		return nil
	case err != nil:
		return err
	case len(r.Problems) == 0:
		return nil
	}
	msgs := make([]string, len(r.Problems))
	for i, p := range r.Problems {
		msgs[i] = p.Message
	}
	return domain.Invalid("mappings", "%s", strings.Join(msgs, "; "))
}
