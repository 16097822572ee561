package e2e_test

import (
	"context"
	"fmt"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"

	"connectrpc.com/connect"
	"github.com/jackc/pgx/v5"
	"go.temporal.io/sdk/client"

	mgmt "github.com/neosyncio/neosync/backend/gen/go/protos/mgmt/v1alpha1"
)

// TestRevokedWorkerKeyNamedInTheRun revokes the worker's key while the
// worker runs: the next run fails on its first attempt, within seconds,
// and the run record says why.
func TestRevokedWorkerKeyNamedInTheRun(t *testing.T) {
	t.Parallel()
	s := startStack(t)
	s.startWorker(t)
	src := newDatabase(t, "neosync_e2e_revoked")
	execSQL(t, src, sourceSchema)
	dst := newDatabase(t, "neosync_e2e_revoked")
	ctx := testCtx(t, 3*time.Minute)
	job, err := s.c.Jobs.CreateJob(ctx, connect.NewRequest(&mgmt.CreateJobRequest{
		AccountId: s.accountID, JobName: "revoked", Source: &mgmt.JobSource{Options: &mgmt.JobSource_Sync{Sync: &mgmt.SyncSourceOptions{ConnectionId: s.connection(t, "src", src)}}},
		Destinations: []*mgmt.JobDestinationCreate{{ConnectionId: s.connection(t, "dst", dst), Options: &mgmt.JobDestinationOptions{InitTableSchema: true}}},
		Mappings:     allMappings(),
	}))
	if err != nil {
		t.Fatalf("CreateJob: %v", err)
	}
	// The worker started with a good key; now it is revoked.
	execSQL(t, s.dbURL, "DELETE FROM api_keys WHERE key_type = 'worker'")
	started := time.Now()
	run, err := s.c.Jobs.CreateJobRun(ctx, connect.NewRequest(&mgmt.CreateJobRunRequest{JobId: job.Msg.GetJob().GetId()}))
	if err != nil {
		t.Fatal(err)
	}
	r := s.waitRun(t, run.Msg.GetJobRun().GetId(), time.Minute, final)
	if r.GetStatus() != mgmt.JobRunStatus_JOB_RUN_STATUS_FAILED || !strings.Contains(r.GetError(), "the worker's API key was rejected by the API") {
		t.Fatalf("run ended %v after %v: %q", r.GetStatus(), time.Since(started), r.GetError())
	}
	t.Logf("run failed after %v: %s", time.Since(started).Round(time.Millisecond), r.GetError())
}

// TestTerminatedRunRestoresKeys terminates a run in the middle of its copy
// (the destination's keys are dropped or not built yet), once through the
// API and once in Temporal itself (as Temporal does when a history grows
// past its limit, with that reason): the run says it was terminated and
// why, no table is left pending or running, and the destination gets its
// primary key back.
func TestTerminatedRunRestoresKeys(t *testing.T) {
	t.Parallel()
	s := startStack(t)
	jobID, dst := bigJob(t, s, 400_000)
	// Each run's copy waits at row 200,000 until it is terminated, however
	// fast this machine copies (the job creates the table each time).
	h := newRowHold(t, dst, 200_000)
	s.startWorker(t)
	tc, err := client.Dial(client.Options{HostPort: temporalAddr})
	if err != nil {
		t.Fatal(err)
	}
	defer tc.Close()
	ctx := testCtx(t, 5*time.Minute)
	for _, c := range []struct {
		how       string
		terminate func(r *mgmt.JobRun) error
		reason    string
	}{
		{"through the API", func(r *mgmt.JobRun) error {
			_, err := s.c.Jobs.TerminateJobRun(ctx, connect.NewRequest(&mgmt.TerminateJobRunRequest{JobRunId: r.GetId()}))
			return err
		}, "terminated through the Neosync API"},
		{"in Temporal", func(r *mgmt.JobRun) error {
			return tc.TerminateWorkflow(ctx, r.GetWorkflowId(), "", "Workflow history size exceeds limit.")
		}, "terminated by Temporal: Workflow history size exceeds limit."},
	} {
		execSQL(t, dst, "DROP TABLE IF EXISTS events")
		h.hold()
		run, err := s.c.Jobs.CreateJobRun(ctx, connect.NewRequest(&mgmt.CreateJobRunRequest{JobId: jobID}))
		if err != nil {
			t.Fatal(err)
		}
		id := run.Msg.GetJobRun().GetId()
		r := s.waitRun(t, id, 3*time.Minute, func(r *mgmt.JobRun) bool { return h.held() || final(r) })
		if final(r) {
			t.Fatalf("%s: the run ended %v before its copy reached the held row: %s", c.how, r.GetStatus(), r.GetError())
		}
		if err := c.terminate(r); err != nil {
			t.Fatalf("%s: terminate: %v", c.how, err)
		}
		r = s.waitRun(t, id, time.Minute, final)
		h.release()
		if r.GetStatus() != mgmt.JobRunStatus_JOB_RUN_STATUS_TERMINATED || !strings.Contains(r.GetError(), c.reason) {
			t.Fatalf("%s: terminated run ended %v: %q", c.how, r.GetStatus(), r.GetError())
		}
		for _, tp := range r.GetTables() {
			if tp.GetState() == "pending" || tp.GetState() == "running" {
				t.Errorf("%s: table %s is still %s after the run ended", c.how, tp.GetTable(), tp.GetState())
			}
		}
		key := "SELECT count(*) FROM pg_constraint WHERE conrelid = 'public.events'::regclass AND contype = 'p'"
		deadline := time.Now().Add(2 * time.Minute)
		for queryInt(t, dst, key) != 1 {
			if time.Now().After(deadline) {
				t.Fatalf("%s: the terminated run's destination did not get its primary key back", c.how)
			}
			time.Sleep(250 * time.Millisecond)
		}
		// The restore runs in the background: its event may follow the
		// key by a moment.
		for restored := false; !restored; time.Sleep(250 * time.Millisecond) {
			events, err := s.c.Jobs.GetJobRunEvents(ctx, connect.NewRequest(&mgmt.GetJobRunEventsRequest{JobRunId: id}))
			if err != nil {
				t.Fatal(err)
			}
			for _, e := range events.Msg.GetEvents() {
				restored = restored || strings.Contains(e.GetMessage(), "restored the constraints and indexes of destination")
			}
			if !restored && time.Now().After(deadline) {
				t.Fatalf("%s: no run event says the destination was restored", c.how)
			}
		}
		t.Logf("%s: %s", c.how, r.GetError())
	}
}

