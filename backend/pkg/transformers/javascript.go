package transformers

import (
	"errors"
	"fmt"
	"runtime"
	"time"

	"github.com/dop251/goja"
)

const (
	jsTransformSource = "transform_javascript"
	jsGenerateSource  = "generate_javascript"
)

// jsDefaultTimeoutMS is the default time budget of one call, in wall-clock
// milliseconds (timeout_ms). A call that overruns it is interrupted; one that
// is still inside a built-in after a further grace period of the same length
// (interrupts only take effect between JavaScript instructions) is abandoned.
const jsDefaultTimeoutMS = 100

// jsBudgetExceeded is the value the watchdog interrupts a runtime with.
type jsBudgetExceeded struct{}

// jsEngine runs the user's compiled function for one Instance. It owns one
// sandbox at a time: a fresh goja runtime per Build, replaced (state lost)
// only when a call had to be abandoned.
//
// # What the sandbox guarantees
//
//   - No host access: goja has no require, fetch, timers, console, file or
//     network API, and the sandbox deletes those names in case an embedder
//     added them. Binary buffers (ArrayBuffer, typed arrays, DataView) are
//     removed too. The parser never reads source maps, and eval and the
//     Function constructors (also as fn.constructor) throw.
//   - Isolation: every Instance (every Build) has its own runtime, so
//     globals and prototype changes made by one instance's code are invisible
//     to every other instance. Within one instance they persist across calls
//     (until the runtime is discarded, see below).
//   - Time: every call has a wall-clock budget (timeout_ms, 100 ms by
//     default). At the budget the runtime is interrupted, which stops
//     JavaScript at its next instruction (loops, recursion, callbacks), and the
//     call fails with a *ValueError naming the column. Built-in functions are
//     Go code that an interrupt cannot stop: if the call has not returned one
//     grace period (as long as the budget) later, Transform returns the same
//     error anyway, the runtime is abandoned to its goroutine (which stops as
//     soon as the built-in returns to JavaScript) and a fresh runtime is built
//     for the next call. The caller therefore never waits much more than twice
//     the budget.
//   - Memory and the Go stack: the budget bounds what JavaScript loops can
//     allocate, and built-ins that would allocate or loop in proportion to an
//     argument are refused with a RangeError beforehand: arrays and
//     array-likes of more than 2^20 elements for every Array.prototype method,
//     Array.from, spreading, apply and Reflect.apply/construct; strings of
//     more than 2^24 characters built by repeat, padStart/padEnd, concat,
//     join, replace/replaceAll and JSON.stringify; split, global match and
//     Object.keys/values/entries/assign of very long strings; nesting deeper
//     than 100 levels for flat, join and JSON.stringify, 500 for JSON.parse,
//     regular expressions and the code itself (goja's parsers recurse on the
//     Go stack, whose overflow would kill the process). The call stack is
//     limited to 1000 frames.
//   - Regular expressions: a backtracking match gives up after one second
//     (jsRegexpMatchTimeout) and the call fails with a RangeError, so a
//     pattern such as /(a+)+\1b/ neither hangs a call nor keeps running in
//     an abandoned runtime.
//
// # What it does not guarantee
//
//   - It is not a security boundary against a hostile author. The limits
//     above are checks in front of goja's built-ins, not a memory quota: code
//     can still hold a few hundred MB (a string doubled until the budget
//     interrupts it, arrays of 2^20 elements), some built-ins can still build
//     large outputs from many references to one large value (a toString or
//     toJSON returning a large string, sorting 2^20 elements takes seconds of
//     CPU after the call was abandoned), and state kept across calls in
//     globals is bounded only by the process. Code from untrusted authors
//     must run in a separate process with an OS memory limit: package
//     jsrunner does that, and the API runs every evaluation through it. The
//     worker runs JavaScript in-process, where a memory bomb can still kill
//     the worker process (not the API).
//   - The budget is wall-clock time, so CPU starvation counts against it.
//   - Date and new Date() read the real clock, so code that uses them is not
//     consistent in consistent mode; Math.random is.
//   - eval and new Function are unavailable, and async code is not awaited (a
//     Promise result is an error).
type jsEngine struct {
	source   string
	prog     *goja.Program
	reg      *Registry
	opts     Options
	budget   time.Duration
	grace    time.Duration
	generate bool
	// cur is the current sandbox. It is a separate object so that a cleanup
	// attached to the engine can stop the sandbox's worker goroutine once the
	// Instance is garbage.
	cur *jsCurrent
}

