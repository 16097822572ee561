package e2e_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"connectrpc.com/connect"
	"github.com/jackc/pgx/v5"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"

	mgmt "github.com/neosyncio/neosync/backend/gen/go/protos/mgmt/v1alpha1"
	"github.com/neosyncio/neosync/backend/pkg/sqlschema"
)

// createSketchTables creates planted-leak tables (see sketchValues) of
// rows rows each in a new Postgres database and returns its URL.
func createSketchTables(t *testing.T, prefix string, rows int, tables ...string) string {
	t.Helper()
	src := newDatabase(t, prefix)
	v := sketchValues(t, "g", func(n int) string { return fmt.Sprintf("g %% %d", n) }, func(p ...string) string { return strings.Join(p, " || ") })
	var sql strings.Builder
	for _, table := range tables {
		fmt.Fprintf(&sql, `CREATE TABLE %s (id bigint PRIMARY KEY, email text NOT NULL, first_name text NOT NULL, last_name text NOT NULL, city text NOT NULL);
INSERT INTO %s SELECT g, %s FROM generate_series(1, %d) g;
ANALYZE %s;
`, table, table, strings.Join(v, ", "), rows, table)
	}
	execSQL(t, src, sql.String())
	return src
}

// readPGSketchRows reads a planted-leak table of a Postgres database.
func readPGSketchRows(t *testing.T, dbURL, table string) map[int64]sketchRow {
	t.Helper()
	ctx := testCtx(t, time.Minute)
	c, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close(context.Background())
	rows, err := c.Query(ctx, "SELECT id, email, first_name, last_name, city FROM "+table)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	return scanSketchRows(t, rows)
}

