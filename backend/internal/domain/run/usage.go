package run

import (
	"context"
	"time"

	"github.com/google/uuid"

	"github.com/neosyncio/neosync/backend/internal/domain"
	"github.com/neosyncio/neosync/backend/internal/store"
)

// MaxUsageDays bounds the range of one usage query.
const MaxUsageDays = 366

// UsageDay is one job's rows copied on one UTC day.
type UsageDay struct {
	// Day is midnight UTC of the day.
	Day     time.Time
	JobID   uuid.UUID
	JobName string
	// Rows are the rows the run records say were written that day (each
	// destination counts its own); Runs the runs that wrote them.
	Rows, Runs int64
}

// Usage returns an account's rows copied per day and job from startDate
// to endDate (YYYY-MM-DD, UTC, both inclusive), only jobID's when it is
// given, from the run records: a table's rows count on the day its copy
// ended. Runs of deleted jobs are deleted with them and no longer count.
func (s *Service) Usage(ctx context.Context, scope domain.Scope, accountID uuid.UUID, jobID *uuid.UUID, startDate, endDate string) ([]UsageDay, error) {
	if !scope.Allows(accountID) {
		return nil, domain.NotFound("account", accountID)
	}
	from, err := time.Parse(time.DateOnly, startDate)
	if err != nil {
		return nil, domain.Invalid("start_date", "must be a day as YYYY-MM-DD, got %q", startDate)
	}
	to, err := time.Parse(time.DateOnly, endDate)
	if err != nil {
		return nil, domain.Invalid("end_date", "must be a day as YYYY-MM-DD, got %q", endDate)
	}
	if to.Before(from) {
		return nil, domain.Invalid("end_date", "%s is before start_date %s", endDate, startDate)
	}
	if days := int(to.Sub(from).Hours()/24) + 1; days > MaxUsageDays {
		return nil, domain.Invalid("end_date", "the range covers %d days; at most %d", days, MaxUsageDays)
	}
	rows, err := s.store.DailyUsage(ctx, store.DailyUsageParams{AccountID: accountID, JobID: jobID, StartAt: from, EndAt: to.AddDate(0, 0, 1)})
	if err != nil {
		return nil, err
	}
	out := make([]UsageDay, 0, len(rows))
	for _, r := range rows {
		out = append(out, UsageDay{Day: r.Day.Time, JobID: r.JobID, JobName: r.JobName, Rows: r.Rows, Runs: r.Runs})
	}
	return out, nil
}
