package sqlsync

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/neosyncio/neosync/backend/pkg/syncplan"
)

// pgKeysFixture is a schema with every kind of object Finalize builds:
// primary keys, unique constraints, a unique key a foreign key references,
// a self-reference (an update pass), plain and unique indexes, a check,
// and a serial column.
func pgKeysFixture(t *testing.T, db *pgDB) {
	db.exec(t,
		`CREATE SCHEMA app`,
		`CREATE TABLE app.departments (id int PRIMARY KEY, name text NOT NULL CONSTRAINT departments_name_key UNIQUE)`,
		`CREATE TABLE app.employees (id int PRIMARY KEY, email text NOT NULL CONSTRAINT employees_email_key UNIQUE,
			dept_id int REFERENCES app.departments (id), manager_id int REFERENCES app.employees (id), CHECK (id > 0))`,
		`CREATE INDEX employees_dept_idx ON app.employees (dept_id)`,
		`CREATE TABLE app.badges (id int PRIMARY KEY, owner_email text REFERENCES app.employees (email))`,
		`CREATE TABLE app.orders (id bigserial PRIMARY KEY, employee_id int REFERENCES app.employees (id), note text)`,
		`CREATE INDEX orders_note_idx ON app.orders (note)`,
		`CREATE UNIQUE INDEX orders_note_employee_uidx ON app.orders (employee_id, note)`,
		`INSERT INTO app.departments SELECT g, 'dept ' || g FROM generate_series(1, 5) g`,
		`INSERT INTO app.employees SELECT g, 'e' || g || '@example.com', 1 + g % 5, CASE WHEN g > 1 THEN 1 + g / 2 END FROM generate_series(1, 40) g`,
		`INSERT INTO app.badges SELECT g, 'e' || (1 + g % 40) || '@example.com' FROM generate_series(1, 30) g`,
		`INSERT INTO app.orders (employee_id, note) SELECT 1 + g % 40, 'order ' || g FROM generate_series(1, 200) g`,
	)
}

var pgKeysTables = []string{"departments", "employees", "badges", "orders"}

// pgStructure lists the constraints (with validity) and indexes of schema
// app, for comparing a destination with its source.
func pgStructure(t *testing.T, db *pgDB) []string {
	t.Helper()
	var out []string
	for _, q := range []string{
		`SELECT c.relname || '.' || con.conname || ':' || pg_get_constraintdef(con.oid) || ':' || con.convalidated::text FROM pg_constraint con
			JOIN pg_class c ON c.oid = con.conrelid JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'app'`,
		`SELECT tablename || ':' || indexdef FROM pg_indexes WHERE schemaname = 'app'`,
	} {
		out = append(out, db.rows(t, q)...)
	}
	slices.Sort(out)
	return out
}

// pgLoaded prepares dst (the job owns it: init schema and truncate, so
// keys, indexes and foreign keys are dropped for the load), copies every
// table and runs the update passes: everything but Finalize.
func pgLoaded(t *testing.T, src, dst *pgDB) (*Engine, *syncplan.Plan, Destination) {
	t.Helper()
	e, plan, d := pgLoadedTables(t, src, dst, pgKeysTables)
	// Update passes are idempotent: a retried pass changes nothing.
	for range 2 {
		if _, err := e.RunUpdatePasses(testCtx(t), plan, Source{DB: src.db}, d); err != nil {
			t.Fatal(err)
		}
	}
	return e, plan, d
}

