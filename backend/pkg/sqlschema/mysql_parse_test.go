package sqlschema

import (
	"slices"
	"strings"
	"testing"
)

func TestParseMySQLEnum(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in      string
		want    []string
		wantErr bool
	}{
		{"enum('a','b')", []string{"a", "b"}, false},
		{"ENUM('x')", []string{"x"}, false},
		{`enum('it''s','c\\d','x,y','é',')','')`, []string{"it's", `c\d`, "x,y", "é", ")", ""}, false},
		{"enum()", nil, true},
		{"enum('a'", nil, true},
		{"enum('a')x", nil, true},
		{"set('a')", nil, true},
	}
	for _, tt := range tests {
		got, err := parseMySQLEnum(tt.in)
		if (err != nil) != tt.wantErr || !slices.Equal(got, tt.want) {
			t.Errorf("parseMySQLEnum(%q) = %q, %v; want %q (error %v)", tt.in, got, err, tt.want, tt.wantErr)
		}
	}
}

// FuzzParseMySQLEnum checks that labels written the way the server writes
// them are parsed back unchanged.
func FuzzParseMySQLEnum(f *testing.F) {
	f.Add("a", "it's")
	f.Add(`c\d`, ",)")
	f.Fuzz(func(t *testing.T, a, b string) {
		enc := func(s string) string {
			return "'" + strings.ReplaceAll(strings.ReplaceAll(s, `\`, `\\`), "'", "''") + "'"
		}
		got, err := parseMySQLEnum("enum(" + enc(a) + "," + enc(b) + ")")
		if err != nil || !slices.Equal(got, []string{a, b}) {
			t.Fatalf("round trip of %q, %q = %q, %v", a, b, got, err)
		}
	})
}

func TestMySQLLikeMatch(t *testing.T) {
	t.Parallel()
	tests := []struct {
		pattern, name string
		want          bool
	}{
		{"app", "app", true},
		{"app", "App", false},
		{"app_db", "appXdb", true},
		{`app\_db`, "appXdb", false},
		{`app\_db`, "app_db", true},
		{"app%", "app", true},
		{"app%", "application", true},
		{"%", "anything", true},
		{"a%c%e", "abcde", true},
		{"a%c%e", "abcdf", false},
		{"_", "", false},
		{"Café", "Café", true},
		{"Caf_", "Café", true},
	}
	for _, tt := range tests {
		if got := mysqlLikeMatch(tt.pattern, tt.name); got != tt.want {
			t.Errorf("mysqlLikeMatch(%q, %q) = %v, want %v", tt.pattern, tt.name, got, tt.want)
		}
	}
}

func TestMySQLGrantee(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"root@localhost", "'root'@'localhost'"},
		{"app@%", "'app'@'%'"},
		{"we@ird@10.0.0.1", "'we@ird'@'10.0.0.1'"},
	}
	for _, tt := range tests {
		if got, err := mysqlGrantee(tt.in); err != nil || got != tt.want {
			t.Errorf("mysqlGrantee(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
	if _, err := mysqlGrantee("nohost"); err == nil {
		t.Error("mysqlGrantee(nohost): want error")
	}
}
