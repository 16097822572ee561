package sqlschema

import (
	"errors"
	"strings"
	"testing"
	"unicode/utf8"
)

// unquoteIdentifier is an independent reference parser for a quoted
// identifier: it requires the surrounding quote characters and that every
// inner quote character is doubled, and returns the denoted name.
func unquoteIdentifier(s string, q byte) (string, bool) {
	if len(s) < 2 || s[0] != q || s[len(s)-1] != q {
		return "", false
	}
	inner := s[1 : len(s)-1]
	var b strings.Builder
	for i := 0; i < len(inner); i++ {
		if inner[i] == q {
			if i+1 >= len(inner) || inner[i+1] != q {
				return "", false // a lone quote would end the identifier early
			}
			i++
		}
		b.WriteByte(inner[i])
	}
	return b.String(), true
}

func TestQuoteIdentifier(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, pg, my string
	}{
		{"users", `"users"`, "`users`"},
		{"MixedCase", `"MixedCase"`, "`MixedCase`"},
		{`a"b`, `"a""b"`, "`a\"b`"},
		{"a`b", "\"a`b\"", "`a``b`"},
		{"select", `"select"`, "`select`"},
		{"Café ☕", `"Café ☕"`, "`Café ☕`"},
		{"with space", `"with space"`, "`with space`"},
		{`"`, `""""`, "`\"`"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			pg, err := QuotePostgresIdentifier(tt.name)
			if err != nil || pg != tt.pg {
				t.Errorf("QuotePostgresIdentifier(%q) = %q, %v; want %q", tt.name, pg, err, tt.pg)
			}
			my, err := QuoteMySQLIdentifier(tt.name)
			if err != nil || my != tt.my {
				t.Errorf("QuoteMySQLIdentifier(%q) = %q, %v; want %q", tt.name, my, err, tt.my)
			}
		})
	}
}

func TestQuoteIdentifierErrors(t *testing.T) {
	t.Parallel()
	for _, name := range []string{"", "a\x00b", "\x00"} {
		for _, d := range []Dialect{DialectPostgres, DialectMySQL} {
			_, err := d.QuoteIdentifier(name)
			var ie *IdentifierError
			if !errors.As(err, &ie) || ie.Name != name || ie.Reason == "" {
				t.Errorf("%s.QuoteIdentifier(%q) error = %v, want *IdentifierError", d, name, err)
			}
		}
	}
	if _, err := Dialect("oracle").QuoteIdentifier("x"); err == nil {
		t.Error("unknown dialect: want error")
	}
}

func TestQualifiedName(t *testing.T) {
	t.Parallel()
	tests := []struct {
		d       Dialect
		t       TableName
		want    string
		wantErr bool
	}{
		{DialectPostgres, TableName{"public", "users"}, `"public"."users"`, false},
		{DialectPostgres, TableName{`we"ird.s`, "t.x"}, `"we""ird.s"."t.x"`, false},
		{DialectMySQL, TableName{"app", "a`b"}, "`app`.`a``b`", false},
		{DialectMySQL, TableName{"", "t"}, "", true},
		{DialectPostgres, TableName{"s", ""}, "", true},
	}
	for _, tt := range tests {
		got, err := tt.d.QualifiedName(tt.t)
		if (err != nil) != tt.wantErr || got != tt.want {
			t.Errorf("%s.QualifiedName(%#v) = %q, %v; want %q (error %v)", tt.d, tt.t, got, err, tt.want, tt.wantErr)
		}
	}
	if got := (TableName{"s", "t"}).String(); got != "s.t" {
		t.Errorf("String() = %q", got)
	}
}

func fuzzQuote(f *testing.F, quote func(string) (string, error), q byte) {
	for _, s := range []string{"users", `a"b`, "a`b", "Café ☕", "select", "", "a\x00", `""`, "``", " "} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, name string) {
		got, err := quote(name)
		if name == "" || strings.IndexByte(name, 0) >= 0 {
			var ie *IdentifierError
			if !errors.As(err, &ie) {
				t.Fatalf("quote(%q) error = %v, want *IdentifierError", name, err)
			}
			return
		}
		if err != nil {
			t.Fatalf("quote(%q) unexpected error: %v", name, err)
		}
		back, ok := unquoteIdentifier(got, q)
		if !ok || back != name {
			t.Fatalf("quote(%q) = %q does not round-trip (got %q, ok=%v)", name, got, back, ok)
		}
		if utf8.ValidString(name) != utf8.ValidString(got) {
			t.Fatalf("quote(%q) changed UTF-8 validity", name)
		}
	})
}

func FuzzQuotePostgresIdentifier(f *testing.F) { fuzzQuote(f, QuotePostgresIdentifier, '"') }

func FuzzQuoteMySQLIdentifier(f *testing.F) { fuzzQuote(f, QuoteMySQLIdentifier, '`') }
