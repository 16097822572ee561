package sqlsync

import (
	"reflect"
	"testing"

	"github.com/neosyncio/neosync/backend/pkg/sqlschema"
	"github.com/neosyncio/neosync/backend/pkg/syncplan"
)

// mysqlFixture creates every shape in db: every MySQL type, auto
// increment and generated columns, a three-table cycle, a self reference,
// a composite key, a table without a primary key, hostile names.
func mysqlFixture(t *testing.T, db *mysqlDB) {
	db.exec(t,
		"CREATE TABLE `All Types` (id bigint AUTO_INCREMENT PRIMARY KEY, ti tinyint, si smallint unsigned, mi mediumint, i int, bi bigint, ubi bigint unsigned,"+
			" dec1 decimal(40,10), f float, d double, c char(5), vc varchar(30), tx text, bn binary(4), vb varbinary(10), bl blob,"+
			" dt date, dtm datetime(6), ts timestamp(3) NULL, tm time(2), yr year, en enum('a','b c','it''s'), st set('x','y','z'), js json, bt bit(10),"+
			" `select` text, `Mixed Case` text, `quo``te` text, `ünï code` text,"+
			" doubled bigint GENERATED ALWAYS AS (i * 2) STORED, virt varchar(40) AS (concat(vc, '!')) VIRTUAL)",
		"INSERT INTO `All Types` (ti, si, mi, i, bi, ubi, dec1, f, d, c, vc, tx, bn, vb, bl, dt, dtm, ts, tm, yr, en, st, js, bt, `select`, `Mixed Case`, `quo``te`, `ünï code`) VALUES"+
			" (-128, 65535, -8388608, 2147483647, 9223372036854775807, 18446744073709551615, 123456789012345678901234567890.0123456789, 1.2345678, 1.7976931348623157e308,"+
			" 'ab', 'héllo ☕ \\t tab', 'line\\nbreak \\\\ back\\\\slash', X'00FF0A09', X'5C4E', X'000102', '2024-02-29', '1999-12-31 23:59:59.123456', '2038-01-19 03:14:07.999',"+
			" '-838:59:59', 2155, 'it''s', 'x,z', '{\"a\": [1, 2.5, \"x\"]}', b'1010101010', 'reserved', 'Case', 'quote', 'unicode'),"+
			" (0, 0, 0, 0, -9223372036854775808, 0, -0.0000000001, -0, 5e-324, '', '', '', X'00000000', X'', X'', '0000-00-00', '0000-00-00 00:00:00', NULL, '00:00:00', 1901, 'a', '', '[]', b'0', '', '', '', '\\\\N'),"+
			" (NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL)",
		"CREATE TABLE a (id int PRIMARY KEY, b_id int NOT NULL)",
		"CREATE TABLE b (id int PRIMARY KEY, c_id int NOT NULL)",
		"CREATE TABLE c (id int PRIMARY KEY, a_id int)",
		"INSERT INTO c VALUES (1, NULL), (2, NULL), (3, NULL), (4, NULL)",
		"INSERT INTO b VALUES (1, 1), (2, 2), (3, 3), (4, 4)",
		"INSERT INTO a VALUES (1, 1), (2, 2), (3, 3), (4, 4)",
		"UPDATE c SET a_id = 5 - id WHERE id <> 2",
		"ALTER TABLE a ADD CONSTRAINT a_b FOREIGN KEY (b_id) REFERENCES b (id)",
		"ALTER TABLE b ADD CONSTRAINT b_c FOREIGN KEY (c_id) REFERENCES c (id)",
		"ALTER TABLE c ADD CONSTRAINT c_a FOREIGN KEY (a_id) REFERENCES a (id) ON DELETE SET NULL",
		"CREATE TABLE `Employee` (id int AUTO_INCREMENT PRIMARY KEY, boss int, name varchar(20) NOT NULL, CONSTRAINT boss_fk FOREIGN KEY (boss) REFERENCES `Employee` (id))",
		"INSERT INTO `Employee` (boss, name) VALUES (NULL, 'root'), (1, 'e2'), (1, 'e3'), (2, 'e4'), (4, 'e5')",
		"CREATE TABLE parent (k1 int, k2 varchar(10), note varchar(10) UNIQUE, PRIMARY KEY (k1, k2))",
		"CREATE TABLE child (id int PRIMARY KEY, k1 int, k2 varchar(10), KEY k2_idx (k2), FOREIGN KEY (k1, k2) REFERENCES parent (k1, k2))",
		"INSERT INTO parent VALUES (1, 'k1', 'n1'), (2, 'k2', 'n2'), (3, 'k3', 'n3')",
		"INSERT INTO child VALUES (1, 1, 'k1'), (2, 2, 'k2'), (3, 3, 'k3'), (4, 1, 'k1'), (5, NULL, NULL)",
		"CREATE TABLE `log lines` (msg text, n int)",
		"INSERT INTO `log lines` VALUES ('dup', 1), ('dup', 1), (NULL, NULL)",
	)
}

var mysqlTables = []string{"All Types", "a", "b", "c", "Employee", "parent", "child", "log lines"}

