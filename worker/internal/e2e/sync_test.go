package e2e_test

import (
	"strconv"
	"syscall"
	"testing"
	"time"

	"connectrpc.com/connect"
	"google.golang.org/protobuf/types/known/structpb"

	mgmt "github.com/neosyncio/neosync/backend/gen/go/protos/mgmt/v1alpha1"
)

const sourceSchema = `
CREATE TABLE customers (id bigint PRIMARY KEY, email text NOT NULL UNIQUE, full_name text NOT NULL);
CREATE TABLE employees (id int PRIMARY KEY, name text NOT NULL, manager_id int REFERENCES employees (id));
CREATE TABLE orders (id bigint PRIMARY KEY, customer_id bigint NOT NULL REFERENCES customers (id), total numeric(12,2) NOT NULL);
CREATE TABLE audit_log (at timestamptz NOT NULL, message text);
INSERT INTO customers SELECT g, 'user' || g || '@example.com', 'Customer ' || g FROM generate_series(1, 2000) g;
INSERT INTO employees VALUES (1, 'Ada', NULL), (2, 'Grace', 1), (3, 'Linus', 2);
INSERT INTO orders SELECT g, 1 + g % 2000, (g % 1000) / 7.0 FROM generate_series(1, 5000) g;
INSERT INTO audit_log SELECT now() - g * interval '1 minute', 'event ' || g FROM generate_series(1, 300) g;
`

func mapping(table, column, source string, cfg map[string]any) *mgmt.JobMapping {
	m := &mgmt.JobMapping{Schema: "public", Table: table, Column: column, Transformer: &mgmt.JobMappingTransformer{Source: source}}
	if cfg != nil {
		m.Transformer.Config, _ = structpb.NewStruct(cfg)
	}
	return m
}

func allMappings() []*mgmt.JobMapping {
	return []*mgmt.JobMapping{
		mapping("customers", "id", "passthrough", nil),
		mapping("customers", "email", "transform_email", map[string]any{"preserve_domain": true}),
		mapping("customers", "full_name", "transform_full_name", nil),
		mapping("employees", "id", "passthrough", nil),
		mapping("employees", "name", "transform_first_name", nil),
		mapping("employees", "manager_id", "passthrough", nil),
		mapping("orders", "id", "passthrough", nil),
		mapping("orders", "customer_id", "passthrough", nil),
		mapping("orders", "total", "passthrough", nil),
		mapping("audit_log", "at", "passthrough", nil),
		mapping("audit_log", "message", "passthrough", nil),
	}
}

