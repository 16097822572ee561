package run

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/robfig/cron/v3"

	"github.com/neosyncio/neosync/backend/internal/domain"
	"github.com/neosyncio/neosync/backend/internal/domain/job"
	"github.com/neosyncio/neosync/backend/internal/store"
	"github.com/neosyncio/neosync/backend/pkg/jobcontract"
)

// Service manages runs.
type Service struct {
	store  *store.Store
	jobs   *job.Service
	engine Engine
	now    func() time.Time
}

// NewService returns a Service.
func NewService(st *store.Store, jobs *job.Service, engine Engine) *Service {
	return &Service{store: st, jobs: jobs, engine: engine, now: time.Now}
}

// Trigger starts a run of a job now. A job with an active run is refused
// with FailedPrecondition, never queued or dropped silently.
func (s *Service) Trigger(ctx context.Context, scope domain.Scope, jobID uuid.UUID) (Run, error) {
	j, err := s.jobs.Get(ctx, scope, jobID)
	if err != nil {
		return Run{}, err
	}
	if active, err := s.store.ActiveJobRun(ctx, j.ID); err == nil {
		r, rerr := s.reconcile(ctx, fromRow(active))
		if rerr != nil {
			return Run{}, rerr
		}
		if !r.Status.Terminal() {
			return Run{}, domain.FailedPrecondition("job %q is already running (run %s); wait for it or cancel it first", j.Name, r.ID)
		}
	} else if !store.IsNotFound(err) {
		return Run{}, err
	}
	runID := uuid.New()
	workflowID := jobcontract.TriggeredWorkflowID(j.ID.String(), runID.String())
	row, err := s.store.CreateJobRun(ctx, store.CreateJobRunParams{JobID: j.ID, AccountID: j.AccountID, WorkflowID: workflowID})
	if store.IsUniqueViolation(err) {
		return Run{}, domain.FailedPrecondition("job %q is already running; wait for it or cancel it first", j.Name)
	}
	if err != nil {
		return Run{}, err
	}
	err = s.engine.Start(ctx, jobcontract.WorkflowName(string(j.Type)), workflowID, jobcontract.WorkflowInput{JobID: j.ID.String()},
		StartOptions{RunTimeout: j.Definition.WorkflowOptions.RunTimeout})
	if err != nil {
		msg := "could not start the workflow: " + err.Error()
		_, _ = s.finish(ctx, store.FinishJobRunParams{ID: row.ID, Status: string(StatusFailed), Error: &msg})
		return Run{}, err
	}
	return fromRow(row), nil
}

// pageToken encodes a keyset position.
type pageToken struct {
	Created time.Time `json:"c"`
	ID      uuid.UUID `json:"i"`
}

func decodeToken(tok string) (*pageToken, error) {
	if tok == "" {
		return nil, nil
	}
	b, err := base64.RawURLEncoding.DecodeString(tok)
	if err != nil {
		return nil, domain.Invalid("page_token", "is not a token this server issued")
	}
	var p pageToken
	if err := json.Unmarshal(b, &p); err != nil {
		return nil, domain.Invalid("page_token", "is not a token this server issued")
	}
	return &p, nil
}

func encodeToken(r store.JobRun) string {
	b, _ := json.Marshal(pageToken{Created: r.CreatedAt, ID: r.ID})
	return base64.RawURLEncoding.EncodeToString(b)
}

// ListParams selects runs of a job or of an account.
type ListParams struct {
	JobID, AccountID *uuid.UUID
	PageSize         int
	PageToken        string
}

