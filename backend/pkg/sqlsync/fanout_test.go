package sqlsync

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/neosyncio/neosync/backend/pkg/leakscan"
	"github.com/neosyncio/neosync/backend/pkg/sqlconnect"
	"github.com/neosyncio/neosync/backend/pkg/sqlschema"
	"github.com/neosyncio/neosync/backend/pkg/syncplan"
)

// sourceReads opens its own pool on src (tagged by application_name),
// runs fn with it, closes it, waits until its sessions are gone (a
// PostgreSQL backend flushes its statistics when it exits) and returns
// how many rows of table the source's heap handed out meanwhile
// (seq_tup_read + idx_tup_fetch of pg_stat_user_tables) and how many
// scans (seq_scan + idx_scan) read it.
func sourceReads(t *testing.T, src *pgDB, table string, fn func(db *sqlconnect.DB)) (rows, scans int64) {
	t.Helper()
	ctx := testCtx(t)
	stat := func() (int64, int64) {
		var r, s int64
		err := src.db.Postgres.QueryRow(ctx, `SELECT coalesce(seq_tup_read, 0) + coalesce(idx_tup_fetch, 0), coalesce(seq_scan, 0) + coalesce(idx_scan, 0)
FROM pg_stat_user_tables WHERE relid = $1::regclass`, table).Scan(&r, &s)
		assertNoError(t, "read the source's statistics", err)
		return r, s
	}
	// A session flushes its table statistics at its end, or up to 10 s
	// after it goes idle: end this pool's sessions (the fixture's, the
	// plan's) so that reads made before fn are counted before r0, not
	// after it.
	src.db.Postgres.Reset()
	waitNoSessions(t, src, "pid <> pg_backend_pid()")
	r0, s0 := stat()
	cfg := src.cfg
	cfg.URL += "&application_name=neosync_fanout_reads"
	db, err := sqlconnect.Open(ctx, cfg)
	assertNoError(t, "open the source", err)
	fn(db)
	db.Close()
	waitNoSessions(t, src, "application_name = 'neosync_fanout_reads'")
	r1, s1 := stat()
	return r1 - r0, s1 - s0
}

// waitNoSessions waits (up to a minute) until no session of src's database
// matches the SQL condition where.
func waitNoSessions(t *testing.T, src *pgDB, where string) {
	t.Helper()
	for deadline := time.Now().Add(time.Minute); ; time.Sleep(100 * time.Millisecond) {
		var n int
		assertNoError(t, "sessions", src.db.Postgres.QueryRow(testCtx(t), "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND "+where).Scan(&n))
		if n == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("sessions where %s did not end", where)
		}
	}
}

