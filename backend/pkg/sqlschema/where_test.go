package sqlschema

import (
	"errors"
	"testing"
)

func TestValidateWhere(t *testing.T) {
	t.Parallel()
	both := []Dialect{DialectPostgres, DialectMySQL}
	for _, tc := range []struct {
		where    string
		dialects []Dialect
		ok       bool
	}{
		{"", both, true},
		{"id > 10 AND (name = 'a' OR name IS NULL)", both, true},
		{"name = 'it''s ) ; -- fine'", both, true},
		{`"weird ) ; name" = 1`, []Dialect{DialectPostgres}, true},
		{"`weird ) ; name` = 1", []Dialect{DialectMySQL}, true},
		{`name = 'O\'Brien )'`, []Dialect{DialectMySQL}, true},
		{`name = E'O\'Brien )'`, []Dialect{DialectPostgres}, true},
		{"id IN (SELECT id FROM t WHERE x = 1)", both, true},
		{"price$ > 1 AND a$b = 2", []Dialect{DialectPostgres}, true},
		{"1=1) UNION ALL SELECT * FROM secrets WHERE (1=1", both, false},
		{"1=1; DROP TABLE x", both, false},
		{"1=1 -- ", both, false},
		{"1=1 /* x */", both, false},
		{"1=1 # x", []Dialect{DialectMySQL}, false},
		{"(1=1", both, false},
		{"name = 'open", both, false},
		{`name = 'O\'Brien ) UNION SELECT 1 --'`, []Dialect{DialectPostgres}, false},
		{"x = $$a$$", []Dialect{DialectPostgres}, false},
		{"x = $t$a$t$", []Dialect{DialectPostgres}, false},
		{"a\x00b", both, false},
		{"a\xffb", both, false},
	} {
		for _, d := range tc.dialects {
			err := ValidateWhere(d, tc.where)
			var we *WhereError
			if tc.ok && err != nil {
				t.Errorf("%s %q: %v, want valid", d, tc.where, err)
			}
			if !tc.ok && !errors.As(err, &we) {
				t.Errorf("%s %q: %v, want a *WhereError", d, tc.where, err)
			}
		}
	}
}

// FuzzValidateWhere checks a clause that passes cannot close the
// surrounding parenthesis: wrapping it and checking again still passes.
func FuzzValidateWhere(f *testing.F) {
	for _, s := range []string{"a = 'x'", "1=1) OR (1=1", `"a""b" = 'c''d'`, "E'\\'' = x", "`a` = \"b\\\"\""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, d := range []Dialect{DialectPostgres, DialectMySQL} {
			if ValidateWhere(d, s) == nil {
				if err := ValidateWhere(d, "("+s+") AND (x)"); err != nil {
					t.Fatalf("%s: %q valid but its wrapped form is not: %v", d, s, err)
				}
			}
		}
	})
}
