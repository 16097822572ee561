package jsvm

import (
	"runtime/metrics"
	"sync"
	"sync/atomic"
	"time"
)

// heapSampleEvery is how often the watchdog samples memory while calls
// with a memory limit run. Growing the heap takes time in proportion to
// the bytes allocated (copying a 64 MiB string takes milliseconds), so a
// millisecond sees a runaway allocation loop within one or two of its
// allocations.
const heapSampleEvery = time.Millisecond

// watchdogLinger is how long the watchdog keeps sampling after the last
// watched call ended, so that calls made row after row find a fresh sample
// to start from instead of reading the heap themselves.
const watchdogLinger = time.Second

// The watchdog measures the memory the Go runtime holds: everything it has
// mapped (heap, stacks, metadata) less the heap pages it has returned to
// the operating system. That is close to the process's resident size, and
// unlike the size of heap objects it does not rise and fall with every
// garbage collection: a call that allocates garbage the heap can reuse does
// not grow it, while one that makes the heap take new pages (or keeps dead
// pages the runtime has not returned yet) does. Reading it does not stop
// the world, unlike runtime.ReadMemStats.
const (
	totalMetric    = "/memory/classes/total:bytes"
	releasedMetric = "/memory/classes/heap/released:bytes"
)

// readHeap returns the bytes the Go runtime holds now.
func readHeap() int64 {
	s := [2]metrics.Sample{{Name: totalMetric}, {Name: releasedMetric}}
	metrics.Read(s[:])
	if s[0].Value.Kind() != metrics.KindUint64 || s[1].Value.Kind() != metrics.KindUint64 {
		return 0 // not supported by this Go release: never exceeded
	}
	return int64(s[0].Value.Uint64()) - int64(s[1].Value.Uint64())
}

// watch is one VM's registration with the watchdog, reused by its calls.
type watch struct {
	limit int64
	// trip receives when the watchdog interrupted the call (capacity 1).
	trip chan struct{}

	// Guarded by watchdog.mu.
	sb      *sandbox
	base    int64
	tripped bool
	grown   int64
	index   int // in watchdog.calls
}

// watchdog is the process's one heap sampler. It runs while calls with a
// memory limit are in flight (and watchdogLinger after), so that a call
// costs a registration, not a timer and a heap read of its own.
type watchdog struct {
	mu      sync.Mutex
	calls   []*watch
	running bool
	idle    int // samples taken since a call was last in flight
	last    atomic.Int64
}

// dog is the process's watchdog.
var dog = &watchdog{}

// start registers w for a call running on sb, with the heap's size now
// (the latest sample, at most heapSampleEvery old) as its base.
func (d *watchdog) start(w *watch, sb *sandbox) {
	d.mu.Lock()
	fresh := !d.running
	if fresh {
		d.last.Store(readHeap())
		d.running = true
		go d.loop()
	}
	w.sb, w.base, w.tripped, w.grown, w.index = sb, d.last.Load(), false, 0, len(d.calls)
	d.calls = append(d.calls, w)
	d.mu.Unlock()
}

// stop unregisters w and reports whether the watchdog interrupted its call
// (and the growth it saw). After stop the watchdog no longer touches the
// call's runtime; a pending trip is drained.
func (d *watchdog) stop(w *watch) (tripped bool, grown int64) {
	d.mu.Lock()
	last := len(d.calls) - 1
	d.calls[w.index], d.calls[last].index = d.calls[last], w.index
	d.calls[last] = nil
	d.calls = d.calls[:last]
	tripped, grown, w.sb = w.tripped, w.grown, nil
	d.mu.Unlock()
	select {
	case <-w.trip:
	default:
	}
	return tripped, grown
}

// loop samples the heap and interrupts every call whose growth passed its
// limit, until no call has been watched for watchdogLinger. Growth counts
// from the smallest size seen during the call, which is stricter than from
// its start when a collection freed memory meanwhile.
func (d *watchdog) loop() {
	t := time.NewTicker(heapSampleEvery)
	defer t.Stop()
	for range t.C {
		h := readHeap()
		d.last.Store(h)
		d.mu.Lock()
		for _, w := range d.calls {
			// The base is the smallest size seen since the call started:
			// the sample it started from may predate a collection.
			w.base = min(w.base, h)
			if g := h - w.base; g > w.limit && !w.tripped {
				w.tripped, w.grown = true, g
				w.sb.vm.Interrupt(memoryExceeded{})
				w.trip <- struct{}{}
			}
		}
		d.idle++
		if len(d.calls) > 0 {
			d.idle = 0
		}
		if d.idle > int(watchdogLinger/heapSampleEvery) {
			d.running = false
			d.mu.Unlock()
			return
		}
		d.mu.Unlock()
	}
}
