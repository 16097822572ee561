package syncdriver

import (
	"slices"
	"sync"

	"github.com/neosyncio/neosync/backend/pkg/leakscan"
)

// Leaks collects, during one table's copy, a leakscan.Sketch per
// transformed column: each goroutine that transforms rows registers its
// own sketches (Sketch), and Results merges them once the copy is over.
// Verification then reads the leak scan from these instead of re-reading
// the source (see package leakscan). Safe for concurrent use.
type Leaks struct {
	capacity int
	mu       sync.Mutex
	sketches map[string][]*leakscan.Sketch
	// quasi are the table's quasi-identifier columns whose joint
	// self-equality is counted per row (at least two, else none), and
	// counters the goroutines' counts.
	quasi    []string
	counters []*leakscan.RowCounter
}

// NewLeaks returns an empty collector whose sketches keep capacity hashes
// per side (0: leakscan.DefaultCapacity). When quasi names at least two
// columns, the rows that keep all of them equal to their own source values
// are counted too (see leakscan.RowCounter).
func NewLeaks(capacity int, quasi []string) *Leaks {
	l := &Leaks{capacity: capacity, sketches: map[string][]*leakscan.Sketch{}}
	if len(quasi) >= 2 {
		l.quasi = quasi
	}
	return l
}

// IsQuasiIdentifier reports whether column's self-equality counts towards
// row-level re-identification.
func (l *Leaks) IsQuasiIdentifier(column string) bool {
	return l != nil && slices.Contains(l.quasi, column)
}

// RowCounter returns a new counter of re-identified rows for one
// goroutine's rows; nil (which counts nothing) when l is nil or the table
// has fewer than two quasi-identifiers.
func (l *Leaks) RowCounter() *leakscan.RowCounter {
	if l == nil || l.quasi == nil {
		return nil
	}
	c := leakscan.NewRowCounter(len(l.quasi))
	l.mu.Lock()
	l.counters = append(l.counters, c)
	l.mu.Unlock()
	return c
}

// Reidentified merges every goroutine's row counts; nil when nothing was
// counted. Call it after the goroutines are done.
func (l *Leaks) Reidentified() *leakscan.RowCount {
	if l == nil || len(l.counters) == 0 {
		return nil
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	total := leakscan.NewRowCounter(len(l.quasi))
	for _, c := range l.counters {
		total.Merge(c)
	}
	n := total.Count(slices.Clone(l.quasi))
	return &n
}

// Sketch returns a new sketch of column for one goroutine's rows; nil
// when l is nil (nothing is recorded), which leakscan's Add must not be
// called on: callers check.
func (l *Leaks) Sketch(column string) *leakscan.Sketch {
	if l == nil {
		return nil
	}
	s := leakscan.New(l.capacity)
	l.mu.Lock()
	l.sketches[column] = append(l.sketches[column], s)
	l.mu.Unlock()
	return s
}

// Results merges every goroutine's sketches, per column. Call it after the
// goroutines are done with them.
func (l *Leaks) Results() map[string]leakscan.Result {
	if l == nil {
		return nil
	}
	out := map[string]leakscan.Result{}
	for col, s := range l.Sketches() {
		out[col] = s.Result()
	}
	return out
}

// Sketches merges every goroutine's sketches, per column, and returns the
// merged sketches themselves (Results summarises them), for a caller that
// merges them further (the ranges of one table).
func (l *Leaks) Sketches() map[string]*leakscan.Sketch {
	if l == nil {
		return nil
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	out := make(map[string]*leakscan.Sketch, len(l.sketches))
	for col, parts := range l.sketches {
		merged := leakscan.New(l.capacity)
		for _, p := range parts {
			merged.Merge(p)
		}
		out[col] = merged
	}
	return out
}
