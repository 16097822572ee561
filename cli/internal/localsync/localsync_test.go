package localsync

import (
	"strings"
	"testing"

	"github.com/neosyncio/neosync/backend/pkg/sqlschema"
)

func TestAppendCopyRow(t *testing.T) {
	t.Parallel()
	s := func(v string) *string { return &v }
	for _, tc := range []struct {
		name string
		row  []*string
		want string
	}{
		{"plain", []*string{s("a"), s("1")}, "a\t1\n"},
		{"null and empty", []*string{nil, s("")}, "\\N\t\n"},
		{"escapes", []*string{s("a\\b\tc\nd\re")}, "a\\\\b\\tc\\nd\\re\n"},
		{"bytea hex", []*string{s(`\x00ff`)}, "\\\\x00ff\n"},
		{"literal \\N text", []*string{s(`\N`)}, "\\\\N\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if got := string(appendCopyRow(nil, tc.row)); got != tc.want {
				t.Fatalf("got %q, want %q", got, tc.want)
			}
		})
	}
}

func TestNewPlan(t *testing.T) {
	t.Parallel()
	col := func(table, name string, pos int) sqlschema.Column {
		return sqlschema.Column{Schema: "s", Table: table, Name: name, OrdinalPosition: pos, DataType: "integer"}
	}
	cols := []sqlschema.Column{col("child", "pid", 2), col("child", "id", 1), col("parent", "id", 1), col("other", "id", 1)}
	tn := func(t string) sqlschema.TableName { return sqlschema.TableName{Schema: "s", Table: t} }
	cons := []sqlschema.TableConstraints{{Table: tn("child"), ForeignKeys: []sqlschema.ForeignKey{{Name: "fk", Columns: []string{"pid"}, ColumnsNullable: []bool{true}, Referenced: tn("parent"), ReferencedColumns: []string{"id"}}}}}
	p, err := NewPlan(sqlschema.DialectPostgres, cols, cons, Filter{Exclude: []string{"s.other"}}, false)
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Tables) != 2 || p.Tables[0].Name != tn("parent") || p.Tables[1].Columns[0].Name != "id" {
		t.Fatalf("plan: %+v", p.Tables)
	}
	cyc := append(cons, sqlschema.TableConstraints{Table: tn("parent"), ForeignKeys: []sqlschema.ForeignKey{{Name: "back", Columns: []string{"id"}, ColumnsNullable: []bool{false}, Referenced: tn("child"), ReferencedColumns: []string{"id"}}}})
	if _, err := NewPlan(sqlschema.DialectPostgres, cols, cyc, Filter{}, false); err == nil || !strings.Contains(err.Error(), "foreign-key cycle") {
		t.Fatalf("cycle without init schema: %v", err)
	}
	if p, err := NewPlan(sqlschema.DialectPostgres, cols, cyc, Filter{}, true); err != nil || len(p.Cycles) != 1 {
		t.Fatalf("cycle with init schema: %v %v", p, err)
	}
	if _, err := NewPlan(sqlschema.DialectPostgres, cols, nil, Filter{Include: []string{"nodot"}}, false); err == nil {
		t.Fatal("bad filter accepted")
	}
	if _, err := NewPlan(sqlschema.DialectPostgres, cols, nil, Filter{Include: []string{"x.*"}}, false); err == nil {
		t.Fatal("empty selection accepted")
	}
}
