//go:build !linux

package jsrunner

import (
	"errors"
	"syscall"
	"time"
)

// applyLimits refuses to run: the limits rely on Linux (RLIMIT_DATA
// counting anonymous mappings, /proc, PR_SET_PDEATHSIG).
func applyLimits(int64, time.Duration) error {
	return errors.New("the JavaScript runner needs Linux to limit its memory")
}

func childAttr() *syscall.SysProcAttr { return nil }

func livePeakRSS(int) int64 { return 0 }

// processCPUTime is nil off Linux: budgets stay on the wall clock (the
// runner does not start there anyway).
var processCPUTime func() time.Duration