// activityWorkers returns, from a workflow's history, the identities of
// the workers that completed each activity type, one entry per activity.
func activityWorkers(t *testing.T, tc client.Client, workflowID string) map[string][]string {
	t.Helper()
	ctx := testCtx(t, time.Minute)
	it := tc.GetWorkflowHistory(ctx, workflowID, "", false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	types := map[int64]string{}
	started := map[int64][2]string{}
	out := map[string][]string{}
	for it.HasNext() {
		e, err := it.Next()
		if err != nil {
			t.Fatal(err)
		}
		switch e.GetEventType() {
		case enumspb.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED:
			types[e.GetEventId()] = e.GetActivityTaskScheduledEventAttributes().GetActivityType().GetName()
		case enumspb.EVENT_TYPE_ACTIVITY_TASK_STARTED:
			a := e.GetActivityTaskStartedEventAttributes()
			started[e.GetEventId()] = [2]string{types[a.GetScheduledEventId()], a.GetIdentity()}
		case enumspb.EVENT_TYPE_ACTIVITY_TASK_COMPLETED:
			if s, ok := started[e.GetActivityTaskCompletedEventAttributes().GetStartedEventId()]; ok {
				out[s[0]] = append(out[s[0]], s[1])
			}
		}
	}
	return out
}

// TestWholeTableSketchesAcrossWorkers: six planted-leak tables, each
// copied in one piece (below the key-range threshold), by two worker
// processes taking one activity at a time; the worker that verifies did
// not copy some of them, and still every table's leak scan and
// re-identification count come from the copy — the whole tables'
// sketches stored with the API — equal to a full re-read's, and every
// table's source count is the rows its copy read, which the workflow
// hands Verify (source_from "copy snapshot"), so Verify reads no source
// table: each is read twice, counted at the run's start (under 100,000
// rows) and copied. (Before, the tables copied on the other worker were
// counted again, and their leak scans re-read a sample of the source.)
func TestWholeTableSketchesAcrossWorkers(t *testing.T) {
	t.Parallel()
	const rows = 20_000
	tables := []string{"big0", "big1", "big2", "big3", "big4", "big5"}
	s := startStack(t)
	tc, err := client.Dial(client.Options{HostPort: temporalAddr})
	if err != nil {
		t.Fatal(err)
	}
	defer tc.Close()
	src := createSketchTables(t, "neosync_e2e_wsketch_src", rows, tables...)
	dst := newDatabase(t, "neosync_e2e_wsketch_dst")
	var mappings []*mgmt.JobMapping
	for _, table := range tables {
		mappings = append(mappings, sketchTableMappings("public", table)...)
	}
	job, err := s.c.Jobs.CreateJob(testCtx(t, time.Minute), connect.NewRequest(&mgmt.CreateJobRequest{
		AccountId: s.accountID, JobName: "whole-sketches", Source: &mgmt.JobSource{Options: &mgmt.JobSource_Sync{Sync: &mgmt.SyncSourceOptions{ConnectionId: s.connection(t, "wsketch-src", src)}}},
		Destinations: []*mgmt.JobDestinationCreate{{ConnectionId: s.connection(t, "wsketch-dst", dst),
			Options: &mgmt.JobDestinationOptions{InitTableSchema: true, TruncateBeforeInsert: true, BatchSize: 5000}}},
		Mappings: mappings,
	}))
	if err != nil {
		t.Fatalf("CreateJob: %v", err)
	}
	for range 2 {
		s.startWorker(t, "NEOSYNC_RANGE_ROWS=10000000", "WORKER_MAX_CONCURRENT_ACTIVITIES=1")
	}
	var before map[string]int64
	done := runUntilVerifiedElsewhere(t, s, tc, job.Msg.GetJob().GetId(), "SyncTable", len(tables), func() { before = pgRowsReadOf(t, src, tables) })
	// What the run read of the source, before the checks below read it.
	waitIdle(t, src)
	after := pgRowsReadOf(t, src, tables)
	for _, table := range tables {
		checkSketchReport(t, done, table, rows, func() ([4]int64, [4]int64, int64) {
			return sketchTruth(readPGSketchRows(t, src, table), readPGSketchRows(t, dst, table))
		})
	}
	checkNoReread(t, s, done.GetId())
	for _, table := range tables {
		c := tableCount(t, done, table)
		if c["source_from"] != "copy snapshot" || num(c, "source_rows") != rows {
			t.Errorf("count of %s: %v; want %d rows read by the copy", table, c, rows)
		}
		if read := after[table] - before[table]; read < rows || read > 5*rows/2 {
			t.Errorf("the run read %d rows of %s (%d rows): want one count at the start, one copy and no count in Verify", read, table, rows)
		}
	}
	t.Logf("report:\n%v", done.GetReport().AsMap()["summary"])
}

// runUntilVerifiedElsewhere runs job (on a stack with two workers taking
// one activity at a time) until the worker that verified the run did not
// run every one of its copy activities (units activities of type
// activity), and returns that run, complete; beforeRun, when set, is
// called before each run. Which worker takes which activity is Temporal's
// choice: a run again is rarely needed.
func runUntilVerifiedElsewhere(t *testing.T, s *stack, tc client.Client, jobID, activity string, units int, beforeRun func()) *mgmt.JobRun {
	t.Helper()
	for attempt := 1; ; attempt++ {
		if beforeRun != nil {
			beforeRun()
		}
		done := s.runOnce(t, jobID)
		workers := activityWorkers(t, tc, done.GetWorkflowId())
		if len(workers["Verify"]) != 1 || len(workers[activity]) != units {
			t.Fatalf("activities per worker %v: want one Verify and %d %s", workers, units, activity)
		}
		elsewhere := 0
		for _, w := range workers[activity] {
			if w != workers["Verify"][0] {
				elsewhere++
			}
		}
		t.Logf("run %d: %d of %d %s activities ran on another worker than the verifying one (%v)", attempt, elsewhere, units, activity, workers)
		if elsewhere > 0 {
			return done
		}
		if attempt == 4 {
			t.Fatalf("every run ran every %s on the verifying worker", activity)
		}
	}
}

// smallSketchJob creates planted-leak tables of rows rows in a new source
// database and a job copying them into a new destination it owns (sync
// options opts); it returns the job's id and the two databases' URLs.
func smallSketchJob(t *testing.T, s *stack, name string, rows int, tables []string, opts *mgmt.ActivityOptions) (string, string, string) {
	t.Helper()
	src := createSketchTables(t, "neosync_e2e_"+name+"_src", rows, tables...)
	dst := newDatabase(t, "neosync_e2e_"+name+"_dst")
	var mappings []*mgmt.JobMapping
	for _, table := range tables {
		mappings = append(mappings, sketchTableMappings("public", table)...)
	}
	job, err := s.c.Jobs.CreateJob(testCtx(t, time.Minute), connect.NewRequest(&mgmt.CreateJobRequest{
		AccountId: s.accountID, JobName: name, Source: &mgmt.JobSource{Options: &mgmt.JobSource_Sync{Sync: &mgmt.SyncSourceOptions{ConnectionId: s.connection(t, name+"-src", src)}}},
		Destinations: []*mgmt.JobDestinationCreate{{ConnectionId: s.connection(t, name+"-dst", dst), Options: &mgmt.JobDestinationOptions{InitTableSchema: true, TruncateBeforeInsert: true}}},
		Mappings:     mappings,
		SyncOptions:  opts,
	}))
	if err != nil {
		t.Fatalf("CreateJob: %v", err)
	}
	return job.Msg.GetJob().GetId(), src, dst
}

// TestSmallTableSketchesAcrossWorkers: 110 small planted-leak tables,
// copied in batches (3 SyncTableBatch activities) by two worker
// processes; the verifying worker did not copy some batches, and still
// every table's leak scan and re-identification count come from the
// copy, equal to a full re-read's. A batch stores its tables' final
// sketches together (PutRangeSketches, a few calls a batch), not one
// call per column and table (PutRangeSketch: 550 calls here before).
func TestSmallTableSketchesAcrossWorkers(t *testing.T) {
	t.Parallel()
	const rows = 1000
	var tables []string
	for i := range 110 {
		tables = append(tables, fmt.Sprintf("small%03d", i))
	}
	apiMetrics := fmt.Sprintf("127.0.0.1:%d", freePort(t))
	s := startStack(t, "NEOSYNC_METRICS_ADDR="+apiMetrics)
	tc, err := client.Dial(client.Options{HostPort: temporalAddr})
	if err != nil {
		t.Fatal(err)
	}
	defer tc.Close()
	jobID, src, dst := smallSketchJob(t, s, "ssketch", rows, tables, nil)
	for range 2 {
		s.startWorker(t, "WORKER_MAX_CONCURRENT_ACTIVITIES=1")
	}
	before := rpcCalls(t, apiMetrics)
	done := runUntilVerifiedElsewhere(t, s, tc, jobID, "SyncTableBatch", 3, nil)
	after := rpcCalls(t, apiMetrics)
	for _, table := range tables {
		checkSketchReport(t, done, table, rows, func() ([4]int64, [4]int64, int64) {
			return sketchTruth(readPGSketchRows(t, src, table), readPGSketchRows(t, dst, table))
		})
	}
	checkNoReread(t, s, done.GetId())
	// Over every run made (up to 4 of 3 batches): a few calls per batch.
	said, _ := callsPerTable(before, after, len(tables))
	t.Logf("API calls over the runs: %s", said)
	if n := after["WorkerService/PutRangeSketch"] - before["WorkerService/PutRangeSketch"]; n != 0 {
		t.Errorf("%v PutRangeSketch calls: the batches stored sketches table by table", n)
	}
	if n := after["WorkerService/PutRangeSketches"] - before["WorkerService/PutRangeSketches"]; n < 3 || n > 4*3*2 {
		t.Errorf("%v PutRangeSketches calls, want 3 to 24 (one or two per batch)", n)
	}
}

// TestSketchesSurviveAWorkerKill: the worker copying a planted-leak
// table in one piece is killed (SIGKILL) once Temporal holds a checkpoint
// of it; another worker resumes the copy from that checkpoint with the
// sketches stored for it, and the table's leak scan and
// re-identification count still come from the copy, equal to a full
// re-read's. (Before, a resumed copy kept no sketch and the table's leak
// scan re-read a sample of the source.)
func TestSketchesSurviveAWorkerKill(t *testing.T) {
	t.Parallel()
	const rows = 1_000_000
	s := startStack(t)
	src := createSketchTables(t, "neosync_e2e_ksketch_src", rows, "big")
	dst := newDatabase(t, "neosync_e2e_ksketch_dst")
	// The job merges into the user's keyed table (on_conflict do_update:
	// the rows the killed attempt committed past its checkpoint take the
	// resumed copy's values, which its sketches describe — generators
	// draw new ones): a PostgreSQL table copied whole without a merge is
	// restarted rather than resumed (syncplan.Plan.Restarts,
	// TestOwnedWholeTableRestartsAfterAWorkerKill).
	execSQL(t, dst, `CREATE TABLE big (id bigint PRIMARY KEY, email text NOT NULL, first_name text NOT NULL, last_name text NOT NULL, city text NOT NULL)`)
	merging := &mgmt.JobDestinationOptions{BatchSize: 2000, OnConflict: "do_update"}
	// The copy cannot finish before Temporal holds a checkpoint: it waits
	// at row 666,666 until the worker is killed.
	h := newRowHold(t, dst, rows*2/3)
	h.attach("big")
	h.hold()
	r, done := runKilledSketchJob(t, s, s.connection(t, "ksketch-src", src), s.connection(t, "ksketch-dst", dst), "public", rows, merging, h.release)
	if n := queryInt(t, dst, "SELECT count(*) - count(DISTINCT id) FROM big"); n != 0 {
		t.Errorf("%d duplicate rows", n)
	}
	checkSketchReport(t, done, "big", rows, func() ([4]int64, [4]int64, int64) {
		return sketchTruth(readPGSketchRows(t, src, "big"), readPGSketchRows(t, dst, "big"))
	})
	checkResumedWithSketches(t, s, r.GetId(), "public.big")
	t.Logf("report:\n%v", done.GetReport().AsMap()["summary"])
}

// TestMySQLSketchesSurviveAWorkerKill is TestSketchesSurviveAWorkerKill
// on MariaDB.
func TestMySQLSketchesSurviveAWorkerKill(t *testing.T) {
	t.Parallel()
	const rows = 1_000_000
	s := startStack(t)
	srv, srcURL, src := createMySQLSketchTable(t, "neosync_e2e_ksketch_src", rows)
	dst := srv.database(t, "neosync_e2e_ksketch_dst")
	owned := &mgmt.JobDestinationOptions{InitTableSchema: true, TruncateBeforeInsert: true, BatchSize: 2000}
	// The copy cannot finish before Temporal holds a checkpoint: it waits
	// at row 666,666 of the destination's table (created here;
	// init_table_schema keeps it) until the worker is killed.
	qsrc, _ := sqlschema.QuoteMySQLIdentifier(src)
	srv.exec(t, dst, "CREATE TABLE big LIKE "+qsrc+".big")
	h := newMariaHold(t, srv, dst, "big", fmt.Sprintf("NEW.id = %d", rows*2/3))
	h.hold()
	r, done := runKilledSketchJob(t, s, s.mysqlConnection(t, "ksketch-src", srcURL), s.mysqlConnection(t, "ksketch-dst", srv.url(dst)), src, rows, owned, h.release)
	read := func(db string) map[int64]sketchRow {
		q, _ := sqlschema.QuoteMySQLIdentifier(db)
		return readSketchRows(t, func() (*sql.Rows, error) {
			return srv.admin.QueryContext(testCtx(t, time.Minute), "SELECT id, email, first_name, last_name, city FROM "+q+".big")
		})
	}
	if got := read(dst); len(got) != rows {
		t.Fatalf("the destination holds %d rows, want %d", len(got), rows)
	}
	checkSketchReport(t, done, "big", rows, func() ([4]int64, [4]int64, int64) { return sketchTruth(read(src), read(dst)) })
	checkResumedWithSketches(t, s, r.GetId(), src+".big")
	t.Logf("report:\n%v", done.GetReport().AsMap()["summary"])
}

// killAtCheckpoint kills worker w (SIGKILL) once Temporal holds a
// checkpoint of the run's SyncTable copy past its start and before three
// quarters of its rows, and returns that checkpoint's rows.
func killAtCheckpoint(t *testing.T, s *stack, tc client.Client, r *mgmt.JobRun, w *exec.Cmd, rows int64) int64 {
	t.Helper()
	var held int64
	for deadline := time.Now().Add(3 * time.Minute); held == 0 && time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if final(s.getRun(t, r.GetId())) {
			break
		}
		desc, err := tc.DescribeWorkflowExecution(testCtx(t, 10*time.Second), r.GetWorkflowId(), "")
		if err != nil {
			continue
		}
		for _, p := range desc.GetPendingActivities() {
			if p.GetActivityType().GetName() != "SyncTable" || p.GetState() != enumspb.PENDING_ACTIVITY_STATE_STARTED {
				continue
			}
			d := p.GetHeartbeatDetails()
			if d == nil || len(d.GetPayloads()) == 0 {
				continue
			}
			var cp struct {
				Rows int64 `json:"rows"`
				Done bool  `json:"done"`
			}
			if json.Unmarshal(d.GetPayloads()[0].GetData(), &cp) == nil && cp.Rows > 0 && !cp.Done && cp.Rows < rows*3/4 {
				held = cp.Rows
			}
		}
		if held > 0 {
			_ = syscall.Kill(-w.Process.Pid, syscall.SIGKILL)
			_ = w.Wait()
		}
	}
	if held == 0 {
		t.Fatal("the copy was not caught with a checkpoint in Temporal")
	}
	t.Logf("killed the worker; Temporal held a checkpoint after %d rows", held)
	return held
}

