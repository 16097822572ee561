package jsrunner

import (
	"bufio"
	"fmt"
	"os"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// applyLimits caps the calling process: its data segment (heap and every
// other private writable mapping) may grow by at most memory bytes from its
// size now, and it may use cpu of CPU time (no limit when cpu is 0).
func applyLimits(memory int64, cpu time.Duration) error {
	base, err := dataSize()
	if err != nil {
		return err
	}
	lim := uint64(base + memory)
	if err := syscall.Setrlimit(syscall.RLIMIT_DATA, &syscall.Rlimit{Cur: lim, Max: lim}); err != nil {
		return fmt.Errorf("set RLIMIT_DATA: %w", err)
	}
	if cpu > 0 {
		secs := uint64(max(cpu.Round(time.Second)/time.Second, 1))
		if err := syscall.Setrlimit(syscall.RLIMIT_CPU, &syscall.Rlimit{Cur: secs, Max: secs + 1}); err != nil {
			return fmt.Errorf("set RLIMIT_CPU: %w", err)
		}
	}
	_ = syscall.Setrlimit(syscall.RLIMIT_CORE, &syscall.Rlimit{})
	_ = syscall.Setpriority(syscall.PRIO_PROCESS, 0, 10)
	return nil
}

// processCPUTime is the CPU time (user and system) the process has used.
func processCPUTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// dataSize is the process's VmData in bytes.
func dataSize() (int64, error) { return statusBytes("/proc/self/status", "VmData") }

// statusBytes reads a "kB" field of a /proc/PID/status file, in bytes.
func statusBytes(path, field string) (int64, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), field+":"); ok {
			kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			if err != nil {
				return 0, fmt.Errorf("parse %s %q: %w", field, rest, err)
			}
			return kb << 10, nil
		}
	}
	return 0, fmt.Errorf("no %s in %s", field, path)
}

// childAttr makes the child die with its parent.
func childAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}

// livePeakRSS is the peak resident set (VmHWM) of the running process pid,
// in bytes; 0 once it has exited. The exited child's ru_maxrss cannot serve:
// the child is started with vfork semantics, and on exec the kernel folds
// the peak of the memory it shared with its parent (the whole API or
// worker) into the child's figure.
func livePeakRSS(pid int) int64 {
	n, err := statusBytes("/proc/"+strconv.Itoa(pid)+"/status", "VmHWM")
	if err != nil {
		return 0
	}
	return n
}
