package syncdriver

import (
	"fmt"
	"maps"
	"slices"
	"sync"

	"github.com/neosyncio/neosync/backend/pkg/leakscan"
)

// Leaks collects, during one table's copy, a leakscan.Sketch per
// transformed column: each goroutine that transforms rows registers its
// own sketches (SketchOf), and Table merges them once the copy is over.
// Verification then reads the leak scan from these instead of re-reading
// the source (see package leakscan). Safe for concurrent use.
//
// The sketches are kept per destination batch (its index in the
// attempt, the "generation"): a goroutine asks for new sketches when it
// starts on the rows of another batch, and Commit folds a batch's
// sketches into the committed ones once the destination committed it.
// So at any checkpoint the committed sketches describe exactly the rows
// the checkpoint covers (Committed), which a caller can store; a copy
// resumed from that checkpoint starts from them (Resume) and ends with
// what one uninterrupted copy would have measured.
type Leaks struct {
	capacity int
	seed     leakscan.Seed
	// quasi are the table's quasi-identifier columns whose joint
	// self-equality is counted per row (at least two, else none).
	quasi []string
	// only, when set, are the columns sketched (Only): an update pass
	// sketches the deferred columns it writes, not the key it reads with
	// them, whose sketch is the copy's.
	only map[string]bool

	mu sync.Mutex
	// gens are the sketches and row counters of the batches not yet
	// committed, by batch.
	gens map[int64]*leakGen
	// base holds the committed rows: a resumed copy's prefix and every
	// batch committed since; cp is the checkpoint it describes, and
	// tracked is true once it describes one (Resume or Commit).
	base    *leakscan.Table
	cp      Checkpoint
	tracked bool
}

// leakGen is the goroutines' sketches and counters of one batch's rows.
// The goroutines' sketches of a column are parts of one shared sketch
// (leakscan.Shared), so they fill one sample between them.
type leakGen struct {
	sketches map[string][]*leakscan.Sketch
	shared   map[string]*leakscan.Shared
	counters []*leakscan.RowCounter
}

// NewLeaks returns an empty collector whose sketches keep capacity hashes
// per side (0: leakscan.DefaultCapacity) and hash with seed (the zero
// Seed: this process's, for sketches merged only here; a run's
// leakscan.RunSeed for sketches merged on another worker). When quasi
// names at least two columns, the rows that keep all of them equal to
// their own source values are counted too (see leakscan.RowCounter).
func NewLeaks(capacity int, seed leakscan.Seed, quasi []string) *Leaks {
	l := &Leaks{capacity: capacity, seed: seed, gens: map[int64]*leakGen{}}
	if len(quasi) >= 2 {
		l.quasi = quasi
	}
	return l
}

// Only restricts l to sketching columns: SketchOf returns nil for any
// other. Call it before the sketches are used; it returns l.
func (l *Leaks) Only(columns ...string) *Leaks {
	l.only = map[string]bool{}
	for _, c := range columns {
		l.only[c] = true
	}
	return l
}

// IsQuasiIdentifier reports whether column's self-equality counts towards
// row-level re-identification.
func (l *Leaks) IsQuasiIdentifier(column string) bool {
	return l != nil && slices.Contains(l.quasi, column)
}

// gen returns batch g's sketches and counters; l.mu is held.
func (l *Leaks) gen(g int64) *leakGen {
	x := l.gens[g]
	if x == nil {
		x = &leakGen{sketches: map[string][]*leakscan.Sketch{}, shared: map[string]*leakscan.Shared{}}
		l.gens[g] = x
	}
	return x
}

// RowCounter returns a new counter of re-identified rows for one
// goroutine's rows of the first batch; see RowCounterOf.
func (l *Leaks) RowCounter() *leakscan.RowCounter { return l.RowCounterOf(0) }

// RowCounterOf returns a new counter of re-identified rows for one
// goroutine's rows of batch g; nil (which counts nothing) when l is nil or
// the table has fewer than two quasi-identifiers.
func (l *Leaks) RowCounterOf(g int64) *leakscan.RowCounter {
	if l == nil || l.quasi == nil {
		return nil
	}
	c := leakscan.NewRowCounter(len(l.quasi))
	l.mu.Lock()
	x := l.gen(g)
	x.counters = append(x.counters, c)
	l.mu.Unlock()
	return c
}

// Sketch returns a new sketch of column for one goroutine's rows of the
// first batch; see SketchOf.
func (l *Leaks) Sketch(column string) *leakscan.Sketch { return l.SketchOf(column, 0, nil) }

