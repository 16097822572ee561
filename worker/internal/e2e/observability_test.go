package e2e_test

import (
	"bufio"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"connectrpc.com/connect"

	mgmt "github.com/neosyncio/neosync/backend/gen/go/protos/mgmt/v1alpha1"
	"github.com/neosyncio/neosync/backend/pkg/sqlschema"
	"github.com/neosyncio/neosync/backend/pkg/testdb"
)

// TestObservabilityOfARun runs a sync through the API, Temporal and a
// worker with metrics ports and OTLP export on, then scrapes both
// /metrics endpoints for the run's series, checks the health endpoints,
// and follows the run's trace from the caller's span through the API,
// Temporal and the worker's activities down to database queries.
func TestObservabilityOfARun(t *testing.T) {
	t.Parallel()
	otlp := startOTLPReceiver(t)
	apiMetrics := fmt.Sprintf("127.0.0.1:%d", freePort(t))
	workerMetrics := fmt.Sprintf("127.0.0.1:%d", freePort(t))
	traces := []string{"OTEL_EXPORTER_OTLP_ENDPOINT=" + otlp.url, "OTEL_BSP_SCHEDULE_DELAY=100"}
	s := startStack(t, append(traces, "NEOSYNC_METRICS_ADDR="+apiMetrics)...)
	s.startWorker(t, append(traces, "NEOSYNC_METRICS_ADDR="+workerMetrics)...)
	waitHTTP(t, "http://"+workerMetrics+"/readyz", 90*time.Second)

	ctx := testCtx(t, 5*time.Minute)
	src := newDatabase(t, "neosync_e2e_src")
	execSQL(t, src, sourceSchema)
	dst := newDatabase(t, "neosync_e2e_dst")
	job, err := s.c.Jobs.CreateJob(ctx, connect.NewRequest(&mgmt.CreateJobRequest{
		AccountId: s.accountID, JobName: "e2e-observed", Source: &mgmt.JobSource{Options: &mgmt.JobSource_Sync{Sync: &mgmt.SyncSourceOptions{ConnectionId: s.connection(t, "src", src)}}},
		Destinations: []*mgmt.JobDestinationCreate{{ConnectionId: s.connection(t, "dst", dst), Options: &mgmt.JobDestinationOptions{InitTableSchema: true, TruncateBeforeInsert: true}}},
		Mappings:     allMappings(),
	}))
	if err != nil {
		t.Fatalf("CreateJob: %v", err)
	}
	jobID := job.Msg.GetJob().GetId()
	// The test is the traced caller (the web app's place): its span is
	// the root every span of the run must descend from.
	traceID, rootID := randomHex(16), randomHex(8)
	req := connect.NewRequest(&mgmt.CreateJobRunRequest{JobId: jobID})
	req.Header().Set("traceparent", "00-"+traceID+"-"+rootID+"-01")
	run, err := s.c.Jobs.CreateJobRun(ctx, req)
	if err != nil {
		t.Fatalf("CreateJobRun: %v", err)
	}
	r := s.waitRun(t, run.Msg.GetJobRun().GetId(), 3*time.Minute, final)
	if r.GetStatus() != mgmt.JobRunStatus_JOB_RUN_STATUS_COMPLETE {
		t.Fatalf("run ended %v: %s", r.GetStatus(), r.GetError())
	}

	t.Run("worker metrics", func(t *testing.T) {
		m := scrape(t, "http://"+workerMetrics+"/metrics")
		// The copy's series of one table, for whoever reads the test's log.
		for _, line := range m.lines {
			if strings.HasPrefix(line, "neosync_worker_") && strings.Contains(line, `table="public.orders"`) {
				t.Log(line)
			}
		}
		checkCopyMetrics(t, m, jobID, "dst", map[string]float64{"public.customers": 2000, "public.orders": 5000, "public.employees": 3, "public.audit_log": 300})
		if got := m.value(t, "neosync_worker_runs_total", "job_id", jobID, "status", "complete"); got != 1 {
			t.Errorf("runs complete = %v, want 1", got)
		}
		if got := m.value(t, "neosync_worker_run_duration_seconds_count", "job_id", jobID, "status", "complete"); got != 1 {
			t.Errorf("run durations observed = %v, want 1", got)
		}
		if got := m.value(t, "neosync_worker_table_copies_total", "job_id", jobID, "destination", "dst", "outcome", "complete"); got != 4 {
			t.Errorf("table copies complete = %v, want 4", got)
		}
		if got := m.value(t, "neosync_worker_table_copies_in_progress"); got != 0 {
			t.Errorf("copies in progress after the run = %v", got)
		}
		// The SDK's counters are OpenTelemetry up-down counters: gauges
		// without _total. The workflow completes after the run is recorded
		// complete (its last activity reports it), so its counter may
		// arrive a moment after the run's status: scrape until it has.
		families := []string{"temporal_activity_execution_latency_seconds_count", "temporal_workflow_completed", "temporal_request", "temporal_num_pollers", "go_goroutines", "process_resident_memory_bytes"}
		for deadline := time.Now().Add(15 * time.Second); ; m = scrape(t, "http://"+workerMetrics+"/metrics") {
			missing := 0
			for _, family := range families {
				if !m.has(family) {
					missing++
				}
			}
			if missing == 0 || time.Now().After(deadline) {
				break
			}
			time.Sleep(200 * time.Millisecond)
		}
		for _, family := range families {
			if !m.has(family) {
				t.Errorf("worker /metrics has no %s", family)
			}
		}
		for _, line := range m.lines {
			if strings.Contains(line, r.GetId()) {
				t.Errorf("a run id is a label: %s", line)
			}
		}
	})
	t.Run("API metrics", func(t *testing.T) {
		m := scrape(t, "http://"+apiMetrics+"/metrics")
		for _, proc := range []string{"/mgmt.v1alpha1.JobService/CreateJobRun", "/mgmt.v1alpha1.WorkerService/FinishJobRun"} {
			if got := m.value(t, "neosync_rpc_requests_total", "procedure", proc, "code", "ok"); got < 1 {
				t.Errorf("%s ok = %v, want ≥ 1", proc, got)
			}
			if got := m.value(t, "neosync_rpc_duration_seconds_count", "procedure", proc, "code", "ok"); got < 1 {
				t.Errorf("%s durations = %v, want ≥ 1", proc, got)
			}
		}
		for _, family := range []string{"temporal_request", "go_goroutines", "process_cpu_seconds_total"} {
			if !m.has(family) {
				t.Errorf("API /metrics has no %s", family)
			}
		}
	})
	t.Run("health", func(t *testing.T) {
		for _, tc := range []struct{ url, want string }{
			{"http://" + workerMetrics + "/readyz", "temporal_poller: ok\napi: ok\n"},
			{"http://" + workerMetrics + "/healthz", "ok\n"},
			{"http://" + apiMetrics + "/readyz", "database: ok\n"},
			{s.apiURL + "/readyz", "database: ok\n"},
		} {
			code, body := get(t, tc.url)
			if code != http.StatusOK || body != tc.want {
				t.Errorf("GET %s = %d %q, want 200 %q", tc.url, code, body, tc.want)
			}
		}
	})
	t.Run("trace", func(t *testing.T) { checkRunTrace(t, otlp, traceID, rootID) })
	t.Run("usage", func(t *testing.T) { checkUsage(t, s, jobID) })
	t.Run("run logs", func(t *testing.T) { checkRunLogs(t, s, r.GetId(), src, dst) })
	t.Run("deploy", func(t *testing.T) {
		exported := declaredSyncMetrics()
		for _, m := range []metrics{scrape(t, "http://"+workerMetrics+"/metrics"), scrape(t, "http://"+apiMetrics+"/metrics")} {
			for f := range m.families() {
				exported[f] = true
			}
		}
		checkDeployFiles(t, exported)
	})
}

