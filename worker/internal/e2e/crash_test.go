package e2e_test

import (
	"fmt"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"connectrpc.com/connect"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"

	mgmt "github.com/neosyncio/neosync/backend/gen/go/protos/mgmt/v1alpha1"
)

// crashSchema is a schema like an operator's: a large table with a unique
// email, a large child of it, a keyless table with exact duplicates and a
// self-referencing table.
const crashSchema = `
CREATE TABLE users (id bigint PRIMARY KEY, email text NOT NULL UNIQUE, name text NOT NULL);
CREATE TABLE orders (id bigint PRIMARY KEY, user_id bigint NOT NULL REFERENCES users (id), total numeric(12,2) NOT NULL);
CREATE INDEX orders_user_id_idx ON orders (user_id);
CREATE TABLE readings (sensor int NOT NULL, value int NOT NULL);
CREATE TABLE employees (id int PRIMARY KEY, name text NOT NULL, manager_id int REFERENCES employees (id));
INSERT INTO users SELECT g, 'user' || g || '@example.com', 'User ' || g FROM generate_series(1, 200000) g;
INSERT INTO orders SELECT g, 1 + g % 200000, (g % 1000) / 7.0 FROM generate_series(1, 200000) g;
INSERT INTO readings SELECT g % 40000, g % 7 FROM generate_series(1, 80000) g;
INSERT INTO employees SELECT g, 'Employee ' || g, NULLIF(g / 2, 0) FROM generate_series(1, 20000) g;
`

var crashCounts = map[string]int64{"users": 200000, "orders": 200000, "readings": 80000, "employees": 20000}

func crashMappings() []*mgmt.JobMapping {
	return []*mgmt.JobMapping{
		mapping("users", "id", "passthrough", nil),
		mapping("users", "email", "transform_email", nil),
		mapping("users", "name", "passthrough", nil),
		mapping("orders", "id", "passthrough", nil),
		mapping("orders", "user_id", "passthrough", nil),
		mapping("orders", "total", "passthrough", nil),
		mapping("readings", "sensor", "passthrough", nil),
		mapping("readings", "value", "passthrough", nil),
		mapping("employees", "id", "passthrough", nil),
		mapping("employees", "name", "passthrough", nil),
		mapping("employees", "manager_id", "passthrough", nil),
	}
}

// phases are the activities of a run in order, each a place to kill.
var phases = []string{"StartRun", "PrepareDestination", "SyncTable", "RunUpdatePasses", "Finalize", "Verify"}

// runningActivity returns the type of a started activity of the workflow
// and the identity of the worker running it, "" when none is started.
func runningActivity(t *testing.T, c client.Client, workflowID string) (string, string) {
	t.Helper()
	desc, err := c.DescribeWorkflowExecution(testCtx(t, 10*time.Second), workflowID, "")
	if err != nil {
		return "", ""
	}
	for _, p := range desc.GetPendingActivities() {
		if p.GetState() == enumspb.PENDING_ACTIVITY_STATE_STARTED {
			return p.GetActivityType().GetName(), p.GetLastWorkerIdentity()
		}
	}
	return "", ""
}

// pidOf returns the pid a Temporal worker identity ("pid@host@…") names.
func pidOf(identity string) int {
	var pid int
	_, _ = fmt.Sscanf(identity, "%d@", &pid)
	return pid
}

