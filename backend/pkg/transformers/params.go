package transformers

import (
	"fmt"
	"math"
	"slices"
)

// Params are validated parameter values with defaults applied, typed as the
// definition declares: bool, int64, float64, string or []string.
type Params map[string]any

// Bool returns a bool parameter.
func (p Params) Bool(name string) bool { v, _ := p[name].(bool); return v }

// Int returns an int parameter.
func (p Params) Int(name string) int64 { v, _ := p[name].(int64); return v }

// Float returns a float parameter.
func (p Params) Float(name string) float64 { v, _ := p[name].(float64); return v }

// String returns a string parameter.
func (p Params) String(name string) string { v, _ := p[name].(string); return v }

// Strings returns a string-list parameter.
func (p Params) Strings(name string) []string { v, _ := p[name].([]string); return v }

// Has reports whether the parameter is set (given or defaulted).
func (p Params) Has(name string) bool { _, ok := p[name]; return ok }

func fptr(f float64) *float64 { return &f }

// validateParams checks raw values (as decoded from JSON: bool, float64,
// string, []any, or Go ints) against the definition and applies defaults.
func validateParams(def *Definition, raw map[string]any) (Params, error) {
	out := Params{}
	known := map[string]bool{}
	for _, p := range def.Params {
		known[p.Name] = true
		v, ok := raw[p.Name]
		if !ok || v == nil {
			if p.Required {
				return nil, &ParamError{def.Source, p.Name, "is required"}
			}
			if p.Default != nil {
				v = p.Default
			} else {
				continue
			}
		}
		cv, err := coerceParam(p, v)
		if err != nil {
			return nil, &ParamError{def.Source, p.Name, err.Error()}
		}
		out[p.Name] = cv
	}
	for name := range raw {
		if !known[name] {
			return nil, &ParamError{def.Source, name, "is not a parameter of this transformer"}
		}
	}
	return out, nil
}

func coerceParam(p Param, v any) (any, error) {
	switch p.Type {
	case ParamBool:
		b, ok := v.(bool)
		if !ok {
			return nil, fmt.Errorf("must be true or false")
		}
		return b, nil
	case ParamInt:
		var i int64
		switch n := v.(type) {
		case int:
			i = int64(n)
		case int64:
			i = n
		case float64:
			if n != math.Trunc(n) || math.Abs(n) > 1<<62 {
				return nil, fmt.Errorf("must be a whole number")
			}
			i = int64(n)
		default:
			return nil, fmt.Errorf("must be a whole number")
		}
		if p.Min != nil && float64(i) < *p.Min {
			return nil, fmt.Errorf("must be at least %v", *p.Min)
		}
		if p.Max != nil && float64(i) > *p.Max {
			return nil, fmt.Errorf("must be at most %v", *p.Max)
		}
		return i, nil
	case ParamFloat:
		var f float64
		switch n := v.(type) {
		case int:
			f = float64(n)
		case int64:
			f = float64(n)
		case float64:
			f = n
		default:
			return nil, fmt.Errorf("must be a number")
		}
		if math.IsNaN(f) || math.IsInf(f, 0) {
			return nil, fmt.Errorf("must be a finite number")
		}
		if p.Min != nil && f < *p.Min {
			return nil, fmt.Errorf("must be at least %v", *p.Min)
		}
		if p.Max != nil && f > *p.Max {
			return nil, fmt.Errorf("must be at most %v", *p.Max)
		}
		return f, nil
	case ParamString:
		s, ok := v.(string)
		if !ok {
			return nil, fmt.Errorf("must be a string")
		}
		if len(p.Allowed) > 0 && !slices.Contains(p.Allowed, s) {
			return nil, fmt.Errorf("must be one of %v", p.Allowed)
		}
		return s, nil
	case ParamStringList:
		switch l := v.(type) {
		case []string:
			return slices.Clone(l), nil
		case []any:
			out := make([]string, 0, len(l))
			for _, e := range l {
				s, ok := e.(string)
				if !ok {
					return nil, fmt.Errorf("must be a list of strings")
				}
				out = append(out, s)
			}
			return out, nil
		}
		return nil, fmt.Errorf("must be a list of strings")
	}
	return nil, fmt.Errorf("has unknown type %s", p.Type)
}