// TestPostgresFinalizeBuildsEveryConstraintItCan breaks one unique key and
// one foreign key in the loaded destination: Finalize must build every
// other key, index and foreign key, and fail with an error naming the
// two, the offending rows' counts and an example, and the foreign key
// that needs the broken unique key. Once the rows are fixed, Finalize
// run again (after that partial attempt) completes the destination.
func TestPostgresFinalizeBuildsEveryConstraintItCan(t *testing.T) {
	t.Parallel()
	src, dst := newPGDB(t), newPGDB(t)
	pgKeysFixture(t, src)
	e, plan, d := pgLoaded(t, src, dst)
	ctx := testCtx(t)
	dst.exec(t,
		`UPDATE app.employees SET email = 'dup@example.com' WHERE id IN (7, 8, 9)`,
		`UPDATE app.orders SET employee_id = 999 WHERE id IN (3, 4)`,
	)
	var steps []string
	d.OnStep = func(what string) { steps = append(steps, what) }
	err := e.Finalize(ctx, plan, d)
	var fe *FinalizeError
	if !errors.As(err, &fe) {
		t.Fatalf("Finalize error = %v, want a *FinalizeError", err)
	}
	msg := err.Error()
	t.Logf("message: %s", msg)
	if pe := (*pgconn.PgError)(nil); !errors.As(err, &pe) || pe.Code != "23505" {
		t.Errorf("errors.As finds no server error behind the FinalizeError (want the duplicate's 23505): %v", pe)
	}
	got := map[string]MissingConstraint{}
	for _, m := range fe.Missing {
		got[m.Name] = m
	}
	if len(got) != 3 {
		t.Errorf("missing %d objects, want 3 (employees_email_key, badges_owner_email_fkey, orders_employee_id_fkey): %+v", len(got), fe.Missing)
	}
	if m := got["employees_email_key"]; m.Reason != ReasonDuplicates || m.Values != 1 || m.Rows != 3 || m.Example != "(email)=(dup@example.com)" || m.Kind != KindUnique {
		t.Errorf("employees_email_key: %+v, want 1 duplicated value over 3 rows, e.g. (email)=(dup@example.com)", m)
	}
	if m := got["badges_owner_email_fkey"]; m.Reason != ReasonReferencedKeyMissing || !strings.Contains(m.String(), "employees_email_key") {
		t.Errorf("badges_owner_email_fkey: %+v, want it to name the missing key it references", m)
	}
	if m := got["orders_employee_id_fkey"]; m.Reason != ReasonOrphans || m.Rows != 2 || m.Example != "(employee_id)=(999)" {
		t.Errorf("orders_employee_id_fkey: %+v, want 2 orphan rows, e.g. (employee_id)=(999)", m)
	}
	for _, want := range []string{"finalize destination dst:", "unique constraint employees_email_key on app.employees: 1 duplicated value over 3 rows, e.g. (email)=(dup@example.com)",
		"foreign key orders_employee_id_fkey on app.orders: 2 rows reference no row of app.employees, e.g. (employee_id)=(999)",
		"foreign key badges_owner_email_fkey on app.badges: not added: it references app.employees (email), whose key employees_email_key could not be built"} {
		if !strings.Contains(msg, want) {
			t.Errorf("message lacks %q:\n%s", want, msg)
		}
	}
	// Everything else is in place.
	missing := map[string]bool{"employees_email_key": true, "badges_owner_email_fkey": true, "orders_employee_id_fkey": true}
	var want []string
	for _, s := range pgStructure(t, src) {
		skip := false
		for name := range missing {
			if strings.Contains(s, "."+name+":") || strings.Contains(s, "INDEX "+name+" ") {
				skip = true
			}
		}
		if !skip {
			want = append(want, s)
		}
	}
	if have := pgStructure(t, dst); !reflect.DeepEqual(have, want) {
		t.Errorf("after the failed Finalize the destination has\n%q\nwant every object but the three broken ones\n%q", have, want)
	}
	if !slices.Contains(steps, "add primary key orders_pkey on app.orders") {
		t.Errorf("OnStep calls %q lack the primary key of orders", steps)
	}

	// Fixed, Finalize completes the destination, and again.
	dst.exec(t,
		`UPDATE app.employees SET email = 'e' || id || '@example.com'`,
		`UPDATE app.orders SET employee_id = 1 + id % 40 WHERE employee_id = 999`,
	)
	for range 2 {
		if err := e.Finalize(ctx, plan, d); err != nil {
			t.Fatalf("Finalize after the fix: %v", err)
		}
		if have, want := pgStructure(t, dst), pgStructure(t, src); !reflect.DeepEqual(have, want) {
			t.Fatalf("destination structure\n%q\nwant\n%q", have, want)
		}
	}
	assertSameRows(t, src, dst, "app", pgKeysTables)
}

