package progress

import (
	"encoding/json"
	"io"
	"strings"
	"time"

	mgmtv1alpha1 "github.com/neosyncio/neosync/backend/gen/go/protos/mgmt/v1alpha1"
)

// Event is one line of the JSON event stream (`-o json` of neosync sync and
// neosync runs watch): one JSON object per line, in this order — one
// "start", then "table", "progress" and "warning" events as they happen,
// and one "result" last. Fields that do not apply are left out. The schema
// is documented in cli/README.md; fields may be added, never renamed.
type Event struct {
	// Type is start, table, progress, warning or result.
	Type string `json:"type"`
	// Time is when the CLI saw the event (RFC 3339, UTC).
	Time time.Time `json:"time"`

	// start: the run, its job and how many tables it covers.
	RunID string `json:"run_id,omitempty"`
	Job   string `json:"job,omitempty"`
	Name  string `json:"name,omitempty"`

	// table (and a warning about one table): which table, where to.
	Schema      string `json:"schema,omitempty"`
	Table       string `json:"table,omitempty"`
	Destination string `json:"destination,omitempty"`
	// State is pending, running, complete or failed.
	State       string `json:"state,omitempty"`
	RangesDone  int32  `json:"ranges_done,omitempty"`
	RangesTotal int32  `json:"ranges_total,omitempty"`

	// table, progress, result: rows so far; RowsExpected is left out
	// while unknown.
	RowsDone     *int64 `json:"rows_done,omitempty"`
	RowsExpected *int64 `json:"rows_expected,omitempty"`
	// progress: percent (left out while the total is unknown) and rate.
	Percent       *int     `json:"percent,omitempty"`
	RowsPerSecond *float64 `json:"rows_per_second,omitempty"`
	// start, progress, result: tables finished and in all.
	TablesDone     *int     `json:"tables_done,omitempty"`
	Tables         *int     `json:"tables,omitempty"`
	ElapsedSeconds *float64 `json:"elapsed_seconds,omitempty"`

	// warning: what is wrong; level is warn or error (a run event).
	Message string `json:"message,omitempty"`
	Level   string `json:"level,omitempty"`

	// result: complete, failed, canceled or terminated; Error says why a
	// run did not complete; Report is the run's verification report.
	Status string `json:"status,omitempty"`
	Error  string `json:"error,omitempty"`
	Report any    `json:"report,omitempty"`
}

// JSON writes a run as JSON lines (Event) for programs: CI steps, scripts,
// dashboards. It is a Renderer; Warn adds warnings from outside the run
// snapshots (run events, verification).
type JSON struct {
	enc   *json.Encoder
	label string
	// Report, when set, gives the result event's report for the final
	// snapshot; by default it is the run's own report.
	Report func(run *mgmtv1alpha1.JobRun) any

	started   bool
	tables    map[string]string // table key → "state rows" last written
	rates     *rates
	lastTotal int64
}

// NewJSON returns a JSON-lines renderer writing to w; jobName (may be
// empty) is the start event's job.
func NewJSON(w io.Writer, jobName string) *JSON {
	return &JSON{enc: json.NewEncoder(w), label: jobName, tables: map[string]string{}, rates: newRates()}
}

func ptr[T any](v T) *T { return &v }

func (j *JSON) write(e Event, now time.Time) error {
	e.Time = now.UTC()
	return j.enc.Encode(e)
}

// Warn writes a warning event; schema and table may be empty.
func (j *JSON) Warn(now time.Time, level, message, schema, table string) error {
	return j.write(Event{Type: "warning", Level: level, Message: message, Schema: schema, Table: table}, now)
}

// Update implements Renderer.
func (j *JSON) Update(run *mgmtv1alpha1.JobRun, now time.Time) error {
	run = j.rates.fill(run)
	_, rate := j.rates.observe(run, now)
	if err := j.start(run, now); err != nil {
		return err
	}
	if err := j.tableEvents(run, now); err != nil {
		return err
	}
	t := sum(run)
	if t.done == j.lastTotal {
		return nil
	}
	j.lastTotal = t.done
	e := Event{Type: "progress", RowsDone: ptr(t.done), RowsPerSecond: ptr(float64(int64(rate*10)) / 10),
		TablesDone: ptr(t.tablesDone), Tables: ptr(t.tables), ElapsedSeconds: ptr(elapsed(run, now).Seconds())}
	if p := t.percent(); p >= 0 {
		e.Percent, e.RowsExpected = ptr(p), ptr(t.expected)
	}
	return j.write(e, now)
}

func (j *JSON) start(run *mgmtv1alpha1.JobRun, now time.Time) error {
	if j.started {
		return nil
	}
	j.started = true
	return j.write(Event{Type: "start", RunID: run.GetId(), Job: j.label, Name: run.GetName(), Status: statusWord(run.GetStatus()), Tables: ptr(len(run.GetTables()))}, now)
}

func (j *JSON) tableEvents(run *mgmtv1alpha1.JobRun, now time.Time) error {
	for _, t := range run.GetTables() {
		k := tableKey(t)
		seen := StateLabel(t) + " " + Number(t.GetRowsDone())
		if j.tables[k] == seen {
			continue
		}
		j.tables[k] = seen
		e := Event{Type: "table", Schema: t.GetSchema(), Table: t.GetTable(), Destination: t.GetDestination(), State: t.GetState(),
			RangesDone: t.GetRangesDone(), RangesTotal: t.GetRangesTotal(), RowsDone: ptr(t.GetRowsDone()), Error: TableReason(t)}
		if t.GetRowsExpected() > 0 {
			e.RowsExpected = ptr(t.GetRowsExpected())
		}
		if err := j.write(e, now); err != nil {
			return err
		}
	}
	return nil
}

// Done implements Renderer: the last table events and the result.
func (j *JSON) Done(run *mgmtv1alpha1.JobRun, now time.Time) error {
	run = j.rates.fill(run)
	j.rates.observe(run, now)
	if err := j.start(run, now); err != nil {
		return err
	}
	if err := j.tableEvents(run, now); err != nil {
		return err
	}
	t := sum(run)
	e := Event{Type: "result", RunID: run.GetId(), Status: statusWord(run.GetStatus()), RowsDone: ptr(t.done),
		TablesDone: ptr(t.tablesDone), Tables: ptr(t.tables), ElapsedSeconds: ptr(elapsed(run, now).Seconds())}
	if err := Outcome(run, j.label); err != nil {
		e.Error = err.Error()
	}
	if j.Report != nil {
		e.Report = j.Report(run)
	} else if r := run.GetReport(); r != nil {
		e.Report = r.AsMap()
	}
	return j.write(e, now)
}

// statusWord is a run status as one lowercase word: running, complete, …
func statusWord(s mgmtv1alpha1.JobRunStatus) string {
	return strings.ToLower(strings.TrimPrefix(s.String(), "JOB_RUN_STATUS_"))
}

var _ Renderer = (*JSON)(nil)
