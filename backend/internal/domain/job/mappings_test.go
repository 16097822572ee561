package job

import (
	"strings"
	"testing"

	"github.com/neosyncio/neosync/backend/pkg/sqlschema"
)

func TestCheckMappingsVirtualForeignKeys(t *testing.T) {
	t.Parallel()
	str := func(s string) *string { return &s }
	cols := []sqlschema.Column{
		{Schema: "s", Table: "p", Name: "id"},
		{Schema: "s", Table: "c", Name: "id"},
		{Schema: "s", Table: "c", Name: "p_id", IsNullable: false},
		{Schema: "s", Table: "c", Name: "note", IsNullable: false, Default: str("''")},
	}
	mappings := []Mapping{
		{Schema: "s", Table: "p", Column: "id", Transformer: Transformer{Source: "passthrough"}},
		{Schema: "s", Table: "c", Column: "id", Transformer: Transformer{Source: "passthrough"}},
		{Schema: "s", Table: "c", Column: "p_id", Transformer: Transformer{Source: "passthrough"}},
	}
	// A virtual cycle p ↔ c through NOT NULL columns cannot be broken.
	vfks := []VirtualForeignKey{
		{Schema: "s", Table: "c", Columns: []string{"p_id"}, ReferencedSchema: "s", ReferencedTable: "p", ReferencedColumns: []string{"id"}},
		{Schema: "s", Table: "p", Columns: []string{"id"}, ReferencedSchema: "s", ReferencedTable: "c", ReferencedColumns: []string{"id"}},
		{Schema: "s", Table: "p", Columns: []string{"ghost"}, ReferencedSchema: "s", ReferencedTable: "c", ReferencedColumns: []string{"id"}},
	}
	r := CheckMappings(cols, nil, mappings, vfks)
	if len(r.ColumnErrors) != 0 {
		t.Fatalf("column errors = %+v (note has a default, so it may stay unmapped)", r.ColumnErrors)
	}
	joined := strings.Join(r.DatabaseErrors, "\n")
	if !strings.Contains(joined, "s.p.ghost does not exist") || !strings.Contains(joined, "cycle s.c → s.p → s.c") {
		t.Fatalf("database errors = %v", r.DatabaseErrors)
	}
}

func TestValidateCron(t *testing.T) {
	t.Parallel()
	for expr, ok := range map[string]bool{"0 3 * * *": true, "@daily": true, "*/5 * * * 1-5": true, "61 * * * *": false, "every day": false, "* * * *": false} {
		if err := ValidateCron(expr); (err == nil) != ok {
			t.Errorf("ValidateCron(%q) = %v, want ok=%v", expr, err, ok)
		}
	}
}
