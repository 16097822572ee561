package e2e_test

import (
	"fmt"
	"net/url"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"connectrpc.com/connect"
	enumspb "go.temporal.io/api/enums/v1"
	workflowpb "go.temporal.io/api/workflow/v1"
	"go.temporal.io/sdk/client"

	mgmt "github.com/neosyncio/neosync/backend/gen/go/protos/mgmt/v1alpha1"
	"github.com/neosyncio/neosync/backend/pkg/sqlschema"
	"github.com/neosyncio/neosync/backend/pkg/testdb"
)

// rangeRows is the table of TestKeyRangesOnTwoWorkers and rangeSize its
// workers' NEOSYNC_RANGE_ROWS: 8 key ranges.
const (
	rangeRows = 600_000
	rangeSize = 75_000
)

// checksum is one number summing a table's rows in key order.
func checksum(cols string) string {
	return "SELECT ('x' || substr(md5(string_agg(" + cols + ", ';' ORDER BY id)), 1, 15))::bit(60)::bigint FROM big"
}

// startedRanges returns the identities of the workers running a SyncRange
// (or FanOutRange) activity of the workflow.
func startedRanges(t *testing.T, c client.Client, workflowID string) (running []string) {
	t.Helper()
	desc, err := c.DescribeWorkflowExecution(testCtx(t, 10*time.Second), workflowID, "")
	if err != nil {
		return nil
	}
	for _, p := range desc.GetPendingActivities() {
		// Into several destinations a range is one FanOutRange.
		if name := p.GetActivityType().GetName(); (name == "SyncRange" || name == "FanOutRange") && p.GetState() == enumspb.PENDING_ACTIVITY_STATE_STARTED {
			running = append(running, p.GetLastWorkerIdentity())
		}
	}
	return running
}

// heldRange returns the identity of the worker running the workflow's
// last range activity when that range is the only one left and Temporal
// holds a heartbeat of it with every destination's checkpoint past its
// start ("" otherwise): the range a rowHold stops, once the others are
// done.
func heldRange(t *testing.T, c client.Client, workflowID string) string {
	t.Helper()
	desc, err := c.DescribeWorkflowExecution(testCtx(t, 10*time.Second), workflowID, "")
	if err != nil {
		return ""
	}
	var ranges []*workflowpb.PendingActivityInfo
	for _, p := range desc.GetPendingActivities() {
		if name := p.GetActivityType().GetName(); name == "SyncRange" || name == "FanOutRange" {
			ranges = append(ranges, p)
		}
	}
	if len(ranges) != 1 || ranges[0].GetState() != enumspb.PENDING_ACTIVITY_STATE_STARTED {
		return ""
	}
	if d := ranges[0].GetHeartbeatDetails(); d == nil || len(d.GetPayloads()) == 0 || !checkpointsPastStart(d.GetPayloads()[0].GetData()) {
		return ""
	}
	return ranges[0].GetLastWorkerIdentity()
}

