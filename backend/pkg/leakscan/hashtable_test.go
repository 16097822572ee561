package leakscan

import (
	"bytes"
	"cmp"
	"encoding/binary"
	"maps"
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
	"testing"
)

// TestHashTableMatchesMap drives a hashTable and a Go map with the same
// inserts, increments and prunes and checks they always hold the same
// hashes and values. The hashes are drawn so that many share their low
// bits (long probe runs, runs wrapping past the array's end) and include
// 0 (the empty-slot marker, kept apart).
func TestHashTableMatchesMap(t *testing.T) {
	t.Parallel()
	for seed := range uint64(40) {
		r := rand.New(rand.NewPCG(seed, 7))
		tab := newHashTable[int64](int(seed % 3 * 10))
		ref := map[uint64]int64{}
		threshold := uint64(math.MaxUint64)
		draw := func() uint64 {
			switch r.IntN(4) {
			case 0:
				return 0
			case 1: // few low-bit patterns: collisions and wrap-around
				return r.Uint64()&^0xff | uint64(0xf0+r.IntN(16))
			default:
				return r.Uint64N(threshold) + 1
			}
		}
		for step := range 4000 {
			switch {
			case step%500 == 499:
				threshold >>= 1
				tab.prune(threshold)
				maps.DeleteFunc(ref, func(h uint64, _ int64) bool { return h > threshold })
			default:
				h := draw()
				if h > threshold {
					continue
				}
				n := int64(r.IntN(3) + 1)
				*tab.ref(h) += n
				ref[h] += n
			}
			if tab.len() != len(ref) {
				t.Fatalf("seed %d step %d: table holds %d hashes, map %d", seed, step, tab.len(), len(ref))
			}
		}
		got := map[uint64]int64{}
		for h, v := range tab.all() {
			if _, dup := got[h]; dup {
				t.Fatalf("seed %d: hash %x yielded twice", seed, h)
			}
			got[h] = v
		}
		if !maps.Equal(got, ref) {
			t.Fatalf("seed %d: table and map differ", seed)
		}
		for h, v := range ref {
			if w, ok := tab.get(h); !ok || w != v {
				t.Fatalf("seed %d: get(%x) = %d, %v; want %d", seed, h, w, ok, v)
			}
		}
		sorted := tab.sorted()
		if !slices.IsSortedFunc(sorted, func(a, b slot[int64]) int { return cmp.Compare(a.h, b.h) }) || len(sorted) != len(ref) {
			t.Fatalf("seed %d: sorted() not in order or incomplete", seed)
		}
	}
}

// TestSketchMatchesMapSketch is the property test of the sketch's store:
// on random workloads — rows from small and large domains, NULLs,
// capacities small enough to halve the threshold many times, batches
// started with Empty and merged back, merges in both directions, a
// serialisation round trip mid-way — the sketch gives exactly the
// Result, threshold and serialised bytes of mapSketch, the Go-map
// implementation it replaced (kept below as the reference).
func TestSketchMatchesMapSketch(t *testing.T) {
	t.Parallel()
	seed := RandomSeed()
	for trial := range uint64(60) {
		r := rand.New(rand.NewPCG(trial, 99))
		capacity := []int{2, 3, 7, 50, 400, 5000}[r.IntN(6)]
		domain := []int{5, 100, 3000, 1 << 30}[r.IntN(4)]
		value := func() ([]byte, bool) {
			if r.IntN(20) == 0 {
				return nil, true
			}
			return []byte("v" + strconv.Itoa(r.IntN(domain))), false
		}
		sk, ref := NewSeeded(capacity, seed), newMapSketch(capacity, seed)
		curS, curR := sk.Empty(), ref.empty()
		for step := range 6000 {
			switch {
			case step%1000 == 999: // end of a batch: fold it in, start another
				if err := sk.Merge(curS); err != nil {
					t.Fatal(err)
				}
				ref.merge(curR)
				curS, curR = sk.Empty(), ref.empty()
			case step == 3500: // a sketch stored and restored mid-way
				b, _ := sk.MarshalBinary()
				back, err := UnmarshalSketch(b, seed)
				if err != nil {
					t.Fatalf("trial %d: %v", trial, err)
				}
				sk = back
			default:
				in, inNull := value()
				out, outNull := value()
				if r.IntN(10) == 0 { // a passthrough row
					out, outNull = in, inNull
				}
				curS.Add(in, inNull, out, outNull)
				curR.add(in, inNull, out, outNull)
			}
		}
		// Merge the open batch into the whole, and the whole into it.
		other, otherR := curS.Empty(), curR.empty()
		_ = other.Merge(sk)
		otherR.merge(ref)
		_ = other.Merge(curS)
		otherR.merge(curR)
		for i, p := range []struct {
			s *Sketch
			m *mapSketch
		}{{sk, ref}, {curS, curR}, {other, otherR}} {
			if got, want := p.s.Result(), p.m.result(); got != want {
				t.Fatalf("trial %d (capacity %d, domain %d) sketch %d: result %+v, reference %+v", trial, capacity, domain, i, got, want)
			}
			got, _ := p.s.MarshalBinary()
			if want := p.m.marshal(); !bytes.Equal(got, want) || p.s.Threshold() != p.m.threshold {
				t.Fatalf("trial %d sketch %d: serialised form or threshold differs from the reference's", trial, i)
			}
		}
	}
}

