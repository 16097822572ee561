package jsvm

import (
	"fmt"
	"strconv"

	"github.com/dop251/goja"
)

// guardObjects bounds Object functions that turn a string into one property
// per character.
func (s *sandbox) guardObjects() {
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
func (s *sandbox) guardJSON() {
	json := s.vm.GlobalObject().Get("JSON").(*goja.Object)
	s.wrap(json, "stringify", func(call goja.FunctionCall) goja.FunctionCall {
		if _, ok := goja.AssertFunction(call.Argument(1)); ok {
			args := append([]goja.Value(nil), call.Arguments...)
			args[1] = s.countingCallback(args[1], "JSON.stringify", maxString, s.stringSize)
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
		if d := jsonNesting(call.Argument(0).String()); d > maxNesting {
			panic(s.newError(s.vm.GlobalObject().Get("SyntaxError"), fmt.Sprintf("sandbox limit: JSON nested more than %d levels deep", maxNesting)))
		}
		return call
	})
}

// jsonEstimate adds an estimate of the length of JSON.stringify(v).
func (s *sandbox) jsonEstimate(v goja.Value, indent int64, total *int64, level int, path map[*goja.Object]bool) {
	if level > maxConvertDepth {
		s.throwRange("value nested more than %d levels deep", maxConvertDepth)
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
				if *total > maxString {
					break
				}
			}
		} else {
			for _, k := range x.Keys() {
				*total += int64(len(k)) + 4
				s.jsonEstimate(x.Get(k), indent, total, level+1, path)
				if *total > maxString {
					break
				}
			}
		}
	default:
		*total += 24
	}
	if *total > maxString {
		s.throwRange("JSON.stringify would produce more than %d characters", maxString)
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