// checkCrashDestination checks the destination against the source: exact
// counts, equal checksums of the passthrough columns, the keyless table's
// duplicates kept, no orphan, every source constraint and index present.
func checkCrashDestination(t *testing.T, src, dst string) {
	t.Helper()
	for table, n := range crashCounts {
		if got := queryInt(t, dst, "SELECT count(*) FROM "+table); got != n {
			t.Errorf("%s has %d rows, want %d", table, got, n)
		}
	}
	for _, q := range []string{
		"SELECT ('x' || substr(md5(string_agg(id || ',' || user_id || ',' || total, ';' ORDER BY id)), 1, 15))::bit(60)::bigint FROM orders",
		"SELECT ('x' || substr(md5(string_agg(sensor || ',' || value, ';' ORDER BY sensor, value)), 1, 15))::bit(60)::bigint FROM readings",
		"SELECT ('x' || substr(md5(string_agg(id || ',' || name || ',' || coalesce(manager_id::text, '-'), ';' ORDER BY id)), 1, 15))::bit(60)::bigint FROM employees",
		"SELECT count(*) - count(DISTINCT (sensor, value)) FROM readings",
	} {
		if got, want := queryInt(t, dst, q), queryInt(t, src, q); got != want {
			t.Errorf("%s: destination %d, source %d", q, got, want)
		}
	}
	for _, q := range []string{
		"SELECT count(*) FROM orders o LEFT JOIN users u ON u.id = o.user_id WHERE u.id IS NULL",
		"SELECT count(*) FROM employees e LEFT JOIN employees m ON m.id = e.manager_id WHERE e.manager_id IS NOT NULL AND m.id IS NULL",
		"SELECT count(*) FROM users WHERE email LIKE 'user%@example.com'",
	} {
		if got := queryInt(t, dst, q); got != 0 {
			t.Errorf("%s = %d, want 0", q, got)
		}
	}
	constraints := "SELECT count(*) FROM pg_constraint WHERE connamespace = 'public'::regnamespace AND convalidated"
	indexes := "SELECT count(*) FROM pg_indexes WHERE schemaname = 'public'"
	for _, q := range []string{constraints, indexes} {
		if got, want := queryInt(t, dst, q), queryInt(t, src, q); got != want {
			t.Errorf("%s: destination %d, source %d", q, got, want)
		}
	}
}

// killCampaign runs the crash job and kills a worker (SIGKILL) once in
// every phase it reaches, restarting a worker each time (restart=true) or
// leaving the remaining workers to finish (restart=false). It returns the
// time from each kill to the run's completion by phase.
func killCampaign(t *testing.T, s *stack, tc client.Client, jobID string, workers []*exec.Cmd, restart bool, kills []string) (map[string]time.Duration, []*exec.Cmd) {
	t.Helper()
	run, err := s.c.Jobs.CreateJobRun(testCtx(t, time.Minute), connect.NewRequest(&mgmt.CreateJobRunRequest{JobId: jobID}))
	if err != nil {
		t.Fatal(err)
	}
	r := run.Msg.GetJobRun()
	byPid := map[int]*exec.Cmd{}
	for _, w := range workers {
		byPid[w.Process.Pid] = w
	}
	killedAt := map[string]time.Time{}
	next := 0
	deadline := time.Now().Add(5 * time.Minute)
	for next < len(kills) && time.Now().Before(deadline) {
		act, identity := runningActivity(t, tc, r.GetWorkflowId())
		if act == "" || index(phases, act) < index(phases, kills[next]) {
			if cur := s.getRun(t, r.GetId()); final(cur) {
				break
			}
			time.Sleep(10 * time.Millisecond)
			continue
		}
		if index(phases, act) > index(phases, kills[next]) {
			t.Logf("missed the %s phase (the run is in %s)", kills[next], act)
			next++
			continue
		}
		w := byPid[pidOf(identity)]
		if w == nil {
			t.Fatalf("activity %s runs on %q, not one of our workers", act, identity)
		}
		_ = syscall.Kill(-w.Process.Pid, syscall.SIGKILL)
		_ = w.Wait()
		delete(byPid, w.Process.Pid)
		killedAt[act] = time.Now()
		t.Logf("killed worker %d during %s", w.Process.Pid, act)
		if restart {
			nw := s.startWorker(t)
			byPid[nw.Process.Pid] = nw
		}
		next++
	}
	done := s.waitRun(t, r.GetId(), 3*time.Minute, final)
	if done.GetStatus() != mgmt.JobRunStatus_JOB_RUN_STATUS_COMPLETE {
		t.Fatalf("run ended %v: %s", done.GetStatus(), done.GetError())
	}
	summary, _ := done.GetReport().AsMap()["summary"].(string)
	if !strings.Contains(summary, ": OK") {
		t.Errorf("report is not OK:\n%s", summary)
	}
	out := map[string]time.Duration{}
	end := done.GetCompletedAt().AsTime()
	for p, at := range killedAt {
		out[p] = end.Sub(at)
		if out[p] > 2*time.Minute {
			t.Errorf("killed during %s, the run completed %v later", p, out[p])
		}
	}
	if len(killedAt) < (len(kills)+1)/2 {
		t.Errorf("only %d of %d kills landed (%v)", len(killedAt), len(kills), killedAt)
	}
	// The run's events say which step was retried and why.
	events, err := s.c.Jobs.GetJobRunEvents(testCtx(t, time.Minute), connect.NewRequest(&mgmt.GetJobRunEventsRequest{JobRunId: r.GetId()}))
	if err != nil {
		t.Fatal(err)
	}
	lost := 0
	for _, e := range events.Msg.GetEvents() {
		if strings.Contains(e.GetMessage(), "worker lost") {
			lost++
			t.Logf("event: %s", e.GetMessage())
		}
	}
	if lost < len(killedAt) {
		t.Errorf("%d kills, but %d events say a worker was lost", len(killedAt), lost)
	}
	var live []*exec.Cmd
	for _, w := range byPid {
		live = append(live, w)
	}
	return out, live
}

