package e2e_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	_ "github.com/go-sql-driver/mysql"
	"github.com/jackc/pgx/v5"

	"github.com/neosyncio/neosync/backend/pkg/devtemporal"
)

// The binaries under test, built once by TestMain.
var (
	binDir       string
	temporalAddr string
	// local is an API in single-user mode (with a worker); keyed is one in
	// API-key mode. Both are started once and shared by the tests.
	local, keyed *stack
)

func TestMain(m *testing.M) { os.Exit(testMain(m)) }

func testMain(m *testing.M) int {
	dir, err := os.MkdirTemp("", "neosync-cli-e2e-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(dir)
	binDir = dir
	var wg sync.WaitGroup
	errs := make(chan error, 3)
	for name, pkg := range map[string]string{
		"neosync-api":    "github.com/neosyncio/neosync/backend/cmd/neosync-api",
		"neosync-worker": "github.com/neosyncio/neosync/worker/cmd/neosync-worker",
		"neosync":        "github.com/neosyncio/neosync/cli/cmd/neosync",
	} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if out, err := exec.Command("go", "build", "-o", filepath.Join(dir, name), pkg).CombinedOutput(); err != nil {
				errs <- fmt.Errorf("build %s: %v\n%s", name, err, out)
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		fmt.Fprintln(os.Stderr, "e2e:", err)
		return 1
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	srv, err := devtemporal.Start(ctx, devtemporal.Options{})
	cancel()
	if err != nil {
		fmt.Fprintln(os.Stderr, "e2e: Temporal dev server:", err)
		return 1
	}
	defer srv.Stop()
	temporalAddr = srv.HostPort

	var cleanups []func()
	defer func() {
		for i := len(cleanups) - 1; i >= 0; i-- {
			cleanups[i]()
		}
	}()
	for _, s := range []struct {
		into   **stack
		mode   string
		worker bool
	}{{&local, "none", true}, {&keyed, "apikey", false}} {
		st, cleanup, err := startStack(s.mode, s.worker)
		cleanups = append(cleanups, cleanup)
		if err != nil {
			fmt.Fprintln(os.Stderr, "e2e:", err)
			if st != nil {
				fmt.Fprintln(os.Stderr, st.logText())
			}
			return 1
		}
		*s.into = st
	}
	code := m.Run()
	if code != 0 {
		fmt.Fprintf(os.Stderr, "API and worker logs (single-user stack):\n%s\n", local.logText())
	}
	return code
}

func pgAdminURL() string {
	if v := os.Getenv("NEOSYNC_TEST_PG_URL"); v != "" {
		return v
	}
	return "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"
}

func mysqlAdminDSN() string {
	if v := os.Getenv("NEOSYNC_TEST_MYSQL_DSN"); v != "" {
		return v
	}
	return "root@tcp(127.0.0.1:3306)/"
}

func suffix() string {
	b := make([]byte, 5)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

func ctxFor(t testing.TB, d time.Duration) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	t.Cleanup(cancel)
	return ctx
}

// createPostgres creates a database and returns its URL and a drop function.
func createPostgres(prefix string) (string, func(), error) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	admin, err := pgx.Connect(ctx, pgAdminURL())
	if err != nil {
		return "", func() {}, fmt.Errorf("Postgres unreachable (NEOSYNC_TEST_PG_URL=%s): %w", pgAdminURL(), err)
	}
	defer admin.Close(context.Background())
	name := prefix + "_" + suffix()
	if _, err := admin.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{name}.Sanitize()); err != nil {
		return "", func() {}, err
	}
	drop := func() {
		c, err := pgx.Connect(context.Background(), pgAdminURL())
		if err != nil {
			return
		}
		defer c.Close(context.Background())
		_, _ = c.Exec(context.Background(), "DROP DATABASE IF EXISTS "+pgx.Identifier{name}.Sanitize()+" WITH (FORCE)")
	}
	u, _ := url.Parse(pgAdminURL())
	u.Path = "/" + name
	return u.String(), drop, nil
}