// List returns runs newest first, with a token for the next page.
func (s *Service) List(ctx context.Context, scope domain.Scope, p ListParams) ([]Run, string, error) {
	if p.PageSize <= 0 {
		p.PageSize = 50
	}
	if p.PageSize > 500 {
		return nil, "", domain.Invalid("page_size", "must be at most 500")
	}
	tok, err := decodeToken(p.PageToken)
	if err != nil {
		return nil, "", err
	}
	var beforeCreated *time.Time
	var beforeID *uuid.UUID
	if tok != nil {
		beforeCreated, beforeID = &tok.Created, &tok.ID
	}
	var rows []store.JobRun
	switch {
	case p.JobID != nil:
		if _, err := s.jobs.Get(ctx, scope, *p.JobID); err != nil {
			return nil, "", err
		}
		rows, err = s.store.ListJobRunsByJob(ctx, store.ListJobRunsByJobParams{JobID: *p.JobID, BeforeCreated: beforeCreated, BeforeID: beforeID, PageSize: int32(p.PageSize + 1)})
	case p.AccountID != nil:
		if !scope.Allows(*p.AccountID) {
			return nil, "", domain.NotFound("account", *p.AccountID)
		}
		rows, err = s.store.ListJobRunsByAccount(ctx, store.ListJobRunsByAccountParams{AccountID: *p.AccountID, BeforeCreated: beforeCreated, BeforeID: beforeID, PageSize: int32(p.PageSize + 1)})
	default:
		return nil, "", domain.Invalid("id", "job_id or account_id is required")
	}
	if err != nil {
		return nil, "", err
	}
	next := ""
	if len(rows) > p.PageSize {
		rows = rows[:p.PageSize]
		next = encodeToken(rows[len(rows)-1])
	}
	runs, err := s.withTables(ctx, rows)
	if err != nil {
		return nil, "", err
	}
	for i := range runs {
		if runs[i], err = s.reconcile(ctx, runs[i]); err != nil {
			return nil, "", err
		}
	}
	return runs, next, nil
}

// Get returns one run with its table progress.
func (s *Service) Get(ctx context.Context, scope domain.Scope, id uuid.UUID) (Run, error) {
	row, err := s.store.GetJobRun(ctx, store.GetJobRunParams{ID: id, AllAccounts: scope.All, AccountIds: scope.IDs()})
	if store.IsNotFound(err) {
		return Run{}, domain.NotFound("job run", id)
	}
	if err != nil {
		return Run{}, err
	}
	runs, err := s.withTables(ctx, []store.JobRun{row})
	if err != nil {
		return Run{}, err
	}
	return s.reconcile(ctx, runs[0])
}

// Events returns a run's log and whether the run is over.
func (s *Service) Events(ctx context.Context, scope domain.Scope, id uuid.UUID) ([]Event, bool, error) {
	r, err := s.Get(ctx, scope, id)
	if err != nil {
		return nil, false, err
	}
	rows, err := s.store.ListJobRunEvents(ctx, id)
	if err != nil {
		return nil, false, err
	}
	out := make([]Event, 0, len(rows))
	for _, e := range rows {
		out = append(out, Event{ID: e.ID, Time: e.CreatedAt, Level: e.Level, Message: e.Message, Schema: e.SchemaName, Table: e.TableName})
	}
	return out, r.Status.Terminal(), nil
}

// Cancel asks a run to stop gracefully; activities see the cancellation at
// their next heartbeat and the worker finishes the run as canceled.
func (s *Service) Cancel(ctx context.Context, scope domain.Scope, id uuid.UUID) error {
	r, err := s.Get(ctx, scope, id)
	if err != nil {
		return err
	}
	if r.Status.Terminal() {
		return domain.FailedPrecondition("run %s is already %s", id, r.Status)
	}
	return s.engine.Cancel(ctx, r.WorkflowID)
}

