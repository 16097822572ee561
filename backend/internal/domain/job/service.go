package job

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"

	"github.com/google/uuid"

	"github.com/neosyncio/neosync/backend/internal/domain"
	"github.com/neosyncio/neosync/backend/internal/secretbox"
	"github.com/neosyncio/neosync/backend/internal/store"
	"github.com/neosyncio/neosync/backend/pkg/sqlconnect"
	"github.com/neosyncio/neosync/backend/pkg/sqlschema"
)

// TransformerChecker validates a mapping's transformer for an account: a
// known system source with valid parameters, or the account's own
// user-defined transformer.
type TransformerChecker interface {
	CheckMapping(ctx context.Context, accountID uuid.UUID, field, source string, config map[string]any, userDefinedID *uuid.UUID) error
}

// Scheduler keeps the workflow engine's schedule of a job in step with its
// cron expression and paused flag.
type Scheduler interface {
	// SyncSchedule creates, updates or removes j's schedule; old is the job
	// before the change, nil for a new job.
	SyncSchedule(ctx context.Context, old *Job, j Job) error
	// DeleteSchedule removes j's schedule, if it has one.
	DeleteSchedule(ctx context.Context, j Job) error
}

// Service manages jobs.
type Service struct {
	store        *store.Store
	transformers TransformerChecker
	scheduler    Scheduler
	source       SourceValidator
	box          *secretbox.Box
}

// NewService returns a Service; box encrypts the jobs' consistent-mode
// keys, src validates sync jobs against their source when they are saved.
func NewService(st *store.Store, tc TransformerChecker, sch Scheduler, src SourceValidator, box *secretbox.Box) *Service {
	return &Service{store: st, transformers: tc, scheduler: sch, source: src, box: box}
}

func keyBinding(accountID, jobID uuid.UUID) []byte {
	return []byte("neosync/jobkey/v1/" + accountID.String() + "/" + jobID.String())
}

func (s *Service) newSealedKey(accountID, jobID uuid.UUID) ([]byte, error) {
	k := make([]byte, 32)
	if _, err := rand.Read(k); err != nil {
		return nil, err
	}
	return s.box.Seal(k, keyBinding(accountID, jobID))
}

// Key returns the job's consistent-mode key (a secret: for the worker only),
// creating it for jobs saved before keys existed.
func (s *Service) Key(ctx context.Context, j Job) ([]byte, error) {
	row, err := s.store.GetJob(ctx, store.GetJobParams{ID: j.ID, AccountIds: []uuid.UUID{j.AccountID}})
	if err != nil {
		return nil, err
	}
	if row.KeyCiphertext == nil {
		ct, err := s.newSealedKey(j.AccountID, j.ID)
		if err != nil {
			return nil, err
		}
		if err := s.store.SetJobKey(ctx, store.SetJobKeyParams{ID: j.ID, KeyCiphertext: ct}); err != nil {
			return nil, err
		}
		if row, err = s.store.GetJob(ctx, store.GetJobParams{ID: j.ID, AccountIds: []uuid.UUID{j.AccountID}}); err != nil {
			return nil, err
		}
	}
	return s.box.Open(row.KeyCiphertext, keyBinding(j.AccountID, j.ID))
}

// checkTransformers validates every mapping's transformer.
func (s *Service) checkTransformers(ctx context.Context, accountID uuid.UUID, mappings []Mapping) error {
	for i, m := range mappings {
		t := m.Transformer
		if err := s.transformers.CheckMapping(ctx, accountID, fmt.Sprintf("mappings[%d].transformer", i), t.Source, t.Config, t.UserDefinedID); err != nil {
			return err
		}
	}
	return nil
}

// CreateParams is everything CreateJob takes.
type CreateParams struct {
	AccountID    uuid.UUID
	Name         string
	Definition   Definition
	CronSchedule *string
	Destinations []DestinationOptionsFor
}

// DestinationOptionsFor is a destination to add.
type DestinationOptionsFor struct {
	ConnectionID uuid.UUID
	Options      DestinationOptions
}

