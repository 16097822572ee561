package sqlsync

import (
	"reflect"
	"testing"

	"github.com/neosyncio/neosync/backend/pkg/syncplan"
)

// TestOnConflict writes into destinations that already hold colliding
// rows: do_nothing keeps them, do_update overwrites them, and rows that do
// not collide are added either way.
func TestOnConflict(t *testing.T) {
	t.Parallel()
	for _, oc := range []syncplan.OnConflict{syncplan.ConflictDoNothing, syncplan.ConflictDoUpdate} {
		t.Run("postgres "+string(oc), func(t *testing.T) {
			t.Parallel()
			src, dst := newPGDB(t), newPGDB(t)
			ddl := `CREATE TABLE app.items (id int GENERATED ALWAYS AS IDENTITY PRIMARY KEY, name text NOT NULL, qty int)`
			src.exec(t, `CREATE SCHEMA app`, ddl, `INSERT INTO app.items (name, qty) SELECT 'item' || g, g FROM generate_series(1, 10) g`)
			dst.exec(t, `CREATE SCHEMA app`, ddl, `INSERT INTO app.items (name, qty) VALUES ('mine', 0), ('mine too', 0)`)
			job := passthroughJob(t, src, "app", []string{"items"})
			job.Source = src.cfg
			job.Destinations = []syncplan.Destination{{Name: "dst", Conn: dst.cfg, Options: syncplan.DestinationOptions{OnConflict: oc, BatchSize: 4}}}
			runJob(t, job)
			want := []string{"(1,item1,1)", "(2,item2,2)"}
			if oc == syncplan.ConflictDoNothing {
				want = []string{"(1,mine,0)", "(2,\"mine too\",0)"}
			}
			got := dst.rows(t, `SELECT x::text FROM app.items x WHERE id <= 2`)
			if !reflect.DeepEqual(got, want) || dst.count(t, "app.items") != 10 {
				t.Fatalf("rows %v (of %d), want %v (of 10)", got, dst.count(t, "app.items"), want)
			}
		})
		t.Run("mysql "+string(oc), func(t *testing.T) {
			t.Parallel()
			src, dst := newMySQLDB(t, "_src"), newMySQLDB(t, "_dst")
			ddl := "CREATE TABLE items (id int AUTO_INCREMENT PRIMARY KEY, name varchar(20) NOT NULL, qty int)"
			src.exec(t, ddl, "INSERT INTO items (name, qty) SELECT concat('item', seq), seq FROM seq_1_to_10")
			dst.exec(t, ddl, "INSERT INTO items (name, qty) VALUES ('mine', 0), ('mine too', 0)")
			job := mysqlPassthroughJob(t, src, []string{"items"})
			job.Destinations = []syncplan.Destination{{Name: "dst", Conn: dst.cfg, Options: syncplan.DestinationOptions{
				OnConflict: oc, BatchSize: 4, SchemaMap: map[string]string{src.name: dst.name}}}}
			runJob(t, job)
			want := []string{`"1"|"item1"|"1"`, `"2"|"item2"|"2"`}
			if oc == syncplan.ConflictDoNothing {
				want = []string{`"1"|"mine"|"0"`, `"2"|"mine too"|"0"`}
			}
			if got := dst.rows(t, "SELECT * FROM items WHERE id <= 2"); !reflect.DeepEqual(got, want) {
				t.Fatalf("rows %v, want %v", got, want)
			}
			if got := dst.rows(t, "SELECT COUNT(*) FROM items"); got[0] != `"10"` {
				t.Fatalf("count %v, want 10", got)
			}
		})
	}
}
