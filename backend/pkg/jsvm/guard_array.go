package jsvm

import (
	"strconv"

	"github.com/dop251/goja"
)

// guardArrays bounds Array.prototype methods, Array.from, apply and
// Reflect.apply/construct.
func (s *sandbox) guardArrays() {
	array := s.vm.GlobalObject().Get("Array").(*goja.Object)
	s.guardArrayPrototype(array.Get("prototype").(*goja.Object))
	s.guardArrayStatics(array)
}

// guardArrayPrototype wraps every Array.prototype method that is not O(1).
func (s *sandbox) guardArrayPrototype(proto *goja.Object) {
	vm := s.vm
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
					depth = min(max(d.ToInteger(), 0), maxConvertDepth+1)
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
					args[0] = s.countingCallback(args[0], "flatMap", maxElements, func(v goja.Value) int64 {
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
}

// guardArrayStatics bounds Array.from, Function.prototype.apply and
// Reflect.apply/construct/ownKeys.
func (s *sandbox) guardArrayStatics(array *goja.Object) {
	vm := s.vm
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
	reflect := vm.GlobalObject().Get("Reflect").(*goja.Object)
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
func (s *sandbox) flatCount(o *goja.Object, depth int64, total *int64, level int) {
	if level > maxConvertDepth {
		s.throwRange("arrays nested more than %d levels deep", maxConvertDepth)
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
		if *total > maxElements {
			s.throwRange("flat would produce more than %d elements", maxElements)
		}
	}
}

// joinEstimate adds the length join would produce for o.
func (s *sandbox) joinEstimate(o *goja.Object, sep int64, total *int64, level int, seen map[*goja.Object]bool) {
	if level > maxConvertDepth {
		s.throwRange("arrays nested more than %d levels deep", maxConvertDepth)
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
		if *total > maxString {
			s.throwRange("join would produce more than %d characters", maxString)
		}
	}
}
