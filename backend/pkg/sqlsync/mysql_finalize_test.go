package sqlsync

import (
	"context"
	"database/sql"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"

	"github.com/neosyncio/neosync/backend/pkg/syncplan"
)

// mysqlKeysFixture has three foreign keys, one of them a self-reference
// (an update pass).
func mysqlKeysFixture(t *testing.T, db *mysqlDB) {
	db.exec(t,
		"CREATE TABLE dept (id int PRIMARY KEY, name varchar(20) NOT NULL UNIQUE)",
		"CREATE TABLE emp (id int PRIMARY KEY, dept_id int, boss int, KEY dept_idx (dept_id),"+
			" CONSTRAINT emp_dept FOREIGN KEY (dept_id) REFERENCES dept (id), CONSTRAINT emp_boss FOREIGN KEY (boss) REFERENCES emp (id))",
		"CREATE TABLE orders (id int PRIMARY KEY, emp_id int, CONSTRAINT orders_emp FOREIGN KEY (emp_id) REFERENCES emp (id))",
		"INSERT INTO dept SELECT seq, concat('dept ', seq) FROM seq_1_to_5",
		"INSERT INTO emp SELECT seq, 1 + seq % 5, NULL FROM seq_1_to_40",
		"UPDATE emp SET boss = 1 + id DIV 2 WHERE id > 1",
		"INSERT INTO orders SELECT seq, 1 + seq % 40 FROM seq_1_to_100",
	)
}

var mysqlKeysTables = []string{"dept", "emp", "orders"}

// mysqlForeignKeys lists the destination's foreign keys with their
// columns and referenced columns.
func mysqlForeignKeys(t *testing.T, db *mysqlDB) []string {
	return db.rows(t, "SELECT CONSTRAINT_NAME, TABLE_NAME, COLUMN_NAME, REFERENCED_TABLE_NAME, REFERENCED_COLUMN_NAME FROM information_schema.KEY_COLUMN_USAGE"+
		" WHERE CONSTRAINT_SCHEMA = DATABASE() AND REFERENCED_TABLE_NAME IS NOT NULL")
}

// mysqlLoaded prepares dst (init schema, truncate), copies every table and
// runs the update passes: everything but Finalize.
func mysqlLoaded(t *testing.T, src, dst *mysqlDB, copy bool) (*Engine, *syncplan.Plan, Destination) {
	t.Helper()
	ctx := testCtx(t)
	job := mysqlPassthroughJob(t, src, mysqlKeysTables)
	opts := syncplan.DestinationOptions{InitSchema: true, Truncate: true, SchemaMap: map[string]string{src.name: dst.name}}
	job.Destinations = []syncplan.Destination{{Name: "dst", Conn: dst.cfg, Options: opts}}
	plan, err := syncplan.BuildPlan(ctx, src.db, job, registry)
	if err != nil {
		t.Fatal(err)
	}
	e := newTestEngine()
	s := Source{DB: src.db}
	// Tagged, so the copy's statements carry the tag comment.
	d := Destination{Name: "dst", DB: dst.db, Options: opts, SessionTag: "load:0"}
	if !copy {
		return e, plan, d
	}
	assertNoError(t, "prepare", e.PrepareDestination(ctx, plan, d))
	assertNoError(t, "copy", e.SyncTables(ctx, plan, s, d, 2, nil, nil))
	// Update passes are idempotent: a retried pass changes nothing.
	for range 2 {
		_, err = e.RunUpdatePasses(ctx, plan, s, d)
		assertNoError(t, "update passes", err)
	}
	return e, plan, d
}

