package e2e_test

import (
	"encoding/json"
	"net/url"
	"strings"
	"syscall"
	"testing"
	"time"

	"connectrpc.com/connect"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"

	mgmt "github.com/neosyncio/neosync/backend/gen/go/protos/mgmt/v1alpha1"
)

// heapReads is how many rows of the keyed crash tables (users, orders) the
// source's heap handed out so far (pg_stat_user_tables' seq_tup_read +
// idx_tup_fetch), once every other session of the source database has
// ended — a PostgreSQL backend flushes its statistics when it exits, and
// the worker closes its source connections at the end of each activity.
func heapReads(t *testing.T, src string) int64 {
	t.Helper()
	u, err := url.Parse(src)
	if err != nil {
		t.Fatal(err)
	}
	db := strings.TrimPrefix(u.Path, "/")
	for deadline := time.Now().Add(time.Minute); ; time.Sleep(200 * time.Millisecond) {
		n := queryInt(t, src, "SELECT count(*) FROM pg_stat_activity WHERE datname = '"+db+"' AND pid <> pg_backend_pid()")
		if n == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d sessions still use the source", n)
		}
	}
	return queryInt(t, src, `SELECT sum(coalesce(seq_tup_read, 0) + coalesce(idx_tup_fetch, 0))::bigint FROM pg_stat_user_tables WHERE relname IN ('users', 'orders')`)
}

// checkpointsPastStart reports whether a fan-out heartbeat's details hold
// a checkpoint past the start for each destination.
func checkpointsPastStart(data []byte) bool {
	var beat struct {
		Cps []*struct {
			Rows int64 `json:"rows"`
		} `json:"cps"`
	}
	if json.Unmarshal(data, &beat) != nil || len(beat.Cps) == 0 {
		return false
	}
	for _, cp := range beat.Cps {
		if cp == nil || cp.Rows == 0 {
			return false
		}
	}
	return true
}

// fanOutJob creates the crash job into two owned destinations.
func fanOutJob(t *testing.T, s *stack, src, dst1, dst2 string, heartbeatSeconds int64, extra ...*mgmt.JobMapping) string {
	t.Helper()
	owned := &mgmt.JobDestinationOptions{InitTableSchema: true, TruncateBeforeInsert: true, BatchSize: 5000}
	job, err := s.c.Jobs.CreateJob(testCtx(t, time.Minute), connect.NewRequest(&mgmt.CreateJobRequest{
		AccountId: s.accountID, JobName: "fan-out", Source: &mgmt.JobSource{Options: &mgmt.JobSource_Sync{Sync: &mgmt.SyncSourceOptions{ConnectionId: s.connection(t, "fan-src", src)}}},
		Destinations: []*mgmt.JobDestinationCreate{
			{ConnectionId: s.connection(t, "fan-dst1", dst1), Options: owned},
			{ConnectionId: s.connection(t, "fan-dst2", dst2), Options: owned},
		},
		Mappings:    append(crashMappings(), extra...),
		SyncOptions: &mgmt.ActivityOptions{HeartbeatTimeoutSeconds: ptr(heartbeatSeconds)},
	}))
	if err != nil {
		t.Fatalf("CreateJob: %v", err)
	}
	return job.Msg.GetJob().GetId()
}

// checkBothDestinations checks each destination against the source, and
// the transformed column (users.email) of one against the other's.
func checkBothDestinations(t *testing.T, src, dst1, dst2 string) {
	t.Helper()
	checkCrashDestination(t, src, dst1)
	checkCrashDestination(t, src, dst2)
	q := "SELECT ('x' || substr(md5(string_agg(id || ',' || email, ';' ORDER BY id)), 1, 15))::bit(60)::bigint FROM users"
	if a, b := queryInt(t, dst1, q), queryInt(t, dst2, q); a != b {
		t.Errorf("transformed emails differ between the destinations: checksums %d and %d", a, b)
	}
}

