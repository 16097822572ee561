package sqlsync

import (
	"errors"
	"strings"
	"testing"

	"github.com/neosyncio/neosync/backend/pkg/sqlschema"
	"github.com/neosyncio/neosync/backend/pkg/syncplan"
)

// TestPostgresCopyTagChecked: a destination table whose trigger silently
// skips rows (a BEFORE INSERT trigger returning NULL) makes COPY take
// fewer rows than the batch sent; the copy fails at that batch with a
// WriteCountError naming the table and the batch, instead of committing
// and leaving the loss to verification. (Before, the copy completed with
// its checkpoint counting rows the destination never held.) The batch is
// rolled back — a table the job appends to is one batch
// (syncplan.Plan.Restarts) — so the failed copy leaves none of its rows
// (before, COPY had committed the 997 on its own). The same table without the
// trigger copies every row.
func TestPostgresCopyTagChecked(t *testing.T) {
	t.Parallel()
	src, dst := newPGDB(t), newPGDB(t)
	src.exec(t, `CREATE TABLE items (id int PRIMARY KEY, name text NOT NULL)`,
		`INSERT INTO items SELECT g, 'item ' || g FROM generate_series(1, 1000) g`)
	dst.exec(t, `CREATE TABLE items (id int PRIMARY KEY, name text NOT NULL)`,
		`CREATE FUNCTION skip_some() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN IF NEW.id BETWEEN 350 AND 352 THEN RETURN NULL; END IF; RETURN NEW; END $$`,
		`CREATE TRIGGER skip_some BEFORE INSERT ON items FOR EACH ROW EXECUTE FUNCTION skip_some()`)
	job := passthroughJob(t, src, "public", []string{"items"})
	job.Source = src.cfg
	ctx := testCtx(t)
	plan, err := syncplan.BuildPlan(ctx, src.db, job, registry)
	assertNoError(t, "plan", err)
	e := newTestEngine()
	dest := Destination{Name: "dst", DB: dst.db, Options: syncplan.DestinationOptions{BatchSize: 100}}
	items := sqlschema.TableName{Schema: "public", Table: "items"}
	cp, err := e.SyncTable(ctx, plan, items, Source{DB: src.db}, dest, nil, nil)
	var wc *WriteCountError
	if !errors.As(err, &wc) || wc.Sent != 1000 || wc.Took != 997 {
		t.Fatalf("copy through a trigger that drops 3 rows: checkpoint %+v, error %v; want a WriteCountError of 997 of 1000 rows", cp, err)
	}
	if msg := err.Error(); !strings.Contains(msg, "table public.items") || !strings.Contains(msg, "batch 1 (rows 1 and on)") || !strings.Contains(msg, "took 997 of the batch's 1000 rows") {
		t.Fatalf("error %q: want the table, the batch and the counts named", msg)
	}
	if n := dst.count(t, "items"); cp.Rows != 0 || n != 0 {
		t.Fatalf("after the failed batch: checkpoint of %d rows, %d rows in the destination; want none", cp.Rows, n)
	}

	dst.exec(t, `DROP TRIGGER skip_some ON items`, `TRUNCATE items`)
	cp, err = e.SyncTable(ctx, plan, items, Source{DB: src.db}, dest, nil, nil)
	assertNoError(t, "copy without the trigger", err)
	if cp.Rows != 1000 {
		t.Fatalf("copy without the trigger: %d rows, want 1000", cp.Rows)
	}
}
