package syncdriver

import (
	"math"
	"testing"
)

// TestSplitKeys checks that the ranges cover every key once, in order,
// open at both ends, for small, negative and extreme spans.
func TestSplitKeys(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name      string
		lo, hi    int64
		n, ranges int
	}{
		{"even", 1, 100, 4, 4},
		{"uneven", 0, 10, 5, 5},
		{"negative", -3000, 23000, 5, 5},
		{"fewer keys than ranges", 7, 9, 8, 3},
		{"one key", 5, 5, 4, 1},
		{"no ranges asked", 1, 10, 0, 1},
		{"whole int64", math.MinInt64, math.MaxInt64, 64, 64},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got := SplitKeys(tc.lo, tc.hi, tc.n)
			if len(got) != tc.ranges {
				t.Fatalf("%d ranges %v, want %d", len(got), got, tc.ranges)
			}
			if got[0].Lo != nil || got[len(got)-1].Hi != nil {
				t.Fatalf("ranges %v are not open at both ends", got)
			}
			for i := 1; i < len(got); i++ {
				if got[i].Lo == nil || got[i-1].Hi == nil || *got[i].Lo != *got[i-1].Hi || got[i].Index != i || got[i].Count != len(got) {
					t.Fatalf("ranges %v are not contiguous", got)
				}
				if *got[i].Lo <= tc.lo || *got[i].Lo > tc.hi {
					t.Fatalf("bound %d of %v is outside (%d, %d]: a range would be empty", *got[i].Lo, got, tc.lo, tc.hi)
				}
				if i > 1 && *got[i].Lo <= *got[i-1].Lo {
					t.Fatalf("bounds of %v do not increase", got)
				}
			}
		})
	}
}

// TestKeyRangePredicates writes the bounds as numbers on the quoted key.
func TestKeyRangePredicates(t *testing.T) {
	t.Parallel()
	lo, hi := int64(-5), int64(10)
	r := KeyRange{Index: 1, Count: 3, Lo: &lo, Hi: &hi}
	got := r.Predicates(`"id"`)
	if len(got) != 2 || got[0] != `"id" >= -5` || got[1] != `"id" < 10` {
		t.Fatalf("predicates %q", got)
	}
	if (*KeyRange)(nil).Predicates(`"id"`) != nil || r.String() != "range 2/3 [-5, 10)" {
		t.Fatalf("nil range predicates or name %q", r.String())
	}
}
