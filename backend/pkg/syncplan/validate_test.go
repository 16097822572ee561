package syncplan

import (
	"errors"
	"strings"
	"testing"

	"github.com/neosyncio/neosync/backend/pkg/sqlschema"
	"github.com/neosyncio/neosync/backend/pkg/transformers"
)

// validateSchema is one table per dialect: users with an integer key, a
// unique NOT NULL email, a uuid, a nullable note and a timestamp; on MySQL
// the key is a binary(16) UUID and ref a char(36) one.
func validateSchema(d sqlschema.Dialect) *Schema {
	s := &Schema{Dialect: d, Definitions: &sqlschema.Definitions{}, Tables: []sqlschema.TableName{tn("users")}}
	c := func(name, typ string, nullable bool) sqlschema.Column {
		return sqlschema.Column{Schema: "app", Table: "users", Name: name, DataType: typ, IsNullable: nullable}
	}
	if d == sqlschema.DialectMySQL {
		s.Columns = []sqlschema.Column{c("id", "binary(16)", false), c("ref", "char(36)", true), c("n", "int(11)", false),
			c("email", "varchar(255)", false), c("note", "text", true), c("flag", "tinyint(1)", true)}
	} else {
		s.Columns = []sqlschema.Column{c("id", "integer", false), c("ref", "uuid", true), c("n", "bigint", false),
			c("email", "character varying(255)", false), c("note", "text", true), c("created", "timestamp with time zone", true)}
	}
	s.Constraints = []sqlschema.TableConstraints{{Table: tn("users"), PrimaryKey: []string{"id"},
		UniqueConstraints: []sqlschema.UniqueConstraint{{Name: "users_email_key", Columns: []string{"email"}}}}}
	return s
}

