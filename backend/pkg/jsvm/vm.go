package jsvm

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"runtime"
	"runtime/debug"
	"sync"
	"time"
	"weak"

	"github.com/dop251/goja"
)

// Config sets a VM's limits and its natives.
type Config struct {
	// Budget is the time one call may take, on Clock. Required.
	Budget time.Duration
	// Clock, when set, is the clock Budget is measured on instead of the
	// wall clock: a process that runs nothing but one call at a time (the
	// jsrunner child) gives its own CPU time, so a call is charged for the
	// CPU it used and not for the time a busy machine gave to other
	// processes. It must be monotonic.
	Clock func() time.Duration
	// Grace is how long a call that was interrupted may take to return
	// before its runtime is abandoned (Budget when 0): an interrupt only
	// takes effect between JavaScript instructions.
	Grace time.Duration
	// MemoryLimit bounds, in bytes, how much the memory the Go runtime
	// holds may grow while one call runs (0: not watched). See the package documentation for what
	// it counts and how closely it holds.
	MemoryLimit int64
	// Natives builds the neosync object of each runtime (nil: none).
	Natives NativesFunc
}

// VM runs one compiled function in a sandbox, one call at a time. It owns
// one runtime at a time: built by New, kept across calls (so globals
// persist), and replaced (state lost) only after a call had to be abandoned
// or exceeded the memory limit. A VM is used by one goroutine at a time.
type VM struct {
	prog *Program
	cfg  Config
	// watch registers this VM's calls with the memory watchdog (nil without
	// a memory limit).
	watch *watch
	// cur is the current runtime. It is a separate object so that a
	// cleanup attached to the VM can stop the runtime's goroutine once the
	// VM is garbage.
	cur *current
}

// current holds a VM's current runtime (nil after one was discarded).
type current struct{ sb *sandbox }

// New builds a VM for prog. An error means the runtime could not start:
// the code threw while it was being defined, or a native could not be
// installed.
func New(prog *Program, cfg Config) (*VM, error) {
	if cfg.Budget <= 0 {
		return nil, errors.New("jsvm: Config.Budget must be positive")
	}
	if cfg.Grace <= 0 {
		cfg.Grace = cfg.Budget
	}
	v := &VM{prog: prog, cfg: cfg, cur: &current{}}
	if cfg.MemoryLimit > 0 {
		v.watch = &watch{limit: cfg.MemoryLimit, trip: make(chan struct{}, 1)}
	}
	sb, err := newSandbox(prog.prog, cfg.Natives)
	if err != nil {
		return nil, err
	}
	sb.startWorker()
	v.cur.sb = sb
	runtime.AddCleanup(v, func(cur *current) {
		if cur.sb != nil {
			cur.sb.stopWorker()
		}
	}, v.cur)
	return v, nil
}

// result is what a runtime's goroutine answers for one call.
type result struct {
	v   any
	err error
}

// Call runs the function with args (copied into JavaScript, so the code
// cannot change them); row is what natives receive as the current row and
// rnd (which may be nil) feeds Math.random. The result is copied out of
// JavaScript (see fromJS). A call that overruns the budget fails with a
// *TimeBudgetError, one during which memory grew past the memory limit
// with a *MemoryLimitError; an exception or an unsupported result is an
// error whose message gives the position in the code.
func (v *VM) Call(rnd *rand.Rand, row map[string]any, args ...any) (any, error) {
	if v.cur.sb == nil {
		sb, err := newSandbox(v.prog.prog, v.cfg.Natives)
		if err != nil {
			return nil, fmt.Errorf("cannot restart the JavaScript runtime: %w", err)
		}
		sb.startWorker()
		v.cur.sb = sb
	}
	sb := v.cur.sb
	sb.setRand(rnd)
	sb.row = row
	// The arguments are copied into the (idle) runtime here, so its
	// goroutine never reads the caller's values.
	jsArgs, err := sb.safeArgs(args)
	if err != nil {
		sb.setRand(nil)
		return nil, err
	}
	sb.req <- jsArgs
	r, err := v.wait(sb)
	if err != nil {
		return nil, err
	}
	if r.err != nil {
		return nil, r.err
	}
	return r.v, nil
}