// TestSyncJobThroughTheAPI creates connections and a job through the API,
// triggers it, and checks the destination, the run record and its report.
func TestSyncJobThroughTheAPI(t *testing.T) {
	t.Parallel()
	s := startStack(t)
	s.startWorker(t)
	ctx := testCtx(t, 5*time.Minute)
	src := newDatabase(t, "neosync_e2e_src")
	execSQL(t, src, sourceSchema)
	dst := newDatabase(t, "neosync_e2e_dst")
	job, err := s.c.Jobs.CreateJob(ctx, connect.NewRequest(&mgmt.CreateJobRequest{
		AccountId: s.accountID, JobName: "e2e-sync", Source: &mgmt.JobSource{Options: &mgmt.JobSource_Sync{Sync: &mgmt.SyncSourceOptions{ConnectionId: s.connection(t, "src", src)}}},
		Destinations: []*mgmt.JobDestinationCreate{{ConnectionId: s.connection(t, "dst", dst), Options: &mgmt.JobDestinationOptions{InitTableSchema: true, TruncateBeforeInsert: true}}},
		Mappings:     allMappings(),
	}))
	if err != nil {
		t.Fatalf("CreateJob: %v", err)
	}
	run, err := s.c.Jobs.CreateJobRun(ctx, connect.NewRequest(&mgmt.CreateJobRunRequest{JobId: job.Msg.GetJob().GetId()}))
	if err != nil {
		t.Fatalf("CreateJobRun: %v", err)
	}
	r := s.waitRun(t, run.Msg.GetJobRun().GetId(), 3*time.Minute, final)
	if r.GetStatus() != mgmt.JobRunStatus_JOB_RUN_STATUS_COMPLETE {
		t.Fatalf("run ended %v: %s", r.GetStatus(), r.GetError())
	}
	recordHistory(t, r.GetWorkflowId())
	want := map[string]int64{"customers": 2000, "employees": 3, "orders": 5000, "audit_log": 300}
	for _, tp := range r.GetTables() {
		if tp.GetState() != "complete" || tp.GetRowsDone() != want[tp.GetTable()] {
			t.Errorf("table progress %s: %v", tp.GetTable(), tp)
		}
	}
	if len(r.GetTables()) != len(want) || r.GetReport() == nil {
		t.Fatalf("run record: %d tables, report %v", len(r.GetTables()), r.GetReport())
	}
	// The leak scan came from the copy itself (the worker kept each
	// table's sketch for Verify), not from re-reading the source.
	dests, _ := r.GetReport().AsMap()["destinations"].([]any)
	if len(dests) != 1 {
		t.Fatalf("report has %d destinations", len(dests))
	}
	// Each table was copied whole by this worker: its source count is the
	// rows the copy read in its snapshot, the destination's its own count.
	counts, _ := dests[0].(map[string]any)["tables"].([]any)
	if len(counts) != len(want) {
		t.Fatalf("report counts %d tables, want %d", len(counts), len(want))
	}
	for _, c := range counts {
		m := c.(map[string]any)
		table, _ := m["table"].(map[string]any)["Table"].(string)
		if m["source_from"] != "copy snapshot" || m["source_rows"] != float64(want[table]) || m["dest_rows"] != m["source_rows"] {
			t.Errorf("row counts %v: want the source's from the copy snapshot, equal to the destination's and to the table's rows", m)
		}
	}
	leaks, _ := dests[0].(map[string]any)["leaks"].([]any)
	if len(leaks) == 0 {
		t.Fatalf("report has no leak lines: %v", r.GetReport().AsMap()["summary"])
	}
	for _, l := range leaks {
		if m := l.(map[string]any); m["method"] != "copy" {
			t.Errorf("leak scan of %v.%v measured by %v, want the copy", m["table"], m["column"], m["method"])
		} else if st := m["status"]; st != "OK" && st != "WARN" && st != "FAIL" {
			t.Errorf("leak scan of %v.%v has no verdict: %v", m["table"], m["column"], m)
		}
	}
	// The run record leads with the verdict and the worst findings.
	severity := map[any]int{"OK": 0, "WARN": 1, "FAIL": 2}
	rec := r.GetReport().AsMap()
	status, ok := rec["status"].(string)
	findings, _ := rec["findings"].([]any)
	if _, known := severity[status]; !ok || !known {
		t.Fatalf("run report has no verdict: %v", rec["status"])
	}
	for i, f := range findings {
		st := f.(map[string]any)["status"]
		if severity[st] == 0 || severity[st] > severity[status] || (i > 0 && severity[st] > severity[findings[i-1].(map[string]any)["status"]]) {
			t.Errorf("findings not WARN/FAIL worst first under %s: %v", status, findings)
		}
	}
	for table, n := range want {
		if got := queryInt(t, dst, "SELECT count(*) FROM "+table); got != n {
			t.Errorf("destination %s has %d rows, want %d", table, got, n)
		}
	}
	if leaked := queryInt(t, dst, "SELECT count(*) FROM customers WHERE email LIKE 'user%@example.com' AND full_name LIKE 'Customer %'"); leaked != 0 {
		t.Errorf("%d customers kept their real email and name", leaked)
	}
	if bad := queryInt(t, dst, "SELECT count(*) FROM customers WHERE email NOT LIKE '%@example.com'"); bad != 0 {
		t.Errorf("%d emails lost their domain", bad)
	}
	if orphans := queryInt(t, dst, "SELECT count(*) FROM orders o LEFT JOIN customers c ON c.id = o.customer_id WHERE c.id IS NULL"); orphans != 0 {
		t.Errorf("%d orphaned orders", orphans)
	}
	events, err := s.c.Jobs.GetJobRunEvents(ctx, connect.NewRequest(&mgmt.GetJobRunEventsRequest{JobRunId: r.GetId()}))
	if err != nil || !events.Msg.GetIsRunComplete() || len(events.Msg.GetEvents()) == 0 {
		t.Fatalf("events: %v %v", events, err)
	}
	// A second trigger while idle works and is idempotent on the destination (truncate).
	run2, err := s.c.Jobs.CreateJobRun(ctx, connect.NewRequest(&mgmt.CreateJobRunRequest{JobId: job.Msg.GetJob().GetId()}))
	if err != nil {
		t.Fatal(err)
	}
	if r2 := s.waitRun(t, run2.Msg.GetJobRun().GetId(), 3*time.Minute, final); r2.GetStatus() != mgmt.JobRunStatus_JOB_RUN_STATUS_COMPLETE {
		t.Fatalf("second run ended %v: %s", r2.GetStatus(), r2.GetError())
	}
	if got := queryInt(t, dst, "SELECT count(*) FROM orders"); got != 5000 {
		t.Errorf("after a second run orders has %d rows, want 5000", got)
	}
}

