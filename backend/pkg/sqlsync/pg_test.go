package sqlsync

import (
	"context"
	"reflect"
	"strings"
	"testing"

	"github.com/neosyncio/neosync/backend/pkg/sqlschema"
	"github.com/neosyncio/neosync/backend/pkg/syncplan"
)

// pgSchema is a hostile schema name: quote, space, dot, unicode.
const pgSchema = `Sch "ema.☕`

// qs is the quoted schema.
var qs = `"Sch ""ema.☕"`

// pgFixture creates, in db, every shape the sync must handle: every type,
// identity and generated columns, a three-table cycle, a self reference,
// a composite key, a table without a primary key, and hostile names.
func pgFixture(t *testing.T, db *pgDB) {
	db.exec(t,
		`CREATE SCHEMA `+qs,
		`CREATE TYPE `+qs+`."Mood" AS ENUM ('sad', 'ok', 'it''s "great"')`,
		`CREATE DOMAIN `+qs+`.posint AS integer CHECK (VALUE > 0)`,
		`CREATE TABLE `+qs+`."All Types" (
			id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
			i2 smallint, i4 integer, i8 bigint, num numeric(40,10), numu numeric, f4 real, f8 double precision,
			t text, vc varchar(20), ch char(5), b bytea, bo boolean, d date, tm time, ttz timetz,
			ts timestamp, tstz timestamptz, iv interval, u uuid, j json, jb jsonb,
			ia integer[], ta text[], m `+qs+`."Mood", ma `+qs+`."Mood"[], ip inet, cid cidr,
			bits bit(8), vb varbit(20), mon money, dom `+qs+`.posint,
			"select" text, "Mixed Case" text, "quo""te" text, "ünï code" text,
			doubled integer GENERATED ALWAYS AS (i4 * 2) STORED
		)`,
		`INSERT INTO `+qs+`."All Types" (i2, i4, i8, num, numu, f4, f8, t, vc, ch, b, bo, d, tm, ttz, ts, tstz, iv, u, j, jb,
			ia, ta, m, ma, ip, cid, bits, vb, mon, dom, "select", "Mixed Case", "quo""te", "ünï code") VALUES
			(-32768, 1073741823, 9223372036854775807, 123456789012345678901234567890.0123456789, 1e-30, 3.4028235e38, 1.7976931348623157e308,
			 'héllo ☕ 𝄞 "x" ''y''', 'varchar', 'ab', '\x00ff10', true, '2024-02-29', '23:59:59.999999', '12:00:00+05:30',
			 '1999-12-31 23:59:59.123456', '2000-01-01 00:00:00.5+00', '1 year 2 mons 3 days 04:05:06.7', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11',
			 '{"a": [1, 2.50, "x"]}', '{"b": {"c": null}}', '{1,NULL,3}', '{"a b","c,d",NULL}', 'it''s "great"', '{sad,ok}',
			 '192.168.1.1/24', '10.0.0.0/8', B'10101010', B'1101', '$1,234.56', 7, 'reserved', 'Case', 'quote', 'unicode'),
			(1, -1, -9223372036854775808, -0.0000000001, 'NaN', 'NaN', '-Infinity', '', '', '', '', false, '-infinity', '00:00', '00:00-12',
			 'infinity', '-infinity', '-178000000 years', '00000000-0000-0000-0000-000000000000', '[]', '{}', '{}', '{}', 'sad', '{}',
			 '::1', '::/0', B'00000000', B'', '-$0.01', 1, '', '', '', ''),
			(NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
			 NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL)`,
		// A three-table cycle a -> b -> c -> a; only c.a_id is nullable.
		`CREATE TABLE `+qs+`.a (id int PRIMARY KEY, b_id int NOT NULL, label text)`,
		`CREATE TABLE `+qs+`.b (id int PRIMARY KEY, c_id int NOT NULL)`,
		`CREATE TABLE `+qs+`.c (id int PRIMARY KEY, a_id int)`,
		`INSERT INTO `+qs+`.c SELECT g, NULL FROM generate_series(1, 20) g`,
		`INSERT INTO `+qs+`.b SELECT g, g FROM generate_series(1, 20) g`,
		`INSERT INTO `+qs+`.a SELECT g, g, 'a' || g FROM generate_series(1, 20) g`,
		`UPDATE `+qs+`.c SET a_id = 21 - id WHERE id % 3 <> 0`,
		`ALTER TABLE `+qs+`.a ADD CONSTRAINT a_b FOREIGN KEY (b_id) REFERENCES `+qs+`.b (id)`,
		`ALTER TABLE `+qs+`.b ADD CONSTRAINT b_c FOREIGN KEY (c_id) REFERENCES `+qs+`.c (id)`,
		`ALTER TABLE `+qs+`.c ADD CONSTRAINT c_a FOREIGN KEY (a_id) REFERENCES `+qs+`.a (id)`,
		// A self reference with a serial key.
		`CREATE TABLE `+qs+`."Employee" (id serial PRIMARY KEY, boss int REFERENCES `+qs+`."Employee" (id), name text NOT NULL)`,
		`INSERT INTO `+qs+`."Employee" (boss, name) VALUES (NULL, 'root')`,
		`INSERT INTO `+qs+`."Employee" (boss, name) SELECT 1 + (g / 4), 'e' || g FROM generate_series(1, 30) g`,
		// A composite key and a child referencing it.
		`CREATE TABLE `+qs+`.parent (k1 int, k2 text, note text, PRIMARY KEY (k1, k2), UNIQUE (note))`,
		`CREATE TABLE `+qs+`.child (id int PRIMARY KEY, k1 int, k2 text, FOREIGN KEY (k1, k2) REFERENCES `+qs+`.parent (k1, k2))`,
		`CREATE INDEX child_k2 ON `+qs+`.child (k2)`,
		`INSERT INTO `+qs+`.parent SELECT g, 'k' || g, 'n' || g FROM generate_series(1, 10) g`,
		`INSERT INTO `+qs+`.child SELECT g, 1 + g % 10, 'k' || (1 + g % 10) FROM generate_series(1, 50) g`,
		`INSERT INTO `+qs+`.child VALUES (51, NULL, NULL)`,
		// No primary key, duplicate rows.
		`CREATE TABLE `+qs+`."log lines" (msg text, n int)`,
		`INSERT INTO `+qs+`."log lines" VALUES ('dup', 1), ('dup', 1), ('x', NULL), (NULL, NULL)`,
	)
}