func mysqlPassthroughJob(t *testing.T, db *mysqlDB, tables []string) syncplan.Job {
	t.Helper()
	cols, err := sqlschema.NewMySQLInspector(db.db.MySQL).Columns(testCtx(t), []string{db.name})
	if err != nil {
		t.Fatal(err)
	}
	var job syncplan.Job
	for _, c := range cols {
		for _, tb := range tables {
			if c.Table == tb {
				job.Mappings = append(job.Mappings, syncplan.Mapping{Schema: c.Schema, Table: c.Table, Column: c.Name,
					Transformer: syncplan.Transformer{Source: syncplan.Passthrough}})
			}
		}
	}
	job.Source = db.cfg
	return job
}

func assertSameMySQLRows(t *testing.T, src, dst *mysqlDB, tables []string) {
	t.Helper()
	for _, tb := range tables {
		qt, _ := sqlschema.QuoteMySQLIdentifier(tb)
		want := src.rows(t, "SELECT * FROM "+qt)
		got := dst.rows(t, "SELECT * FROM "+qt)
		if !reflect.DeepEqual(want, got) {
			t.Errorf("table %s differs:\nsource %q\ndest   %q", tb, want, got)
		}
	}
}

func TestMySQLSyncEveryShape(t *testing.T) {
	t.Parallel()
	src, dst := newMySQLDB(t, " Src`☕"), newMySQLDB(t, "_dst")
	mysqlFixture(t, src)
	job := mysqlPassthroughJob(t, src, mysqlTables)
	job.Destinations = []syncplan.Destination{{Name: "dst", Conn: dst.cfg, Options: syncplan.DestinationOptions{
		InitSchema: true, Truncate: true, BatchSize: 2, SchemaMap: map[string]string{src.name: dst.name}}}}
	_, res := runJob(t, job)
	assertSameMySQLRows(t, src, dst, mysqlTables)
	// The text protocol rounds FLOAT for display: compare the stored bits.
	exact := "SELECT id, CAST(f AS DOUBLE), CAST(d AS CHAR) FROM `All Types`"
	if want, got := src.rows(t, exact), dst.rows(t, exact); !reflect.DeepEqual(want, got) {
		t.Fatalf("floating point values differ: %q vs %q", want, got)
	}
	if !res[0].Report.OK() {
		t.Fatalf("report not OK:\n%s", res[0].Report)
	}
	// Foreign keys were added after the data, auto increment continues.
	fks := dst.rows(t, "SELECT CONSTRAINT_NAME FROM information_schema.REFERENTIAL_CONSTRAINTS WHERE CONSTRAINT_SCHEMA = DATABASE()")
	if len(fks) != 5 {
		t.Fatalf("destination foreign keys: %v", fks)
	}
	dst.exec(t, "INSERT INTO `Employee` (name) VALUES ('new')")
	if got := dst.rows(t, "SELECT MAX(id) FROM `Employee`"); got[0] != `"6"` {
		t.Fatalf("auto increment after sync: %v", got)
	}
	runJob(t, job)
	assertSameMySQLRows(t, src, dst, mysqlTables[:4])
}

func TestMySQLSubsetAndResume(t *testing.T) {
	t.Parallel()
	src, dst := newMySQLDB(t, "_src"), newMySQLDB(t, "_dst")
	mysqlFixture(t, src)
	src.exec(t, "CREATE TABLE big (id int PRIMARY KEY, payload varchar(40))",
		"INSERT INTO big SELECT seq, md5(seq) FROM seq_1_to_5000")
	tables := append(mysqlTables, "big")
	job := mysqlPassthroughJob(t, src, tables)
	job.SubsetByForeignKeys = true
	job.Subsets = []syncplan.Subset{{Schema: src.name, Table: "parent", Where: "k1 <= 2"}, {Schema: src.name, Table: "Employee", Where: "id > 1"}}
	opts := syncplan.DestinationOptions{InitSchema: true, Truncate: true, BatchSize: 500, SchemaMap: map[string]string{src.name: dst.name}}
	job.Destinations = []syncplan.Destination{{Name: "dst", Conn: dst.cfg, Options: opts}}
	_, res := runJob(t, job)
	if !res[0].Report.OK() {
		t.Fatalf("report not OK:\n%s", res[0].Report)
	}
	if got := dst.rows(t, "SELECT COUNT(*) FROM child"); got[0] != `"4"` {
		t.Fatalf("child rows %v, want 4 (3 of kept parents, 1 NULL reference)", got)
	}
	if got := dst.rows(t, "SELECT COUNT(*) FROM `Employee` WHERE boss IS NULL"); got[0] != `"2"` {
		t.Fatalf("employees without a boss %v, want 2", got)
	}

	// Kill and resume the big table from an older checkpoint.
	e := newTestEngine()
	ctx := testCtx(t)
	plan, err := syncplan.BuildPlan(ctx, src.db, job, registry)
	assertNoError(t, "plan", err)
	dest := Destination{Name: "dst", DB: dst.db, Options: opts}
	assertNoError(t, "prepare", e.PrepareDestination(ctx, plan, dest))
	big := sqlschema.TableName{Schema: src.name, Table: "big"}
	seen := interruptedCopy(t, e, plan, big, Source{DB: src.db}, dest, nil, func(p Progress) bool { return p.Checkpoint.Rows >= 2000 })
	if len(seen) < 3 {
		t.Fatalf("checkpoints %+v", seen)
	}
	older := seen[len(seen)-3]
	_, err = e.SyncTable(ctx, plan, big, Source{DB: src.db}, dest, &older, nil)
	assertNoError(t, "resume", err)
	assertSameMySQLRows(t, src, dst, []string{"big"})
}