// TestPostgresFinalizeAfterAPartialAttempt interrupts Finalize mid-way
// and runs it again while an earlier attempt's statement is still
// running in another session (it adds a key the retry is about to add):
// the retry must wait for it and then keep its key, not fail with
// "already exists".
func TestPostgresFinalizeAfterAPartialAttempt(t *testing.T) {
	t.Parallel()
	src, dst := newPGDB(t), newPGDB(t)
	pgKeysFixture(t, src)
	e, plan, d := pgLoaded(t, src, dst)
	ctx := testCtx(t)

	// A first attempt canceled after a few objects.
	cctx, cancel := context.WithCancel(ctx)
	n := 0
	d.OnStep = func(string) {
		if n++; n == 4 {
			cancel()
		}
	}
	if err := e.Finalize(cctx, plan, d); err == nil || !errors.Is(err, context.Canceled) {
		t.Fatalf("interrupted Finalize: %v, want context.Canceled", err)
	}
	d.OnStep = nil

	// A predecessor still running: it has added orders_pkey in a
	// transaction it has not committed yet.
	pred, err := pgx.Connect(ctx, dst.cfg.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = pred.Close(context.Background()) }()
	tx, err := pred.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Exec(ctx, `ALTER TABLE app.orders ADD CONSTRAINT orders_pkey PRIMARY KEY (id)`); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- e.Finalize(ctx, plan, d) }()
	// Commit once the retry waits for the predecessor's lock.
	waitFor(t, func() bool {
		return dst.rows(t, `SELECT count(*)::text FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`)[0] != "0"
	})
	if err := tx.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	if err := <-done; err != nil {
		t.Fatalf("retried Finalize: %v", err)
	}
	if have, want := pgStructure(t, dst), pgStructure(t, src); !reflect.DeepEqual(have, want) {
		t.Fatalf("destination structure\n%q\nwant\n%q", have, want)
	}
}

// waitFor polls cond until it holds (the test's context bounds it).
func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	ctx := testCtx(t)
	for !cond() {
		select {
		case <-ctx.Done():
			t.Fatal("condition never held")
		case <-time.After(10 * time.Millisecond):
		}
	}
}

// TestPostgresRestore puts the keys back after runs stopped at every
// point: before PrepareDestination ran, after it (keys dropped, tables
// empty), and after an incomplete copy whose rows break a foreign key —
// which is reported, not fatal, while every other object is built.
func TestPostgresRestore(t *testing.T) {
	t.Parallel()
	src := newPGDB(t)
	pgKeysFixture(t, src)
	job := passthroughJob(t, src, "app", pgKeysTables)
	job.Source = src.cfg
	opts := syncplan.DestinationOptions{InitSchema: true, Truncate: true}
	ctx := testCtx(t)

	t.Run("never prepared", func(t *testing.T) {
		t.Parallel()
		dst := newPGDB(t)
		job := job
		job.Destinations = []syncplan.Destination{{Name: "dst", Conn: dst.cfg, Options: opts}}
		plan, err := syncplan.BuildPlan(ctx, src.db, job, registry)
		if err != nil {
			t.Fatal(err)
		}
		if err := newTestEngine().Restore(ctx, plan, Destination{Name: "dst", DB: dst.db, Options: opts}); err != nil {
			t.Fatalf("Restore of an untouched destination: %v", err)
		}
	})
	t.Run("prepared, copy incomplete", func(t *testing.T) {
		t.Parallel()
		dst := newPGDB(t)
		pgKeysFixture(t, dst) // a destination with every key, as the last run left it
		want := pgStructure(t, dst)
		e, plan, d := pgPrepared(t, src, dst, pgKeysTables)
		if got := pgStructure(t, dst); reflect.DeepEqual(got, want) {
			t.Fatal("PrepareDestination dropped nothing: the test proves nothing")
		}
		// The run stopped with orders copied but not employees.
		dst.exec(t, `INSERT INTO app.orders (employee_id, note) VALUES (5, 'copied')`)
		err := e.Restore(ctx, plan, d)
		var fe *FinalizeError
		if !errors.As(err, &fe) || len(fe.Missing) != 1 || fe.Missing[0].Name != "orders_employee_id_fkey" || fe.Missing[0].Rows != 1 || !fe.Restore {
			t.Fatalf("Restore error = %v, want a *FinalizeError listing orders_employee_id_fkey only", err)
		}
		if !strings.HasPrefix(err.Error(), "restore destination dst: 1 of ") {
			t.Errorf("message %q", err.Error())
		}
		var left []string
		for _, s := range want {
			if !strings.Contains(s, "orders_employee_id_fkey") {
				left = append(left, s)
			}
		}
		if got := pgStructure(t, dst); !reflect.DeepEqual(got, left) {
			t.Errorf("after Restore the destination has\n%q\nwant\n%q", got, left)
		}
		dst.exec(t, `DELETE FROM app.orders`)
		if err := e.Restore(ctx, plan, d); err != nil {
			t.Fatalf("second Restore: %v", err)
		}
		if got := pgStructure(t, dst); !reflect.DeepEqual(got, want) {
			t.Errorf("after the second Restore the destination has\n%q\nwant\n%q", got, want)
		}
	})
}

