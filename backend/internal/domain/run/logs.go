package run

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"time"

	"github.com/google/uuid"

	"github.com/neosyncio/neosync/backend/internal/domain"
	"github.com/neosyncio/neosync/backend/internal/store"
	"github.com/neosyncio/neosync/backend/pkg/runlog"
)

// LogLine is one log line a worker wrote while carrying out a run.
type LogLine struct {
	// ID orders a run's lines; the API assigns it.
	ID         int64
	Time       time.Time
	Level      string
	Message    string
	Attributes map[string]string
}

// AddLogs stores a batch of a run's log lines (from a worker), cleaned
// and masked by package runlog's rules.
func (s *Service) AddLogs(ctx context.Context, runID uuid.UUID, lines []LogLine) error {
	if len(lines) > runlog.MaxBatch {
		return domain.Invalid("lines", "holds %d lines; at most %d a call", len(lines), runlog.MaxBatch)
	}
	p := store.AddJobRunLogsParams{JobRunID: runID}
	for i, l := range lines {
		level, ok := runlog.Level(l.Level)
		if !ok {
			return domain.Invalid(fmt.Sprintf("lines[%d].level", i), "must be debug, info, warn or error, got %q", l.Level)
		}
		msg, attrs := runlog.Clean(l.Message, l.Attributes)
		b, err := json.Marshal(attrs)
		if err != nil {
			return err
		}
		if l.Time.IsZero() {
			l.Time = time.Now()
		}
		p.LoggedAt, p.Levels, p.Messages, p.Attributes = append(p.LoggedAt, l.Time), append(p.Levels, level), append(p.Messages, msg), append(p.Attributes, b)
	}
	if len(lines) == 0 {
		return nil
	}
	err := s.store.AddJobRunLogs(ctx, p)
	if store.IsForeignKeyViolation(err) {
		return domain.NotFound("job run", runID)
	}
	return err
}

// FollowLogs hands send a run's log lines after afterID in batches, oldest
// first. With follow it then waits for new lines, every poll, until the
// run has ended (and one poll more, for lines a worker sent as it
// finished) or ctx is done.
func (s *Service) FollowLogs(ctx context.Context, scope domain.Scope, id uuid.UUID, afterID int64, follow bool, poll time.Duration, send func([]LogLine) error) error {
	over := false
	for {
		r, err := s.Get(ctx, scope, id)
		if err != nil {
			return err
		}
		endedBefore := over
		over = r.Status.Terminal()
		for {
			rows, err := s.store.ListJobRunLogs(ctx, store.ListJobRunLogsParams{JobRunID: id, AfterID: afterID, MaxLines: runlog.MaxBatch})
			if err != nil {
				return err
			}
			if len(rows) == 0 {
				break
			}
			lines := make([]LogLine, 0, len(rows))
			for _, row := range rows {
				l := LogLine{ID: row.ID, Time: row.LoggedAt, Level: row.Level, Message: row.Message}
				_ = json.Unmarshal(row.Attributes, &l.Attributes)
				lines = append(lines, l)
			}
			if err := send(lines); err != nil {
				return err
			}
			afterID = rows[len(rows)-1].ID
			if len(rows) < runlog.MaxBatch {
				break
			}
		}
		if !follow || endedBefore {
			return nil
		}
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(poll):
		}
	}
}

// PruneLogs deletes the log lines stored before before, in batches, and
// returns how many.
func PruneLogs(ctx context.Context, st *store.Store, before time.Time) (int64, error) {
	var total int64
	for {
		n, err := st.DeleteJobRunLogsBefore(ctx, before)
		total += n
		if err != nil || n == 0 {
			return total, err
		}
	}
}

// KeepLogs deletes log lines older than retention now and every interval
// until ctx is done (a retention of zero keeps them). The API runs it in
// the background (NEOSYNC_RUN_LOG_RETENTION_DAYS).
func KeepLogs(ctx context.Context, st *store.Store, retention, interval time.Duration, log *slog.Logger) {
	if retention <= 0 {
		return
	}
	for {
		n, err := PruneLogs(ctx, st, time.Now().Add(-retention))
		switch {
		case err != nil && ctx.Err() == nil:
			log.WarnContext(ctx, "prune run logs", slog.String("error", err.Error()))
		case n > 0:
			log.InfoContext(ctx, "pruned run logs past their retention", slog.Int64("lines", n))
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(interval):
		}
	}
}
