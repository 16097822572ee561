package transformers

import (
	"errors"
	"fmt"
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
type jsEngine struct {
	source   string
	prog     *goja.Program
	reg      *Registry
	opts     Options
	budget   time.Duration
	grace    time.Duration
	sandbox  *jsSandbox
	generate bool
}

func newJSEngine(source, code string, timeout time.Duration, reg *Registry, o Options) (*jsEngine, error) {
	params := jsTransformParams
	if source == jsGenerateSource {
		params = jsGenerateParams
	}
	prog, err := compileJSFunction(params, code)
	if err != nil {
		return nil, &ParamError{Transformer: source, Param: "code", Reason: err.Error()}
	}
	e := &jsEngine{source: source, prog: prog, reg: reg, opts: o, budget: timeout, grace: timeout, generate: source == jsGenerateSource}
	sb, err := newJSSandbox(prog, reg, o)
	if err != nil {
		return nil, &ParamError{Transformer: source, Param: "code", Reason: "cannot start: " + err.Error()}
	}
	e.sandbox = sb
	return e, nil
}

type jsResult struct {
	v   any
	err error
}

// call runs the function on c. It runs on its own goroutine so that the
// caller gets an answer after budget+grace even if a built-in ignores the
// interrupt; in that case the sandbox is abandoned to that goroutine (which
// stops at its next JavaScript instruction) and replaced on the next call.
func (e *jsEngine) call(c *Call) (any, error) {
	if e.sandbox == nil {
		sb, err := newJSSandbox(e.prog, e.reg, e.opts)
		if err != nil {
			return nil, &ValueError{e.source, c.Column, "cannot restart the JavaScript runtime: " + err.Error()}
		}
		e.sandbox = sb
	}
	sb := e.sandbox
	sb.setRand(c.Rand)
	sb.row = c.Row
	// The arguments are copied into the (idle) runtime here, so the call
	// goroutine never reads c, which the Instance reuses for the next call.
	args := sb.args(c, e.generate)
	done := make(chan jsResult, 1)
	go func() {
		var r jsResult
		defer func() {
			if p := recover(); p != nil {
				r = jsResult{err: fmt.Errorf("internal error: %v", p)}
			}
			done <- r
		}()
		r = sb.run(args)
	}()
	timer := time.NewTimer(e.budget)
	defer timer.Stop()
	var r jsResult
	select {
	case r = <-done:
		sb.setRand(nil)
	case <-timer.C:
		sb.vm.Interrupt(jsBudgetExceeded{})
		grace := time.NewTimer(e.grace)
		defer grace.Stop()
		select {
		case r = <-done:
			sb.vm.ClearInterrupt()
			sb.setRand(nil)
			if r.err == nil {
				break // finished just as the budget ran out
			}
			return nil, &ValueError{e.source, c.Column, fmt.Sprintf("the code exceeded its time budget of %v", e.budget)}
		case <-grace.C:
			sb.setRand(nil) // the abandoned goroutine must not touch c.Rand
			e.sandbox = nil
			return nil, &ValueError{e.source, c.Column, fmt.Sprintf(
				"the code exceeded its time budget of %v inside a built-in function; its runtime (and any global state) was discarded", e.budget)}
		}
	}
	if r.err != nil {
		return nil, &ValueError{e.source, c.Column, r.err.Error()}
	}
	return r.v, nil
}

// args converts the call's value and row (as the input object).
func (s *jsSandbox) args(c *Call, generate bool) []goja.Value {
	if generate {
		return nil
	}
	input := s.vm.NewObject()
	for k, v := range c.Row {
		_ = input.Set(k, s.toJS(v, 1))
	}
	return []goja.Value{s.toJS(c.Value, 0), input}
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
