package e2e_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"
)

// TestSyncJob syncs a job's source with its transformers applied: the
// mapped columns differ from the source on every row (note through
// JavaScript, which the CLI runs in a child process as the worker does),
// the passthrough ones are equal, the job's subset holds and the counts
// match.
func TestSyncJob(t *testing.T) {
	t.Parallel()
	c := newCLI(t, local.apiURL)
	sfx := suffix()
	src := newPostgres(t, "neosync_cli_syncjob_src")
	pgExec(t, src, `
CREATE TABLE public.users (id int PRIMARY KEY, email text NOT NULL, full_name text, note text);
CREATE TABLE public.orders (id int PRIMARY KEY, user_id int NOT NULL REFERENCES public.users (id), total numeric(10, 2));
INSERT INTO public.users SELECT g, 'user' || g || '@example.com', 'Person Number ' || g, 'note ' || g FROM generate_series(1, 200) g;
INSERT INTO public.orders SELECT g, 1 + g % 200, g * 1.5 FROM generate_series(1, 500) g;`)
	stage := newPostgres(t, "neosync_cli_syncjob_stage")
	c.ok("connections", "create", "--name", "jsrc-"+sfx, "--postgres-url", src)
	c.ok("connections", "create", "--name", "jdst-"+sfx, "--postgres-url", stage)
	job := fmt.Sprintf(`name: job-%[1]s
source:
  connection: jsrc-%[1]s
  subsets:
    - {schema: public, table: orders, where: "id <= 400"}
destinations: [{connection: jdst-%[1]s, init_schema: true}]
mappings:
  - schema: public
    table: users
    columns: {id: passthrough, email: transform_email, full_name: generate_full_name, note: {source: transform_javascript, config: {code: "return value.toUpperCase() + '!'"}}}
  - schema: public
    table: orders
    columns: {id: passthrough, user_id: passthrough}
`, sfx)
	if r := c.run(job, "jobs", "create", "-f", "-"); r.code != 0 {
		t.Fatalf("jobs create: %d %s %s", r.code, r.stdout, r.stderr)
	}

	dst := newPostgres(t, "neosync_cli_syncjob_dst")
	out := c.ok("sync", "--job", "job-"+sfx, "--destination-connection-url", dst, "--init-schema")
	t.Logf("neosync sync --job job-%s --destination-connection-url %s --init-schema\n%s", sfx, dst, out)
	for _, want := range []string{"public.users: complete, 200 rows", "public.orders: complete, 400 rows", "Verified: 600 rows"} {
		if !strings.Contains(out, want) {
			t.Fatalf("sync output lacks %q:\n%s", want, out)
		}
	}
	if n := pgInt(t, dst, "SELECT count(*) FROM public.users"); n != 200 {
		t.Fatalf("users: %d rows", n)
	}
	if n := pgInt(t, dst, "SELECT count(*) FROM public.orders"); n != 400 {
		t.Fatalf("orders: %d rows, want the subset's 400", n)
	}
	const users = "SELECT id || '|' || email || '|' || coalesce(full_name, '') || '|' || coalesce(note, '') FROM public.users ORDER BY id"
	before, after := pgStrings(t, src, users), pgStrings(t, dst, users)
	for i := range before {
		b, a := strings.Split(before[i], "|"), strings.Split(after[i], "|")
		switch {
		case b[0] != a[0]:
			t.Fatalf("row %d: id %s became %s (passthrough)", i, b[0], a[0])
		case b[1] == a[1] || !strings.Contains(a[1], "@"):
			t.Fatalf("row %s: email %q was not transformed (%q)", b[0], b[1], a[1])
		case b[2] == a[2] || a[2] == "":
			t.Fatalf("row %s: full_name %q was not generated (%q)", b[0], b[2], a[2])
		case strings.ToUpper(b[3])+"!" != a[3]:
			t.Fatalf("row %s: note %q became %q, not what its JavaScript returns", b[0], b[3], a[3])
		}
	}
	const orders = "SELECT o::text FROM public.orders o WHERE id <= 400 ORDER BY id"
	if want, got := pgStrings(t, src, orders), pgStrings(t, dst, orders); !slices.Equal(want, got) {
		t.Fatalf("orders differ:\nsource:      %.300q\ndestination: %.300q", want, got)
	}
	c.fail(`no job named "nope"`, "sync", "--job", "nope", "--destination-connection-url", dst)
}