// TestPostgresFanOut copies tables into two destinations from one read of
// the source (counted on the source), resumes them from different
// checkpoints, and shows that a failing destination leaves the other's
// copy complete and its own exact up to its checkpoint.
func TestPostgresFanOut(t *testing.T) {
	t.Parallel()
	src := newPGDB(t)
	const rows = 20000
	src.exec(t,
		`CREATE SCHEMA app`,
		`CREATE TABLE app.keyed (id int PRIMARY KEY, payload text, r double precision)`,
		`INSERT INTO app.keyed SELECT g, md5(g::text), g / 7.0 FROM generate_series(1, 20000) g`,
		`CREATE TABLE app.loose (a int, b text)`,
		`INSERT INTO app.loose SELECT g % 100, md5((g % 777)::text) FROM generate_series(1, 20000) g`,
	)
	job := passthroughJob(t, src, "app", []string{"keyed", "loose"})
	job.Source = src.cfg
	job.Key = []byte("fan-out")
	for i, m := range job.Mappings {
		if m.Column == "payload" || m.Column == "b" {
			job.Mappings[i].Transformer.Source = "transform_hash"
		}
	}
	ctx := testCtx(t)
	plan, err := syncplan.BuildPlan(ctx, src.db, job, registry)
	assertNoError(t, "plan", err)
	keyed := sqlschema.TableName{Schema: "app", Table: "keyed"}
	loose := sqlschema.TableName{Schema: "app", Table: "loose"}
	e := newTestEngine()
	owned := syncplan.DestinationOptions{InitSchema: true, Truncate: true, BatchSize: 1000}
	newDest := func(name string, opts syncplan.DestinationOptions) (*pgDB, Destination) {
		db := newPGDB(t)
		d := Destination{Name: name, DB: db.db, Options: syncplan.DestinationOptions{InitSchema: true, Truncate: true}}
		assertNoError(t, "prepare "+name, e.PrepareDestination(ctx, plan, d))
		d.Options = opts
		return db, d
	}
	want, wantDst := newDest("want", owned)
	a, dstA := newDest("a", owned)
	b, dstB := newDest("b", syncplan.DestinationOptions{BatchSize: 1500}) // appending, another batch size

	// The expected content, copied with one read per table — which is
	// also what the count below must tell apart from a fan-out.
	for _, table := range []sqlschema.TableName{keyed, loose} {
		n, scans := sourceReads(t, src, table.String(), func(db *sqlconnect.DB) {
			_, err := e.SyncTable(ctx, plan, table, Source{DB: db, Key: job.Key}, wantDst, nil, nil)
			assertNoError(t, "copy "+table.String(), err)
		})
		t.Logf("one destination: %s read %d rows in %d scans", table, n, scans)
		if n != rows || scans != 1 {
			t.Fatalf("one copy of %s read %d source rows in %d scans, want %d in 1: the count does not measure reads", table, n, scans, rows)
		}
	}

	t.Run("one read for two destinations", func(t *testing.T) {
		for _, table := range []sqlschema.TableName{keyed, loose} {
			n, scans := sourceReads(t, src, table.String(), func(db *sqlconnect.DB) {
				cps, err := e.SyncTableFanOut(ctx, plan, table, Source{DB: db, Key: job.Key}, []Destination{dstA, dstB}, []*Checkpoint{nil, nil}, nil)
				assertNoError(t, "fan out "+table.String(), err)
				for i, cp := range cps {
					if !cp.Done || cp.Rows != rows || !cp.WholeRead {
						t.Fatalf("destination %d: checkpoint %+v, want %d rows read whole", i, cp, rows)
					}
					if table == keyed && len(cp.Leaks) == 0 {
						t.Errorf("destination %d: no leak results on the checkpoint", i)
					}
				}
			})
			t.Logf("two destinations: %s read %d rows in %d scans", table, n, scans)
			if n != rows || scans != 1 {
				t.Errorf("copying %s into two destinations read %d source rows in %d scans, want %d rows in 1 scan", table, n, scans, rows)
			}
		}
		assertSameRows(t, want, a, "app", []string{"keyed", "loose"})
		assertSameRows(t, want, b, "app", []string{"keyed", "loose"})
	})

	t.Run("resume from different checkpoints", func(t *testing.T) {
		a.exec(t, `TRUNCATE app.keyed`)
		b.exec(t, `TRUNCATE app.keyed`)
		source := Source{DB: src.db, Key: job.Key}
		cctx, cancel := context.WithCancel(ctx)
		var mu sync.Mutex
		seen := [2][]Checkpoint{}
		_, err := e.SyncTableFanOut(cctx, plan, keyed, source, []Destination{dstA, dstB}, []*Checkpoint{nil, nil}, func(i int, p Progress) {
			mu.Lock()
			defer mu.Unlock()
			if s := seen[i]; len(s) == 0 || s[len(s)-1].Rows != p.Checkpoint.Rows {
				seen[i] = append(seen[i], p.Checkpoint)
			}
			if p.Checkpoint.Rows >= 9000 {
				cancel()
			}
		})
		cancel()
		if err == nil {
			t.Fatal("the fan-out was not interrupted")
		}
		if len(seen[0]) < 4 || len(seen[1]) < 2 {
			t.Fatalf("checkpoints %+v: want several per destination", seen)
		}
		// a resumes from an older checkpoint than it committed (its
		// last heartbeat lost), b from its last: the read starts at a's,
		// and b is reconciled back to it.
		older, last := seen[0][len(seen[0])-3], seen[1][len(seen[1])-1]
		if older.Rows == last.Rows {
			t.Fatalf("checkpoints %+v and %+v: want different ones", older, last)
		}
		cps, err := e.SyncTableFanOut(ctx, plan, keyed, source, []Destination{dstA, dstB}, []*Checkpoint{&older, &last}, nil)
		assertNoError(t, "resume", err)
		for i, cp := range cps {
			if !cp.Done || cp.Rows != rows {
				t.Fatalf("destination %d: checkpoint %+v", i, cp)
			}
		}
		assertSameRows(t, want, a, "app", []string{"keyed"})
		assertSameRows(t, want, b, "app", []string{"keyed"})
	})

	t.Run("a failing destination", func(t *testing.T) {
		a.exec(t, `TRUNCATE app.keyed`)
		b.exec(t, `TRUNCATE app.keyed`, `ALTER TABLE app.keyed ADD CONSTRAINT below CHECK (id < 12345)`)
		source := Source{DB: src.db, Key: job.Key}
		cps, err := e.SyncTableFanOut(ctx, plan, keyed, source, []Destination{dstA, dstB}, []*Checkpoint{nil, nil}, nil)
		var fe *FanOutError
		if !errors.As(err, &fe) || fe.Failed(0) || !fe.Failed(1) {
			t.Fatalf("want b alone failed, got %v", err)
		}
		t.Logf("error: %v", err)
		if !strings.HasPrefix(err.Error(), "sqlsync: table app.keyed: destination b: batch 13 (rows 12001 and on): ") || !strings.Contains(err.Error(), "below") {
			t.Errorf("error %q: want the destination and the constraint named", err)
		}
		if !cps[0].Done || cps[0].Rows != rows {
			t.Fatalf("the other destination: checkpoint %+v", cps[0])
		}
		assertSameRows(t, want, a, "app", []string{"keyed"})
		// b holds exactly the batches its checkpoint says.
		if got := b.count(t, "app.keyed"); got != cps[1].Rows || got != 12000 {
			t.Fatalf("failed destination holds %d rows, checkpoint %d, want 12000", got, cps[1].Rows)
		}
		// Fixed, it resumes from its checkpoint; a, done, is skipped.
		b.exec(t, `ALTER TABLE app.keyed DROP CONSTRAINT below`)
		cps, err = e.SyncTableFanOut(ctx, plan, keyed, source, []Destination{dstA, dstB}, []*Checkpoint{&cps[0], &cps[1]}, nil)
		assertNoError(t, "retry", err)
		if !cps[1].Done || cps[1].Rows != rows {
			t.Fatalf("retried destination: checkpoint %+v", cps[1])
		}
		assertSameRows(t, want, b, "app", []string{"keyed"})
	})
}