// TestObservabilityOfAMySQLRun runs a MariaDB → MariaDB sync traced from
// the caller: the worker's MySQL statements are spans of the run's trace
// under its activities, with the statement but never a copied value, and
// the worker's metrics count the rows and bytes the table moved.
func TestObservabilityOfAMySQLRun(t *testing.T) {
	t.Parallel()
	otlp := startOTLPReceiver(t)
	workerMetrics := fmt.Sprintf("127.0.0.1:%d", freePort(t))
	traces := []string{"OTEL_EXPORTER_OTLP_ENDPOINT=" + otlp.url, "OTEL_BSP_SCHEDULE_DELAY=100"}
	s := startStack(t, traces...)
	s.startWorker(t, append(traces, "NEOSYNC_METRICS_ADDR="+workerMetrics)...)
	waitHTTP(t, "http://"+workerMetrics+"/readyz", 90*time.Second)

	srcURL, _ := testdb.MySQL(t, "neosync_e2e_otel_src")
	srv := openMariaServer(t, srcURL)
	u, err := url.Parse(srcURL)
	if err != nil {
		t.Fatal(err)
	}
	src := strings.TrimPrefix(u.Path, "/")
	// The secret column passes through: its values must reach the
	// destination and appear in no span.
	srv.exec(t, src, "CREATE TABLE people (id bigint PRIMARY KEY, email varchar(100) NOT NULL, secret varchar(40) NOT NULL)",
		"INSERT INTO people SELECT seq, CONCAT('person', seq, '@example.com'), CONCAT('s3cr3t-', seq) FROM seq_1_to_1500")
	dst := srv.database(t, "neosync_e2e_otel_dst")
	m := func(col, source string) *mgmt.JobMapping {
		return &mgmt.JobMapping{Schema: src, Table: "people", Column: col, Transformer: &mgmt.JobMappingTransformer{Source: source}}
	}
	ctx := testCtx(t, 5*time.Minute)
	job, err := s.c.Jobs.CreateJob(ctx, connect.NewRequest(&mgmt.CreateJobRequest{
		AccountId: s.accountID, JobName: "e2e-observed-mysql", Source: &mgmt.JobSource{Options: &mgmt.JobSource_Sync{Sync: &mgmt.SyncSourceOptions{ConnectionId: s.mysqlConnection(t, "src", srcURL)}}},
		Destinations: []*mgmt.JobDestinationCreate{{ConnectionId: s.mysqlConnection(t, "dst", srv.url(dst)), Options: &mgmt.JobDestinationOptions{InitTableSchema: true, TruncateBeforeInsert: true}}},
		Mappings:     []*mgmt.JobMapping{m("id", "passthrough"), m("email", "transform_email"), m("secret", "passthrough")},
	}))
	if err != nil {
		t.Fatalf("CreateJob: %v", err)
	}
	jobID := job.Msg.GetJob().GetId()
	traceID, rootID := randomHex(16), randomHex(8)
	req := connect.NewRequest(&mgmt.CreateJobRunRequest{JobId: jobID})
	req.Header().Set("traceparent", "00-"+traceID+"-"+rootID+"-01")
	run, err := s.c.Jobs.CreateJobRun(ctx, req)
	if err != nil {
		t.Fatalf("CreateJobRun: %v", err)
	}
	if r := s.waitRun(t, run.Msg.GetJobRun().GetId(), 3*time.Minute, final); r.GetStatus() != mgmt.JobRunStatus_JOB_RUN_STATUS_COMPLETE {
		t.Fatalf("run ended %v: %s", r.GetStatus(), r.GetError())
	}
	var copied int64
	qdst, _ := sqlschema.QuoteMySQLIdentifier(dst)
	if err := srv.admin.QueryRowContext(ctx, "SELECT COUNT(*) FROM "+qdst+".people WHERE secret LIKE 's3cr3t-%'").Scan(&copied); err != nil || copied != 1500 {
		t.Fatalf("destination holds %d passed-through secrets (%v), want 1500", copied, err)
	}

	t.Run("worker metrics", func(t *testing.T) {
		checkCopyMetrics(t, scrape(t, "http://"+workerMetrics+"/metrics"), jobID, "dst", map[string]float64{src + ".people": 1500})
	})
	t.Run("trace", func(t *testing.T) { checkMySQLSpans(t, otlp, traceID, rootID) })
}

