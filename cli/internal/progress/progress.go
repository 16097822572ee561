// Package progress follows a job run to its end and shows it: a live view
// redrawn in place on a terminal (an overall bar, then per table: state,
// rows done, rows/s), or plain progress lines when the output is a file, a
// pipe, or CI. Rendering is pure (snapshots in, text out), so it is tested
// without a server.
package progress

import (
	"context"
	"fmt"
	"strings"
	"time"

	"google.golang.org/protobuf/proto"

	mgmtv1alpha1 "github.com/neosyncio/neosync/backend/gen/go/protos/mgmt/v1alpha1"
	"github.com/neosyncio/neosync/cli/internal/describe"
)

// Renderer shows successive snapshots of one run.
type Renderer interface {
	// Update shows a snapshot taken at now.
	Update(run *mgmtv1alpha1.JobRun, now time.Time) error
	// Done shows the final snapshot.
	Done(run *mgmtv1alpha1.JobRun, now time.Time) error
}

// Watch polls get every interval until the run reaches a final state,
// showing each snapshot with r, and returns the final snapshot.
func Watch(ctx context.Context, get func(context.Context) (*mgmtv1alpha1.JobRun, error), r Renderer, interval time.Duration, now func() time.Time) (*mgmtv1alpha1.JobRun, error) {
	ticker := time.NewTicker(interval)
	defer ticker.Stop()
	for {
		run, err := get(ctx)
		if err != nil {
			return nil, err
		}
		if describe.IsTerminal(run.GetStatus()) {
			return run, r.Done(run, now())
		}
		if err := r.Update(run, now()); err != nil {
			return nil, err
		}
		select {
		case <-ctx.Done():
			return run, ctx.Err()
		case <-ticker.C:
		}
	}
}

// maxTableReasons bounds how many failed tables Outcome explains; the
// others are counted (neosync runs get lists them all).
const maxTableReasons = 3

// Outcome is nil for a complete run and otherwise an error saying why the
// run did not complete: the run's error and each failed table's (up to
// maxTableReasons), each said once — progress output names the failed
// tables without their reasons, so this one line is where they are read.
// jobName, when known, makes the message name the job.
func Outcome(run *mgmtv1alpha1.JobRun, jobName string) error {
	name := Label(run, jobName)
	switch run.GetStatus() {
	case mgmtv1alpha1.JobRunStatus_JOB_RUN_STATUS_COMPLETE:
		return nil
	case mgmtv1alpha1.JobRunStatus_JOB_RUN_STATUS_CANCELED:
		return fmt.Errorf("%s was canceled", name)
	case mgmtv1alpha1.JobRunStatus_JOB_RUN_STATUS_TERMINATED:
		return fmt.Errorf("%s was terminated", name)
	}
	runErr := run.GetError()
	reason := runErr
	explained, more := 0, 0
	for _, t := range run.GetTables() {
		if t.GetError() == "" {
			continue
		}
		why := TableReason(t)
		if runErr != "" && strings.HasSuffix(runErr, why) {
			continue // the run's error is this table's
		}
		if explained == maxTableReasons {
			more++
			continue
		}
		explained++
		tableErr := fmt.Sprintf("table %s.%s: %s", t.GetSchema(), t.GetTable(), why)
		if reason == "" {
			reason = tableErr
		} else {
			reason += "; " + tableErr
		}
	}
	if more > 0 {
		reason += fmt.Sprintf("; %d more tables failed (see neosync runs get)", more)
	}
	if reason == "" {
		reason = "no reason given"
	}
	return fmt.Errorf("%s %s: %s", name, describe.RunStatus(run.GetStatus()), reason)
}

// TableReason is a table's error without the prefixes that name the table
// again ("table public.orders: ") or the engine ("sqlsync: "): whoever
// prints it has already said which table it is.
func TableReason(t *mgmtv1alpha1.JobRunTableProgress) string {
	msg := t.GetError()
	table := "table " + t.GetSchema() + "." + t.GetTable() + ": "
	for {
		trimmed := strings.TrimPrefix(strings.TrimPrefix(msg, "sqlsync: "), table)
		if trimmed == msg {
			return msg
		}
		msg = trimmed
	}
}

// Label names a run for people: "run 0b7c3f52 of job nightly" (the id's
// first block is enough to tell runs apart on screen; commands print the
// full id). A run without an id — a [Local] run — is named by its name.
func Label(run *mgmtv1alpha1.JobRun, jobName string) string {
	if run.GetId() == "" && run.GetName() != "" {
		return run.GetName()
	}
	id, _, _ := strings.Cut(run.GetId(), "-")
	if id == "" {
		id = run.GetName()
	}
	if jobName == "" {
		return "run " + id
	}
	return "run " + id + " of job " + jobName
}

// totals sums a run's rows and counts finished tables.
type totals struct {
	done, expected int64
	// known is false while a table still running or pending has no
	// expected row count: then no percentage can be given.
	known      bool
	tablesDone int
	tables     int
}

func sum(run *mgmtv1alpha1.JobRun) totals {
	t := totals{known: true}
	for _, tp := range run.GetTables() {
		t.tables++
		t.done += tp.GetRowsDone()
		switch {
		case tp.GetState() == "complete":
			t.tablesDone++
			t.expected += tp.GetRowsDone()
		case tp.GetRowsExpected() > 0:
			t.expected += max(tp.GetRowsExpected(), tp.GetRowsDone())
		default:
			t.known = false
		}
	}
	return t
}

