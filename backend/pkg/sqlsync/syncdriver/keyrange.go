package syncdriver

import (
	"fmt"
	"strconv"
)

// KeyRange is one part of a keyed table whose key is a single integer
// column: the rows with Lo <= key < Hi, an unset bound being open. A
// table split into ranges (sqlsync's Engine.SplitRanges) is copied range
// by range, each with its own checkpoint, so the ranges can run at once
// on different workers; the first range has no Lo and the last no Hi, so
// together they cover every key, whatever the table holds when each is
// read. Bounds are integers, so they are written into SQL as numbers,
// never as text a tenant controls.
type KeyRange struct {
	// Index is the range's position among Count ranges (0-based).
	Index int `json:"i"`
	Count int `json:"n"`
	// Lo is the least key of the range (nil: no lower bound).
	Lo *int64 `json:"lo,omitempty"`
	// Hi is the first key past the range (nil: no upper bound).
	Hi *int64 `json:"hi,omitempty"`
}

// String names the range as messages show it: "range 3/8 [100, 200)".
func (r KeyRange) String() string {
	bound := func(b *int64, open string) string {
		if b == nil {
			return open
		}
		return strconv.FormatInt(*b, 10)
	}
	return fmt.Sprintf("range %d/%d [%s, %s)", r.Index+1, r.Count, bound(r.Lo, "-∞"), bound(r.Hi, "∞"))
}

// Same reports whether r and o are the same range of a table.
func (r *KeyRange) Same(o *KeyRange) bool {
	if r == nil || o == nil {
		return r == o
	}
	eq := func(a, b *int64) bool { return (a == nil && b == nil) || (a != nil && b != nil && *a == *b) }
	return r.Index == o.Index && r.Count == o.Count && eq(r.Lo, o.Lo) && eq(r.Hi, o.Hi)
}

// Predicates returns the range's conditions on the quoted key column
// (none for a nil range).
func (r *KeyRange) Predicates(quotedKey string) []string {
	if r == nil {
		return nil
	}
	var preds []string
	if r.Lo != nil {
		preds = append(preds, quotedKey+" >= "+strconv.FormatInt(*r.Lo, 10))
	}
	if r.Hi != nil {
		preds = append(preds, quotedKey+" < "+strconv.FormatInt(*r.Hi, 10))
	}
	return preds
}

// SplitKeys divides the keys lo..hi (inclusive, lo <= hi) into n ranges
// of about equal width; the first is open below and the last above. n is
// at least 1 and at most the number of keys. The arithmetic is unsigned,
// so any span of int64 keys splits without overflow.
func SplitKeys(lo, hi int64, n int) []KeyRange {
	span := uint64(hi) - uint64(lo) // the number of keys, less one
	n = max(n, 1)
	if span < uint64(n-1) {
		n = int(span) + 1
	}
	step := span / uint64(n)
	if span%uint64(n) != 0 {
		step++
	}
	out := make([]KeyRange, n)
	for i := range out {
		out[i] = KeyRange{Index: i, Count: n}
		if i > 0 {
			b := int64(uint64(lo) + uint64(i)*step)
			out[i].Lo = &b
			out[i-1].Hi = &b
		}
	}
	return out
}