// checkMySQLSpans waits for the worker's MySQL spans of the run's trace —
// the source's SELECT and the destination's LOAD DATA — under the caller's
// span through an activity, the workflow and the API's start, and checks
// no span holds a copied value.
func checkMySQLSpans(t *testing.T, otlp *otlpReceiver, traceID, rootID string) {
	want := []struct{ service, name string }{
		{"neosync-worker", "RunActivity:"},
		{"neosync-worker", "RunWorkflow:DataSync"},
		{"neosync-api", "StartWorkflow:DataSync"},
		{"neosync-api", "mgmt.v1alpha1.JobService/CreateJobRun"},
	}
	statements := map[string]bool{"SELECT": false, "LOAD DATA LOCAL INFILE": false}
	var spans map[string]span
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(200 * time.Millisecond) {
		spans = otlp.trace(traceID)
		for _, sp := range spans {
			if sp.service != "neosync-worker" || sp.attrs["db.system.name"] != "mysql" {
				continue
			}
			c := chain(spans, sp)
			if c[len(c)-1].parent != rootID {
				continue
			}
			next := 0
			for _, a := range c[1:] {
				if next < len(want) && a.service == want[next].service && strings.HasPrefix(a.name, want[next].name) {
					next++
				}
			}
			if next != len(want) {
				continue
			}
			for verb := range statements {
				// Statements may open with a comment naming the job.
				if strings.Contains(sp.attrs["db.query.text"], verb) {
					statements[verb] = true
				}
			}
		}
		if (statements["SELECT"] && statements["LOAD DATA LOCAL INFILE"]) || time.Now().After(deadline) {
			break
		}
	}
	for verb, seen := range statements {
		if !seen {
			t.Errorf("trace %s (%d spans) has no worker MySQL %s span descending from the caller through the activity, workflow and API", traceID, len(spans), verb)
		}
	}
	for _, sp := range spans {
		for k, v := range sp.attrs {
			if strings.Contains(v, "s3cr3t-") || strings.Contains(v, "@example.com") {
				t.Errorf("span %s %s attribute %s holds a copied value: %q", sp.service, sp.name, k, v)
			}
		}
	}
}

