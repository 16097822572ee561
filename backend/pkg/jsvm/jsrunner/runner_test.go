package jsrunner

import (
	"context"
	"errors"
	"os"
	"reflect"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/neosyncio/neosync/backend/pkg/transformers"
)

// TestMain lets the Runner re-execute this test binary as its child.
func TestMain(m *testing.M) {
	if IsChild() {
		os.Exit(Main())
	}
	os.Exit(m.Run())
}

func newRunner(t *testing.T, cfg Config) *Runner {
	t.Helper()
	cfg.Command = []string{os.Args[0]}
	r, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func build(t *testing.T, r *Runner, ctx context.Context, code string, timeoutMS int) *Transformer {
	t.Helper()
	tr, err := r.Build(ctx, "transform_javascript", map[string]any{"code": code, "timeout_ms": float64(timeoutMS)}, transformers.Options{Column: "col"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = tr.Close() })
	return tr
}

func wantValueError(t *testing.T, err error, substr string) {
	t.Helper()
	var ve *transformers.ValueError
	if !errors.As(err, &ve) || ve.Column != "col" || !strings.Contains(ve.Reason, substr) {
		t.Fatalf("err = %v (%T), want a ValueError on col containing %q", err, err, substr)
	}
}

func TestTransformValues(t *testing.T) {
	t.Parallel()
	r := newRunner(t, Config{})
	tr := build(t, r, context.Background(), `if (value === 'throw') throw new Error('boom'); return value`, 5000)
	for _, v := range []any{"x", int64(42), 1.5, true, nil, map[string]any{"a": []any{"b", int64(1), nil}}} {
		got, err := tr.Transform(v, map[string]any{"id": int64(1)})
		if err != nil || !reflect.DeepEqual(got, v) {
			t.Fatalf("Transform(%#v) = %#v, %v", v, got, err)
		}
	}
	_, err := tr.Transform("throw", nil)
	wantValueError(t, err, "boom")
	_, err = r.Build(context.Background(), "transform_javascript", map[string]any{"code": "return (", "timeout_ms": float64(100)}, transformers.Options{})
	var pe *transformers.ParamError
	if !errors.As(err, &pe) || pe.Param != "code" {
		t.Fatalf("bad code: err = %v (%T), want a ParamError on code", err, err)
	}
}

// TestMemoryBomb: the string doubling that killed the API ends in the
// child's memory limit, this process stays small, and the next call gets a
// fresh child.
func TestMemoryBomb(t *testing.T) {
	t.Parallel()
	if raceDetector {
		t.Skip("the race detector's shadow memory does not fit the runner's memory limit")
	}
	r := newRunner(t, Config{})
	tr := build(t, r, context.Background(), `if (value === 'bomb') { var s = 'x'; for (;;) { s = s + s; } } return value`, 60000)
	_, err := tr.Transform("bomb", nil)
	wantValueError(t, err, "exceeded its 64 MiB memory limit")
	if got, err := tr.Transform("ok", nil); got != "ok" || err != nil {
		t.Fatalf("after the bomb: %v, %v", got, err)
	}
	if hwm := peakRSS(t); hwm > 512<<20 {
		t.Fatalf("this process peaked at %d MiB", hwm>>20)
	}
	_ = tr.Close()
	if rss := r.PeakRSS(); rss == 0 || rss > DefaultMemoryLimit+64<<20 {
		t.Fatalf("a child peaked at %d MiB, limit %d MiB", rss>>20, DefaultMemoryLimit>>20)
	}
}

// TestCancel: ending the context stops an evaluation long before its budget.
func TestCancel(t *testing.T) {
	t.Parallel()
	r := newRunner(t, Config{})
	ctx, cancel := context.WithCancel(context.Background())
	tr := build(t, r, ctx, `for (;;) {}`, 60000)
	time.AfterFunc(200*time.Millisecond, cancel)
	_, err := tr.Transform("x", nil)
	wantValueError(t, err, "canceled")
	_, err = tr.Transform("x", nil)
	wantValueError(t, err, "canceled")
	_ = tr.Close()
	if n := r.Live(); n != 0 {
		t.Fatalf("%d children still running", n)
	}
}

// TestMaxProcesses: a Build beyond MaxProcesses waits for a slot until its
// context ends.
func TestMaxProcesses(t *testing.T) {
	t.Parallel()
	r := newRunner(t, Config{MaxProcesses: 1})
	tr := build(t, r, context.Background(), `return value`, 1000)
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	if _, err := r.Build(ctx, "transform_javascript", map[string]any{"code": "return 1"}, transformers.Options{}); err == nil || !strings.Contains(err.Error(), "waiting for a free JavaScript runner") {
		t.Fatalf("second Build: %v", err)
	}
	_ = tr.Close()
	tr2 := build(t, r, context.Background(), `return value`, 1000)
	if got, err := tr2.Transform("y", nil); got != "y" || err != nil {
		t.Fatalf("after a slot was freed: %v, %v", got, err)
	}
}

// TestNotARunner: a command that does not speak the protocol is refused.
func TestNotARunner(t *testing.T) {
	t.Parallel()
	r, err := New(Config{Command: []string{"/bin/true"}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.Build(context.Background(), "transform_javascript", map[string]any{"code": "return 1"}, transformers.Options{}); err == nil || !strings.Contains(err.Error(), "did not start") {
		t.Fatalf("Build with /bin/true: %v", err)
	}
	if n := r.Live(); n != 0 {
		t.Fatalf("%d children still running", n)
	}
}

// peakRSS is this process's VmHWM in bytes.
func peakRSS(t *testing.T) int64 {
	t.Helper()
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			var kb int64
			for _, c := range strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")) {
				kb = kb*10 + int64(c-'0')
			}
			return kb << 10
		}
	}
	t.Fatal("no VmHWM")
	return 0
}

