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
	seed     leakscan.Seed
	mu       sync.Mutex
	sketches map[string][]*leakscan.Sketch
	// quasi are the table's quasi-identifier columns whose joint
	// self-equality is counted per row (at least two, else none), and
	// counters the goroutines' counts.
	quasi    []string
	counters []*leakscan.RowCounter
}

// NewLeaks returns an empty collector whose sketches keep capacity hashes
// per side (0: leakscan.DefaultCapacity) and hash with seed (the zero
// Seed: this process's, for sketches merged only here; a run's
// leakscan.RunSeed for sketches merged on another worker). When quasi
// names at least two columns, the rows that keep all of them equal to
// their own source values are counted too (see leakscan.RowCounter).
func NewLeaks(capacity int, seed leakscan.Seed, quasi []string) *Leaks {
	l := &Leaks{capacity: capacity, seed: seed, sketches: map[string][]*leakscan.Sketch{}}
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
	s := leakscan.NewSeeded(l.capacity, l.seed)
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
	return l.Table().Results()
}

// Table merges every goroutine's sketches, per column, and row counters,
// and returns them for a caller that merges them further (the key ranges
// of one table, possibly copied on other workers: see
// leakscan.Table.MarshalBinary); nil when l is nil. Call it after the
// goroutines are done.
func (l *Leaks) Table() *leakscan.Table {
	if l == nil {
		return nil
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	t := &leakscan.Table{Columns: make(map[string]*leakscan.Sketch, len(l.sketches))}
	for col, parts := range l.sketches {
		merged := leakscan.NewSeeded(l.capacity, l.seed)
		for _, p := range parts {
			_ = merged.Merge(p) // one seed: never fails
		}
		t.Columns[col] = merged
	}
	if l.quasi != nil {
		t.Quasi = slices.Clone(l.quasi)
		t.Rows = leakscan.NewRowCounter(len(l.quasi))
		for _, c := range l.counters {
			t.Rows.Merge(c)
		}
	}
	return t
}