func TestValidateColumnRules(t *testing.T) {
	t.Parallel()
	reg := transformers.NewRegistry()
	pg, my := sqlschema.DialectPostgres, sqlschema.DialectMySQL
	for name, tc := range map[string]struct {
		dialect sqlschema.Dialect
		column  string
		tr      Transformer
		problem string // "" when the mapping is valid
		warning string // a warning about the column, when one is expected
	}{
		"NOT NULL to generate_null":            {pg, "email", Transformer{Source: "generate_null"}, "is NOT NULL but mapped to generate_null", ""},
		"nullable to generate_null":            {pg, "note", Transformer{Source: "generate_null"}, "", ""},
		"NOT NULL to an email that nulls":      {pg, "email", Transformer{Source: "transform_email", Params: map[string]any{"invalid_email_action": "null"}}, "writes NULL for a value that is not an email address", ""},
		"nullable to an email that nulls":      {pg, "note", Transformer{Source: "transform_email", Params: map[string]any{"invalid_email_action": "null"}}, "", ""},
		"email on an integer key":              {pg, "id", Transformer{Source: "transform_email"}, "app.users.id is integer (integer values) but transform_email takes string values; transformers for integer columns: transform_identity_scramble, transform_int64", ""},
		"hash on an integer":                   {pg, "n", Transformer{Source: "transform_hash"}, "but transform_hash writes string values", ""},
		"float on an integer":                  {pg, "n", Transformer{Source: "transform_float64"}, "writes float64 values", ""},
		"string generator on an integer":       {pg, "n", Transformer{Source: "generate_zipcode"}, "generate_zipcode writes string values", ""},
		"categorical on an integer":            {pg, "n", Transformer{Source: "generate_categorical", Params: map[string]any{"categories": []any{"1", "2", "3"}}}, "", ""},
		"string on a uuid":                     {pg, "ref", Transformer{Source: "transform_string"}, "takes string values", ""},
		"string on a timestamp":                {pg, "created", Transformer{Source: "transform_string"}, "is timestamp with time zone (date/time values)", ""},
		"uuid on a uuid":                       {pg, "ref", Transformer{Source: "transform_uuid"}, "", ""},
		"scramble on an integer key":           {pg, "id", Transformer{Source: "transform_identity_scramble"}, "", ""},
		"int64 on an integer":                  {pg, "n", Transformer{Source: "transform_int64"}, "", ""},
		"timestamp generator on a timestamp":   {pg, "created", Transformer{Source: "generate_utc_timestamp"}, "", ""},
		"bad parameter":                        {pg, "email", Transformer{Source: "transform_email", Params: map[string]any{"preserve_domain": "yes"}}, "transformer transform_email: parameter preserve_domain: must be true or false", ""},
		"unknown parameter":                    {pg, "email", Transformer{Source: "transform_email", Params: map[string]any{"keep": true}}, "parameter keep: is not a parameter of this transformer", ""},
		"unique column, repeating":             {pg, "email", Transformer{Source: "transform_first_name"}, "", "app.users.email is unique but transform_first_name may map two values to one"},
		"MySQL uuid on a binary(16) key":       {my, "id", Transformer{Source: "transform_uuid"}, "app.users.id is binary(16) but transform_uuid works on UUIDs written as text", ""},
		"MySQL uuid generator on binary(16)":   {my, "id", Transformer{Source: "generate_uuid"}, "is binary(16) but generate_uuid works on UUIDs written as text", ""},
		"MySQL uuid on a char(36)":             {my, "ref", Transformer{Source: "transform_uuid"}, "", ""},
		"MySQL email on an int":                {my, "n", Transformer{Source: "transform_email"}, "is int(11) (integer values) but transform_email takes string values", ""},
		"MySQL bool generator on tinyint(1)":   {my, "flag", Transformer{Source: "generate_bool"}, "", ""},
		"MySQL email on a varchar":             {my, "email", Transformer{Source: "transform_email"}, "", "is unique but transform_email may map two values to one"},
		"MySQL NOT NULL to generate_null":      {my, "email", Transformer{Source: "generate_null"}, "is NOT NULL but mapped to generate_null", ""},
		"MySQL scramble on a binary(16) key":   {my, "id", Transformer{Source: "transform_character_scramble"}, "", ""},
		"MySQL string generator on an int(11)": {my, "n", Transformer{Source: "generate_random_string"}, "writes string values", ""},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			s := validateSchema(tc.dialect)
			job := Job{Key: []byte("k")}
			for _, c := range s.Columns {
				tr := Transformer{Source: Passthrough}
				if c.Name == tc.column {
					tr = tc.tr
				}
				job.Mappings = append(job.Mappings, Mapping{Schema: "app", Table: "users", Column: c.Name, Transformer: tr})
			}
			r := Validate(s, job, reg)
			_, err := NewPlan(s, job, reg)
			if tc.problem == "" {
				if len(r.Problems) > 0 || err != nil {
					t.Fatalf("problems = %v, NewPlan err = %v; want none", r.Problems, err)
				}
			} else {
				if len(r.Problems) != 1 || !strings.Contains(r.Problems[0].Message, tc.problem) {
					t.Fatalf("problems = %v, want one containing %q", r.Problems, tc.problem)
				}
				if p := r.Problems[0]; p.Table != tn("users") || p.Column != tc.column {
					t.Errorf("problem is about %s.%s, want app.users.%s", p.Table, p.Column, tc.column)
				}
				var ve *ValidationError
				if !errors.As(err, &ve) || len(ve.Findings) != 1 || ve.Problems[0] != r.Problems[0].Message {
					t.Errorf("NewPlan err = %v, want the same problem as Validate", err)
				}
			}
			var warned []string
			for _, w := range r.Warnings {
				if w.Column == tc.column && w.Table == tn("users") {
					warned = append(warned, w.Message)
				}
			}
			if tc.warning != "" && (len(warned) != 1 || !strings.Contains(warned[0], tc.warning)) {
				t.Errorf("warnings about %s = %v, want one containing %q", tc.column, warned, tc.warning)
			}
			if tc.warning == "" && len(warned) > 0 {
				t.Errorf("warnings about %s = %v, want none", tc.column, warned)
			}
		})
	}
}

func TestValidateReportsUnknownTablesAndColumnsInPlace(t *testing.T) {
	t.Parallel()
	s := validateSchema(sqlschema.DialectPostgres)
	job := Job{Key: []byte("k"), Mappings: []Mapping{
		{Schema: "app", Table: "users", Column: "id", Transformer: Transformer{Source: Passthrough}},
		{Schema: "app", Table: "users", Column: "nope", Transformer: Transformer{Source: Passthrough}},
		{Schema: "app", Table: "ghost", Column: "id", Transformer: Transformer{Source: Passthrough}},
	}}
	r := Validate(s, job, transformers.NewRegistry())
	got := map[string]string{}
	for _, p := range r.Problems {
		got[p.Table.Table+"."+p.Column] = p.Message
	}
	if !strings.Contains(got["users.nope"], "no such column") || !strings.Contains(got["ghost.id"], "no such table") || len(got) != 2 {
		t.Fatalf("problems = %v, want users.nope (no such column) and ghost.id (no such table)", r.Problems)
	}
	unmapped := 0
	for _, w := range r.Warnings {
		if strings.Contains(w.Message, "has no mapping: it is copied unchanged") && w.Column != "" {
			unmapped++
		}
	}
	if unmapped != len(s.Columns)-1 {
		t.Errorf("warnings = %v, want one per unmapped column of users", r.Warnings)
	}
}
