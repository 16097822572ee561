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

// wordGenerator declares a generator that writes a random entry of list
// fitting the column (lenIndex.fit). Its value form hands out the entries
// boxed once and its appending form copies them into the caller's buffer,
// so neither allocates; both make the same draws.
func wordGenerator(source, name, desc string, list *lenIndex) *Definition {
	d := genDef(source, name, desc, TypeString, nil, staticBuild(func(c *Call) (any, error) {
		return list.fitValue(c.Rand, c.MaxLength), nil
	}))
	d.BuildAppend = func(Params, Options) (AppendFunc, error) {
		return func(c *Call, dst []byte) ([]byte, bool, any, error) {
			return list.appendFit(dst, c.Rand, c.MaxLength), true, nil, nil
		}, nil
	}
	d.valueBuild = true
	return d
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
