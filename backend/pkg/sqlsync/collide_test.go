package sqlsync

import (
	"errors"
	"strings"
	"testing"

	"github.com/neosyncio/neosync/backend/pkg/sqlconnect"
	"github.com/neosyncio/neosync/backend/pkg/sqlschema"
	"github.com/neosyncio/neosync/backend/pkg/syncplan"
)

// TestFirstCopyKeepsTheUsersCollidingRow copies a keyed table into a
// destination the job does not own (no truncate) that already holds a
// row of the user's with a key the copy also writes. With the default
// on_conflict ("fail the table") the first attempt must fail on that row
// and leave it as it was (on MySQL the batches before it stay committed;
// PostgreSQL writes a table it appends to in one transaction,
// syncplan.Plan.Restarts, so none of the copy's rows stays) — before,
// the copy's resume cleanup ran on the first attempt too and deleted the
// user's row to make room for the copy's. A retry that
// found no checkpoint (an empty one) still cleans up what an earlier
// attempt of its own committed, and completes exactly.
func TestFirstCopyKeepsTheUsersCollidingRow(t *testing.T) {
	t.Parallel()
	type side struct {
		db    *sqlconnect.DB
		exec  func(t *testing.T, stmts ...string)
		names func(t *testing.T) []string // id:name of every row, sorted
	}
	check := func(t *testing.T, job syncplan.Job, src *sqlconnect.DB, table sqlschema.TableName, dst side, opts syncplan.DestinationOptions, refused string) {
		t.Helper()
		e := newTestEngine()
		ctx := testCtx(t)
		plan, err := syncplan.BuildPlan(ctx, src, job, registry)
		assertNoError(t, "plan", err)
		d := Destination{Name: "dst", DB: dst.db, Options: opts}
		source := Source{DB: src, Key: job.Key}

		// First attempt (no checkpoint): row 5 is the user's.
		_, err = e.SyncTable(ctx, plan, table, source, d, nil, nil)
		var ce *CollisionError
		if !errors.As(err, &ce) || !strings.Contains(err.Error(), "truncate_before_insert") {
			t.Fatalf("first copy into a table holding the user's row 5: err = %v, want a *CollisionError naming the options", err)
		}
		// The user's rows are as they were, with what the copy
		// committed before the collision (refused).
		got := dst.names(t)
		if strings.Join(got, " ") != strings.Trim(refused, "[]") {
			t.Fatalf("after the refused copy the destination holds %v, want %s", got, refused)
		}

		// A retry with no checkpoint recorded (every heartbeat lost):
		// whatever the earlier attempt committed is removed; the user has
		// removed row 5, so the copy can complete, exactly.
		dst.exec(t, "DELETE FROM items WHERE id = 5")
		_, err = e.SyncTable(ctx, plan, table, source, d, &Checkpoint{Table: table}, nil)
		assertNoError(t, "retry from an empty checkpoint", err)
		got = dst.names(t)
		if len(got) != 11 || got[0] != "101:mine too" || got[1] != "10:item10" || got[10] != "9:item9" {
			t.Fatalf("after the retry the destination holds %v, want items 1-10 once and the user's row 101", got)
		}
	}
	t.Run("postgres", func(t *testing.T) {
		t.Parallel()
		src, dst, job := pgCollisionFixture(t)
		check(t, job, src.db, sqlschema.TableName{Schema: "public", Table: "items"}, side{
			db:    dst.db,
			exec:  func(t *testing.T, stmts ...string) { dst.exec(t, stmts...) },
			names: func(t *testing.T) []string { return dst.rows(t, `SELECT id || ':' || name FROM public.items`) },
		}, syncplan.DestinationOptions{BatchSize: 4}, "[101:mine too 5:mine]")
	})
	t.Run("mysql", func(t *testing.T) {
		t.Parallel()
		src, dst := newMySQLDB(t, "_src"), newMySQLDB(t, "_dst")
		items := "CREATE TABLE items (id int PRIMARY KEY, name varchar(20) NOT NULL)"
		src.exec(t, items, "INSERT INTO items SELECT seq, concat('item', seq) FROM seq_1_to_10")
		dst.exec(t, items, "INSERT INTO items VALUES (5, 'mine'), (101, 'mine too')")
		job := mysqlPassthroughJob(t, src, []string{"items"})
		check(t, job, src.db, sqlschema.TableName{Schema: src.name, Table: "items"}, side{
			db:   dst.db,
			exec: func(t *testing.T, stmts ...string) { dst.exec(t, stmts...) },
			names: func(t *testing.T) []string {
				rows := dst.rows(t, "SELECT concat(id, ':', name) FROM items")
				for i, r := range rows {
					rows[i] = strings.Trim(r, `"`)
				}
				return rows
			},
		}, syncplan.DestinationOptions{BatchSize: 4, SchemaMap: map[string]string{src.name: dst.name}}, "[101:mine too 1:item1 2:item2 3:item3 4:item4 5:mine]")
	})
}

// TestRetryKeepsTheUsersCollidingRow retries a whole Postgres table that
// restarts (one transaction per attempt) into a destination the job
// appends to, after an earlier attempt that committed nothing (say, its
// connection dropped before it reached the user's row): the retry has no
// checkpoint and cleans up only what an attempt committed — all the
// source's keys or none — so the user's row 5 stays and the copy fails on
// it. Before, the retry deleted every row whose key the source gives,
// the user's included, and copied over it.
func TestRetryKeepsTheUsersCollidingRow(t *testing.T) {
	t.Parallel()
	src, dst, job := pgCollisionFixture(t)
	e := newTestEngine()
	ctx := testCtx(t)
	plan, err := syncplan.BuildPlan(ctx, src.db, job, registry)
	assertNoError(t, "plan", err)
	table := sqlschema.TableName{Schema: "public", Table: "items"}
	d := Destination{Name: "dst", DB: dst.db, Options: syncplan.DestinationOptions{BatchSize: 4}}
	if !plan.Restarts(plan.Table(table), d.Options) {
		t.Fatal("the table does not restart: the test needs the one-transaction copy")
	}
	_, err = e.SyncTable(ctx, plan, table, Source{DB: src.db, Key: job.Key}, d, &Checkpoint{Table: table}, nil)
	var ce *CollisionError
	if !errors.As(err, &ce) {
		t.Fatalf("retry into a table holding the user's row 5: err = %v, want a *CollisionError", err)
	}
	if got := dst.rows(t, `SELECT id || ':' || name FROM public.items`); strings.Join(got, " ") != "101:mine too 5:mine" {
		t.Fatalf("after the refused retry the destination holds %v, want only the user's rows [101:mine too 5:mine]", got)
	}
}

// pgCollisionFixture is a source public.items of rows 1-10 and a
// destination of the same table holding the user's rows 5 (colliding
// with the source's) and 101, with a passthrough job over the source.
func pgCollisionFixture(t *testing.T) (src, dst *pgDB, job syncplan.Job) {
	t.Helper()
	src, dst = newPGDB(t), newPGDB(t)
	items := `CREATE TABLE public.items (id int PRIMARY KEY, name text NOT NULL)`
	src.exec(t, items, `INSERT INTO public.items SELECT g, 'item' || g FROM generate_series(1, 10) g`)
	dst.exec(t, items, `INSERT INTO public.items VALUES (5, 'mine'), (101, 'mine too')`)
	return src, dst, passthroughJob(t, src, "public", []string{"items"})
}