// jsCurrent holds the engine's current sandbox (nil after an abandonment).
type jsCurrent struct{ sb *jsSandbox }

func newJSEngine(source, code string, timeout time.Duration, reg *Registry, o Options) (*jsEngine, error) {
	params := jsTransformParams
	if source == jsGenerateSource {
		params = jsGenerateParams
	}
	prog, err := compileJSFunction(params, code)
	if err != nil {
		return nil, &ParamError{Transformer: source, Param: "code", Reason: err.Error()}
	}
	e := &jsEngine{source: source, prog: prog, reg: reg, opts: o, budget: timeout, grace: timeout,
		generate: source == jsGenerateSource, cur: &jsCurrent{}}
	sb, err := newJSSandbox(prog, reg, o)
	if err != nil {
		return nil, &ParamError{Transformer: source, Param: "code", Reason: "cannot start: " + err.Error()}
	}
	e.cur.sb = sb
	sb.startWorker()
	runtime.AddCleanup(e, func(cur *jsCurrent) {
		if cur.sb != nil {
			cur.sb.stopWorker()
		}
	}, e.cur)
	return e, nil
}

type jsResult struct {
	v   any
	err error
}

// startWorker starts the goroutine that runs the sandbox's calls. Calls run
// off the caller's goroutine so that the caller gets an answer after
// budget+grace even if a built-in ignores the interrupt; a long-lived worker
// keeps its grown stack, which a goroutine per call would have to regrow.
func (s *jsSandbox) startWorker() {
	s.req = make(chan []goja.Value)
	s.res = make(chan jsResult, 1)
	go func(req <-chan []goja.Value, res chan<- jsResult) {
		for args := range req {
			res <- s.runSafe(args)
		}
	}(s.req, s.res)
}

// stopWorker ends the worker once its current call (if any) returns.
func (s *jsSandbox) stopWorker() { close(s.req) }

func (s *jsSandbox) runSafe(args []goja.Value) (r jsResult) {
	defer func() {
		if p := recover(); p != nil {
			r = jsResult{err: fmt.Errorf("internal error: %v", p)}
		}
	}()
	return s.run(args)
}

// call runs the function on c on the sandbox's worker goroutine. If a
// built-in ignores the interrupt beyond the grace period, the sandbox is
// abandoned to its worker (which stops at its next JavaScript instruction
// and then exits) and replaced on the next call.
func (e *jsEngine) call(c *Call) (any, error) {
	if e.cur.sb == nil {
		sb, err := newJSSandbox(e.prog, e.reg, e.opts)
		if err != nil {
			return nil, &ValueError{e.source, c.Column, "cannot restart the JavaScript runtime: " + err.Error()}
		}
		sb.startWorker()
		e.cur.sb = sb
	}
	sb := e.cur.sb
	sb.setRand(c.Rand)
	sb.row = c.Row
	// The arguments are copied into the (idle) runtime here, so the worker
	// never reads c, which the Instance reuses for the next call.
	args, err := sb.safeArgs(c, e.generate)
	if err != nil {
		return nil, &ValueError{e.source, c.Column, err.Error()}
	}
	sb.req <- args
	timer := time.NewTimer(e.budget)
	defer timer.Stop()
	var r jsResult
	select {
	case r = <-sb.res:
		sb.setRand(nil)
	case <-timer.C:
		sb.vm.Interrupt(jsBudgetExceeded{})
		grace := time.NewTimer(e.grace)
		defer grace.Stop()
		select {
		case r = <-sb.res:
			sb.vm.ClearInterrupt()
			sb.setRand(nil)
			if r.err == nil {
				break // finished just as the budget ran out
			}
			return nil, &ValueError{e.source, c.Column, fmt.Sprintf("the code exceeded its time budget of %v", e.budget)}
		case <-grace.C:
			sb.setRand(nil) // the abandoned worker must not touch c.Rand
			sb.stopWorker()
			e.cur.sb = nil
			return nil, &ValueError{e.source, c.Column, fmt.Sprintf(
				"the code exceeded its time budget of %v inside a built-in function; its runtime (and any global state) was discarded", e.budget)}
		}
	}
	if r.err != nil {
		return nil, &ValueError{e.source, c.Column, r.err.Error()}
	}
	return r.v, nil
}

