package e2e_test

import (
	"database/sql"
	"fmt"
	"math"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"connectrpc.com/connect"
	"github.com/brianvoe/gofakeit/v7/data"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"
	"google.golang.org/protobuf/types/known/structpb"

	mgmt "github.com/neosyncio/neosync/backend/gen/go/protos/mgmt/v1alpha1"
	"github.com/neosyncio/neosync/backend/pkg/sqlschema"
	"github.com/neosyncio/neosync/backend/pkg/testdb"
)

// The planted-leak table of the range sketch tests: sketchRows rows in
// key ranges of sketchRangeSize rows (8 ranges), on two workers.
const (
	sketchRows      = 100_000
	sketchRangeSize = 12_500
)

// sketchColumns are the transformed columns of the planted-leak table, in
// table order.
var sketchColumns = []string{"email", "first_name", "last_name", "city"}

// uniqueLength returns a name of list whose length no other name of the
// list has: transform_*_name with preserve_length can only write that
// name back.
func uniqueLength(t *testing.T, list []string) string {
	t.Helper()
	n := map[int]int{}
	for _, s := range list {
		n[len(s)]++
	}
	for _, s := range list {
		if n[len(s)] == 1 {
			return s
		}
	}
	t.Fatal("every name length is shared")
	return ""
}

// sketchValues are the source columns as SQL expressions of the row number
// g (its column name, a dialect's modulo and concatenation are passed in), with planted
// leaks:
//   - email (transform_email passing invalid emails through): the 1 % of
//     invalid ones keep their own value;
//   - first_name, last_name (transform_*_name preserving length): the 4 %
//     of rows holding a name of a length only it has keep it — both
//     together: row-level re-identification;
//   - city (generate_city): 10 cities of the generator's own list, which
//     its outputs hit.
func sketchValues(t *testing.T, g string, mod func(n int) string, concat func(parts ...string) string) []string {
	ufirst, ulast := uniqueLength(t, data.Person["first"]), uniqueLength(t, data.Person["last"])
	city := "(CASE " + mod(10)
	for i, c := range data.Address["city"][:10] {
		city += fmt.Sprintf(" WHEN %d THEN '%s'", i, strings.ReplaceAll(c, "'", "''"))
	}
	return []string{
		fmt.Sprintf("CASE WHEN %s = 0 THEN %s ELSE %s END", mod(100), concat("'not-an-email-'", g), concat("'user'", g, "'@example.com'")),
		fmt.Sprintf("CASE WHEN %s = 0 THEN '%s' ELSE 'Ann' END", mod(25), ufirst),
		fmt.Sprintf("CASE WHEN %s = 0 THEN '%s' ELSE 'Lee' END", mod(25), ulast),
		city + " END)",
	}
}

// sketchMappings maps the planted-leak table big of schema.
func sketchMappings(schema string) []*mgmt.JobMapping { return sketchTableMappings(schema, "big") }

// sketchTableMappings maps a planted-leak table of schema.
func sketchTableMappings(schema, table string) []*mgmt.JobMapping {
	m := func(column, source string, cfg map[string]any) *mgmt.JobMapping {
		tm := &mgmt.JobMapping{Schema: schema, Table: table, Column: column, Transformer: &mgmt.JobMappingTransformer{Source: source}}
		if cfg != nil {
			tm.Transformer.Config, _ = structpb.NewStruct(cfg)
		}
		return tm
	}
	return []*mgmt.JobMapping{
		m("id", "passthrough", nil),
		m("email", "transform_email", map[string]any{"invalid_email_action": "passthrough"}),
		m("first_name", "transform_first_name", map[string]any{"preserve_length": true}),
		m("last_name", "transform_last_name", map[string]any{"preserve_length": true}),
		m("city", "generate_city", nil),
	}
}

// sketchRow is a row's transformed columns, in sketchColumns' order.
type sketchRow [4]string

// readSketchRows reads table big's rows by id.
func readSketchRows(t *testing.T, rows func() (*sql.Rows, error)) map[int64]sketchRow {
	t.Helper()
	rs, err := rows()
	if err != nil {
		t.Fatal(err)
	}
	defer rs.Close()
	return scanSketchRows(t, rs)
}