// requireConnection checks that a connection exists in the job's account.
func (s *Service) requireConnection(ctx context.Context, accountID, id uuid.UUID) error {
	_, err := s.connectionType(ctx, accountID, id)
	return err
}

// connectionType returns the kind of a connection in the job's account.
func (s *Service) connectionType(ctx context.Context, accountID, id uuid.UUID) (sqlconnect.Driver, error) {
	row, err := s.store.GetConnection(ctx, store.GetConnectionParams{ID: id, AccountIds: []uuid.UUID{accountID}})
	if store.IsNotFound(err) {
		return "", domain.NotFound("connection", id)
	}
	return sqlconnect.Driver(row.ConnectionType), err
}

// requireSource checks that a job's source exists and is a database, or
// an S3 bucket read back by an import (d.Sync.Import), and returns its
// kind.
func (s *Service) requireSource(ctx context.Context, accountID uuid.UUID, d Definition) (sqlconnect.Driver, error) {
	id := d.SourceConnectionID()
	kind, err := s.connectionType(ctx, accountID, id)
	if err != nil {
		return "", err
	}
	importing := d.Sync != nil && d.Sync.Import != nil
	switch {
	case kind == sqlconnect.DriverS3 && !importing:
		return "", domain.Invalid("source.connection_id", "connection %s is an S3 bucket: to read an export back set source.sync.s3_import.export_job_name", id)
	case kind != sqlconnect.DriverS3 && importing:
		return "", domain.Invalid("source.sync.s3_import", "applies only to an S3 source; connection %s is a database", id)
	}
	return kind, nil
}

// checkSubsets validates every subset's WHERE clause in the dialect of the
// job's source, so a clause that would escape its parentheses, start a
// second statement or hide the rest in a comment is refused when saved.
func (s *Service) checkSubsets(ctx context.Context, accountID uuid.UUID, d Definition) error {
	if d.Sync == nil || len(d.Sync.Subsets) == 0 {
		return nil
	}
	id := d.SourceConnectionID()
	row, err := s.store.GetConnection(ctx, store.GetConnectionParams{ID: id, AccountIds: []uuid.UUID{accountID}})
	if store.IsNotFound(err) {
		return domain.NotFound("connection", id)
	}
	if err != nil {
		return err
	}
	dialect := sqlschema.DialectPostgres
	if row.ConnectionType == string(sqlconnect.DriverMySQL) {
		dialect = sqlschema.DialectMySQL
	}
	for i, sub := range d.Sync.Subsets {
		if err := sqlschema.ValidateWhere(dialect, sub.Where); err != nil {
			return domain.Invalid(fmt.Sprintf("source.sync.subsets[%d].where_clause", i), "%s", err.Error())
		}
	}
	return nil
}

func jobType(d Definition) Type {
	if d.Generate != nil {
		return TypeGenerate
	}
	return TypeSync
}