// TestJavaScriptBombInAJob maps a column to JavaScript that doubles a
// string forever with the largest timeout_ms, on a worker whose call cap
// (NEOSYNC_JS_CALL_MAX_MS) is lifted to that minute, so that only the
// memory limit of the child process that runs it (NEOSYNC_JS_MEMORY_MB, 64
// by default) can stop it: the run fails on its first attempt with the
// child's typed error naming the table, column and limit, the worker lives
// on, its own peak resident size barely moved, and a following job with
// ordinary JavaScript completes on the same worker. (With the default
// 100 ms cap, whichever of the two limits comes first stops the bomb; on a
// loaded machine that can be the time budget.)
func TestJavaScriptBombInAJob(t *testing.T) {
	t.Parallel()
	s := startStack(t)
	w := s.startWorker(t, "NEOSYNC_JS_CALL_MAX_MS=60000")
	src := newDatabase(t, "neosync_e2e_jsbomb")
	execSQL(t, src, sourceSchema)
	dst := newDatabase(t, "neosync_e2e_jsbomb")
	ctx := testCtx(t, 3*time.Minute)
	mappings := allMappings()
	for _, m := range mappings {
		if m.GetTable() == "customers" && m.GetColumn() == "full_name" {
			*m = *mapping("customers", "full_name", "transform_javascript", map[string]any{"code": "var s = 'x'; for (;;) { s = s + s; }", "timeout_ms": 60000})
		}
	}
	job, err := s.c.Jobs.CreateJob(ctx, connect.NewRequest(&mgmt.CreateJobRequest{
		AccountId: s.accountID, JobName: "jsbomb", Source: &mgmt.JobSource{Options: &mgmt.JobSource_Sync{Sync: &mgmt.SyncSourceOptions{ConnectionId: s.connection(t, "src", src)}}},
		Destinations: []*mgmt.JobDestinationCreate{{ConnectionId: s.connection(t, "dst", dst), Options: &mgmt.JobDestinationOptions{InitTableSchema: true}}},
		Mappings:     mappings,
	}))
	if err != nil {
		t.Fatalf("CreateJob: %v", err)
	}
	run, err := s.c.Jobs.CreateJobRun(ctx, connect.NewRequest(&mgmt.CreateJobRunRequest{JobId: job.Msg.GetJob().GetId()}))
	if err != nil {
		t.Fatal(err)
	}
	before := statusMiB(t, w.Process.Pid, "VmRSS")
	r := s.waitRun(t, run.Msg.GetJobRun().GetId(), 2*time.Minute, final)
	if r.GetStatus() != mgmt.JobRunStatus_JOB_RUN_STATUS_FAILED {
		t.Fatalf("run ended %v: %q", r.GetStatus(), r.GetError())
	}
	for _, want := range []string{"transform_javascript", "JavaScript transformer for public.customers.full_name exceeded its 64 MiB memory limit"} {
		if !strings.Contains(r.GetError(), want) {
			t.Fatalf("the run's error %q does not name %q", r.GetError(), want)
		}
	}
	if err := w.Process.Signal(syscall.Signal(0)); err != nil {
		t.Fatalf("the worker died: %v", err)
	}
	peak := statusMiB(t, w.Process.Pid, "VmHWM")
	t.Logf("run failed with %q; worker alive, peak RSS %d MiB (RSS %d MiB before the run)", r.GetError(), peak, before)
	// The bomb runs in a child, so the worker's own peak grows by what the
	// run itself needs (other runs peak at 50–70 MiB), not by the bomb's.
	if peak-before > jsBombMaxGrowthMiB {
		t.Fatalf("the worker's peak RSS is %d MiB above its RSS before the run (%d MiB), more than %d MiB", peak-before, before, jsBombMaxGrowthMiB)
	}
	// The same worker runs a job with ordinary JavaScript to completion.
	for _, m := range mappings {
		if m.GetTable() == "customers" && m.GetColumn() == "full_name" {
			*m = *mapping("customers", "full_name", "transform_javascript", map[string]any{"code": "return neosync.transformFullName(value, {}) + '!'"})
		}
	}
	dst2 := newDatabase(t, "neosync_e2e_jsbomb")
	job2, err := s.c.Jobs.CreateJob(ctx, connect.NewRequest(&mgmt.CreateJobRequest{
		AccountId: s.accountID, JobName: "jsafter", Source: &mgmt.JobSource{Options: &mgmt.JobSource_Sync{Sync: &mgmt.SyncSourceOptions{ConnectionId: s.connection(t, "src2", src)}}},
		Destinations: []*mgmt.JobDestinationCreate{{ConnectionId: s.connection(t, "dst2", dst2), Options: &mgmt.JobDestinationOptions{InitTableSchema: true}}},
		Mappings:     mappings,
	}))
	if err != nil {
		t.Fatalf("CreateJob: %v", err)
	}
	run2, err := s.c.Jobs.CreateJobRun(ctx, connect.NewRequest(&mgmt.CreateJobRunRequest{JobId: job2.Msg.GetJob().GetId()}))
	if err != nil {
		t.Fatal(err)
	}
	if r := s.waitRun(t, run2.Msg.GetJobRun().GetId(), 2*time.Minute, final); r.GetStatus() != mgmt.JobRunStatus_JOB_RUN_STATUS_COMPLETE {
		t.Fatalf("the JavaScript job after the bomb ended %v: %q", r.GetStatus(), r.GetError())
	}
	if n := queryInt(t, dst2, `SELECT count(*) FROM customers WHERE full_name NOT LIKE '%!'`); n != 0 {
		t.Fatalf("%d customers' names were not transformed by the JavaScript after the bomb", n)
	}
}