// scanSketchRows collects (id, email, first_name, last_name, city) rows
// of database/sql or pgx by id.
func scanSketchRows(t *testing.T, rs interface {
	Next() bool
	Scan(...any) error
	Err() error
}) map[int64]sketchRow {
	t.Helper()
	out := map[int64]sketchRow{}
	for rs.Next() {
		var id int64
		var r sketchRow
		if err := rs.Scan(&id, &r[0], &r[1], &r[2], &r[3]); err != nil {
			t.Fatal(err)
		}
		out[id] = r
	}
	if err := rs.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// sketchTruth is the full re-read the merged sketches must agree with:
// per column, the destination rows whose value the source column holds in
// any row and those equal to their own source row's; and the rows that
// kept both quasi-identifiers (first_name, last_name).
func sketchTruth(src, dst map[int64]sketchRow) (equal, self [4]int64, reid int64) {
	var inSrc [4]map[string]bool
	for c := range inSrc {
		inSrc[c] = map[string]bool{}
		for _, r := range src {
			inSrc[c][r[c]] = true
		}
	}
	for id, r := range dst {
		for c := range r {
			if inSrc[c][r[c]] {
				equal[c]++
			}
			if src[id][c] == r[c] {
				self[c]++
			}
		}
		if src[id][1] == r[1] && src[id][2] == r[2] {
			reid++
		}
	}
	return equal, self, reid
}

// rangeWorkers returns the identities of the workers that completed the
// run's SyncRange activities, from the workflow's history.
func rangeWorkers(t *testing.T, tc client.Client, workflowID string) map[string]int {
	t.Helper()
	ctx := testCtx(t, time.Minute)
	it := tc.GetWorkflowHistory(ctx, workflowID, "", false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	ranges := map[int64]bool{}
	started := map[int64]string{}
	out := map[string]int{}
	for it.HasNext() {
		e, err := it.Next()
		if err != nil {
			t.Fatal(err)
		}
		switch e.GetEventType() {
		case enumspb.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED:
			if e.GetActivityTaskScheduledEventAttributes().GetActivityType().GetName() == "SyncRange" {
				ranges[e.GetEventId()] = true
			}
		case enumspb.EVENT_TYPE_ACTIVITY_TASK_STARTED:
			a := e.GetActivityTaskStartedEventAttributes()
			if ranges[a.GetScheduledEventId()] {
				started[e.GetEventId()] = a.GetIdentity()
			}
		case enumspb.EVENT_TYPE_ACTIVITY_TASK_COMPLETED:
			if id, ok := started[e.GetActivityTaskCompletedEventAttributes().GetStartedEventId()]; ok {
				out[id]++
			}
		}
	}
	return out
}

// runSketchJob runs a job over the planted-leak table on two worker
// processes that share its key ranges, and checks the verification
// report's leak lines and re-identification count of big against the
// full re-read (truth): measured by the copy (the ranges' sketches merged
// across the workers), not by re-reading the source; exact counts where
// the values fit the sketch (self-equal rows always), the sampled
// estimate within its margin.
func runSketchJob(t *testing.T, s *stack, jobID string, truth func() (equal, self [4]int64, reid int64)) {
	t.Helper()
	tc, err := client.Dial(client.Options{HostPort: temporalAddr})
	if err != nil {
		t.Fatal(err)
	}
	defer tc.Close()
	// One activity at a time per worker, so both take ranges.
	for range 2 {
		s.startWorker(t, "NEOSYNC_RANGE_ROWS="+strconv.Itoa(sketchRangeSize), "WORKER_MAX_CONCURRENT_ACTIVITIES=1")
	}
	done := s.runOnce(t, jobID)
	workers := rangeWorkers(t, tc, done.GetWorkflowId())
	n := 0
	for _, c := range workers {
		n += c
	}
	if len(workers) < 2 || n != 8 {
		t.Fatalf("the 8 key ranges ran on %v; want both workers", workers)
	}
	t.Logf("key ranges per worker: %v", workers)
	checkSketchReport(t, done, "big", sketchRows, truth)
	checkNoReread(t, s, done.GetId())
	t.Logf("report:\n%v", done.GetReport().AsMap()["summary"])
}

// checkSketchReport checks the verification report's leak lines and
// re-identification count of one planted-leak table of rows rows against
// the full re-read (truth): measured by the copy, not by re-reading the
// source; exact counts where the values fit the sketch (self-equal rows
// always), the sampled estimate within its margin.
func checkSketchReport(t *testing.T, done *mgmt.JobRun, table string, rows int64, truth func() (equal, self [4]int64, reid int64)) {
	t.Helper()
	sketchRows := rows
	equal, self, reid := truth()
	if self[0] != sketchRows/100 || self[1] < sketchRows/25 || reid < sketchRows/25 || equal[3] == 0 {
		t.Fatalf("the planted leaks of %s did not take: equal %v, self %v, re-identified %d", table, equal, self, reid)
	}
	rep := done.GetReport().AsMap()
	dests, _ := rep["destinations"].([]any)
	if len(dests) != 1 {
		t.Fatalf("report has %d destinations", len(dests))
	}
	d := dests[0].(map[string]any)
	num := func(m map[string]any, k string) int64 { f, _ := m[k].(float64); return int64(f) }
	ofTable := func(m map[string]any) bool {
		name, _ := m["table"].(map[string]any)
		return name["Table"] == table
	}
	// email's distinct values fit the default sketch (20,000 per side)
	// only in a small table.
	estimated := sketchRows > 20_000
	seen := map[string]bool{}
	for _, l := range d["leaks"].([]any) {
		m := l.(map[string]any)
		if !ofTable(m) {
			continue
		}
		col, _ := m["column"].(string)
		i := -1
		for k, c := range sketchColumns {
			if c == col {
				i = k
			}
		}
		if i < 0 {
			t.Errorf("leak line of an unexpected column: %v", m)
			continue
		}
		seen[col] = true
		exact, _ := m["exact"].(bool)
		margin, _ := m["margin95"].(float64)
		sampled, eq := num(m, "sampled"), num(m, "equal")
		switch {
		case m["method"] != "copy":
			t.Errorf("leak scan of %s.%s measured by %v, want the copy", table, col, m["method"])
		case num(m, "rows") != sketchRows || num(m, "self_equal") != self[i]:
			t.Errorf("leak scan of %s.%s: %v; want %d rows, %d self-equal", table, col, m, sketchRows, self[i])
		case col == "email" && estimated && (exact || sampled < 10_000 ||
			math.Abs(float64(eq)/float64(sampled)-float64(equal[i])/float64(sketchRows)) > 4.5/1.96*margin):
			t.Errorf("leak scan of %s.email: %v; want a sample of at least 10000 rows estimating %d of %d within its margin", table, m, equal[i], sketchRows)
		case (col != "email" || !estimated) && (!exact || sampled != sketchRows || eq != equal[i]):
			t.Errorf("leak scan of %s.%s: %v; want exact, %d of %d", table, col, m, equal[i], sketchRows)
		}
	}
	if len(seen) != len(sketchColumns) {
		t.Errorf("leak lines of %s: %v, want %v", table, seen, sketchColumns)
	}
	var found bool
	for _, r := range anyList(d["reidentified"]) {
		m := r.(map[string]any)
		if !ofTable(m) {
			continue
		}
		found = true
		if num(m, "rows") != sketchRows || num(m, "reidentified") != reid || fmt.Sprint(m["columns"]) != "[first_name last_name]" {
			t.Errorf("re-identification of %s: %v; want %d of %d rows over first_name, last_name", table, m, reid, sketchRows)
		}
	}
	if !found {
		t.Errorf("the report has no re-identification count of %s: %v", table, d["reidentified"])
	}
}

// checkNoReread fails the test for every run event saying a leak scan
// re-reads the source or a copy resumed without its sketches.
func checkNoReread(t *testing.T, s *stack, runID string) {
	t.Helper()
	events, err := s.c.Jobs.GetJobRunEvents(testCtx(t, time.Minute), connect.NewRequest(&mgmt.GetJobRunEventsRequest{JobRunId: runID}))
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range events.Msg.GetEvents() {
		if strings.Contains(e.GetMessage(), "re-read") || strings.Contains(e.GetMessage(), "without the leak sketches") {
			t.Errorf("event: %s", e.GetMessage())
		}
	}
}

func anyList(v any) []any { l, _ := v.([]any); return l }

// TestRangeSketchesAcrossWorkers: a Postgres table with planted leaks,
// copied in 8 key ranges by two worker processes, gets its leak scan and
// re-identification count from the copy — the ranges' sketches stored
// with the API and merged by the verifying worker — equal to a full
// re-read's.
func TestRangeSketchesAcrossWorkers(t *testing.T) {
	t.Parallel()
	s := startStack(t)
	src, dst := newDatabase(t, "neosync_e2e_sketch_src"), newDatabase(t, "neosync_e2e_sketch_dst")
	v := sketchValues(t, "g", func(n int) string { return fmt.Sprintf("g %% %d", n) }, func(p ...string) string { return strings.Join(p, " || ") })
	execSQL(t, src, fmt.Sprintf(`CREATE TABLE big (id bigint PRIMARY KEY, email text NOT NULL, first_name text NOT NULL, last_name text NOT NULL, city text NOT NULL);
INSERT INTO big SELECT g, %s FROM generate_series(1, %d) g;
ANALYZE big;`, strings.Join(v, ", "), sketchRows))
	job, err := s.c.Jobs.CreateJob(testCtx(t, time.Minute), connect.NewRequest(&mgmt.CreateJobRequest{
		AccountId: s.accountID, JobName: "sketches", Source: &mgmt.JobSource{Options: &mgmt.JobSource_Sync{Sync: &mgmt.SyncSourceOptions{ConnectionId: s.connection(t, "sketch-src", src)}}},
		Destinations: []*mgmt.JobDestinationCreate{{ConnectionId: s.connection(t, "sketch-dst", dst),
			Options: &mgmt.JobDestinationOptions{InitTableSchema: true, TruncateBeforeInsert: true, BatchSize: 2000}}},
		Mappings: sketchMappings("public"),
	}))
	if err != nil {
		t.Fatalf("CreateJob: %v", err)
	}
	read := func(dbURL string) map[int64]sketchRow { return readPGSketchRows(t, dbURL, "big") }
	runSketchJob(t, s, job.Msg.GetJob().GetId(), func() ([4]int64, [4]int64, int64) { return sketchTruth(read(src), read(dst)) })
}

// TestMySQLRangeSketchesAcrossWorkers is TestRangeSketchesAcrossWorkers
// on MariaDB, where the re-read the merged sketches replace is a scan of
// the source per batch of sampled values.
func TestMySQLRangeSketchesAcrossWorkers(t *testing.T) {
	t.Parallel()
	s := startStack(t)
	srv, srcURL, src := createMySQLSketchTable(t, "neosync_e2e_sketch_src", sketchRows)
	dst := srv.database(t, "neosync_e2e_sketch_dst")
	jobID := s.mysqlSketchJob(t, "mysql-sketches", srcURL, srv.url(dst), src)
	read := func(db string) map[int64]sketchRow {
		q, _ := sqlschema.QuoteMySQLIdentifier(db)
		return readSketchRows(t, func() (*sql.Rows, error) {
			return srv.admin.QueryContext(testCtx(t, time.Minute), "SELECT id, email, first_name, last_name, city FROM "+q+".big")
		})
	}
	runSketchJob(t, s, jobID, func() ([4]int64, [4]int64, int64) { return sketchTruth(read(src), read(dst)) })
}

// mysqlSketchJob creates a job copying the planted-leak table big of
// MariaDB database schema (at srcURL) into an owned destination (dstURL)
// and returns its id.
func (s *stack) mysqlSketchJob(t *testing.T, name, srcURL, dstURL, schema string) string {
	t.Helper()
	job, err := s.c.Jobs.CreateJob(testCtx(t, time.Minute), connect.NewRequest(&mgmt.CreateJobRequest{
		AccountId: s.accountID, JobName: name, Source: &mgmt.JobSource{Options: &mgmt.JobSource_Sync{Sync: &mgmt.SyncSourceOptions{ConnectionId: s.mysqlConnection(t, name+"-src", srcURL)}}},
		Destinations: []*mgmt.JobDestinationCreate{{ConnectionId: s.mysqlConnection(t, name+"-dst", dstURL),
			Options: &mgmt.JobDestinationOptions{InitTableSchema: true, TruncateBeforeInsert: true, BatchSize: 2000}}},
		Mappings: sketchMappings(schema),
	}))
	if err != nil {
		t.Fatalf("CreateJob: %v", err)
	}
	return job.Msg.GetJob().GetId()
}

// createMySQLSketchTable creates the planted-leak table big (see
// sketchValues) of rows rows in a new MariaDB database and returns its
// server, URL and name.
func createMySQLSketchTable(t *testing.T, prefix string, rows int) (*mariaServer, string, string) {
	t.Helper()
	srcURL, _ := testdb.MySQL(t, prefix)
	srv := openMariaServer(t, srcURL)
	u, err := url.Parse(srcURL)
	if err != nil {
		t.Fatal(err)
	}
	src := strings.TrimPrefix(u.Path, "/")
	v := sketchValues(t, "seq", func(n int) string { return fmt.Sprintf("seq %% %d", n) }, func(p ...string) string { return "CONCAT(" + strings.Join(p, ", ") + ")" })
	srv.exec(t, src, "CREATE TABLE big (id bigint PRIMARY KEY, email varchar(100) NOT NULL, first_name varchar(100) NOT NULL, last_name varchar(100) NOT NULL, city varchar(100) NOT NULL)",
		fmt.Sprintf("INSERT INTO big SELECT seq, %s FROM seq_1_to_%d", strings.Join(v, ", "), rows),
		"ANALYZE TABLE big")
	return srv, srcURL, src
}
