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
// its checkpoint counting rows the destination never held.) The same
// table without the trigger copies every row.
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
	if !errors.As(err, &wc) || wc.Sent != 100 || wc.Took != 97 {
		t.Fatalf("copy through a trigger that drops 3 rows: checkpoint %+v, error %v; want a WriteCountError of 97 of 100 rows", cp, err)
	}
	if msg := err.Error(); !strings.Contains(msg, "table public.items") || !strings.Contains(msg, "batch 4 (rows 301 and on)") || !strings.Contains(msg, "took 97 of the batch's 100 rows") {
		t.Fatalf("error %q: want the table, the batch and the counts named", msg)
	}
	if cp.Rows != 300 {
		t.Fatalf("checkpoint after the failed batch: %d rows committed, want 300", cp.Rows)
	}

	dst.exec(t, `DROP TRIGGER skip_some ON items`, `TRUNCATE items`)
	cp, err = e.SyncTable(ctx, plan, items, Source{DB: src.db}, dest, nil, nil)
	assertNoError(t, "copy without the trigger", err)
	if cp.Rows != 1000 {
		t.Fatalf("copy without the trigger: %d rows, want 1000", cp.Rows)
	}
}