// Terminate stops a run immediately; no cleanup runs in the worker.
func (s *Service) Terminate(ctx context.Context, scope domain.Scope, id uuid.UUID) error {
	r, err := s.Get(ctx, scope, id)
	if err != nil {
		return err
	}
	if r.Status.Terminal() {
		return domain.FailedPrecondition("run %s is already %s", id, r.Status)
	}
	if err := s.engine.Terminate(ctx, r.WorkflowID, "terminated through the Neosync API"); err != nil {
		return err
	}
	msg := "terminated through the Neosync API; the destinations' constraints and indexes are restored in the background (see the run's events)"
	_, err = s.finish(ctx, store.FinishJobRunParams{ID: id, Status: string(StatusTerminated), Error: &msg})
	if store.IsNotFound(err) {
		return nil // finished meanwhile
	}
	if err == nil {
		s.startRestore(ctx, r)
	}
	return err
}

// Delete removes a finished run and its history.
func (s *Service) Delete(ctx context.Context, scope domain.Scope, id uuid.UUID) error {
	r, err := s.Get(ctx, scope, id)
	if err != nil {
		return err
	}
	if !r.Status.Terminal() {
		return domain.FailedPrecondition("run %s is %s; cancel or terminate it before deleting it", id, r.Status)
	}
	_, err = s.store.DeleteJobRun(ctx, id)
	return err
}

// Recent returns the latest runs of a job.
func (s *Service) Recent(ctx context.Context, scope domain.Scope, jobID uuid.UUID) ([]Run, error) {
	runs, _, err := s.List(ctx, scope, ListParams{JobID: &jobID, PageSize: 10})
	return runs, err
}

var cronParser = cron.NewParser(cron.Minute | cron.Hour | cron.Dom | cron.Month | cron.Dow | cron.Descriptor)

// NextRuns returns the next scheduled times (UTC), none when the job has no
// schedule or is paused.
func (s *Service) NextRuns(ctx context.Context, scope domain.Scope, jobID uuid.UUID, n int) ([]time.Time, error) {
	j, err := s.jobs.Get(ctx, scope, jobID)
	if err != nil {
		return nil, err
	}
	if j.CronSchedule == nil || j.Paused {
		return nil, nil
	}
	sched, err := cronParser.Parse(*j.CronSchedule)
	if err != nil {
		return nil, fmt.Errorf("stored cron %q: %w", *j.CronSchedule, err)
	}
	var out []time.Time
	t := s.now().UTC()
	for range n {
		t = sched.Next(t)
		out = append(out, t)
	}
	return out, nil
}

// reconcile settles a run the worker never finished (worker killed, workflow
// terminated or timed out outside the API, or failed before it could record
// its outcome) from the engine's view, with the reason the engine gives.
func (s *Service) reconcile(ctx context.Context, r Run) (Run, error) {
	if r.Status.Terminal() {
		return r, nil
	}
	state, reason, err := s.engine.State(ctx, r.WorkflowID)
	if err != nil {
		return r, nil // the engine being unreachable must not break reads
	}
	var status Status
	var msg string
	restore := false
	switch state {
	case WorkflowRunning:
		return r, nil
	case WorkflowCompleted:
		status, msg = StatusComplete, ""
	case WorkflowCanceled:
		status, msg = StatusCanceled, "canceled"
	case WorkflowTerminated:
		status, msg, restore = StatusTerminated, "terminated by Temporal", true
		if reason != "" {
			msg = "terminated by Temporal: " + reason
		}
	case WorkflowTimedOut:
		status, msg, restore = StatusFailed, "the run exceeded its time limit", true
	case WorkflowFailed:
		status, msg = StatusFailed, "the workflow failed without recording its outcome"
		if reason != "" {
			msg = reason
		}
	case WorkflowNotFound:
		// The API records a run just before it starts its workflow.
		if s.now().Sub(r.CreatedAt) < 10*time.Second {
			return r, nil
		}
		status, msg = StatusFailed, "the workflow no longer exists in Temporal"
	default:
		return r, nil
	}
	if restore {
		msg += "; the destinations' constraints and indexes are restored in the background (see the run's events)"
	}
	var errp *string
	if msg != "" {
		errp = &msg
	}
	row, err := s.finish(ctx, store.FinishJobRunParams{ID: r.ID, Status: string(status), Error: errp})
	if store.IsNotFound(err) {
		return r, nil
	}
	if err != nil {
		return r, err
	}
	if restore {
		s.startRestore(ctx, r)
	}
	out := fromRow(row)
	tables, err := s.withTables(ctx, []store.JobRun{row})
	if err != nil {
		return out, err
	}
	return tables[0], nil
}

