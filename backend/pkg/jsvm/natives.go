package jsvm

import (
	"github.com/dop251/goja"
)

// Native is a Go function the embedder exposes to the code as a method of
// the global neosync object (neosync.transformEmail, ...). The sandbox
// converts its arguments and result with the same rules as the function's
// own arguments and result, so no Go value or method reaches JavaScript.
type Native struct {
	// Name is the property of the neosync object.
	Name string
	// Generator functions are called from JavaScript as neosync.name(params);
	// the others as neosync.name(value, params). Call then receives a nil
	// value for generators.
	Generator bool
	// Call runs the function. params is the JavaScript parameters object
	// (nil when it was omitted, null or undefined); row is the row of the
	// evaluation that called it. An error is thrown to the code as an Error
	// whose message starts with "neosync.<Name>: ", so the code can catch
	// it. Returning Undefined gives the code undefined.
	Call func(value any, params map[string]any, row map[string]any) (any, error)
}

// Undefined is the result a Native returns for JavaScript's undefined.
var Undefined any = undefinedValue{}

type undefinedValue struct{}

// NativesFunc returns the natives of one runtime. A VM calls it once per
// runtime it builds, so that state a native keeps (a cache of built
// transformers) is never shared between a runtime abandoned to its
// goroutine and its replacement.
type NativesFunc func() []Native

// nativeError is a JavaScript Error for a failed native call.
func (s *sandbox) nativeError(name, msg string) goja.Value {
	return s.newError(s.errorCtor, "neosync."+name+": "+msg)
}

// installNatives defines the global neosync object with natives.
func (s *sandbox) installNatives(natives []Native) {
	ns := s.vm.NewObject()
	for _, n := range natives {
		_ = ns.Set(n.Name, func(call goja.FunctionCall) goja.Value {
			value, params := goja.Value(goja.Null()), call.Argument(0)
			if !n.Generator {
				value, params = call.Argument(0), call.Argument(1)
			}
			raw := s.nativeParams(n.Name, params)
			var gv any
			if !n.Generator {
				v, err := s.fromJS(value, 0)
				if err != nil {
					panic(s.nativeError(n.Name, err.Error()))
				}
				gv = v
			}
			out, err := n.Call(gv, raw, s.row)
			if err != nil {
				panic(s.nativeError(n.Name, err.Error()))
			}
			if out == Undefined {
				return goja.Undefined()
			}
			return s.toJS(out, 0)
		})
	}
	_ = s.vm.GlobalObject().Set("neosync", ns)
}

// nativeParams converts a native's parameters object (nil when absent).
func (s *sandbox) nativeParams(name string, params goja.Value) map[string]any {
	if params == nil || goja.IsUndefined(params) || goja.IsNull(params) {
		return nil
	}
	p, err := s.fromJS(params, 0)
	m, ok := p.(map[string]any)
	if err != nil || !ok {
		panic(s.nativeError(name, "parameters must be an object"))
	}
	return m
}