// Create validates and saves a job with its destinations.
func (s *Service) Create(ctx context.Context, scope domain.Scope, userID uuid.UUID, p CreateParams) (Job, error) {
	if !scope.Allows(p.AccountID) {
		return Job{}, domain.NotFound("account", p.AccountID)
	}
	if p.CronSchedule != nil && *p.CronSchedule == "" {
		p.CronSchedule = nil
	}
	p.Definition.resolvePRF(nil)
	if err := s.checkCreate(ctx, p); err != nil {
		return Job{}, err
	}
	source := p.Definition.SourceConnectionID()
	def, err := json.Marshal(p.Definition)
	if err != nil {
		return Job{}, err
	}
	id := uuid.New()
	sealed, err := s.newSealedKey(p.AccountID, id)
	if err != nil {
		return Job{}, err
	}
	err = s.store.InTx(ctx, func(q *store.Queries) error {
		_, err := q.CreateJob(ctx, store.CreateJobParams{
			ID: id, AccountID: p.AccountID, Name: p.Name, JobType: string(jobType(p.Definition)),
			SourceConnectionID: &source, Definition: def, CronSchedule: p.CronSchedule, KeyCiphertext: sealed, CreatedBy: &userID,
		})
		if err != nil {
			return err
		}
		for _, d := range p.Destinations {
			opts, err := json.Marshal(d.Options)
			if err != nil {
				return err
			}
			if _, err := q.CreateJobDestination(ctx, store.CreateJobDestinationParams{JobID: id, ConnectionID: d.ConnectionID, Options: opts}); err != nil {
				return err
			}
		}
		return nil
	})
	if store.IsUniqueViolation(err) {
		return Job{}, &domain.AlreadyExistsError{Resource: "job", Field: "name", Value: p.Name}
	}
	if err != nil {
		return Job{}, err
	}
	j, err := s.Get(ctx, scope, id)
	if err != nil {
		return Job{}, err
	}
	if err := s.scheduler.SyncSchedule(ctx, nil, j); err != nil {
		// Without its schedule the job would silently never run: undo it.
		_, _ = s.store.DeleteJob(ctx, store.DeleteJobParams{ID: id, AccountIds: []uuid.UUID{j.AccountID}})
		return Job{}, err
	}
	return j, nil
}

// checkCreate validates a new job: its name, definition and schedule, then
// its transformers, connections, subsets and source against what the
// account holds.
func (s *Service) checkCreate(ctx context.Context, p CreateParams) error {
	if err := ValidateName(p.Name); err != nil {
		return err
	}
	if err := validateDefinition(p.Definition); err != nil {
		return err
	}
	if p.CronSchedule != nil {
		if err := ValidateCron(*p.CronSchedule); err != nil {
			return err
		}
	}
	if len(p.Destinations) == 0 {
		return domain.Invalid("destinations", "needs at least one destination")
	}
	if err := s.checkTransformers(ctx, p.AccountID, p.Definition.Mappings); err != nil {
		return err
	}
	source := p.Definition.SourceConnectionID()
	kind, err := s.requireSource(ctx, p.AccountID, p.Definition)
	if err != nil {
		return err
	}
	if err := s.checkDestinations(ctx, p.AccountID, source, kind, p.Definition.Generate != nil, nil, p.Destinations); err != nil {
		return err
	}
	if err := s.checkSubsets(ctx, p.AccountID, p.Definition); err != nil {
		return err
	}
	return s.checkSource(ctx, p.AccountID, p.Definition)
}

// sourceKind is the kind of a stored job's source connection (for a
// generate job, its schema connection), which its destinations are
// checked against.
func (s *Service) sourceKind(ctx context.Context, j Job) (sqlconnect.Driver, error) {
	return s.connectionType(ctx, j.AccountID, j.Definition.SourceConnectionID())
}

// checkDestinations validates new destinations against the source and the
// job's existing destinations.
func (s *Service) checkDestinations(ctx context.Context, accountID, source uuid.UUID, sourceKind sqlconnect.Driver, generating bool, existing []Destination, add []DestinationOptionsFor) error {
	seen := map[uuid.UUID]bool{}
	for _, d := range existing {
		seen[d.ConnectionID] = true
	}
	for i, d := range add {
		f := fmt.Sprintf("destinations[%d]", i)
		if d.ConnectionID == source && source != uuid.Nil {
			if generating {
				return domain.Invalid(f+".connection_id", "must differ from the schema connection: a generate job replaces the rows of every table it fills, so it never writes into the database its schema is read from")
			}
			return domain.Invalid(f+".connection_id", "must differ from the source connection")
		}
		if seen[d.ConnectionID] {
			return domain.Invalid(f+".connection_id", "connection %s is already a destination of this job", d.ConnectionID)
		}
		seen[d.ConnectionID] = true
		if err := validateDestinationOptions(f+".options", d.Options); err != nil {
			return err
		}
		kind, err := s.connectionType(ctx, accountID, d.ConnectionID)
		if err != nil {
			return err
		}
		if err := sameKind(f+".connection_id", d.ConnectionID, kind, sourceKind, generating); err != nil {
			return err
		}
		if kind == sqlconnect.DriverS3 && generating {
			return domain.Invalid(f+".connection_id", "connection %s is an S3 bucket: a data generation job writes into a database", d.ConnectionID)
		}
		if kind == sqlconnect.DriverS3 && sourceKind == sqlconnect.DriverS3 {
			return domain.Invalid(f+".connection_id", "connection %s is an S3 bucket: an import from S3 writes into a database", d.ConnectionID)
		}
		if kind == sqlconnect.DriverS3 {
			if err := validateS3DestinationOptions(f+".options", d.Options); err != nil {
				return err
			}
		}
		if err := validateExportOptions(f+".options", d.Options, kind == sqlconnect.DriverS3); err != nil {
			return err
		}
	}
	return nil
}

