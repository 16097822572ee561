// Package jobplan computes, in the API, the plan a job's next run would
// follow — the same plan the worker computes, from the same libraries (the
// job resolved by jobresolve, then planned by syncplan for sync jobs and
// generate for generate jobs) — so the CLI and the web app can show it
// before anything runs.
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
	"github.com/neosyncio/neosync/backend/pkg/jobresolve"
	"github.com/neosyncio/neosync/backend/pkg/sqlconnect"
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

// Options tune Plan for its caller.
type Options struct {
	// MayReadData tells whether the caller may read rows of the account's
	// connections (the connection.data.read permission). The check of the
	// columns copied unchanged for personal data samples source rows, so
	// for a caller who may not, it does not run and one warning says why.
	// Nil allows it.
	MayReadData func(accountID uuid.UUID) bool
}

// PIICheckNeedsDataRead is the plan warning that replaces the personal
// data check for a caller without the permission to read rows.
const PIICheckNeedsDataRead = "personal data check of the columns copied unchanged not run: it samples source rows, which your role may not read (it needs connection.data.read: role job developer or above)"

// Plan computes the job's plan against its source as it is now. A job the
// engine would refuse (unbreakable cycle, unknown column…) is a
// ValidationError listing every problem.
func (s *Service) Plan(ctx context.Context, scope domain.Scope, jobID uuid.UUID, opts Options) (Plan, error) {
	j, err := s.jobs.Get(ctx, scope, jobID)
	if err != nil {
		return Plan{}, err
	}
	if im := j.Definition.Sync; im != nil && im.Import != nil {
		run := im.Import.RunID
		if run == "" {
			run = "the latest finished run"
		}
		return Plan{}, domain.FailedPrecondition("job %s imports an S3 export (%s of job %s): its tables come from the export's manifest when it runs, in the destinations' foreign key order", j.Name, run, im.Import.ExportJob)
	}
	only := domain.Scope{AccountIDs: []uuid.UUID{j.AccountID}}
	udts, err := resolveTransformers(ctx, s.transformers, only, j.Definition.Mappings)
	if err != nil {
		return Plan{}, err
	}
	db, err := s.connections.Open(ctx, only, j.Definition.SourceConnectionID())
	if err != nil {
		return Plan{}, err
	}
	defer db.Close()
	if j.Definition.Generate != nil {
		return s.planGenerate(ctx, only, db, j, udts)
	}
	key, err := s.jobs.Key(ctx, j)
	if err != nil {
		return Plan{}, err
	}
	conns, err := s.resolveConnections(ctx, only, j)
	if err != nil {
		return Plan{}, err
	}
	rj, err := jobresolve.Resolve(definition(j.Name, j.Definition, j.Destinations, key), jobresolve.Resolved{Connections: conns, Transformers: udts})
	if err != nil {
		return Plan{}, err
	}
	sj := *rj.Sync
	p, err := syncplan.BuildPlan(ctx, db, sj, s.transformers.Registry())
	if err != nil {
		var ve *syncplan.ValidationError
		if errors.As(err, &ve) {
			return Plan{}, domain.Invalid("job", "%s", err.Error())
		}
		return Plan{}, err
	}
	for i, d := range sj.Destinations {
		w, checked := s.checkDestination(ctx, only, j.Destinations[i].ConnectionID, p, d)
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
	if opts.MayReadData == nil || opts.MayReadData(j.AccountID) {
		p.Warnings = append(p.Warnings, passthroughPIIWarnings(ctx, connection.Inspector(db), p, piiBudget)...)
	} else {
		p.Warnings = append(p.Warnings, PIICheckNeedsDataRead)
	}
	return Plan{Text: p.String(), Value: p, Warnings: p.Warnings}, nil
}

// resolveConnections reads a sync job's source and destination
// connections for jobresolve.Resolved.
func (s *Service) resolveConnections(ctx context.Context, scope domain.Scope, j job.Job) (map[string]jobresolve.Connection, error) {
	ids := []uuid.UUID{j.Definition.SourceConnectionID()}
	for _, dst := range j.Destinations {
		ids = append(ids, dst.ConnectionID)
	}
	out := map[string]jobresolve.Connection{}
	for _, id := range ids {
		if _, ok := out[id.String()]; ok {
			continue
		}
		c, err := s.connections.Get(ctx, scope, id)
		if err != nil {
			return nil, err
		}
		out[id.String()] = jobresolve.Connection{Name: c.Name, Config: c.Config}
	}
	return out, nil
}

// planGenerate computes a generate job's plan from the schema of its
// schema connection (db), and looks at each destination as the run's
// first step will (checkGenerateDestination).
func (s *Service) planGenerate(ctx context.Context, scope domain.Scope, db *sqlconnect.DB, j job.Job, udts map[string]syncplan.Transformer) (Plan, error) {
	conns, err := s.resolveConnections(ctx, scope, j)
	if err != nil {
		return Plan{}, err
	}
	rj, err := jobresolve.Resolve(definition(j.Name, j.Definition, j.Destinations, nil), jobresolve.Resolved{Connections: conns, Transformers: udts})
	if err != nil {
		return Plan{}, err
	}
	var schemas []string
	for _, t := range j.Definition.Generate.Tables {
		schemas = append(schemas, t.Schema)
	}
	sch, err := syncplan.ReadSchema(ctx, db, schemas)
	if err != nil {
		return Plan{}, err
	}
	p, err := generate.NewPlan(sch, rj.Generate.Request, s.transformers.Registry())
	if err != nil {
		var ve *generate.ValidationError
		if errors.As(err, &ve) {
			return Plan{}, domain.Invalid("job", "%s", err.Error())
		}
		return Plan{}, err
	}
	if id, err := db.Identity(ctx); err == nil && id.Server != "" {
		p.Source = &id
	}
	for i, d := range rj.Generate.Destinations {
		if w := s.checkGenerateDestination(ctx, scope, j.Destinations[i].ConnectionID, p, d); w != "" {
			p.Warnings = append(p.Warnings, w)
		}
	}
	return Plan{Text: p.String(), Value: p, Warnings: p.Warnings}, nil
}

// checkGenerateDestination looks at a generate job's destination as the
// run's first step will (generate.Target, generate.CheckReplace): it
// returns a warning when the run will refuse it — it is the schema's own
// database, or its tables hold rows and it does not say
// truncate_before_insert — and "" when there is nothing to say.
func (s *Service) checkGenerateDestination(ctx context.Context, scope domain.Scope, connID uuid.UUID, p *generate.Plan, d syncplan.Destination) string {
	db, err := s.connections.Open(ctx, scope, connID)
	if err != nil {
		return fmt.Sprintf("destination %s could not be checked: %v", d.Name, err)
	}
	defer db.Close()
	dp, rd, err := generate.Target(ctx, sqlsync.NewEngine(s.transformers.Registry(), nil), p, sqlsync.Destination{Name: d.Name, DB: db, Options: d.Options})
	if err == nil {
		err = generate.CheckReplace(ctx, dp, rd)
	}
	var self *generate.SchemaDatabaseError
	var occupied *generate.OccupiedError
	var kind *generate.KindError
	switch {
	case err == nil:
		return ""
	case errors.As(err, &self) || errors.As(err, &occupied) || errors.As(err, &kind):
		return "the run will be refused: " + err.Error()
	}
	return fmt.Sprintf("destination %s could not be checked: %v", d.Name, err)
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
	var inherits *sqlsync.InheritanceError
	switch {
	case errors.As(err, &same) || errors.As(err, &inherits):
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