// TestMySQLTransforms anonymizes columns in consistent mode, including a
// JavaScript transformer that reads other columns of the row.
func TestMySQLTransforms(t *testing.T) {
	t.Parallel()
	src, dst := newMySQLDB(t, "_src"), newMySQLDB(t, "_dst")
	src.exec(t, "CREATE TABLE users (id bigint PRIMARY KEY, email varchar(80) NOT NULL UNIQUE, nick varchar(40), ssn char(11), born date)",
		"INSERT INTO users SELECT seq, concat('user', seq, '@example.com'), concat('nick', seq), '123-45-6789', '1990-01-01' + INTERVAL seq DAY FROM seq_1_to_500")
	tr := func(column, source string, params map[string]any) syncplan.Mapping {
		return syncplan.Mapping{Schema: src.name, Table: "users", Column: column, Transformer: syncplan.Transformer{Source: source, Params: params}}
	}
	job := syncplan.Job{Source: src.cfg, Key: []byte("k"), Mappings: []syncplan.Mapping{
		tr("id", "passthrough", nil), tr("email", "transform_email", nil), tr("ssn", "generate_null", nil), tr("born", "passthrough", nil),
		tr("nick", "transform_javascript", map[string]any{"code": "return value + ':' + input.id", "timeout_ms": 10000}),
	}, Destinations: []syncplan.Destination{{Name: "dst", Conn: dst.cfg, Options: syncplan.DestinationOptions{
		InitSchema: true, BatchSize: 100, SchemaMap: map[string]string{src.name: dst.name}}}}}
	_, res := runJob(t, job)
	if !res[0].Report.OK() {
		t.Fatalf("report:\n%s", res[0].Report)
	}
	for _, l := range res[0].Report.Leaks {
		if l.Column == "email" && (l.Equal != 0 || l.Sampled != 500) {
			t.Fatalf("email leak scan: %+v", l)
		}
	}
	if want, got := src.rows(t, "SELECT concat(nick, ':', id), born FROM users"), dst.rows(t, "SELECT nick, born FROM users WHERE ssn IS NULL"); !reflect.DeepEqual(want, got) {
		t.Fatalf("rows %.300q, want %.300q", got, want)
	}
}

// TestMySQLMariaDBTypes: MariaDB's uuid, inet6 and inet4 columns — which
// take a binary-charset value as raw bytes — copy through LOAD DATA in
// several batches, as a key, and as a deferred self-reference (the update
// pass's stage).
func TestMySQLMariaDBTypes(t *testing.T) {
	t.Parallel()
	src, dst := newMySQLDB(t, "_uuid_src"), newMySQLDB(t, "_uuid_dst")
	src.exec(t,
		"CREATE TABLE ids (u uuid PRIMARY KEY, parent uuid, i6 inet6, i4 inet4, n int, FOREIGN KEY (parent) REFERENCES ids (u))",
		"INSERT INTO ids VALUES ('6ccd780c-baba-1026-9564-5b8c656024db', NULL, '::1', '10.0.0.1', 1),"+
			" ('00000000-0000-0000-0000-000000000000', '6ccd780c-baba-1026-9564-5b8c656024db', '2001:db8::ff00:42:8329', '255.255.255.255', 2),"+
			" ('ffffffff-ffff-ffff-ffff-ffffffffffff', '00000000-0000-0000-0000-000000000000', NULL, NULL, NULL)",
		"INSERT INTO ids (u, parent, n) SELECT UUID(), '6ccd780c-baba-1026-9564-5b8c656024db', seq FROM seq_1_to_20",
	)
	job := mysqlPassthroughJob(t, src, []string{"ids"})
	job.Destinations = []syncplan.Destination{{Name: "dst", Conn: dst.cfg, Options: syncplan.DestinationOptions{
		InitSchema: true, Truncate: true, BatchSize: 4, SchemaMap: map[string]string{src.name: dst.name}}}}
	_, res := runJob(t, job)
	if !res[0].Report.OK() {
		t.Fatalf("report not OK:\n%s", res[0].Report)
	}
	const all = "SELECT u, parent, i6, i4, n FROM ids ORDER BY u"
	if want, got := src.rows(t, all), dst.rows(t, all); !reflect.DeepEqual(want, got) || len(got) != 23 {
		t.Fatalf("ids differ:\nsource %q\ndest   %q", want, got)
	}
}