// getRun reads a run once.
func (s *stack) getRun(t *testing.T, runID string) *mgmt.JobRun {
	t.Helper()
	resp, err := s.c.Jobs.GetJobRun(testCtx(t, time.Minute), connect.NewRequest(&mgmt.GetJobRunRequest{JobRunId: runID}))
	if err != nil {
		t.Fatalf("GetJobRun: %v", err)
	}
	return resp.Msg.GetJobRun()
}

func index(list []string, s string) int {
	for i, v := range list {
		if v == s {
			return i
		}
	}
	return -1
}

// TestWorkerKilledInEveryPhase kills the worker in each phase of a run
// (prepare, copy, update passes, finalize, verify) twice over two runs,
// restarting it at once; every run completes with the destination equal to
// the source in counts, checksums, duplicates, keys and indexes. Then two
// workers run the job and the one running a step is killed: the other
// finishes without a restart.
func TestWorkerKilledInEveryPhase(t *testing.T) {
	t.Parallel()
	s := startStack(t)
	tc, err := client.Dial(client.Options{HostPort: temporalAddr})
	if err != nil {
		t.Fatal(err)
	}
	defer tc.Close()
	src := newDatabase(t, "neosync_e2e_crash_src")
	execSQL(t, src, crashSchema)
	dst := newDatabase(t, "neosync_e2e_crash_dst")
	job, err := s.c.Jobs.CreateJob(testCtx(t, time.Minute), connect.NewRequest(&mgmt.CreateJobRequest{
		AccountId: s.accountID, JobName: "crash", Source: &mgmt.JobSource{Options: &mgmt.JobSource_Sync{Sync: &mgmt.SyncSourceOptions{ConnectionId: s.connection(t, "crash-src", src)}}},
		Destinations: []*mgmt.JobDestinationCreate{{ConnectionId: s.connection(t, "crash-dst", dst), Options: &mgmt.JobDestinationOptions{InitTableSchema: true, TruncateBeforeInsert: true}}},
		Mappings:     crashMappings(),
		SyncOptions:  &mgmt.ActivityOptions{HeartbeatTimeoutSeconds: ptr(int64(5))},
	}))
	if err != nil {
		t.Fatalf("CreateJob: %v", err)
	}
	jobID := job.Msg.GetJob().GetId()
	kills := []string{"PrepareDestination", "SyncTable", "RunUpdatePasses", "Finalize", "Verify"}
	live := []*exec.Cmd{s.startWorker(t)}
	for round := range 2 {
		var took map[string]time.Duration
		took, live = killCampaign(t, s, tc, jobID, live, true, kills)
		checkCrashDestination(t, src, dst)
		t.Logf("round %d: time from kill to completion by phase: %v", round+1, took)
	}
	// Two workers, one killed during Finalize: the other finishes.
	live = append(live, s.startWorker(t))
	took, _ := killCampaign(t, s, tc, jobID, live, false, []string{"Finalize"})
	checkCrashDestination(t, src, dst)
	t.Logf("two workers, one killed: %v", took)
}