// TestFanOutReadsTheSourceOnce runs a job into two destinations and counts,
// on the source, the rows its copies read: the rows of the keyed tables
// once, not once per destination. The count is PostgreSQL's heap tuple
// statistics; the source database runs with enable_seqscan off and is
// vacuumed, so the run's row counts (StartRun's, and each destination's
// verification) are index-only scans that fetch no heap tuple, and what
// is fetched is what the copies read.
func TestFanOutReadsTheSourceOnce(t *testing.T) {
	t.Parallel()
	s := startStack(t)
	src := newDatabase(t, "neosync_e2e_fan_src")
	execSQL(t, src, crashSchema)
	// Two small tables: copied in a batch (FanOutBatch).
	execSQL(t, src, `CREATE TABLE tags (id int PRIMARY KEY, label text NOT NULL);
INSERT INTO tags SELECT g, 'tag ' || g FROM generate_series(1, 500) g;
CREATE TABLE notes (body text);
INSERT INTO notes SELECT 'note ' || (g % 50) FROM generate_series(1, 300) g;`)
	execSQL(t, src, "VACUUM ANALYZE")
	u, _ := url.Parse(src)
	execSQL(t, src, `ALTER DATABASE "`+strings.TrimPrefix(u.Path, "/")+`" SET enable_seqscan = off`)
	dst1, dst2 := newDatabase(t, "neosync_e2e_fan_dst1"), newDatabase(t, "neosync_e2e_fan_dst2")
	jobID := fanOutJob(t, s, src, dst1, dst2, 5,
		mapping("tags", "id", "passthrough", nil), mapping("tags", "label", "transform_hash", nil), mapping("notes", "body", "passthrough", nil))
	s.startWorker(t)
	before := heapReads(t, src)
	run, err := s.c.Jobs.CreateJobRun(testCtx(t, time.Minute), connect.NewRequest(&mgmt.CreateJobRunRequest{JobId: jobID}))
	if err != nil {
		t.Fatal(err)
	}
	done := s.waitRun(t, run.Msg.GetJobRun().GetId(), 4*time.Minute, final)
	if done.GetStatus() != mgmt.JobRunStatus_JOB_RUN_STATUS_COMPLETE {
		t.Fatalf("run ended %v: %s", done.GetStatus(), done.GetError())
	}
	if summary, _ := done.GetReport().AsMap()["summary"].(string); !strings.Contains(summary, ": OK") {
		t.Errorf("report is not OK:\n%s", summary)
	}
	read := heapReads(t, src) - before
	rows := crashCounts["users"] + crashCounts["orders"]
	t.Logf("two destinations: the source's users and orders (%d rows) handed out %d rows (%.2f reads)", rows, read, float64(read)/float64(rows))
	if read < rows {
		t.Fatalf("the source handed out %d rows, fewer than the %d copied: the count does not see the copy", read, rows)
	}
	if read >= rows+rows/2 {
		t.Errorf("the source handed out %d rows for %d rows into two destinations: read more than once", read, rows)
	}
	checkBothDestinations(t, src, dst1, dst2)
	small := map[string]int64{"tags": 500, "notes": 300}
	for _, dst := range []string{dst1, dst2} {
		for table, n := range small {
			if got := queryInt(t, dst, "SELECT count(*) FROM "+table); got != n {
				t.Errorf("%s has %d rows, want %d", table, got, n)
			}
		}
		if got := queryInt(t, dst, "SELECT count(*) FROM tags WHERE label LIKE 'tag %'"); got != 0 {
			t.Errorf("%d tag labels were not transformed", got)
		}
	}
	q := "SELECT ('x' || substr(md5(string_agg(id || ',' || label, ';' ORDER BY id)), 1, 15))::bit(60)::bigint FROM tags"
	if a, b := queryInt(t, dst1, q), queryInt(t, dst2, q); a != b {
		t.Errorf("transformed tags differ between the destinations")
	}
	for _, tb := range done.GetTables() {
		want, ok := crashCounts[tb.GetTable()]
		if !ok {
			want = small[tb.GetTable()]
		}
		if tb.GetState() != "complete" || tb.GetRowsDone() != want {
			t.Errorf("progress of %s in %s: %s, %d rows", tb.GetTable(), tb.GetDestination(), tb.GetState(), tb.GetRowsDone())
		}
	}
	if want := 2 * (len(crashCounts) + len(small)); len(done.GetTables()) != want {
		t.Errorf("%d table progress rows, want %d (each table in each destination)", len(done.GetTables()), want)
	}
}

