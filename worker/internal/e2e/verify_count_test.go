package e2e_test

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"connectrpc.com/connect"

	mgmt "github.com/neosyncio/neosync/backend/gen/go/protos/mgmt/v1alpha1"
)

// countRows is the table of the verification count tests and
// countRangeSize their workers' NEOSYNC_RANGE_ROWS: 8 key ranges, and
// more rows than StartRun counts exactly (100,000), so the only reads of
// the source table are the copy's and whatever Verify adds.
const (
	countRows      = 240_000
	countRangeSize = 30_000
)

// pgRowsRead is how many rows of table the scans of a Postgres database
// have returned so far: sequential scans' tuples plus every index's
// entries (an index-only count(*) reads its index).
func pgRowsRead(t *testing.T, dbURL, table string) int64 {
	t.Helper()
	return queryInt(t, dbURL, `SELECT coalesce(s.seq_tup_read, 0) + coalesce((SELECT sum(i.idx_tup_read) FROM pg_stat_user_indexes i WHERE i.relid = s.relid), 0)::bigint
FROM pg_stat_user_tables s WHERE s.schemaname = 'public' AND s.relname = '`+table+`'`)
}

// waitIdle waits (at most 20 s) until no session but the test's is
// connected to a Postgres database: a backend reports its scans to the
// statistics when it ends (or, idle, within 10 s).
func waitIdle(t *testing.T, dbURL string) {
	t.Helper()
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(200 * time.Millisecond) {
		if queryInt(t, dbURL, "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()") == 0 {
			return
		}
	}
	t.Logf("sessions still connected to the source after 20 s; their statistics are at most 10 s old")
	time.Sleep(11 * time.Second)
}

// tableCount returns the report's row count of table in its only
// destination.
func tableCount(t *testing.T, done *mgmt.JobRun, table string) map[string]any {
	t.Helper()
	dests, _ := done.GetReport().AsMap()["destinations"].([]any)
	if len(dests) != 1 {
		t.Fatalf("report has %d destinations", len(dests))
	}
	for _, c := range anyList(dests[0].(map[string]any)["tables"]) {
		m := c.(map[string]any)
		if name, _ := m["table"].(map[string]any); name["Table"] == table {
			return m
		}
	}
	t.Fatalf("the report has no row count of %s:\n%v", table, done.GetReport().AsMap()["summary"])
	return nil
}

// num reads a JSON number of a report.
func num(m map[string]any, k string) int64 { f, _ := m[k].(float64); return int64(f) }

// runOnce runs a job once and waits for it to complete.
func (s *stack) runOnce(t *testing.T, jobID string) *mgmt.JobRun {
	t.Helper()
	run, err := s.c.Jobs.CreateJobRun(testCtx(t, time.Minute), connect.NewRequest(&mgmt.CreateJobRunRequest{JobId: jobID}))
	if err != nil {
		t.Fatal(err)
	}
	done := s.waitRun(t, run.Msg.GetJobRun().GetId(), 8*time.Minute, final)
	if done.GetStatus() != mgmt.JobRunStatus_JOB_RUN_STATUS_COMPLETE {
		t.Fatalf("run ended %v: %s", done.GetStatus(), done.GetError())
	}
	return done
}