// TestKeyRangesOnTwoWorkers runs a job whose large table is split into key
// ranges on two worker processes, into two destinations; once both
// workers run ranges, it kills -9 the one running a range mid-range. The surviving worker takes the range
// over (resuming from its checkpoint, or removing what the dead attempt
// wrote in the range); the run completes with the exact row count, no
// duplicate key, the passthrough columns' checksum equal to the source's
// and the transformed destination's checksum equal to the other
// destination's (the same deterministic transformation, uninterrupted).
func TestKeyRangesOnTwoWorkers(t *testing.T) {
	t.Parallel()
	s := startStack(t)
	tc, err := client.Dial(client.Options{HostPort: temporalAddr})
	if err != nil {
		t.Fatal(err)
	}
	defer tc.Close()
	src := newDatabase(t, "neosync_e2e_range_src")
	execSQL(t, src, `CREATE TABLE big (id bigint PRIMARY KEY, email text NOT NULL, name text NOT NULL);
INSERT INTO big SELECT g, 'user' || g || '@example.com', 'User ' || g FROM generate_series(1, 600000) g;
ANALYZE big;`)
	dst1, dst2 := newDatabase(t, "neosync_e2e_range_dst1"), newDatabase(t, "neosync_e2e_range_dst2")
	owned := &mgmt.JobDestinationOptions{InitTableSchema: true, TruncateBeforeInsert: true, BatchSize: 2000}
	job, err := s.c.Jobs.CreateJob(testCtx(t, time.Minute), connect.NewRequest(&mgmt.CreateJobRequest{
		AccountId: s.accountID, JobName: "ranges", Source: &mgmt.JobSource{Options: &mgmt.JobSource_Sync{Sync: &mgmt.SyncSourceOptions{ConnectionId: s.connection(t, "range-src", src)}}},
		Destinations: []*mgmt.JobDestinationCreate{
			{ConnectionId: s.connection(t, "range-dst1", dst1), Options: owned},
			{ConnectionId: s.connection(t, "range-dst2", dst2), Options: owned},
		},
		Mappings: []*mgmt.JobMapping{
			mapping("big", "id", "passthrough", nil),
			mapping("big", "email", "transform_email", nil),
			mapping("big", "name", "passthrough", nil),
		},
		SyncOptions: &mgmt.ActivityOptions{HeartbeatTimeoutSeconds: ptr(int64(5))},
	}))
	if err != nil {
		t.Fatalf("CreateJob: %v", err)
	}
	// The range of id 5,001 waits there in dst1, two batches in.
	hold := newRowHold(t, dst1, 5001)
	done := runKillingOneRange(t, s, tc, job.Msg.GetJob().GetId(), hold, "NEOSYNC_RANGE_ROWS="+strconv.Itoa(rangeSize))
	rangeCopies{query: func(db, q string) int64 { return queryInt(t, db, q) }, sum: checksum,
		distinct: "count(DISTINCT id)", passthrough: "id || ',' || name", transformed: "id || ',' || email"}.check(t, src, dst1, dst2)
	checkRangeProgress(t, s, done, 8)
}

// runKillingOneRange runs the job on two worker processes with env (and
// two activities each); once both run key ranges, it kills -9 one
// mid-range: the victim is the worker whose range waits at hold's row (a
// destination's rowHold or mariaHold, a few batches into a range) once
// every other range is done, with its checkpoint in Temporal — however
// fast the machine copies. The hold is released after the kill. The run
// must complete with an OK report.
func runKillingOneRange(t *testing.T, s *stack, tc client.Client, jobID string, hold copyHold, env ...string) *mgmt.JobRun {
	t.Helper()
	env = append(env, "WORKER_MAX_CONCURRENT_ACTIVITIES=2")
	workers := map[int]*exec.Cmd{}
	for range 2 {
		w := s.startWorker(t, env...)
		workers[w.Process.Pid] = w
	}
	hold.hold()
	run, err := s.c.Jobs.CreateJobRun(testCtx(t, time.Minute), connect.NewRequest(&mgmt.CreateJobRunRequest{JobId: jobID}))
	if err != nil {
		t.Fatal(err)
	}
	r := run.Msg.GetJobRun()
	killed := false
	seen := map[string]bool{}
	for deadline := time.Now().Add(3 * time.Minute); !killed && time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if final(s.getRun(t, r.GetId())) {
			break
		}
		for _, id := range startedRanges(t, tc, r.GetWorkflowId()) {
			seen[id] = true
		}
		victim := ""
		if hold.held() {
			victim = heldRange(t, tc, r.GetWorkflowId())
		}
		w := workers[pidOf(victim)]
		if w == nil || len(seen) < 2 {
			continue
		}
		_ = syscall.Kill(-w.Process.Pid, syscall.SIGKILL)
		_ = w.Wait()
		killed = true
		hold.release()
		t.Logf("killed worker %d mid-range; ranges ran on %v", w.Process.Pid, seen)
	}
	if !killed {
		t.Fatal("no key range was caught waiting at the held row with its checkpoint in Temporal")
	}
	done := s.waitRun(t, r.GetId(), 4*time.Minute, final)
	if done.GetStatus() != mgmt.JobRunStatus_JOB_RUN_STATUS_COMPLETE {
		t.Fatalf("run ended %v: %s", done.GetStatus(), done.GetError())
	}
	if summary, _ := done.GetReport().AsMap()["summary"].(string); !strings.Contains(summary, ": OK") {
		t.Errorf("report is not OK:\n%s", summary)
	}
	return done
}

