package sqlsync

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/neosyncio/neosync/backend/pkg/sqlconnect"
	"github.com/neosyncio/neosync/backend/pkg/sqlschema"
	"github.com/neosyncio/neosync/backend/pkg/syncplan"
)

// liveSchema is a parent and a child table a live application writes
// together (a customer, then its order).
func liveSchema(t *testing.T, src *pgDB, rows int) {
	src.exec(t, `CREATE SCHEMA l`, `CREATE TABLE l.p (id bigint PRIMARY KEY, v text)`,
		`CREATE TABLE l.c (id bigserial PRIMARY KEY, p_id bigint NOT NULL REFERENCES l.p (id), v text)`,
		fmt.Sprintf(`INSERT INTO l.p SELECT g, repeat('x', 50) FROM generate_series(1, %d) g`, rows),
		fmt.Sprintf(`INSERT INTO l.c (p_id, v) SELECT g, 'y' FROM generate_series(1, %d) g`, rows))
}

// TestPostgresLiveSourceReadInOneSnapshot: an application inserts a
// parent row and a child row referencing it, over and over, while the
// job runs. Each table used to be read in its own snapshot, the child
// after the parent, so the copy held children of parents it had not
// copied and Finalize failed ("foreign key c_p_id_fkey on l.c: 121 rows
// reference no row of l.p"). Read in the run's one snapshot, the copy is
// the source as of one moment: the key is built and the report is OK.
func TestPostgresLiveSourceReadInOneSnapshot(t *testing.T) {
	t.Parallel()
	src, dst := newPGDB(t), newPGDB(t)
	liveSchema(t, src, 200_000)
	ctx, cancel := context.WithCancel(testCtx(t))
	inserted := make(chan int)
	go func() {
		n := 0
		for id := int64(1_000_000); ctx.Err() == nil; id++ {
			if _, err := src.db.Postgres.Exec(ctx, `WITH p AS (INSERT INTO l.p VALUES ($1, 'new') RETURNING id) INSERT INTO l.c (p_id, v) SELECT id, 'new' FROM p`, id); err == nil {
				n++
			}
			time.Sleep(time.Millisecond)
		}
		inserted <- n
	}()
	job := passthroughJob(t, src, "l", []string{"p", "c"})
	job.Source = src.cfg
	job.Destinations = []syncplan.Destination{{Name: "dst", Conn: dst.cfg, Options: syncplan.DestinationOptions{InitSchema: true, Truncate: true}}}
	_, res, err := newTestEngine().Run(testCtx(t), job, nil)
	cancel()
	n := <-inserted
	if err != nil {
		t.Fatalf("Run with %d parent and child rows inserted during it: %v", n, err)
	}
	if n == 0 {
		t.Fatal("no row was inserted during the run: the test proves nothing")
	}
	if !res[0].Report.OK() {
		t.Fatalf("report not OK:\n%s", res[0].Report)
	}
	if got := dst.rows(t, `SELECT count(*)::text FROM l.c WHERE NOT EXISTS (SELECT 1 FROM l.p WHERE l.p.id = l.c.p_id)`); got[0] != "0" {
		t.Fatalf("%s orphans in the destination", got[0])
	}
	t.Logf("%d parent and child rows inserted during the run; copied %d parents", n, dst.count(t, "l.p"))
}

// TestPostgresSnapshotImport: a table read imports the snapshot it is
// given, so rows written after the export are not copied; a snapshot the
// server no longer has (its transaction ended) does not fail the copy,
// which reads the table in its own snapshot instead. An identifier of
// another form is refused before it reaches a statement.
func TestPostgresSnapshotImport(t *testing.T) {
	t.Parallel()
	src := newPGDB(t)
	liveSchema(t, src, 100)
	ctx := testCtx(t)
	snap, err := ExportSnapshot(ctx, src.cfg, "neosync:snapshot:test")
	if err != nil || snap == nil {
		t.Fatalf("ExportSnapshot = %v, %v", snap, err)
	}
	defer snap.Close()
	src.exec(t, `INSERT INTO l.p VALUES (500, 'after the export')`)
	job := passthroughJob(t, src, "l", []string{"p"})
	job.Source = src.cfg
	plan, err := syncplan.BuildPlan(ctx, src.db, job, newTestEngine().Registry)
	if err != nil {
		t.Fatal(err)
	}
	e := newTestEngine()
	copyWith := func(snapshot string) (int64, error) {
		dst := newPGDB(t)
		d := Destination{Name: "dst", DB: dst.db, Options: syncplan.DestinationOptions{InitSchema: true, Truncate: true}}
		if err := e.PrepareDestination(ctx, plan, d); err != nil {
			t.Fatal(err)
		}
		err := e.SyncTables(ctx, plan, Source{DB: src.db, Snapshot: snapshot}, d, 1, map[sqlschema.TableName]Checkpoint{}, nil)
		if err != nil {
			return 0, err
		}
		return dst.count(t, "l.p"), nil
	}
	if n, err := copyWith(snap.ID); err != nil || n != 100 {
		t.Fatalf("in the exported snapshot: %d rows, %v; want the 100 there were at the export", n, err)
	}
	gone := snap.ID
	snap.Close()
	if n, err := copyWith(gone); err != nil || n != 101 {
		t.Fatalf("with a snapshot that is gone: %d rows, %v; want the table read in its own snapshot (101 rows)", n, err)
	}
	if _, err := copyWith("1'; DROP TABLE l.p; --"); err == nil {
		t.Fatal("a malformed snapshot identifier was accepted")
	}
	if _, err := ExportSnapshot(ctx, sqlconnect.Config{Driver: sqlconnect.DriverMySQL}, ""); err != nil {
		t.Fatalf("a MySQL source: %v, want no snapshot and no error", err)
	}
}
