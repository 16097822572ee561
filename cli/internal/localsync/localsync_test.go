package localsync

import (
	"context"
	"strings"
	"testing"

	"github.com/neosyncio/neosync/backend/pkg/sqlschema"
	"github.com/neosyncio/neosync/backend/pkg/syncplan"
	"github.com/neosyncio/neosync/backend/pkg/transformers"
)

func ptr(s string) *string { return &s }

func TestSplitQualified(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ in, schema, name string }{
		{"public.mood", "public", "mood"},
		{`"Sch ""ema.☕"."Mood"`, `Sch "ema.☕`, "Mood"},
		{"mood", "def", "mood"},
		{`public."a.b"`, "public", "a.b"},
	} {
		s, n, ok := splitQualified(tc.in, "def")
		if !ok || s != tc.schema || n != tc.name {
			t.Errorf("splitQualified(%q) = %q, %q, %v", tc.in, s, n, ok)
		}
	}
	for _, bad := range []string{`"open`, "a.b.c", `"a"x`} {
		if _, _, ok := splitQualified(bad, "d"); ok {
			t.Errorf("splitQualified(%q) accepted", bad)
		}
	}
}

func tn(tb string) sqlschema.TableName { return sqlschema.TableName{Schema: "s", Table: tb} }

func TestPostgresDefinitions(t *testing.T) {
	t.Parallel()
	cols := []sqlschema.Column{
		{Schema: "s", Table: "child", Name: "id", OrdinalPosition: 1, DataType: "integer", Default: ptr("nextval('s.child_id_seq'::regclass)")},
		{Schema: "s", Table: "child", Name: "feel", OrdinalPosition: 3, DataType: `s."Mood"[]`, IsNullable: true, EnumValues: []string{"sad", "ok"}},
		{Schema: "s", Table: "child", Name: "made", OrdinalPosition: 2, DataType: "text", Default: ptr("s.my_func()")},
		{Schema: "s", Table: "parent", Name: "id", OrdinalPosition: 1, DataType: "bigint", Default: ptr("42")},
	}
	cons := []sqlschema.TableConstraints{{Table: tn("child"), PrimaryKey: []string{"id"},
		UniqueConstraints: []sqlschema.UniqueConstraint{{Name: "u", Columns: []string{"made"}}},
		ForeignKeys:       []sqlschema.ForeignKey{{Name: "fk", Columns: []string{"id"}, Referenced: tn("parent"), ReferencedColumns: []string{"id"}}}}}
	s := Schema(sqlschema.DialectPostgres, cols, cons)
	if s.Columns[1].Name != "made" || s.Columns[1].Default != nil {
		t.Fatalf("columns not ordered or function default kept: %+v", s.Columns[1])
	}
	if s.Columns[3].Default == nil || len(s.Tables) != 2 {
		t.Fatalf("literal default dropped or tables wrong: %+v %v", s.Columns[3], s.Tables)
	}
	d := s.Definitions
	if len(d.Enums) != 1 || d.Enums[0].Name != "Mood" || d.Enums[0].Schema != "s" {
		t.Fatalf("enums: %+v", d.Enums)
	}
	if len(d.Sequences) != 1 || d.Sequences[0].Name != "child_id_seq" || d.Sequences[0].Max != 2147483647 || d.Sequences[0].OwnedBy.Column != "id" {
		t.Fatalf("sequences: %+v", d.Sequences)
	}
	var defs []string
	for _, c := range d.Tables[0].Constraints {
		defs = append(defs, c.Name+" "+c.Definition)
	}
	want := `child_pkey PRIMARY KEY ("id")|u UNIQUE ("made")|fk FOREIGN KEY ("id") REFERENCES "s"."parent"("id")`
	if got := strings.Join(defs, "|"); got != want {
		t.Fatalf("constraints:\n%s\nwant\n%s", got, want)
	}
}

func TestMySQLDefinitions(t *testing.T) {
	t.Parallel()
	cols := []sqlschema.Column{
		{Schema: "s", Table: "t", Name: "id", OrdinalPosition: 1, DataType: "int(11)", IdentityGeneration: "AUTO_INCREMENT"},
		{Schema: "s", Table: "t", Name: "p", OrdinalPosition: 2, DataType: "int(11)", IsNullable: true},
		{Schema: "s", Table: "t", Name: "g", OrdinalPosition: 3, DataType: "int(11)", IsNullable: true, GeneratedKind: "STORED", GeneratedExpression: ptr("`p` * 2")},
	}
	cons := []sqlschema.TableConstraints{{Table: tn("t"), PrimaryKey: []string{"id"},
		ForeignKeys: []sqlschema.ForeignKey{{Name: "self", Columns: []string{"p"}, Referenced: tn("t"), ReferencedColumns: []string{"id"}},
			{Name: "other", Columns: []string{"p"}, Referenced: sqlschema.TableName{Schema: "o", Table: "x"}, ReferencedColumns: []string{"id"}}}}}
	got := Schema(sqlschema.DialectMySQL, cols, cons).Definitions.Tables[0].CreateStatement
	want := "CREATE TABLE `t` (\n  `id` int(11) NOT NULL AUTO_INCREMENT,\n  `p` int(11),\n  `g` int(11) AS (`p` * 2) STORED,\n  PRIMARY KEY (`id`),\n" +
		"  CONSTRAINT `self` FOREIGN KEY (`p`) REFERENCES `t` (`id`),\n  CONSTRAINT `other` FOREIGN KEY (`p`) REFERENCES `o`.`x` (`id`)\n)"
	if got != want {
		t.Fatalf("got\n%s\nwant\n%s", got, want)
	}
}

