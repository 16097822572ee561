package e2e_test

import (
	"slices"
	"strings"
	"testing"
)

// pgSyncSchema has what a text round trip can get wrong: a parent/child
// foreign key, an identity and a serial column, text with tabs, newlines,
// backslashes and unicode, NULLs, bytea, json, arrays, long numerics,
// integers past 2^53, and hostile identifiers.
const pgSyncSchema = `
CREATE TYPE public.mood AS ENUM ('sad', 'ok', 'happy');
CREATE TABLE public.parent (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  name text NOT NULL DEFAULT 'nobody',
  code text UNIQUE,
  feeling public.mood
);
CREATE TABLE public.child (
  id serial PRIMARY KEY,
  parent_id bigint NOT NULL REFERENCES public.parent (id),
  note text,
  data bytea,
  doc jsonb,
  tags text[],
  amount numeric(50, 20),
  big bigint,
  ratio double precision,
  at timestamptz,
  twice bigint GENERATED ALWAYS AS (big / 2) STORED
);
CREATE TABLE public."Odd ""Name""" ("select" text PRIMARY KEY, "Weird Col" int);
INSERT INTO public.parent (name, code, feeling) VALUES ('Ann', 'a', 'happy'), ('Bob', NULL, NULL), (E'tab\there', 'c', 'sad');
INSERT INTO public.child (parent_id, note, data, doc, tags, amount, big, ratio, at) VALUES
  (1, E'line1\nline2\r\nback\\slash\ttab', '\x00ff5c0a09'::bytea, '{"a": [1, "x\ty"], "b": null}', ARRAY['x', 'with space', NULL, 'quo"te', E'back\\slash'], 12345678901234567890.12345678901234567890, 9007199254740993, 0.1, '2024-02-29 12:34:56.789012+00'),
  (2, 'ünïcødé 😀 日本', '\x'::bytea, '[]', '{}', -0.00000000000000000001, -9223372036854775808, 1e308, NULL),
  (3, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL),
  (3, '', '\x5c5c', '"\\"', ARRAY[E'\n'], 0, 9223372036854775807, 'NaN', '-infinity');
INSERT INTO public."Odd ""Name""" VALUES ('from', 1), (E'a\\b', NULL);
`

func TestSyncPostgres(t *testing.T) {
	t.Parallel()
	c := newCLI(t, local.apiURL)
	src := newPostgres(t, "neosync_cli_sync_src")
	pgExec(t, src, pgSyncSchema)
	name := "sync-src-" + suffix()
	c.ok("connections", "create", "--name", name, "--postgres-url", src)

	dst := newPostgres(t, "neosync_cli_sync_dst")
	out := c.ok("sync", "--connection", name, "--destination-connection-url", dst, "--init-schema")
	t.Logf("neosync sync --connection %s --destination-connection-url %s --init-schema\n%s", name, dst, out)
	for _, want := range []string{"public.parent: complete, 3 rows", "public.child: complete, 4 rows", `public.Odd "Name": complete, 2 rows`,
		"complete: 3/3 tables, 9 rows", "Verified: 9 rows"} {
		if !strings.Contains(out, want) {
			t.Fatalf("sync output lacks %q:\n%s", want, out)
		}
	}
	if strings.Index(out, "public.parent: complete") > strings.Index(out, "public.child: complete") {
		t.Fatalf("child written before parent:\n%s", out)
	}
	for _, table := range []string{"public.parent", "public.child", `public."Odd ""Name"""`} {
		want, got := pgRows(t, src, table), pgRows(t, dst, table)
		if !slices.Equal(want, got) {
			t.Fatalf("%s differs:\nsource:      %q\ndestination: %q", table, want, got)
		}
	}
	// Constraints came after the data, and the identities moved on.
	if n := pgInt(t, dst, `SELECT count(*) FROM pg_constraint WHERE conrelid = 'public.child'::regclass AND contype = 'f'`); n != 1 {
		t.Fatalf("foreign keys on child: %d", n)
	}
	if n := pgInt(t, dst, `SELECT count(*) FROM pg_constraint WHERE conrelid = 'public.parent'::regclass AND contype = 'u'`); n != 1 {
		t.Fatalf("unique constraints on parent: %d", n)
	}
	pgExec(t, dst, `INSERT INTO public.parent (name) VALUES ('new')`)
	if n := pgInt(t, dst, `SELECT max(id) FROM public.parent`); n != 4 {
		t.Fatalf("identity not reset: new id %d", n)
	}
	pgExec(t, dst, `INSERT INTO public.child (parent_id) VALUES (4)`)
	if n := pgInt(t, dst, `SELECT max(id) FROM public.child`); n != 5 {
		t.Fatalf("serial not reset: new id %d", n)
	}

	// Again, truncating first (cascade) from a config file, with a flag
	// overriding it: the same rows, not twice as many.
	cfg := c.writeFile("sync.yaml", "connection: "+name+"\ndestination_connection_url: "+dst+"\ntruncate_before_insert: true\ntruncate_cascade: true\nexclude_tables: [public.nothing]\n")
	c.ok("sync", "--config", cfg, "--init-schema")
	for _, table := range []string{"public.parent", "public.child"} {
		if want, got := pgRows(t, src, table), pgRows(t, dst, table); !slices.Equal(want, got) {
			t.Fatalf("after resync %s differs:\nsource:      %q\ndestination: %q", table, want, got)
		}
	}
	// Without truncating, on-conflict-do-nothing keeps what is there.
	out = c.ok("sync", "--connection", name, "--destination-connection-url", dst, "--on-conflict-do-nothing", "--include-table", "public.parent")
	if !strings.Contains(out, "public.parent: complete, 3 rows") || strings.Contains(out, "child") || !strings.Contains(out, "Verified: 3 rows") {
		t.Fatalf("on-conflict sync:\n%s", out)
	}
	if want, got := pgRows(t, src, "public.parent"), pgRows(t, dst, "public.parent"); !slices.Equal(want, got) {
		t.Fatalf("after on-conflict sync parent differs:\nsource:      %q\ndestination: %q", want, got)
	}

	// Errors are one line.
	c.fail("no connection named \"nope\"", "sync", "--connection", "nope", "--destination-connection-url", dst)
	c.fail("cannot tell the database from the URL", "sync", "--connection", name, "--destination-connection-url", "sqlserver://x")
	c.fail("destination:", "sync", "--connection", name, "--destination-connection-url", "postgres://postgres@127.0.0.1:1/x?connect_timeout=2")
	c.fail("sync.yaml: line 2: unknown field \"trucate_before_insert\"", "sync", "--config", c.writeFile("sync.yaml", "connection: x\ntrucate_before_insert: true\n"))
	c.fail("--truncate-cascade needs --truncate-before-insert", "sync", "--connection", name, "--destination-connection-url", dst, "--truncate-cascade")
	c.fail("name the source with --connection", "sync", "--destination-connection-url", dst)
}

