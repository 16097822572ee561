package fpe

import (
	"bytes"
	"errors"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

var testKey = []byte("0123456789abcdef0123456789abcdef")

// checkIntBijection permutes the whole of [min, max] and checks the images
// cover it exactly once and invert back.
func checkIntBijection(t *testing.T, key []byte, min, max int64) {
	t.Helper()
	p, err := NewIntPermutation(key, min, max, nil)
	if err != nil {
		t.Fatal(err)
	}
	n := int(max - min + 1)
	seen := make([]bool, n)
	for x := min; ; x++ {
		y, err := p.Permute(x)
		if err != nil {
			t.Fatalf("[%d,%d] Permute(%d): %v", min, max, x, err)
		}
		if y < min || y > max {
			t.Fatalf("[%d,%d] Permute(%d) = %d out of range", min, max, x, y)
		}
		if seen[y-min] {
			t.Fatalf("[%d,%d] collision on %d", min, max, y)
		}
		seen[y-min] = true
		back, err := p.Invert(y)
		if err != nil || back != x {
			t.Fatalf("[%d,%d] Invert(Permute(%d)) = %d, %v", min, max, x, back, err)
		}
		if x == max {
			break
		}
	}
}

func TestIntBijectionSmallRanges(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(1, 2))
	for size := int64(1); size <= 300; size++ {
		offsets := []int64{0, -size / 2, rng.Int64N(1 << 40), -rng.Int64N(1 << 40), math.MinInt64, math.MaxInt64 - size + 1}
		for _, off := range offsets {
			checkIntBijection(t, testKey, off, off+size-1)
		}
	}
}

func TestIntTinyRangesMove(t *testing.T) {
	t.Parallel()
	// A size-1 range is the identity; larger ranges are not the identity for
	// most keys (checked over many keys so the test is not luck).
	p, _ := NewIntPermutation(testKey, 7, 7, nil)
	if y, err := p.Permute(7); y != 7 || err != nil {
		t.Fatalf("size 1: %d %v", y, err)
	}
	moved := 0
	for k := range 64 {
		p, _ := NewIntPermutation([]byte{byte(k), 1}, 0, 2, nil)
		y, _ := p.Permute(0)
		if y != 0 {
			moved++
		}
	}
	if moved < 20 || moved > 60 {
		t.Fatalf("size 3: 0 moved under %d of 64 keys", moved)
	}
}

func TestIntOutOfRange(t *testing.T) {
	t.Parallel()
	p, _ := NewIntPermutation(testKey, -5, 5, nil)
	var re *RangeError
	if _, err := p.Permute(6); !errors.As(err, &re) {
		t.Fatalf("Permute(6): %v", err)
	}
	if _, err := p.Invert(-6); !errors.As(err, &re) {
		t.Fatalf("Invert(-6): %v", err)
	}
	if _, err := NewIntPermutation(testKey, 5, 4, nil); err == nil {
		t.Fatal("min > max accepted")
	}
	if _, err := NewIntPermutation(nil, 0, 4, nil); !errors.Is(err, ErrEmptyKey) {
		t.Fatalf("empty key: %v", err)
	}
}

func TestIntFullRangeRoundTrip(t *testing.T) {
	t.Parallel()
	p, err := NewIntPermutation(testKey, math.MinInt64, math.MaxInt64, nil)
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(3, 4))
	inputs := []int64{math.MinInt64, math.MinInt64 + 1, -1, 0, 1, math.MaxInt64 - 1, math.MaxInt64}
	for range 10000 {
		inputs = append(inputs, int64(rng.Uint64()))
	}
	for _, x := range inputs {
		y, err := p.Permute(x)
		if err != nil {
			t.Fatal(err)
		}
		if back, _ := p.Invert(y); back != x {
			t.Fatalf("round trip %d -> %d -> %d", x, y, back)
		}
	}
}

