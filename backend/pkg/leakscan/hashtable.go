package leakscan

import (
	"cmp"
	"iter"
	"slices"
)

// hashTable is the store behind each side of a Sketch: a set of 64-bit
// hashes, each with a value (a row count for the output side, nothing for
// the source side), in one open-addressing array with linear probing.
//
// It replaces Go maps on the copy's hot path: a slot is the hash and its
// value side by side (one cache line per probe, no per-entry allocation,
// no tophash or group metadata), the sketch's hashes are already uniformly
// mixed (a slot is the hash's low bits, no second hash), and dropping the
// hashes above a lowered threshold (prune) rebuilds the array in one pass.
// The zero hash marks an empty slot, so the one value that hashes to 0 —
// about 2^-64 of them — is kept apart (hasZero).
//
// Only which hashes it holds and their values matter to a Sketch: its
// Result and serialised form are the same whatever the order of slots.
type hashTable[V int64 | struct{}] struct {
	slots []slot[V] // len is 0 or a power of two
	n     int       // nonzero hashes held
	// hasZero is set when the hash 0 is held, with its value in zero.
	hasZero bool
	zero    V
}

// slot is one entry of a hashTable: h is 0 when the slot is empty.
type slot[V int64 | struct{}] struct {
	v V // first: a trailing zero-size field would be padded to 8 bytes
	h uint64
}

// minSlots is the smallest array a table allocates: a sketch of a small
// table stays small.
const minSlots = 16

// maxLoadQuarters is the fraction of slots (in quarters) a table fills before it
// doubles: at 3/4 linear probing still finds a hash in under three probes
// on average, and a full default sketch (20,001 hashes, briefly, before it
// halves) fits 32,768 slots.
const maxLoadQuarters = 3

// newHashTable returns a table sized for about hint hashes without
// growing (none allocated when hint is 0).
func newHashTable[V int64 | struct{}](hint int) hashTable[V] {
	var t hashTable[V]
	if hint > 0 {
		t.slots = make([]slot[V], slotsFor(hint))
	}
	return t
}

// slotsFor is the array length that holds n hashes within the load.
func slotsFor(n int) int {
	s := minSlots
	for s*maxLoadQuarters/4 < n {
		s <<= 1
	}
	return s
}

// len is the number of hashes held.
func (t *hashTable[V]) len() int {
	if t.hasZero {
		return t.n + 1
	}
	return t.n
}

// ref returns h's value, adding h (with the zero value) when it is not
// held yet. The pointer is valid until the next call that adds or
// removes a hash.
func (t *hashTable[V]) ref(h uint64) *V {
	if h == 0 {
		t.hasZero = true
		return &t.zero
	}
	if (t.n+1)*4 > len(t.slots)*maxLoadQuarters {
		t.grow()
	}
	mask := uint64(len(t.slots) - 1)
	for i := h & mask; ; i = (i + 1) & mask {
		s := &t.slots[i]
		if s.h == h {
			return &s.v
		}
		if s.h == 0 {
			s.h = h
			t.n++
			return &s.v
		}
	}
}

// get returns h's value and whether h is held.
func (t *hashTable[V]) get(h uint64) (V, bool) {
	if h == 0 {
		return t.zero, t.hasZero
	}
	var none V
	if t.n == 0 {
		return none, false
	}
	mask := uint64(len(t.slots) - 1)
	for i := h & mask; ; i = (i + 1) & mask {
		s := &t.slots[i]
		if s.h == h {
			return s.v, true
		}
		if s.h == 0 {
			return none, false
		}
	}
}

// grow doubles the array (or allocates the first one) and re-inserts the
// hashes.
func (t *hashTable[V]) grow() { t.resize(max(minSlots, 2*len(t.slots))) }

// reserve makes room for n hashes in all without growing on the way.
// Adding another table's hashes needs it: they come in the order of its
// slots, that is of their low bits, so a smaller array would take them
// in runs that pile up into long probe sequences before it grows.
func (t *hashTable[V]) reserve(n int) {
	if want := slotsFor(n); want > len(t.slots) {
		t.resize(want)
	}
}

// resize moves the hashes into an array of size slots.
func (t *hashTable[V]) resize(size int) {
	old := t.slots
	t.slots = make([]slot[V], size)
	t.n = 0
	t.reinsert(old)
}

// reinsert puts the occupied slots of old into t.slots.
func (t *hashTable[V]) reinsert(old []slot[V]) {
	mask := uint64(len(t.slots) - 1)
	for _, o := range old {
		if o.h == 0 {
			continue
		}
		i := o.h & mask
		for t.slots[i].h != 0 {
			i = (i + 1) & mask
		}
		t.slots[i] = o
		t.n++
	}
}

// prune drops the hashes above threshold. Linear probing cannot just
// empty a slot (a hash further along its run would no longer be found),
// so the kept hashes are then moved back towards their home slots, in
// place: each run of occupied slots, taken from its first slot on, is
// re-inserted slot by slot, which only ever moves a hash to an earlier
// slot of its run.
func (t *hashTable[V]) prune(threshold uint64) {
	if t.n == 0 {
		return
	}
	// An empty slot before any is emptied: every run starts after one.
	start := 0
	for t.slots[start].h != 0 {
		start++
	}
	n := t.n
	for i := range t.slots {
		if t.slots[i].h > threshold {
			t.slots[i] = slot[V]{}
			t.n--
		}
	}
	if t.n == n {
		return
	}
	mask := len(t.slots) - 1
	for k := 1; k < len(t.slots); k++ {
		i := (start + k) & mask
		s := t.slots[i]
		if s.h == 0 {
			continue
		}
		t.slots[i] = slot[V]{}
		j := int(s.h) & mask
		for t.slots[j].h != 0 {
			j = (j + 1) & mask
		}
		t.slots[j] = s
	}
}

// all yields every hash held and its value, in no particular order.
func (t *hashTable[V]) all() iter.Seq2[uint64, V] {
	return func(yield func(uint64, V) bool) {
		if t.hasZero && !yield(0, t.zero) {
			return
		}
		for _, s := range t.slots {
			if s.h != 0 && !yield(s.h, s.v) {
				return
			}
		}
	}
}

// sorted returns the hashes held with their values, in increasing order
// of hash.
func (t *hashTable[V]) sorted() []slot[V] {
	out := make([]slot[V], 0, t.len())
	for h, v := range t.all() {
		out = append(out, slot[V]{h: h, v: v})
	}
	slices.SortFunc(out, func(a, b slot[V]) int { return cmp.Compare(a.h, b.h) })
	return out
}

// equal reports whether t and o hold the same hashes with the same
// values, however they are laid out.
func (t *hashTable[V]) equal(o *hashTable[V]) bool {
	if t.len() != o.len() {
		return false
	}
	for h, v := range t.all() {
		if w, ok := o.get(h); !ok || w != v {
			return false
		}
	}
	return true
}