// finish records a run's outcome and ends every table still pending or
// running with the reason; it returns store.ErrNotFound-style errors as the
// store does when the run had already ended.
func (s *Service) finish(ctx context.Context, p store.FinishJobRunParams) (store.JobRun, error) {
	row, err := s.store.FinishJobRun(ctx, p)
	if err != nil {
		return row, err
	}
	reason := "the run " + p.Status
	if p.Error != nil && *p.Error != "" {
		reason += ": " + *p.Error
	}
	if err := s.store.EndJobRunTables(ctx, store.EndJobRunTablesParams{JobRunID: p.ID, Reason: trimMessage(reason)}); err != nil {
		return row, err
	}
	// The key ranges' leak sketches served the run's verification only.
	if err := s.store.DeleteJobRunRangeSketches(ctx, p.ID); err != nil {
		return row, err
	}
	return row, nil
}

// startRestore starts the workflow that puts back a sync run's dropped
// constraints and indexes after the run was stopped without its own
// cleanup. Starting it twice for one run is refused by the engine and
// ignored here.
func (s *Service) startRestore(ctx context.Context, r Run) {
	j, err := s.jobs.Get(ctx, domain.Scope{All: true}, r.JobID)
	if err != nil || string(j.Type) == "generate" {
		return
	}
	_ = s.engine.Start(ctx, jobcontract.WorkflowRestore, jobcontract.RestoreWorkflowID(r.ID.String()),
		jobcontract.WorkflowInput{JobID: r.JobID.String(), JobRunID: r.ID.String()}, StartOptions{RunTimeout: 24 * time.Hour})
}

func (s *Service) withTables(ctx context.Context, rows []store.JobRun) ([]Run, error) {
	ids := make([]uuid.UUID, 0, len(rows))
	for _, r := range rows {
		ids = append(ids, r.ID)
	}
	tables, err := s.store.ListJobRunTables(ctx, ids)
	if err != nil {
		return nil, err
	}
	byRun := map[uuid.UUID][]TableProgress{}
	for _, t := range tables {
		byRun[t.JobRunID] = append(byRun[t.JobRunID], TableProgress{
			Destination: t.Destination, Schema: t.SchemaName, Table: t.TableName, State: t.State, RowsDone: t.RowsDone, RowsExpected: t.RowsExpected,
			Error: t.Error, StartedAt: t.StartedAt, CompletedAt: t.CompletedAt, RangesTotal: t.RangesTotal, RangesDone: t.RangesDone,
		})
	}
	out := make([]Run, 0, len(rows))
	for _, r := range rows {
		run := fromRow(r)
		run.Tables = byRun[r.ID]
		out = append(out, run)
	}
	return out, nil
}

func fromRow(r store.JobRun) Run {
	run := Run{ID: r.ID, JobID: r.JobID, AccountID: r.AccountID, WorkflowID: r.WorkflowID, Status: Status(r.Status), Error: r.Error,
		CreatedAt: r.CreatedAt, StartedAt: r.StartedAt, CompletedAt: r.CompletedAt}
	if len(r.Report) > 0 {
		_ = json.Unmarshal(r.Report, &run.Report)
	}
	return run
}

// validLevel checks an event level.
func validLevel(l string) bool { return l == "info" || l == "warn" || l == "error" }

func trimMessage(s string) string {
	s = strings.ToValidUTF8(s, "?")
	if len(s) > 4000 {
		return s[:4000] + "…"
	}
	return s
}