// sameKind refuses a database destination of another kind than the job's
// source database — for a generate job, its schema connection's: a job
// copies and generates within one SQL dialect. An S3 bucket on either
// side is not a database and is checked on its own.
func sameKind(field string, dest uuid.UUID, destKind, sourceKind sqlconnect.Driver, generating bool) error {
	if !isDatabase(destKind) || !isDatabase(sourceKind) || destKind == sourceKind {
		return nil
	}
	if generating {
		return domain.Invalid(field, "connection %s is a %s database and the schema connection is %s: a generate job writes into the kind of database its schema is read from", dest, kindName(destKind), kindName(sourceKind))
	}
	return domain.Invalid(field, "connection %s is a %s database and the source is %s: a job copies between databases of the same kind only", dest, kindName(destKind), kindName(sourceKind))
}

// isDatabase reports whether a connection kind is a SQL database.
func isDatabase(k sqlconnect.Driver) bool {
	return k == sqlconnect.DriverPostgres || k == sqlconnect.DriverMySQL
}

// kindName is how messages name a database kind (a driver of a database
// is named as its dialect).
func kindName(k sqlconnect.Driver) string { return sqlschema.Dialect(k).Name() }

// Get returns one job with its destinations.
func (s *Service) Get(ctx context.Context, scope domain.Scope, id uuid.UUID) (Job, error) {
	row, err := s.store.GetJob(ctx, store.GetJobParams{ID: id, AllAccounts: scope.All, AccountIds: scope.IDs()})
	if store.IsNotFound(err) {
		return Job{}, domain.NotFound("job", id)
	}
	if err != nil {
		return Job{}, err
	}
	dests, err := s.store.ListJobDestinations(ctx, id)
	if err != nil {
		return Job{}, err
	}
	return fromRow(row, dests)
}

// List returns an account's jobs.
func (s *Service) List(ctx context.Context, scope domain.Scope, accountID uuid.UUID) ([]Job, error) {
	if !scope.Allows(accountID) {
		return nil, domain.NotFound("account", accountID)
	}
	rows, err := s.store.ListJobs(ctx, accountID)
	if err != nil {
		return nil, err
	}
	ids := make([]uuid.UUID, 0, len(rows))
	for _, r := range rows {
		ids = append(ids, r.ID)
	}
	dests, err := s.store.ListJobDestinationsForJobs(ctx, ids)
	if err != nil {
		return nil, err
	}
	byJob := map[uuid.UUID][]store.JobDestination{}
	for _, d := range dests {
		byJob[d.JobID] = append(byJob[d.JobID], d)
	}
	out := make([]Job, 0, len(rows))
	for _, r := range rows {
		j, err := fromRow(r, byJob[r.ID])
		if err != nil {
			return nil, err
		}
		out = append(out, j)
	}
	return out, nil
}

