package sqlschema

import (
	"fmt"
	"strings"
	"testing"
)

// describeColumn renders every field of c (dereferencing pointers) so
// expectations can be compared and diffs read easily.
func describeColumn(c Column) string {
	s := func(p *string) string {
		if p == nil {
			return "<nil>"
		}
		return fmt.Sprintf("%q", *p)
	}
	i := func(p *int64) string {
		if p == nil {
			return "<nil>"
		}
		return fmt.Sprint(*p)
	}
	return fmt.Sprintf("%s.%s.%s #%d type=%q null=%v default=%s identity=%q generated=%q genexpr=%s charlen=%s prec=%s scale=%s enum=%q array=%v",
		c.Schema, c.Table, c.Name, c.OrdinalPosition, c.DataType, c.IsNullable, s(c.Default),
		c.IdentityGeneration, c.GeneratedKind, s(c.GeneratedExpression),
		i(c.CharacterMaximumLength), i(c.NumericPrecision), i(c.NumericScale), c.EnumValues, c.IsArray)
}

func assertColumns(t *testing.T, got, want []Column) {
	t.Helper()
	g := make([]string, len(got))
	for i, c := range got {
		g[i] = describeColumn(c)
	}
	w := make([]string, len(want))
	for i, c := range want {
		w[i] = describeColumn(c)
	}
	assertLines(t, "columns", g, w)
}

func describeConstraints(tc TableConstraints) []string {
	out := []string{fmt.Sprintf("%s PK=%q", tc.Table, tc.PrimaryKey)}
	for _, fk := range tc.ForeignKeys {
		out = append(out, fmt.Sprintf("%s FK %s %q nullable=%v -> %s %q",
			tc.Table, fk.Name, fk.Columns, fk.ColumnsNullable, fk.Referenced, fk.ReferencedColumns))
	}
	for _, u := range tc.UniqueConstraints {
		out = append(out, fmt.Sprintf("%s UNIQUE %s %q", tc.Table, u.Name, u.Columns))
	}
	return out
}

func assertConstraints(t *testing.T, got, want []TableConstraints) {
	t.Helper()
	var g, w []string
	for _, tc := range got {
		g = append(g, describeConstraints(tc)...)
	}
	for _, tc := range want {
		w = append(w, describeConstraints(tc)...)
	}
	assertLines(t, "constraints", g, w)
}

// assertLines compares line lists and reports every mismatching line.
func assertLines(t *testing.T, what string, got, want []string) {
	t.Helper()
	n := max(len(got), len(want))
	var diffs []string
	for i := 0; i < n; i++ {
		var g, w string
		if i < len(got) {
			g = got[i]
		}
		if i < len(want) {
			w = want[i]
		}
		if g != w {
			diffs = append(diffs, fmt.Sprintf("  [%d]\n    got:  %s\n    want: %s", i, g, w))
		}
	}
	if len(diffs) > 0 {
		t.Errorf("%s mismatch (%d got, %d want):\n%s", what, len(got), len(want), strings.Join(diffs, "\n"))
	}
}
