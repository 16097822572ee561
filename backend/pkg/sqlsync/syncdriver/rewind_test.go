package syncdriver

import "testing"

// TestRewindThrough: the rows a retry deletes in a table the job does not
// own end with the last complete batch before the first missing key.
func TestRewindThrough(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name  string
		keys  RewindKeys
		batch int64
		want  int64
	}{
		{"every key there: all, the last batch short", RewindKeys{Count: 10, Lo: 1, Hi: 10}, 4, 10},
		{"two whole batches, then a gap", RewindKeys{Count: 10, Lo: 1, Hi: 10, FirstMissing: 9}, 4, 8},
		{"a batch cut short", RewindKeys{Count: 10, Lo: 1, Hi: 10, FirstMissing: 7}, 4, 4},
		{"the first key missing", RewindKeys{Count: 10, Lo: 1, Hi: 10, FirstMissing: 1}, 4, 0},
		{"ordinals from 11", RewindKeys{Count: 10, Lo: 11, Hi: 20, FirstMissing: 19}, 4, 18},
		{"one batch of all, not all there", RewindKeys{Count: 10, Lo: 1, Hi: 10, FirstMissing: 10}, 0, 0},
		{"one batch of all, all there", RewindKeys{Count: 10, Lo: 1, Hi: 10}, 0, 10},
		{"batch 1: the contiguous run", RewindKeys{Count: 10, Lo: 1, Hi: 10, FirstMissing: 7}, 1, 6},
		{"ordinals with a gap: the contiguous run", RewindKeys{Count: 10, Lo: 1, Hi: 12, FirstMissing: 7}, 4, 6},
		{"no keys", RewindKeys{}, 4, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if got := tc.keys.Through(tc.batch); got != tc.want {
				t.Fatalf("%+v.Through(%d) = %d, want %d", tc.keys, tc.batch, got, tc.want)
			}
		})
	}
}

// TestOrdinalColumn: the ordinal column is never a key column.
func TestOrdinalColumn(t *testing.T) {
	t.Parallel()
	if got := OrdinalColumn([]string{"id", "neosync_resume_ord"}); got != "neosync_resume_ord_" {
		t.Fatalf("OrdinalColumn = %q", got)
	}
}