func TestIntDeterminismAndKeys(t *testing.T) {
	t.Parallel()
	mk := func(key, tweak []byte, min, max int64) *IntPermutation {
		p, err := NewIntPermutation(key, min, max, tweak)
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	images := func(p *IntPermutation) []int64 {
		out := make([]int64, 0, 1000)
		for x := int64(0); x < 1000; x++ {
			y, _ := p.Permute(p.Min() + x)
			out = append(out, y)
		}
		return out
	}
	a := images(mk(testKey, nil, 0, 1<<40))
	if !slices.Equal(a, images(mk(testKey, nil, 0, 1<<40))) {
		t.Fatal("same key gave different permutations")
	}
	for name, other := range map[string]*IntPermutation{
		"key":   mk([]byte("another key"), nil, 0, 1<<40),
		"tweak": mk(testKey, []byte("t"), 0, 1<<40),
		"range": mk(testKey, nil, 0, 1<<40+1),
	} {
		same := 0
		for i, y := range images(other) {
			if y == a[i] {
				same++
			}
		}
		if same > 2 {
			t.Fatalf("different %s: %d of 1000 images equal", name, same)
		}
	}
}

// noDuplicates sorts vs and fails on an adjacent pair of equal values.
func noDuplicates(t *testing.T, vs []uint64) {
	t.Helper()
	slices.Sort(vs)
	for i := 1; i < len(vs); i++ {
		if vs[i] == vs[i-1] {
			t.Fatalf("collision on %#x", vs[i])
		}
	}
}

const bigSample = 10_000_000

// TestIntNoCollision10M permutes 10 million distinct int64s over the full
// range and checks the images are distinct (80 MB of images).
func TestIntNoCollision10M(t *testing.T) {
	if testing.Short() {
		t.Skip("permutes 10 million values (about 2 s); skipped under -short")
	}
	p, _ := NewIntPermutation(testKey, math.MinInt64, math.MaxInt64, nil)
	out := make([]uint64, bigSample)
	// Half sequential keys (the usual shape of a primary key) and half
	// negative values spaced 1,000,003 apart from MinInt64: all distinct.
	for i := range bigSample / 2 {
		y, _ := p.Permute(int64(i))
		out[i] = uint64(y)
		y, _ = p.Permute(math.MinInt64 + int64(i)*1_000_003)
		out[bigSample/2+i] = uint64(y)
	}
	noDuplicates(t, out)
}

// TestUUIDNoCollision10M permutes 10 million distinct UUIDs. Two equal
// 128-bit images would also be equal in their low 64 bits, so it sorts only
// those (80 MB); a chance collision of 64-bit projections would have
// probability ~3e-6, and the test is deterministic.
func TestUUIDNoCollision10M(t *testing.T) {
	if testing.Short() {
		t.Skip("permutes 10 million UUIDs (about 2 s); skipped under -short")
	}
	p, _ := NewUUIDPermutation(testKey, nil)
	out := make([]uint64, bigSample)
	var u [16]byte
	u[6], u[8] = 0x40, 0x80 // version 4, RFC 4122 variant
	for i := range bigSample {
		// Distinct inputs: a counter in the free bits of bytes 12..15.
		u[12], u[13], u[14], u[15] = byte(i>>24), byte(i>>16), byte(i>>8), byte(i)
		v := p.Permute(u)
		out[i] = uint64(v[8])<<56 | uint64(v[9])<<48 | uint64(v[10])<<40 | uint64(v[11])<<32 |
			uint64(v[12])<<24 | uint64(v[13])<<16 | uint64(v[14])<<8 | uint64(v[15])
	}
	noDuplicates(t, out)
}

func TestUUIDFixedBitsAndRoundTrip(t *testing.T) {
	t.Parallel()
	p, _ := NewUUIDPermutation(testKey, nil)
	rng := rand.New(rand.NewPCG(5, 6))
	for i := range 20000 {
		var u [16]byte
		for j := range u {
			u[j] = byte(rng.Uint32())
		}
		if i == 0 {
			u = [16]byte{}
		}
		if i == 1 {
			u = [16]byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}
		}
		v := p.Permute(u)
		if v[6]>>4 != u[6]>>4 {
			t.Fatalf("version changed: %x -> %x", u, v)
		}
		keep := byte(0xc0)
		if u[8]>>6 == 3 {
			keep = 0xe0
		}
		if v[8]&keep != u[8]&keep {
			t.Fatalf("variant changed: %x -> %x", u, v)
		}
		if p.Invert(v) != u {
			t.Fatalf("round trip failed for %x", u)
		}
		if v == u && i > 1 {
			t.Fatalf("fixed point %x (astronomically unlikely)", u)
		}
	}
}

