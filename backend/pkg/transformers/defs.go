package transformers

import "slices"

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