// checkRangeProgress checks that every destination's progress of table big
// is complete with every row and all its ranges, that the run's events say
// it was split into n ranges and that a range was resumed, and that the
// report's source count of big comes from the ranges' reads, with the
// resumed range counted on its own when it resumed from a checkpoint.
func checkRangeProgress(t *testing.T, s *stack, done *mgmt.JobRun, n int32) {
	t.Helper()
	for _, d := range anyList(done.GetReport().AsMap()["destinations"]) {
		for _, c := range anyList(d.(map[string]any)["tables"]) {
			m := c.(map[string]any)
			if name, _ := m["table"].(map[string]any); name["Table"] != "big" {
				continue
			}
			if from := m["source_from"]; (from != "copy ranges" && from != "copy ranges and counts of resumed ranges") || num(m, "source_rows") != rangeRows {
				t.Errorf("count of big: %v; want the source's %d rows from the copy's ranges", m, rangeRows)
			}
			t.Logf("count of big: %v", m)
		}
	}
	for _, tb := range done.GetTables() {
		if tb.GetTable() == "big" && (tb.GetState() != "complete" || tb.GetRowsDone() != rangeRows || tb.GetRangesDone() != n || tb.GetRangesTotal() != n) {
			t.Errorf("progress of big in %s: %s, %d rows, %d of %d ranges", tb.GetDestination(), tb.GetState(), tb.GetRowsDone(), tb.GetRangesDone(), tb.GetRangesTotal())
		}
	}
	events, err := s.c.Jobs.GetJobRunEvents(testCtx(t, time.Minute), connect.NewRequest(&mgmt.GetJobRunEventsRequest{JobRunId: done.GetId()}))
	if err != nil {
		t.Fatal(err)
	}
	var split, resumed bool
	for _, e := range events.Msg.GetEvents() {
		m := e.GetMessage()
		split = split || strings.Contains(m, fmt.Sprintf("copied in %d key ranges", n))
		if strings.Contains(m, "resuming") && strings.Contains(m, "range ") {
			resumed = true
			t.Logf("event: %s", m)
		}
	}
	if !split || !resumed {
		t.Errorf("events: split into %d ranges %v, a range resumed %v", n, split, resumed)
	}
}

// TestMySQLKeyRangesOnTwoWorkers is TestKeyRangesOnTwoWorkers on
// MariaDB: a table split into key ranges on two worker processes, one
// killed -9 mid-range, into two destinations: exact rows, no duplicate
// key, checksums equal to the source's (passthrough) and to each other's
// (transformed).
func TestMySQLKeyRangesOnTwoWorkers(t *testing.T) {
	t.Parallel()
	s := startStack(t)
	tc, err := client.Dial(client.Options{HostPort: temporalAddr})
	if err != nil {
		t.Fatal(err)
	}
	defer tc.Close()
	srcURL, _ := testdb.MySQL(t, "neosync_e2e_range_src")
	srv := openMariaServer(t, srcURL)
	u, err := url.Parse(srcURL)
	if err != nil {
		t.Fatal(err)
	}
	src := strings.TrimPrefix(u.Path, "/")
	srv.exec(t, src, "CREATE TABLE big (id bigint PRIMARY KEY, email varchar(100) NOT NULL, name varchar(100) NOT NULL)",
		"INSERT INTO big SELECT seq, CONCAT('user', seq, '@example.com'), CONCAT('User ', seq) FROM seq_1_to_600000",
		"ANALYZE TABLE big")
	dst1, dst2 := srv.database(t, "neosync_e2e_range_dst1"), srv.database(t, "neosync_e2e_range_dst2")
	owned := &mgmt.JobDestinationOptions{InitTableSchema: true, TruncateBeforeInsert: true, BatchSize: 2000}
	m := func(col, source string) *mgmt.JobMapping {
		return &mgmt.JobMapping{Schema: src, Table: "big", Column: col, Transformer: &mgmt.JobMappingTransformer{Source: source}}
	}
	job, err := s.c.Jobs.CreateJob(testCtx(t, time.Minute), connect.NewRequest(&mgmt.CreateJobRequest{
		AccountId: s.accountID, JobName: "mysql-ranges", Source: &mgmt.JobSource{Options: &mgmt.JobSource_Sync{Sync: &mgmt.SyncSourceOptions{ConnectionId: s.mysqlConnection(t, "range-src", srcURL)}}},
		Destinations: []*mgmt.JobDestinationCreate{
			{ConnectionId: s.mysqlConnection(t, "range-dst1", srv.url(dst1)), Options: owned},
			{ConnectionId: s.mysqlConnection(t, "range-dst2", srv.url(dst2)), Options: owned},
		},
		Mappings:    []*mgmt.JobMapping{m("id", "passthrough"), m("email", "transform_email"), m("name", "passthrough")},
		SyncOptions: &mgmt.ActivityOptions{HeartbeatTimeoutSeconds: ptr(int64(5))},
	}))
	if err != nil {
		t.Fatalf("CreateJob: %v", err)
	}
	// dst1's table, created here (init_table_schema keeps it), waits at
	// id 5,001, two batches into its range.
	qsrc, _ := sqlschema.QuoteMySQLIdentifier(src)
	srv.exec(t, dst1, "CREATE TABLE big LIKE "+qsrc+".big")
	hold := newMariaHold(t, srv, dst1, "big", "NEW.id = 5001")
	done := runKillingOneRange(t, s, tc, job.Msg.GetJob().GetId(), hold, "NEOSYNC_RANGE_ROWS="+strconv.Itoa(rangeSize))
	mysqlRangeCopies(t, srv, "id", "COUNT(DISTINCT id)").check(t, src, dst1, dst2)
	checkRangeProgress(t, s, done, 8)
}