// pgTables lists the fixture's tables.
var pgTables = []string{"All Types", "a", "b", "c", "Employee", "parent", "child", "log lines"}

// passthroughJob maps every column of the fixture's tables to passthrough.
func passthroughJob(t testing.TB, db *pgDB, schema string, tables []string) syncplan.Job {
	t.Helper()
	var job syncplan.Job
	cols, err := sqlschema.NewPostgresInspector(db.db.Postgres).Columns(testCtx(t), []string{schema})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cols {
		for _, tb := range tables {
			if c.Table == tb {
				job.Mappings = append(job.Mappings, syncplan.Mapping{Schema: c.Schema, Table: c.Table, Column: c.Name,
					Transformer: syncplan.Transformer{Source: syncplan.Passthrough}})
			}
		}
	}
	return job
}

// assertSameRows compares every fixture table of src and dst row by row
// (as a multiset of row texts).
func assertSameRows(t *testing.T, src, dst *pgDB, schema string, tables []string) {
	t.Helper()
	qschema, _ := sqlschema.QuotePostgresIdentifier(schema)
	for _, tb := range tables {
		qt, _ := sqlschema.QuotePostgresIdentifier(tb)
		q := "SELECT x::text FROM " + qschema + "." + qt + " AS x"
		want, got := src.rows(t, q), dst.rows(t, q)
		if !reflect.DeepEqual(want, got) {
			t.Errorf("table %s differs:\nsource %d rows: %.2000q\ndest   %d rows: %.2000q", tb, len(want), want, len(got), got)
		}
	}
}

func runJob(t *testing.T, job syncplan.Job) (*syncplan.Plan, []RunResult) {
	t.Helper()
	plan, res, err := newTestEngine().Run(testCtx(t), job, nil)
	if err != nil {
		if plan != nil {
			t.Logf("plan:\n%s", plan)
		}
		t.Fatalf("Run: %v", err)
	}
	return plan, res
}

