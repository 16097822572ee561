package sqlsync

import "sync"

// reporter serialises progress reports from the reading and the writing
// goroutine of a table.
type reporter struct {
	mu   sync.Mutex
	fn   func(Progress)
	base int64 // rows committed before this attempt
	p    Progress
}

func newReporter(fn func(Progress), cp Checkpoint) *reporter {
	return &reporter{fn: fn, base: cp.Rows, p: Progress{Table: cp.Table, Rows: cp.Rows, Checkpoint: cp}}
}

// streamed reports rows read in this attempt.
func (r *reporter) streamed(rows int64) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.p.Rows = max(r.p.Rows, r.base+rows)
	r.fn(r.p)
}

// committed reports a new durable checkpoint.
func (r *reporter) committed(cp Checkpoint) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.p.Checkpoint = cp
	r.p.Rows = max(r.p.Rows, cp.Rows)
	r.fn(r.p)
}
