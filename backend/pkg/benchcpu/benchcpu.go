// Package benchcpu adds the process's CPU time per operation to a Go
// benchmark's results, as the metric "cpu-ns/op". On a machine shared
// with other work a benchmark's ns/op (wall time) moves with the load;
// the CPU time the process spent — what a worker pays per row — moves far
// less, so comparisons (benchstat over alternating runs) use it.
package benchcpu

import (
	"syscall"
	"testing"
	"time"
)

// Start begins measuring; call the returned func once the benchmark's
// loop is over (before any checks that should not count). It reports the
// user and system CPU time of the whole process — every goroutine,
// including the garbage collector — divided by b.N.
func Start(b *testing.B) (stop func()) {
	b.Helper()
	start := cpuTime()
	return func() {
		if b.N > 0 {
			b.ReportMetric(float64((cpuTime()-start).Nanoseconds())/float64(b.N), "cpu-ns/op")
		}
	}
}

// cpuTime is the process's user plus system CPU time so far (0 if the
// system does not say).
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