// safeArgs is args, turning a panic into an error.
func (s *jsSandbox) safeArgs(c *Call, generate bool) (args []goja.Value, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("cannot convert the input to JavaScript: %v", p)
		}
	}()
	return s.args(c, generate), nil
}

// args converts the call's value and row (as the input object).
func (s *jsSandbox) args(c *Call, generate bool) []goja.Value {
	if generate {
		return nil
	}
	// A nil row is a nil map[string]any, which becomes an empty object.
	return []goja.Value{s.toJS(c.Value, 0), s.toJS(c.Row, 0)}
}

// run calls the function and converts its result; it runs on the call
// goroutine, under the watchdog.
func (s *jsSandbox) run(args []goja.Value) jsResult {
	v, err := s.fn(goja.Undefined(), args...)
	if err != nil {
		return jsResult{err: s.describe(err)}
	}
	out, err := s.fromJS(v, 0)
	if err != nil {
		return jsResult{err: s.describe(err)}
	}
	return jsResult{v: out}
}

// describe turns a goja error into a message with the position in the
// user's code.
func (s *jsSandbox) describe(err error) (out error) {
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
		return fmt.Errorf("JavaScript call stack exceeded %d frames", jsMaxCallStack)
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

// jsDefinitions returns transform_javascript and generate_javascript; reg is
// used only inside Build (it is still being filled when this runs).
func jsDefinitions(reg *Registry) []*Definition {
	codeParam := func(desc string) Param {
		return Param{Name: "code", Type: ParamString, Required: true, Description: desc}
	}
	timeoutParam := Param{
		Name: "timeout_ms", Type: ParamInt, Default: int64(jsDefaultTimeoutMS), Min: fptr(1), Max: fptr(60000),
		Description: "Wall-clock time budget of one call in milliseconds; a call that exceeds it fails.",
	}
	build := func(source string) func(p Params, o Options) (Func, error) {
		return func(p Params, o Options) (Func, error) {
			timeout := time.Duration(p.Int("timeout_ms")) * time.Millisecond
			if reg.jsCallCap > 0 && timeout > reg.jsCallCap {
				timeout = reg.jsCallCap
			}
			e, err := newJSEngine(source, p.String("code"), timeout, reg, o)
			if err != nil {
				return nil, err
			}
			return e.call, nil
		}
	}
	return []*Definition{
		{
			Source: jsTransformSource,
			Name:   "JavaScript",
			Description: "Runs JavaScript: the code is the body of a function receiving value and input (the whole row by column name) " +
				"and returning the new value. System transformers are available as neosync.transformEmail(value, {preserve_domain: true}), " +
				"neosync.generateFirstName({}) and so on. Math.random is consistent under a job key. Each call has a time budget (timeout_ms, 100 ms by default).",
			Params:      []Param{codeParam("Body of function(value, input) returning the new value."), timeoutParam},
			InputTypes:  []DataType{TypeAny},
			Output:      TypeAny,
			JobTypes:    []JobType{JobSync},
			Consistent:  true,
			HandlesNull: true,
			Build:       build(jsTransformSource),
		},
		{
			Source: jsGenerateSource,
			Name:   "JavaScript generator",
			Description: "Runs JavaScript to invent a value: the code is the body of a function returning it. System transformers " +
				"are available as neosync.generateFirstName({}) and so on. Each call has a time budget (timeout_ms, 100 ms by default).",
			Params:    []Param{codeParam("Body of a function (no arguments) returning the value."), timeoutParam},
			Output:    TypeAny,
			JobTypes:  allJobTypes,
			Generator: true,
			Build:     build(jsGenerateSource),
		},
	}
}

// IsJavaScript reports whether source runs user JavaScript
// (transform_javascript or generate_javascript). The API evaluates such
// transformers in a separate process (see package jsrunner).
func IsJavaScript(source string) bool { return isJavaScriptSource(source) }

// JavaScriptBudget is the time budget of one call that config gives a
// JavaScript transformer: its timeout_ms, or the default. A malformed value
// counts as the default; Registry.Validate reports it.
func JavaScriptBudget(config map[string]any) time.Duration {
	ms := int64(jsDefaultTimeoutMS)
	switch v := config["timeout_ms"].(type) {
	case int64:
		ms = v
	case int:
		ms = int64(v)
	case float64:
		ms = int64(v)
	}
	if ms < 1 {
		ms = jsDefaultTimeoutMS
	}
	return time.Duration(ms) * time.Millisecond
}
