package e2e_test

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"connectrpc.com/connect"

	mgmt "github.com/neosyncio/neosync/backend/gen/go/protos/mgmt/v1alpha1"
	"github.com/neosyncio/neosync/backend/pkg/sqlschema"
	"github.com/neosyncio/neosync/backend/pkg/testdb"
)

// mariaUsersTable is the benchmark's table on MariaDB, keyed by id.
const mariaUsersTable = `CREATE TABLE users (
	id bigint PRIMARY KEY, email varchar(255) NOT NULL, first_name varchar(100), last_name varchar(100), ssn varchar(16),
	phone varchar(24), age int, balance decimal(12,2), created_at datetime NOT NULL, active boolean
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4`

// mariaUsersRows fills users with rows rows from MariaDB's sequence engine
// (no NULLs: the SELECT → LOAD DATA yardstick prints NULL as a word).
const mariaUsersRows = `INSERT INTO users SELECT seq, CONCAT('user', seq, '@example.com'), CONCAT('first', seq), CONCAT('last', seq),
	LPAD(seq * 7919 %% 1000000000, 9, '0'), CONCAT('+1555', LPAD(seq, 7, '0')), seq %% 97,
	(seq %% 100000) / 100.0, '2020-01-01' + INTERVAL seq SECOND, seq %% 2 = 0
	FROM seq_1_to_%d`

// mariaServer is a MariaDB server the benchmark reaches over TCP.
type mariaServer struct {
	host, port, user, password string
	admin                      *sql.DB
}

// url is a mysql:// connection URL of database db on the server.
func (m *mariaServer) url(db string) string {
	u := url.URL{Scheme: "mysql", Host: m.host + ":" + m.port, Path: "/" + db, User: url.User(m.user)}
	if m.password != "" {
		u.User = url.UserPassword(m.user, m.password)
	}
	return u.String()
}

// env is the server's address for the shell yardsticks, as
// <prefix>HOST, <prefix>PORT, <prefix>USER and <prefix>PW.
func (m *mariaServer) env(prefix string) []string {
	return []string{prefix + "HOST=" + m.host, prefix + "PORT=" + m.port, prefix + "USER=" + m.user, prefix + "PW=" + m.password}
}

// database creates an empty database on the server, dropped at cleanup.
func (m *mariaServer) database(t *testing.T, prefix string) string {
	t.Helper()
	name := prefix + "_" + testdb.Suffix()
	q, err := sqlschema.QuoteMySQLIdentifier(name)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := m.admin.ExecContext(testCtx(t, time.Minute), "CREATE DATABASE "+q); err != nil {
		t.Fatalf("create database %s: %v", name, err)
	}
	t.Cleanup(func() { _, _ = m.admin.ExecContext(context.Background(), "DROP DATABASE IF EXISTS "+q) })
	return name
}

// exec runs statements in database db (empty: none selected).
func (m *mariaServer) exec(t *testing.T, db string, stmts ...string) {
	t.Helper()
	ctx := testCtx(t, 10*time.Minute)
	conn, err := m.admin.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if db != "" {
		q, _ := sqlschema.QuoteMySQLIdentifier(db)
		stmts = append([]string{"USE " + q}, stmts...)
	}
	for _, s := range stmts {
		if _, err := conn.ExecContext(ctx, s); err != nil {
			t.Fatalf("%s: %v", strings.SplitN(s, "\n", 2)[0], err)
		}
	}
}

// count is the number of rows of db.users.
func (m *mariaServer) count(t *testing.T, db string) int64 {
	t.Helper()
	q, _ := sqlschema.QuoteMySQLIdentifier(db)
	var n int64
	if err := m.admin.QueryRowContext(testCtx(t, time.Minute), "SELECT COUNT(*) FROM "+q+".users").Scan(&n); err != nil {
		t.Fatalf("count %s.users: %v", db, err)
	}
	return n
}