// mapSketch is the Sketch as it was built on Go maps, kept as the
// reference of TestSketchMatchesMapSketch.
type mapSketch struct {
	s         *Sketch // seed, capacity and the hash function
	threshold uint64
	out       map[uint64]int64
	src       map[uint64]struct{}
	rows      int64
	selfEqual int64
}

func newMapSketch(capacity int, seed Seed) *mapSketch {
	return &mapSketch{s: NewSeeded(capacity, seed), threshold: math.MaxUint64, out: map[uint64]int64{}, src: map[uint64]struct{}{}}
}

func (m *mapSketch) empty() *mapSketch {
	e := newMapSketch(m.s.capacity, m.s.seed)
	e.threshold = m.threshold
	return e
}

func (m *mapSketch) add(in []byte, inNull bool, out []byte, outNull bool) {
	if !inNull {
		if h := m.s.hash(in); h <= m.threshold {
			m.src[h] = struct{}{}
			if len(m.src) > m.s.capacity {
				m.shrink()
			}
		}
	}
	if outNull {
		return
	}
	m.rows++
	if !inNull && bytes.Equal(in, out) {
		m.selfEqual++
	}
	if h := m.s.hash(out); h <= m.threshold {
		m.out[h]++
		if len(m.out) > m.s.capacity {
			m.shrink()
		}
	}
}

func (m *mapSketch) shrink() {
	for len(m.out) > m.s.capacity || len(m.src) > m.s.capacity {
		m.threshold >>= 1
		m.prune()
	}
}

func (m *mapSketch) prune() {
	maps.DeleteFunc(m.out, func(h uint64, _ int64) bool { return h > m.threshold })
	maps.DeleteFunc(m.src, func(h uint64, _ struct{}) bool { return h > m.threshold })
}

func (m *mapSketch) merge(o *mapSketch) {
	m.rows += o.rows
	m.selfEqual += o.selfEqual
	if o.threshold < m.threshold {
		m.threshold = o.threshold
		m.prune()
	}
	for h, n := range o.out {
		if h <= m.threshold {
			m.out[h] += n
		}
	}
	for h := range o.src {
		if h <= m.threshold {
			m.src[h] = struct{}{}
		}
	}
	m.shrink()
}

func (m *mapSketch) result() Result {
	r := Result{Rows: m.rows, SelfEqual: m.selfEqual, Exact: m.threshold == math.MaxUint64, Rate: 1}
	if !r.Exact {
		r.Rate = float64(m.threshold) / math.MaxUint64
	}
	r.SourceDistinct = float64(len(m.src)) / r.Rate
	r.OutputDistinct = float64(len(m.out)) / r.Rate
	for h, n := range m.out {
		r.Sampled += n
		if _, ok := m.src[h]; ok {
			r.Equal += n
		}
	}
	return r
}

// marshal is the serialised form ("LKS1") written from the maps, as the
// map-based sketch wrote it.
func (m *mapSketch) marshal() []byte {
	b := append([]byte(nil), magicSketch...)
	b = binary.AppendUvarint(b, uint64(m.s.capacity))
	b = binary.LittleEndian.AppendUint64(b, m.s.seed.fingerprint())
	b = binary.LittleEndian.AppendUint64(b, m.threshold)
	b = binary.AppendUvarint(b, uint64(m.rows))
	b = binary.AppendUvarint(b, uint64(m.selfEqual))
	out := slices.Sorted(maps.Keys(m.out))
	b = binary.AppendUvarint(b, uint64(len(out)))
	var prev uint64
	for _, h := range out {
		b = binary.AppendUvarint(b, h-prev)
		b = binary.AppendUvarint(b, uint64(m.out[h]))
		prev = h
	}
	src := slices.Sorted(maps.Keys(m.src))
	b = binary.AppendUvarint(b, uint64(len(src)))
	prev = 0
	for _, h := range src {
		b = binary.AppendUvarint(b, h-prev)
		prev = h
	}
	return b
}
