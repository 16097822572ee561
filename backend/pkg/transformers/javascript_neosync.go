package transformers

import (
	"encoding/binary"
	"encoding/json"
	"hash/fnv"
	"strings"

	"github.com/dop251/goja"
)

// jsNestedCacheSize bounds the nested instances one sandbox keeps.
const jsNestedCacheSize = 256

// jsFunctionName maps a source to its neosync.* name: "transform_email" ->
// "transformEmail", "generate_e164_phone_number" -> "generateE164PhoneNumber".
func jsFunctionName(source string) string {
	parts := strings.Split(source, "_")
	var b strings.Builder
	for i, p := range parts {
		if i > 0 && p != "" {
			b.WriteString(strings.ToUpper(p[:1]))
			b.WriteString(p[1:])
		} else {
			b.WriteString(p)
		}
	}
	return b.String()
}

// isJavaScriptSource reports whether source is one of the JavaScript
// transformers, which are not exposed to JavaScript (no recursion).
func isJavaScriptSource(source string) bool {
	return source == jsTransformSource || source == jsGenerateSource
}

// installNeosync defines the global neosync object: one function per system
// transformer of the registry, named by jsFunctionName. Transforms are called
// as neosync.transformX(value, params) and generators as
// neosync.generateX(params), params being an object of the transformer's
// parameters (optional). Each (source, params) pair is built once, on first
// use, with the sandbox's Options, so consistent mode carries through.
// Errors are thrown as JavaScript Errors.
func (s *jsSandbox) installNeosync() {
	vm := s.vm
	ns := vm.NewObject()
	s.nested = map[string]*Instance{}
	for _, d := range s.reg.List() {
		if isJavaScriptSource(d.Source) {
			continue
		}
		d := d
		_ = ns.Set(jsFunctionName(d.Source), func(call goja.FunctionCall) goja.Value {
			value, params := goja.Null(), call.Argument(0)
			if !d.Generator {
				value, params = call.Argument(0), call.Argument(1)
			}
			in := s.nestedInstance(d.Source, params)
			gv, err := s.fromJS(value, 0)
			if err != nil {
				panic(s.newError(s.errorCtor, "neosync."+jsFunctionName(d.Source)+": "+err.Error()))
			}
			out, err := in.Transform(gv, s.row)
			if err != nil {
				panic(s.newError(s.errorCtor, "neosync."+jsFunctionName(d.Source)+": "+err.Error()))
			}
			if IsColumnDefault(out) {
				return goja.Undefined()
			}
			return s.toJS(out, 0)
		})
	}
	_ = vm.GlobalObject().Set("neosync", ns)
}

// nestedInstance returns the cached instance of source with the parameters
// given as a JavaScript object, building it on first use.
func (s *jsSandbox) nestedInstance(source string, params goja.Value) *Instance {
	name := "neosync." + jsFunctionName(source)
	var raw map[string]any
	if params != nil && !goja.IsUndefined(params) && !goja.IsNull(params) {
		p, err := s.fromJS(params, 0)
		m, ok := p.(map[string]any)
		if err != nil || !ok {
			panic(s.newError(s.errorCtor, name+": parameters must be an object"))
		}
		raw = m
	}
	// json.Marshal sorts map keys, so equal parameters give equal keys.
	enc, err := json.Marshal(raw)
	if err != nil {
		panic(s.newError(s.errorCtor, name+": "+err.Error()))
	}
	cacheKey := source + "\x00" + string(enc)
	if in := s.nested[cacheKey]; in != nil {
		return in
	}
	o := Options{Key: s.opts.Key, Column: s.opts.Column}
	if s.opts.Seed != 0 {
		// Reproducible random mode: a seed per (source, parameters).
		h := fnv.New64a()
		var seed [8]byte
		binary.BigEndian.PutUint64(seed[:], s.opts.Seed)
		h.Write(seed[:])
		h.Write([]byte(cacheKey))
		o.Seed = h.Sum64() | 1
	}
	in, err := s.reg.Build(source, raw, o)
	if err != nil {
		panic(s.newError(s.errorCtor, name+": "+err.Error()))
	}
	if len(s.nested) >= jsNestedCacheSize {
		clear(s.nested)
	}
	s.nested[cacheKey] = in
	return in
}