// newPostgres creates a Postgres database dropped at cleanup and returns its URL.
func newPostgres(t *testing.T, prefix string) string {
	t.Helper()
	u, drop, err := createPostgres(prefix)
	t.Cleanup(drop)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// pgConnect opens a connection to dbURL with a context bounded to a
// minute; the caller closes it.
func pgConnect(t *testing.T, dbURL string) (context.Context, *pgx.Conn) {
	t.Helper()
	ctx := ctxFor(t, time.Minute)
	c, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	return ctx, c
}

func pgExec(t *testing.T, dbURL, stmt string) {
	t.Helper()
	ctx, c := pgConnect(t, dbURL)
	defer c.Close(context.Background())
	if _, err := c.Exec(ctx, stmt); err != nil {
		t.Fatalf("exec %q: %v", stmt, err)
	}
}

// pgStrings returns the first column of every row of query, as text, in
// the query's order.
func pgStrings(t *testing.T, dbURL, query string) []string {
	t.Helper()
	ctx, c := pgConnect(t, dbURL)
	defer c.Close(context.Background())
	rows, err := c.Query(ctx, query)
	if err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	out, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// pgRows returns every row of table as text, sorted.
func pgRows(t *testing.T, dbURL, table string) []string {
	t.Helper()
	return pgStrings(t, dbURL, "SELECT t::text FROM "+table+" t ORDER BY 1")
}

// myStrings returns the first column of every row of query, run on the
// MariaDB server as the admin user, as text, in the query's order.
func myStrings(t *testing.T, query string) []string {
	t.Helper()
	db, err := sql.Open("mysql", mysqlAdminDSN())
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.QueryContext(ctxFor(t, time.Minute), query)
	if err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		out = append(out, s)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

func pgInt(t *testing.T, dbURL, query string) int64 {
	t.Helper()
	ctx, c := pgConnect(t, dbURL)
	defer c.Close(context.Background())
	var n int64
	if err := c.QueryRow(ctx, query).Scan(&n); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return n
}

// newMariaDB creates a MariaDB database with statements run in it, dropped at
// cleanup, and returns its name.
func newMariaDB(t *testing.T, stmts ...string) string {
	t.Helper()
	db, err := sql.Open("mysql", mysqlAdminDSN())
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx := ctxFor(t, time.Minute)
	if err := db.PingContext(ctx); err != nil {
		t.Fatalf("MariaDB unreachable (NEOSYNC_TEST_MYSQL_DSN=%s): %v", mysqlAdminDSN(), err)
	}
	name := "neosync_cli_" + suffix()
	if _, err := db.ExecContext(ctx, "CREATE DATABASE `"+name+"`"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		db, err := sql.Open("mysql", mysqlAdminDSN())
		if err != nil {
			return
		}
		defer db.Close()
		_, _ = db.Exec("DROP DATABASE IF EXISTS `" + name + "`")
	})
	conn, err := db.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	for _, s := range append([]string{"USE `" + name + "`"}, stmts...) {
		if _, err := conn.ExecContext(ctx, s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
	return name
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// stack is one API process (and optionally a worker) with its own database
// and task queue.
type stack struct {
	apiURL    string
	dbURL     string
	taskQueue string
	// key is an account key of team account "cli-e2e" (apikey mode only).
	key string

	mu   sync.Mutex
	logs bytes.Buffer
}

func (s *stack) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.logs.Write(p)
}

func (s *stack) logText() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.logs.String()
}

func (s *stack) env() []string {
	return append(os.Environ(),
		"NEOSYNC_DB_URL="+s.dbURL, "NEOSYNC_ENCRYPTION_KEY=000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f",
		"TEMPORAL_URL="+temporalAddr, "TEMPORAL_TASK_QUEUE="+s.taskQueue, "NEOSYNC_API_URL="+s.apiURL, "LOG_LEVEL=warn")
}

// startStack runs neosync-api in mode (and a worker when asked) until
// cleanup; apiEnv is added to the API's environment.
func startStack(mode string, worker bool, apiEnv ...string) (*stack, func(), error) {
	var cleanups []func()
	cleanup := func() {
		for i := len(cleanups) - 1; i >= 0; i-- {
			cleanups[i]()
		}
	}
	dbURL, drop, err := createPostgres("neosync_cli_e2e_api")
	cleanups = append(cleanups, drop)
	if err != nil {
		return nil, cleanup, err
	}
	port, err := freePort()
	if err != nil {
		return nil, cleanup, err
	}
	s := &stack{dbURL: dbURL, taskQueue: "cli-e2e-" + suffix(), apiURL: fmt.Sprintf("http://127.0.0.1:%d", port)}
	start := func(name string, extraEnv ...string) error {
		cmd := exec.Command(filepath.Join(binDir, name), "serve")
		cmd.Env = append(s.env(), extraEnv...)
		cmd.Stdout, cmd.Stderr = s, s
		cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
		if err := cmd.Start(); err != nil {
			return err
		}
		cleanups = append(cleanups, func() {
			_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGTERM)
			done := make(chan struct{})
			go func() { _ = cmd.Wait(); close(done) }()
			select {
			case <-done:
			case <-time.After(10 * time.Second):
				_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
				<-done
			}
		})
		return nil
	}
	if err := start("neosync-api", append([]string{fmt.Sprintf("NEOSYNC_LISTEN_ADDR=127.0.0.1:%d", port), "NEOSYNC_AUTH_MODE=" + mode, "DB_AUTO_MIGRATE=true"}, apiEnv...)...); err != nil {
		return s, cleanup, err
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		resp, err := http.Get(s.apiURL + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				break
			}
		}
		if time.Now().After(deadline) {
			return s, cleanup, fmt.Errorf("the %s-mode API did not become healthy: %v", mode, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
	if mode == "apikey" {
		out, err := s.apiCmd("apikey", "create", "-account", "cli-e2e")
		if err != nil {
			return s, cleanup, fmt.Errorf("apikey create: %v %s", err, out)
		}
		s.key = strings.TrimSpace(out)
	}
	if worker {
		out, err := s.apiCmd("apikey", "create", "-worker")
		if err != nil {
			return s, cleanup, fmt.Errorf("worker key: %v %s", err, out)
		}
		if err := start("neosync-worker", "NEOSYNC_API_KEY="+strings.TrimSpace(out)); err != nil {
			return s, cleanup, err
		}
	}
	return s, cleanup, nil
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

// cli runs the neosync binary with its own configuration directory.
type cli struct {
	t   *testing.T
	dir string
	env []string
}

// newCLI returns a CLI pointed at apiURL with an empty configuration.
func newCLI(t *testing.T, apiURL string) *cli {
	t.Helper()
	c := &cli{t: t, dir: t.TempDir()}
	c.env = []string{
		"PATH=" + os.Getenv("PATH"), "HOME=" + c.dir, "NEOSYNC_CONFIG_DIR=" + filepath.Join(c.dir, "config"),
	}
	if apiURL != "" {
		c.env = append(c.env, "NEOSYNC_API_URL="+apiURL)
	}
	return c
}

// with returns a copy of c with extra environment variables.
func (c *cli) with(env ...string) *cli {
	out := *c
	out.env = append(append([]string{}, c.env...), env...)
	return &out
}

type result struct {
	stdout, stderr string
	code           int
}

// run executes `neosync ARGS` (stdin may be empty) within a minute.
func (c *cli) run(stdin string, args ...string) result {
	c.t.Helper()
	ctx := ctxFor(c.t, 2*time.Minute)
	cmd := exec.CommandContext(ctx, filepath.Join(binDir, "neosync"), args...)
	cmd.Env = c.env
	cmd.Dir = c.dir
	cmd.Stdin = strings.NewReader(stdin)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	r := result{stdout: stdout.String(), stderr: stderr.String()}
	var exit *exec.ExitError
	switch {
	case errors.As(err, &exit):
		r.code = exit.ExitCode()
	case err != nil:
		c.t.Fatalf("run neosync %v: %v", args, err)
	}
	return r
}

// ok runs a command that must succeed and returns its stdout.
func (c *cli) ok(args ...string) string {
	c.t.Helper()
	r := c.run("", args...)
	if r.code != 0 {
		c.t.Fatalf("neosync %s: exit %d\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), r.code, r.stdout, r.stderr)
	}
	return r.stdout
}

// fail runs a command that must fail with one readable line on stderr
// containing want, and returns that line.
func (c *cli) fail(want string, args ...string) string {
	c.t.Helper()
	r := c.run("", args...)
	checkFailure(c.t, r, want, args)
	return strings.TrimSpace(r.stderr)
}

func checkFailure(t *testing.T, r result, want string, args []string) {
	t.Helper()
	line := strings.TrimSuffix(r.stderr, "\n")
	switch {
	case r.code == 0:
		t.Fatalf("neosync %s succeeded; want failure %q\nstdout:\n%s", strings.Join(args, " "), want, r.stdout)
	case strings.Contains(line, "\n") || !strings.HasPrefix(line, "neosync: "):
		t.Fatalf("neosync %s: stderr is not one line starting with \"neosync: \":\n%s", strings.Join(args, " "), r.stderr)
	case strings.Contains(line, "goroutine") || strings.Contains(line, "panic"):
		t.Fatalf("neosync %s: stack trace:\n%s", strings.Join(args, " "), r.stderr)
	case !strings.Contains(line, want):
		t.Fatalf("neosync %s: stderr %q does not contain %q", strings.Join(args, " "), line, want)
	}
}

// writeFile writes a file in the CLI's working directory.
func (c *cli) writeFile(name, content string) string {
	c.t.Helper()
	p := filepath.Join(c.dir, name)
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		c.t.Fatal(err)
	}
	return p
}

// closedURL is an http URL on a loopback port nothing listens on.
func closedURL(t *testing.T) string {
	t.Helper()
	port, err := freePort()
	if err != nil {
		t.Fatal(err)
	}
	return fmt.Sprintf("http://127.0.0.1:%d", port)
}
