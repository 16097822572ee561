package jsvm

import (
	"fmt"
	"math/rand/v2"
	"strconv"
	"sync"

	"github.com/dop251/goja"
	"github.com/dop251/goja/parser"
)

// Limits of the JavaScript sandbox.
const (
	// maxElements bounds the length of arrays and array-likes that built-in
	// functions will iterate over natively (fill, join, indexOf, Array.from,
	// spreading, apply, ...). Built-ins are Go code that the time budget
	// cannot interrupt, so they are refused up front instead.
	maxElements = 1 << 20
	// maxString bounds (in UTF-16 code units) the strings that built-ins
	// such as repeat, padStart, join, replace and JSON.stringify may build.
	maxString = 1 << 24
	// maxCallStack bounds the JavaScript call depth.
	maxCallStack = 1000
)

// removedGlobals are deleted from every runtime: timers and I/O hooks that
// embedders commonly add (goja itself has none), and binary buffers whose
// constructors allocate their whole size natively in one call.
var removedGlobals = []string{
	"require", "module", "exports", "process", "console", "print", "load",
	"fetch", "XMLHttpRequest", "WebSocket",
	"setTimeout", "setInterval", "setImmediate", "clearTimeout", "clearInterval", "clearImmediate", "queueMicrotask",
	"ArrayBuffer", "SharedArrayBuffer", "DataView", "Atomics", "WebAssembly",
	"Int8Array", "Uint8Array", "Uint8ClampedArray", "Int16Array", "Uint16Array", "Int32Array", "Uint32Array",
	"Float16Array", "Float32Array", "Float64Array", "BigInt64Array", "BigUint64Array",
}

// sandbox is one goja runtime with the user's function compiled in. It is
// used by one goroutine at a time (the worker goroutine of its VM).
type sandbox struct {
	vm *goja.Runtime
	fn goja.Callable

	dateCtor, rangeErrorCtor, errorCtor goja.Value

	// mu guards cur: Math.random draws from the current call's random source,
	// and from own when no call is running (or after the sandbox was
	// abandoned while a built-in was still running).
	mu  sync.Mutex
	cur *rand.Rand
	own *rand.Rand

	// The worker goroutine's request and result channels, and exited,
	// closed when it ends.
	req    chan []goja.Value
	res    chan result
	exited chan struct{}

	// row is the current call's row, which natives receive.
	row map[string]any
}

// newSandbox builds a runtime, locks it down, installs natives and
// evaluates prog (a function expression).
func newSandbox(prog *goja.Program, natives NativesFunc) (*sandbox, error) {
	setRegexpMatchTimeout()
	vm := goja.New()
	s := &sandbox{vm: vm, own: rand.New(rand.NewPCG(rand.Uint64(), rand.Uint64()))}
	// Source maps would make the parser read files named in a
	// //# sourceMappingURL comment; eval and Function are disabled anyway.
	vm.SetParserOptions(parser.WithDisableSourceMaps)
	vm.SetMaxCallStackSize(maxCallStack)
	vm.SetRandSource(s.random)
	global := vm.GlobalObject()
	s.dateCtor = global.Get("Date")
	s.rangeErrorCtor = global.Get("RangeError")
	s.errorCtor = global.Get("Error")
	for _, name := range removedGlobals {
		_ = global.Delete(name)
	}
	if err := s.disableDynamicCode(); err != nil {
		return nil, err
	}
	s.guardArrays()
	s.guardStrings()
	s.guardObjects()
	s.guardJSON()
	s.guardRegExp()
	s.guardRegExpTime()
	if natives != nil {
		s.installNatives(natives())
	}
	v, err := vm.RunProgram(prog)
	if err != nil {
		return nil, err
	}
	fn, ok := goja.AssertFunction(v)
	if !ok {
		return nil, fmt.Errorf("javascript: code did not compile to a function")
	}
	s.fn = fn
	return s, nil
}

// random is Math.random.
func (s *sandbox) random() float64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cur != nil {
		return s.cur.Float64()
	}
	return s.own.Float64()
}

func (s *sandbox) setRand(r *rand.Rand) {
	s.mu.Lock()
	s.cur = r
	s.mu.Unlock()
}

// newError returns ctor(msg) as a value to panic with (a JavaScript throw).
func (s *sandbox) newError(ctor goja.Value, msg string) goja.Value {
	o, err := s.vm.New(ctor, s.vm.ToValue(msg))
	if err != nil {
		return s.vm.NewTypeError(msg)
	}
	return o
}

func (s *sandbox) throwRange(format string, args ...any) {
	panic(s.newError(s.rangeErrorCtor, "sandbox limit: "+fmt.Sprintf(format, args...)))
}