// TestFanOutWorkerKilledMidCopy kills -9 the worker while it copies a table
// into two destinations from one read, and starts another: the copy
// resumes each destination from its own checkpoint and both end exact
// (counts, checksums, duplicates of the keyless table, keys, indexes, no
// orphan), with the same transformed values.
func TestFanOutWorkerKilledMidCopy(t *testing.T) {
	t.Parallel()
	s := startStack(t)
	tc, err := client.Dial(client.Options{HostPort: temporalAddr})
	if err != nil {
		t.Fatal(err)
	}
	defer tc.Close()
	src := newDatabase(t, "neosync_e2e_fankill_src")
	execSQL(t, src, crashSchema)
	dst1, dst2 := newDatabase(t, "neosync_e2e_fankill_dst1"), newDatabase(t, "neosync_e2e_fankill_dst2")
	// A short heartbeat timeout: the SDK sends heartbeats at most every
	// 80 % of it, and the kill waits for one with checkpoints.
	jobID := fanOutJob(t, s, src, dst1, dst2, 2)
	// The copy of users waits at row 100,001 in dst1, 20 batches in,
	// however fast this machine copies, until the worker is killed.
	hold := newRowHoldWhere(t, dst1, "users", "NEW.id = 100001")
	hold.hold()
	r, w := s.startRun(t, jobID)
	killed := ""
	for deadline := time.Now().Add(3 * time.Minute); killed == "" && time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if final(s.getRun(t, r.GetId())) {
			break
		}
		desc, err := tc.DescribeWorkflowExecution(testCtx(t, 10*time.Second), r.GetWorkflowId(), "")
		if err != nil {
			continue
		}
		// The fan-out copy of users held mid-table: killed once Temporal
		// holds a heartbeat with both destinations' checkpoints (so each
		// resumes from its own).
		copying, beat := false, ""
		for _, p := range desc.GetPendingActivities() {
			if p.GetActivityType().GetName() == "FanOutTable" && p.GetState() == enumspb.PENDING_ACTIVITY_STATE_STARTED {
				copying = true
				if d := p.GetHeartbeatDetails(); d != nil && len(d.GetPayloads()) > 0 && checkpointsPastStart(d.GetPayloads()[0].GetData()) {
					beat = string(d.GetPayloads()[0].GetData())
				}
			}
		}
		if !copying || beat == "" || !hold.held() {
			continue
		}
		_ = syscall.Kill(-w.Process.Pid, syscall.SIGKILL)
		_ = w.Wait()
		hold.release()
		killed = beat
	}
	if killed == "" {
		t.Fatal("no fan-out copy was caught mid-table")
	}
	t.Logf("killed the worker mid-copy; last heartbeat %.300s", killed)
	s.startWorker(t)
	done := s.waitRun(t, r.GetId(), 4*time.Minute, final)
	if done.GetStatus() != mgmt.JobRunStatus_JOB_RUN_STATUS_COMPLETE {
		t.Fatalf("run ended %v: %s", done.GetStatus(), done.GetError())
	}
	if summary, _ := done.GetReport().AsMap()["summary"].(string); !strings.Contains(summary, ": OK") {
		t.Errorf("report is not OK:\n%s", summary)
	}
	checkBothDestinations(t, src, dst1, dst2)
	events, err := s.c.Jobs.GetJobRunEvents(testCtx(t, time.Minute), connect.NewRequest(&mgmt.GetJobRunEventsRequest{JobRunId: r.GetId()}))
	if err != nil {
		t.Fatal(err)
	}
	resumed := false
	for _, e := range events.Msg.GetEvents() {
		if strings.Contains(e.GetMessage(), "into 2 destinations") && strings.Contains(e.GetMessage(), "resuming") {
			resumed = true
			t.Logf("event: %s", e.GetMessage())
		}
	}
	if !resumed {
		t.Error("no event says the fan-out copy resumed")
	}
	// Both destinations' leak scans of the resumed table come from the
	// copy: the read resumed with the sketches stored for its checkpoint.
	checkNoReread(t, s, r.GetId())
	dests, _ := done.GetReport().AsMap()["destinations"].([]any)
	scans := 0
	for _, d := range dests {
		for _, l := range anyList(d.(map[string]any)["leaks"]) {
			m := l.(map[string]any)
			if tm, _ := m["table"].(map[string]any); tm["Table"] == "users" && m["column"] == "email" {
				scans++
				if m["method"] != "copy" {
					t.Errorf("leak scan of users.email in %v measured by %v, want the copy", d.(map[string]any)["destination"], m["method"])
				}
			}
		}
	}
	if scans != 2 {
		t.Errorf("%d leak scans of users.email, want one per destination", scans)
	}
}

