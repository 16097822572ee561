package transformers

import (
	"math"
)

func int64Transform() *Definition {
	const src = "transform_int64"
	return transformDef(src, "Transform int64", "Adds a random integer between randomization_range_min and randomization_range_max to the input (saturating at the int64 limits). Accepts integers, whole floats and numeric strings.",
		[]DataType{TypeInt64, TypeFloat64, TypeString}, TypeInt64, []Param{
			numParam("randomization_range_min", "Smallest change added (inclusive; may be negative).", -10),
			numParam("randomization_range_max", "Largest change added (inclusive).", 10),
		},
		func(p Params, _ Options) (Func, error) {
			if err := checkMinMax(src, p, "randomization_range_min", "randomization_range_max", Params.Int); err != nil {
				return nil, err
			}
			lo, hi := p.Int("randomization_range_min"), p.Int("randomization_range_max")
			return func(c *Call) (any, error) {
				v, ok := toInt64(c.Value)
				if !ok {
					return nil, valueErr(src, c, "value is not an integer")
				}
				return addSaturating(v, randInt64Between(c.Rand, lo, hi)), nil
			}, nil
		})
}

// addSaturating returns a+b clamped to the int64 range.
func addSaturating(a, b int64) int64 {
	s := a + b
	switch {
	case b > 0 && s < a:
		return math.MaxInt64
	case b < 0 && s > a:
		return math.MinInt64
	}
	return s
}

func float64Transform() *Definition {
	const src = "transform_float64"
	return transformDef(src, "Transform float64", "Adds a random number between randomization_range_min and randomization_range_max to the input. Accepts numbers and numeric strings.",
		[]DataType{TypeFloat64, TypeInt64, TypeString}, TypeFloat64, []Param{
			floatParam("randomization_range_min", "Smallest change added (inclusive; may be negative).", -10),
			floatParam("randomization_range_max", "Largest change added (inclusive).", 10),
		},
		func(p Params, _ Options) (Func, error) {
			if err := checkMinMax(src, p, "randomization_range_min", "randomization_range_max", Params.Float); err != nil {
				return nil, err
			}
			lo, hi := p.Float("randomization_range_min"), p.Float("randomization_range_max")
			return func(c *Call) (any, error) {
				v, ok := toFloat64(c.Value)
				if !ok {
					return nil, valueErr(src, c, "value is not a finite number")
				}
				u := c.Rand.Float64()
				out := v + (lo*(1-u) + hi*u)
				return max(-math.MaxFloat64, min(out, math.MaxFloat64)), nil
			}, nil
		})
}
