package jsvm

import (
	"errors"
	"os"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"
	"weak"
)

// The tests here are not parallel: the watchdog measures the whole
// process's memory, so they run before the parallel tests start allocating.

// heapPeak samples the memory the Go runtime holds (the watchdog's own
// measure) every 100 µs until stop is called, which returns the largest
// growth seen over the bytes at the start. The budgets of these tests are
// long, because a loaded machine slows the bomb down (the tests must not
// depend on time), so heapPeak is also the safety net should the watchdog
// fail: past 1 GiB of growth it interrupts vm's runtime itself, and the
// call's error is then not a *MemoryLimitError.
func heapPeak(t *testing.T, vm *VM) (stop func() int64) {
	t.Helper()
	// The runtime the next call runs on, weakly: holding it would keep
	// its memory alive after the call discarded it.
	sb := weak.Make(vm.cur.sb)
	runtime.GC()
	read := readHeap
	base := read()
	var peak atomic.Int64
	done := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		for {
			if g := read() - base; g > peak.Load() {
				peak.Store(g)
				if p := sb.Value(); g > 1<<30 && p != nil {
					p.vm.Interrupt("the test's safety net")
				}
			}
			select {
			case <-done:
				return
			case <-time.After(100 * time.Microsecond):
			}
		}
	}()
	return func() int64 {
		close(done)
		<-finished
		return peak.Load()
	}
}

// TestMemoryBomb evaluates the string-doubling bomb in-process under a
// 64 MiB limit and a budget long enough for it to take gigabytes: the call
// fails with a *MemoryLimitError, the memory's growth stays within a small
// multiple of the limit (one doubling can be in flight when the watchdog
// sees the limit crossed), and the VM goes on with a fresh runtime.
func TestMemoryBomb(t *testing.T) {
	const limit = 64 << 20
	vm := build(t, `if (value === 'bomb') { globalThis.kept = 1; var s = 'x'; for (;;) { s = s + s; } } return typeof kept`,
		Config{Budget: 5 * time.Minute, MemoryLimit: limit})
	stop := heapPeak(t, vm)
	_, err := call(vm, "bomb", nil)
	peak := stop()
	var me *MemoryLimitError
	if !errors.As(err, &me) || me.Limit != limit || me.Grown <= limit {
		t.Fatalf("err = %v (%T), want a *MemoryLimitError over %d bytes", err, err, limit)
	}
	wantError(t, err, "exceeded the JavaScript memory limit of 64 MiB")
	t.Logf("memory grew by at most %d MiB (limit %d MiB), process peak RSS %s: %v", peak>>20, limit>>20, peakRSS(), err)
	// The in-process limit is a watchdog that samples: on a loaded machine a
	// doubling bomb can take one or two more doublings before it is seen
	// (CI once saw 256 MiB). Unbounded, it reaches gigabytes in that time;
	// the hard bound is the runner process's (jsrunner).
	if peak > 6*limit {
		t.Fatalf("memory grew by %d MiB, more than 6 × the %d MiB limit", peak>>20, limit>>20)
	}
	if got, err := call(vm, "after", nil); got != "undefined" || err != nil {
		t.Fatalf("after the bomb: %v, %v; want a fresh runtime", got, err)
	}
}

// TestMemoryBombRepeated: bomb after bomb, the process does not ratchet
// up (each discarded runtime's memory is returned to the OS, so the next
// bomb starts from where the first did).
func TestMemoryBombRepeated(t *testing.T) {
	const limit = 64 << 20
	vm := build(t, `var s = 'x'; for (;;) { s = s + s; }`, Config{Budget: 5 * time.Minute, MemoryLimit: limit})
	runtime.GC()
	base := readHeap()
	for i := range 3 {
		stop := heapPeak(t, vm)
		_, err := call(vm, "bomb", nil)
		stop()
		var me *MemoryLimitError
		if !errors.As(err, &me) {
			t.Fatalf("bomb %d: err = %v (%T), want a *MemoryLimitError", i, err, err)
		}
		if held := readHeap() - base; held > limit/2 {
			t.Fatalf("after bomb %d the process holds %d MiB more than before the first", i, held>>20)
		}
	}
}

// TestMemoryBombInArray: memory held across objects (an array of 256 MiB
// of 4 KiB strings, none of them large) is seen just the same.
func TestMemoryBombInArray(t *testing.T) {
	const limit = 32 << 20
	vm := build(t, `var a = []; for (var i = 0; i < 65536; i++) { a.push('v'.repeat(4096) + i) } return a.length`,
		Config{Budget: 5 * time.Minute, MemoryLimit: limit})
	stop := heapPeak(t, vm)
	_, err := call(vm, "x", nil)
	peak := stop()
	var me *MemoryLimitError
	if !errors.As(err, &me) {
		t.Fatalf("err = %v (%T), want a *MemoryLimitError", err, err)
	}
	if peak > 2*limit {
		t.Fatalf("memory grew by %d MiB, more than twice the %d MiB limit", peak>>20, limit>>20)
	}
}

// TestMemoryWithinLimit: a call that uses less than the limit (a 16 MiB
// string and 20k small objects under 64 MiB) is not interrupted, and a VM
// without a limit is not watched.
func TestMemoryWithinLimit(t *testing.T) {
	code := `var a = []; for (var i = 0; i < 20000; i++) a.push({i: i, s: 'v' + i}); return 'x'.repeat(1 << 24).length + a.length`
	for _, cfg := range []Config{{Budget: testBudget, MemoryLimit: 64 << 20}, {Budget: testBudget}} {
		got, err := call(build(t, code, cfg), "x", nil)
		if got != int64(1<<24+20000) || err != nil {
			t.Fatalf("limit %d: %v, %v", cfg.MemoryLimit, got, err)
		}
	}
}

// peakRSS is this process's VmHWM as written in /proc/self/status ("?"
// where there is none), for the log.
func peakRSS() string {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return "?"
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			return strings.TrimSpace(v)
		}
	}
	return "?"
}