// TestWorkerRefusesTheAPIsDatabase points a job's destination at the API's
// own database (an update does not open the connection, so the API cannot
// stop it there): the worker, which opens it, refuses the session because
// the API named that database as protected, and the run fails on its first
// attempt saying the destination cannot be reached. Nothing is written
// into the API's database.
func TestWorkerRefusesTheAPIsDatabase(t *testing.T) {
	t.Parallel()
	s := startStack(t)
	s.startWorker(t)
	src := newDatabase(t, "neosync_e2e_protected")
	execSQL(t, src, sourceSchema)
	dst := newDatabase(t, "neosync_e2e_protected")
	ctx := testCtx(t, 3*time.Minute)
	dstID := s.connection(t, "dst", dst)
	job, err := s.c.Jobs.CreateJob(ctx, connect.NewRequest(&mgmt.CreateJobRequest{
		AccountId: s.accountID, JobName: "protected", Source: &mgmt.JobSource{Options: &mgmt.JobSource_Sync{Sync: &mgmt.SyncSourceOptions{ConnectionId: s.connection(t, "src", src)}}},
		Destinations: []*mgmt.JobDestinationCreate{{ConnectionId: dstID, Options: &mgmt.JobDestinationOptions{InitTableSchema: true}}},
		Mappings:     allMappings(),
	}))
	if err != nil {
		t.Fatalf("CreateJob: %v", err)
	}
	if _, err := s.c.Connections.UpdateConnection(ctx, connect.NewRequest(&mgmt.UpdateConnectionRequest{Id: dstID, Name: "dst", ConnectionConfig: pgConfig(s.dbURL)})); err != nil {
		t.Fatalf("UpdateConnection: %v", err)
	}
	run, err := s.c.Jobs.CreateJobRun(ctx, connect.NewRequest(&mgmt.CreateJobRunRequest{JobId: job.Msg.GetJob().GetId()}))
	if err != nil {
		t.Fatal(err)
	}
	r := s.waitRun(t, run.Msg.GetJobRun().GetId(), 2*time.Minute, final)
	if r.GetStatus() != mgmt.JobRunStatus_JOB_RUN_STATUS_FAILED || !strings.Contains(r.GetError(), "not allowed by the API's connection policy") || strings.Count(r.GetError(), "cannot connect") != 1 {
		t.Fatalf("run ended %v: %q; want failed, refused by the connection policy", r.GetStatus(), r.GetError())
	}
	if n := queryInt(t, s.dbURL, "SELECT count(*) FROM information_schema.tables WHERE table_name IN ('customers', 'orders')"); n != 0 {
		t.Fatalf("the API's database got %d of the job's tables", n)
	}
	t.Logf("run failed: %s", r.GetError())
}

