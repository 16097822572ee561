package sqlsync

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"testing"

	"github.com/neosyncio/neosync/backend/pkg/leakscan"
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

// TestRetryAfterCommittedBatchesKeepsTheUsersRow retries a keyed copy in
// batches into a destination the job does not own (no truncate, the
// default on_conflict) that holds a row of the user's, 3950, with a key
// the copy also writes, far past where the first attempt got: that
// attempt commits batches of 100 rows, dies after about 1,000 (cancelled),
// and the retry is given a checkpoint two commits older than its last, so
// it first cleans up the batches committed past it. It must delete only
// those — whole batches, right after the checkpoint — and keep the user's
// row, which the copy then reaches and fails on (*CollisionError), having
// written every row before it once. Before, the cleanup deleted every row
// a source key past the checkpoint names, the user's included, and the
// copy completed over it. Once the user removes the row, the same retry
// completes with exactly the source's rows. On PostgreSQL the batched
// copy is a key range's (a whole table there restarts instead); on
// MariaDB both.
func TestRetryAfterCommittedBatchesKeepsTheUsersRow(t *testing.T) {
	t.Parallel()
	type fixture struct {
		src, dst *sqlconnect.DB
		job      syncplan.Job
		table    sqlschema.TableName
		opts     syncplan.DestinationOptions
		exec     func(t *testing.T, stmts ...string)     // on the destination
		value    func(t *testing.T, query string) string // first column of the first row
		item     string                                  // the source's name of row id, as SQL
	}
	check := func(t *testing.T, f fixture, byRange bool) {
		t.Helper()
		e := newTestEngine()
		ctx := testCtx(t)
		plan, err := syncplan.BuildPlan(ctx, f.src, f.job, registry)
		assertNoError(t, "plan", err)
		source := Source{DB: f.src}
		d := Destination{Name: "dst", DB: f.dst, Options: f.opts}
		var rng *KeyRange
		if byRange {
			ranges, err := e.SplitRanges(ctx, plan, f.table, source, 8000, 4000)
			assertNoError(t, "split", err)
			if len(ranges) != 2 || ranges[0].Hi == nil || *ranges[0].Hi <= 3950 {
				t.Fatalf("ranges %v: want two, the first holding key 3950", ranges)
			}
			rng = &ranges[0]
		}
		sync := func(cp *Checkpoint) error {
			if rng != nil {
				_, err := e.SyncRange(ctx, plan, f.table, *rng, source, d, cp, leakscan.Seed{}, nil)
				return err
			}
			_, err := e.SyncTable(ctx, plan, f.table, source, d, cp, nil)
			return err
		}
		stop := func(p Progress) bool { return p.Checkpoint.Rows >= 1000 }
		var seen []Checkpoint
		if rng != nil {
			seen = interruptedRange(t, e, plan, f.table, *rng, source, d, nil, stop)
		} else {
			seen = interruptedCopy(t, e, plan, f.table, source, d, nil, stop)
		}
		if len(seen) < 3 {
			t.Fatalf("checkpoints %+v: want several", seen)
		}
		older := seen[len(seen)-3]
		if older.Batch != 100 {
			t.Fatalf("checkpoint %+v does not say its batch size", older)
		}
		count := "SELECT count(*) FROM items WHERE id <> 3950"
		if n, _ := strconv.ParseInt(f.value(t, count), 10, 64); n < seen[len(seen)-1].Rows || n <= older.Rows {
			t.Fatalf("the interrupted attempt left %d rows, want at least its last checkpoint's %d, past %d", n, seen[len(seen)-1].Rows, older.Rows)
		}

		retry := older
		err = sync(&retry)
		var ce *CollisionError
		if !errors.As(err, &ce) {
			t.Fatalf("retry into a table holding the user's row 3950: err = %v, want a *CollisionError", err)
		}
		if got := f.value(t, "SELECT name FROM items WHERE id = 3950"); got != "mine" {
			t.Fatalf("the user's row 3950 holds %q after the retry, want %q", got, "mine")
		}
		// The retry went through the first attempt's rows and failed on
		// the batch of the user's row (3901-4000): the rows before it
		// are there once each.
		if got := f.value(t, count+" AND name = "+f.item); got != "3900" {
			t.Fatalf("after the refused retry the destination holds %s of the source's rows, want 3900 (1-3900)", got)
		}
		if got := f.value(t, "SELECT max(id) FROM items WHERE id <> 3950"); got != "3900" {
			t.Fatalf("after the refused retry the destination's last source row is %s, want 3900", got)
		}

		// Without the user's row the same retry completes, exactly.
		f.exec(t, "DELETE FROM items WHERE id = 3950")
		retry = older
		assertNoError(t, "retry without the user's row", sync(&retry))
		want := "8000"
		if rng != nil {
			want = fmt.Sprint(*rng.Hi - 1)
		}
		if got := f.value(t, "SELECT count(*) FROM items WHERE name = "+f.item); got != want {
			t.Fatalf("after the retry the destination holds %s of the source's rows, want %s", got, want)
		}
		if got := f.value(t, "SELECT count(*) FROM items"); got != want {
			t.Fatalf("after the retry the destination holds %s rows, want %s", got, want)
		}
	}
	t.Run("postgres range", func(t *testing.T) {
		t.Parallel()
		src, dst := newPGDB(t), newPGDB(t)
		items := `CREATE TABLE public.items (id int PRIMARY KEY, name text NOT NULL)`
		src.exec(t, items, `INSERT INTO public.items SELECT g, 'item' || g FROM generate_series(1, 8000) g`)
		dst.exec(t, items, `INSERT INTO public.items VALUES (3950, 'mine')`)
		check(t, fixture{
			src: src.db, dst: dst.db, job: passthroughJob(t, src, "public", []string{"items"}),
			table: sqlschema.TableName{Schema: "public", Table: "items"},
			opts:  syncplan.DestinationOptions{BatchSize: 100},
			exec:  func(t *testing.T, stmts ...string) { dst.exec(t, stmts...) },
			value: func(t *testing.T, query string) string { return dst.rows(t, query)[0] },
			item:  "'item' || id",
		}, true)
	})
	for name, byRange := range map[string]bool{"mysql table": false, "mysql range": true} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			src, dst := newMySQLDB(t, "_src"), newMySQLDB(t, "_dst")
			items := "CREATE TABLE items (id int PRIMARY KEY, name varchar(20) NOT NULL)"
			src.exec(t, items, "INSERT INTO items SELECT seq, concat('item', seq) FROM seq_1_to_8000")
			dst.exec(t, items, "INSERT INTO items VALUES (3950, 'mine')")
			check(t, fixture{
				src: src.db, dst: dst.db, job: mysqlPassthroughJob(t, src, []string{"items"}),
				table: sqlschema.TableName{Schema: src.name, Table: "items"},
				opts:  syncplan.DestinationOptions{BatchSize: 100, SchemaMap: map[string]string{src.name: dst.name}},
				exec:  func(t *testing.T, stmts ...string) { dst.exec(t, stmts...) },
				value: func(t *testing.T, query string) string { return strings.Trim(dst.rows(t, query)[0], `"`) },
				item:  "concat('item', id)",
			}, byRange)
		})
	}
}