// TestFanOutOneDestinationFails runs a job into two destinations, one of
// which refuses part of a table (a CHECK constraint): the run fails naming
// that destination and the constraint, the other destination received the
// whole table, and the failing one holds exactly the batches before the
// refused row.
func TestFanOutOneDestinationFails(t *testing.T) {
	t.Parallel()
	s := startStack(t)
	src := newDatabase(t, "neosync_e2e_fanfail_src")
	execSQL(t, src, crashSchema)
	dst1, dst2 := newDatabase(t, "neosync_e2e_fanfail_dst1"), newDatabase(t, "neosync_e2e_fanfail_dst2")
	// dst2 is appended to: the job's tables exist there, users with a
	// CHECK the source's rows break from id 100000 on.
	execSQL(t, dst2, crashSchema[:strings.Index(crashSchema, "INSERT")]+"ALTER TABLE users ADD CONSTRAINT below CHECK (id < 100000);")
	owned := &mgmt.JobDestinationOptions{InitTableSchema: true, TruncateBeforeInsert: true, BatchSize: 5000}
	job, err := s.c.Jobs.CreateJob(testCtx(t, time.Minute), connect.NewRequest(&mgmt.CreateJobRequest{
		AccountId: s.accountID, JobName: "fan-out-fail", Source: &mgmt.JobSource{Options: &mgmt.JobSource_Sync{Sync: &mgmt.SyncSourceOptions{ConnectionId: s.connection(t, "fanfail-src", src)}}},
		Destinations: []*mgmt.JobDestinationCreate{
			{ConnectionId: s.connection(t, "fanfail-dst1", dst1), Options: owned},
			{ConnectionId: s.connection(t, "fanfail-dst2", dst2), Options: &mgmt.JobDestinationOptions{BatchSize: 5000}},
		},
		Mappings:    crashMappings(),
		SyncOptions: &mgmt.ActivityOptions{HeartbeatTimeoutSeconds: ptr(int64(5))},
	}))
	if err != nil {
		t.Fatalf("CreateJob: %v", err)
	}
	s.startWorker(t)
	run, err := s.c.Jobs.CreateJobRun(testCtx(t, time.Minute), connect.NewRequest(&mgmt.CreateJobRunRequest{JobId: job.Msg.GetJob().GetId()}))
	if err != nil {
		t.Fatal(err)
	}
	done := s.waitRun(t, run.Msg.GetJobRun().GetId(), 4*time.Minute, final)
	t.Logf("run %v: %s", done.GetStatus(), done.GetError())
	if done.GetStatus() != mgmt.JobRunStatus_JOB_RUN_STATUS_FAILED {
		t.Fatalf("run ended %v, want failed", done.GetStatus())
	}
	if msg := done.GetError(); !strings.Contains(msg, "table public.users: destination fanfail-dst2: batch 20 (rows 95001 and on)") || !strings.Contains(msg, `"below"`) {
		t.Errorf("run error %q: want the table, the destination, the batch and the constraint", msg)
	}
	if got := queryInt(t, dst1, "SELECT count(*) FROM users"); got != crashCounts["users"] {
		t.Errorf("the other destination has %d users, want %d", got, crashCounts["users"])
	}
	sum := "SELECT ('x' || substr(md5(string_agg(id || ',' || name, ';' ORDER BY id)), 1, 15))::bit(60)::bigint FROM users"
	if got, want := queryInt(t, dst1, sum), queryInt(t, src, sum); got != want {
		t.Errorf("the other destination's users checksum %d, source %d", got, want)
	}
	if got := queryInt(t, dst2, "SELECT count(*) FROM users"); got != 95000 {
		t.Errorf("the failing destination has %d users, want the 95000 of the batches before the refused row", got)
	}
	if got := queryInt(t, dst2, "SELECT count(*) - count(DISTINCT id) FROM users"); got != 0 {
		t.Errorf("the failing destination has %d duplicate users", got)
	}
}
