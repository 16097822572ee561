package syncdriver

import "sync"

// Reporter serialises progress reports from the reading and the writing
// goroutine of a table.
type Reporter struct {
	mu   sync.Mutex
	fn   func(Progress)
	base int64 // rows committed before this attempt
	p    Progress
}

// NewReporter reports to fn, starting from checkpoint cp (the rows a
// resumed copy already committed).
func NewReporter(fn func(Progress), cp Checkpoint) *Reporter {
	return &Reporter{fn: fn, base: cp.Rows, p: Progress{Table: cp.Table, Rows: cp.Rows, Checkpoint: cp}}
}

// Streamed reports rows read in this attempt.
func (r *Reporter) Streamed(rows int64) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.p.Rows = max(r.p.Rows, r.base+rows)
	r.fn(r.p)
}

// Committed reports a new durable checkpoint.
func (r *Reporter) Committed(cp Checkpoint) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.p.Checkpoint = cp
	r.p.Rows = max(r.p.Rows, cp.Rows)
	r.fn(r.p)
}