// checkResumedWithSketches checks that the run's events say the copy of
// table resumed from a checkpoint and none says a leak scan re-read the
// source.
func checkResumedWithSketches(t *testing.T, s *stack, runID, table string) {
	t.Helper()
	checkNoReread(t, s, runID)
	events, err := s.c.Jobs.GetJobRunEvents(testCtx(t, time.Minute), connect.NewRequest(&mgmt.GetJobRunEventsRequest{JobRunId: runID}))
	if err != nil {
		t.Fatal(err)
	}
	resumed := false
	for _, e := range events.Msg.GetEvents() {
		if strings.Contains(e.GetMessage(), "resuming "+table+" after") {
			resumed = true
			t.Logf("event: %s", e.GetMessage())
		}
	}
	if !resumed {
		t.Error("no event says the copy resumed from a checkpoint")
	}
}

// startSketchJob creates a job copying the planted-leak table big of
// schema between two connections with the destination options opts,
// starts a worker that copies it in one piece and starts a run of the
// job, which it returns with the worker.
func startSketchJob(t *testing.T, s *stack, name, srcConn, dstConn, schema string, opts *mgmt.JobDestinationOptions) (*mgmt.JobRun, *exec.Cmd) {
	t.Helper()
	// A short heartbeat timeout: checkpoints (and their sketches) are
	// stored every second, and the SDK sends heartbeats at most every
	// 80 % of it.
	job, err := s.c.Jobs.CreateJob(testCtx(t, time.Minute), connect.NewRequest(&mgmt.CreateJobRequest{
		AccountId: s.accountID, JobName: name, Source: &mgmt.JobSource{Options: &mgmt.JobSource_Sync{Sync: &mgmt.SyncSourceOptions{ConnectionId: srcConn}}},
		Destinations: []*mgmt.JobDestinationCreate{{ConnectionId: dstConn, Options: opts}},
		Mappings:     sketchMappings(schema),
		SyncOptions:  &mgmt.ActivityOptions{HeartbeatTimeoutSeconds: ptr(int64(2))},
	}))
	if err != nil {
		t.Fatalf("CreateJob: %v", err)
	}
	return s.startRun(t, job.Msg.GetJob().GetId(), "NEOSYNC_RANGE_ROWS=10000000")
}

