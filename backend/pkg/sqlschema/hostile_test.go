package sqlschema

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"
)

// hostileEnv abstracts the two servers for the hostile-name test.
type hostileEnv struct {
	dialect Dialect
	insp    Inspector
	exec    func(t *testing.T, stmts ...string)
	schema  string // hostile schema (database on MySQL), already created
	text    string // a text column type
}

func newHostilePG(t *testing.T) hostileEnv {
	db := newPGTestDB(t)
	schema := `Sch "ema.☕`
	db.exec(t, "CREATE SCHEMA "+mustQuote(t, DialectPostgres, schema))
	return hostileEnv{DialectPostgres, NewPostgresInspector(db.pool), db.exec, schema, "text"}
}

func newHostileMySQL(t *testing.T) hostileEnv {
	db := newMySQLTestDB(t)
	schema := uniqueName("sqlschema_test") + " Café`\"x"
	q := mustQuote(t, DialectMySQL, schema)
	db.exec(t, "CREATE DATABASE "+q+" CHARACTER SET utf8mb4")
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		if _, err := db.db.ExecContext(ctx, "DROP DATABASE IF EXISTS "+q); err != nil {
			t.Errorf("cleanup: drop database %q: %v", schema, err)
		}
	})
	return hostileEnv{DialectMySQL, NewMySQLInspector(db.db), db.exec, schema, "varchar(50)"}
}

// TestHostileIdentifiers creates objects whose names contain quotes,
// backticks, spaces, dots, unicode, reserved words and case-only differences
// on both real servers and reads them back through the Inspector.
func TestHostileIdentifiers(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		env  func(*testing.T) hostileEnv
	}{
		{"postgres", newHostilePG},
		{"mysql", newHostileMySQL},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := tc.env(t)
			ctx := testCtx(t)
			qn := func(table string) string {
				q, err := e.dialect.QualifiedName(TableName{e.schema, table})
				if err != nil {
					t.Fatal(err)
				}
				return q
			}
			id := func(name string) string { return mustQuote(t, e.dialect, name) }
			selCols := []string{`"quoted"`, "Café ☕", "with space", "a`b", "a.b"}
			e.exec(t,
				fmt.Sprintf("CREATE TABLE %s (%s int PRIMARY KEY, %s %s, %s %s, %s %s, %s %s)", qn("select"),
					id(selCols[0]), id(selCols[1]), e.text, id(selCols[2]), e.text, id(selCols[3]), e.text, id(selCols[4]), e.text),
				fmt.Sprintf("CREATE TABLE %s (%s int PRIMARY KEY, %s int, CONSTRAINT %s FOREIGN KEY (%s) REFERENCES %s (%s))",
					qn("Mixed Case"), id("MixedCase"), id("select"), id(`fk "é"`), id("select"), qn("select"), id(`"quoted"`)),
				fmt.Sprintf("CREATE TABLE %s (x int)", qn("Tab")),
				fmt.Sprintf("CREATE TABLE %s (x int)", qn("tab")),
				fmt.Sprintf("INSERT INTO %s VALUES (1, 'Café ☕', 'x', 'it''s', NULL), (2, 'b', 'y', '`', '\"')", qn("select")),
				fmt.Sprintf("INSERT INTO %s VALUES (1)", qn("tab")),
			)

			tables, err := e.insp.Tables(ctx, []string{e.schema})
			if err != nil {
				t.Fatalf("Tables: %v", err)
			}
			wantTables := []TableName{{e.schema, "Mixed Case"}, {e.schema, "Tab"}, {e.schema, "select"}, {e.schema, "tab"}}
			if !slices.Equal(tables, wantTables) {
				t.Errorf("Tables = %q, want %q", tables, wantTables)
			}

			cols, err := e.insp.Columns(ctx, []string{e.schema})
			if err != nil {
				t.Fatalf("Columns: %v", err)
			}
			var got []string
			for _, c := range cols {
				got = append(got, c.Table+"/"+c.Name)
			}
			want := []string{"Mixed Case/MixedCase", "Mixed Case/select", "Tab/x"}
			for _, c := range selCols {
				want = append(want, "select/"+c)
			}
			want = append(want, "tab/x")
			assertLines(t, "columns", got, want)

			cons, err := e.insp.Constraints(ctx, []string{e.schema})
			if err != nil {
				t.Fatalf("Constraints: %v", err)
			}
			assertConstraints(t, cons, []TableConstraints{
				{Table: TableName{e.schema, "Mixed Case"}, PrimaryKey: []string{"MixedCase"}, ForeignKeys: []ForeignKey{{
					Name: `fk "é"`, Columns: []string{"select"}, ColumnsNullable: []bool{true},
					Referenced: TableName{e.schema, "select"}, ReferencedColumns: []string{`"quoted"`},
				}}},
				{Table: TableName{e.schema, "select"}, PrimaryKey: []string{`"quoted"`}},
			})

			for _, tt := range []struct {
				table, where string
				want         int64
			}{
				{"select", "", 2},
				{"select", id("with space") + " = 'x'", 1},
				{"select", id("a`b") + " = '`'", 1},
				{"tab", "", 1},
				{"Tab", "", 0},
			} {
				n, err := e.insp.RowCount(ctx, TableName{e.schema, tt.table}, tt.where)
				if err != nil || n != tt.want {
					t.Errorf("RowCount(%q, %q) = %d, %v; want %d", tt.table, tt.where, n, err, tt.want)
				}
			}

			var rows []string
			err = e.insp.StreamRows(ctx, TableName{e.schema, "select"}, id(`"quoted"`)+" > 0", 10,
				func(columns []string, batch [][]*string) error {
					if !slices.Equal(columns, selCols) {
						t.Errorf("StreamRows columns = %q, want %q", columns, selCols)
					}
					for _, r := range batch {
						rows = append(rows, renderRow(r))
					}
					return nil
				})
			if err != nil {
				t.Fatalf("StreamRows: %v", err)
			}
			for _, tt := range []struct{ table, want string }{{"Tab", ""}, {"tab", `"1"`}} {
				var got []string
				err := e.insp.StreamRows(ctx, TableName{e.schema, tt.table}, "", 10, func(columns []string, batch [][]*string) error {
					if !slices.Equal(columns, []string{"x"}) {
						t.Errorf("StreamRows(%q) columns = %q, want [x]", tt.table, columns)
					}
					for _, r := range batch {
						got = append(got, renderRow(r))
					}
					return nil
				})
				if err != nil || strings.Join(got, ",") != tt.want {
					t.Errorf("StreamRows(%q) = %q, %v; want %q", tt.table, got, err, tt.want)
				}
			}
			sampleCols, sample, err := e.insp.SampleRows(ctx, TableName{e.schema, "select"}, 10)
			if err != nil || !slices.Equal(sampleCols, selCols) || len(sample) != 2 {
				t.Errorf("SampleRows(select) = %q, %d rows, %v; want %q and 2 rows", sampleCols, len(sample), err, selCols)
			}
			slices.Sort(rows)
			assertLines(t, "rows", rows, []string{`"1"|"Café ☕"|"x"|"it's"|NULL`, "\"2\"|\"b\"|\"y\"|\"`\"|\"\\\"\""})
		})
	}
}

func renderRow(r []*string) string {
	parts := make([]string, len(r))
	for i, v := range r {
		if v == nil {
			parts[i] = "NULL"
		} else {
			parts[i] = fmt.Sprintf("%q", *v)
		}
	}
	return strings.Join(parts, "|")
}