// percent is done/expected in [0, 100], or -1 when it cannot be known.
func (t totals) percent() int {
	if !t.known || t.expected <= 0 {
		return -1
	}
	return int(min(t.done, t.expected) * 100 / t.expected)
}

// rows is "20,000 / 200,000 rows", or "20,000 rows" when the total is unknown.
func (t totals) rows() string {
	if t.percent() < 0 {
		return Number(t.done) + " rows"
	}
	return Number(t.done) + " / " + Number(t.expected) + " rows"
}

// rates estimates rows per second, per table and overall, from successive
// snapshots, smoothed so the display does not jump with each poll. Finished
// tables (and finished runs) show their average instead.
type rates struct {
	last  map[string]sample
	rate  map[string]float64
	total sample
	seen  bool
	all   float64
	// expected remembers each table's expected row count: a worker may
	// report it when a table is queued and omit it while copying.
	expected map[string]int64
}

type sample struct {
	rows int64
	at   time.Time
}

func newRates() *rates {
	return &rates{last: map[string]sample{}, rate: map[string]float64{}, expected: map[string]int64{}}
}

// fill returns run with expected row counts seen in earlier snapshots
// restored where this one lacks them.
func (r *rates) fill(run *mgmtv1alpha1.JobRun) *mgmtv1alpha1.JobRun {
	missing := false
	for _, t := range run.GetTables() {
		k := tableKey(t)
		if t.GetRowsExpected() > 0 {
			r.expected[k] = t.GetRowsExpected()
		} else if r.expected[k] > 0 {
			missing = true
		}
	}
	if !missing {
		return run
	}
	out := proto.Clone(run).(*mgmtv1alpha1.JobRun)
	for _, t := range out.GetTables() {
		if t.GetRowsExpected() == 0 {
			t.RowsExpected = r.expected[tableKey(t)]
		}
	}
	return out
}

func tableKey(t *mgmtv1alpha1.JobRunTableProgress) string {
	return t.GetDestination() + "\x00" + t.GetSchema() + "." + t.GetTable()
}

// TableLabel names t for people: schema.table, followed by the
// destination when the run writes to more than one.
func TableLabel(run *mgmtv1alpha1.JobRun, t *mgmtv1alpha1.JobRunTableProgress) string {
	name := t.GetSchema() + "." + t.GetTable()
	for _, o := range run.GetTables() {
		if o.GetDestination() != t.GetDestination() {
			return name + " → " + t.GetDestination()
		}
	}
	return name
}

// StateLabel is t's state for people, with its key ranges when the table
// is copied in ranges: "running 3/8 ranges".
func StateLabel(t *mgmtv1alpha1.JobRunTableProgress) string {
	if t.GetRangesTotal() > 0 {
		return fmt.Sprintf("%s %d/%d ranges", t.GetState(), t.GetRangesDone(), t.GetRangesTotal())
	}
	return t.GetState()
}

// smooth blends a new measurement into an average.
func smooth(old, inst float64) float64 {
	if old <= 0 {
		return inst
	}
	return 0.5*old + 0.5*inst
}

// observe records a snapshot and returns the per-table and overall rates.
func (r *rates) observe(run *mgmtv1alpha1.JobRun, now time.Time) (map[string]float64, float64) {
	for _, t := range run.GetTables() {
		k := tableKey(t)
		prev, ok := r.last[k]
		r.last[k] = sample{rows: t.GetRowsDone(), at: now}
		switch t.GetState() {
		case "running":
			if ok && now.After(prev.at) {
				r.rate[k] = smooth(r.rate[k], max(0, float64(t.GetRowsDone()-prev.rows)/now.Sub(prev.at).Seconds()))
			}
		case "complete":
			r.rate[k] = 0
			if s, c := t.GetStartedAt(), t.GetCompletedAt(); s != nil && c != nil && c.AsTime().After(s.AsTime()) {
				r.rate[k] = float64(t.GetRowsDone()) / c.AsTime().Sub(s.AsTime()).Seconds()
			}
		default:
			r.rate[k] = 0
		}
	}
	done := sum(run).done
	if describe.IsTerminal(run.GetStatus()) {
		if d := elapsed(run, now); d > 0 {
			r.all = float64(done) / d.Seconds()
		}
	} else if r.seen && now.After(r.total.at) {
		r.all = smooth(r.all, max(0, float64(done-r.total.rows)/now.Sub(r.total.at).Seconds()))
	}
	r.total, r.seen = sample{rows: done, at: now}, true
	return r.rate, r.all
}

// status is the run's status, "running (finishing)" once every table is
// done but the run is not (verification, cleanup).
func status(run *mgmtv1alpha1.JobRun, t totals) string {
	s := describe.RunStatus(run.GetStatus())
	if run.GetStatus() == mgmtv1alpha1.JobRunStatus_JOB_RUN_STATUS_RUNNING && t.tables > 0 && t.tablesDone == t.tables {
		s += " (finishing)"
	}
	return s
}

// elapsed is the run's duration so far (or in total, once completed).
func elapsed(run *mgmtv1alpha1.JobRun, now time.Time) time.Duration {
	start := run.GetStartedAt()
	if start == nil {
		return 0
	}
	end := now
	if c := run.GetCompletedAt(); c != nil && c.AsTime().After(start.AsTime()) {
		end = c.AsTime()
	}
	return max(0, end.Sub(start.AsTime()))
}

// clock formats an elapsed time to the second: "1m2s".
func clock(d time.Duration) string {
	return d.Round(time.Second).String()
}

// Number formats n with thousands separators: 1234567 → "1,234,567".
func Number(n int64) string {
	s := fmt.Sprint(n)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}
