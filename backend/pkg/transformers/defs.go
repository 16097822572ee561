package transformers

import (
	"slices"

	"github.com/neosyncio/neosync/backend/pkg/transformers/strarena"
)

// genDef declares a generator: it ignores its input, serves sync and
// generate jobs and has no consistent mode.
func genDef(source, name, desc string, out DataType, params []Param, build func(Params, Options) (Func, error)) *Definition {
	return &Definition{
		Source: source, Name: name, Description: desc, Params: params,
		Output: out, JobTypes: slices.Clone(allJobTypes), Generator: true, Build: build,
	}
}

// transformDef declares a consistent transform used by sync jobs.
func transformDef(source, name, desc string, in []DataType, out DataType, params []Param, build func(Params, Options) (Func, error)) *Definition {
	return &Definition{
		Source: source, Name: name, Description: desc, Params: params, InputTypes: in,
		Output: out, JobTypes: []JobType{JobSync}, Consistent: true, Build: build,
	}
}

// withAppend sets d's BuildAppend to build and derives its Build from it.
func withAppend(d *Definition, build func(Params, Options) (AppendFunc, error)) *Definition {
	d.BuildAppend = build
	d.Build = func(p Params, o Options) (Func, error) {
		af, err := build(p, o)
		if err != nil {
			return nil, err
		}
		return appendToFunc(af), nil
	}
	return d
}

// appendToFunc returns the Func form of af: text output is appended to a
// scratch buffer and handed out as a string from an arena.
func appendToFunc(af AppendFunc) Func {
	var buf []byte
	var strs strarena.Arena
	return func(c *Call) (any, error) {
		out, text, v, err := af(c, buf[:0])
		if err != nil || !text {
			return v, err
		}
		buf = out
		return strs.String(out), nil
	}
}

// staticBuild wraps a parameterless implementation.
func staticBuild(f Func) func(Params, Options) (Func, error) {
	return func(Params, Options) (Func, error) { return f, nil }
}

// boolParam declares a bool parameter.
func boolParam(name, desc string, def bool) Param {
	return Param{Name: name, Type: ParamBool, Description: desc, Default: def}
}

// intParam declares an int parameter bounded to [lo, hi].
func intParam(name, desc string, def int64, lo, hi float64) Param {
	return Param{Name: name, Type: ParamInt, Description: desc, Default: def, Min: fptr(lo), Max: fptr(hi)}
}

// numParam declares an unbounded int parameter.
func numParam(name, desc string, def int64) Param {
	return Param{Name: name, Type: ParamInt, Description: desc, Default: def}
}

// floatParam declares an unbounded float parameter.
func floatParam(name, desc string, def float64) Param {
	return Param{Name: name, Type: ParamFloat, Description: desc, Default: def}
}

// enumParam declares a string parameter restricted to allowed values.
func enumParam(name, desc, def string, allowed ...string) Param {
	return Param{Name: name, Type: ParamString, Description: desc, Default: def, Allowed: allowed}
}