// TestRangedTableVerifiedFromItsRanges: a Postgres table copied in 8 key
// ranges by two worker processes is verified without counting the
// source — its source count is the sum of the rows the ranges read, which
// the workflow hands Verify whichever worker copied each range (before,
// Verify ran count(*) on the source: a second read of the whole table) —
// and a destination that lost rows of one range still fails the report:
// the destination's count is its own. The destination table drops 100
// rows of one range after every insert statement (a trigger), which the
// copy cannot see. A small table beside it, copied in a batch on either
// worker, takes its source count from its copy too.
func TestRangedTableVerifiedFromItsRanges(t *testing.T) {
	t.Parallel()
	s := startStack(t)
	src, dst := newDatabase(t, "neosync_e2e_vcount_src"), newDatabase(t, "neosync_e2e_vcount_dst")
	const table = `CREATE TABLE big (id bigint PRIMARY KEY, email text NOT NULL, name text NOT NULL);`
	const small = `CREATE TABLE small (id int PRIMARY KEY, name text NOT NULL);`
	execSQL(t, src, table+small+fmt.Sprintf(`
INSERT INTO big SELECT g, 'user' || g || '@example.com', 'User ' || g FROM generate_series(1, %d) g;
INSERT INTO small SELECT g, 'small ' || g FROM generate_series(1, 500) g;
ANALYZE big;`, countRows))
	execSQL(t, dst, small+table+`
CREATE FUNCTION lose_rows() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN DELETE FROM public.big WHERE id > 100000 AND id <= 100100; RETURN NULL; END $$;
CREATE TRIGGER lose_rows AFTER INSERT ON big FOR EACH STATEMENT EXECUTE FUNCTION lose_rows();
ALTER TABLE big ENABLE ALWAYS TRIGGER lose_rows;`)
	job, err := s.c.Jobs.CreateJob(testCtx(t, time.Minute), connect.NewRequest(&mgmt.CreateJobRequest{
		AccountId: s.accountID, JobName: "verify-ranges", Source: &mgmt.JobSource{Options: &mgmt.JobSource_Sync{Sync: &mgmt.SyncSourceOptions{ConnectionId: s.connection(t, "vcount-src", src)}}},
		Destinations: []*mgmt.JobDestinationCreate{{ConnectionId: s.connection(t, "vcount-dst", dst),
			Options: &mgmt.JobDestinationOptions{TruncateBeforeInsert: true, BatchSize: 5000}}},
		Mappings: []*mgmt.JobMapping{
			mapping("big", "id", "passthrough", nil),
			mapping("big", "email", "transform_email", nil),
			mapping("big", "name", "passthrough", nil),
			mapping("small", "id", "passthrough", nil),
			mapping("small", "name", "passthrough", nil),
		},
	}))
	if err != nil {
		t.Fatalf("CreateJob: %v", err)
	}
	for range 2 {
		s.startWorker(t, "NEOSYNC_RANGE_ROWS="+strconv.Itoa(countRangeSize), "WORKER_MAX_CONCURRENT_ACTIVITIES=2")
	}
	before := pgRowsRead(t, src, "big")
	done := s.runOnce(t, job.Msg.GetJob().GetId())
	waitIdle(t, src)
	read := pgRowsRead(t, src, "big") - before
	c := tableCount(t, done, "big")
	t.Logf("count of big: %v; the run read %d rows of the source's big", c, read)
	if c["source_from"] != "copy ranges" || num(c, "source_rows") != countRows || num(c, "dest_rows") != countRows-100 {
		t.Errorf("count of big %v: want the source's %d rows from the copy ranges, the destination's %d", c, countRows, countRows-100)
	}
	if c := tableCount(t, done, "small"); c["source_from"] != "copy snapshot" || num(c, "source_rows") != 500 || num(c, "dest_rows") != 500 {
		t.Errorf("count of small %v: want 500 rows read by its copy", c)
	}
	if status := done.GetReport().AsMap()["status"]; status != "FAIL" {
		t.Errorf("report status %v with 100 rows missing in the destination, want FAIL:\n%v", status, done.GetReport().AsMap()["summary"])
	}
	// The copy reads each row once; a count of the source would read
	// them all again.
	if read < countRows || read > countRows*3/2 {
		t.Errorf("the run read %d rows of the source's big (%d rows): want one read by the copy and no count", read, countRows)
	}
}

// TestMySQLRangedTableVerifiedFromItsRanges is
// TestRangedTableVerifiedFromItsRanges' count on MariaDB: the rows the
// run reads from the source table (the server's per-table statistics,
// userstat) are the copy's alone, and the report's source count is the
// ranges' sum. (The table's planted leaks make the report FAIL on its
// leak scan, which this test does not look at.)
func TestMySQLRangedTableVerifiedFromItsRanges(t *testing.T) {
	t.Parallel()
	s := startStack(t)
	srv, srcURL, src := createMySQLSketchTable(t, "neosync_e2e_vcount_src", countRows)
	// userstat keeps per-table read counters (information_schema.TABLE_STATISTICS).
	var userstat string
	if err := srv.admin.QueryRowContext(testCtx(t, time.Minute), "SELECT @@GLOBAL.userstat").Scan(&userstat); err != nil {
		t.Fatal(err)
	}
	if userstat != "1" && !strings.EqualFold(userstat, "ON") {
		srv.exec(t, src, "SET GLOBAL userstat = 1")
		// The setting is the server's, not the test's: put it back.
		t.Cleanup(func() {
			if _, err := srv.admin.ExecContext(context.Background(), "SET GLOBAL userstat = 0"); err != nil {
				t.Logf("turn MariaDB's userstat off again: %v", err)
			}
		})
	}
	dst := srv.database(t, "neosync_e2e_vcount_dst")
	jobID := s.mysqlSketchJob(t, "mysql-verify-ranges", srcURL, srv.url(dst), src)
	rowsRead := func() int64 {
		var n int64
		err := srv.admin.QueryRowContext(testCtx(t, time.Minute), "SELECT COALESCE(SUM(ROWS_READ), 0) FROM information_schema.TABLE_STATISTICS WHERE TABLE_SCHEMA = ? AND TABLE_NAME = 'big'", src).Scan(&n)
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	s.startWorker(t, "NEOSYNC_RANGE_ROWS="+strconv.Itoa(countRangeSize))
	before := rowsRead()
	done := s.runOnce(t, jobID)
	read := rowsRead() - before
	c := tableCount(t, done, "big")
	t.Logf("count of big: %v; the run read %d rows of the source's big", c, read)
	if c["source_from"] != "copy ranges" || num(c, "source_rows") != countRows || num(c, "dest_rows") != countRows {
		t.Errorf("count of big %v: want %d rows from the copy ranges", c, countRows)
	}
	if read < countRows || read > countRows*3/2 {
		t.Errorf("the run read %d rows of the source's big (%d rows): want one read by the copy and no count", read, countRows)
	}
}

// pgRowsReadOf is pgRowsRead of several tables.
func pgRowsReadOf(t *testing.T, dbURL string, tables []string) map[string]int64 {
	t.Helper()
	out := map[string]int64{}
	for _, table := range tables {
		out[table] = pgRowsRead(t, dbURL, table)
	}
	return out
}