// statusMiB reads a size field (VmRSS, VmHWM) of a process's
// /proc/<pid>/status, in MiB.
func statusMiB(t *testing.T, pid int, field string) int {
	t.Helper()
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, field+":"); ok {
			var kb int
			if _, err := fmt.Sscanf(strings.TrimSpace(v), "%d kB", &kb); err != nil {
				t.Fatalf("%s: %v", line, err)
			}
			return kb >> 10
		}
	}
	t.Fatalf("no %s in /proc/%d/status", field, pid)
	return 0
}

// jsBombMaxGrowthMiB bounds how much the JavaScript bomb's run may add to
// the worker's own peak resident size: the run's memory, well under the
// 64 MiB the bomb's child may take (with the in-process watchdog it used
// to grow by 102–248 MiB).
const jsBombMaxGrowthMiB = 64

// TestUsersCollidingRowFailsTheTable copies a keyed table into a
// destination table the job does not empty, which already holds a row of
// the user's under a key the copy writes. With the default on_conflict
// ("fail the table") the run fails on its first attempt with a message
// that names the options that would let the copy through, and the
// user's row is left as it was. Before, the copy's resume cleanup ran on
// the first attempt too: it deleted the user's row, copied the source's
// over it and reported the run complete.
func TestUsersCollidingRowFailsTheTable(t *testing.T) {
	t.Parallel()
	s := startStack(t)
	s.startWorker(t)
	items := `CREATE TABLE items (id int PRIMARY KEY, name text NOT NULL);`
	src := newDatabase(t, "neosync_e2e_collide")
	execSQL(t, src, items+`INSERT INTO items SELECT g, 'item ' || g FROM generate_series(1, 1000) g;`)
	dst := newDatabase(t, "neosync_e2e_collide")
	execSQL(t, dst, items+`INSERT INTO items VALUES (500, 'mine'), (5000, 'mine too');`)
	ctx := testCtx(t, 3*time.Minute)
	job, err := s.c.Jobs.CreateJob(ctx, connect.NewRequest(&mgmt.CreateJobRequest{
		AccountId: s.accountID, JobName: "collide", Source: &mgmt.JobSource{Options: &mgmt.JobSource_Sync{Sync: &mgmt.SyncSourceOptions{ConnectionId: s.connection(t, "src", src)}}},
		Destinations: []*mgmt.JobDestinationCreate{{ConnectionId: s.connection(t, "dst", dst), Options: &mgmt.JobDestinationOptions{BatchSize: 100}}},
		Mappings:     []*mgmt.JobMapping{mapping("items", "id", "passthrough", nil), mapping("items", "name", "passthrough", nil)},
	}))
	if err != nil {
		t.Fatalf("CreateJob: %v", err)
	}
	run, err := s.c.Jobs.CreateJobRun(ctx, connect.NewRequest(&mgmt.CreateJobRunRequest{JobId: job.Msg.GetJob().GetId()}))
	if err != nil {
		t.Fatal(err)
	}
	r := s.waitRun(t, run.Msg.GetJobRun().GetId(), 2*time.Minute, final)
	if r.GetStatus() != mgmt.JobRunStatus_JOB_RUN_STATUS_FAILED || !strings.Contains(r.GetError(), "already holds a row with this key") ||
		!strings.Contains(r.GetError(), "truncate_before_insert") {
		t.Fatalf("run ended %v: %q; want FAILED naming the collision and the options", r.GetStatus(), r.GetError())
	}
	if got := queryInt(t, dst, `SELECT count(*) FROM items WHERE (id, name) IN ((500, 'mine'), (5000, 'mine too'))`); got != 2 {
		t.Fatalf("the user's rows 500 and 5000 are not as they were (%d of 2 found)", got)
	}
	// None of the copy's rows was committed: a table copied whole into
	// PostgreSQL without on_conflict is one transaction
	// (syncplan.Plan.Restarts).
	if got := queryInt(t, dst, `SELECT count(*) FROM items`); got != 2 {
		t.Fatalf("the destination holds %d rows, want only the user's 2", got)
	}
	t.Logf("run failed on its first attempt: %s", r.GetError())
}

