package sqlsync

import (
	"testing"

	"github.com/neosyncio/neosync/backend/pkg/syncplan"
)

// TestCreateMissingTablesKeepsExistingRows runs a job whose destination
// only creates missing tables (init schema, no truncate) into tables that
// already exist and hold rows of their own: a table with a key and one
// without. "Create missing tables" does not ask for the tables to be
// emptied, so those rows stay and the copy is added beside them; the
// tables the job creates get the source's rows. Before the fix the job
// took init schema alone to mean it owned the tables and deleted every
// row they held.
func TestCreateMissingTablesKeepsExistingRows(t *testing.T) {
	t.Parallel()
	t.Run("postgres", func(t *testing.T) {
		t.Parallel()
		src, dst := newPGDB(t), newPGDB(t)
		keyed := `CREATE TABLE app.items (id int PRIMARY KEY, name text NOT NULL)`
		keyless := `CREATE TABLE app.notes (body text)`
		src.exec(t, `CREATE SCHEMA app`, keyed, keyless, `CREATE TABLE app.fresh (id int PRIMARY KEY)`,
			`INSERT INTO app.items SELECT g, 'item' || g FROM generate_series(1, 10) g`,
			`INSERT INTO app.notes SELECT 'note' || g FROM generate_series(1, 5) g`,
			`INSERT INTO app.fresh SELECT g FROM generate_series(1, 3) g`)
		dst.exec(t, `CREATE SCHEMA app`, keyed, keyless,
			`INSERT INTO app.items VALUES (101, 'mine'), (102, 'mine too')`,
			`INSERT INTO app.notes VALUES ('my note')`)
		job := passthroughJob(t, src, "app", []string{"items", "notes", "fresh"})
		job.Source = src.cfg
		job.Destinations = []syncplan.Destination{{Name: "dst", Conn: dst.cfg, Options: syncplan.DestinationOptions{InitSchema: true, BatchSize: 4}}}
		_, res := runJob(t, job)
		assertAppendedReport(t, res[0].Report, map[string][2]int64{"items": {10, 12}, "notes": {5, 6}, "fresh": {3, 3}})
		for table, want := range map[string]int64{"app.items": 12, "app.notes": 6, "app.fresh": 3} {
			if got := dst.count(t, table); got != want {
				t.Errorf("%s holds %d rows, want %d (its own rows kept beside the copy)", table, got, want)
			}
		}
		if got := dst.rows(t, `SELECT name FROM app.items WHERE id > 100 ORDER BY id`); len(got) != 2 || got[0] != "mine" {
			t.Errorf("the destination's own rows are %v, want [mine, mine too]", got)
		}
	})
	t.Run("mysql", func(t *testing.T) {
		t.Parallel()
		src, dst := newMySQLDB(t, "_src"), newMySQLDB(t, "_dst")
		keyed := "CREATE TABLE items (id int PRIMARY KEY, name varchar(20) NOT NULL)"
		keyless := "CREATE TABLE notes (body varchar(20))"
		src.exec(t, keyed, keyless, "INSERT INTO items SELECT seq, concat('item', seq) FROM seq_1_to_10",
			"INSERT INTO notes SELECT concat('note', seq) FROM seq_1_to_5")
		dst.exec(t, keyed, keyless, "INSERT INTO items VALUES (101, 'mine'), (102, 'mine too')", "INSERT INTO notes VALUES ('my note')")
		job := mysqlPassthroughJob(t, src, []string{"items", "notes"})
		job.Destinations = []syncplan.Destination{{Name: "dst", Conn: dst.cfg, Options: syncplan.DestinationOptions{
			InitSchema: true, BatchSize: 4, SchemaMap: map[string]string{src.name: dst.name}}}}
		_, res := runJob(t, job)
		assertAppendedReport(t, res[0].Report, map[string][2]int64{"items": {10, 12}, "notes": {5, 6}})
		for table, want := range map[string]string{"items": `"12"`, "notes": `"6"`} {
			if got := dst.rows(t, "SELECT COUNT(*) FROM "+table); got[0] != want {
				t.Errorf("%s holds %s rows, want %s (its own rows kept beside the copy)", table, got[0], want)
			}
		}
	})
}

// assertAppendedReport checks the verification of a destination the job
// appends to: each table's source and destination rows (want: table →
// {source, destination}), marked appended, and the report OK — the rows
// the tables held before the run are not a mismatch.
func assertAppendedReport(t *testing.T, rep *Report, want map[string][2]int64) {
	t.Helper()
	for _, c := range rep.Tables {
		w, ok := want[c.Table.Table]
		if !ok {
			continue
		}
		if c.SourceRows != w[0] || c.DestRows != w[1] || !c.Appended || !c.Matches() {
			t.Errorf("%s: source %d, destination %d, appended %v, matches %v; want %d, %d, appended", c.Table, c.SourceRows, c.DestRows, c.Appended, c.Matches(), w[0], w[1])
		}
	}
	if !rep.OK() {
		t.Errorf("the report of an appended destination is not OK:\n%s", rep)
	}
}
