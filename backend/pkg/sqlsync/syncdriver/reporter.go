package syncdriver

import (
	"sync"
	"sync/atomic"
)

// Reporter serialises progress reports from the reading and the writing
// goroutine of a table, and counts the bytes each side moves. A nil
// *Reporter counts and reports nothing.
type Reporter struct {
	mu   sync.Mutex
	fn   func(Progress)
	base int64 // rows committed before this attempt
	p    Progress

	read, written atomic.Int64 // bytes in this attempt
}

// NewReporter reports to fn, starting from checkpoint cp (the rows a
// resumed copy already committed).
func NewReporter(fn func(Progress), cp Checkpoint) *Reporter {
	return &Reporter{fn: fn, base: cp.Rows, p: Progress{Table: cp.Table, Rows: cp.Rows, Checkpoint: cp}}
}

// Sketching makes every report carry l (Progress.Leaks), whose committed
// sketches describe the reported checkpoint's rows.
func (r *Reporter) Sketching(l *Leaks) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.p.Leaks = l
}

// Streamed reports rows read in this attempt.
func (r *Reporter) Streamed(rows int64) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.p.Rows = max(r.p.Rows, r.base+rows)
	r.send()
}

// Committed reports a new durable checkpoint.
func (r *Reporter) Committed(cp Checkpoint) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.p.Checkpoint = cp
	r.p.Rows = max(r.p.Rows, cp.Rows)
	r.send()
}

// Read counts n bytes read from the source; they go out with the next
// report. The reading goroutine calls it per row or per message, so it
// takes no lock.
func (r *Reporter) Read(n int) {
	if r != nil {
		r.read.Add(int64(n))
	}
}

// Wrote counts n bytes a destination committed; they go out with the
// next report (Committed, which follows every commit).
func (r *Reporter) Wrote(n int64) {
	if r != nil {
		r.written.Add(n)
	}
}

func (r *Reporter) send() {
	r.p.BytesRead, r.p.BytesWritten = r.read.Load(), r.written.Load()
	r.fn(r.p)
}
