package sqlsync

import (
	"context"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/go-sql-driver/mysql"

	"github.com/neosyncio/neosync/backend/pkg/sqlconnect"
	"github.com/neosyncio/neosync/backend/pkg/sqlschema"
	"github.com/neosyncio/neosync/backend/pkg/syncplan"
)

// BenchmarkSplitRangesByKey measures what choosing the key ranges of a
// table of NEOSYNC_BENCH_ROWS rows (1,000,000 by default) with a composite
// (tenant int, code text) key costs at the start of a run, into 8 ranges:
// a TABLESAMPLE of the keys on PostgreSQL, index steps on MariaDB.
func BenchmarkSplitRangesByKey(b *testing.B) {
	ctx := context.Background()
	rows := int64(benchRows())
	table := func(schema string) sqlschema.TableName { return sqlschema.TableName{Schema: schema, Table: "pairs"} }
	split := func(b *testing.B, cfg sqlconnect.Config, schema string) {
		db, err := sqlconnect.Open(ctx, cfg)
		if err != nil {
			b.Fatal(err)
		}
		defer db.Close()
		var job syncplan.Job
		job.Source = cfg
		for _, c := range []string{"tenant", "code", "payload"} {
			job.Mappings = append(job.Mappings, syncplan.Mapping{Schema: schema, Table: "pairs", Column: c, Transformer: syncplan.Transformer{Source: syncplan.Passthrough}})
		}
		plan, err := syncplan.BuildPlan(ctx, db, job, registry)
		if err != nil {
			b.Fatal(err)
		}
		e := NewEngine(registry, nil)
		b.ResetTimer()
		for b.Loop() {
			ranges, err := e.SplitRanges(ctx, plan, table(schema), Source{DB: db}, rows, rows/8)
			if err != nil || len(ranges) < 7 {
				b.Fatalf("split: %d ranges, %v", len(ranges), err)
			}
		}
	}
	b.Run("postgres", func(b *testing.B) {
		base := envOr("NEOSYNC_TEST_PG_URL", defaultPGURL)
		u, drop := benchDB(b, ctx, base, fmt.Sprintf("sqlsync_bench_split_%08x", rand.Uint32()))
		defer drop()
		cfg := sqlconnect.Config{Driver: sqlconnect.DriverPostgres, URL: u}
		db, err := sqlconnect.Open(ctx, cfg)
		if err != nil {
			b.Fatal(err)
		}
		for _, s := range []string{
			"CREATE TABLE pairs (tenant int, code text, payload text, PRIMARY KEY (tenant, code))",
			"INSERT INTO pairs SELECT g % 3, md5(g::text), 'p' || g FROM generate_series(1, " + fmt.Sprint(rows) + ") g",
			"VACUUM ANALYZE pairs",
		} {
			if _, err := db.Postgres.Exec(ctx, s); err != nil {
				b.Fatal(err)
			}
		}
		db.Close()
		split(b, cfg, "public")
	})
	b.Run("mariadb", func(b *testing.B) {
		mc, err := mysql.ParseDSN(envOr("NEOSYNC_TEST_MYSQL_DSN", defaultMySQLDSN))
		if err != nil {
			b.Fatal(err)
		}
		admin, err := sql.Open("mysql", mc.FormatDSN())
		if err != nil {
			b.Fatal(err)
		}
		defer func() { _ = admin.Close() }()
		name := fmt.Sprintf("sqlsync_bench_split_%08x", rand.Uint32())
		if _, err := admin.ExecContext(ctx, "CREATE DATABASE "+name+" CHARACTER SET utf8mb4"); err != nil {
			b.Fatal(err)
		}
		defer func() { _, _ = admin.ExecContext(context.Background(), "DROP DATABASE IF EXISTS "+name) }()
		for _, s := range []string{
			"CREATE TABLE " + name + ".pairs (tenant int, code varchar(40) COLLATE utf8mb4_general_ci, payload varchar(40), PRIMARY KEY (tenant, code))",
			"INSERT INTO " + name + ".pairs SELECT seq % 3, md5(seq), CONCAT('p', seq) FROM " + name + ".seq_1_to_" + fmt.Sprint(rows),
			"ANALYZE TABLE " + name + ".pairs",
		} {
			if _, err := admin.ExecContext(ctx, s); err != nil {
				b.Fatal(err)
			}
		}
		c := mc.Clone()
		c.DBName = name
		split(b, sqlconnect.Config{Driver: sqlconnect.DriverMySQL, URL: c.FormatDSN()}, name)
	})
}