// bigJob creates a job over a table large enough to interrupt.
func bigJob(t *testing.T, s *stack, rows int) (jobID, dst string) {
	t.Helper()
	src := newDatabase(t, "neosync_e2e_big")
	execSQL(t, src, `CREATE TABLE events (id bigint PRIMARY KEY, payload text NOT NULL, n int NOT NULL);
INSERT INTO events SELECT g, repeat(md5(g::text), 4), g % 97 FROM generate_series(1, `+itoa(rows)+`) g;`)
	dst = newDatabase(t, "neosync_e2e_big")
	job, err := s.c.Jobs.CreateJob(testCtx(t, time.Minute), connect.NewRequest(&mgmt.CreateJobRequest{
		AccountId: s.accountID, JobName: "big-" + suffix(), Source: &mgmt.JobSource{Options: &mgmt.JobSource_Sync{Sync: &mgmt.SyncSourceOptions{ConnectionId: s.connection(t, "bsrc-"+suffix(), src)}}},
		Destinations: []*mgmt.JobDestinationCreate{{ConnectionId: s.connection(t, "bdst-"+suffix(), dst), Options: &mgmt.JobDestinationOptions{InitTableSchema: true, BatchSize: 5000}}},
		Mappings: []*mgmt.JobMapping{
			{Schema: "public", Table: "events", Column: "id", Transformer: &mgmt.JobMappingTransformer{Source: "passthrough"}},
			{Schema: "public", Table: "events", Column: "payload", Transformer: &mgmt.JobMappingTransformer{Source: "transform_hash"}},
			{Schema: "public", Table: "events", Column: "n", Transformer: &mgmt.JobMappingTransformer{Source: "passthrough"}},
		},
		SyncOptions: &mgmt.ActivityOptions{HeartbeatTimeoutSeconds: ptr(int64(5))},
	}))
	if err != nil {
		t.Fatalf("CreateJob: %v", err)
	}
	return job.Msg.GetJob().GetId(), dst
}

func itoa(n int) string { return strconv.Itoa(n) }

func ptr[T any](v T) *T { return &v }

func rowsDone(r *mgmt.JobRun) int64 {
	var n int64
	for _, t := range r.GetTables() {
		n += t.GetRowsDone()
	}
	return n
}