// TestPostgresEndStaleSessions holds a lock on a table in a session named
// like an earlier attempt of the step: EndStaleSessions ends it (and only
// it), and Finalize, tagged, then runs without waiting.
func TestPostgresEndStaleSessions(t *testing.T) {
	t.Parallel()
	src, dst := newPGDB(t), newPGDB(t)
	pgKeysFixture(t, src)
	e, plan, d := pgLoaded(t, src, dst)
	ctx := testCtx(t)
	open := func(name string) *pgx.Conn {
		c, err := pgx.Connect(ctx, dst.cfg.URL)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = c.Close(context.Background()) })
		if _, err := c.Exec(ctx, "SELECT set_config('application_name', $1, false)", name); err != nil {
			t.Fatal(err)
		}
		return c
	}
	stale := open(SessionName("run-1:0:finalize"))
	other := open(SessionName("run-2:0:finalize"))
	if _, err := stale.Exec(ctx, "BEGIN; LOCK TABLE app.orders IN ACCESS EXCLUSIVE MODE"); err != nil {
		t.Fatal(err)
	}
	if _, err := EndStaleSessions(ctx, d, "run-1:"); err == nil {
		t.Error("EndStaleSessions accepted a prefix without neosync:")
	}
	n, err := EndStaleSessions(ctx, d, SessionPrefix+"run-1:")
	if err != nil || n != 1 {
		t.Fatalf("EndStaleSessions = %d, %v; want 1 session ended", n, err)
	}
	if err := other.Ping(ctx); err != nil {
		t.Errorf("a session of another run was ended: %v", err)
	}
	if err := stale.Ping(ctx); err == nil {
		t.Error("the stale session is still alive")
	}
	d.SessionTag = "run-1:0:finalize"
	var tagged []string
	d.OnStep = func(string) {
		if tagged == nil {
			tagged = dst.rows(t, `SELECT application_name FROM pg_stat_activity WHERE datname = current_database() AND application_name LIKE 'neosync:%'`)
		}
	}
	if err := e.Finalize(ctx, plan, d); err != nil {
		t.Fatalf("Finalize after ending the stale session: %v", err)
	}
	if want := []string{"neosync:run-1:0:finalize", "neosync:run-2:0:finalize"}; !reflect.DeepEqual(tagged, want) {
		t.Errorf("sessions named during Finalize: %q, want %q", tagged, want)
	}
}

// TestPostgresRunRestoresAfterAFailedCopy runs a job into a destination
// that has every key; a transformer fails on one row after
// PrepareDestination dropped the keys for the load: Run must fail with
// the transformer's error and leave the destination with its keys back.
func TestPostgresRunRestoresAfterAFailedCopy(t *testing.T) {
	t.Parallel()
	src, dst := newPGDB(t), newPGDB(t)
	pgKeysFixture(t, src)
	pgKeysFixture(t, dst)
	want := pgStructure(t, dst)
	job := passthroughJob(t, src, "app", pgKeysTables)
	job.Source = src.cfg
	for i, m := range job.Mappings {
		if m.Table == "orders" && m.Column == "note" {
			job.Mappings[i].Transformer = syncplan.Transformer{Source: "transform_javascript",
				Params: map[string]any{"code": "if (value === 'order 150') { throw new Error('refused'); } return value;"}}
		}
	}
	job.Destinations = []syncplan.Destination{{Name: "dst", Conn: dst.cfg, Options: syncplan.DestinationOptions{InitSchema: true, Truncate: true}}}
	_, _, err := newTestEngine().Run(testCtx(t), job, nil)
	if err == nil || !strings.Contains(err.Error(), "refused") {
		t.Fatalf("Run error = %v, want the transformer's", err)
	}
	if got := pgStructure(t, dst); !reflect.DeepEqual(got, want) {
		t.Fatalf("after the failed run the destination has\n%q\nwant every key back\n%q", got, want)
	}
}

