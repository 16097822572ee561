package leakscan

import (
	"bytes"
	"fmt"
	"math"

	"github.com/cespare/xxhash/v2"
)

// DefaultCapacity is the number of distinct hashes a Sketch keeps per side
// when New is given 0: 20,000, twice the verification report's default
// sample of 10,000 values, so a halving never leaves fewer than 10,000.
// A full sketch's two hash tables take 768 KiB (32,768 slots of 16 and
// of 8 bytes); one other full sketches were merged into, twice that.
const DefaultCapacity = 20_000

// Sketch records one transformed column of one table during a copy. It is
// not safe for concurrent use; give each goroutine its own and Merge them.
// Sketches merge when they were built with the same Seed, in this process
// or — serialised with MarshalBinary — in another.
type Sketch struct {
	seed      Seed
	capacity  int
	threshold uint64              // hashes above it are not kept
	out       hashTable[int64]    // sampled output hashes → rows
	src       hashTable[struct{}] // sampled source hashes
	rows      int64               // rows with a non-NULL output
	selfEqual int64
	// pendSrc[:nSrc] and pendOut[:nOut] are hashes Add found at or
	// below the threshold and has not put in the tables yet (see flush).
	pendSrc, pendOut [pendingMax]uint64
	nSrc, nOut       int
	// shared, when set, makes this sketch a part of a Shared one: flush
	// puts the held-back hashes in it, and this sketch's tables stay
	// empty.
	shared *Shared
}

// pendingMax is how many hashes of each side Add holds back before it
// puts them in the tables (flush).
const pendingMax = 64

// New returns an empty sketch keeping at most capacity hashes per side
// (0 means DefaultCapacity; at least 2), hashing with this process's
// random seed: it merges only with sketches of this process.
func New(capacity int) *Sketch { return NewSeeded(capacity, Seed{}) }

// NewSeeded returns an empty sketch like New, hashing with seed (the zero
// Seed is this process's random one). Sketches built on several workers
// merge when they share a seed, such as a run's (RunSeed).
func NewSeeded(capacity int, seed Seed) *Sketch {
	if capacity <= 0 {
		capacity = DefaultCapacity
	}
	capacity = max(capacity, 2)
	return &Sketch{seed: seed.resolve(), capacity: capacity, threshold: math.MaxUint64}
}

// Empty returns an empty sketch of s's seed and capacity that keeps only
// hashes at or below s's current threshold: the sketch of further rows
// of the same column (say, the next batch of a copy), which merges with
// s into what one sketch of all the rows would hold (the merge keeps the
// lower threshold, so nothing above s's is lost by not keeping it).
func (s *Sketch) Empty() *Sketch {
	s.flush()
	// Sized like s (a part: like its shared sketch): the next batch of a
	// column tends to keep about as many hashes, and a table grown row by
	// row rehashes on the way.
	out, src := s.out.len(), s.src.len()
	if s.shared != nil {
		out, src = s.shared.lens()
	}
	return &Sketch{seed: s.seed, capacity: s.capacity, threshold: s.threshold,
		out: newHashTable[int64](out), src: newHashTable[struct{}](src)}
}

// Threshold is the greatest hash the sketch keeps (math.MaxUint64 while
// it is exact): of two sketches of one column's rows, the one with the
// lower threshold has seen more distinct values.
func (s *Sketch) Threshold() uint64 {
	s.flush()
	return s.threshold
}

// hash is the sketch's seeded 64-bit hash of one value: xxHash64 of the
// value, keyed by the seed through a bijective mixer (SplitMix64's
// finaliser), so two values collide exactly when their xxHash64 values
// do (about 2^-64 for distinct inputs), and which hashes fall under the
// threshold depends on the seed. (xxHash64's own seeded form costs four
// times as much per value.)
func (s *Sketch) hash(b []byte) uint64 { return mix(xxhash.Sum64(b), s.seed.k) }

// mix is hash's keyed mixer of an xxHash64 value x, apart so that it
// inlines: Add calls xxhash itself, which spares a call per value.
func mix(x, k uint64) uint64 {
	x ^= k
	x = (x ^ x>>30) * 0xbf58476d1ce4e5b9
	x = (x ^ x>>27) * 0x94d049bb133111eb
	return x ^ x>>31
}

// Add records one row: its source value in and its transformed value out,
// each in one canonical encoding shared by both sides (the same type's
// wire encoding). A NULL output is not a leak and is not sampled; a NULL
// input is no source value.
func (s *Sketch) Add(in []byte, inNull bool, out []byte, outNull bool) {
	if !inNull {
		if h := mix(xxhash.Sum64(in), s.seed.k); h <= s.threshold {
			s.pendSrc[s.nSrc] = h
			if s.nSrc++; s.nSrc == pendingMax {
				s.flush()
			}
		}
	}
	if outNull {
		return
	}
	s.rows++
	if !inNull && bytes.Equal(in, out) {
		s.selfEqual++
	}
	if h := mix(xxhash.Sum64(out), s.seed.k); h <= s.threshold {
		s.pendOut[s.nOut] = h
		if s.nOut++; s.nOut == pendingMax {
			s.flush()
		}
	}
}