// wait waits for the answer of the call running on sb, interrupting it at
// the time budget; the watchdog interrupts it when memory grew past the
// memory limit.
func (v *VM) wait(sb *sandbox) (result, error) {
	expired, stop := v.startBudget()
	defer stop()
	var trip <-chan struct{}
	if v.watch != nil {
		dog.start(v.watch, sb)
		trip = v.watch.trip
	}
	select {
	case r := <-sb.res:
		sb.setRand(nil)
		tripped, grown := v.unwatch()
		if !tripped {
			return r, nil
		}
		if r.err == nil {
			sb.vm.ClearInterrupt()
			return r, nil // finished just as it was interrupted
		}
		v.discard(sb)
		sb.releaseMemory()()
		return result{}, &MemoryLimitError{Limit: v.cfg.MemoryLimit, Grown: grown}
	case <-trip:
		_, grown := v.unwatch()
		return v.interrupted(sb, &MemoryLimitError{Limit: v.cfg.MemoryLimit, Grown: grown})
	case <-expired:
		if tripped, grown := v.unwatch(); tripped {
			return v.interrupted(sb, &MemoryLimitError{Limit: v.cfg.MemoryLimit, Grown: grown})
		}
		sb.vm.Interrupt(budgetExceeded{})
		return v.interrupted(sb, &TimeBudgetError{Budget: v.cfg.Budget, CPU: v.cfg.Clock != nil})
	}
}

// startBudget starts measuring a call's budget: the channel is closed once
// the call has used it on the VM's clock, and stop ends the measure. On
// the wall clock that is one timer. On Config.Clock the timer first fires
// after Budget of wall time — a call cannot use more CPU than the time
// that passed — and then, while the call has used less than its budget,
// again after what is left of it, so a call that ends within its budget
// costs one timer either way.
func (v *VM) startBudget() (<-chan struct{}, func()) {
	expired := make(chan struct{})
	if v.cfg.Clock == nil {
		t := time.AfterFunc(v.cfg.Budget, func() { close(expired) })
		return expired, func() { t.Stop() }
	}
	var (
		mu      sync.Mutex
		t       *time.Timer
		stopped bool
	)
	start := v.cfg.Clock()
	check := func() {
		used := v.cfg.Clock() - start
		mu.Lock()
		defer mu.Unlock()
		switch {
		case stopped:
		case used >= v.cfg.Budget:
			close(expired)
		default:
			t.Reset(max(v.cfg.Budget-used, time.Millisecond))
		}
	}
	mu.Lock()
	t = time.AfterFunc(v.cfg.Budget, check)
	mu.Unlock()
	return expired, func() {
		mu.Lock()
		stopped = true
		t.Stop()
		mu.Unlock()
	}
}

// unwatch ends the watchdog's watch of the current call, if any, and
// reports whether it interrupted the call.
func (v *VM) unwatch() (tripped bool, grown int64) {
	if v.watch == nil {
		return false, 0
	}
	return dog.stop(v.watch)
}

// interrupted waits up to the grace period for an interrupted call. If it
// returns, the call fails with cause (unless it completed just as it was
// interrupted); a runtime interrupted for memory is discarded, since its
// globals may hold what it allocated. If a built-in ignores the interrupt
// beyond the grace period, the runtime is abandoned to its goroutine
// (which stops at its next JavaScript instruction and then exits) and
// replaced on the next call.
func (v *VM) interrupted(sb *sandbox, cause error) (result, error) {
	grace := time.NewTimer(v.cfg.Grace)
	defer grace.Stop()
	_, memory := cause.(*MemoryLimitError)
	select {
	case r := <-sb.res:
		sb.setRand(nil)
		if r.err == nil {
			sb.vm.ClearInterrupt()
			return r, nil // finished just as it was interrupted
		}
		if memory {
			v.discard(sb)
			sb.releaseMemory()()
		} else {
			sb.vm.ClearInterrupt()
		}
		return result{}, cause
	case <-grace.C:
		sb.setRand(nil) // the abandoned goroutine must not touch the caller's source
		v.discard(sb)
		if tb, ok := cause.(*TimeBudgetError); ok {
			tb.Abandoned = true
		}
		if memory {
			go sb.releaseMemory()() // once the built-in returns
		}
		return result{}, cause
	}
}

// discard stops sb's goroutine (after its current call, which an interrupt
// ends at its next instruction) and drops it: the next call builds a fresh
// runtime.
func (v *VM) discard(sb *sandbox) {
	sb.stopWorker()
	v.cur.sb = nil
}

