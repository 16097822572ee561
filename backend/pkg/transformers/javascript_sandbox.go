package transformers

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
	// jsMaxElements bounds the length of arrays and array-likes that built-in
	// functions will iterate over natively (fill, join, indexOf, Array.from,
	// spreading, apply, ...). Built-ins are Go code that the time budget
	// cannot interrupt, so they are refused up front instead.
	jsMaxElements = 1 << 20
	// jsMaxString bounds (in UTF-16 code units) the strings that built-ins
	// such as repeat, padStart, join, replace and JSON.stringify may build.
	jsMaxString = 1 << 24
	// jsMaxCallStack bounds the JavaScript call depth.
	jsMaxCallStack = 1000
)

// jsRemovedGlobals are deleted from every runtime: timers and I/O hooks that
// embedders commonly add (goja itself has none), and binary buffers whose
// constructors allocate their whole size natively in one call.
var jsRemovedGlobals = []string{
	"require", "module", "exports", "process", "console", "print", "load",
	"fetch", "XMLHttpRequest", "WebSocket",
	"setTimeout", "setInterval", "setImmediate", "clearTimeout", "clearInterval", "clearImmediate", "queueMicrotask",
	"ArrayBuffer", "SharedArrayBuffer", "DataView", "Atomics", "WebAssembly",
	"Int8Array", "Uint8Array", "Uint8ClampedArray", "Int16Array", "Uint16Array", "Int32Array", "Uint32Array",
	"Float16Array", "Float32Array", "Float64Array", "BigInt64Array", "BigUint64Array",
}

// jsSandbox is one goja runtime with the user's function compiled in. It is
// used by one goroutine at a time (the call goroutine of jsEngine).
type jsSandbox struct {
	vm *goja.Runtime
	fn goja.Callable

	dateCtor, rangeErrorCtor, errorCtor goja.Value

	// mu guards cur: Math.random draws from the current call's random source,
	// and from own when no call is running (or after the sandbox was
	// abandoned while a built-in was still running).
	mu  sync.Mutex
	cur *rand.Rand
	own *rand.Rand

	// The worker goroutine's request and result channels.
	req chan []goja.Value
	res chan jsResult

	// Nested system transformers called through the neosync object.
	reg    *Registry
	opts   Options
	row    map[string]any
	nested map[string]*Instance
}

