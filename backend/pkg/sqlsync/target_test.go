package sqlsync

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/url"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/go-sql-driver/mysql"

	"github.com/neosyncio/neosync/backend/pkg/sqlconnect"
	"github.com/neosyncio/neosync/backend/pkg/sqlschema"
	"github.com/neosyncio/neosync/backend/pkg/syncplan"
)

// mysqlSnapshot returns every row of the tables, for "left untouched"
// checks.
func mysqlSnapshot(t *testing.T, db *mysqlDB, tables []string) map[string][]string {
	t.Helper()
	out := map[string][]string{}
	for _, tb := range tables {
		qt, _ := sqlschema.QuoteMySQLIdentifier(tb)
		out[tb] = db.rows(t, "SELECT * FROM "+qt)
	}
	return out
}

// mysqlConfigFor is db's configuration spelled differently (localhost
// for 127.0.0.1) and pointing at database name ("" for none): the
// engine must compare what the servers say, not URL strings.
func mysqlConfigFor(t *testing.T, db *mysqlDB, name string) sqlconnect.Config {
	t.Helper()
	mc, err := mysql.ParseDSN(db.cfg.URL)
	if err != nil {
		t.Fatal(err)
	}
	mc.Addr = strings.Replace(mc.Addr, "127.0.0.1", "localhost", 1)
	mc.DBName = name
	return sqlconnect.Config{Driver: sqlconnect.DriverMySQL, URL: mc.FormatDSN()}
}

// TestMySQLTwoDatabasesOfOneServer syncs database A into database B of the
// same MariaDB server without a schema map: the tables land in B, the
// database the destination's URL names, and A is left as it was.
func TestMySQLTwoDatabasesOfOneServer(t *testing.T) {
	t.Parallel()
	src, dst := newMySQLDB(t, "_src"), newMySQLDB(t, "_dst")
	mysqlFixture(t, src)
	before := mysqlSnapshot(t, src, mysqlTables)
	job := mysqlPassthroughJob(t, src, mysqlTables)
	job.Destinations = []syncplan.Destination{{Name: "dst", Conn: dst.cfg,
		Options: syncplan.DestinationOptions{InitSchema: true, Truncate: true, BatchSize: 3}}}
	for run := 1; run <= 2; run++ { // the second run truncates what the first wrote
		_, res := runJob(t, job)
		assertCrossChecked(t, res[0].Report)
		if after := mysqlSnapshot(t, src, mysqlTables); !reflect.DeepEqual(before, after) {
			t.Fatalf("run %d changed the source database:\nbefore %.300q\nafter  %.300q", run, before, after)
		}
		assertSameMySQLRows(t, src, dst, mysqlTables)
	}
}

// TestSameDatabaseRefused points a destination at the source database
// itself (spelled differently): every step that writes refuses with a
// *SameDatabaseError before anything is written.
func TestSameDatabaseRefused(t *testing.T) {
	t.Parallel()
	t.Run("postgres", func(t *testing.T) {
		t.Parallel()
		src := newPGDB(t)
		pgFixture(t, src)
		before := map[string]int64{}
		for _, tb := range pgTables {
			before[tb] = src.count(t, qs+"."+sqlschemaQuotePG(tb))
		}
		same := src.cfg
		same.URL = strings.Replace(same.URL, "127.0.0.1", "localhost", 1)
		job := passthroughJob(t, src, pgSchema, pgTables)
		job.Source = src.cfg
		job.Destinations = []syncplan.Destination{{Name: "staging", Conn: same,
			Options: syncplan.DestinationOptions{InitSchema: true, Truncate: true, TruncateCascade: true}}}
		assertSameDatabaseRefused(t, job, src.db)
		for _, tb := range pgTables {
			if n := src.count(t, qs+"."+sqlschemaQuotePG(tb)); n != before[tb] {
				t.Errorf("source table %s has %d rows after the refused run, want %d", tb, n, before[tb])
			}
		}
	})
	t.Run("mysql", func(t *testing.T) {
		t.Parallel()
		src := newMySQLDB(t, "_src")
		mysqlFixture(t, src)
		before := mysqlSnapshot(t, src, mysqlTables)
		job := mysqlPassthroughJob(t, src, mysqlTables)
		for _, name := range []string{src.name, ""} { // the URL names the source's database, or none
			job.Destinations = []syncplan.Destination{{Name: "staging", Conn: mysqlConfigFor(t, src, name),
				Options: syncplan.DestinationOptions{InitSchema: true, Truncate: true, TruncateCascade: true}}}
			assertSameDatabaseRefused(t, job, src.db)
			if after := mysqlSnapshot(t, src, mysqlTables); !reflect.DeepEqual(before, after) {
				t.Fatalf("destination database %q: the refused run changed the source", name)
			}
		}
	})
}

