package sqlschema

import (
	"errors"
	"testing"
)

func TestSampleRows(t *testing.T) {
	t.Parallel()
	for _, tc := range rowsEnvs {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := tc.env(t)
			ctx := testCtx(t)
			for _, tt := range []struct {
				table string
				limit int
				want  int
			}{
				{"items", 3, 3},
				{"items", 100, 10},
				{"big", MaxSampleRows, 2500},
				{"big", 1, 1},
			} {
				cols, rows, err := e.insp.SampleRows(ctx, TableName{e.schema, tt.table}, tt.limit)
				if err != nil || len(rows) != tt.want {
					t.Errorf("SampleRows(%s, %d) = %d rows, %v; want %d", tt.table, tt.limit, len(rows), err, tt.want)
					continue
				}
				if tt.table == "items" && (len(cols) != 2 || cols[0] != "id" || cols[1] != "name" || len(rows[0]) != 2 || rows[0][1] == nil) {
					t.Errorf("SampleRows(items) columns %v, first row %v", cols, rows[0])
				}
			}
			for _, limit := range []int{0, -1, MaxSampleRows + 1} {
				if _, _, err := e.insp.SampleRows(ctx, TableName{e.schema, "items"}, limit); !errors.Is(err, errBadSampleSize) {
					t.Errorf("SampleRows(limit %d) error = %v; want errBadSampleSize", limit, err)
				}
			}
			for _, missing := range []TableName{{e.schema, "nope"}, {e.schema, e.view}, {"nope_schema", "items"}} {
				if _, _, err := e.insp.SampleRows(ctx, missing, 5); !errors.Is(err, ErrTableNotFound) {
					t.Errorf("SampleRows(%s) error = %v; want ErrTableNotFound", missing, err)
				}
			}
			var ie *IdentifierError
			if _, _, err := e.insp.SampleRows(ctx, TableName{e.schema, ""}, 5); !errors.As(err, &ie) {
				t.Errorf("SampleRows(empty table name) error = %v; want *IdentifierError", err)
			}
		})
	}
}