// checkCopyMetrics checks the per-table counters of a run that copied
// rows[table] rows into destination, once: rows read and written equal
// the rows copied, and the bytes read and written lie between a few bytes
// and a few kilobytes per row (the sources' rows are small).
func checkCopyMetrics(t *testing.T, m metrics, jobID, destination string, rows map[string]float64) {
	t.Helper()
	for table, n := range rows {
		labels := []string{"job_id", jobID, "destination", destination, "table", table}
		for _, name := range []string{"neosync_worker_rows_read_total", "neosync_worker_rows_written_total"} {
			if got := m.value(t, name, labels...); got != n {
				t.Errorf("%s of %s = %v, want %v", name, table, got, n)
			}
		}
		for _, name := range []string{"neosync_worker_read_bytes_total", "neosync_worker_written_bytes_total"} {
			if got := m.value(t, name, labels...); got < 4*n || got > 4096*n {
				t.Errorf("%s of %s = %v for %v rows, want between 4 and 4096 bytes a row", name, table, got, n)
			}
		}
	}
}

// checkRunTrace waits for a worker database span of the run's trace and
// checks its ancestry reaches the caller's span through the activity, the
// workflow, Temporal's start and the API's RPC; and that the API's own
// database spans hang under the worker's calls.
func checkRunTrace(t *testing.T, otlp *otlpReceiver, traceID, rootID string) {
	want := []struct{ service, name string }{
		{"neosync-worker", "RunActivity:"},
		{"neosync-worker", "RunWorkflow:DataSync"},
		{"neosync-api", "StartWorkflow:DataSync"},
		{"neosync-api", "mgmt.v1alpha1.JobService/CreateJobRun"},
	}
	var workerDB, apiDB []span
	deadline := time.Now().Add(30 * time.Second)
	for {
		spans := otlp.trace(traceID)
		workerDB, apiDB = nil, nil
		for _, s := range spans {
			if s.attrs["db.system.name"] != "postgresql" {
				continue
			}
			c := chain(spans, s)
			if c[len(c)-1].parent != rootID {
				continue
			}
			switch s.service {
			case "neosync-worker":
				workerDB = append(workerDB, s)
			case "neosync-api":
				if slicesContainsService(c, "neosync-worker") {
					apiDB = append(apiDB, s)
				}
			}
		}
		if len(workerDB) > 0 && len(apiDB) > 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("trace %s: %d spans, %d worker database spans and %d API database spans under the worker reaching the caller's span", traceID, len(spans), len(workerDB), len(apiDB))
		}
		time.Sleep(200 * time.Millisecond)
	}
	spans := otlp.trace(traceID)
	c := chain(spans, workerDB[0])
	next := 0
	for _, s := range c[1:] {
		if next < len(want) && s.service == want[next].service && strings.HasPrefix(s.name, want[next].name) {
			next++
		}
	}
	if next != len(want) {
		var path []string
		for _, s := range c {
			path = append(path, s.service+" "+s.name)
		}
		t.Fatalf("worker query's ancestry %q lacks %v", path, want[next])
	}
}