// disableDynamicCode replaces eval and the Function, GeneratorFunction and
// AsyncFunction constructors (reachable through any function's constructor
// property) with proxies that throw: compiling strings at run time would
// bypass the nesting check that keeps goja's recursive parser from
// overflowing the Go stack, and transformers have no need for it.
func (s *sandbox) disableDynamicCode() error {
	vm := s.vm
	global := vm.GlobalObject()
	_ = global.Set("eval", func(goja.FunctionCall) goja.Value {
		panic(s.newError(s.errorCtor, "eval is disabled in the Neosync sandbox"))
	})
	protos, err := vm.RunString(`[Function.prototype, Object.getPrototypeOf(function*(){}), Object.getPrototypeOf(async function(){})]`)
	if err != nil {
		return err
	}
	arr := protos.(*goja.Object)
	for i := range 3 {
		proto, ok := arr.Get(strconv.Itoa(i)).(*goja.Object)
		if !ok {
			continue
		}
		ctor, ok := proto.Get("constructor").(*goja.Object)
		if !ok {
			continue
		}
		deny := func() {
			panic(s.newError(s.errorCtor, "the Function constructor is disabled in the Neosync sandbox"))
		}
		p := vm.NewProxy(ctor, &goja.ProxyTrapConfig{
			Apply:     func(*goja.Object, goja.Value, []goja.Value) goja.Value { deny(); return nil },
			Construct: func(*goja.Object, []goja.Value, *goja.Object) *goja.Object { deny(); return nil },
		})
		s.proxyInstanceof(ctor)
		pv := vm.ToValue(p)
		_ = proto.DefineDataProperty("constructor", pv, goja.FLAG_TRUE, goja.FLAG_TRUE, goja.FLAG_FALSE)
		if i == 0 {
			_ = global.DefineDataProperty("Function", pv, goja.FLAG_TRUE, goja.FLAG_TRUE, goja.FLAG_FALSE)
		}
	}
	return nil
}

// proxyInstanceof gives target an own Symbol.hasInstance implementing the
// ordinary instanceof check, so that "x instanceof P" works for a proxy P of
// target (goja's Function.prototype[Symbol.hasInstance] rejects proxies).
func (s *sandbox) proxyInstanceof(target *goja.Object) {
	proto, _ := target.Get("prototype").(*goja.Object)
	fn := s.vm.ToValue(func(call goja.FunctionCall) goja.Value {
		o, ok := call.Argument(0).(*goja.Object)
		if !ok || proto == nil {
			return s.vm.ToValue(false)
		}
		for p := o.Prototype(); p != nil; p = p.Prototype() {
			if p.SameAs(proto) {
				return s.vm.ToValue(true)
			}
		}
		return s.vm.ToValue(false)
	})
	_ = target.DefineDataPropertySymbol(goja.SymHasInstance, fn, goja.FLAG_FALSE, goja.FLAG_TRUE, goja.FLAG_FALSE)
}

// wrap replaces obj[name] with a native function that runs check (which may
// throw, or rewrite the call, e.g. to wrap a callback) and then the
// original. The original is held in Go, out of reach of the user's code.
func (s *sandbox) wrap(obj *goja.Object, name string, check func(goja.FunctionCall) goja.FunctionCall) *goja.Object {
	origV, ok := obj.Get(name).(*goja.Object)
	if !ok {
		return nil
	}
	w := s.wrapFunc(origV, name, check)
	if w != nil {
		_ = obj.DefineDataProperty(name, w, goja.FLAG_TRUE, goja.FLAG_TRUE, goja.FLAG_FALSE)
	}
	return w
}

func (s *sandbox) wrapFunc(origV *goja.Object, name string, check func(goja.FunctionCall) goja.FunctionCall) *goja.Object {
	orig, ok := goja.AssertFunction(origV)
	if !ok {
		return nil
	}
	w := s.vm.ToValue(func(call goja.FunctionCall) goja.Value {
		call = check(call)
		v, err := orig(call.This, call.Arguments...)
		if err != nil {
			panic(err) // rethrows exceptions; propagates interrupts
		}
		return v
	}).(*goja.Object)
	_ = w.DefineDataProperty("name", s.vm.ToValue(name), goja.FLAG_FALSE, goja.FLAG_TRUE, goja.FLAG_FALSE)
	_ = w.DefineDataProperty("length", origV.Get("length"), goja.FLAG_FALSE, goja.FLAG_TRUE, goja.FLAG_FALSE)
	return w
}

// lengthOf is the length property of v (string length for strings).
func (s *sandbox) lengthOf(v goja.Value) int64 {
	switch x := v.(type) {
	case nil:
		return 0
	case goja.String:
		return int64(x.Length())
	case *goja.Object:
		return toLength(x.Get("length"))
	}
	if goja.IsUndefined(v) || goja.IsNull(v) {
		return 0
	}
	return toLength(v.ToObject(s.vm).Get("length"))
}

func (s *sandbox) checkElements(what string, n int64) {
	if n > maxElements {
		s.throwRange("%s has %d elements, more than %d", what, n, maxElements)
	}
}

func (s *sandbox) checkString(what string, n float64) {
	if n > maxString {
		s.throwRange("%s would be %.0f characters long, more than %d", what, n, maxString)
	}
}

func isArray(v goja.Value) (*goja.Object, bool) {
	o, ok := v.(*goja.Object)
	return o, ok && o.ClassName() == "Array"
}

// isStringish reports whether v is a string or a String object, and its length.
func (s *sandbox) isStringish(v goja.Value) (int64, bool) {
	switch x := v.(type) {
	case goja.String:
		return int64(x.Length()), true
	case *goja.Object:
		if x.ClassName() == "String" {
			return s.lengthOf(x), true
		}
	}
	return 0, false
}

// countingCallback wraps a callback so that the total size of its results
// (measured by size) is bounded by limit.
func (s *sandbox) countingCallback(cb goja.Value, what string, limit int64, size func(goja.Value) int64) goja.Value {
	f, ok := goja.AssertFunction(cb)
	if !ok {
		return cb
	}
	var total int64
	return s.vm.ToValue(func(call goja.FunctionCall) goja.Value {
		v, err := f(call.This, call.Arguments...)
		if err != nil {
			panic(err)
		}
		total += size(v)
		if total > limit {
			s.throwRange("%s produced more than %d elements or characters", what, limit)
		}
		return v
	})
}

func (s *sandbox) stringSize(v goja.Value) int64 {
	if x, ok := v.(goja.String); ok {
		return int64(x.Length())
	}
	return 24
}
