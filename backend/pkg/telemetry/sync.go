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
	copies     *prometheus.CounterVec
	inProgress prometheus.Gauge
	runs       *prometheus.CounterVec
	runSeconds *prometheus.HistogramVec
	xformErrs  *prometheus.CounterVec
}

// NewSyncMetrics registers the sync metrics on reg.
func NewSyncMetrics(reg prometheus.Registerer) *SyncMetrics {
	m := &SyncMetrics{
		rows: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "neosync_worker_rows_written_total",
			Help: "Rows streamed into a destination table (a retried copy counts the rows it writes again), by job id, destination and table.",
		}, []string{"job_id", "destination", "table"}),
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
	reg.MustRegister(m.rows, m.copies, m.inProgress, m.runs, m.runSeconds, m.xformErrs)
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