// TestMySQLFinalizeBuildsEveryForeignKeyItCan breaks one foreign key:
// Finalize adds the others and names it with its orphans' count and an
// example; fixed, Finalize run again (and again) adds it.
func TestMySQLFinalizeBuildsEveryForeignKeyItCan(t *testing.T) {
	t.Parallel()
	src, dst := newMySQLDB(t, "_src"), newMySQLDB(t, "_dst")
	mysqlKeysFixture(t, src)
	e, plan, d := mysqlLoaded(t, src, dst, true)
	ctx := testCtx(t)
	dst.exec(t, "UPDATE orders SET emp_id = 999 WHERE id IN (3, 4)")
	err := e.Finalize(ctx, plan, d)
	var fe *FinalizeError
	if !errors.As(err, &fe) || len(fe.Missing) != 1 {
		t.Fatalf("Finalize error = %v, want a *FinalizeError with one missing foreign key", err)
	}
	want := "foreign key orders_emp on " + dst.name + ".orders: 2 rows reference no row of " + dst.name + ".emp, e.g. (emp_id)=(999)"
	if m := fe.Missing[0]; m.Name != "orders_emp" || m.Reason != ReasonOrphans || m.Rows != 2 || !strings.Contains(err.Error(), want) {
		t.Fatalf("missing %+v\nmessage %s\nwant it to contain %s", m, err, want)
	}
	if me := (*mysql.MySQLError)(nil); !errors.As(err, &me) || me.Number != 1452 {
		t.Errorf("errors.As finds no server error behind the FinalizeError (want 1452): %v", me)
	}
	all := mysqlForeignKeys(t, src)
	var others []string
	for _, fk := range all {
		if !strings.Contains(fk, "orders_emp") {
			others = append(others, fk)
		}
	}
	if got := mysqlForeignKeys(t, dst); !reflect.DeepEqual(got, others) {
		t.Fatalf("destination foreign keys %q, want every other one %q", got, others)
	}
	dst.exec(t, "UPDATE orders SET emp_id = 1 + id % 40 WHERE emp_id = 999")
	assertSameMySQLRows(t, src, dst, mysqlKeysTables)
	for range 2 {
		assertNoError(t, "finalize after the fix", e.Finalize(ctx, plan, d))
		if got := mysqlForeignKeys(t, dst); !reflect.DeepEqual(got, all) {
			t.Fatalf("destination foreign keys %q, want %q", got, all)
		}
	}
}

// TestMySQLFinalizeAfterAPartialAttempt has an earlier attempt add a
// foreign key between the retry's check and its ALTER TABLE: the retry
// keeps it instead of failing on the duplicate name.
func TestMySQLFinalizeAfterAPartialAttempt(t *testing.T) {
	t.Parallel()
	src, dst := newMySQLDB(t, "_src"), newMySQLDB(t, "_dst")
	mysqlKeysFixture(t, src)
	e, plan, d := mysqlLoaded(t, src, dst, true)
	ctx := testCtx(t)
	d.OnStep = func(what string) {
		if strings.Contains(what, "emp_dept") {
			dst.exec(t, "ALTER TABLE emp ADD CONSTRAINT emp_dept FOREIGN KEY (dept_id) REFERENCES dept (id)")
		}
	}
	assertNoError(t, "finalize", e.Finalize(ctx, plan, d))
	if got, want := mysqlForeignKeys(t, dst), mysqlForeignKeys(t, src); !reflect.DeepEqual(got, want) {
		t.Fatalf("destination foreign keys %q, want %q", got, want)
	}
}

// TestMySQLRestore restores a destination whose run never prepared it,
// and one whose copy stopped half-way (an orphan: reported, not fatal).
func TestMySQLRestore(t *testing.T) {
	t.Parallel()
	src, dst := newMySQLDB(t, "_src"), newMySQLDB(t, "_dst")
	mysqlKeysFixture(t, src)
	e, plan, d := mysqlLoaded(t, src, dst, false)
	ctx := testCtx(t)
	assertNoError(t, "restore before prepare", e.Restore(ctx, plan, d))
	assertNoError(t, "prepare", e.PrepareDestination(ctx, plan, d))
	dst.exec(t, "INSERT INTO orders VALUES (1, 7)")
	err := e.Restore(ctx, plan, d)
	var fe *FinalizeError
	if !errors.As(err, &fe) || len(fe.Missing) != 1 || fe.Missing[0].Name != "orders_emp" || !fe.Restore {
		t.Fatalf("Restore error = %v, want a *FinalizeError naming orders_emp", err)
	}
	if got := len(mysqlForeignKeys(t, dst)); got != 2 {
		t.Fatalf("destination has %d foreign keys after Restore, want 2", got)
	}
}

