package e2e_test

import (
	"context"
	"fmt"
	"math"
	"net/url"
	"strings"
	"syscall"
	"testing"
	"time"

	"connectrpc.com/connect"
	"github.com/jackc/pgx/v5"
	"go.temporal.io/sdk/client"
	"google.golang.org/protobuf/types/known/structpb"

	mgmt "github.com/neosyncio/neosync/backend/gen/go/protos/mgmt/v1alpha1"
	"github.com/neosyncio/neosync/backend/pkg/sqlschema"
	"github.com/neosyncio/neosync/backend/pkg/testdb"
)

// updateSketchRows is the size of the update-pass fixture: large enough
// that its update pass is caught running, with 50,000 distinct references,
// more than the default sketch keeps, so their leak scan is a sample.
const updateSketchRows = 100_000

// updateSketchMappings map referrals(id, code, referrer_code) of schema:
// code and its self-reference referrer_code — a foreign key the update
// pass writes — through a JavaScript transformer that returns the codes
// ending in 7 unchanged (a planted leak) and prefixes the others.
func updateSketchMappings(schema string) []*mgmt.JobMapping {
	leaky, _ := structpb.NewStruct(map[string]any{"code": "return value == null ? value : (value.endsWith('7') ? value : 'x' + value)", "timeout_ms": 60000})
	m := func(column, source string, cfg *structpb.Struct) *mgmt.JobMapping {
		return &mgmt.JobMapping{Schema: schema, Table: "referrals", Column: column, Transformer: &mgmt.JobMappingTransformer{Source: source, Config: cfg}}
	}
	return []*mgmt.JobMapping{m("id", "passthrough", nil), m("code", "transform_javascript", leaky), m("referrer_code", "transform_javascript", leaky)}
}

// updateSketchJob creates the job copying the fixture from srcConn into
// an owned dstConn and returns its id.
func (s *stack) updateSketchJob(t *testing.T, name, srcConn, dstConn, schema string) string {
	t.Helper()
	job, err := s.c.Jobs.CreateJob(testCtx(t, time.Minute), connect.NewRequest(&mgmt.CreateJobRequest{
		AccountId: s.accountID, JobName: name, Source: &mgmt.JobSource{Options: &mgmt.JobSource_Sync{Sync: &mgmt.SyncSourceOptions{ConnectionId: srcConn}}},
		Destinations: []*mgmt.JobDestinationCreate{{ConnectionId: dstConn, Options: &mgmt.JobDestinationOptions{InitTableSchema: true, TruncateBeforeInsert: true}}},
		Mappings:     updateSketchMappings(schema),
		SyncOptions:  &mgmt.ActivityOptions{HeartbeatTimeoutSeconds: ptr(int64(5))},
	}))
	if err != nil {
		t.Fatalf("CreateJob: %v", err)
	}
	return job.Msg.GetJob().GetId()
}

