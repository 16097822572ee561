package syncplan

import (
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/neosyncio/neosync/backend/pkg/sqlschema"
	"github.com/neosyncio/neosync/backend/pkg/transformers"
)

func tn(t string) sqlschema.TableName { return sqlschema.TableName{Schema: "app", Table: t} }

// col makes a column; nullable unless notNull.
func col(table, name string, notNull bool) sqlschema.Column {
	return sqlschema.Column{Schema: "app", Table: table, Name: name, DataType: "integer", IsNullable: !notNull}
}

func fk(name string, cols []string, nullable bool, parent string, refs ...string) sqlschema.ForeignKey {
	n := make([]bool, len(cols))
	for i := range n {
		n[i] = nullable
	}
	return sqlschema.ForeignKey{Name: name, Columns: cols, ColumnsNullable: n, Referenced: tn(parent), ReferencedColumns: refs}
}

// testSchema: a three-table cycle a -> b -> c -> a (c.a_id nullable), a
// self reference on emp, a composite key parent/child, and a table with
// no primary key.
func testSchema() *Schema {
	s := &Schema{Dialect: sqlschema.DialectPostgres, Definitions: &sqlschema.Definitions{}}
	add := func(table string, cols ...sqlschema.Column) {
		s.Tables = append(s.Tables, tn(table))
		s.Columns = append(s.Columns, cols...)
	}
	add("a", col("a", "id", true), col("a", "b_id", true))
	add("b", col("b", "id", true), col("b", "c_id", true))
	add("c", col("c", "id", true), col("c", "a_id", false))
	add("emp", col("emp", "id", true), col("emp", "boss", false))
	add("parent", col("parent", "k1", true), col("parent", "k2", true))
	add("child", col("child", "k1", false), col("child", "k2", false), col("child", "note", false))
	s.Constraints = []sqlschema.TableConstraints{
		{Table: tn("a"), PrimaryKey: []string{"id"}, ForeignKeys: []sqlschema.ForeignKey{fk("a_b", []string{"b_id"}, false, "b", "id")}},
		{Table: tn("b"), PrimaryKey: []string{"id"}, ForeignKeys: []sqlschema.ForeignKey{fk("b_c", []string{"c_id"}, false, "c", "id")}},
		{Table: tn("c"), PrimaryKey: []string{"id"}, ForeignKeys: []sqlschema.ForeignKey{fk("c_a", []string{"a_id"}, true, "a", "id")}},
		{Table: tn("emp"), PrimaryKey: []string{"id"}, ForeignKeys: []sqlschema.ForeignKey{fk("boss", []string{"boss"}, true, "emp", "id")}},
		{Table: tn("parent"), PrimaryKey: []string{"k1", "k2"}},
		{Table: tn("child"), ForeignKeys: []sqlschema.ForeignKey{fk("child_parent", []string{"k1", "k2"}, true, "parent", "k1", "k2")}},
	}
	return s
}

func mapAll(s *Schema, source string) []Mapping {
	var out []Mapping
	for _, c := range s.Columns {
		out = append(out, Mapping{Schema: c.Schema, Table: c.Table, Column: c.Name, Transformer: Transformer{Source: source}})
	}
	return out
}

func names(p *Plan) []string {
	var out []string
	for _, t := range p.Tables {
		out = append(out, t.Name.Table)
	}
	return out
}

func TestNewPlanOrderAndCycles(t *testing.T) {
	t.Parallel()
	s := testSchema()
	p, err := NewPlan(s, Job{Mappings: mapAll(s, Passthrough)}, transformers.NewRegistry())
	if err != nil {
		t.Fatal(err)
	}
	if got, want := names(p), []string{"c", "b", "a", "emp", "parent", "child"}; !reflect.DeepEqual(got, want) {
		t.Fatalf("order %v, want %v", got, want)
	}
	if c := p.Table(tn("c")); !c.Column("a_id").Deferred || len(c.Deferred()) != 1 || c.Resume != ResumeKeyed {
		t.Fatalf("c: want a_id deferred and keyed resume, got %+v", c)
	}
	if e := p.Table(tn("emp")); !e.Column("boss").Deferred {
		t.Fatal("emp.boss: want deferred self reference")
	}
	if ch := p.Table(tn("child")); ch.Resume != ResumeRedo || ch.Key != nil {
		t.Fatalf("child without key: want redo, got %s %v", ch.Resume, ch.Key)
	}
	if len(p.Cycles) != 2 {
		t.Fatalf("cycles = %+v, want the a-b-c cycle and the emp self reference", p.Cycles)
	}
	out := p.String()
	for _, want := range []string{"app.c", "deferred", "broken at", "no primary key"} {
		if !strings.Contains(out, want) {
			t.Fatalf("String() lacks %q:\n%s", want, out)
		}
	}
	b, err := json.Marshal(p)
	if err != nil {
		t.Fatal(err)
	}
	var back Plan
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(&back, p) {
		t.Fatalf("JSON round trip changed the plan:\n%s\n%s", p, &back)
	}
}