// TestKilledWorkerKeepsTheUsersCollidingRow kills the worker (SIGKILL)
// while key ranges of a table are being copied into a destination table
// the job does not own, which already holds a row of the user's whose key
// a source row further on in the same range also has. The retry of that
// range must not delete the user's row to make room (it is past what the
// killed attempt committed): the run fails on it, naming the options that
// let it through, and the row is as it was. Before the retry's cleanup
// was limited to the killed attempt's complete batches, the run ended
// COMPLETE with the user's row replaced by the source's.
//
// The range is held at key 30,000 by a row the test inserts there in a
// transaction it keeps open (the copy's batch waits for it on the key),
// so the kill always comes after some of the range's batches were
// committed and before it reaches the user's row at 39,990. (The worker
// splits the 400,000 rows into ranges of 20,000 or 50,000 keys: either
// way 30,000 and 39,990 are in one range, and 30,000 is not in its
// first batch of 5,000.)
func TestKilledWorkerKeepsTheUsersCollidingRow(t *testing.T) {
	t.Parallel()
	s := startStack(t)
	const rows = 400_000
	jobID, dst := bigJob(t, s, rows)
	execSQL(t, dst, `CREATE TABLE events (id bigint PRIMARY KEY, payload text NOT NULL, n int NOT NULL);
INSERT INTO events VALUES (39990, 'mine', -1);`)
	ctx := testCtx(t, 5*time.Minute)
	hold, err := pgx.Connect(ctx, dst)
	if err != nil {
		t.Fatal(err)
	}
	defer hold.Close(context.Background())
	blocker, err := hold.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = blocker.Rollback(context.Background()) }()
	if _, err := blocker.Exec(ctx, "INSERT INTO events VALUES (30000, 'held', 0)"); err != nil {
		t.Fatal(err)
	}
	// Ranges of 50,000 keys, batches of 5,000 rows (bigJob).
	ranges := "NEOSYNC_RANGE_ROWS=50000"
	first := s.startWorker(t, ranges)
	run, err := s.c.Jobs.CreateJobRun(ctx, connect.NewRequest(&mgmt.CreateJobRunRequest{JobId: jobID}))
	if err != nil {
		t.Fatal(err)
	}
	id := run.Msg.GetJobRun().GetId()
	deadline := time.Now().Add(3 * time.Minute)
	for queryInt(t, dst, "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND wait_event = 'transactionid'") == 0 {
		if time.Now().After(deadline) {
			t.Fatal("the first range's copy never waited on the held key 30000")
		}
		time.Sleep(50 * time.Millisecond)
	}
	if err := syscall.Kill(-first.Process.Pid, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	if err := blocker.Rollback(ctx); err != nil {
		t.Fatal(err)
	}
	t.Logf("killed with %d rows under key 40,000 committed", queryInt(t, dst, "SELECT count(*) FROM events WHERE id < 40000 AND id <> 39990"))
	s.startWorker(t, ranges)
	r := s.waitRun(t, id, 4*time.Minute, final)
	if r.GetStatus() != mgmt.JobRunStatus_JOB_RUN_STATUS_FAILED || !strings.Contains(r.GetError(), "already holds a row with this key") {
		t.Fatalf("run ended %v: %q; want FAILED on the user's row", r.GetStatus(), r.GetError())
	}
	if got := queryInt(t, dst, "SELECT count(*) FROM events WHERE id = 39990 AND payload = 'mine' AND n = -1"); got != 1 {
		t.Fatal("the user's row 39990 was replaced or deleted")
	}
	if dup := queryInt(t, dst, "SELECT count(*) - count(DISTINCT id) FROM events"); dup != 0 {
		t.Fatalf("%d duplicate keys in the destination", dup)
	}
	t.Logf("run failed after the kill: %s", r.GetError())
}
