package syncplan

import (
	"strings"
	"testing"

	"github.com/neosyncio/neosync/backend/pkg/sqlschema"
	"github.com/neosyncio/neosync/backend/pkg/transformers"
)

func TestUniqueColumnWithARepeatingTransformerIsWarned(t *testing.T) {
	t.Parallel()
	s := &Schema{Dialect: sqlschema.DialectPostgres, Definitions: &sqlschema.Definitions{}, Tables: []sqlschema.TableName{tn("users")}}
	s.Columns = []sqlschema.Column{
		{Schema: "app", Table: "users", Name: "id", DataType: "bigint"},
		{Schema: "app", Table: "users", Name: "email", DataType: "text"},
		{Schema: "app", Table: "users", Name: "code", DataType: "text"},
	}
	s.Constraints = []sqlschema.TableConstraints{{Table: tn("users"), PrimaryKey: []string{"id"}, UniqueConstraints: []sqlschema.UniqueConstraint{
		{Name: "users_email_key", Columns: []string{"email"}}, {Name: "users_code_key", Columns: []string{"code"}},
	}}}
	job := Job{Key: []byte("k"), Mappings: []Mapping{
		{Schema: "app", Table: "users", Column: "id", Transformer: Transformer{Source: "transform_identity_scramble"}},
		{Schema: "app", Table: "users", Column: "email", Transformer: Transformer{Source: "transform_email"}},
		{Schema: "app", Table: "users", Column: "code", Transformer: Transformer{Source: "transform_character_scramble"}},
	}}
	p, err := NewPlan(s, job, transformers.NewRegistry())
	if err != nil {
		t.Fatal(err)
	}
	var unique []string
	for _, w := range p.Warnings {
		if strings.Contains(w, "is unique but") {
			unique = append(unique, w)
		}
	}
	if len(unique) != 1 || !strings.Contains(unique[0], "app.users.email") || !strings.Contains(unique[0], "transform_email") {
		t.Fatalf("unique warnings = %v (only email's transformer may repeat values)", unique)
	}
}