// Delete removes a job, its schedule and its destinations.
func (s *Service) Delete(ctx context.Context, scope domain.Scope, id uuid.UUID) error {
	j, err := s.Get(ctx, scope, id)
	if err != nil {
		return err
	}
	if active, err := s.store.ActiveJobRun(ctx, id); err == nil {
		return domain.FailedPrecondition("job %q has an active run (%s); cancel or terminate it before deleting the job", j.Name, active.ID)
	} else if !store.IsNotFound(err) {
		return err
	}
	if err := s.scheduler.DeleteSchedule(ctx, j); err != nil {
		return err
	}
	n, err := s.store.DeleteJob(ctx, store.DeleteJobParams{ID: id, AllAccounts: scope.All, AccountIds: scope.IDs()})
	if err != nil {
		return err
	}
	if n == 0 {
		return domain.NotFound("job", id)
	}
	return nil
}

// IsNameAvailable reports whether name is free in the account.
func (s *Service) IsNameAvailable(ctx context.Context, scope domain.Scope, accountID uuid.UUID, name string) (bool, error) {
	if !scope.Allows(accountID) {
		return false, domain.NotFound("account", accountID)
	}
	if err := ValidateName(name); err != nil {
		return false, err
	}
	taken, err := s.store.IsJobNameTaken(ctx, store.IsJobNameTakenParams{AccountID: accountID, Name: name})
	return !taken, err
}

// UpdateSchedule sets (or clears, with nil or "") the cron schedule.
func (s *Service) UpdateSchedule(ctx context.Context, scope domain.Scope, userID, id uuid.UUID, cronExpr *string) (Job, error) {
	if cronExpr != nil && *cronExpr == "" {
		cronExpr = nil
	}
	if cronExpr != nil {
		if err := ValidateCron(*cronExpr); err != nil {
			return Job{}, err
		}
	}
	old, err := s.Get(ctx, scope, id)
	if err != nil {
		return Job{}, err
	}
	next := old
	next.CronSchedule = cronExpr
	if err := s.scheduler.SyncSchedule(ctx, &old, next); err != nil {
		return Job{}, err
	}
	_, err = s.store.UpdateJobSchedule(ctx, store.UpdateJobScheduleParams{ID: id, CronSchedule: cronExpr, UpdatedBy: &userID, AllAccounts: scope.All, AccountIds: scope.IDs()})
	if store.IsNotFound(err) {
		return Job{}, domain.NotFound("job", id)
	}
	if err != nil {
		return Job{}, err
	}
	return s.Get(ctx, scope, id)
}

// SetPaused pauses or resumes the job's schedule. A paused job can still be
// triggered by hand.
func (s *Service) SetPaused(ctx context.Context, scope domain.Scope, id uuid.UUID, paused bool) (Job, error) {
	old, err := s.Get(ctx, scope, id)
	if err != nil {
		return Job{}, err
	}
	next := old
	next.Paused = paused
	if err := s.scheduler.SyncSchedule(ctx, &old, next); err != nil {
		return Job{}, err
	}
	if _, err := s.store.SetJobPaused(ctx, store.SetJobPausedParams{ID: id, Paused: paused, AllAccounts: scope.All, AccountIds: scope.IDs()}); err != nil {
		if store.IsNotFound(err) {
			return Job{}, domain.NotFound("job", id)
		}
		return Job{}, err
	}
	return s.Get(ctx, scope, id)
}