// runKilledSketchJob runs a job copying the planted-leak table big of
// schema (rows rows, in one piece) between two connections with the
// destination options opts, kills its worker once Temporal holds a
// checkpoint of the copy, calls afterKill (when not nil: it releases a
// rowHold that kept the copy from finishing first), resumes on a new
// worker and returns the run, complete.
func runKilledSketchJob(t *testing.T, s *stack, srcConn, dstConn, schema string, rows int64, opts *mgmt.JobDestinationOptions, afterKill func()) (*mgmt.JobRun, *mgmt.JobRun) {
	t.Helper()
	tc, err := client.Dial(client.Options{HostPort: temporalAddr})
	if err != nil {
		t.Fatal(err)
	}
	defer tc.Close()
	r, w := startSketchJob(t, s, "kill-sketches", srcConn, dstConn, schema, opts)
	killAtCheckpoint(t, s, tc, r, w, rows)
	if afterKill != nil {
		afterKill()
	}
	s.startWorker(t, "NEOSYNC_RANGE_ROWS=10000000")
	done := s.waitRun(t, r.GetId(), 6*time.Minute, final)
	if done.GetStatus() != mgmt.JobRunStatus_JOB_RUN_STATUS_COMPLETE {
		t.Fatalf("run ended %v: %s", done.GetStatus(), done.GetError())
	}
	return r, done
}

