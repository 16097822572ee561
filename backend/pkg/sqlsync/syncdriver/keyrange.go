package syncdriver

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// KeyRange is one part of a keyed table: the rows with Lo <= key < Hi,
// an unset bound being open. A table split into ranges (sqlsync's
// Engine.SplitRanges) is copied range by range, each with its own
// checkpoint, so the ranges can run at once on different workers; the
// first range has no lower bound and the last no upper bound, and a
// range's upper bound is the next one's lower bound, so together they
// cover every key exactly once, whatever the table holds when each is
// read.
//
// A key of one signed integer column has integer bounds (Lo, Hi), written
// into SQL as numbers, never as text a tenant controls. Any other key — a
// text, uuid or date column, several columns — has key bounds (LoKey,
// HiKey): one value per key column, as text in the source's
// representation (that of Checkpoint.Key), which the dialect passes as
// parameters and compares in the database as a row, (a, b) >= (x, y), so
// text compares under the column's collation. Since one range's upper
// bound is its neighbour's lower bound and the database applies "<" to
// one and ">=" to the other, every row falls in exactly one range even
// when a bound is not a key the table holds.
type KeyRange struct {
	// Index is the range's position among Count ranges (0-based).
	Index int `json:"i"`
	Count int `json:"n"`
	// Lo is the least key of the range (nil: no lower bound).
	Lo *int64 `json:"lo,omitempty"`
	// Hi is the first key past the range (nil: no upper bound).
	Hi *int64 `json:"hi,omitempty"`
	// LoKey is the least key of a range of a non-integer or composite
	// key, one value per key column (nil: no lower bound).
	LoKey []string `json:"lok,omitempty"`
	// HiKey is the first key past such a range (nil: no upper bound).
	HiKey []string `json:"hik,omitempty"`
}

// ByKey reports whether r has key bounds (LoKey, HiKey) rather than
// integer ones: the dialect writes its predicates (see Predicates).
func (r *KeyRange) ByKey() bool { return r != nil && (r.LoKey != nil || r.HiKey != nil) }

// String names the range as messages show it: "range 3/8 [100, 200)",
// or "range 3/8" for key bounds, whose values are table data that run
// events and logs do not show.
func (r KeyRange) String() string {
	if r.ByKey() {
		return fmt.Sprintf("range %d/%d", r.Index+1, r.Count)
	}
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
	return r.Index == o.Index && r.Count == o.Count && eq(r.Lo, o.Lo) && eq(r.Hi, o.Hi) &&
		slices.Equal(r.LoKey, o.LoKey) && (r.LoKey == nil) == (o.LoKey == nil) &&
		slices.Equal(r.HiKey, o.HiKey) && (r.HiKey == nil) == (o.HiKey == nil)
}

// Predicates returns the integer range's conditions on the quoted key
// column (none for a nil range, or one with key bounds: the dialect
// writes those with KeyCompare or its own row comparison).
func (r *KeyRange) Predicates(quotedKey string) []string {
	if r == nil || r.ByKey() {
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

// Conditions returns the conditions that select r's rows of a table
// whose key has keyLen columns, the first quoted as quotedFirst: an
// integer range's as SQL (Predicates), a key range's bounds each written
// by bound — op ">=" with the lower bound's values, "<" with the upper
// one's — which the dialect writes with parameters.
func (r *KeyRange) Conditions(keyLen int, quotedFirst string, bound func(op string, values []string) string) ([]string, error) {
	if !r.ByKey() {
		return r.Predicates(quotedFirst), nil
	}
	if (r.LoKey != nil && len(r.LoKey) != keyLen) || (r.HiKey != nil && len(r.HiKey) != keyLen) {
		return nil, fmt.Errorf("%s does not fit a key of %d columns", r, keyLen)
	}
	var out []string
	if r.LoKey != nil {
		out = append(out, bound(">=", r.LoKey))
	}
	if r.HiKey != nil {
		out = append(out, bound("<", r.HiKey))
	}
	return out, nil
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

// SplitAt returns the n+1 ranges of a key cut at bounds (n key values
// strictly increasing in the database's key order, each one value per
// key column): the first open below, the last open above.
func SplitAt(bounds [][]string) []KeyRange {
	n := len(bounds) + 1
	out := make([]KeyRange, n)
	for i := range out {
		out[i] = KeyRange{Index: i, Count: n}
		if i > 0 {
			b := slices.Clone(bounds[i-1])
			out[i].LoKey = b
			out[i-1].HiKey = b
		}
	}
	return out
}

// KeyCompare writes the lexicographic comparison of the quoted key
// columns with one placeholder per value — (k1 op ?) for one column,
// (k1 > ?) OR (k1 = ? AND k2 op ?) … for several, op being ">", ">=" or
// "<" ("<=" is not needed) — and the values its placeholders take, in
// order. It spells out the row comparison (k1, k2) op (?, ?) for
// databases that do not use an index for one (MariaDB), and each column
// compares under its own collation.
func KeyCompare(quotedKey []string, op string, values []string) (string, []any) {
	strict := strings.TrimSuffix(op, "=")
	var ors []string
	var args []any
	for i := range quotedKey {
		var ands []string
		for k := 0; k < i; k++ {
			ands = append(ands, quotedKey[k]+" = ?")
			args = append(args, values[k])
		}
		o := strict
		if i == len(quotedKey)-1 {
			o = op
		}
		ands = append(ands, quotedKey[i]+" "+o+" ?")
		args = append(args, values[i])
		ors = append(ors, "("+strings.Join(ands, " AND ")+")")
	}
	if len(ors) == 1 {
		return ors[0], args
	}
	return "(" + strings.Join(ors, " OR ") + ")", args
}

// Quantiles returns the n-1 keys that cut sample — keys sorted by the
// database in the key's order, distinct — into n parts of about equal
// size (fewer when the sample is smaller than n): the bounds of n key
// ranges (SplitAt). Positions are chosen, never values compared.
func Quantiles(sample [][]string, n int) [][]string {
	n = min(n, len(sample))
	var out [][]string
	for i := 1; i < n; i++ {
		out = append(out, sample[i*len(sample)/n])
	}
	return out
}
