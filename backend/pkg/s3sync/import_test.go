package s3sync_test

import (
	"context"
	"database/sql"
	"strings"
	"testing"
	"time"

	"github.com/neosyncio/neosync/backend/pkg/objectstore"
	"github.com/neosyncio/neosync/backend/pkg/s3sync"
	"github.com/neosyncio/neosync/backend/pkg/sqlconnect"
	"github.com/neosyncio/neosync/backend/pkg/sqlschema"
	"github.com/neosyncio/neosync/backend/pkg/sqlsync"
	"github.com/neosyncio/neosync/backend/pkg/syncplan"
	"github.com/neosyncio/neosync/backend/pkg/testdb"
	"github.com/neosyncio/neosync/backend/pkg/tests3"
	"github.com/neosyncio/neosync/backend/pkg/transformers"
)

const roundTripSchema = `CREATE SCHEMA app;
CREATE TABLE app.users (id int PRIMARY KEY, email text NOT NULL, born date, "Note ""quoted""" text);
CREATE TABLE app.orders (id int PRIMARY KEY, user_id int NOT NULL REFERENCES app.users (id), total numeric(10,2));`

// TestRoundTrip exports two tables (one transformed, one referencing it)
// from Postgres into a real S3-compatible server, then imports the export
// into another database with the same tables: every row comes back, the
// transformed values stay transformed, the other values are unchanged,
// and the import's report is OK.
func TestRoundTrip(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	open := func(prefix string) (sqlconnect.Config, *sqlconnect.DB) {
		cfg := sqlconnect.Config{Driver: sqlconnect.DriverPostgres, URL: testdb.Postgres(t, prefix)}
		db, err := sqlconnect.Open(ctx, cfg)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(db.Close)
		if _, err := db.Postgres.Exec(ctx, roundTripSchema); err != nil {
			t.Fatal(err)
		}
		return cfg, db
	}
	srcCfg, src := open("s3rt_src")
	dstCfg, dst := open("s3rt_dst")
	if _, err := src.Postgres.Exec(ctx, `INSERT INTO app.users SELECT i, 'user' || i || '@corp.example', DATE '2000-01-01' + i, CASE WHEN i % 4 = 0 THEN NULL ELSE 'n' || i END FROM generate_series(1, 1200) i;
		INSERT INTO app.orders SELECT i, 1 + i % 1200, i / 3.0 FROM generate_series(1, 3000) i`); err != nil {
		t.Fatal(err)
	}
	reg := transformers.NewRegistry()
	job := syncplan.Job{Source: srcCfg, Key: []byte("0123456789abcdef0123456789abcdef"), Mappings: []syncplan.Mapping{
		{Schema: "app", Table: "users", Column: "email", Transformer: syncplan.Transformer{Source: "transform_email"}},
		{Schema: "app", Table: "orders", Column: "id", Transformer: syncplan.Transformer{Source: "passthrough"}},
	}}
	plan, err := syncplan.BuildPlan(ctx, src, job, reg)
	if err != nil {
		t.Fatal(err)
	}
	srv := tests3.Start(t)
	cfg := objectstore.Config{Bucket: srv.Bucket(t, "roundtrip"), Prefix: "x", Endpoint: srv.Endpoint, Region: srv.Region, ForcePathStyle: true, AccessKeyID: srv.AccessKey, SecretAccessKey: srv.SecretKey}
	exp, err := objectstore.NewExport(ctx, cfg, "rt", "run-1", objectstore.ExportOptions{RowsPerPart: 500})
	if err != nil {
		t.Fatal(err)
	}
	x := &s3sync.Exporter{Registry: reg, Key: job.Key, PRF: job.PRF}
	for _, tbl := range plan.Tables {
		if _, err := x.ExportTable(ctx, plan, tbl.Name, sqlschema.NewPostgresInspector(src.Postgres), exp, nil); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := exp.Finish(ctx); err != nil {
		t.Fatal(err)
	}

	r, err := objectstore.OpenExport(ctx, cfg, nil, "rt", "run-1")
	if err != nil {
		t.Fatal(err)
	}
	rep, err := s3sync.Import(ctx, sqlsync.NewEngine(reg, nil), r, dstCfg, sqlsync.Destination{Name: "import", DB: dst, Options: syncplan.DestinationOptions{Truncate: true}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !rep.OK() {
		t.Fatalf("import report is not OK: %+v", rep)
	}
	for _, q := range []struct {
		sql  string
		want int64
	}{
		{"SELECT count(*) FROM app.users", 1200},
		{"SELECT count(*) FROM app.orders", 3000},
		{"SELECT count(*) FROM app.users WHERE email LIKE 'user%@corp.example'", 0},
		{"SELECT count(*) FROM app.users WHERE email NOT LIKE '%@%'", 0},
		{`SELECT count(*) FROM app.users WHERE "Note ""quoted""" IS NULL`, 300},
		{"SELECT count(*) FROM app.users WHERE born = DATE '2000-01-01' + id", 1200},
		{"SELECT count(*) FROM app.orders WHERE total = round(id / 3.0, 2)", 3000},
	} {
		var n int64
		if err := dst.Postgres.QueryRow(ctx, q.sql).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n != q.want {
			t.Errorf("%s = %d, want %d", q.sql, n, q.want)
		}
	}
}

// TestMariaDBRoundTrip exports MariaDB tables of typed columns as Parquet
// only (INT64, DOUBLE, TIMESTAMP, raw bytes, decimal and unsigned
// BIGINT as text) and imports them into another MariaDB database (another
// name: the export's schema maps to the destination's database); every
// row comes back equal.
func TestMariaDBRoundTrip(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	const ddl = "CREATE TABLE teams (id int PRIMARY KEY, name varchar(40) NOT NULL, budget decimal(14,4), created datetime(6), logo varbinary(32), big bigint unsigned);" +
		"CREATE TABLE members (id bigint PRIMARY KEY, team_id int NOT NULL, score double, active tinyint(1), note text, FOREIGN KEY (team_id) REFERENCES teams (id));"
	srcURL, srcDB := testdb.MySQL(t, "s3rt_my_src")
	dstURL, dstDB := testdb.MySQL(t, "s3rt_my_dst")
	for _, db := range []*sql.DB{srcDB, dstDB} {
		if _, err := db.ExecContext(ctx, ddl); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := srcDB.ExecContext(ctx, `INSERT INTO teams SELECT seq, CONCAT('team ', seq), seq * 1.2345, TIMESTAMP('2024-01-01 00:00:00') + INTERVAL seq * 3601.000007 SECOND,
		IF(seq % 3 = 0, NULL, UNHEX(MD5(seq))), 18446744073709551615 - seq FROM seq_1_to_40;
		INSERT INTO members SELECT seq, 1 + seq % 40, seq / 3, seq % 2, IF(seq % 7 = 0, NULL, CONCAT('m', seq, ' "quoted"')) FROM seq_1_to_1500`); err != nil {
		t.Fatal(err)
	}
	srcCfg := sqlconnect.Config{Driver: sqlconnect.DriverMySQL, URL: srcURL}
	src, err := sqlconnect.Open(ctx, srcCfg)
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	schema := strings.TrimPrefix(srcURL[strings.LastIndex(srcURL, "/"):], "/")
	reg := transformers.NewRegistry()
	job := syncplan.Job{Source: srcCfg, Mappings: []syncplan.Mapping{
		{Schema: schema, Table: "teams", Column: "id", Transformer: syncplan.Transformer{Source: "passthrough"}},
		{Schema: schema, Table: "members", Column: "id", Transformer: syncplan.Transformer{Source: "passthrough"}},
	}}
	plan, err := syncplan.BuildPlan(ctx, src, job, reg)
	if err != nil {
		t.Fatal(err)
	}
	srv := tests3.Start(t)
	cfg := objectstore.Config{Bucket: srv.Bucket(t, "mariadb"), Endpoint: srv.Endpoint, Region: srv.Region, ForcePathStyle: true, AccessKeyID: srv.AccessKey, SecretAccessKey: srv.SecretKey}
	exp, err := objectstore.NewExport(ctx, cfg, "my", "run-1", objectstore.ExportOptions{Formats: []objectstore.Format{objectstore.FormatParquet}, Dialect: objectstore.DialectMySQL, RowsPerPart: 400})
	if err != nil {
		t.Fatal(err)
	}
	x := &s3sync.Exporter{Registry: reg}
	for _, tbl := range plan.Tables {
		if _, err := x.ExportTable(ctx, plan, tbl.Name, sqlschema.NewMySQLInspector(src.MySQL), exp, nil); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := exp.Finish(ctx); err != nil {
		t.Fatal(err)
	}
	r, err := objectstore.OpenExport(ctx, cfg, nil, "my", "run-1")
	if err != nil {
		t.Fatal(err)
	}
	dstCfg := sqlconnect.Config{Driver: sqlconnect.DriverMySQL, URL: dstURL}
	dst, err := sqlconnect.Open(ctx, dstCfg)
	if err != nil {
		t.Fatal(err)
	}
	defer dst.Close()
	rep, err := s3sync.Import(ctx, sqlsync.NewEngine(reg, nil), r, dstCfg, sqlsync.Destination{Name: "import", DB: dst, Options: syncplan.DestinationOptions{Truncate: true}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !rep.OK() {
		t.Fatalf("import report is not OK: %+v", rep)
	}
	for _, q := range []string{
		"SELECT COUNT(*), MD5(GROUP_CONCAT(CONCAT_WS('|', id, name, budget, created, HEX(logo), big) ORDER BY id SEPARATOR ';')) FROM teams",
		"SELECT COUNT(*), MD5(GROUP_CONCAT(CONCAT_WS('|', id, team_id, score, active, IFNULL(note, 'NULL')) ORDER BY id SEPARATOR ';')) FROM members",
	} {
		var n [2]int64
		var sum [2]string
		for i, db := range []*sql.DB{srcDB, dstDB} {
			// One connection, so the longer GROUP_CONCAT applies to the query.
			conn, err := db.Conn(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := conn.ExecContext(ctx, "SET SESSION group_concat_max_len = 16777216"); err != nil {
				t.Fatal(err)
			}
			if err := conn.QueryRowContext(ctx, q).Scan(&n[i], &sum[i]); err != nil {
				t.Fatal(err)
			}
			_ = conn.Close()
		}
		n1, n2, s1, s2 := n[0], n[1], sum[0], sum[1]
		if n1 != n2 || s1 != s2 {
			t.Errorf("%s: source %d rows (md5 %s), imported %d rows (md5 %s)", q, n1, s1, n2, s2)
		}
	}
}
