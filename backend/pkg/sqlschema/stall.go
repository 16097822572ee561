package sqlschema

import (
	"context"
	"fmt"
	"math"
	"sync/atomic"
	"time"
)

// StreamStallTimeout bounds how long [Inspector.StreamRows] waits for the
// next row. A stream may legitimately run for as long as the table takes
// to read (the CLI syncs whole tables through it), so it has no statement
// timeout; but a statement that produces no row for this long — a WHERE
// clause that sleeps or scans without matching — is cancelled, which
// bounds the database time one request can hold without cutting a stream
// that makes progress.
const StreamStallTimeout = 30 * time.Second

// streamStallTimeout is StreamStallTimeout, shortened by tests.
var streamStallTimeout = StreamStallTimeout

// StallError reports a stream cancelled because no row arrived within
// its stall timeout.
type StallError struct {
	Table TableName
	After time.Duration
}

// Error describes the problem for people.
func (e *StallError) Error() string {
	return fmt.Sprintf("reading %s produced no row for %s, so it was stopped; a WHERE clause that matches rows sooner (or uses an index) avoids this", e.Table, e.After)
}

// stallWatch cancels a stream whose rows stop arriving. progress is cheap
// (one atomic store) so it can be called per row.
type stallWatch struct {
	last    atomic.Int64 // unix nanoseconds of the last progress
	stalled atomic.Bool
	done    chan struct{}
}

// watchStall starts a watch that calls cancel when progress was not
// called for d; stop ends it.
func watchStall(cancel context.CancelFunc, d time.Duration) *stallWatch {
	w := &stallWatch{done: make(chan struct{})}
	w.progress()
	tick := max(d/10, time.Millisecond)
	go func() {
		t := time.NewTicker(tick)
		defer t.Stop()
		for {
			select {
			case <-w.done:
				return
			case now := <-t.C:
				if last := w.last.Load(); last != math.MaxInt64 && now.UnixNano()-last > int64(d) {
					w.stalled.Store(true)
					cancel()
					return
				}
			}
		}
	}()
	return w
}

func (w *stallWatch) progress() { w.last.Store(time.Now().UnixNano()) }

// away marks the time until the next progress as spent outside the
// database (handing a batch to a slow client), which is not a stall.
func (w *stallWatch) away() { w.last.Store(math.MaxInt64) }

func (w *stallWatch) stop() { close(w.done) }

// err turns the stream's error into a *StallError when the watch
// cancelled it.
func (w *stallWatch) err(t TableName, d time.Duration, err error) error {
	if err != nil && w.stalled.Load() {
		return &StallError{Table: t, After: d}
	}
	return err
}
