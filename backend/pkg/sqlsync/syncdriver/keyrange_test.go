package syncdriver

import (
	"math"
	"slices"
	"strconv"
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

// TestKeyCompare spells out the row comparison with one placeholder per
// value, the last column taking the operator and the others strictly.
func TestKeyCompare(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, op string
		key      []string
		values   []string
		want     string
		args     []any
	}{
		{"one column", ">=", []string{"`a`"}, []string{"x"}, "(`a` >= ?)", []any{"x"}},
		{"two columns after", ">", []string{"`a`", "`b`"}, []string{"x", "1"}, "((`a` > ?) OR (`a` = ? AND `b` > ?))", []any{"x", "x", "1"}},
		{"two columns from", ">=", []string{"`a`", "`b`"}, []string{"x", "1"}, "((`a` > ?) OR (`a` = ? AND `b` >= ?))", []any{"x", "x", "1"}},
		{"three columns below", "<", []string{"`a`", "`b`", "`c`"}, []string{"x", "1", "z"},
			"((`a` < ?) OR (`a` = ? AND `b` < ?) OR (`a` = ? AND `b` = ? AND `c` < ?))", []any{"x", "x", "1", "x", "1", "z"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, args := KeyCompare(tc.key, tc.op, tc.values)
			if got != tc.want || !slices.Equal(args, tc.args) {
				t.Fatalf("KeyCompare = %s %q, want %s %q", got, args, tc.want, tc.args)
			}
		})
	}
}

// TestSplitAtQuantiles cuts a sorted sample into ranges by position: n
// ranges of about equal size, contiguous, open at both ends, their key
// bounds hidden from String.
func TestSplitAtQuantiles(t *testing.T) {
	t.Parallel()
	var sample [][]string
	for i := range 100 {
		sample = append(sample, []string{"k", strconv.Itoa(1000 + i)})
	}
	bounds := Quantiles(sample, 4)
	if len(bounds) != 3 || bounds[0][1] != "1025" || bounds[1][1] != "1050" || bounds[2][1] != "1075" {
		t.Fatalf("quantiles %v", bounds)
	}
	if got := Quantiles(sample[:2], 8); len(got) != 1 || got[0][1] != "1001" {
		t.Fatalf("quantiles of a sample smaller than n: %v", got)
	}
	if got := Quantiles(nil, 8); got != nil {
		t.Fatalf("quantiles of no sample: %v", got)
	}
	ranges := SplitAt(bounds)
	if len(ranges) != 4 || ranges[0].LoKey != nil || ranges[3].HiKey != nil || !ranges[0].ByKey() || !ranges[3].ByKey() {
		t.Fatalf("ranges %+v", ranges)
	}
	for i := 1; i < 4; i++ {
		if !slices.Equal(ranges[i].LoKey, ranges[i-1].HiKey) || !slices.Equal(ranges[i].LoKey, bounds[i-1]) {
			t.Fatalf("ranges %+v are not contiguous at the bounds", ranges)
		}
	}
	if ranges[1].String() != "range 2/4" || ranges[1].Predicates("`k`") != nil {
		t.Fatalf("a key range shows %q, integer predicates %q", ranges[1].String(), ranges[1].Predicates("`k`"))
	}
	other := ranges[1]
	other.HiKey = []string{"k", "1051"}
	if other.Same(&ranges[1]) || !ranges[1].Same(&ranges[1]) {
		t.Fatal("Same does not compare key bounds")
	}
}
