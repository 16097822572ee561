package generate

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/neosyncio/neosync/backend/pkg/sqlconnect"
	"github.com/neosyncio/neosync/backend/pkg/sqlschema"
	"github.com/neosyncio/neosync/backend/pkg/sqlsync"
)

// TestPlanIn: every table, parent and dependency is renamed, and the
// plan it came from is left as it was.
func TestPlanIn(t *testing.T) {
	src := func(n string) sqlschema.TableName { return sqlschema.TableName{Schema: "shop", Table: n} }
	p := &Plan{Dialect: sqlschema.DialectMySQL, Tables: []Table{
		{Name: src("customers"), Rows: 5},
		{Name: src("orders"), Rows: 9, References: []Reference{{Columns: []string{"customer_id"}, Parent: src("customers"), ParentColumns: []string{"id"}}}, DependsOn: []sqlschema.TableName{src("customers")}},
	}}
	in := p.In(func(n sqlschema.TableName) sqlschema.TableName {
		return sqlschema.TableName{Schema: "shop_dev", Table: n.Table}
	})
	for i, tab := range in.Tables {
		if tab.Name.Schema != "shop_dev" || tab.Name.Table != p.Tables[i].Name.Table || tab.Rows != p.Tables[i].Rows {
			t.Errorf("table %d: %v (%d rows)", i, tab.Name, tab.Rows)
		}
	}
	if got := in.Tables[1].References[0].Parent; got.Schema != "shop_dev" || got.Table != "customers" {
		t.Errorf("parent %v", got)
	}
	if got := in.Tables[1].DependsOn[0]; got.Schema != "shop_dev" {
		t.Errorf("dependency %v", got)
	}
	if p.Tables[1].References[0].Parent.Schema != "shop" || p.Tables[1].DependsOn[0].Schema != "shop" || p.Tables[0].Name.Schema != "shop" {
		t.Errorf("the original plan changed: %+v", p.Tables)
	}
}

// TestOccupied names the planned tables that hold rows, on both dialects,
// over more tables than one statement asks about, and passes over the
// ones the destination lacks.
func TestOccupied(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		db     func(*testing.T) *sqlconnect.DB
		schema func(*sqlconnect.DB) string
	}{
		{"postgres", pgDB, func(*sqlconnect.DB) string { return "public" }},
		{"mariadb", myDB, func(db *sqlconnect.DB) string {
			var s string
			_ = db.MySQL.QueryRow("SELECT DATABASE()").Scan(&s)
			return s
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			db := tc.db(t)
			schema := tc.schema(db)
			p := &Plan{}
			var want []sqlschema.TableName
			for i := range 2*occupiedChunk + 7 {
				n := sqlschema.TableName{Schema: schema, Table: fmt.Sprintf("t%03d", i)}
				q, _ := dialectOf(db).QualifiedName(n)
				exec(t, db, "CREATE TABLE "+q+" (id int PRIMARY KEY)")
				if i%50 == 3 || i == 2*occupiedChunk+6 {
					exec(t, db, "INSERT INTO "+q+" VALUES (1)")
					want = append(want, n)
				}
				p.Tables = append(p.Tables, Table{Name: n})
			}
			got, err := Occupied(ctx(t), p, db)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got, want) {
				t.Errorf("occupied %v, want %v", got, want)
			}
			// A table the destination lacks holds no rows (init_schema
			// creates it), wherever it stands in the plan.
			missing := Table{Name: sqlschema.TableName{Schema: schema, Table: "missing"}}
			p.Tables = append([]Table{missing}, append(p.Tables, missing)...)
			if got, err := Occupied(ctx(t), p, db); err != nil || !slices.Equal(got, want) {
				t.Errorf("with missing tables: %v, %v; want %v", got, err, want)
			}
		})
	}
}

// TestTargetRefusesAnotherKind: a destination of another kind of database
// than the schema's is refused with a *KindError naming both, before any
// statement reaches it (the destination here has no connection to use).
func TestTargetRefusesAnotherKind(t *testing.T) {
	p := &Plan{Dialect: sqlschema.DialectPostgres, Tables: []Table{{Name: sqlschema.TableName{Schema: "public", Table: "customers"}, Rows: 5}}}
	_, _, err := Target(t.Context(), nil, p, sqlsync.Destination{Name: "staging", DB: &sqlconnect.DB{Driver: sqlconnect.DriverMySQL}})
	var kind *KindError
	if !errors.As(err, &kind) {
		t.Fatalf("Target: %v; want a *KindError", err)
	}
	want := "destination staging is a MySQL/MariaDB database and the job's schema is read from PostgreSQL"
	if !strings.Contains(err.Error(), want) {
		t.Errorf("message %q; want it to say %q", err, want)
	}
}