// assertSameDatabaseRefused runs job (whose one destination is its source)
// in process, then its steps one by one as the worker does, and expects a
// *SameDatabaseError from each.
func assertSameDatabaseRefused(t *testing.T, job syncplan.Job, srcDB *sqlconnect.DB) {
	t.Helper()
	e := newTestEngine()
	check := func(step string, err error) {
		t.Helper()
		var same *SameDatabaseError
		if !errors.As(err, &same) {
			t.Fatalf("%s: %v, want a *SameDatabaseError", step, err)
		}
		if !strings.Contains(err.Error(), "staging is the source itself") || !strings.Contains(err.Error(), same.SourceDatabase) {
			t.Fatalf("%s: message %q does not name the destination and the database", step, err)
		}
	}
	plan, _, err := e.Run(testCtx(t), job, nil)
	check("Run", err)
	if plan.Source == nil {
		t.Fatal("the plan does not record the source's identity")
	}
	d := job.Destinations[0]
	db, err := sqlconnect.Open(testCtx(t), d.Conn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	dst := Destination{Name: d.Name, DB: db, Options: d.Options}
	check("PrepareDestination", e.PrepareDestination(testCtx(t), plan, dst))
	_, err = e.SyncTable(testCtx(t), plan, plan.Tables[0].Name, Source{DB: srcDB}, dst, nil, nil)
	check("SyncTable", err)
	_, err = e.RunUpdatePasses(testCtx(t), plan, Source{DB: srcDB}, dst)
	check("RunUpdatePasses", err)
	check("Finalize", e.Finalize(testCtx(t), plan, dst))
	// A plan without the source's identity: SyncTable asks the source.
	plan.Source = nil
	_, err = e.SyncTable(testCtx(t), plan, plan.Tables[0].Name, Source{DB: srcDB}, dst, nil, nil)
	check("SyncTable without the plan's identity", err)
}

func sqlschemaQuotePG(name string) string {
	q, _ := sqlschema.QuotePostgresIdentifier(name)
	return q
}

// TestUnidentifiedSourceStillSyncs reads the source as a role that may not
// call pg_control_system (as on a PostgreSQL-compatible server without
// it): the run cannot compare servers, says so in the plan, and copies.
func TestUnidentifiedSourceStillSyncs(t *testing.T) {
	t.Parallel()
	src, dst := newPGDB(t), newPGDB(t)
	role := fmt.Sprintf("neosync_noident_%012x", rand.Uint64()>>16)
	src.exec(t,
		`CREATE TABLE customers (id int PRIMARY KEY, name text)`,
		`INSERT INTO customers SELECT g, 'c' || g FROM generate_series(1, 10) g`,
		`CREATE ROLE `+role+` LOGIN`,
		`GRANT SELECT ON ALL TABLES IN SCHEMA public TO `+role,
		`REVOKE EXECUTE ON FUNCTION pg_catalog.pg_control_system() FROM PUBLIC`,
	)
	t.Cleanup(func() {
		ctx := context.Background()
		_, _ = src.db.Postgres.Exec(ctx, "DROP OWNED BY "+role)
		if _, err := src.db.Postgres.Exec(ctx, "DROP ROLE "+role); err != nil {
			t.Errorf("cleanup: drop role %s: %v", role, err)
		}
	})
	u, err := url.Parse(src.cfg.URL)
	if err != nil {
		t.Fatal(err)
	}
	u.User = url.User(role)
	job := passthroughJob(t, src, "public", []string{"customers"})
	job.Source = sqlconnect.Config{Driver: sqlconnect.DriverPostgres, URL: u.String()}
	job.Destinations = []syncplan.Destination{{Name: "dst", Conn: dst.cfg, Options: syncplan.DestinationOptions{InitSchema: true, Truncate: true}}}
	plan, res := runJob(t, job)
	assertCrossChecked(t, res[0].Report)
	if plan.Source == nil || plan.Source.Server != "" || !slices.ContainsFunc(plan.Warnings, func(w string) bool {
		return strings.Contains(w, "does not report its identity")
	}) {
		t.Fatalf("plan source %+v, warnings %q", plan.Source, plan.Warnings)
	}
}