// newJSSandbox builds a runtime, locks it down and evaluates prog (a function
// expression).
func newJSSandbox(prog *goja.Program, reg *Registry, o Options) (*jsSandbox, error) {
	setRegexpMatchTimeout()
	vm := goja.New()
	s := &jsSandbox{vm: vm, reg: reg, opts: o, own: rand.New(rand.NewPCG(rand.Uint64(), rand.Uint64()))}
	// Source maps would make the parser read files named in a
	// //# sourceMappingURL comment; eval and Function are disabled anyway.
	vm.SetParserOptions(parser.WithDisableSourceMaps)
	vm.SetMaxCallStackSize(jsMaxCallStack)
	vm.SetRandSource(s.random)
	global := vm.GlobalObject()
	s.dateCtor = global.Get("Date")
	s.rangeErrorCtor = global.Get("RangeError")
	s.errorCtor = global.Get("Error")
	for _, name := range jsRemovedGlobals {
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
	if reg != nil {
		s.installNeosync()
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
func (s *jsSandbox) random() float64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cur != nil {
		return s.cur.Float64()
	}
	return s.own.Float64()
}

func (s *jsSandbox) setRand(r *rand.Rand) {
	s.mu.Lock()
	s.cur = r
	s.mu.Unlock()
}

// newError returns ctor(msg) as a value to panic with (a JavaScript throw).
func (s *jsSandbox) newError(ctor goja.Value, msg string) goja.Value {
	o, err := s.vm.New(ctor, s.vm.ToValue(msg))
	if err != nil {
		return s.vm.NewTypeError(msg)
	}
	return o
}

func (s *jsSandbox) throwRange(format string, args ...any) {
	panic(s.newError(s.rangeErrorCtor, "sandbox limit: "+fmt.Sprintf(format, args...)))
}

// disableDynamicCode replaces eval and the Function, GeneratorFunction and
// AsyncFunction constructors (reachable through any function's constructor
// property) with proxies that throw: compiling strings at run time would
// bypass the nesting check that keeps goja's recursive parser from
// overflowing the Go stack, and transformers have no need for it.
func (s *jsSandbox) disableDynamicCode() error {
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
func (s *jsSandbox) proxyInstanceof(target *goja.Object) {
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
func (s *jsSandbox) wrap(obj *goja.Object, name string, check func(goja.FunctionCall) goja.FunctionCall) *goja.Object {
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

func (s *jsSandbox) wrapFunc(origV *goja.Object, name string, check func(goja.FunctionCall) goja.FunctionCall) *goja.Object {
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
func (s *jsSandbox) lengthOf(v goja.Value) int64 {
	switch x := v.(type) {
	case nil:
		return 0
	case goja.String:
		return int64(x.Length())
	case *goja.Object:
		return jsLength(x.Get("length"))
	}
	if goja.IsUndefined(v) || goja.IsNull(v) {
		return 0
	}
	return jsLength(v.ToObject(s.vm).Get("length"))
}

func (s *jsSandbox) checkElements(what string, n int64) {
	if n > jsMaxElements {
		s.throwRange("%s has %d elements, more than %d", what, n, jsMaxElements)
	}
}

func (s *jsSandbox) checkString(what string, n float64) {
	if n > jsMaxString {
		s.throwRange("%s would be %.0f characters long, more than %d", what, n, jsMaxString)
	}
}

func isArray(v goja.Value) (*goja.Object, bool) {
	o, ok := v.(*goja.Object)
	return o, ok && o.ClassName() == "Array"
}

// isStringish reports whether v is a string or a String object, and its length.
func (s *jsSandbox) isStringish(v goja.Value) (int64, bool) {
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
func (s *jsSandbox) countingCallback(cb goja.Value, what string, limit int64, size func(goja.Value) int64) goja.Value {
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

func (s *jsSandbox) stringSize(v goja.Value) int64 {
	if x, ok := v.(goja.String); ok {
		return int64(x.Length())
	}
	return 24
}

// guardArrays bounds Array.prototype methods, Array.from, apply and
// Reflect.apply/construct.
func (s *jsSandbox) guardArrays() {
	vm := s.vm
	global := vm.GlobalObject()
	array := global.Get("Array").(*goja.Object)
	proto := array.Get("prototype").(*goja.Object)
	receiver := func(call goja.FunctionCall) goja.FunctionCall {
		s.checkElements("array", s.lengthOf(call.This))
		return call
	}
	for _, name := range proto.GetOwnPropertyNames() {
		switch name {
		case "constructor", "push", "pop", "at", "length":
			continue // O(1) or not a function
		case "concat":
			s.wrap(proto, name, func(call goja.FunctionCall) goja.FunctionCall {
				n := s.lengthOf(call.This)
				for _, a := range call.Arguments {
					if o, ok := a.(*goja.Object); ok {
						n += s.lengthOf(o)
					} else {
						n++
					}
				}
				s.checkElements("concatenation", n)
				return call
			})
		case "flat":
			s.wrap(proto, name, func(call goja.FunctionCall) goja.FunctionCall {
				depth := int64(1)
				if d := call.Argument(0); !goja.IsUndefined(d) {
					depth = min(max(d.ToInteger(), 0), jsMaxConvertDepth+1)
				}
				var total int64
				s.flatCount(call.This.ToObject(vm), depth, &total, 0)
				return call
			})
		case "flatMap":
			s.wrap(proto, name, func(call goja.FunctionCall) goja.FunctionCall {
				s.checkElements("array", s.lengthOf(call.This))
				args := append([]goja.Value(nil), call.Arguments...)
				if len(args) > 0 {
					args[0] = s.countingCallback(args[0], "flatMap", jsMaxElements, func(v goja.Value) int64 {
						if o, ok := isArray(v); ok {
							return s.lengthOf(o)
						}
						return 1
					})
				}
				call.Arguments = args
				return call
			})
		case "join", "toString", "toLocaleString":
			s.wrap(proto, name, func(call goja.FunctionCall) goja.FunctionCall {
				sep := int64(1)
				if name == "join" {
					if a := call.Argument(0); !goja.IsUndefined(a) {
						sep = int64(len(a.String()))
					}
				}
				var total int64
				s.joinEstimate(call.This.ToObject(vm), sep, &total, 0, map[*goja.Object]bool{})
				return call
			})
		default:
			if _, ok := goja.AssertFunction(proto.Get(name)); ok {
				s.wrap(proto, name, receiver)
			}
		}
	}
	// Array.prototype[Symbol.iterator] is the same function as values.
	if values, ok := proto.Get("values").(*goja.Object); ok {
		_ = proto.DefineDataPropertySymbol(goja.SymIterator, values, goja.FLAG_TRUE, goja.FLAG_TRUE, goja.FLAG_FALSE)
	}
	s.wrap(array, "from", func(call goja.FunctionCall) goja.FunctionCall {
		items := call.Argument(0)
		if n, ok := s.isStringish(items); ok {
			s.checkElements("Array.from source", n)
		} else if o, ok := items.(*goja.Object); ok {
			if it := o.GetSymbol(goja.SymIterator); it == nil || goja.IsUndefined(it) || goja.IsNull(it) {
				s.checkElements("Array.from source", s.lengthOf(o))
			}
		}
		return call
	})
	argList := func(i int) func(goja.FunctionCall) goja.FunctionCall {
		return func(call goja.FunctionCall) goja.FunctionCall {
			if o, ok := call.Argument(i).(*goja.Object); ok {
				s.checkElements("argument list", s.lengthOf(o))
			}
			return call
		}
	}
	funcProto := vm.ToValue(func(goja.FunctionCall) goja.Value { return nil }).(*goja.Object).Prototype()
	s.wrap(funcProto, "apply", argList(1))
	reflect := global.Get("Reflect").(*goja.Object)
	s.wrap(reflect, "apply", argList(2))
	s.wrap(reflect, "construct", argList(1))
	s.wrap(reflect, "ownKeys", func(call goja.FunctionCall) goja.FunctionCall {
		if n, ok := s.isStringish(call.Argument(0)); ok {
			s.checkElements("string", n)
		}
		return call
	})
}

// flatCount counts the elements flat(depth) would produce.
func (s *jsSandbox) flatCount(o *goja.Object, depth int64, total *int64, level int) {
	if level > jsMaxConvertDepth {
		s.throwRange("arrays nested more than %d levels deep", jsMaxConvertDepth)
	}
	n := s.lengthOf(o)
	s.checkElements("array", n)
	for i := range n {
		e := o.Get(strconv.FormatInt(i, 10))
		if a, ok := isArray(e); ok && depth > 0 {
			s.flatCount(a, depth-1, total, level+1)
		} else {
			*total++
		}
		if *total > jsMaxElements {
			s.throwRange("flat would produce more than %d elements", jsMaxElements)
		}
	}
}

// joinEstimate adds the length join would produce for o.
func (s *jsSandbox) joinEstimate(o *goja.Object, sep int64, total *int64, level int, seen map[*goja.Object]bool) {
	if level > jsMaxConvertDepth {
		s.throwRange("arrays nested more than %d levels deep", jsMaxConvertDepth)
	}
	n := s.lengthOf(o)
	s.checkElements("array", n)
	if seen[o] {
		return // join writes "" for a cycle
	}
	seen[o] = true
	defer delete(seen, o)
	if n > 0 {
		*total += sep * (n - 1)
	}
	for i := range n {
		e := o.Get(strconv.FormatInt(i, 10))
		switch x := e.(type) {
		case goja.String:
			*total += int64(x.Length())
		case *goja.Object:
			if x.ClassName() == "Array" {
				s.joinEstimate(x, 1, total, level+1, seen)
			} else {
				*total += 16
			}
		default:
			*total += 24
		}
		if *total > jsMaxString {
			s.throwRange("join would produce more than %d characters", jsMaxString)
		}
	}
}

// guardStrings bounds String.prototype and RegExp.prototype methods that
// build large strings or arrays.
func (s *jsSandbox) guardStrings() {
	vm := s.vm
	global := vm.GlobalObject()
	str := global.Get("String").(*goja.Object)
	proto := str.Get("prototype").(*goja.Object)
	thisLen := func(call goja.FunctionCall) int64 { return s.lengthOf(call.This) }
	s.wrap(proto, "repeat", func(call goja.FunctionCall) goja.FunctionCall {
		if c := call.Argument(0).ToFloat(); c > 0 {
			s.checkString("repeat", float64(thisLen(call))*c)
		}
		return call
	})
	for _, name := range []string{"padStart", "padEnd"} {
		s.wrap(proto, name, func(call goja.FunctionCall) goja.FunctionCall {
			s.checkString(name, call.Argument(0).ToFloat())
			return call
		})
	}
	s.wrap(proto, "concat", func(call goja.FunctionCall) goja.FunctionCall {
		n := thisLen(call)
		for _, a := range call.Arguments {
			n += s.stringSize(a)
		}
		s.checkString("concat", float64(n))
		return call
	})
	splitCheck := func(n int64, limit goja.Value) {
		if n > jsMaxElements && (goja.IsUndefined(limit) || limit.ToFloat() > jsMaxElements) {
			s.throwRange("split of a %d-character string without a limit", n)
		}
	}
	s.wrap(proto, "split", func(call goja.FunctionCall) goja.FunctionCall {
		splitCheck(thisLen(call), call.Argument(1))
		return call
	})
	// replaceCheck bounds the result of replacing in a string of n characters.
	replaceCheck := func(name string, n int64, global bool, call goja.FunctionCall) goja.FunctionCall {
		repl := call.Argument(1)
		if _, ok := goja.AssertFunction(repl); ok {
			args := append([]goja.Value(nil), call.Arguments...)
			args[1] = s.countingCallback(repl, name, jsMaxString, s.stringSize)
			call.Arguments = args
			return call
		}
		r := int64(len(repl.String()))
		if global {
			s.checkString(name, float64(n+1)*float64(r)+float64(n))
		} else {
			s.checkString(name, float64(n+r))
		}
		return call
	}
	isGlobalRegexp := func(v goja.Value) bool {
		o, ok := v.(*goja.Object)
		return ok && o.Get("global") != nil && o.Get("global").ToBoolean()
	}
	s.wrap(proto, "replace", func(call goja.FunctionCall) goja.FunctionCall {
		return replaceCheck("replace", thisLen(call), isGlobalRegexp(call.Argument(0)), call)
	})
	s.wrap(proto, "replaceAll", func(call goja.FunctionCall) goja.FunctionCall {
		return replaceCheck("replaceAll", thisLen(call), true, call)
	})
	s.wrap(proto, "match", func(call goja.FunctionCall) goja.FunctionCall {
		if thisLen(call) > jsMaxElements && isGlobalRegexp(call.Argument(0)) {
			s.throwRange("global match on a %d-character string", thisLen(call))
		}
		return call
	})
	if it, ok := proto.GetSymbol(goja.SymIterator).(*goja.Object); ok {
		if w := s.wrapFunc(it, "[Symbol.iterator]", func(call goja.FunctionCall) goja.FunctionCall {
			s.checkElements("string", thisLen(call))
			return call
		}); w != nil {
			_ = proto.DefineDataPropertySymbol(goja.SymIterator, w, goja.FLAG_TRUE, goja.FLAG_TRUE, goja.FLAG_FALSE)
		}
	}
	s.wrap(str, "raw", func(call goja.FunctionCall) goja.FunctionCall {
		if o, ok := call.Argument(0).(*goja.Object); ok {
			if raw, ok := o.Get("raw").(*goja.Object); ok {
				s.checkElements("String.raw template", s.lengthOf(raw))
			}
		}
		return call
	})
	// RegExp methods that String methods dispatch to, also callable directly.
	reProto := global.Get("RegExp").(*goja.Object).Get("prototype").(*goja.Object)
	argLen := func(call goja.FunctionCall) int64 { return s.lengthOf(call.Argument(0).ToString()) }
	wrapSym := func(sym *goja.Symbol, name string, check func(goja.FunctionCall) goja.FunctionCall) {
		if f, ok := reProto.GetSymbol(sym).(*goja.Object); ok {
			if w := s.wrapFunc(f, name, check); w != nil {
				_ = reProto.DefineDataPropertySymbol(sym, w, goja.FLAG_TRUE, goja.FLAG_TRUE, goja.FLAG_FALSE)
			}
		}
	}
	wrapSym(goja.SymMatch, "[Symbol.match]", func(call goja.FunctionCall) goja.FunctionCall {
		if n := argLen(call); n > jsMaxElements && isGlobalRegexp(call.This) {
			s.throwRange("global match on a %d-character string", n)
		}
		return call
	})
	wrapSym(goja.SymReplace, "[Symbol.replace]", func(call goja.FunctionCall) goja.FunctionCall {
		return replaceCheck("replace", argLen(call), isGlobalRegexp(call.This), call)
	})
	wrapSym(goja.SymSplit, "[Symbol.split]", func(call goja.FunctionCall) goja.FunctionCall {
		splitCheck(argLen(call), call.Argument(1))
		return call
	})
}

// guardObjects bounds Object functions that turn a string into one property
// per character.
func (s *jsSandbox) guardObjects() {
	object := s.vm.GlobalObject().Get("Object").(*goja.Object)
	for _, name := range []string{"keys", "values", "entries", "getOwnPropertyNames", "getOwnPropertyDescriptors"} {
		s.wrap(object, name, func(call goja.FunctionCall) goja.FunctionCall {
			if n, ok := s.isStringish(call.Argument(0)); ok {
				s.checkElements("string", n)
			}
			return call
		})
	}
	s.wrap(object, "assign", func(call goja.FunctionCall) goja.FunctionCall {
		var n int64
		for _, a := range call.Arguments[min(1, len(call.Arguments)):] {
			if l, ok := s.isStringish(a); ok {
				n += l
			}
		}
		s.checkElements("Object.assign sources", n)
		return call
	})
}

// guardJSON bounds JSON.stringify's output and JSON.parse's nesting.
func (s *jsSandbox) guardJSON() {
	json := s.vm.GlobalObject().Get("JSON").(*goja.Object)
	s.wrap(json, "stringify", func(call goja.FunctionCall) goja.FunctionCall {
		if _, ok := goja.AssertFunction(call.Argument(1)); ok {
			args := append([]goja.Value(nil), call.Arguments...)
			args[1] = s.countingCallback(args[1], "JSON.stringify", jsMaxString, s.stringSize)
			call.Arguments = args
			return call
		}
		indent := int64(0)
		switch sp := call.Argument(2).(type) {
		case goja.String:
			indent = int64(min(sp.Length(), 10))
		default:
			if sp != nil && !goja.IsUndefined(sp) && !goja.IsNull(sp) {
				indent = min(max(sp.ToInteger(), 0), 10)
			}
		}
		var total int64
		s.jsonEstimate(call.Argument(0), indent, &total, 0, map[*goja.Object]bool{})
		return call
	})
	s.wrap(json, "parse", func(call goja.FunctionCall) goja.FunctionCall {
		if d := jsonNesting(call.Argument(0).String()); d > jsMaxNesting {
			panic(s.newError(s.vm.GlobalObject().Get("SyntaxError"), fmt.Sprintf("sandbox limit: JSON nested more than %d levels deep", jsMaxNesting)))
		}
		return call
	})
}

// jsonEstimate adds an estimate of the length of JSON.stringify(v).
func (s *jsSandbox) jsonEstimate(v goja.Value, indent int64, total *int64, level int, path map[*goja.Object]bool) {
	if level > jsMaxConvertDepth {
		s.throwRange("value nested more than %d levels deep", jsMaxConvertDepth)
	}
	*total += indent*int64(level) + 1
	switch x := v.(type) {
	case goja.String:
		*total += int64(x.Length()) + 2
	case *goja.Object:
		if path[x] {
			return // cyclic: stringify throws
		}
		if _, ok := goja.AssertFunction(x.Get("toJSON")); ok {
			*total += 16
			break
		}
		switch x.ClassName() {
		case "Function":
			return
		case "String":
			*total += s.lengthOf(x) + 2
			return
		}
		path[x] = true
		defer delete(path, x)
		if x.ClassName() == "Array" {
			n := s.lengthOf(x)
			s.checkElements("array", n)
			for i := range n {
				s.jsonEstimate(x.Get(strconv.FormatInt(i, 10)), indent, total, level+1, path)
				if *total > jsMaxString {
					break
				}
			}
		} else {
			for _, k := range x.Keys() {
				*total += int64(len(k)) + 4
				s.jsonEstimate(x.Get(k), indent, total, level+1, path)
				if *total > jsMaxString {
					break
				}
			}
		}
	default:
		*total += 24
	}
	if *total > jsMaxString {
		s.throwRange("JSON.stringify would produce more than %d characters", jsMaxString)
	}
}

// jsonNesting returns the deepest bracket nesting of JSON text outside strings.
func jsonNesting(text string) int {
	depth, deepest, inString := 0, 0, false
	for i := 0; i < len(text); i++ {
		c := text[i]
		if inString {
			switch c {
			case '\\':
				i++
			case '"':
				inString = false
			}
			continue
		}
		switch c {
		case '"':
			inString = true
		case '[', '{':
			depth++
			deepest = max(deepest, depth)
		case ']', '}':
			depth--
		}
	}
	return deepest
}

// guardRegExp bounds the group nesting of regular expressions compiled at run
// time (literals are covered by the check on the code): goja falls back to
// the backtracking regexp2 engine, whose parser recurses on the Go stack.
// RegExp is replaced by a proxy that checks the pattern, and String methods
// that compile a string argument as a pattern check it too.
func (s *jsSandbox) guardRegExp() {
	vm := s.vm
	global := vm.GlobalObject()
	re, ok := global.Get("RegExp").(*goja.Object)
	if !ok {
		return
	}
	check := func(args []goja.Value) {
		if len(args) == 0 {
			return
		}
		var src string
		if o, ok := args[0].(*goja.Object); ok && o.ClassName() == "RegExp" {
			src = o.Get("source").String()
		} else if !goja.IsUndefined(args[0]) {
			src = args[0].String()
		}
		if err := checkJSNesting(src); err != nil {
			panic(s.newError(global.Get("SyntaxError"), "sandbox limit: regular expression "+err.(*JavaScriptError).Message))
		}
	}
	s.proxyInstanceof(re)
	apply, _ := goja.AssertFunction(re)
	construct, _ := goja.AssertConstructor(re)
	p := vm.ToValue(vm.NewProxy(re, &goja.ProxyTrapConfig{
		Apply: func(_ *goja.Object, this goja.Value, args []goja.Value) goja.Value {
			check(args)
			v, err := apply(this, args...)
			if err != nil {
				panic(err)
			}
			return v
		},
		Construct: func(_ *goja.Object, args []goja.Value, newTarget *goja.Object) *goja.Object {
			check(args)
			o, err := construct(newTarget, args...)
			if err != nil {
				panic(err)
			}
			return o
		},
	}))
	_ = re.Get("prototype").(*goja.Object).DefineDataProperty("constructor", p, goja.FLAG_TRUE, goja.FLAG_TRUE, goja.FLAG_FALSE)
	_ = global.DefineDataProperty("RegExp", p, goja.FLAG_TRUE, goja.FLAG_TRUE, goja.FLAG_FALSE)
	proto := global.Get("String").(*goja.Object).Get("prototype").(*goja.Object)
	for _, name := range []string{"match", "matchAll", "search"} {
		s.wrap(proto, name, func(call goja.FunctionCall) goja.FunctionCall {
			if _, isObj := call.Argument(0).(*goja.Object); !isObj {
				check(call.Arguments)
			}
			return call
		})
	}
}
