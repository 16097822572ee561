package s3sync_test

import (
	"context"
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