// TestUUIDInjectiveSlice checks there is no collision among 2^14 inputs per
// variant (a slice of the domain is not closed under the permutation, so
// exhaustive bijectivity cannot be checked on it; Feistel structure plus the
// round trips above cover that).
func TestUUIDInjectiveSlice(t *testing.T) {
	t.Parallel()
	p, _ := NewUUIDPermutation(testKey, []byte("tweak"))
	seen := map[[16]byte]bool{}
	for _, variant := range []byte{0x80, 0xc0, 0xe0, 0x00} {
		for i := range 1 << 14 {
			u := [16]byte{6: 0x70, 8: variant, 14: byte(i >> 8), 15: byte(i)}
			v := p.Permute(u)
			if seen[v] {
				t.Fatalf("collision on %x", v)
			}
			seen[v] = true
		}
	}
}

func TestUUIDKeysDiffer(t *testing.T) {
	t.Parallel()
	a, _ := NewUUIDPermutation(testKey, nil)
	b, _ := NewUUIDPermutation([]byte("other"), nil)
	c, _ := NewUUIDPermutation(testKey, []byte("t"))
	a2, _ := NewUUIDPermutation(testKey, nil)
	u := [16]byte{1, 2, 3, 4, 5, 6, 0x41, 8, 0x89, 10}
	if a.Permute(u) != a2.Permute(u) {
		t.Fatal("not deterministic")
	}
	if a.Permute(u) == b.Permute(u) || a.Permute(u) == c.Permute(u) {
		t.Fatal("other key or tweak gave the same image")
	}
}

// allVectors enumerates every digit vector of the radices.
func allVectors(radices []int) [][]int {
	out := [][]int{{}}
	for _, r := range radices {
		var next [][]int
		for _, v := range out {
			for d := range r {
				next = append(next, append(slices.Clone(v), d))
			}
		}
		out = next
	}
	return out
}

func checkRadixBijection(t *testing.T, p *RadixPermutation) {
	t.Helper()
	radices := p.Radices()
	seen := map[string]bool{}
	vs := allVectors(radices)
	for _, v := range vs {
		y, err := p.Permute(v)
		if err != nil {
			t.Fatal(err)
		}
		for i, d := range y {
			if d < 0 || d >= radices[i] {
				t.Fatalf("%v: digit %d out of radix %d", radices, d, radices[i])
			}
		}
		k := intsKey(y)
		if seen[k] {
			t.Fatalf("%v: collision on %v", radices, y)
		}
		seen[k] = true
		back, err := p.Invert(y)
		if err != nil || !slices.Equal(back, v) {
			t.Fatalf("%v: Invert(Permute(%v)) = %v, %v", radices, v, back, err)
		}
	}
	if len(seen) != len(vs) {
		t.Fatalf("%v: %d images for %d inputs", radices, len(seen), len(vs))
	}
}

func intsKey(v []int) string {
	var b bytes.Buffer
	for _, d := range v {
		b.WriteString(string(rune(d + 1)))
	}
	return b.String()
}

func TestRadixBijection(t *testing.T) {
	t.Parallel()
	shapes := [][]int{
		{}, {1}, {1, 1, 1}, {2}, {3}, {10}, {26}, {10, 10, 10}, {26, 10, 26, 26}, {2, 3, 5, 7},
		{1, 10, 1, 10}, {52, 52}, {7, 1, 1, 3, 1},
	}
	for _, rs := range shapes {
		p, err := NewRadixPermutation(testKey, rs, []byte("shape"))
		if err != nil {
			t.Fatal(err)
		}
		checkRadixBijection(t, p)
	}
}

// TestRadixBigPathBijection runs the math/big Feistel (used above 2^64) on
// small domains, where exhaustive checking is possible.
func TestRadixBigPathBijection(t *testing.T) {
	t.Parallel()
	for _, rs := range [][]int{{1}, {2}, {3}, {10, 10, 10}, {26, 10, 26}, {2, 3, 5, 7}, {17, 1, 19}} {
		p, err := newRadix(testKey, rs, nil, true)
		if err != nil {
			t.Fatal(err)
		}
		if p.big == nil {
			t.Fatal("big path not taken")
		}
		checkRadixBijection(t, p)
	}
}