// mysqlRowsRead returns the rows MariaDB's engine read from table of db
// (information_schema.TABLE_STATISTICS.ROWS_READ, kept while the server's
// userstat is on; the test turns it on).
func mysqlRowsRead(t *testing.T, db *mysqlDB, table string) int64 {
	t.Helper()
	var n int64
	err := db.admin.QueryRowContext(testCtx(t), `SELECT coalesce(sum(ROWS_READ), 0) FROM information_schema.TABLE_STATISTICS WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ?`, db.name, table).Scan(&n)
	assertNoError(t, "read the table statistics", err)
	return n
}

// TestMySQLFanOut copies a table and then its key ranges into two MariaDB
// destinations from one read of the source (counted on the source with
// MariaDB's table statistics); a range interrupted mid-way resumes exactly
// in both.
func TestMySQLFanOut(t *testing.T) {
	t.Parallel()
	src, a, b, want := newMySQLDB(t, "_src"), newMySQLDB(t, "_a"), newMySQLDB(t, "_b"), newMySQLDB(t, "_want")
	var userstat string
	assertNoError(t, "userstat", src.admin.QueryRowContext(testCtx(t), "SELECT @@GLOBAL.userstat").Scan(&userstat))
	if userstat != "1" && !strings.EqualFold(userstat, "ON") {
		if _, err := src.admin.ExecContext(testCtx(t), "SET GLOBAL userstat = 1"); err != nil {
			t.Skipf("cannot turn on MariaDB's table statistics (userstat): %v", err)
		}
		// The setting is the server's, not the test's: put it back (the
		// statistics cost every query on the server while it is on).
		t.Cleanup(func() {
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			if _, err := src.admin.ExecContext(ctx, "SET GLOBAL userstat = 0"); err != nil {
				t.Errorf("turn MariaDB's userstat off again: %v", err)
			}
		})
	}
	const rows = 12000
	src.exec(t, "CREATE TABLE big (id int PRIMARY KEY, payload varchar(40), note text)",
		"INSERT INTO big SELECT seq, md5(seq), concat('n', seq) FROM seq_1_to_12000")
	job := mysqlPassthroughJob(t, src, []string{"big"})
	job.Key = []byte("fan-out")
	for i, m := range job.Mappings {
		if m.Column == "payload" {
			job.Mappings[i].Transformer.Source = "transform_hash"
		}
	}
	e := newTestEngine()
	ctx := testCtx(t)
	plan, err := syncplan.BuildPlan(ctx, src.db, job, registry)
	assertNoError(t, "plan", err)
	dest := func(name string, db *mysqlDB) Destination {
		d := Destination{Name: name, DB: db.db,
			Options: syncplan.DestinationOptions{InitSchema: true, Truncate: true, BatchSize: 1000, SchemaMap: map[string]string{src.name: db.name}}}
		assertNoError(t, "prepare "+d.Name, e.PrepareDestination(ctx, plan, d))
		return d
	}
	dw, da, db := dest("want", want), dest("a", a), dest("b", b)
	big := sqlschema.TableName{Schema: src.name, Table: "big"}
	source := Source{DB: src.db, Key: job.Key}
	waitRead := func(before, at_least int64) int64 {
		// The statistics are updated as a statement's tables close.
		for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(200 * time.Millisecond) {
			n := mysqlRowsRead(t, src, "big") - before
			if n >= at_least || time.Now().After(deadline) {
				time.Sleep(time.Second)
				return mysqlRowsRead(t, src, "big") - before
			}
		}
	}
	r0 := mysqlRowsRead(t, src, "big")
	_, err = e.SyncTable(ctx, plan, big, source, dw, nil, nil)
	assertNoError(t, "copy", err)
	one := waitRead(r0, rows)
	t.Logf("one destination: read %d rows", one)
	if one < rows || one >= 2*rows {
		t.Fatalf("one copy read %d source rows, want about %d: the count does not measure reads", one, rows)
	}
	r1 := mysqlRowsRead(t, src, "big")
	cps, err := e.SyncTableFanOut(ctx, plan, big, source, []Destination{da, db}, []*Checkpoint{nil, nil}, nil)
	assertNoError(t, "fan out", err)
	for i, cp := range cps {
		if !cp.Done || cp.Rows != rows || len(cp.Leaks) == 0 {
			t.Fatalf("destination %d: checkpoint %+v", i, cp)
		}
	}
	two := waitRead(r1, rows)
	t.Logf("two destinations: read %d rows", two)
	if two >= 2*rows {
		t.Errorf("copying into two destinations read %d source rows: want one read (%d)", two, one)
	}
	assertSameMySQLRows(t, want, a, []string{"big"})
	assertSameMySQLRows(t, want, b, []string{"big"})

	// Key ranges, one interrupted.
	a.exec(t, "TRUNCATE big")
	b.exec(t, "TRUNCATE big")
	ranges, err := e.SplitRanges(ctx, plan, big, source, rows, 4000)
	assertNoError(t, "split", err)
	cctx, cancel := context.WithCancel(ctx)
	var last [2]*Checkpoint
	var mu sync.Mutex
	_, err = e.SyncRangeFanOut(cctx, plan, big, ranges[0], source, []Destination{da, db}, []*Checkpoint{nil, nil}, leakscan.Seed{}, func(i int, p Progress) {
		mu.Lock()
		defer mu.Unlock()
		cp := p.Checkpoint
		last[i] = &cp
		if cp.Rows >= 2000 {
			cancel()
		}
	})
	cancel()
	if err == nil {
		t.Fatal("the range was not interrupted")
	}
	var total [2]int64
	for k, r := range ranges {
		cps := []*Checkpoint{nil, nil}
		if k == 0 {
			// a lost every heartbeat (a retry from the range's start),
			// b resumes from its last.
			cps = []*Checkpoint{{Table: big, Range: &ranges[0]}, last[1]}
		}
		out, err := e.SyncRangeFanOut(ctx, plan, big, r, source, []Destination{da, db}, cps, leakscan.Seed{}, nil)
		assertNoError(t, r.String(), err)
		for i := range out {
			total[i] += out[i].Rows
		}
	}
	if total[0] != rows || total[1] != rows {
		t.Fatalf("ranges copied %v rows, want %d each", total, rows)
	}
	assertSameMySQLRows(t, want, a, []string{"big"})
	assertSameMySQLRows(t, want, b, []string{"big"})
}