func TestPostgresSyncEveryShape(t *testing.T) {
	t.Parallel()
	src, dst := newPGDB(t), newPGDB(t)
	pgFixture(t, src)
	job := passthroughJob(t, src, pgSchema, pgTables)
	job.Source = src.cfg
	job.Destinations = []syncplan.Destination{{Name: "dst", Conn: dst.cfg,
		Options: syncplan.DestinationOptions{InitSchema: true, Truncate: true, BatchSize: 7}}}
	plan, res := runJob(t, job)
	assertSameRows(t, src, dst, pgSchema, pgTables)
	if !res[0].Report.OK() {
		t.Fatalf("report not OK:\n%s", res[0].Report)
	}
	if len(plan.Cycles) != 2 {
		t.Fatalf("cycles = %+v", plan.Cycles)
	}
	// Sequences and identities continue after the loaded maximum.
	var id int64
	dst.exec(t, `INSERT INTO `+qs+`."All Types" (t) VALUES ('new')`)
	if err := dst.db.Postgres.QueryRow(testCtx(t), `SELECT max(id) FROM `+qs+`."All Types"`).Scan(&id); err != nil || id != 4 {
		t.Fatalf("identity after sync: id %d, %v", id, err)
	}
	dst.exec(t, `INSERT INTO `+qs+`."Employee" (name) VALUES ('new')`)
	if err := dst.db.Postgres.QueryRow(testCtx(t), `SELECT max(id) FROM `+qs+`."Employee"`).Scan(&id); err != nil || id != 32 {
		t.Fatalf("serial after sync: id %d, %v", id, err)
	}
	// Keys, indexes and foreign keys were created after the data.
	const constraints = `SELECT string_agg(conname || ':' || pg_get_constraintdef(c.oid), ', ' ORDER BY conname) FROM pg_constraint c
		JOIN pg_namespace n ON n.oid = c.connamespace WHERE n.nspname = $1`
	if want, got := src.rows(t, strings.Replace(constraints, "$1", "'"+strings.ReplaceAll(pgSchema, "'", "''")+"'", 1)),
		dst.rows(t, strings.Replace(constraints, "$1", "'"+strings.ReplaceAll(pgSchema, "'", "''")+"'", 1)); !reflect.DeepEqual(want, got) {
		t.Fatalf("destination constraints:\n%v\nwant\n%v", got, want)
	}
	var ix bool
	if err := dst.db.Postgres.QueryRow(testCtx(t), `SELECT to_regclass($1) IS NOT NULL`, qs+`.child_k2`).Scan(&ix); err != nil || !ix {
		t.Fatalf("index child_k2 missing: %v", err)
	}
	// A second run into the same destination (truncate) gives the same rows.
	runJob(t, job)
	assertSameRows(t, src, dst, pgSchema, pgTables)
}

func TestPostgresSyncSubsetFollowsForeignKeys(t *testing.T) {
	t.Parallel()
	src, dst := newPGDB(t), newPGDB(t)
	pgFixture(t, src)
	job := passthroughJob(t, src, pgSchema, pgTables)
	job.Source = src.cfg
	job.SubsetByForeignKeys = true
	job.Subsets = []syncplan.Subset{
		{Schema: pgSchema, Table: "parent", Where: "k1 <= 3"}, // comments are refused (sqlschema.ValidateWhere)
		{Schema: pgSchema, Table: "Employee", Where: "id > 1"},
		{Schema: pgSchema, Table: "c", Where: "id <= 10"},
	}
	job.Destinations = []syncplan.Destination{{Name: "dst", Conn: dst.cfg,
		Options: syncplan.DestinationOptions{InitSchema: true}}}
	_, res := runJob(t, job)
	if !res[0].Report.OK() {
		t.Fatalf("report not OK:\n%s", res[0].Report)
	}
	if got := dst.count(t, qs+".parent"); got != 3 {
		t.Fatalf("parent rows = %d, want 3", got)
	}
	// children of kept parents, plus the child with a NULL reference
	if got := dst.count(t, qs+".child"); got != 16 {
		t.Fatalf("child rows = %d, want 16", got)
	}
	// c keeps 10 rows; b follows c, a follows b.
	for _, tb := range []string{"a", "b", "c"} {
		if got := dst.count(t, qs+"."+tb); got != 10 {
			t.Fatalf("%s rows = %d, want 10", tb, got)
		}
	}
	// Employees whose boss (1) is not in the subset keep a NULL boss.
	var nulls int64
	if err := dst.db.Postgres.QueryRow(testCtx(t), `SELECT count(*) FROM `+qs+`."Employee" WHERE boss IS NULL`).Scan(&nulls); err != nil || nulls != 3 {
		t.Fatalf("employees without boss = %d, %v; want 3", nulls, err)
	}
}

// assertNoError is a helper for steps run by hand.
func assertNoError(t *testing.T, what string, err error) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

var _ = context.Background
