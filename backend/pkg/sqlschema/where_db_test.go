package sqlschema

import (
	"errors"
	"testing"
)

// TestRowCountBounds checks a row count's predicate runs read only, under
// a statement timeout, keeps nothing it did, and cannot escape its
// parentheses (issue 14, finding 6).
func TestRowCountBounds(t *testing.T) {
	t.Parallel()
	bounded := map[string]string{
		"postgres": "current_setting('statement_timeout') = '30s' AND current_setting('transaction_read_only') = 'on'",
		"mysql":    "@@max_statement_time = 30",
	}
	for _, tc := range rowsEnvs {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := tc.env(t)
			ctx := testCtx(t)
			items := TableName{e.schema, "items"}
			if n, err := e.insp.RowCount(ctx, items, bounded[tc.name]); err != nil || n != 10 {
				t.Fatalf("RowCount under %q = %d, %v; want 10 (read only, 30 s statement timeout)", bounded[tc.name], n, err)
			}
			var we *WhereError
			for _, escape := range []string{"1=1) UNION ALL SELECT 1 FROM items WHERE (1=1", "1=1; DROP TABLE items"} {
				if _, err := e.insp.RowCount(ctx, items, escape); !errors.As(err, &we) {
					t.Errorf("RowCount(%q) = %v, want a *WhereError", escape, err)
				}
				err := e.insp.StreamRows(ctx, items, escape, 10, func([]string, [][]*string) error { return nil })
				if !errors.As(err, &we) {
					t.Errorf("StreamRows(%q) = %v, want a *WhereError", escape, err)
				}
			}
		})
	}
}

// TestRowCountKeepsNoLargeObject replays lo_import in a row count: READ
// ONLY does not stop it, the rollback must undo it.
func TestRowCountKeepsNoLargeObject(t *testing.T) {
	t.Parallel()
	e := newRowsPG(t)
	ctx := testCtx(t)
	pool := e.insp.(*pgInspector).pool
	var before, after int
	if err := pool.QueryRow(ctx, "SELECT count(*) FROM pg_largeobject_metadata").Scan(&before); err != nil {
		t.Fatal(err)
	}
	if _, err := e.insp.RowCount(ctx, TableName{e.schema, "items"}, "lo_import('/etc/hostname') > 0"); err != nil {
		t.Fatalf("RowCount: %v", err)
	}
	if err := pool.QueryRow(ctx, "SELECT count(*) FROM pg_largeobject_metadata").Scan(&after); err != nil {
		t.Fatal(err)
	}
	if after != before {
		t.Fatalf("the row count left %d large objects behind", after-before)
	}
}
