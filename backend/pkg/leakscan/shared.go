package leakscan

import "sync"

// Shared is one sketch that several goroutines record into at once, each
// through its own part (Part). A part is a Sketch that holds back hashes
// and counts rows as any sketch does, but puts the hashes it keeps in the
// shared sketch, under its lock, when it flushes (every pendingMax
// hashes), and takes the shared threshold back.
//
// The goroutines' rows so make one sample, the one a single sketch of all
// of them keeps, instead of a sample per goroutine that a merge cuts down
// afterwards: one set of tables is filled, halved and pruned rather than
// one per goroutine, and each part turns away the hashes above the
// common threshold, which falls as fast as all the rows together make it
// fall. What the parts and the shared sketch measure merged (merge the
// parts for their row counts, then the shared sketch with MergeInto) is
// what separate sketches of the same rows measure merged: a sketch's
// content does not depend on the order its hashes come in, nor on how
// they are split (see Sketch.flush and Sketch.Merge).
type Shared struct {
	mu sync.Mutex
	s  *Sketch
}

// Share returns a shared sketch that starts as s (an empty sketch, from
// NewSeeded or Empty, whose seed, capacity and threshold it keeps). s
// belongs to the shared sketch afterwards: use it only through parts.
func Share(s *Sketch) *Shared {
	s.flush()
	return &Shared{s: s}
}

// Part returns a new part for one goroutine. Record into it (Add), start
// the next batch's sketch from it (Empty) and merge it into another
// sketch; its own Result or MarshalBinary would show its row counts
// without the sample, which is the shared sketch's (MergeInto).
func (sh *Shared) Part() *Sketch {
	sh.mu.Lock()
	defer sh.mu.Unlock()
	return &Sketch{seed: sh.s.seed, capacity: sh.s.capacity, threshold: sh.s.threshold, shared: sh}
}

// Lower makes the shared sketch keep no hash above threshold, when that
// is below its own: the threshold of another sketch of the same column
// that the shared one will be merged with (which would drop those hashes
// anyway).
func (sh *Shared) Lower(threshold uint64) {
	sh.mu.Lock()
	defer sh.mu.Unlock()
	if threshold < sh.s.threshold {
		sh.s.threshold = threshold
		sh.s.prune()
	}
}

// MergeInto merges the hashes the parts put in the shared sketch into
// dst. The row counts are the parts': merge each part into dst too (in
// any order; a part merged flushes what it held back into the shared
// sketch, so merge the parts first).
func (sh *Shared) MergeInto(dst *Sketch) error {
	sh.mu.Lock()
	defer sh.mu.Unlock()
	return dst.Merge(sh.s)
}

// absorb puts part p's held-back hashes in the shared sketch and gives p
// its threshold.
func (sh *Shared) absorb(p *Sketch) {
	sh.mu.Lock()
	defer sh.mu.Unlock()
	sh.s.insert(p.pendSrc[:p.nSrc], p.pendOut[:p.nOut])
	p.threshold = sh.s.threshold
}

// lens returns the number of output and source hashes held.
func (sh *Shared) lens() (out, src int) {
	sh.mu.Lock()
	defer sh.mu.Unlock()
	return sh.s.out.len(), sh.s.src.len()
}