// pgCycleSchema is a three-table foreign-key cycle (only c.a_id is
// nullable) and a self reference, with the foreign keys declared.
const pgCycleSchema = `
CREATE TABLE public.a (id int PRIMARY KEY, b_id int NOT NULL, label text);
CREATE TABLE public.b (id int PRIMARY KEY, c_id int NOT NULL);
CREATE TABLE public.c (id int PRIMARY KEY, a_id int);
CREATE TABLE public.employee (id int PRIMARY KEY, boss int, name text NOT NULL);
ALTER TABLE public.a ADD CONSTRAINT a_b FOREIGN KEY (b_id) REFERENCES public.b (id) DEFERRABLE INITIALLY DEFERRED;
ALTER TABLE public.b ADD CONSTRAINT b_c FOREIGN KEY (c_id) REFERENCES public.c (id) DEFERRABLE INITIALLY DEFERRED;
ALTER TABLE public.c ADD CONSTRAINT c_a FOREIGN KEY (a_id) REFERENCES public.a (id) DEFERRABLE INITIALLY DEFERRED;
ALTER TABLE public.employee ADD CONSTRAINT boss_fk FOREIGN KEY (boss) REFERENCES public.employee (id) DEFERRABLE INITIALLY DEFERRED;
`

// TestSyncCycleIntoExistingSchema syncs a foreign-key cycle and a self
// reference into tables that already exist with their foreign keys
// enforced (no --init-schema): the nullable keys go in NULL and are filled
// in by the engine's update pass.
func TestSyncCycleIntoExistingSchema(t *testing.T) {
	t.Parallel()
	c := newCLI(t, local.apiURL)
	src := newPostgres(t, "neosync_cli_cycle_src")
	pgExec(t, src, "BEGIN;"+pgCycleSchema+`
INSERT INTO public.c SELECT g, 21 - g FROM generate_series(1, 20) g;
INSERT INTO public.b SELECT g, g FROM generate_series(1, 20) g;
INSERT INTO public.a SELECT g, g, 'a' || g FROM generate_series(1, 20) g;
UPDATE public.c SET a_id = NULL WHERE id % 3 = 0;
INSERT INTO public.employee SELECT g, CASE WHEN g = 1 THEN NULL ELSE 1 + g / 3 END, 'e' || g FROM generate_series(1, 30) g;
COMMIT;`)
	dst := newPostgres(t, "neosync_cli_cycle_dst")
	pgExec(t, dst, strings.ReplaceAll(pgCycleSchema, " DEFERRABLE INITIALLY DEFERRED", ""))
	name := "cycle-src-" + suffix()
	c.ok("connections", "create", "--name", name, "--postgres-url", src)
	tables := []string{"public.a", "public.b", "public.c", "public.employee"}
	for _, args := range [][]string{nil, {"--truncate-before-insert"}} {
		out := c.ok(append([]string{"sync", "--connection", name, "--destination-connection-url", dst}, args...)...)
		t.Logf("neosync sync --connection %s --destination-connection-url %s %v\n%s", name, dst, args, out)
		if !strings.Contains(out, "complete: 4/4 tables, 90 rows") || !strings.Contains(out, "Verified: 90 rows") {
			t.Fatalf("sync output:\n%s", out)
		}
		for _, table := range tables {
			if want, got := pgRows(t, src, table), pgRows(t, dst, table); !slices.Equal(want, got) {
				t.Fatalf("%v: %s differs:\nsource:      %q\ndestination: %q", args, table, want, got)
			}
		}
	}
	if n := pgInt(t, dst, `SELECT count(*) FROM pg_constraint WHERE contype = 'f' AND connamespace = 'public'::regnamespace`); n != 4 {
		t.Fatalf("destination foreign keys: %d", n)
	}
}