// flush puts the hashes Add held back in the tables, halving the
// threshold as they overflow, as Add would have done row by row. Holding
// them back changes nothing a sketch reports: what it ends with — the
// greatest threshold (a halving of the initial one) at which the distinct
// hashes of each side fit the capacity, the hashes at or below it, each
// output hash's rows — does not depend on the order hashes come in (which
// is also why sketches merge exactly), and a hash kept back under a
// threshold lowered since is dropped here. What it gains: the inserts,
// each a likely cache miss in a table of a few hundred KiB, run back to
// back, so the processor overlaps their misses instead of taking them one
// by one between rows' other work. Every method that reads the tables or
// the threshold flushes first.
func (s *Sketch) flush() {
	if s.shared != nil {
		s.shared.absorb(s)
	} else {
		s.insert(s.pendSrc[:s.nSrc], s.pendOut[:s.nOut])
	}
	s.nSrc, s.nOut = 0, 0
}

// insert puts source hashes src and output hashes out in the tables,
// halving the threshold as they overflow (see flush).
func (s *Sketch) insert(src, out []uint64) {
	for _, h := range src {
		if h <= s.threshold {
			s.src.ref(h)
			if s.src.len() > s.capacity {
				s.shrink()
			}
		}
	}
	for _, h := range out {
		if h <= s.threshold {
			*s.out.ref(h)++
			if s.out.len() > s.capacity {
				s.shrink()
			}
		}
	}
}

// AddSource records a source value whose row produced no output to
// compare (a row the copy skipped), so that it still counts as a value the
// source holds.
func (s *Sketch) AddSource(in []byte) { s.Add(in, false, nil, true) }

// shrink halves the threshold until both sides fit the capacity.
func (s *Sketch) shrink() {
	for s.out.len() > s.capacity || s.src.len() > s.capacity {
		s.threshold >>= 1
		s.prune()
	}
}

// prune drops the hashes above the threshold.
func (s *Sketch) prune() {
	s.out.prune(s.threshold)
	s.src.prune(s.threshold)
}

// Merge adds o's rows to s; the merged sample is what one sketch over
// all the rows would have kept at the lower of the two thresholds. o
// still describes the same rows, but no other goroutine may be using it:
// its held-back hashes move into its tables (flush). Sketches of different seeds hash the same value
// differently and do not merge: Merge then returns an error and leaves s
// unchanged.
func (s *Sketch) Merge(o *Sketch) error {
	if o == nil {
		return nil
	}
	if o.seed != s.seed {
		return fmt.Errorf("leakscan: sketches of different hash seeds cannot be merged")
	}
	s.flush()
	o.flush() // o's rows stay the same: only its held-back hashes move
	s.rows += o.rows
	s.selfEqual += o.selfEqual
	if o.threshold < s.threshold {
		s.threshold = o.threshold
		s.prune()
	}
	s.out.reserve(s.out.len() + o.out.len())
	s.src.reserve(s.src.len() + o.src.len())
	for h, n := range o.out.all() {
		if h <= s.threshold {
			*s.out.ref(h) += n
		}
	}
	for h := range o.src.all() {
		if h <= s.threshold {
			s.src.ref(h)
		}
	}
	s.shrink()
	return nil
}

// Result is what a sketch says about its column.
type Result struct {
	// Rows are the rows with a non-NULL output.
	Rows int64 `json:"rows"`
	// SelfEqual are the rows whose output equals their own input (exact).
	SelfEqual int64 `json:"self_equal"`
	// Sampled are the rows in the sample and Equal those of them whose
	// output equals a value the source column holds in any row.
	Sampled int64 `json:"sampled"`
	Equal   int64 `json:"equal"`
	// Rate is the fraction of distinct output values sampled (1 when
	// exact).
	Rate float64 `json:"rate"`
	// Exact is true when the sample is every row: Equal is then the exact
	// count over the table.
	Exact bool `json:"exact"`
	// SourceDistinct and OutputDistinct estimate the distinct source and
	// output values (exact when Exact): the sampled distinct hashes scaled
	// by Rate. The policy derives a small domain's expected rate of chance
	// matches from them (see Judge).
	SourceDistinct float64 `json:"source_distinct,omitempty"`
	OutputDistinct float64 `json:"output_distinct,omitempty"`
}

// Result summarises the sketch.
func (s *Sketch) Result() Result {
	s.flush()
	r := Result{Rows: s.rows, SelfEqual: s.selfEqual, Exact: s.threshold == math.MaxUint64, Rate: 1}
	if !r.Exact {
		r.Rate = float64(s.threshold) / math.MaxUint64
	}
	r.SourceDistinct = float64(s.src.len()) / r.Rate
	r.OutputDistinct = float64(s.out.len()) / r.Rate
	for h, n := range s.out.all() {
		r.Sampled += n
		if _, ok := s.src.get(h); ok {
			r.Equal += n
		}
	}
	return r
}

// Margin95 is the half-width of a 95 % confidence interval for the
// fraction of rows whose output equals a source value, estimated as
// Equal/Sampled (normal approximation; 0 when exact). Rows sharing an
// output value are sampled together, so with heavily repeated values the
// true interval is wider.
func (r Result) Margin95() float64 {
	if r.Exact || r.Sampled == 0 {
		return 0
	}
	p := float64(r.Equal) / float64(r.Sampled)
	return 1.96 * math.Sqrt(max(p*(1-p), 1/float64(r.Sampled))/float64(r.Sampled))
}
