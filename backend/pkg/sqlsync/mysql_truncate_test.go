package sqlsync

import (
	"errors"
	"strings"
	"testing"

	"github.com/neosyncio/neosync/backend/pkg/syncplan"
)

// TestMySQLTruncateCascade checks that truncating on MySQL never leaves a
// table outside the job pointing at rows that are gone: without
// TruncateCascade the sync refuses (as PostgreSQL's TRUNCATE does), with it
// the referencing tables are emptied too, transitively.
func TestMySQLTruncateCascade(t *testing.T) {
	t.Parallel()
	src, dst := newMySQLDB(t, "_src"), newMySQLDB(t, "_dst")
	mysqlFixture(t, src)
	tables := []string{"parent", "child"}
	job := mysqlPassthroughJob(t, src, tables)
	opts := syncplan.DestinationOptions{InitSchema: true, Truncate: true, SchemaMap: map[string]string{src.name: dst.name}}
	job.Destinations = []syncplan.Destination{{Name: "dst", Conn: dst.cfg, Options: opts}}
	runJob(t, job)

	// Tables the job does not know reference the copied ones.
	dst.exec(t,
		"CREATE TABLE notes (id int PRIMARY KEY, child_id int, FOREIGN KEY (child_id) REFERENCES child (id))",
		"CREATE TABLE `note tags` (note_id int, CONSTRAINT `tag→note` FOREIGN KEY (note_id) REFERENCES notes (id))",
		"INSERT INTO notes VALUES (1, 1), (2, 4)",
		"INSERT INTO `note tags` VALUES (1), (2)",
	)
	_, _, err := newTestEngine().Run(testCtx(t), job, nil)
	if err == nil || !strings.Contains(err.Error(), "notes (foreign key") || !strings.Contains(err.Error(), "note tags (foreign key tag→note") ||
		!strings.Contains(err.Error(), "truncate_cascade") {
		t.Fatalf("Run without cascade: %v; want a refusal naming notes and note tags", err)
	}
	var tce *TruncateCascadeError
	if !errors.As(err, &tce) || len(tce.References) != 2 {
		t.Fatalf("Run without cascade: %v; want a *TruncateCascadeError with 2 references", err)
	}
	// Nothing was emptied by the refused run.
	if got := dst.rows(t, "SELECT COUNT(*) FROM child"); got[0] != `"5"` {
		t.Fatalf("child rows after the refused run %v, want 5", got)
	}

	job.Destinations[0].Options.TruncateCascade = true
	_, res := runJob(t, job)
	if !res[0].Report.OK() {
		t.Fatalf("report not OK:\n%s", res[0].Report)
	}
	assertSameMySQLRows(t, src, dst, tables)
	if got := res[0].Report.TruncatedOutsideJob; len(got) != 2 || got[0].Table != "notes" || got[1].Table != "note tags" {
		t.Fatalf("report lists %v as truncated outside the job, want notes and note tags:\n%s", got, res[0].Report)
	}
	for _, tb := range []string{"notes", "`note tags`"} {
		if got := dst.rows(t, "SELECT COUNT(*) FROM "+tb); got[0] != `"0"` {
			t.Fatalf("%s rows %v after a cascading truncate, want 0", tb, got)
		}
	}
}