// mariaCycleTables are a two-table foreign-key cycle through the nullable
// a.b_id and a self reference.
var mariaCycleTables = []string{
	"CREATE TABLE a (id INT PRIMARY KEY, b_id INT, label VARCHAR(20))",
	"CREATE TABLE b (id INT PRIMARY KEY, a_id INT NOT NULL)",
	"CREATE TABLE emp (id INT PRIMARY KEY, boss INT, name VARCHAR(20) NOT NULL)",
	// Bytes that are not UTF-8 and FLOATs whose text is rounded by the
	// server travel exactly.
	"CREATE TABLE vals (id INT PRIMARY KEY, raw VARBINARY(8), f FLOAT)",
}

var mariaCycleKeys = []string{
	"ALTER TABLE a ADD CONSTRAINT a_b FOREIGN KEY (b_id) REFERENCES b (id)",
	"ALTER TABLE b ADD CONSTRAINT b_a FOREIGN KEY (a_id) REFERENCES a (id)",
	"ALTER TABLE emp ADD CONSTRAINT emp_boss FOREIGN KEY (boss) REFERENCES emp (id)",
}

// TestSyncMariaDBCycleIntoExistingSchema is TestSyncCycleIntoExistingSchema
// on MariaDB (LOAD DATA, then the multi-table UPDATE of the update pass).
func TestSyncMariaDBCycleIntoExistingSchema(t *testing.T) {
	t.Parallel()
	c := newCLI(t, local.apiURL)
	src := newMariaDB(t, append(append(slices.Clone(mariaCycleTables),
		"INSERT INTO a VALUES (1, NULL, 'one'), (2, NULL, 'two'), (3, NULL, 'three')",
		"INSERT INTO b VALUES (1, 1), (2, 2), (3, 1)",
		"UPDATE a SET b_id = 4 - id WHERE id <> 2",
		"INSERT INTO emp VALUES (1, NULL, 'root'), (2, 1, 'e2'), (3, 1, 'e3'), (4, 3, 'e4')",
		"INSERT INTO vals VALUES (1, 0x00ff10c3, 16777216), (2, NULL, 1.2345678)"),
		mariaCycleKeys...)...)
	dst := newMariaDB(t, append(slices.Clone(mariaCycleTables), mariaCycleKeys...)...)
	name := "cycle-maria-" + suffix()
	c.ok("connections", "create", "--name", name, "--mysql-url", "mysql://root@127.0.0.1:3306/"+src)
	out := c.ok("sync", "--connection", name, "--destination-connection-url", "mysql://root@127.0.0.1:3306/"+dst)
	t.Logf("neosync sync --connection %s (MariaDB, existing schema)\n%s", name, out)
	if !strings.Contains(out, "complete: 4/4 tables, 12 rows") || !strings.Contains(out, "Verified: 12 rows") {
		t.Fatalf("sync output:\n%s", out)
	}
	rowsOf := func(schema, table string) []string {
		return myStrings(t, "SELECT CONCAT_WS('|', id, COALESCE("+map[string]string{"a": "b_id", "b": "a_id", "emp": "boss", "vals": "HEX(raw), 'NULL'), COALESCE(CAST(f AS DOUBLE)"}[table]+", 'NULL')) FROM `"+schema+"`.`"+table+"` ORDER BY id")
	}
	for _, table := range []string{"a", "b", "emp", "vals"} {
		if want, got := rowsOf(src, table), rowsOf(dst, table); !slices.Equal(want, got) {
			t.Fatalf("%s differs:\nsource:      %q\ndestination: %q", table, want, got)
		}
	}
}
