package jsvm

import (
	"github.com/dop251/goja"
)

// guardStrings bounds String.prototype and RegExp.prototype methods that
// build large strings or arrays.
func (s *sandbox) guardStrings() {
	global := s.vm.GlobalObject()
	s.guardStringPrototype(global.Get("String").(*goja.Object))
	s.guardRegExpSymbols(global.Get("RegExp").(*goja.Object).Get("prototype").(*goja.Object))
}

// splitCheck refuses splitting a string of n characters into more than
// maxElements parts.
func (s *sandbox) splitCheck(n int64, limit goja.Value) {
	if n > maxElements && (goja.IsUndefined(limit) || limit.ToFloat() > maxElements) {
		s.throwRange("split of a %d-character string without a limit", n)
	}
}

// replaceCheck bounds the result of replacing in a string of n characters.
func (s *sandbox) replaceCheck(name string, n int64, global bool, call goja.FunctionCall) goja.FunctionCall {
	repl := call.Argument(1)
	if _, ok := goja.AssertFunction(repl); ok {
		args := append([]goja.Value(nil), call.Arguments...)
		args[1] = s.countingCallback(repl, name, maxString, s.stringSize)
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

// isGlobalRegexp reports whether v is an object whose global property is true.
func isGlobalRegexp(v goja.Value) bool {
	o, ok := v.(*goja.Object)
	return ok && o.Get("global") != nil && o.Get("global").ToBoolean()
}

// guardStringPrototype bounds the String.prototype methods and String.raw.
func (s *sandbox) guardStringPrototype(str *goja.Object) {
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
	s.wrap(proto, "split", func(call goja.FunctionCall) goja.FunctionCall {
		s.splitCheck(thisLen(call), call.Argument(1))
		return call
	})
	s.wrap(proto, "replace", func(call goja.FunctionCall) goja.FunctionCall {
		return s.replaceCheck("replace", thisLen(call), isGlobalRegexp(call.Argument(0)), call)
	})
	s.wrap(proto, "replaceAll", func(call goja.FunctionCall) goja.FunctionCall {
		return s.replaceCheck("replaceAll", thisLen(call), true, call)
	})
	s.wrap(proto, "match", func(call goja.FunctionCall) goja.FunctionCall {
		if thisLen(call) > maxElements && isGlobalRegexp(call.Argument(0)) {
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
}

// guardRegExpSymbols bounds the RegExp methods that String methods dispatch
// to, also callable directly.
func (s *sandbox) guardRegExpSymbols(reProto *goja.Object) {
	argLen := func(call goja.FunctionCall) int64 { return s.lengthOf(call.Argument(0).ToString()) }
	wrapSym := func(sym *goja.Symbol, name string, check func(goja.FunctionCall) goja.FunctionCall) {
		if f, ok := reProto.GetSymbol(sym).(*goja.Object); ok {
			if w := s.wrapFunc(f, name, check); w != nil {
				_ = reProto.DefineDataPropertySymbol(sym, w, goja.FLAG_TRUE, goja.FLAG_TRUE, goja.FLAG_FALSE)
			}
		}
	}
	wrapSym(goja.SymMatch, "[Symbol.match]", func(call goja.FunctionCall) goja.FunctionCall {
		if n := argLen(call); n > maxElements && isGlobalRegexp(call.This) {
			s.throwRange("global match on a %d-character string", n)
		}
		return call
	})
	wrapSym(goja.SymReplace, "[Symbol.replace]", func(call goja.FunctionCall) goja.FunctionCall {
		return s.replaceCheck("replace", argLen(call), isGlobalRegexp(call.This), call)
	})
	wrapSym(goja.SymSplit, "[Symbol.split]", func(call goja.FunctionCall) goja.FunctionCall {
		s.splitCheck(argLen(call), call.Argument(1))
		return call
	})
}