// TestSmallTableSketchesSurviveAWorkerKill: 50 small planted-leak tables
// in one batch; the worker copying the batch is killed (SIGKILL) after
// some tables completed — some of them with their sketches stored and
// recorded done, others with their sketches still queued (see the
// worker's finalSketches) — and another worker finishes the batch. Every
// table ends with its rows exact and its leak scan from the copy: a table
// whose sketches were lost with the worker was not recorded done, so it
// was copied again.
//
// The copy is placed, not raced: kept09's middle row waits 2 s, longer
// than the batch's store interval (heartbeatEvery of 5 s: 1.7 s), so the
// tables up to kept09 are stored and recorded done when it ends; kept30's
// middle row then waits on a rowHold, with the tables between queued,
// and the worker is killed there.
func TestSmallTableSketchesSurviveAWorkerKill(t *testing.T) {
	t.Parallel()
	const rows = 5000
	var tables []string
	for i := range 50 {
		tables = append(tables, fmt.Sprintf("kept%02d", i))
	}
	s := startStack(t)
	tc, err := client.Dial(client.Options{HostPort: temporalAddr})
	if err != nil {
		t.Fatal(err)
	}
	defer tc.Close()
	jobID, src, dst := smallSketchJob(t, s, "kssketch", rows, tables, &mgmt.ActivityOptions{HeartbeatTimeoutSeconds: ptr(int64(5))})
	h := newRowHoldWhere(t, dst, "", "TG_TABLE_NAME = 'kept30' AND NEW.id = 2500")
	execSQL(t, dst, `CREATE OR REPLACE FUNCTION neosync_test_hold() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF TG_TABLE_NAME = 'kept09' AND NEW.id = 2500 THEN PERFORM pg_sleep(2); END IF;
	IF TG_TABLE_NAME = 'kept30' AND NEW.id = 2500 THEN PERFORM pg_advisory_xact_lock_shared(`+strconv.Itoa(rowHoldLock)+`); END IF;
	RETURN NEW;
END $$`)
	h.hold()
	r, w := s.startRun(t, jobID)
	killed := false
	for deadline := time.Now().Add(4 * time.Minute); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		cur := s.getRun(t, r.GetId())
		if final(cur) {
			t.Fatalf("the run ended %v before the hold at kept30: %s", cur.GetStatus(), cur.GetError())
		}
		complete := 0
		for _, tp := range cur.GetTables() {
			if tp.GetState() == "complete" {
				complete++
			}
		}
		if h.held() && complete >= 8 {
			_ = syscall.Kill(-w.Process.Pid, syscall.SIGKILL)
			_ = w.Wait()
			t.Logf("killed the worker with %d of %d tables complete, copying kept30", complete, len(tables))
			killed = true
			break
		}
	}
	if !killed {
		t.Fatal("the batch did not reach kept30 with 8 tables complete")
	}
	h.release()
	s.startWorker(t)
	done := s.waitRun(t, r.GetId(), 5*time.Minute, final)
	if done.GetStatus() != mgmt.JobRunStatus_JOB_RUN_STATUS_COMPLETE {
		t.Fatalf("run ended %v: %s", done.GetStatus(), done.GetError())
	}
	for _, table := range tables {
		if n := queryInt(t, dst, "SELECT count(*) FROM "+table); n != rows {
			t.Errorf("%s has %d rows, want %d", table, n, rows)
		}
	}
	for _, table := range []string{tables[0], tables[7], tables[len(tables)-1]} {
		checkSketchReport(t, done, table, rows, func() ([4]int64, [4]int64, int64) {
			return sketchTruth(readPGSketchRows(t, src, table), readPGSketchRows(t, dst, table))
		})
	}
	checkNoReread(t, s, done.GetId())
}

