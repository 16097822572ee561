package run

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/google/uuid"

	"github.com/neosyncio/neosync/backend/internal/domain"
	"github.com/neosyncio/neosync/backend/internal/store"
)

// StartByWorker records the run a workflow executes: it finds the run the API
// created for a triggered workflow, or creates one for a scheduled workflow.
func (s *Service) StartByWorker(ctx context.Context, jobID uuid.UUID, workflowID, temporalRunID string) (uuid.UUID, error) {
	if workflowID == "" {
		return uuid.Nil, domain.Invalid("workflow_id", "is required")
	}
	row, err := s.store.StartJobRun(ctx, store.StartJobRunParams{JobID: jobID, WorkflowID: workflowID, TemporalRunID: &temporalRunID})
	if store.IsNotFound(err) {
		return uuid.Nil, domain.NotFound("job", jobID)
	}
	if store.IsUniqueViolation(err) {
		return uuid.Nil, domain.FailedPrecondition("job %s already has an active run", jobID)
	}
	if err != nil {
		return uuid.Nil, err
	}
	return row.ID, nil
}

// ReportTable upserts one table's progress.
func (s *Service) ReportTable(ctx context.Context, runID uuid.UUID, t TableProgress) error {
	switch t.State {
	case "pending", "running", "complete", "failed":
	default:
		return domain.Invalid("progress.state", "must be pending, running, complete or failed")
	}
	if t.Schema == "" || t.Table == "" {
		return domain.Invalid("progress", "schema and table are required")
	}
	if t.Error != nil {
		m := trimMessage(*t.Error)
		t.Error = &m
	}
	if t.RangeIndex != nil {
		return s.reportRange(ctx, runID, t)
	}
	err := s.store.UpsertJobRunTable(ctx, store.UpsertJobRunTableParams{
		JobRunID: runID, SchemaName: t.Schema, TableName: t.Table, State: t.State, RowsDone: t.RowsDone, RowsExpected: t.RowsExpected,
		Error: t.Error, StartedAt: t.StartedAt, CompletedAt: t.CompletedAt, Destination: t.Destination,
	})
	if store.IsForeignKeyViolation(err) {
		return domain.NotFound("job run", runID)
	}
	return err
}

// PendingTable is one table of a run, in one destination, not started:
// what a run's start records for each table (ReportPending).
type PendingTable struct {
	Destination   string
	Schema, Table string
	RowsExpected  int64
}

// MaxPendingTables bounds the tables of one ReportPending call.
const MaxPendingTables = 1000

// ReportPending records tables of run runID as pending with their expected
// rows, in one statement: what ReportTable does with state pending for
// each, for a run's start over thousands of tables. Errors name the
// table's entry ("tables[3].table").
func (s *Service) ReportPending(ctx context.Context, runID uuid.UUID, tables []PendingTable) error {
	if len(tables) == 0 || len(tables) > MaxPendingTables {
		return domain.Invalid("tables", "must hold 1 to %d tables", MaxPendingTables)
	}
	seen := map[PendingTable]bool{}
	p := store.UpsertJobRunTablesPendingParams{JobRunID: runID}
	for i, t := range tables {
		switch {
		case t.Schema == "" || t.Table == "":
			return domain.Invalid(fmt.Sprintf("tables[%d]", i), "schema and table are required")
		case t.RowsExpected < 0:
			return domain.Invalid(fmt.Sprintf("tables[%d].rows_expected", i), "must not be negative")
		}
		k := PendingTable{Destination: t.Destination, Schema: t.Schema, Table: t.Table}
		if seen[k] {
			return domain.Invalid(fmt.Sprintf("tables[%d]", i), "names a table of the same destination a second time in the call")
		}
		seen[k] = true
		p.Destinations = append(p.Destinations, t.Destination)
		p.SchemaNames = append(p.SchemaNames, t.Schema)
		p.TableNames = append(p.TableNames, t.Table)
		p.RowsExpected = append(p.RowsExpected, t.RowsExpected)
	}
	err := s.store.UpsertJobRunTablesPending(ctx, p)
	if store.IsForeignKeyViolation(err) {
		return domain.NotFound("job run", runID)
	}
	return err
}

// MaxRanges bounds the key ranges of one table a report may name.
const MaxRanges = 10_000

// reportRange records one key range's progress and folds it into its
// table's: rows summed over the ranges, ranges complete counted. A row
// lock on the table serialises the reports of its ranges, so concurrent
// workers never overwrite each other's sums. A table already complete
// or failed is left as it is.
func (s *Service) reportRange(ctx context.Context, runID uuid.UUID, t TableProgress) error {
	i := *t.RangeIndex
	switch {
	case t.RangesTotal < 1 || t.RangesTotal > MaxRanges:
		return domain.Invalid("progress.ranges_total", "must be from 1 to %d with range_index", MaxRanges)
	case i < 0 || i >= t.RangesTotal:
		return domain.Invalid("progress.range_index", "must be from 0 to ranges_total - 1")
	case t.State != "running" && t.State != "complete":
		return domain.Invalid("progress.state", "must be running or complete for a range")
	case t.RowsDone < 0:
		return domain.Invalid("progress.rows_done", "must not be negative")
	}
	err := s.store.InTx(ctx, func(q *store.Queries) error {
		key := store.LockJobRunTableParams{JobRunID: runID, Destination: t.Destination, SchemaName: t.Schema, TableName: t.Table}
		if _, err := q.LockJobRunTable(ctx, key); err != nil {
			if store.IsNotFound(err) {
				return &domain.NotFoundError{Resource: "table progress", ID: t.Destination + "/" + t.Schema + "." + t.Table}
			}
			return err
		}
		if err := q.UpsertJobRunTableRange(ctx, store.UpsertJobRunTableRangeParams{JobRunID: runID, Destination: t.Destination,
			SchemaName: t.Schema, TableName: t.Table, RangeIndex: i, State: t.State, RowsDone: t.RowsDone}); err != nil {
			return err
		}
		return q.SumJobRunTableRanges(ctx, store.SumJobRunTableRangesParams{JobRunID: runID, Destination: t.Destination,
			SchemaName: t.Schema, TableName: t.Table, RangesTotal: t.RangesTotal})
	})
	if store.IsForeignKeyViolation(err) {
		return domain.NotFound("job run", runID)
	}
	return err
}

// AddEvent appends to a run's log.
func (s *Service) AddEvent(ctx context.Context, runID uuid.UUID, e Event) error {
	if !validLevel(e.Level) {
		return domain.Invalid("level", "must be info, warn or error")
	}
	err := s.store.AddJobRunEvent(ctx, store.AddJobRunEventParams{JobRunID: runID, Level: e.Level, Message: trimMessage(e.Message), SchemaName: e.Schema, TableName: e.Table})
	if store.IsForeignKeyViolation(err) {
		return domain.NotFound("job run", runID)
	}
	return err
}

// Finish records a run's outcome. Finishing a run twice keeps the first outcome.
func (s *Service) Finish(ctx context.Context, runID uuid.UUID, status Status, errMsg *string, report map[string]any) error {
	if !status.Terminal() {
		return domain.Invalid("status", "must be a final status")
	}
	var rep []byte
	if report != nil {
		var err error
		if rep, err = json.Marshal(report); err != nil {
			return err
		}
	}
	if errMsg != nil {
		m := trimMessage(*errMsg)
		errMsg = &m
	}
	_, err := s.finish(ctx, store.FinishJobRunParams{ID: runID, Status: string(status), Error: errMsg, Report: rep})
	if store.IsNotFound(err) {
		return nil
	}
	return err
}