// openMariaServer connects to the server whose mysql:// URL is u.
func openMariaServer(t *testing.T, u string) *mariaServer {
	t.Helper()
	p, err := url.Parse(u)
	if err != nil {
		t.Fatal(err)
	}
	pw, _ := p.User.Password()
	m := &mariaServer{host: p.Hostname(), port: p.Port(), user: p.User.Username(), password: pw}
	if m.port == "" {
		m.port = "3306"
	}
	cfg := m.user
	if pw != "" {
		cfg += ":" + pw
	}
	if m.admin, err = sql.Open("mysql", cfg+"@tcp("+m.host+":"+m.port+")/"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = m.admin.Close() })
	return m
}

// startMariaDB starts a second MariaDB server for the destinations, with
// its own data directory under a temporary directory (mariadb-install-db)
// on a free port, stopped at cleanup. It gives up after a minute.
func startMariaDB(t *testing.T) (*mariaServer, error) {
	t.Helper()
	mariadbd, err := exec.LookPath("mariadbd")
	if err != nil {
		if mariadbd, err = exec.LookPath("/usr/sbin/mariadbd"); err != nil {
			return nil, errors.New("mariadbd not found")
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	user := []string{}
	if os.Geteuid() == 0 {
		user = []string{"--user=root"} // the temporary directory is root's
	}
	install := exec.CommandContext(ctx, "mariadb-install-db", append([]string{"--no-defaults", "--datadir=" + data,
		"--auth-root-authentication-method=normal", "--skip-test-db"}, user...)...)
	if out, err := install.CombinedOutput(); err != nil {
		return nil, fmt.Errorf("mariadb-install-db: %v: %s", err, lastLine(out))
	}
	port := fmt.Sprint(freePort(t))
	var logs bytes.Buffer
	srv := exec.Command(mariadbd, append([]string{"--no-defaults", "--datadir=" + data, "--port=" + port, "--bind-address=127.0.0.1",
		"--socket=" + filepath.Join(dir, "sock"), "--pid-file=" + filepath.Join(dir, "pid"), "--skip-log-bin", "--local-infile=1"}, user...)...)
	srv.Stdout, srv.Stderr = &logs, &logs
	srv.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := srv.Start(); err != nil {
		return nil, fmt.Errorf("mariadbd: %v", err)
	}
	t.Cleanup(func() {
		_ = srv.Process.Signal(syscall.SIGTERM)
		done := make(chan struct{})
		go func() { _ = srv.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(time.Minute):
			_ = srv.Process.Kill()
			<-done
		}
	})
	m := openMariaServer(t, "mysql://root@127.0.0.1:"+port+"/")
	for m.admin.PingContext(ctx) != nil {
		if ctx.Err() != nil {
			return nil, fmt.Errorf("mariadbd on port %s did not answer within a minute: %s", port, lastLine(logs.Bytes()))
		}
		time.Sleep(200 * time.Millisecond)
	}
	return m, nil
}

func lastLine(out []byte) string {
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	return lines[len(lines)-1]
}

// mariaBench is the MariaDB side: the source database on the local server,
// the yardsticks' destination and one destination database per job on a
// second server (or, when one cannot start, on the same server).
type mariaBench struct {
	src, dst    *mariaServer
	srcDB, yard string
	note        string
	jobs        []benchJob
}

// setupMariaDB creates and fills the source, starts the destination
// server, creates the destinations (an appending one gets the table with
// its key) and the four jobs.
func (b *e2eBench) setupMariaDB() *mariaBench {
	t := b.t
	srcURL, _ := testdb.MySQL(t, "neosync_bench_src")
	m := &mariaBench{src: openMariaServer(t, srcURL), note: "two servers"}
	u, err := url.Parse(srcURL)
	if err != nil {
		t.Fatal(err)
	}
	m.srcDB = strings.TrimPrefix(u.Path, "/")
	m.src.exec(t, m.srcDB, mariaUsersTable, fmt.Sprintf(mariaUsersRows, b.rows), "ANALYZE TABLE users")
	dst, err := startMariaDB(t)
	if err != nil {
		m.dst, m.note = m.src, "one server, two databases"
		b.printf("bench-e2e: MariaDB destinations on the source's server (%s): a second server did not start: %v", m.note, err)
	} else {
		m.dst = dst
		b.printf("bench-e2e: MariaDB destinations on a second server (127.0.0.1:%s, its own data directory)", dst.port)
	}
	m.yard = m.dst.database(t, "neosync_bench_pipe")
	srcID := b.s.mysqlConnection(t, "bench-maria-src", srcURL)
	for _, path := range []string{"owned", "appending"} {
		for _, mode := range []string{"transformed", "passthrough"} {
			db := m.dst.database(t, "neosync_bench_"+path)
			var reset func()
			if path == "appending" {
				m.dst.exec(t, db, mariaUsersTable)
				reset = func() { m.dst.exec(t, db, "TRUNCATE TABLE users") }
			}
			m.jobs = append(m.jobs, benchJob{dialect: "mariadb", path: path, mode: mode, note: m.note, reset: reset,
				id:    b.createBenchJob("mariadb", path, mode, srcID, b.s.mysqlConnection(t, "bench-maria-"+path+"-"+mode, m.dst.url(db)), m.srcDB),
				count: func() int64 { return m.dst.count(t, db) }})
		}
	}
	return m
}

// round measures mysqldump | mysql (which recreates the table with its
// key), then SELECT → LOAD DATA into the emptied indexed table, then the
// jobs.
func (m *mariaBench) round(b *e2eBench, round int) {
	t := b.t
	env := append(append([]string{"SRCDB=" + m.srcDB, "DSTDB=" + m.yard}, m.src.env("S")...), m.dst.env("D")...)
	count := func() int64 { return m.dst.count(t, m.yard) }
	b.runYardstick(round, "mariadb", "mysqldump | mysql", m.note, nil,
		`MYSQL_PWD="$SPW" mysqldump -h "$SHOST" -P "$SPORT" -u "$SUSER" --single-transaction --quick "$SRCDB" users | `+
			`MYSQL_PWD="$DPW" mysql -h "$DHOST" -P "$DPORT" -u "$DUSER" "$DSTDB"`, env, count, "", "")
	b.runYardstick(round, "mariadb", "SELECT → LOAD DATA", m.note, func() { m.dst.exec(t, m.yard, "TRUNCATE TABLE users") },
		`MYSQL_PWD="$SPW" mysql -h "$SHOST" -P "$SPORT" -u "$SUSER" --batch --quick --skip-column-names -e "SELECT `+strings.Join(benchColumns, ", ")+` FROM users" "$SRCDB" | `+
			`MYSQL_PWD="$DPW" mysql -h "$DHOST" -P "$DPORT" -u "$DUSER" --local-infile=1 -e "LOAD DATA LOCAL INFILE '/dev/stdin' INTO TABLE users" "$DSTDB"`, env, count, "", "")
	for _, j := range m.jobs {
		b.runJob(round, j)
	}
}

// mysqlConnection creates a MySQL/MariaDB connection from a mysql:// URL.
func (s *stack) mysqlConnection(t *testing.T, name, u string) string {
	t.Helper()
	cfg := &mgmt.ConnectionConfig{Config: &mgmt.ConnectionConfig_MysqlConfig{MysqlConfig: &mgmt.MysqlConnectionConfig{ConnectionConfig: &mgmt.MysqlConnectionConfig_Url{Url: u}}}}
	resp, err := s.c.Connections.CreateConnection(testCtx(t, time.Minute), connect.NewRequest(&mgmt.CreateConnectionRequest{AccountId: s.accountID, Name: name, ConnectionConfig: cfg}))
	if err != nil {
		t.Fatalf("CreateConnection %s: %v", name, err)
	}
	return resp.Msg.GetConnection().GetId()
}