// TestPostgresTaggedVerifyIsEnded blocks a tagged Verify on a lock: its
// sessions carry the step's name, so EndStaleSessions finds and ends them.
func TestPostgresTaggedVerifyIsEnded(t *testing.T) {
	t.Parallel()
	src, dst := newPGDB(t), newPGDB(t)
	pgKeysFixture(t, src)
	e, plan, d := pgLoaded(t, src, dst)
	ctx := testCtx(t)
	holder, err := pgx.Connect(ctx, dst.cfg.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = holder.Close(context.Background()) }()
	if _, err := holder.Exec(ctx, "BEGIN; LOCK TABLE app.orders IN ACCESS EXCLUSIVE MODE"); err != nil {
		t.Fatal(err)
	}
	d.SessionTag = "run-9:0:verify"
	done := make(chan error, 1)
	go func() {
		_, err := e.Verify(ctx, plan, Source{DB: src.db}, d, VerifyOptions{})
		done <- err
	}()
	waitFor(t, func() bool {
		return dst.rows(t, `SELECT count(*)::text FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`)[0] != "0"
	})
	// Verify checks several tables at once (VerifyConcurrency), so more
	// than one of its sessions may wait on the lock: all are ended.
	n, err := EndStaleSessions(ctx, d, "neosync:run-9:")
	if err != nil || n < 1 {
		t.Fatalf("EndStaleSessions = %d, %v; want the waiting Verify's sessions ended", n, err)
	}
	if err := <-done; err == nil {
		t.Fatal("the ended Verify reported success")
	}
}

// pgManyKeysTables are the tables of pgManyKeysFixture: k00 … k39.
var pgManyKeysTables = func() []string {
	var tables []string
	for i := range 40 {
		tables = append(tables, fmt.Sprintf("k%02d", i))
	}
	return tables
}()

// pgManyKeysFixture is 40 tables of a primary key and a unique key each:
// 80 objects, so Finalize builds them in two groups (FinalizeGroupObjects).
func pgManyKeysFixture(t *testing.T, db *pgDB) {
	stmts := []string{`CREATE SCHEMA app`}
	for _, name := range pgManyKeysTables {
		stmts = append(stmts, fmt.Sprintf(`CREATE TABLE app.%s (id int PRIMARY KEY, v int NOT NULL CONSTRAINT %s_v_key UNIQUE)`, name, name),
			fmt.Sprintf(`INSERT INTO app.%s SELECT g, g FROM generate_series(1, 20) g`, name))
	}
	db.exec(t, stmts...)
}

// pgPrepared plans a passthrough job of tables of schema app into dst
// (the job owns it: init schema and truncate) and prepares dst: keys,
// indexes and foreign keys are dropped for the load.
func pgPrepared(t *testing.T, src, dst *pgDB, tables []string) (*Engine, *syncplan.Plan, Destination) {
	t.Helper()
	ctx := testCtx(t)
	job := passthroughJob(t, src, "app", tables)
	job.Source = src.cfg
	opts := syncplan.DestinationOptions{InitSchema: true, Truncate: true}
	job.Destinations = []syncplan.Destination{{Name: "dst", Conn: dst.cfg, Options: opts}}
	plan, err := syncplan.BuildPlan(ctx, src.db, job, registry)
	if err != nil {
		t.Fatal(err)
	}
	e := newTestEngine()
	d := Destination{Name: "dst", DB: dst.db, Options: opts}
	if err := e.PrepareDestination(ctx, plan, d); err != nil {
		t.Fatal(err)
	}
	return e, plan, d
}

// pgLoadedTables is pgPrepared, then every table copied (without the
// update passes).
func pgLoadedTables(t *testing.T, src, dst *pgDB, tables []string) (*Engine, *syncplan.Plan, Destination) {
	t.Helper()
	e, plan, d := pgPrepared(t, src, dst, tables)
	if err := e.SyncTables(testCtx(t), plan, Source{DB: src.db}, d, 2, nil, nil); err != nil {
		t.Fatal(err)
	}
	return e, plan, d
}