// rangeCopies is how a two-destination range test reads one dialect.
type rangeCopies struct {
	query func(db, q string) int64 // runs q on database db
	sum   func(cols string) string // a query checksumming cols of big in key order
	// distinct counts big's distinct keys; passthrough and transformed are
	// the sum arguments over the key and the copied, or transformed, columns.
	distinct, passthrough, transformed string
}

// check fails unless both destinations hold exactly the source's rangeRows
// rows of big, no key twice, the source's passthrough columns, every email
// transformed, and the same transformed values.
func (c rangeCopies) check(t *testing.T, src, dst1, dst2 string) {
	t.Helper()
	for _, dst := range []string{dst1, dst2} {
		if got := c.query(dst, "SELECT count(*) FROM big"); got != rangeRows {
			t.Errorf("destination %s has %d rows, want %d", dst, got, rangeRows)
		}
		if got := c.query(dst, "SELECT count(*) - "+c.distinct+" FROM big"); got != 0 {
			t.Errorf("destination %s has %d duplicate keys", dst, got)
		}
		if got, want := c.query(dst, c.sum(c.passthrough)), c.query(src, c.sum(c.passthrough)); got != want {
			t.Errorf("destination %s: passthrough checksum %d, source %d", dst, got, want)
		}
		if got := c.query(dst, "SELECT count(*) FROM big WHERE email LIKE 'user%@example.com'"); got != 0 {
			t.Errorf("destination %s: %d emails were not transformed", dst, got)
		}
	}
	if got, want := c.query(dst1, c.sum(c.transformed)), c.query(dst2, c.sum(c.transformed)); got != want {
		t.Errorf("transformed checksum: killed destination %d, other %d", got, want)
	}
}

// mysqlRangeCopies is rangeCopies on the MariaDB server srv; key is big's
// key as a CONCAT_WS argument list, distinct counts its distinct values.
func mysqlRangeCopies(t *testing.T, srv *mariaServer, key, distinct string) rangeCopies {
	return rangeCopies{
		query: func(db, q string) int64 {
			t.Helper()
			var n int64
			qdb, _ := sqlschema.QuoteMySQLIdentifier(db)
			if err := srv.admin.QueryRowContext(testCtx(t, time.Minute), strings.ReplaceAll(q, "big", qdb+".big")).Scan(&n); err != nil {
				t.Fatalf("%s on %s: %v", q, db, err)
			}
			return n
		},
		sum: func(cols string) string {
			return "SELECT COALESCE(SUM(CRC32(CONCAT_WS(',', " + cols + "))), 0) FROM big"
		},
		distinct: distinct, passthrough: key + ", name", transformed: key + ", email",
	}
}
