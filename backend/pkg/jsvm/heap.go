package jsvm

import (
	"runtime/metrics"
	"time"
)

// heapSampleEvery is how often a call that sets a memory limit samples the
// heap. Growing the heap takes time in proportion to the bytes allocated
// (a 64 MiB string is about 10 ms of copying here), so a millisecond sees
// a runaway allocation loop within a small fraction of the limit; a call
// shorter than this never samples at all.
const heapSampleEvery = time.Millisecond

// heapMetric is the size of the Go heap's objects: live ones and those not
// yet swept. Reading it does not stop the world, unlike
// runtime.ReadMemStats, and costs well under a microsecond.
const heapMetric = "/memory/classes/heap/objects:bytes"

// heapGauge reads heapMetric. It is used by one goroutine at a time (the
// caller of its VM), which owns the sample buffer.
type heapGauge struct{ s [1]metrics.Sample }

// read returns the heap's object bytes now.
func (g *heapGauge) read() int64 {
	if g.s[0].Name == "" {
		g.s[0].Name = heapMetric
	}
	metrics.Read(g.s[:])
	if g.s[0].Value.Kind() != metrics.KindUint64 {
		return 0 // not supported by this Go release: never exceeded
	}
	return int64(g.s[0].Value.Uint64())
}