func TestSyncMariaDB(t *testing.T) {
	t.Parallel()
	c := newCLI(t, local.apiURL)
	srcDB := newMariaDB(t,
		"CREATE TABLE customers (id INT AUTO_INCREMENT PRIMARY KEY, name VARCHAR(50) NOT NULL DEFAULT 'x', note TEXT, amount DECIMAL(30,10), big BIGINT, email VARCHAR(100), UNIQUE KEY uq_email (email))",
		"CREATE TABLE orders (id INT PRIMARY KEY, customer_id INT NOT NULL, total DOUBLE, placed DATETIME(6), CONSTRAINT fk_cust FOREIGN KEY (customer_id) REFERENCES customers (id))",
		"INSERT INTO customers (name, note, amount, big, email) VALUES ('Ann', 'tab\\there\\nnewline back\\\\slash ünï', 12345678901234567890.0123456789, 9223372036854775807, 'a@x'), ('Bob', NULL, NULL, NULL, NULL), ('quo''te', '', -1, -1, 'c@x')",
		"INSERT INTO orders VALUES (1, 1, 0.1, '2024-02-29 12:34:56.789012'), (2, 3, 1e300, NULL)",
	)
	dstDB := newMariaDB(t)
	name := "sync-maria-" + suffix()
	c.ok("connections", "create", "--name", name, "--mysql-url", "mysql://root@127.0.0.1:3306/"+srcDB)
	out := c.ok("sync", "--connection", name, "--destination-connection-url", "mysql://root@127.0.0.1:3306/"+dstDB, "--init-schema")
	if !strings.Contains(out, srcDB+".customers: complete, 3 rows") || !strings.Contains(out, srcDB+".orders: complete, 2 rows") {
		t.Fatalf("sync output:\n%s", out)
	}
	rowsOf := func(schema, query string) []string {
		return myStrings(t, strings.ReplaceAll(query, "DB", "`"+schema+"`"))
	}
	for _, q := range []string{
		"SELECT CONCAT_WS('|', id, name, COALESCE(note, 'NULL'), COALESCE(amount, 'NULL'), COALESCE(big, 'NULL'), COALESCE(email, 'NULL')) FROM DB.customers ORDER BY id",
		"SELECT CONCAT_WS('|', id, customer_id, total, COALESCE(placed, 'NULL')) FROM DB.orders ORDER BY id",
		"SELECT CONSTRAINT_NAME FROM information_schema.TABLE_CONSTRAINTS WHERE TABLE_SCHEMA = DATABASE() OR TABLE_SCHEMA = 'DB' ORDER BY 1",
	} {
		if strings.Contains(q, "information_schema") {
			want := rowsOf(srcDB, strings.ReplaceAll(q, "'DB'", "'"+srcDB+"'"))
			got := rowsOf(dstDB, strings.ReplaceAll(q, "'DB'", "'"+dstDB+"'"))
			if !slices.Equal(want, got) {
				t.Fatalf("constraints differ: %q vs %q", want, got)
			}
			continue
		}
		if want, got := rowsOf(srcDB, q), rowsOf(dstDB, q); !slices.Equal(want, got) {
			t.Fatalf("%s differs:\nsource:      %q\ndestination: %q", q, want, got)
		}
	}
}