func slicesContainsService(c []span, service string) bool {
	for _, s := range c {
		if s.service == service {
			return true
		}
	}
	return false
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

func get(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// waitHTTP polls url until it answers 200.
func waitHTTP(t *testing.T, url string, timeout time.Duration) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		resp, err := http.Get(url)
		if err == nil {
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
			err = fmt.Errorf("%d %s", resp.StatusCode, b)
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s did not answer 200 in %v: %v", url, timeout, err)
		}
		time.Sleep(250 * time.Millisecond)
	}
}

// metrics is a scraped text exposition.
type metrics struct{ lines []string }

func scrape(t *testing.T, url string) metrics {
	t.Helper()
	code, body := get(t, url)
	if code != http.StatusOK {
		t.Fatalf("GET %s = %d", url, code)
	}
	var m metrics
	sc := bufio.NewScanner(strings.NewReader(body))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		if line := sc.Text(); line != "" && !strings.HasPrefix(line, "#") {
			m.lines = append(m.lines, line)
		}
	}
	return m
}

// families returns the metric names of the samples.
func (m metrics) families() map[string]bool {
	out := map[string]bool{}
	for _, l := range m.lines {
		out[l[:strings.IndexAny(l, "{ ")]] = true
	}
	return out
}

func (m metrics) has(name string) bool { return m.families()[name] }

// value returns the sample of name whose labels include the given
// pairs (0 when none).
func (m metrics) value(t *testing.T, name string, labels ...string) float64 {
	t.Helper()
	for _, l := range m.lines {
		if l[:strings.IndexAny(l, "{ ")] != name {
			continue
		}
		ok := true
		for i := 0; i < len(labels); i += 2 {
			ok = ok && strings.Contains(l, labels[i]+`="`+labels[i+1]+`"`)
		}
		if !ok {
			continue
		}
		v, err := strconv.ParseFloat(l[strings.LastIndex(l, " ")+1:], 64)
		if err != nil {
			t.Fatalf("sample %q: %v", l, err)
		}
		return v
	}
	return 0
}