// updateDefinition applies change to the stored definition and saves it;
// with checkSource it is validated against its source (see checkSource).
func (s *Service) updateDefinition(ctx context.Context, scope domain.Scope, userID, id uuid.UUID, checkSource bool, change func(j Job, d *Definition) error) (Job, error) {
	j, err := s.Get(ctx, scope, id)
	if err != nil {
		return Job{}, err
	}
	d := j.Definition
	if err := change(j, &d); err != nil {
		return Job{}, err
	}
	if err := validateDefinition(d); err != nil {
		return Job{}, err
	}
	if err := s.checkTransformers(ctx, j.AccountID, d.Mappings); err != nil {
		return Job{}, err
	}
	source := d.SourceConnectionID()
	if source != j.Definition.SourceConnectionID() || (d.Sync != nil && d.Sync.Import != nil) != (j.Definition.Sync != nil && j.Definition.Sync.Import != nil) {
		kind, err := s.requireSource(ctx, j.AccountID, d)
		if err != nil {
			return Job{}, err
		}
		for _, dest := range j.Destinations {
			destKind, err := s.connectionType(ctx, j.AccountID, dest.ConnectionID)
			if err != nil {
				return Job{}, err
			}
			if destKind == sqlconnect.DriverS3 && kind == sqlconnect.DriverS3 {
				return Job{}, domain.Invalid("source", "the job writes to S3 bucket %s: an import from S3 writes into databases only", dest.ConnectionID)
			}
			if err := sameKind("source", dest.ConnectionID, destKind, kind, d.Generate != nil); err != nil {
				return Job{}, err
			}
		}
		for _, dest := range j.Destinations {
			if dest.ConnectionID == source {
				return Job{}, domain.Invalid("source", "connection %s is a destination of this job", source)
			}
		}
	}
	if err := s.checkSubsets(ctx, j.AccountID, d); err != nil {
		return Job{}, err
	}
	if checkSource {
		if err := s.checkSource(ctx, j.AccountID, d); err != nil {
			return Job{}, err
		}
	}
	def, err := json.Marshal(d)
	if err != nil {
		return Job{}, err
	}
	_, err = s.store.UpdateJobDefinition(ctx, store.UpdateJobDefinitionParams{
		ID: id, JobType: string(jobType(d)), SourceConnectionID: &source, Definition: def, UpdatedBy: &userID,
		AllAccounts: scope.All, AccountIds: scope.IDs(),
	})
	if store.IsNotFound(err) {
		return Job{}, domain.NotFound("job", id)
	}
	if err != nil {
		return Job{}, err
	}
	return s.Get(ctx, scope, id)
}

// UpdateSource replaces the source, the mappings and the virtual foreign keys.
func (s *Service) UpdateSource(ctx context.Context, scope domain.Scope, userID, id uuid.UUID, src Definition) (Job, error) {
	return s.updateDefinition(ctx, scope, userID, id, true, func(_ Job, d *Definition) error {
		src.resolvePRF(d.Sync)
		d.Sync, d.Generate = src.Sync, src.Generate
		d.Mappings = src.Mappings
		d.VirtualForeignKeys = src.VirtualForeignKeys
		return nil
	})
}

// SetSubsets replaces the per-table WHERE subsets of a sync job.
func (s *Service) SetSubsets(ctx context.Context, scope domain.Scope, userID, id uuid.UUID, subsets []Subset, byForeignKeys bool) (Job, error) {
	return s.updateDefinition(ctx, scope, userID, id, true, func(_ Job, d *Definition) error {
		if d.Sync == nil {
			return domain.FailedPrecondition("job %s is not a sync job; subsets apply to sync jobs only", id)
		}
		sync := *d.Sync
		sync.Subsets = subsets
		sync.SubsetByForeignKeys = byForeignKeys
		d.Sync = &sync
		return nil
	})
}

// SetWorkflowOptions replaces the run options.
func (s *Service) SetWorkflowOptions(ctx context.Context, scope domain.Scope, userID, id uuid.UUID, o WorkflowOptions) (Job, error) {
	return s.updateDefinition(ctx, scope, userID, id, false, func(_ Job, d *Definition) error {
		d.WorkflowOptions = o
		return nil
	})
}

// SetActivityOptions replaces the per-table activity options.
func (s *Service) SetActivityOptions(ctx context.Context, scope domain.Scope, userID, id uuid.UUID, o ActivityOptions) (Job, error) {
	return s.updateDefinition(ctx, scope, userID, id, false, func(_ Job, d *Definition) error {
		d.ActivityOptions = o
		return nil
	})
}