// BenchmarkTransform is the cost of one call through a child (compare
// BenchmarkJavaScript/call in package transformers, in-process).
func BenchmarkTransform(b *testing.B) {
	r, err := New(Config{Command: []string{os.Args[0]}})
	if err != nil {
		b.Fatal(err)
	}
	tr, err := r.Build(context.Background(), "transform_javascript", map[string]any{"code": "return value + 1", "timeout_ms": float64(5000)}, transformers.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer tr.Close()
	for b.Loop() {
		if _, err := tr.Transform(int64(1), nil); err != nil {
			b.Fatal(err)
		}
	}
}

// TestDeadline: a context deadline stops an evaluation and its cause is the
// reason given.
func TestDeadline(t *testing.T) {
	t.Parallel()
	r := newRunner(t, Config{})
	ctx, cancel := context.WithTimeoutCause(context.Background(), 500*time.Millisecond, errors.New("out of JavaScript time"))
	defer cancel()
	tr := build(t, r, ctx, `for (;;) {}`, 60000)
	_, err := tr.Transform("x", nil)
	wantValueError(t, err, "stopped: out of JavaScript time")
}

// TestMemoryWithinLimit: code may use memory up to the limit.
func TestMemoryWithinLimit(t *testing.T) {
	t.Parallel()
	if raceDetector {
		t.Skip("the race detector's shadow memory does not fit the runner's memory limit")
	}
	r := newRunner(t, Config{})
	tr := build(t, r, context.Background(), `var a = []; for (var i = 0; i < 20000; i++) a.push({i: i, s: 'v' + i}); return 'x'.repeat(1 << 24).length + a.length`, 10000)
	if got, err := tr.Transform("x", nil); got != int64(1<<24+20000) || err != nil {
		t.Fatalf("16 MiB string and 20k objects: %v, %v", got, err)
	}
}

// TestBudgetCountsCPUNotWaiting: a child measures a call's budget in its own
// CPU time, so a call held up by a busy machine — here the child is stopped
// (SIGSTOP) in the middle of a call for longer than the budget — still
// completes, while code that uses its budget in CPU is still stopped. On the
// wall clock the stopped call failed with "exceeded its time budget".
func TestBudgetCountsCPUNotWaiting(t *testing.T) {
	t.Parallel()
	r := newRunner(t, Config{})
	// About a hundred milliseconds of CPU for "x": long enough to be
	// stopped in the middle, well within its 2 s budget.
	tr := build(t, r, context.Background(), `if (value !== 'x') return 0; var x = 0; for (var i = 0; i < 1e6; i++) { x = (x + i) % 1000003 } return x`, 2000)
	if _, err := tr.Transform("warm up", nil); err != nil {
		t.Fatal(err)
	}
	pid := tr.child.cmd.Process.Pid
	before := childCPUTicks(t, pid)
	done := make(chan error, 1)
	go func() {
		_, err := tr.Transform("x", nil)
		done <- err
	}()
	// Stop the child once the call is running (it has used CPU since).
	for childCPUTicks(t, pid) < before+2 {
		select {
		case err := <-done:
			t.Fatalf("the call ended before it could be stopped: %v", err)
		case <-time.After(2 * time.Millisecond):
		}
	}
	if err := syscall.Kill(pid, syscall.SIGSTOP); err != nil {
		t.Fatal(err)
	}
	time.Sleep(2500 * time.Millisecond)
	if err := syscall.Kill(pid, syscall.SIGCONT); err != nil {
		t.Fatal(err)
	}
	if err := <-done; err != nil {
		t.Fatalf("a call stopped for longer than its budget but within it in CPU time failed: %v", err)
	}

	loop := build(t, r, context.Background(), `for (;;) {}`, 300)
	_, err := loop.Transform("x", nil)
	wantValueError(t, err, "exceeded its CPU time budget of 300ms")
}

// childCPUTicks is the CPU time (user + system, in clock ticks) process pid
// has used, from /proc/PID/stat.
func childCPUTicks(t *testing.T, pid int) int64 {
	t.Helper()
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		t.Fatal(err)
	}
	// The command name (field 2) is in parentheses and may hold spaces.
	rest := string(b[strings.LastIndexByte(string(b), ')')+2:])
	f := strings.Fields(rest)
	// f[0] is field 3 (state): utime and stime are fields 14 and 15.
	utime, err1 := strconv.ParseInt(f[11], 10, 64)
	stime, err2 := strconv.ParseInt(f[12], 10, 64)
	if err := errors.Join(err1, err2); err != nil {
		t.Fatal(err)
	}
	return utime + stime
}
