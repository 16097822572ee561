package telemetry

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// SyncMetrics are the data plane's metrics, recorded by the worker. A nil
// *SyncMetrics records nothing, so code paths without a metrics port (and
// tests) need no branch.
type SyncMetrics struct {
	rows       *prometheus.CounterVec
	rowsRead   *prometheus.CounterVec
	bytesRead  *prometheus.CounterVec
	bytesWrote *prometheus.CounterVec
	copies     *prometheus.CounterVec
	inProgress prometheus.Gauge
	runs       *prometheus.CounterVec
	runSeconds *prometheus.HistogramVec
	xformErrs  *prometheus.CounterVec
}

// copyLabels are the labels of the per-table counters.
var copyLabels = []string{"job_id", "destination", "table"}

// NewSyncMetrics registers the sync metrics on reg.
func NewSyncMetrics(reg prometheus.Registerer) *SyncMetrics {
	m := &SyncMetrics{
		rows: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "neosync_worker_rows_written_total",
			Help: "Rows committed into a destination table (a retried copy counts the rows it writes again), by job id, destination and table.",
		}, copyLabels),
		rowsRead: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "neosync_worker_rows_read_total",
			Help: "Source rows read for a destination table, committed or not (a retry counts the rows it reads again), by job id, destination and table.",
		}, copyLabels),
		bytesRead: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "neosync_worker_read_bytes_total",
			Help: "Bytes read from the source for a destination table: the COPY stream from PostgreSQL, the values' sizes from MySQL; by job id, destination and table.",
		}, copyLabels),
		bytesWrote: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "neosync_worker_written_bytes_total",
			Help: "Bytes of the batches committed into a destination table (the COPY or LOAD DATA stream), by job id, destination and table.",
		}, copyLabels),
		copies: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "neosync_worker_table_copies_total",
			Help: "Table copy attempts that ended, by job id, destination and outcome (complete, retry, failed).",
		}, []string{"job_id", "destination", "outcome"}),
		inProgress: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "neosync_worker_table_copies_in_progress",
			Help: "Table copies this worker is running now.",
		}),
		runs: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "neosync_worker_runs_total",
			Help: "Runs this worker recorded the outcome of, by job id and status (complete, failed, canceled).",
		}, []string{"job_id", "status"}),
		runSeconds: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "neosync_worker_run_duration_seconds",
			Help:    "Time from a run's start to its recorded outcome, by job id and status.",
			Buckets: []float64{1, 5, 15, 30, 60, 120, 300, 600, 1800, 3600, 7200, 21600},
		}, []string{"job_id", "status"}),
		xformErrs: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "neosync_worker_transformer_errors_total",
			Help: "Table copies that failed because a transformer rejected a value or its JavaScript failed, by job id and kind (value, javascript).",
		}, []string{"job_id", "kind"}),
	}
	reg.MustRegister(m.rows, m.rowsRead, m.bytesRead, m.bytesWrote, m.copies, m.inProgress, m.runs, m.runSeconds, m.xformErrs)
	return m
}

// CopyStarted marks a table copy running; call the returned function when
// it ends with its outcome.
func (m *SyncMetrics) CopyStarted(jobID, destination string) func(outcome string) {
	if m == nil {
		return func(string) {}
	}
	m.inProgress.Inc()
	return func(outcome string) {
		m.inProgress.Dec()
		m.copies.WithLabelValues(jobID, destination, outcome).Inc()
	}
}

// RowsWritten adds n rows written to a destination table.
func (m *SyncMetrics) RowsWritten(jobID, destination, table string, n int64) {
	if m == nil || n <= 0 {
		return
	}
	m.rows.WithLabelValues(jobID, destination, table).Add(float64(n))
}

// CopyCounts are what a table copy has moved so far, cumulative within one
// attempt: the deltas between two of them are what Copied adds.
type CopyCounts struct {
	RowsRead, RowsWritten, BytesRead, BytesWritten int64
}

// Copied adds a table copy's progress since the last call: rows and bytes
// read from the source, rows and bytes committed to the destination.
// Negative or zero deltas add nothing.
func (m *SyncMetrics) Copied(jobID, destination, table string, d CopyCounts) {
	if m == nil {
		return
	}
	for _, c := range []struct {
		v *prometheus.CounterVec
		n int64
	}{{m.rowsRead, d.RowsRead}, {m.rows, d.RowsWritten}, {m.bytesRead, d.BytesRead}, {m.bytesWrote, d.BytesWritten}} {
		if c.n > 0 {
			c.v.WithLabelValues(jobID, destination, table).Add(float64(c.n))
		}
	}
}

// CopyMeter turns one table copy's cumulative counts into Copied calls.
// It is not safe for concurrent use: the engine reports progress from one
// goroutine at a time.
type CopyMeter struct {
	m                         *SyncMetrics
	jobID, destination, table string
	last                      CopyCounts
}

// Meter starts metering a copy of table into destination that resumes at
// from (the rows a checkpoint says are already there; zero for a fresh
// copy), so they are not counted again.
func (m *SyncMetrics) Meter(jobID, destination, table string, from CopyCounts) *CopyMeter {
	return &CopyMeter{m: m, jobID: jobID, destination: destination, table: table, last: from}
}

// Observe adds what now holds beyond every earlier observation; a count
// lower than one already seen adds nothing.
func (c *CopyMeter) Observe(now CopyCounts) {
	d := CopyCounts{now.RowsRead - c.last.RowsRead, now.RowsWritten - c.last.RowsWritten, now.BytesRead - c.last.BytesRead, now.BytesWritten - c.last.BytesWritten}
	c.m.Copied(c.jobID, c.destination, c.table, d)
	c.last = CopyCounts{max(c.last.RowsRead, now.RowsRead), max(c.last.RowsWritten, now.RowsWritten), max(c.last.BytesRead, now.BytesRead), max(c.last.BytesWritten, now.BytesWritten)}
}

// RunFinished records a run's outcome and, when its start is known, its
// duration.
func (m *SyncMetrics) RunFinished(jobID, status string, took time.Duration) {
	if m == nil {
		return
	}
	m.runs.WithLabelValues(jobID, status).Inc()
	if took > 0 {
		m.runSeconds.WithLabelValues(jobID, status).Observe(took.Seconds())
	}
}

// TransformerError counts a copy failed by a transformer (kind value or
// javascript).
func (m *SyncMetrics) TransformerError(jobID, kind string) {
	if m == nil {
		return
	}
	m.xformErrs.WithLabelValues(jobID, kind).Inc()
}
