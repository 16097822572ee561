package syncdriver

import (
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
}

// NewLeaks returns an empty collector whose sketches keep capacity hashes
// per side (0: leakscan.DefaultCapacity).
func NewLeaks(capacity int) *Leaks {
	return &Leaks{capacity: capacity, sketches: map[string][]*leakscan.Sketch{}}
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
	l.mu.Lock()
	defer l.mu.Unlock()
	out := make(map[string]leakscan.Result, len(l.sketches))
	for col, parts := range l.sketches {
		merged := leakscan.New(l.capacity)
		for _, p := range parts {
			merged.Merge(p)
		}
		out[col] = merged.Result()
	}
	return out
}