func TestJobAndPlan(t *testing.T) {
	t.Parallel()
	col := func(table, name string, pos int, nullable bool) sqlschema.Column {
		return sqlschema.Column{Schema: "s", Table: table, Name: name, OrdinalPosition: pos, DataType: "integer", IsNullable: nullable}
	}
	cols := []sqlschema.Column{col("a", "id", 1, false), col("a", "b_id", 2, true), col("b", "id", 1, false), col("b", "a_id", 2, false), col("other", "id", 1, false)}
	fk := func(name, col string, nullable bool, parent string) sqlschema.ForeignKey {
		return sqlschema.ForeignKey{Name: name, Columns: []string{col}, ColumnsNullable: []bool{nullable}, Referenced: tn(parent), ReferencedColumns: []string{"id"}}
	}
	cons := []sqlschema.TableConstraints{
		{Table: tn("a"), PrimaryKey: []string{"id"}, ForeignKeys: []sqlschema.ForeignKey{fk("a_b", "b_id", true, "b")}},
		{Table: tn("b"), PrimaryKey: []string{"id"}, ForeignKeys: []sqlschema.ForeignKey{fk("b_a", "a_id", false, "a")}},
	}
	s := Schema(sqlschema.DialectPostgres, cols, cons)
	job, err := Job(s, Filter{Exclude: []string{"s.other"}}, syncplan.Job{})
	if err != nil {
		t.Fatal(err)
	}
	plan, err := syncplan.NewPlan(s, job, transformers.NewRegistry())
	if err != nil {
		t.Fatal(err)
	}
	// The cycle is broken through the nullable a.b_id: a first, b_id NULL.
	if len(plan.Tables) != 2 || plan.Tables[0].Name != tn("a") || !plan.Tables[0].Column("b_id").Deferred {
		t.Fatalf("plan:\n%s", plan)
	}
	if _, err := Job(s, Filter{Include: []string{"x.*"}}, syncplan.Job{}); err == nil {
		t.Fatal("empty selection accepted")
	}
	if _, err := Job(s, Filter{Include: []string{"nodot"}}, syncplan.Job{}); err == nil {
		t.Fatal("bad filter accepted")
	}
	base := syncplan.Job{
		Mappings: []syncplan.Mapping{{Schema: "s", Table: "a", Column: "id", Transformer: syncplan.Transformer{Source: "passthrough"}},
			{Schema: "s", Table: "other", Column: "id", Transformer: syncplan.Transformer{Source: "passthrough"}}},
		Subsets: []syncplan.Subset{{Schema: "s", Table: "other", Where: "id > 1"}},
	}
	job, err = Job(s, Filter{Exclude: []string{"s.other"}}, base)
	if err != nil || len(job.Mappings) != 1 || len(job.Subsets) != 0 {
		t.Fatalf("job filter: %+v, %v", job, err)
	}
}

// fakeStreamer serves fixed rows with the columns in a different order
// from the plan's.
type fakeStreamer struct{ where string }

func (f *fakeStreamer) Stream(_ context.Context, _ sqlschema.TableName, where string, fn func([]string, [][]*string) error) error {
	f.where = where
	return fn([]string{"name", "id"}, [][]*string{{ptr("ann"), ptr("1")}, {nil, ptr("2")}})
}

func (f *fakeStreamer) Count(context.Context, sqlschema.TableName, string) (int64, error) {
	return 2, nil
}

func TestSourceProjectsAndTransforms(t *testing.T) {
	t.Parallel()
	fs := &fakeStreamer{}
	upper := func(v *string, row map[string]*string) (*string, error) {
		if v == nil {
			return ptr("none:" + *row["id"]), nil
		}
		return ptr(strings.ToUpper(*v)), nil
	}
	var started []sqlschema.TableName
	src := &Source{Streamer: fs, Transforms: map[sqlschema.TableName]map[string]ColumnTransform{tn("t"): {"name": upper}},
		OnStart: func(t sqlschema.TableName) { started = append(started, t) }}
	table := &syncplan.Table{Name: tn("t"), Filter: "(id > 0)"}
	var got []string
	for range 2 {
		err := src.Rows(context.Background(), table, []string{"id", "name"}, func(rows [][]*string) error {
			for _, r := range rows {
				got = append(got, *r[0]+"="+*r[1])
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	if strings.Join(got, ",") != "1=ANN,2=none:2,1=ANN,2=none:2" || fs.where != "(id > 0)" || len(started) != 1 {
		t.Fatalf("rows %v, where %q, started %v", got, fs.where, started)
	}
	if err := src.Rows(context.Background(), table, []string{"gone"}, func([][]*string) error { return nil }); err == nil {
		t.Fatal("missing column accepted")
	}
}
