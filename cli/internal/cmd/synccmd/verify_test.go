package synccmd

import (
	"bytes"
	"strings"
	"testing"

	"github.com/neosyncio/neosync/backend/pkg/sqlschema"
	"github.com/neosyncio/neosync/backend/pkg/sqlsync"
)

func TestVerification(t *testing.T) {
	t.Parallel()
	tn := sqlschema.TableName{Schema: "public", Table: "t"}
	counts := func(src, dst int64) []sqlsync.TableCount {
		return []sqlsync.TableCount{{Table: tn, SourceRows: src, DestRows: dst}}
	}
	for _, tc := range []struct {
		name    string
		rep     sqlsync.Report
		opts    options
		wantErr string
		wantOut string
	}{
		{"ok", sqlsync.Report{Tables: counts(1234, 1234)}, options{}, "", "Verified: 1,234 rows"},
		{"appended: counts differ, warned", sqlsync.Report{Tables: counts(2, 5)}, options{}, "", "<-- mismatch"},
		{"owned: counts differ, failed", sqlsync.Report{Tables: counts(2, 5)}, options{Truncate: true}, "row counts differ", "<-- mismatch"},
		{"orphans", sqlsync.Report{Tables: counts(2, 2), ForeignKeys: []sqlsync.ForeignKeyOrphans{{Table: tn, ForeignKey: "fk", Orphans: 1}}}, options{}, "reference is missing", "1 orphans"},
		{"source emptied during the sync", func() sqlsync.Report {
			r := sqlsync.Report{Tables: counts(0, 0)}
			r.CrossCheck(nil, map[sqlschema.TableName]int64{tn: 7})
			return r
		}(), options{}, "public.t: the source table had 7 rows before the run and has none now", "<-- the source table had 7 rows"},
		{"duplicates", sqlsync.Report{Tables: counts(2, 2), Uniques: []sqlsync.UniqueDuplicates{{Table: tn, Constraint: "u", Duplicates: 3}}}, options{}, "3 duplicate rows of u", "3 duplicates"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var out bytes.Buffer
			err := verification(&out, &tc.rep, tc.opts)
			if (tc.wantErr == "") != (err == nil) || (err != nil && !strings.Contains(err.Error(), tc.wantErr)) {
				t.Fatalf("err = %v, want %q", err, tc.wantErr)
			}
			if !strings.Contains(out.String(), tc.wantOut) {
				t.Fatalf("output %q lacks %q", out.String(), tc.wantOut)
			}
		})
	}
}