// TestMySQLEndStaleSessions: a tagged Finalize waiting on a lock shows in
// the process list by its tag; EndStaleSessions ends it (and not a
// session of another run), and a retried Finalize, with the session
// holding the lock ended too, completes.
func TestMySQLEndStaleSessions(t *testing.T) {
	t.Parallel()
	src, dst := newMySQLDB(t, "_src"), newMySQLDB(t, "_dst")
	mysqlKeysFixture(t, src)
	e, plan, d := mysqlLoaded(t, src, dst, true)
	ctx := testCtx(t)
	session := func() *sql.Conn {
		c, err := dst.db.MySQL.Conn(ctx)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = c.Raw(func(any) error { return errors.New("discard") }); _ = c.Close() })
		return c
	}
	running := func(prefix string) bool {
		return dst.rows(t, "SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE INFO LIKE '/* "+prefix+"%'")[0] != `"0"`
	}
	// A stale statement of run 1 that holds a lock on orders (an open
	// transaction that read it), and one of run 2.
	stale, other := session(), session()
	if _, err := stale.ExecContext(ctx, "BEGIN"); err != nil {
		t.Fatal(err)
	}
	if _, err := stale.ExecContext(ctx, "SELECT COUNT(*) FROM orders"); err != nil {
		t.Fatal(err)
	}
	staleDone, otherDone := make(chan error, 1), make(chan error, 1)
	go func() {
		_, err := stale.ExecContext(ctx, "/* neosync:run-1:0:copy */ SELECT SLEEP(300)")
		staleDone <- err
	}()
	go func() {
		_, err := other.ExecContext(ctx, "/* neosync:run-2:0:copy */ SELECT SLEEP(300)")
		otherDone <- err
	}()
	waitFor(t, func() bool { return running("neosync:run-1:") && running("neosync:run-2:") })

	// A tagged Finalize of run 1 waits for the lock.
	d.SessionTag = "run-1:0:finalize"
	finDone := make(chan error, 1)
	go func() { finDone <- e.Finalize(ctx, plan, d) }()
	waitFor(t, func() bool { return running("neosync:run-1:0:finalize") })

	// MySQL shows a session only while it runs a statement: between two
	// of Finalize's statements its session is not found, so end what is
	// found until the stale holder is gone and Finalize has returned.
	// Finalize either is ended too (a retryable error) or, once the stale
	// lock is gone, completes: in neither case does it wait on the dead
	// attempt's lock.
	n, err := EndStaleSessions(ctx, d, "neosync:run-1:")
	if err != nil || n < 1 {
		t.Fatalf("EndStaleSessions = %d, %v; want the stale session ended", n, err)
	}
	<-staleDone
	var finErr error
	select {
	case finErr = <-finDone:
	case <-time.After(2 * time.Minute):
		t.Fatal("Finalize still waits after the stale session was ended")
	}
	if fe := (*FinalizeError)(nil); finErr != nil && errors.As(finErr, &fe) {
		t.Fatalf("an ended Finalize must be retryable, got %v", finErr)
	}
	if n == 1 && finErr != nil {
		t.Fatalf("Finalize was not ended by EndStaleSessions but failed: %v", finErr)
	}
	if running("neosync:run-1:") || !running("neosync:run-2:") {
		t.Fatal("EndStaleSessions ended the wrong sessions")
	}
	assertNoError(t, "retried finalize", e.Finalize(ctx, plan, d))
	if got, want := mysqlForeignKeys(t, dst), mysqlForeignKeys(t, src); !reflect.DeepEqual(got, want) {
		t.Fatalf("destination foreign keys %q, want %q", got, want)
	}
	if _, err := EndStaleSessions(context.WithoutCancel(ctx), d, "neosync:run-2:"); err != nil {
		t.Fatal(err)
	}
	<-otherDone
}