// AddDestinations adds destinations to a job.
func (s *Service) AddDestinations(ctx context.Context, scope domain.Scope, id uuid.UUID, add []DestinationOptionsFor) ([]Destination, error) {
	j, err := s.Get(ctx, scope, id)
	if err != nil {
		return nil, err
	}
	if len(add) == 0 {
		return nil, domain.Invalid("destinations", "needs at least one destination")
	}
	kind, err := s.sourceKind(ctx, j)
	if err != nil {
		return nil, err
	}
	if err := s.checkDestinations(ctx, j.AccountID, j.Definition.SourceConnectionID(), kind, j.Definition.Generate != nil, j.Destinations, add); err != nil {
		return nil, err
	}
	var out []Destination
	err = s.store.InTx(ctx, func(q *store.Queries) error {
		for _, d := range add {
			opts, err := json.Marshal(d.Options)
			if err != nil {
				return err
			}
			row, err := q.CreateJobDestination(ctx, store.CreateJobDestinationParams{JobID: id, ConnectionID: d.ConnectionID, Options: opts})
			if err != nil {
				return err
			}
			dest, err := destinationFromRow(row)
			if err != nil {
				return err
			}
			out = append(out, dest)
		}
		return nil
	})
	return out, err
}

// UpdateDestination changes one destination's connection and options.
func (s *Service) UpdateDestination(ctx context.Context, scope domain.Scope, jobID, destID uuid.UUID, d DestinationOptionsFor) (Job, error) {
	j, err := s.Get(ctx, scope, jobID)
	if err != nil {
		return Job{}, err
	}
	var others []Destination
	found := false
	for _, dest := range j.Destinations {
		if dest.ID == destID {
			found = true
			continue
		}
		others = append(others, dest)
	}
	if !found {
		return Job{}, domain.NotFound("job destination", destID)
	}
	kind, err := s.sourceKind(ctx, j)
	if err != nil {
		return Job{}, err
	}
	if err := s.checkDestinations(ctx, j.AccountID, j.Definition.SourceConnectionID(), kind, j.Definition.Generate != nil, others, []DestinationOptionsFor{d}); err != nil {
		return Job{}, err
	}
	opts, err := json.Marshal(d.Options)
	if err != nil {
		return Job{}, err
	}
	if _, err := s.store.UpdateJobDestination(ctx, store.UpdateJobDestinationParams{ID: destID, JobID: jobID, ConnectionID: d.ConnectionID, Options: opts}); err != nil {
		if store.IsNotFound(err) {
			return Job{}, domain.NotFound("job destination", destID)
		}
		return Job{}, err
	}
	return s.Get(ctx, scope, jobID)
}

// DeleteDestination removes a destination; a job keeps at least one.
func (s *Service) DeleteDestination(ctx context.Context, scope domain.Scope, jobID, destID uuid.UUID) error {
	j, err := s.Get(ctx, scope, jobID)
	if err != nil {
		return err
	}
	found := false
	for _, d := range j.Destinations {
		found = found || d.ID == destID
	}
	if !found {
		return domain.NotFound("job destination", destID)
	}
	if len(j.Destinations) == 1 {
		return domain.FailedPrecondition("cannot remove the last destination of job %q; add another first or delete the job", j.Name)
	}
	_, err = s.store.DeleteJobDestination(ctx, store.DeleteJobDestinationParams{ID: destID, JobID: jobID})
	return err
}

func fromRow(r store.Job, dests []store.JobDestination) (Job, error) {
	j := Job{ID: r.ID, AccountID: r.AccountID, Name: r.Name, Type: Type(r.JobType), CronSchedule: r.CronSchedule, Paused: r.Paused, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt}
	if err := json.Unmarshal(r.Definition, &j.Definition); err != nil {
		return Job{}, fmt.Errorf("job %s: decode definition: %w", r.ID, err)
	}
	for _, d := range dests {
		dest, err := destinationFromRow(d)
		if err != nil {
			return Job{}, err
		}
		j.Destinations = append(j.Destinations, dest)
	}
	return j, nil
}

func destinationFromRow(d store.JobDestination) (Destination, error) {
	dest := Destination{ID: d.ID, ConnectionID: d.ConnectionID}
	if err := json.Unmarshal(d.Options, &dest.Options); err != nil {
		return Destination{}, fmt.Errorf("job destination %s: decode options: %w", d.ID, err)
	}
	return dest, nil
}