func TestRadixLargeRoundTrip(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(7, 8))
	for _, n := range []int{14, 20, 64, 200, 1000} {
		rs := make([]int, n)
		for i := range rs {
			rs[i] = []int{26, 26, 10, 1, 2, 1 << 40}[rng.IntN(6)]
		}
		p, err := NewRadixPermutation(testKey, rs, nil)
		if err != nil {
			t.Fatal(err)
		}
		seen := map[string]bool{}
		for range 50 {
			v := make([]int, n)
			for i, r := range rs {
				v[i] = rng.IntN(r)
			}
			y, err := p.Permute(v)
			if err != nil {
				t.Fatal(err)
			}
			for i, r := range rs {
				if y[i] < 0 || y[i] >= r || (r == 1 && y[i] != 0) {
					t.Fatalf("n=%d: digit %d at %d for radix %d", n, y[i], i, r)
				}
			}
			back, _ := p.Invert(y)
			if !slices.Equal(back, v) {
				t.Fatalf("n=%d: round trip failed", n)
			}
			seen[intsKey(y)] = true
		}
		if len(seen) < 45 {
			t.Fatalf("n=%d: only %d distinct images of 50 random inputs", n, len(seen))
		}
	}
}

func TestRadixErrors(t *testing.T) {
	t.Parallel()
	if _, err := NewRadixPermutation(testKey, []int{10, 0}, nil); err == nil {
		t.Fatal("radix 0 accepted")
	}
	p, _ := NewRadixPermutation(testKey, []int{10, 10}, nil)
	if _, err := p.Permute([]int{1}); err == nil {
		t.Fatal("short vector accepted")
	}
	if _, err := p.Permute([]int{1, 10}); err == nil {
		t.Fatal("digit 10 accepted for radix 10")
	}
	if _, err := p.Invert([]int{-1, 0}); err == nil {
		t.Fatal("negative digit accepted")
	}
}

func TestRadixTweakAndKey(t *testing.T) {
	t.Parallel()
	rs := []int{10, 10, 10, 10, 10, 10}
	a, _ := NewRadixPermutation(testKey, rs, []byte("a"))
	b, _ := NewRadixPermutation(testKey, rs, []byte("b"))
	c, _ := NewRadixPermutation([]byte("k2"), rs, []byte("a"))
	a2, _ := NewRadixPermutation(testKey, rs, []byte("a"))
	v := []int{1, 2, 3, 4, 5, 6}
	ya, _ := a.Permute(v)
	ya2, _ := a2.Permute(v)
	yb, _ := b.Permute(v)
	yc, _ := c.Permute(v)
	if !slices.Equal(ya, ya2) {
		t.Fatal("not deterministic")
	}
	if slices.Equal(ya, yb) || slices.Equal(ya, yc) {
		t.Fatal("other tweak or key gave the same image")
	}
}

func BenchmarkIntPermuteFullRange(b *testing.B) {
	p, _ := NewIntPermutation(testKey, math.MinInt64, math.MaxInt64, nil)
	var x int64
	for i := 0; b.Loop(); i++ {
		x, _ = p.Permute(int64(i))
	}
	_ = x
}

func BenchmarkIntPermuteRange1000(b *testing.B) {
	p, _ := NewIntPermutation(testKey, 0, 999, nil)
	var x int64
	for i := 0; b.Loop(); i++ {
		x, _ = p.Permute(int64(i % 1000))
	}
	_ = x
}

func BenchmarkUUIDPermute(b *testing.B) {
	p, _ := NewUUIDPermutation(testKey, nil)
	u := [16]byte{6: 0x40, 8: 0x80}
	for i := 0; b.Loop(); i++ {
		u[15] = byte(i)
		u = p.Permute(u)
	}
}

func BenchmarkRadixPermute10Digits(b *testing.B) {
	p, _ := NewRadixPermutation(testKey, []int{10, 10, 10, 10, 10, 10, 10, 10, 10, 10}, nil)
	v := []int{1, 2, 3, 4, 5, 6, 7, 8, 9, 0}
	for b.Loop() {
		_, _ = p.Permute(v)
	}
}

func BenchmarkRadixPermute36Letters(b *testing.B) {
	rs := make([]int, 36)
	v := make([]int, 36)
	for i := range rs {
		rs[i] = 26
		v[i] = i % 26
	}
	p, _ := NewRadixPermutation(testKey, rs, nil)
	for b.Loop() {
		_, _ = p.Permute(v)
	}
}

func BenchmarkNewRadixPermutation(b *testing.B) {
	rs := []int{26, 26, 26, 10, 10}
	for b.Loop() {
		_, _ = NewRadixPermutation(testKey, rs, []byte("shape"))
	}
}