// readReferrers returns id → referrer_code ("" for NULL) of rows.
func readReferrers(t *testing.T, rows interface {
	Next() bool
	Scan(...any) error
	Err() error
}) map[int64]string {
	t.Helper()
	out := map[int64]string{}
	for rows.Next() {
		var id int64
		var v *string
		if err := rows.Scan(&id, &v); err != nil {
			t.Fatal(err)
		}
		if v != nil {
			out[id] = *v
		} else {
			out[id] = ""
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// checkUpdateSketchRun checks done's report (checkUpdateSketchReport)
// and that no event of it says a leak scan re-reads the source.
func checkUpdateSketchRun(t *testing.T, s *stack, done *mgmt.JobRun, src, dst map[int64]string) {
	t.Helper()
	checkUpdateSketchReport(t, done, src, dst)
	checkNoReread(t, s, done.GetId())
	t.Logf("report:\n%v", done.GetReport().AsMap()["summary"])
}

// checkUpdateSketchReport checks the leak line of referrals.referrer_code
// in done's report against the truth read from both databases: measured
// by the update pass's sketch (method "copy"), with the counts of a full
// re-read (the share of rows holding a source value estimated from a
// sample, within its stated margin).
func checkUpdateSketchReport(t *testing.T, done *mgmt.JobRun, src, dst map[int64]string) {
	t.Helper()
	inSrc := map[string]bool{}
	for _, v := range src {
		inSrc[v] = v != ""
	}
	var rows, equal, self int64
	for id, v := range dst {
		if v == "" {
			continue
		}
		rows++
		if inSrc[v] {
			equal++
		}
		if src[id] == v {
			self++
		}
	}
	if rows != updateSketchRows-1 || equal != updateSketchRows/10 || self != equal {
		t.Fatalf("the planted leak did not take: %d references, %d in the source, %d their own", rows, equal, self)
	}
	dests := anyList(done.GetReport().AsMap()["destinations"])
	if len(dests) != 1 {
		t.Fatalf("report has %d destinations", len(dests))
	}
	num := func(m map[string]any, k string) int64 { f, _ := m[k].(float64); return int64(f) }
	var found bool
	for _, l := range anyList(dests[0].(map[string]any)["leaks"]) {
		m := l.(map[string]any)
		if m["column"] != "referrer_code" {
			continue
		}
		found = true
		// The sample's estimate of the share of rows holding a source
		// value (4.5 standard errors: a failure is a broken estimator,
		// not luck); the rows and those equal to their own input are
		// exact.
		margin, _ := m["margin95"].(float64)
		sampled, eq := num(m, "sampled"), num(m, "equal")
		if exact, _ := m["exact"].(bool); m["method"] != "copy" || exact || sampled < 10_000 || num(m, "rows") != rows || num(m, "self_equal") != self ||
			math.Abs(float64(eq)/float64(sampled)-float64(equal)/float64(rows)) > 4.5/1.96*margin {
			t.Errorf("leak scan of referrals.referrer_code: %v; want the update pass's sketch (method copy) estimating %d of %d rows within its margin, %d their own", m, equal, rows, self)
		}
	}
	if !found {
		t.Errorf("the report has no leak line of referrals.referrer_code:\n%v", done.GetReport().AsMap()["summary"])
	}
}

// killDuringUpdatePass runs job on one worker, kills it (SIGKILL) while
// it runs the update pass, starts another and returns the run, complete,
// once it checked that the update pass was completed by the new worker.
func killDuringUpdatePass(t *testing.T, s *stack, jobID string) *mgmt.JobRun {
	t.Helper()
	tc, err := client.Dial(client.Options{HostPort: temporalAddr})
	if err != nil {
		t.Fatal(err)
	}
	defer tc.Close()
	r, w := s.startRun(t, jobID)
	killed := ""
	for deadline := time.Now().Add(4 * time.Minute); killed == "" && time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if final(s.getRun(t, r.GetId())) {
			t.Fatal("the run ended before its update pass was caught running")
		}
		if act, id := runningActivity(t, tc, r.GetWorkflowId()); act == "RunUpdatePasses" {
			_ = syscall.Kill(-w.Process.Pid, syscall.SIGKILL)
			_ = w.Wait()
			killed = id
		}
	}
	if killed == "" {
		t.Fatal("the update pass was not caught running")
	}
	s.startWorker(t)
	done := s.waitRun(t, r.GetId(), 6*time.Minute, final)
	if done.GetStatus() != mgmt.JobRunStatus_JOB_RUN_STATUS_COMPLETE {
		t.Fatalf("run ended %v: %s", done.GetStatus(), done.GetError())
	}
	if by := activityWorkers(t, tc, r.GetWorkflowId())["RunUpdatePasses"]; len(by) != 1 || by[0] == killed {
		t.Fatalf("the update pass was completed by %v; want the worker started after %s was killed", by, killed)
	}
	return done
}

// TestUpdatePassSketchesSurviveAWorkerKill: a self-referencing foreign
// key transformed by a planted leak is written by the update pass, which
// sketches it and stores the sketch with the API. The worker running the
// update pass is killed (SIGKILL); another runs it again — forgetting
// what the dead attempt may have stored — and verifies, and the column's
// leak scan comes from the update pass's sketch, agreeing with a full
// re-read, with no event saying a leak scan re-reads the source. (Before,
// Verify re-read a sample of the source column.)
func TestUpdatePassSketchesSurviveAWorkerKill(t *testing.T) {
	t.Parallel()
	s := startStack(t)
	src, dst := newDatabase(t, "neosync_e2e_usketch_src"), newDatabase(t, "neosync_e2e_usketch_dst")
	execSQL(t, src, fmt.Sprintf(`CREATE TABLE referrals (id bigint PRIMARY KEY, code text NOT NULL UNIQUE, referrer_code text REFERENCES referrals (code));
INSERT INTO referrals SELECT g, 'c-' || g, CASE WHEN g > 1 THEN 'c-' || (g / 2) END FROM generate_series(1, %d) g;`, updateSketchRows))
	jobID := s.updateSketchJob(t, "update-sketches", s.connection(t, "usketch-src", src), s.connection(t, "usketch-dst", dst), "public")
	done := killDuringUpdatePass(t, s, jobID)
	read := func(dbURL string) map[int64]string {
		ctx := testCtx(t, time.Minute)
		c, err := pgx.Connect(ctx, dbURL)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close(context.Background())
		rows, err := c.Query(ctx, "SELECT id, referrer_code FROM referrals")
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		return readReferrers(t, rows)
	}
	checkUpdateSketchRun(t, s, done, read(src), read(dst))
}

// TestMySQLUpdatePassSketchesSurviveAWorkerKill is
// TestUpdatePassSketchesSurviveAWorkerKill on MariaDB.
func TestMySQLUpdatePassSketchesSurviveAWorkerKill(t *testing.T) {
	t.Parallel()
	s := startStack(t)
	srcURL, _ := testdb.MySQL(t, "neosync_e2e_usketch_src")
	srv := openMariaServer(t, srcURL)
	u, err := url.Parse(srcURL)
	if err != nil {
		t.Fatal(err)
	}
	src := strings.TrimPrefix(u.Path, "/")
	srv.exec(t, src, "CREATE TABLE referrals (id bigint PRIMARY KEY, code varchar(40) NOT NULL UNIQUE, referrer_code varchar(40))",
		fmt.Sprintf("INSERT INTO referrals SELECT seq, concat('c-', seq), IF(seq > 1, concat('c-', seq DIV 2), NULL) FROM seq_1_to_%d", updateSketchRows),
		"ALTER TABLE referrals ADD CONSTRAINT referrals_referrer FOREIGN KEY (referrer_code) REFERENCES referrals (code)")
	dst := srv.database(t, "neosync_e2e_usketch_dst")
	jobID := s.updateSketchJob(t, "mysql-update-sketches", s.mysqlConnection(t, "musketch-src", srcURL), s.mysqlConnection(t, "musketch-dst", srv.url(dst)), src)
	done := killDuringUpdatePass(t, s, jobID)
	read := func(db string) map[int64]string {
		q, _ := sqlschema.QuoteMySQLIdentifier(db)
		rows, err := srv.admin.QueryContext(testCtx(t, time.Minute), "SELECT id, referrer_code FROM "+q+".referrals")
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		return readReferrers(t, rows)
	}
	checkUpdateSketchRun(t, s, done, read(src), read(dst))
}
