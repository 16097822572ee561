package jsvm

import (
	"fmt"
	"time"
)

// TimeBudgetError is the error of a call that overran its budget
// (Config.Budget).
type TimeBudgetError struct {
	Budget time.Duration
	// CPU is set when the budget was measured in CPU time (Config.Clock).
	CPU bool
	// Abandoned is set when a built-in function ignored the interrupt for
	// the whole grace period, so the runtime (and its global state) was
	// discarded.
	Abandoned bool
}

// Error says which budget was exceeded, and whether state was lost.
func (e *TimeBudgetError) Error() string {
	kind := "time"
	if e.CPU {
		kind = "CPU time"
	}
	if e.Abandoned {
		return fmt.Sprintf("the code exceeded its %s budget of %v inside a built-in function; its runtime (and any global state) was discarded", kind, e.Budget)
	}
	return fmt.Sprintf("the code exceeded its %s budget of %v", kind, e.Budget)
}

// MemoryLimitError is the error of a call during which the memory the Go
// runtime holds grew by more than Config.MemoryLimit. The runtime that ran it is always
// discarded, so what its globals held becomes garbage.
type MemoryLimitError struct {
	// Limit is the configured limit and Grown the growth seen when the
	// call was interrupted, in bytes.
	Limit, Grown int64
}

// Error names the limit in MiB, the unit NEOSYNC_JS_MEMORY_MB is given in.
func (e *MemoryLimitError) Error() string {
	return fmt.Sprintf("the code exceeded the JavaScript memory limit of %d MiB (the process's memory grew by %d MiB during the call); "+
		"its runtime (and any global state) was discarded", e.Limit>>20, e.Grown>>20)
}