// TestKilledWorkerResumes kills the worker (SIGKILL) in the middle of a
// large table; a new worker finishes the run with exactly the source rows.
func TestKilledWorkerResumes(t *testing.T) {
	t.Parallel()
	s := startStack(t)
	const rows = 400_000
	jobID, dst := bigJob(t, s, rows)
	first := s.startWorker(t)
	run, err := s.c.Jobs.CreateJobRun(testCtx(t, time.Minute), connect.NewRequest(&mgmt.CreateJobRunRequest{JobId: jobID}))
	if err != nil {
		t.Fatal(err)
	}
	runID := run.Msg.GetJobRun().GetId()
	s.waitRun(t, runID, 3*time.Minute, func(r *mgmt.JobRun) bool { return rowsDone(r) >= 20_000 || final(r) })
	if err := syscall.Kill(-first.Process.Pid, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	t.Logf("killed the worker with %d rows in the destination", queryInt(t, dst, "SELECT count(*) FROM events"))
	s.startWorker(t)
	r := s.waitRun(t, runID, 5*time.Minute, final)
	if r.GetStatus() != mgmt.JobRunStatus_JOB_RUN_STATUS_COMPLETE {
		t.Fatalf("run ended %v: %s", r.GetStatus(), r.GetError())
	}
	if got := queryInt(t, dst, "SELECT count(*) FROM events"); got != rows {
		t.Fatalf("destination has %d rows, want %d", got, rows)
	}
	if distinct := queryInt(t, dst, "SELECT count(DISTINCT id) FROM events"); distinct != rows {
		t.Fatalf("destination has duplicates: %d distinct ids of %d", distinct, rows)
	}
	if sum := queryInt(t, dst, "SELECT sum(n) FROM events"); sum != queryIntSource(rows) {
		t.Fatalf("sum(n) = %d, want %d", sum, queryIntSource(rows))
	}
}

// queryIntSource is sum(g % 97) for g in 1..rows.
func queryIntSource(rows int) int64 {
	var s int64
	for g := 1; g <= rows; g++ {
		s += int64(g % 97)
	}
	return s
}

// TestCancelAndTerminate stops runs mid-table both ways. Each run is held
// inside its work by a lock the test keeps on the destination table, so the
// stop always reaches a run that is still working: a run that finished
// before the stop arrived proves nothing (and made this test flaky when a
// 400 k-row copy got faster than the poll).
func TestCancelAndTerminate(t *testing.T) {
	t.Parallel()
	s := startStack(t)
	jobID, dst := bigJob(t, s, 400_000)
	// The table exists before the run so that the test can lock it; the job
	// creates only missing tables and appends into this one.
	execSQL(t, dst, `CREATE TABLE events (id bigint PRIMARY KEY, payload text NOT NULL, n int NOT NULL)`)
	s.startWorker(t)
	ctx := testCtx(t, 5*time.Minute)

	stop := func(what string, want mgmt.JobRunStatus, call func(id string) error) {
		t.Helper()
		release := lockTable(t, dst, "events")
		run, err := s.c.Jobs.CreateJobRun(ctx, connect.NewRequest(&mgmt.CreateJobRunRequest{JobId: jobID}))
		if err != nil {
			t.Fatalf("trigger before %s: %v", what, err)
		}
		id := run.Msg.GetJobRun().GetId()
		waitLockWaiter(t, dst, "events", 3*time.Minute)
		if err := call(id); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		r := s.waitRun(t, id, 2*time.Minute, final)
		release()
		if r.GetStatus() != want {
			t.Fatalf("%s run ended %v: %s", what, r.GetStatus(), r.GetError())
		}
		// Nothing could be written while the lock was held, and a stopped
		// run must not write after it is released. Start the next run from
		// an empty table either way (TestUsersCollidingRowFailsTheTable).
		execSQL(t, dst, "TRUNCATE events")
	}
	stop("canceled", mgmt.JobRunStatus_JOB_RUN_STATUS_CANCELED, func(id string) error {
		_, err := s.c.Jobs.CancelJobRun(ctx, connect.NewRequest(&mgmt.CancelJobRunRequest{JobRunId: id}))
		return err
	})
	stop("terminated", mgmt.JobRunStatus_JOB_RUN_STATUS_TERMINATED, func(id string) error {
		_, err := s.c.Jobs.TerminateJobRun(ctx, connect.NewRequest(&mgmt.TerminateJobRunRequest{JobRunId: id}))
		return err
	})
}

// TestRunReusesItsConnections: the steps of a run on one worker take the
// database pools its earlier steps opened (activities' poolStash) — the
// destination of a one-table run (prepare, copy, finalize, verify) sees
// fewer sessions than it has steps, and none is left open once the run
// has finished.
func TestRunReusesItsConnections(t *testing.T) {
	t.Parallel()
	s := startStack(t)
	jobID, dst := bigJob(t, s, 20_000)
	s.startWorker(t)
	before := dstSessions(t, dst)
	r, err := s.c.Jobs.CreateJobRun(testCtx(t, time.Minute), connect.NewRequest(&mgmt.CreateJobRunRequest{JobId: jobID}))
	if err != nil {
		t.Fatal(err)
	}
	done := s.waitRun(t, r.Msg.GetJobRun().GetId(), 3*time.Minute, final)
	if done.GetStatus() != mgmt.JobRunStatus_JOB_RUN_STATUS_COMPLETE {
		t.Fatalf("run ended %v: %s", done.GetStatus(), done.GetError())
	}
	// FinishRun closed the run's pools: no session of the worker's is left
	// on the destination — well before the 30 s after which an unclaimed
	// pool is swept anyway.
	var open int64
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		if open = queryInt(t, dst, "SELECT count(*) FROM pg_catalog.pg_stat_activity WHERE datname = current_database() AND pid <> pg_catalog.pg_backend_pid()"); open == 0 {
			break
		}
	}
	if open != 0 {
		t.Fatalf("%d sessions of the finished run are still open on the destination", open)
	}
	// Every session has ended, so its count is in the statistics (a
	// backend reports them when it exits): the first count's session is
	// in it, this one's not yet.
	opened := dstSessions(t, dst) - before - 1
	t.Logf("the run opened %d sessions on the destination", opened)
	// Four steps use the destination; each opened its own pool before
	// (5 sessions), now the later ones take the first one's (2 here).
	if opened < 1 || opened >= 4 {
		t.Errorf("the run opened %d sessions on the destination; want fewer than one per step (4), the later steps reusing the first one's", opened)
	}
}

// dstSessions is the number of sessions established to database dbURL
// so far (pg_stat_database.sessions), including the one it opens to ask,
// which is counted once it has ended.
func dstSessions(t *testing.T, dbURL string) int64 {
	t.Helper()
	return queryInt(t, dbURL, "SELECT sessions FROM pg_catalog.pg_stat_database WHERE datname = current_database()")
}