// SketchOf returns a new sketch of column for one goroutine's rows of
// batch g, continuing prev (the goroutine's sketch of the column's
// earlier rows, or nil): it keeps no hash above the threshold of prev or
// of the committed sketch of the column, whichever is lower — the merge
// would drop those anyway, and not keeping them spares a map insert per
// row. The sketches of one column and batch are parts of one shared
// sketch, so goroutines that convert the rows of one batch in turn fill
// one sample, not one each. Nil when l is nil or does not sketch column
// (Only): nothing is recorded, and leakscan's Add must not be called on
// it: callers check.
func (l *Leaks) SketchOf(column string, g int64, prev *leakscan.Sketch) *leakscan.Sketch {
	if l == nil || (l.only != nil && !l.only[column]) {
		return nil
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.base != nil {
		if c := l.base.Columns[column]; c != nil && (prev == nil || c.Threshold() < prev.Threshold()) {
			prev = c
		}
	}
	var s *leakscan.Sketch
	if prev != nil {
		s = prev.Empty()
	} else {
		s = leakscan.NewSeeded(l.capacity, l.seed)
	}
	x := l.gen(g)
	sh := x.shared[column]
	if sh == nil {
		sh = leakscan.Share(s)
		x.shared[column] = sh
	} else {
		sh.Lower(s.Threshold())
	}
	part := sh.Part()
	x.sketches[column] = append(x.sketches[column], part)
	return part
}

// Resume makes prefix — what the copy of the rows up to cp measured, as
// Committed returned it (restored on any worker when the sketches share
// a seed) — the committed part of a copy resumed from cp. It fails, and
// changes nothing, when prefix counts other quasi-identifiers.
func (l *Leaks) Resume(prefix *leakscan.Table, cp Checkpoint) error {
	if !slices.Equal(prefix.Quasi, l.quasi) && !(len(prefix.Quasi) == 0 && l.quasi == nil) {
		return fmt.Errorf("the stored leak sketches count other quasi-identifiers (%v, want %v)", prefix.Quasi, l.quasi)
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	l.base, l.cp, l.tracked = prefix, cp, true
	return nil
}

// Commit folds the sketches of batch g (and of any earlier batch left)
// into the committed ones and records cp, the checkpoint after the
// destination committed it. Call it after the batch is committed: every
// row of it has been recorded by then. A nil l does nothing.
func (l *Leaks) Commit(g int64, cp Checkpoint) {
	if l == nil {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.base == nil {
		l.base = l.empty()
	}
	for _, k := range slices.Sorted(maps.Keys(l.gens)) {
		if k > g {
			break
		}
		l.fold(l.base, l.gens[k])
		delete(l.gens, k)
	}
	cp.Sketches = nil
	l.cp, l.tracked = cp, true
}

// Committed serialises the committed sketches (leakscan.Table.MarshalParts)
// with the checkpoint they describe; ok is false when no checkpoint was
// committed (or resumed from) yet, or l is nil.
func (l *Leaks) Committed() (cp Checkpoint, header []byte, columns map[string][]byte, ok bool) {
	if l == nil {
		return Checkpoint{}, nil, nil, false
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if !l.tracked {
		return Checkpoint{}, nil, nil, false
	}
	base := l.base
	if base == nil {
		base = l.empty()
	}
	header, columns = base.MarshalParts()
	return l.cp, header, columns, true
}

// empty returns a table with no rows, with l's quasi-identifiers.
func (l *Leaks) empty() *leakscan.Table {
	t := &leakscan.Table{Columns: map[string]*leakscan.Sketch{}}
	if l.quasi != nil {
		t.Quasi = slices.Clone(l.quasi)
		t.Rows = leakscan.NewRowCounter(len(l.quasi))
	}
	return t
}

// fold merges one batch's sketches and counters into t.
func (l *Leaks) fold(t *leakscan.Table, x *leakGen) {
	for col, parts := range x.sketches {
		merged := t.Columns[col]
		if merged == nil {
			merged = leakscan.NewSeeded(l.capacity, l.seed)
			t.Columns[col] = merged
		}
		for _, p := range parts {
			_ = merged.Merge(p) // one seed: never fails
		}
		// After the parts, which flush what they held back into it.
		_ = x.shared[col].MergeInto(merged)
	}
	if t.Rows != nil {
		for _, c := range x.counters {
			t.Rows.Merge(c)
		}
	}
}

// Reidentified merges every goroutine's row counts; nil when the table
// has fewer than two quasi-identifiers. Call it after the goroutines are
// done.
func (l *Leaks) Reidentified() *leakscan.RowCount {
	if l == nil || l.quasi == nil {
		return nil
	}
	return l.Table().Reidentified()
}

// Results merges every goroutine's sketches, per column. Call it after the
// goroutines are done with them.
func (l *Leaks) Results() map[string]leakscan.Result {
	if l == nil {
		return nil
	}
	return l.Table().Results()
}

// Table merges the committed sketches and every goroutine's since, per
// column, and the row counters, and returns them for a caller that
// merges them further (the key ranges of one table, possibly copied on
// other workers: see leakscan.Table.MarshalParts); nil when l is nil.
// Call it after the goroutines are done.
func (l *Leaks) Table() *leakscan.Table {
	if l == nil {
		return nil
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	t := l.empty()
	if l.base != nil {
		_ = t.Merge(l.base) // one seed, the same quasi-identifiers (Resume)
	}
	for _, k := range slices.Sorted(maps.Keys(l.gens)) {
		l.fold(t, l.gens[k])
	}
	return t
}
