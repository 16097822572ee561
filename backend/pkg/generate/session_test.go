package generate

import (
	"context"
	"database/sql"
	"testing"
	"time"

	"github.com/neosyncio/neosync/backend/pkg/sqlconnect"
	"github.com/neosyncio/neosync/backend/pkg/sqlschema"
	"github.com/neosyncio/neosync/backend/pkg/sqlsync"
	"github.com/neosyncio/neosync/backend/pkg/syncplan"
	"github.com/neosyncio/neosync/backend/pkg/testdb"
	"github.com/neosyncio/neosync/backend/pkg/transformers"
)

// sessionFixture is a destination opened twice: db for GenerateTable,
// admin for the test's checks, each a pool of one connection, and raw a
// third pool.
type sessionFixture struct {
	db, admin *sqlconnect.DB
	raw       *sql.DB
	schema    string
}

// TestStaleGenerateSessionIsEnded: a GenerateTable call whose INSERT is
// stuck (a trigger waits on a lock the test holds) is found and ended by
// sqlsync.EndStaleSessions with its Options.Session as the prefix — what
// a retried step does to its dead predecessor — on both dialects: the
// call fails and none of its rows is committed. On PostgreSQL the table's
// reads share its named connection, so a pool of one connection is
// enough, and that connection goes back to the pool without the name.
func TestStaleGenerateSessionIsEnded(t *testing.T) {
	t.Parallel()
	const session = "neosync:run-1:abcd"
	for _, tc := range []struct {
		dialect string
		open    func(t *testing.T) sessionFixture
		ddl     []string
		// lock makes the orders INSERTs wait until cleanup; waiting counts
		// the sessions that wait.
		lock    func(t *testing.T, f sessionFixture)
		waiting string
	}{
		{"postgres", func(t *testing.T) sessionFixture {
			u := testdb.Postgres(t, "generate_session")
			db, err := sqlconnect.Open(ctx(t), sqlconnect.Config{Driver: sqlconnect.DriverPostgres, URL: u, Pool: sqlconnect.PoolOptions{MaxOpen: 1}})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(db.Close)
			admin, err := sqlconnect.Open(ctx(t), sqlconnect.Config{Driver: sqlconnect.DriverPostgres, URL: u, Pool: sqlconnect.PoolOptions{MaxOpen: 1}})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(admin.Close)
			return sessionFixture{db: db, admin: admin, schema: "public"}
		}, []string{
			"CREATE TABLE customers (id bigint PRIMARY KEY, name text NOT NULL)",
			"CREATE TABLE orders (id bigint PRIMARY KEY, customer_id bigint NOT NULL REFERENCES customers (id))",
			"CREATE FUNCTION wait() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN PERFORM pg_advisory_xact_lock_shared(77); RETURN NEW; END $$",
			"CREATE TRIGGER wait BEFORE INSERT ON orders FOR EACH ROW EXECUTE FUNCTION wait()",
		}, func(t *testing.T, f sessionFixture) {
			// The admin pool's one connection holds the lock until cleanup.
			exec(t, f.admin, "SELECT pg_advisory_lock(77)")
		}, "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND objid = 77 AND NOT granted"},
		{"mariadb", func(t *testing.T) sessionFixture {
			u, raw := testdb.MySQL(t, "generate_session")
			var dbs [2]*sqlconnect.DB
			for i := range dbs {
				db, err := sqlconnect.Open(ctx(t), sqlconnect.Config{Driver: sqlconnect.DriverMySQL, URL: u, Pool: sqlconnect.PoolOptions{MaxOpen: 1}})
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(db.Close)
				dbs[i] = db
			}
			var schema string
			if err := dbs[0].MySQL.QueryRowContext(ctx(t), "SELECT DATABASE()").Scan(&schema); err != nil {
				t.Fatal(err)
			}
			return sessionFixture{db: dbs[0], admin: dbs[1], raw: raw, schema: schema}
		}, []string{
			"CREATE TABLE customers (id bigint PRIMARY KEY, name text NOT NULL)",
			"CREATE TABLE orders (id bigint PRIMARY KEY, customer_id bigint NOT NULL, FOREIGN KEY (customer_id) REFERENCES customers (id))",
		}, func(t *testing.T, f sessionFixture) {
			// A transaction of the third pool locks the empty table's
			// supremum: every INSERT into it waits, showing its statement.
			conn, err := f.raw.Conn(ctx(t))
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = conn.Close() })
			if _, err := conn.ExecContext(ctx(t), "BEGIN"); err != nil {
				t.Fatal(err)
			}
			rows, err := conn.QueryContext(ctx(t), "SELECT id FROM orders FOR UPDATE")
			if err != nil {
				t.Fatal(err)
			}
			_ = rows.Close()
		}, // The tagged INSERT, which waits on the lock: any tagged statement
			// may be a quick one before it, gone when the sessions are ended.
			"SELECT count(*) FROM information_schema.PROCESSLIST WHERE INFO LIKE '/* neosync:run-1:% */ INSERT INTO %'"},
	} {
		t.Run(tc.dialect, func(t *testing.T) {
			t.Parallel()
			f := tc.open(t)
			db, admin, schema := f.db, f.admin, f.schema
			exec(t, db, tc.ddl...)
			s, err := syncplan.ReadSchema(ctx(t), db, []string{schema})
			if err != nil {
				t.Fatal(err)
			}
			tn := func(n string) sqlschema.TableName { return sqlschema.TableName{Schema: schema, Table: n} }
			reg := transformers.NewRegistry()
			p, err := NewPlan(s, Request{Tables: map[sqlschema.TableName]int64{tn("customers"): 30, tn("orders"): 70}}, reg)
			if err != nil {
				t.Fatal(err)
			}
			g := &Generator{Registry: reg}
			if _, err := g.GenerateTable(ctx(t), p, tn("customers"), db, Options{Session: session}, nil); err != nil {
				t.Fatal(err)
			}
			tc.lock(t, f)
			done := make(chan error, 1)
			go func() {
				_, err := g.GenerateTable(ctx(t), p, tn("orders"), db, Options{Session: session, BatchSize: 20}, nil)
				done <- err
			}()
			for deadline := time.Now().Add(time.Minute); count(t, admin, tc.waiting) == 0; time.Sleep(20 * time.Millisecond) {
				if time.Now().After(deadline) {
					t.Fatal("the INSERT never waited on the lock")
				}
			}
			n, err := sqlsync.EndStaleSessions(ctx(t), sqlsync.Destination{Name: "dst", DB: admin}, "neosync:run-1:")
			if err != nil || n != 1 {
				t.Fatalf("EndStaleSessions = %d, %v; want the stuck session ended", n, err)
			}
			select {
			case err := <-done:
				if err == nil {
					t.Fatal("GenerateTable succeeded after its session was ended")
				}
				t.Logf("the stale call ended with: %v", err)
			case <-time.After(time.Minute):
				t.Fatal("GenerateTable still runs after its session was ended")
			}
			if n := count(t, admin, "SELECT count(*) FROM orders"); n != 0 {
				t.Errorf("orders holds %d rows of the ended session", n)
			}
			if db.Postgres != nil {
				var app string
				if err := db.Postgres.QueryRow(context.Background(), "SELECT current_setting('application_name')").Scan(&app); err != nil {
					t.Fatal(err)
				}
				if app == session {
					t.Errorf("the pool's connection still carries the name %q", app)
				}
			}
		})
	}
}