// TestOwnedWholeTableRestartsAfterAWorkerKill: a table copied in one
// piece into a PostgreSQL destination the job truncates is written in one
// transaction and restarted after a crash, not resumed (see
// syncplan.Plan.Restarts). The worker is killed (SIGKILL) in the middle
// of the copy — Temporal holds no resumable checkpoint of it then — and
// another worker copies the table over: exact counts, no duplicates, the
// same keys and passed-through values as the source, and the leak scan
// and re-identification count still measured by the (restarted) copy,
// equal to a full re-read's.
func TestOwnedWholeTableRestartsAfterAWorkerKill(t *testing.T) {
	t.Parallel()
	const rows = 1_000_000
	s := startStack(t)
	tc, err := client.Dial(client.Options{HostPort: temporalAddr})
	if err != nil {
		t.Fatal(err)
	}
	defer tc.Close()
	src := createSketchTables(t, "neosync_e2e_restart_src", rows, "big")
	dst := newDatabase(t, "neosync_e2e_restart_dst")
	// The copy waits at the middle row until the worker is killed: caught
	// mid-table however fast this machine copies.
	h := newRowHold(t, dst, rows/2)
	h.hold()
	owned := &mgmt.JobDestinationOptions{InitTableSchema: true, TruncateBeforeInsert: true, BatchSize: 2000}
	r, w := startSketchJob(t, s, "kill-owned", s.connection(t, "restart-src", src), s.connection(t, "restart-dst", dst), "public", owned)
	for deadline := time.Now().Add(3 * time.Minute); !h.held(); time.Sleep(20 * time.Millisecond) {
		if cur := s.getRun(t, r.GetId()); final(cur) {
			t.Fatalf("the run ended (%v) before its copy reached the held row", cur.GetStatus())
		}
		if time.Now().After(deadline) {
			t.Fatal("the copy never reached the held row")
		}
	}
	// Temporal must hold no resumable checkpoint of the table: its rows
	// so far are in one uncommitted transaction.
	if desc, err := tc.DescribeWorkflowExecution(testCtx(t, 10*time.Second), r.GetWorkflowId(), ""); err == nil {
		for _, p := range desc.GetPendingActivities() {
			if p.GetActivityType().GetName() != "SyncTable" || p.GetHeartbeatDetails() == nil || len(p.GetHeartbeatDetails().GetPayloads()) == 0 {
				continue
			}
			var cp struct {
				Rows int64    `json:"rows"`
				Key  []string `json:"key"`
			}
			if json.Unmarshal(p.GetHeartbeatDetails().GetPayloads()[0].GetData(), &cp) == nil && (cp.Rows > 0 || cp.Key != nil) {
				t.Fatalf("Temporal holds a resumable checkpoint of the owned table: %s", p.GetHeartbeatDetails().GetPayloads()[0].GetData())
			}
		}
	}
	streamed := rowsDone(s.getRun(t, r.GetId()))
	_ = syscall.Kill(-w.Process.Pid, syscall.SIGKILL)
	_ = w.Wait()
	h.release()
	t.Logf("killed the worker held at row %d (progress showed %d rows streamed)", rows/2, streamed)
	s.startWorker(t, "NEOSYNC_RANGE_ROWS=10000000")
	done := s.waitRun(t, r.GetId(), 6*time.Minute, final)
	if done.GetStatus() != mgmt.JobRunStatus_JOB_RUN_STATUS_COMPLETE {
		t.Fatalf("run ended %v: %s", done.GetStatus(), done.GetError())
	}
	if n := queryInt(t, dst, "SELECT count(*) FROM big"); n != rows {
		t.Errorf("the destination holds %d rows, want %d", n, rows)
	}
	if n := queryInt(t, dst, "SELECT count(*) - count(DISTINCT id) FROM big"); n != 0 {
		t.Errorf("%d duplicate rows", n)
	}
	const sum = "SELECT ('x' || substr(md5(string_agg(id::text, ',' ORDER BY id)), 1, 15))::bit(60)::bigint FROM big"
	if got, want := queryInt(t, dst, sum), queryInt(t, src, sum); got != want {
		t.Errorf("checksum of the keys: destination %d, source %d", got, want)
	}
	checkSketchReport(t, done, "big", rows, func() ([4]int64, [4]int64, int64) {
		return sketchTruth(readPGSketchRows(t, src, "big"), readPGSketchRows(t, dst, "big"))
	})
	checkNoReread(t, s, r.GetId())
	events, err := s.c.Jobs.GetJobRunEvents(testCtx(t, time.Minute), connect.NewRequest(&mgmt.GetJobRunEventsRequest{JobRunId: r.GetId()}))
	if err != nil {
		t.Fatal(err)
	}
	restarted := false
	for _, e := range events.Msg.GetEvents() {
		if strings.Contains(e.GetMessage(), "resuming public.big from the start") {
			restarted = true
			t.Logf("event: %s", e.GetMessage())
		}
	}
	if !restarted {
		for _, e := range events.Msg.GetEvents() {
			t.Logf("event: %s", e.GetMessage())
		}
		t.Error("no event says the copy started over")
	}
}