// releaseMemory returns the function that returns the memory of s, a
// discarded runtime, to the operating system once nothing references it
// (the function holds only a weak pointer to the runtime). The pages its garbage
// occupied would otherwise stay resident (free for the heap but too
// fragmented for the next large allocation), so every further bomb would
// add its own growth on top: the watchdog measures growth per call, not
// the process's size. It collects the whole heap, once per call that
// exceeded the limit.
//
// The runtime is unreachable only once its goroutine has really gone:
// exited is closed by that goroutine's last deferred call, while its
// stack still references the sandbox, so a collection started at once can
// find the runtime live and keep everything its globals and stack held (a
// doubled string of 48–95 MiB in 3 of 9 runs). Releasing then returned
// nothing, and the background scavenger keeps freed pages for a long time.
// So it collects until a weak pointer to the runtime is cleared (a few
// rounds at most) and only then returns the free pages.
func (s *sandbox) releaseMemory() func() {
	exited, rt := s.exited, weak.Make(s.vm)
	return func() {
		<-exited
		for range releaseRounds {
			runtime.GC()
			if rt.Value() == nil {
				break
			}
			time.Sleep(time.Millisecond) // let the goroutine finish exiting
		}
		debug.FreeOSMemory()
	}
}

// releaseRounds bounds the collections releaseMemory waits through for a
// runtime to become unreachable (one is usually enough): should something
// else still hold it, the memory is released later by the runtime's own
// scavenger instead of blocking the caller.
const releaseRounds = 50

// budgetExceeded and memoryExceeded are the values a runtime is
// interrupted with.
type (
	budgetExceeded struct{}
	memoryExceeded struct{}
)

// startWorker starts the goroutine that runs the sandbox's calls. Calls run
// off the caller's goroutine so that the caller gets an answer after
// budget+grace even if a built-in ignores the interrupt; a long-lived worker
// keeps its grown stack, which a goroutine per call would have to regrow.
func (s *sandbox) startWorker() {
	s.req = make(chan []goja.Value)
	s.res = make(chan result, 1)
	s.exited = make(chan struct{})
	go func(req <-chan []goja.Value, res chan<- result) {
		defer close(s.exited)
		for args := range req {
			res <- s.runSafe(args)
		}
	}(s.req, s.res)
}

// stopWorker ends the worker once its current call (if any) returns.
func (s *sandbox) stopWorker() { close(s.req) }

func (s *sandbox) runSafe(args []goja.Value) (r result) {
	defer func() {
		if p := recover(); p != nil {
			r = result{err: fmt.Errorf("internal error: %v", p)}
		}
	}()
	return s.run(args)
}

// safeArgs converts args, turning a panic into an error.
func (s *sandbox) safeArgs(args []any) (out []goja.Value, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("cannot convert the input to JavaScript: %v", p)
		}
	}()
	if len(args) == 0 {
		return nil, nil
	}
	out = make([]goja.Value, len(args))
	for i, a := range args {
		out[i] = s.toJS(a, 0)
	}
	return out, nil
}

// run calls the function and converts its result; it runs on the worker
// goroutine, under the watchdog.
func (s *sandbox) run(args []goja.Value) result {
	v, err := s.fn(goja.Undefined(), args...)
	if err != nil {
		return result{err: s.describe(err)}
	}
	out, err := s.fromJS(v, 0)
	if err != nil {
		return result{err: s.describe(err)}
	}
	return result{v: out}
}

// describe turns a goja error into a message with the position in the
// user's code.
func (s *sandbox) describe(err error) (out error) {
	defer func() {
		if recover() != nil {
			out = errors.New("JavaScript error")
		}
	}()
	var ie *goja.InterruptedError
	if errors.As(err, &ie) {
		return errors.New("interrupted")
	}
	var so *goja.StackOverflowError
	if errors.As(err, &so) {
		return fmt.Errorf("JavaScript call stack exceeded %d frames", maxCallStack)
	}
	var ex *goja.Exception
	if errors.As(err, &ex) {
		msg := "JavaScript error"
		if v := ex.Value(); v != nil {
			msg = v.String() // may run a user toString; still under the watchdog
		}
		for _, f := range ex.Stack() {
			if f.SrcName() == "code" {
				p := f.Position()
				return fmt.Errorf("%s (line %d, column %d)", msg, max(p.Line-1, 1), p.Column)
			}
		}
		return errors.New(msg)
	}
	return err
}