func TestNewPlanSubsetFollowsForeignKeys(t *testing.T) {
	t.Parallel()
	s := testSchema()
	job := Job{Mappings: mapAll(s, Passthrough), SubsetByForeignKeys: true,
		Subsets: []Subset{{Schema: "app", Table: "parent", Where: "k1 < 10"}}}
	p, err := NewPlan(s, job, transformers.NewRegistry())
	if err != nil {
		t.Fatal(err)
	}
	child := p.Table(tn("child"))
	want := `("app"."child"."k1" IS NULL OR "app"."child"."k2" IS NULL OR ("app"."child"."k1", "app"."child"."k2") IN (SELECT "app"."parent"."k1", "app"."parent"."k2" FROM "app"."parent" WHERE (` + "\nk1 < 10\n" + `)))`
	if child.Filter != want {
		t.Fatalf("child filter:\n%s\nwant:\n%s", child.Filter, want)
	}
	if !child.ForeignKeys[0].Followed {
		t.Fatal("child_parent not marked followed")
	}
	if p.Table(tn("a")).Filter != "" {
		t.Fatal("tables unrelated to the subset must stay unfiltered")
	}
}

func TestNewPlanValidation(t *testing.T) {
	t.Parallel()
	s := testSchema()
	// Make the cycle unbreakable and add assorted mistakes.
	s.Constraints[2].ForeignKeys[0].ColumnsNullable = []bool{false}
	job := Job{Mappings: append(mapAll(s, Passthrough),
		Mapping{Schema: "app", Table: "nope", Column: "x", Transformer: Transformer{Source: Passthrough}},
		Mapping{Schema: "app", Table: "emp", Column: "ghost", Transformer: Transformer{Source: Passthrough}},
	)}
	job.Mappings[0].Transformer.Source = "no_such_transformer"
	_, err := NewPlan(s, job, transformers.NewRegistry())
	var ve *ValidationError
	if !errors.As(err, &ve) {
		t.Fatalf("err = %v, want ValidationError", err)
	}
	for _, want := range []string{"app.nope", "ghost", "no_such_transformer"} {
		if !strings.Contains(err.Error(), want) {
			t.Fatalf("error lacks %q: %v", want, err)
		}
	}
	job = Job{Mappings: mapAll(s, Passthrough)}
	_, err = NewPlan(s, job, transformers.NewRegistry())
	if !errors.As(err, &ve) || !strings.Contains(err.Error(), "no nullable foreign key") {
		t.Fatalf("err = %v, want an unbreakable cycle", err)
	}
	s = testSchema()
	job = Job{Mappings: mapAll(s, Passthrough)}
	job.Mappings[1].Transformer.Source = "generate_null" // a.b_id is NOT NULL
	if _, err := NewPlan(s, job, transformers.NewRegistry()); err == nil || !strings.Contains(err.Error(), "generate_null") {
		t.Fatalf("err = %v, want NOT NULL mapped to generate_null", err)
	}
}

func TestNewPlanUnmappedColumn(t *testing.T) {
	t.Parallel()
	s := testSchema()
	m := mapAll(s, Passthrough)
	var keep []Mapping
	for _, x := range m {
		if x.Table != "child" || x.Column != "note" {
			keep = append(keep, x)
		}
	}
	p, err := NewPlan(s, Job{Mappings: keep}, transformers.NewRegistry())
	if err != nil {
		t.Fatal(err)
	}
	if c := p.Table(tn("child")).Column("note"); !c.Unmapped || c.Action != ActionCopy {
		t.Fatalf("note = %+v, want unmapped copy", c)
	}
	if len(p.Warnings) == 0 {
		t.Fatal("want a warning about the unmapped column")
	}
	if _, err := NewPlan(s, Job{Mappings: keep, HaltOnNewColumn: true}, transformers.NewRegistry()); err == nil {
		t.Fatal("HaltOnNewColumn: want an error")
	}
}

// TestNewPlanRefusesEscapingSubsets checks a plan is not built from a
// subset that would close its parenthesis, start a statement or comment out
// the rest of the source query.
func TestNewPlanRefusesEscapingSubsets(t *testing.T) {
	t.Parallel()
	s := testSchema()
	for _, where := range []string{"k1 < 10) OR (1=1", "k1 < 10; DELETE FROM app.parent", "k1 < 10 --"} {
		job := Job{Mappings: mapAll(s, Passthrough), Subsets: []Subset{{Schema: "app", Table: "parent", Where: where}}}
		_, err := NewPlan(s, job, transformers.NewRegistry())
		var ve *ValidationError
		if !errors.As(err, &ve) || !strings.Contains(err.Error(), "subset for app.parent") {
			t.Errorf("NewPlan with subset %q: %v, want a ValidationError naming the subset", where, err)
		}
	}
}
