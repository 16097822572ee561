package e2e_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"connectrpc.com/connect"
	"github.com/jackc/pgx/v5"

	mgmt "github.com/neosyncio/neosync/backend/gen/go/protos/mgmt/v1alpha1"
	"github.com/neosyncio/neosync/backend/gen/go/protos/mgmt/v1alpha1/mgmtv1alpha1connect"
	"github.com/neosyncio/neosync/backend/pkg/bearer"
	"github.com/neosyncio/neosync/backend/pkg/devtemporal"
	"github.com/neosyncio/neosync/backend/pkg/testdb"
)

var (
	temporalAddr string
	temporalPid  int
	binDir       string
)

func TestMain(m *testing.M) { os.Exit(testMain(m)) }

func testMain(m *testing.M) int {
	dir, err := os.MkdirTemp("", "neosync-e2e-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(dir)
	binDir = dir
	for name, pkg := range map[string]string{
		"neosync-api":    "github.com/neosyncio/neosync/backend/cmd/neosync-api",
		"neosync-worker": "github.com/neosyncio/neosync/worker/cmd/neosync-worker",
	} {
		out, err := exec.Command("go", "build", "-o", filepath.Join(dir, name), pkg).CombinedOutput()
		if err != nil {
			fmt.Fprintf(os.Stderr, "build %s: %v\n%s", name, err, out)
			return 1
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	srv, err := devtemporal.Start(ctx, devtemporal.Options{})
	cancel()
	if err != nil {
		fmt.Fprintln(os.Stderr, "e2e: Temporal dev server:", err)
		return 1
	}
	defer srv.Stop()
	temporalAddr, temporalPid = srv.HostPort, srv.Pid()
	return m.Run()
}

func suffix() string {
	b := make([]byte, 5)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

func testCtx(t *testing.T, d time.Duration) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	t.Cleanup(cancel)
	return ctx
}

// newDatabase creates a Postgres database dropped at cleanup and returns its URL.
func newDatabase(t *testing.T, prefix string) string { return testdb.Postgres(t, prefix) }

func execSQL(t *testing.T, dbURL, sql string) {
	t.Helper()
	ctx := testCtx(t, 5*time.Minute)
	c, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close(context.Background())
	if _, err := c.Exec(ctx, sql); err != nil {
		t.Fatalf("exec: %v", err)
	}
}

// lockTable takes an ACCESS EXCLUSIVE lock on table in a transaction kept
// open until the returned release (or the test's cleanup) rolls it back, so
// that a run touching the table waits inside its work.
func lockTable(t *testing.T, dbURL, table string) (release func()) {
	t.Helper()
	ctx := testCtx(t, 10*time.Minute)
	c, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	tx, err := c.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Exec(ctx, "LOCK TABLE "+pgx.Identifier{table}.Sanitize()+" IN ACCESS EXCLUSIVE MODE"); err != nil {
		t.Fatalf("lock %s: %v", table, err)
	}
	var once sync.Once
	release = func() {
		once.Do(func() {
			_ = tx.Rollback(context.Background())
			_ = c.Close(context.Background())
		})
	}
	t.Cleanup(release)
	return release
}

// rowHold makes the copy into every table created in a PostgreSQL
// database after newRowHold wait at its row whose id is a given key (or,
// newRowHoldWhere, the row a condition picks) while the test holds it
// (hold … release): an event trigger gives each new table a row trigger
// that, at that row, takes a shared advisory lock the test holds
// exclusively. A run is then held in the middle of its copy —
// the rows before that one written, not committed — however fast the
// machine copies, so a test can kill, cancel or terminate it there. The
// row trigger stays on the table; an attempt after release passes.
type rowHold struct {
	t     *testing.T
	dbURL string
	conn  *pgx.Conn // holds the advisory lock; nil when released
}

// pgLiteral quotes s as a PostgreSQL string literal.
func pgLiteral(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

// rowHoldLock is the advisory lock of rowHold.
const rowHoldLock = 4242

func newRowHold(t *testing.T, dbURL string, key int64) *rowHold {
	t.Helper()
	return newRowHoldWhere(t, dbURL, "", "NEW.id = "+strconv.FormatInt(key, 10))
}

// newRowHoldWhere is newRowHold at the row cond (SQL over NEW, the row
// being inserted) picks, in the tables created with the name table (""
// for every table), which must have the columns cond names.
func newRowHoldWhere(t *testing.T, dbURL, table, cond string) *rowHold {
	t.Helper()
	execSQL(t, dbURL, `CREATE FUNCTION neosync_test_hold() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF `+cond+` THEN PERFORM pg_advisory_xact_lock_shared(`+strconv.Itoa(rowHoldLock)+`); END IF;
	RETURN NEW;
END $$;
CREATE FUNCTION neosync_test_hold_new() RETURNS event_trigger LANGUAGE plpgsql AS $$
DECLARE o record;
BEGIN
	FOR o IN SELECT * FROM pg_event_trigger_ddl_commands() WHERE command_tag = 'CREATE TABLE'
		AND (`+pgLiteral(table)+` = '' OR (SELECT relname FROM pg_class WHERE oid = objid) = `+pgLiteral(table)+`) LOOP
		EXECUTE format('CREATE TRIGGER neosync_test_hold BEFORE INSERT ON %s FOR EACH ROW EXECUTE FUNCTION neosync_test_hold()', o.object_identity);
	END LOOP;
END $$;
CREATE EVENT TRIGGER neosync_test_hold ON ddl_command_end WHEN TAG IN ('CREATE TABLE') EXECUTE FUNCTION neosync_test_hold_new();`)
	h := &rowHold{t: t, dbURL: dbURL}
	t.Cleanup(h.release)
	return h
}

// hold takes the advisory lock: copies wait at the key's row from now on.
func (h *rowHold) hold() {
	h.t.Helper()
	ctx := testCtx(h.t, 15*time.Minute)
	c, err := pgx.Connect(ctx, h.dbURL)
	if err != nil {
		h.t.Fatal(err)
	}
	if _, err := c.Exec(ctx, "SELECT pg_advisory_lock($1)", rowHoldLock); err != nil {
		h.t.Fatalf("hold the advisory lock: %v", err)
	}
	h.conn = c
}

// attach gives table (an existing one, unquoted name in the search path)
// the row trigger that tables created later get from the event trigger.
func (h *rowHold) attach(table string) {
	h.t.Helper()
	execSQL(h.t, h.dbURL, "CREATE TRIGGER neosync_test_hold BEFORE INSERT ON "+pgx.Identifier{table}.Sanitize()+" FOR EACH ROW EXECUTE FUNCTION neosync_test_hold()")
}

// held reports whether a copy waits at the key's row now (in this
// database: pg_locks lists the whole server's, and advisory locks are
// per database).
func (h *rowHold) held() bool {
	return queryInt(h.t, h.dbURL, "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted AND objid = "+strconv.Itoa(rowHoldLock)+
		" AND database = (SELECT oid FROM pg_database WHERE datname = current_database())") > 0
}

// release lets the copies through (closing the session frees its lock).
func (h *rowHold) release() {
	if h.conn != nil {
		_ = h.conn.Close(context.Background())
		h.conn = nil
	}
}

// waitLockWaiter waits until a session other than the test's waits for a
// lock on table: the run is then inside its work on that table.
func waitLockWaiter(t *testing.T, dbURL, table string, timeout time.Duration) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for queryInt(t, dbURL, "SELECT count(*) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation WHERE c.relname = '"+table+"' AND NOT l.granted") == 0 {
		if time.Now().After(deadline) {
			t.Fatalf("no session waited for the lock on %s within %v", table, timeout)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func queryInt(t *testing.T, dbURL, sql string) int64 {
	t.Helper()
	ctx := testCtx(t, time.Minute)
	c, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close(context.Background())
	var n int64
	if err := c.QueryRow(ctx, sql).Scan(&n); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	return n
}

func freePort(t *testing.T) int {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// stack is one API process with its own database and task queue.
type stack struct {
	apiPid    int
	apiURL    string
	dbURL     string
	taskQueue string
	key       string
	accountID string
	workerKey string
	c         clients
	mu        sync.Mutex
	logs      *bytes.Buffer
}

type clients struct {
	Jobs        mgmtv1alpha1connect.JobServiceClient
	Connections mgmtv1alpha1connect.ConnectionServiceClient
}

func (s *stack) env() []string {
	level := "warn"
	if os.Getenv("NEOSYNC_E2E_LOGS") != "" {
		level = "debug"
	}
	return append(os.Environ(),
		"NEOSYNC_DB_URL="+s.dbURL, "NEOSYNC_ENCRYPTION_KEY=000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f",
		"TEMPORAL_URL="+temporalAddr, "TEMPORAL_TASK_QUEUE="+s.taskQueue, "NEOSYNC_API_URL="+s.apiURL, "LOG_LEVEL="+level)
}

type syncWriter struct {
	mu *sync.Mutex
	b  *bytes.Buffer
}

func (w syncWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.Write(p)
}

// startStack starts the API (apikey mode; apiEnv adds to its
// environment), creates an account key and a worker key.
func startStack(t *testing.T, apiEnv ...string) *stack {
	t.Helper()
	s := &stack{dbURL: newDatabase(t, "neosync_e2e_api"), taskQueue: "e2e-" + suffix(), logs: &bytes.Buffer{}}
	port := freePort(t)
	s.apiURL = fmt.Sprintf("http://127.0.0.1:%d", port)
	cmd := exec.Command(filepath.Join(binDir, "neosync-api"), "serve")
	cmd.Env = append(append(s.env(), fmt.Sprintf("NEOSYNC_LISTEN_ADDR=127.0.0.1:%d", port), "NEOSYNC_AUTH_MODE=apikey", "DB_AUTO_MIGRATE=true"), apiEnv...)
	cmd.Stdout, cmd.Stderr = syncWriter{&s.mu, s.logs}, syncWriter{&s.mu, s.logs}
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	s.apiPid = cmd.Process.Pid
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		_ = cmd.Wait()
		s.mu.Lock()
		defer s.mu.Unlock()
		if t.Failed() {
			t.Logf("process logs:\n%s", s.logs.String())
		}
		if path := os.Getenv("NEOSYNC_E2E_LOGS"); path != "" {
			// The API's and workers' logs of a passing run too, to read
			// where a run's time went (one stack's: with tests in
			// parallel, the last stack to stop writes the file).
			if err := os.WriteFile(path, s.logs.Bytes(), 0o644); err != nil {
				t.Logf("NEOSYNC_E2E_LOGS: %v", err)
			}
		}
	})
	deadline := time.Now().Add(30 * time.Second)
	for {
		resp, err := http.Get(s.apiURL + "/healthz")
		if err == nil && resp.StatusCode == 200 {
			resp.Body.Close()
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("API did not become healthy: %v\n%s", err, s.logs.String())
		}
		time.Sleep(100 * time.Millisecond)
	}
	out, err := s.apiCmd("apikey", "create", "-account", "e2e-team")
	if err != nil {
		t.Fatalf("apikey create: %v %s", err, out)
	}
	s.key = strings.TrimSpace(out)
	if out, err = s.apiCmd("apikey", "create", "-worker"); err != nil {
		t.Fatalf("worker key: %v %s", err, out)
	}
	s.workerKey = strings.TrimSpace(out)
	hc := &http.Client{Timeout: time.Minute}
	opt := connect.WithInterceptors(bearer.Interceptor(s.key))
	s.c = clients{
		Jobs:        mgmtv1alpha1connect.NewJobServiceClient(hc, s.apiURL, opt),
		Connections: mgmtv1alpha1connect.NewConnectionServiceClient(hc, s.apiURL, opt),
	}
	users := mgmtv1alpha1connect.NewUserAccountServiceClient(hc, s.apiURL, opt)
	accts, err := users.GetUserAccounts(testCtx(t, time.Minute), connect.NewRequest(&mgmt.GetUserAccountsRequest{}))
	if err != nil || len(accts.Msg.GetAccounts()) != 1 {
		t.Fatalf("accounts: %v %v", accts, err)
	}
	s.accountID = accts.Msg.GetAccounts()[0].GetId()
	return s
}

// apiCmd runs `neosync-api ARGS` against the stack's database; stdout only.
func (s *stack) apiCmd(args ...string) (string, error) {
	cmd := exec.Command(filepath.Join(binDir, "neosync-api"), args...)
	cmd.Env = s.env()
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return stderr.String(), err
	}
	return string(out), nil
}

// startRun starts a worker (startWorker with env) and a run of job
// jobID; it returns the run, as created, and the worker.
func (s *stack) startRun(t *testing.T, jobID string, env ...string) (*mgmt.JobRun, *exec.Cmd) {
	t.Helper()
	w := s.startWorker(t, env...)
	run, err := s.c.Jobs.CreateJobRun(testCtx(t, time.Minute), connect.NewRequest(&mgmt.CreateJobRunRequest{JobId: jobID}))
	if err != nil {
		t.Fatal(err)
	}
	return run.Msg.GetJobRun(), w
}

// startWorker runs a neosync-worker process with env added to the
// stack's environment; kill it with kill().
func (s *stack) startWorker(t *testing.T, env ...string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(filepath.Join(binDir, "neosync-worker"), "serve")
	cmd.Env = append(append(s.env(), "NEOSYNC_API_KEY="+s.workerKey), env...)
	cmd.Stdout, cmd.Stderr = syncWriter{&s.mu, s.logs}, syncWriter{&s.mu, s.logs}
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		_ = cmd.Wait()
	})
	return cmd
}

func pgConfig(u string) *mgmt.ConnectionConfig {
	return &mgmt.ConnectionConfig{Config: &mgmt.ConnectionConfig_PgConfig{PgConfig: &mgmt.PostgresConnectionConfig{ConnectionConfig: &mgmt.PostgresConnectionConfig_Url{Url: u}}}}
}

func (s *stack) connection(t *testing.T, name, dbURL string) string {
	t.Helper()
	resp, err := s.c.Connections.CreateConnection(testCtx(t, time.Minute), connect.NewRequest(&mgmt.CreateConnectionRequest{AccountId: s.accountID, Name: name, ConnectionConfig: pgConfig(dbURL)}))
	if err != nil {
		t.Fatalf("CreateConnection: %v", err)
	}
	return resp.Msg.GetConnection().GetId()
}

// waitRun polls a run until it is final or until cond returns true.
func (s *stack) waitRun(t *testing.T, runID string, timeout time.Duration, cond func(*mgmt.JobRun) bool) *mgmt.JobRun {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		resp, err := s.c.Jobs.GetJobRun(testCtx(t, time.Minute), connect.NewRequest(&mgmt.GetJobRunRequest{JobRunId: runID}))
		if err != nil {
			t.Fatalf("GetJobRun: %v", err)
		}
		r := resp.Msg.GetJobRun()
		if cond(r) {
			return r
		}
		if time.Now().After(deadline) {
			s.mu.Lock()
			logs := s.logs.String()
			s.mu.Unlock()
			t.Fatalf("run %s did not reach the expected state in %v; last: %v\nlogs:\n%s", runID, timeout, r, logs)
		}
		time.Sleep(250 * time.Millisecond)
	}
}

func final(r *mgmt.JobRun) bool {
	switch r.GetStatus() {
	case mgmt.JobRunStatus_JOB_RUN_STATUS_COMPLETE, mgmt.JobRunStatus_JOB_RUN_STATUS_FAILED,
		mgmt.JobRunStatus_JOB_RUN_STATUS_CANCELED, mgmt.JobRunStatus_JOB_RUN_STATUS_TERMINATED:
		return true
	}
	return false
}

// copyHold stops the copy into a destination table at one row while the
// test holds it: rowHold on PostgreSQL, mariaHold on MariaDB.
type copyHold interface {
	hold()      // copies wait at the row from now on
	held() bool // a copy waits at the row now
	release()   // lets them through
}

// mariaHold is rowHold for a MariaDB destination table the test creates
// itself (init_table_schema keeps a table that exists, and truncating it
// keeps its triggers): a BEFORE INSERT trigger waits, at the row a
// condition picks, for a user lock (GET_LOCK) the test holds. LOAD DATA
// fires it like any insert.
type mariaHold struct {
	t    *testing.T
	srv  *mariaServer
	db   string
	lock string
	conn *sql.Conn // holds the lock; nil when released
}

// newMariaHold gives table of database db the row trigger that waits at
// the row cond (SQL over NEW) picks while the test holds the lock.
func newMariaHold(t *testing.T, srv *mariaServer, db, table, cond string) *mariaHold {
	t.Helper()
	h := &mariaHold{t: t, srv: srv, db: db, lock: "neosync_test_hold_" + db}
	srv.exec(t, db, "CREATE TRIGGER neosync_test_hold BEFORE INSERT ON "+table+" FOR EACH ROW BEGIN IF "+cond+
		" THEN DO GET_LOCK('"+h.lock+"', 600); DO RELEASE_LOCK('"+h.lock+"'); END IF; END")
	t.Cleanup(h.release)
	return h
}

func (h *mariaHold) hold() {
	h.t.Helper()
	ctx := testCtx(h.t, 15*time.Minute)
	c, err := h.srv.admin.Conn(ctx)
	if err != nil {
		h.t.Fatal(err)
	}
	var got int
	if err := c.QueryRowContext(ctx, "SELECT GET_LOCK(?, 10)", h.lock).Scan(&got); err != nil || got != 1 {
		h.t.Fatalf("hold the user lock %s: %d, %v", h.lock, got, err)
	}
	h.conn = c
}

func (h *mariaHold) held() bool {
	var n int64
	err := h.srv.admin.QueryRowContext(testCtx(h.t, time.Minute),
		"SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE STATE = 'User lock' AND DB = ?", h.db).Scan(&n)
	return err == nil && n > 0
}

func (h *mariaHold) release() {
	if h.conn != nil {
		// The connection goes back to the pool, its session with it:
		// release the lock first.
		_, _ = h.conn.ExecContext(context.Background(), "DO RELEASE_LOCK(?)", h.lock)
		_ = h.conn.Close()
		h.conn = nil
	}
}