// checkUsage asks GetUsage for the run's rows (7,303 rows in four tables,
// today) and checks it refuses bad ranges, naming the field.
func checkUsage(t *testing.T, s *stack, jobID string) {
	ctx := testCtx(t, time.Minute)
	today := time.Now().UTC()
	day := today.Format(time.DateOnly)
	for _, job := range []*string{nil, &jobID} {
		resp, err := s.c.Jobs.GetUsage(ctx, connect.NewRequest(&mgmt.GetUsageRequest{AccountId: s.accountID, JobId: job, StartDate: today.AddDate(0, 0, -6).Format(time.DateOnly), EndDate: day}))
		if err != nil {
			t.Fatalf("GetUsage: %v", err)
		}
		days := resp.Msg.GetDays()
		if len(days) != 1 || days[0].GetDate() != day || days[0].GetJobId() != jobID || days[0].GetJobName() != "e2e-observed" ||
			days[0].GetRows() != 7303 || days[0].GetRuns() != 1 || resp.Msg.GetTotalRows() != 7303 {
			t.Errorf("usage (job %v) = %v, want 7303 rows of one run of e2e-observed on %s", job, resp.Msg, day)
		}
	}
	resp, err := s.c.Jobs.GetUsage(ctx, connect.NewRequest(&mgmt.GetUsageRequest{AccountId: s.accountID, StartDate: "2020-01-01", EndDate: "2020-01-31"}))
	if err != nil || len(resp.Msg.GetDays()) != 0 {
		t.Errorf("usage of a quiet month = %v, %v; want none", resp, err)
	}
	for _, tc := range []struct{ start, end, field string }{
		{"yesterday", day, "start_date"},
		{day, "2020-13-01", "end_date"},
		{day, "2020-01-01", "end_date"},
		{"2020-01-01", "2021-12-31", "end_date"},
	} {
		_, err := s.c.Jobs.GetUsage(ctx, connect.NewRequest(&mgmt.GetUsageRequest{AccountId: s.accountID, StartDate: tc.start, EndDate: tc.end}))
		if connect.CodeOf(err) != connect.CodeInvalidArgument || !strings.Contains(err.Error(), tc.field) {
			t.Errorf("usage %s..%s: %v, want InvalidArgument naming %s", tc.start, tc.end, err, tc.field)
		}
	}
}

// checkRunLogs reads the run's log lines as `neosync runs logs --follow`
// does (the stream ends once the run is over) and looks for each table's
// copy, with no connection URL in any line.
func checkRunLogs(t *testing.T, s *stack, runID string, urls ...string) {
	ctx := testCtx(t, time.Minute)
	stream, err := s.c.Jobs.GetJobRunLogs(ctx, connect.NewRequest(&mgmt.GetJobRunLogsRequest{JobRunId: runID, Follow: true}))
	if err != nil {
		t.Fatalf("GetJobRunLogs: %v", err)
	}
	var lines []*mgmt.JobRunLogLine
	for stream.Receive() {
		lines = append(lines, stream.Msg().GetLines()...)
	}
	if err := stream.Err(); err != nil {
		t.Fatalf("GetJobRunLogs stream: %v", err)
	}
	copied := map[string]string{}
	var last int64
	for _, l := range lines {
		if l.GetId() <= last {
			t.Errorf("line %d after %d: not in order", l.GetId(), last)
		}
		last = l.GetId()
		if l.GetMessage() == "copy complete" {
			copied[l.GetAttributes()["table"]] = l.GetAttributes()["rows"]
		}
		text := l.GetMessage() + fmt.Sprint(l.GetAttributes())
		for _, u := range urls {
			if strings.Contains(text, u) {
				t.Errorf("a log line holds a connection URL: %s", text)
			}
		}
	}
	want := map[string]string{"public.customers": "2000", "public.orders": "5000", "public.employees": "3", "public.audit_log": "300"}
	for table, rows := range want {
		if copied[table] != rows {
			t.Errorf("log says %s copied %q rows, want %s (%d lines)", table, copied[table], rows, len(lines))
		}
	}
	// A reader that resumes after the last line gets nothing more.
	again, err := s.c.Jobs.GetJobRunLogs(ctx, connect.NewRequest(&mgmt.GetJobRunLogsRequest{JobRunId: runID, AfterId: last}))
	if err != nil {
		t.Fatal(err)
	}
	for again.Receive() {
		if n := len(again.Msg().GetLines()); n > 0 {
			t.Errorf("%d lines after the last one", n)
		}
	}
	bad, err := s.c.Jobs.GetJobRunLogs(ctx, connect.NewRequest(&mgmt.GetJobRunLogsRequest{JobRunId: "not-a-run"}))
	if err == nil {
		for bad.Receive() {
		}
		err = bad.Err()
	}
	if connect.CodeOf(err) != connect.CodeInvalidArgument || !strings.Contains(err.Error(), "job_run_id") {
		t.Errorf("logs of a malformed run id: %v, want InvalidArgument naming job_run_id", err)
	}
}
