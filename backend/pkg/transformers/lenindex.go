package transformers

import (
	"math/rand/v2"
	"slices"
	"unicode/utf8"
)

// lenIndex is a word list sorted by length in characters, so that a random
// entry of at most, or exactly, a given length is one draw.
type lenIndex struct {
	items []string
	// values are items boxed once as transformer outputs, so that a
	// generator returning an entry allocates nothing.
	values []any
	upTo   []int // upTo[n] counts the items of at most n characters
}

// newLenIndex indexes list, dropping empty and duplicate entries.
func newLenIndex(list []string) *lenIndex {
	items := slices.Clone(list)
	slices.Sort(items)
	items = slices.Compact(items)
	items = slices.DeleteFunc(items, func(s string) bool { return s == "" })
	slices.SortStableFunc(items, func(a, b string) int {
		return utf8.RuneCountInString(a) - utf8.RuneCountInString(b)
	})
	longest := utf8.RuneCountInString(items[len(items)-1])
	upTo := make([]int, longest+1)
	for _, s := range items {
		upTo[utf8.RuneCountInString(s)]++
	}
	for n := 1; n <= longest; n++ {
		upTo[n] += upTo[n-1]
	}
	values := make([]any, len(items))
	for i, s := range items {
		values[i] = s
	}
	return &lenIndex{items: items, values: values, upTo: upTo}
}

// minLen and maxLen are the shortest and longest lengths in characters.
func (x *lenIndex) minLen() int { return utf8.RuneCountInString(x.items[0]) }
func (x *lenIndex) maxLen() int { return len(x.upTo) - 1 }

// any returns a random entry.
func (x *lenIndex) any(r *rand.Rand) string { return x.items[r.IntN(len(x.items))] }

// atMost returns a random entry of at most n characters (any entry when
// n <= 0), and false when none is that short.
func (x *lenIndex) atMost(r *rand.Rand, n int) (string, bool) {
	i, ok := x.atMostIndex(r, n)
	if !ok {
		return "", false
	}
	return x.items[i], true
}

// atMostIndex is atMost returning the entry's index, with the same draws.
func (x *lenIndex) atMostIndex(r *rand.Rand, n int) (int, bool) {
	if n <= 0 || n >= x.maxLen() {
		return r.IntN(len(x.items)), true
	}
	c := x.upTo[n]
	if c == 0 {
		return 0, false
	}
	return r.IntN(c), true
}

// exactly returns a random entry of exactly n characters.
func (x *lenIndex) exactly(r *rand.Rand, n int) (string, bool) {
	if n <= 0 || n > x.maxLen() {
		return "", false
	}
	lo, hi := x.upTo[n-1], x.upTo[n]
	if lo == hi {
		return "", false
	}
	return x.items[lo+r.IntN(hi-lo)], true
}

// fit returns a random entry of at most n characters (n <= 0: any), or a
// random entry cut to n characters when none is that short.
func (x *lenIndex) fit(r *rand.Rand, n int) string {
	if i, ok := x.atMostIndex(r, n); ok {
		return x.items[i]
	}
	return truncateRunes(x.any(r), n)
}

// fitValue is fit as a transformer output: an entry comes boxed already.
func (x *lenIndex) fitValue(r *rand.Rand, n int) any {
	if i, ok := x.atMostIndex(r, n); ok {
		return x.values[i]
	}
	return truncateRunes(x.any(r), n)
}

// appendFit is fit appending the entry to dst, with the same draws.
func (x *lenIndex) appendFit(dst []byte, r *rand.Rand, n int) []byte {
	if i, ok := x.atMostIndex(r, n); ok {
		return append(dst, x.items[i]...)
	}
	return append(dst, truncateRunes(x.any(r), n)...)
}