// TestPostgresFinalizeGroupKeepsAroundAFailure breaks a unique key in the
// middle of Finalize's first group of objects (built in one transaction):
// the group must build and commit every object before and after it, and
// report the broken key with its duplicates' count, as when every object
// had its own transaction.
func TestPostgresFinalizeGroupKeepsAroundAFailure(t *testing.T) {
	t.Parallel()
	src, dst, tables := newPGDB(t), newPGDB(t), pgManyKeysTables
	pgManyKeysFixture(t, src)
	e, plan, d := pgLoadedTables(t, src, dst, tables)
	ctx := testCtx(t)
	// Keys are built table by table: k05_v_key is the 12th object of the
	// first group of 50.
	dst.exec(t, `UPDATE app.k05 SET v = 1 WHERE id IN (2, 3)`)
	err := e.Finalize(ctx, plan, d)
	var fe *FinalizeError
	if !errors.As(err, &fe) || len(fe.Missing) != 1 {
		t.Fatalf("Finalize error = %v, want a *FinalizeError naming k05_v_key only", err)
	}
	if m := fe.Missing[0]; m.Name != "k05_v_key" || m.Reason != ReasonDuplicates || m.Values != 1 || m.Rows != 3 || m.Example != "(v)=(1)" {
		t.Errorf("missing %+v, want k05_v_key: 1 duplicated value over 3 rows, e.g. (v)=(1)", m)
	}
	var want []string
	for _, s := range pgStructure(t, src) {
		if !strings.Contains(s, "k05_v_key") {
			want = append(want, s)
		}
	}
	if have := pgStructure(t, dst); !reflect.DeepEqual(have, want) {
		t.Errorf("after the failed Finalize the destination has %d objects, want the source's %d but k05_v_key:\n%q", len(have), len(want), have)
	}
	// Fixed, Finalize builds the one key left.
	dst.exec(t, `UPDATE app.k05 SET v = id`)
	var steps []string
	d.OnStep = func(what string) { steps = append(steps, what) }
	if err := e.Finalize(ctx, plan, d); err != nil {
		t.Fatalf("Finalize after the fix: %v", err)
	}
	if want := []string{"add unique constraint k05_v_key on app.k05"}; !reflect.DeepEqual(steps, want) {
		t.Errorf("steps of the second Finalize %q, want %q", steps, want)
	}
	if have, want := pgStructure(t, dst), pgStructure(t, src); !reflect.DeepEqual(have, want) {
		t.Fatalf("destination structure\n%q\nwant\n%q", have, want)
	}
}

// TestPostgresFinalizeAfterAKilledGroup ends Finalize's session in the
// middle of its second group, as a killed worker would: the first group
// stays committed, the second's objects built so far are rolled back,
// and Finalize run again builds exactly the rest.
func TestPostgresFinalizeAfterAKilledGroup(t *testing.T) {
	t.Parallel()
	src, dst := newPGDB(t), newPGDB(t)
	pgManyKeysFixture(t, src)
	e, plan, d := pgLoadedTables(t, src, dst, pgManyKeysTables)
	ctx := testCtx(t)
	n := 0
	d.OnStep = func(string) {
		if n++; n == 60 {
			dst.exec(t, `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
				WHERE datname = current_database() AND pid <> pg_backend_pid() AND state = 'idle in transaction'`)
		}
	}
	if err := e.Finalize(ctx, plan, d); err == nil {
		t.Fatal("Finalize whose session was ended succeeded")
	}
	// The keys of k00 … k24 are the first group, those of k25 … k39 the
	// second, killed at its 10th object.
	have := pgStructure(t, dst)
	if len(have) != 100 {
		t.Errorf("after the killed group the destination has %d objects, want the first group's 100 (50 constraints and their indexes):\n%q", len(have), have)
	}
	for _, s := range have {
		if s >= "k25" {
			t.Errorf("an object of the killed group is there: %s", s)
		}
	}
	var steps []string
	d.OnStep = func(what string) { steps = append(steps, what) }
	if err := e.Finalize(ctx, plan, d); err != nil {
		t.Fatalf("Finalize after the killed group: %v", err)
	}
	if len(steps) != 30 || steps[0] != "add primary key k25_pkey on app.k25" || steps[29] != "add unique constraint k39_v_key on app.k39" {
		t.Errorf("the retried Finalize built %d objects %q, want the 30 keys of k25 … k39", len(steps), steps)
	}
	if have, want := pgStructure(t, dst), pgStructure(t, src); !reflect.DeepEqual(have, want) {
		t.Fatalf("destination structure\n%q\nwant\n%q", have, want)
	}
	assertSameRows(t, src, dst, "app", pgManyKeysTables)
}
