package transformers

import "unicode/utf8"

func stringTransform() *Definition {
	const src = "transform_string"
	return transformDef(src, "Transform string", "Replaces a string with random letters and digits: as many characters as the input with preserve_length, otherwise min to max characters.",
		[]DataType{TypeString}, TypeString, []Param{
			boolParam("preserve_length", "Give the output as many characters as the input.", false),
			intParam("min", "Shortest output when not preserving length.", 1, 0, 1<<20),
			intParam("max", "Longest output when not preserving length.", 20, 0, 1<<20),
		},
		func(p Params, _ Options) (Func, error) {
			if err := checkMinMax(src, p, "min", "max", Params.Int); err != nil {
				return nil, err
			}
			preserve, lo, hi := p.Bool("preserve_length"), int(p.Int("min")), int(p.Int("max"))
			var buf []byte
			return func(c *Call) (any, error) {
				s, ok := c.Value.(string)
				if !ok {
					return nil, valueErr(src, c, "value is not a string")
				}
				var n int
				if preserve {
					n = utf8.RuneCountInString(s)
				} else {
					n = randIntBetween(c.Rand, lo, hi)
				}
				buf = appendRandAlnum(buf[:0], c.Rand, lengthBudget(n, c.MaxLength))
				return string(buf), nil
			}, nil
		})
}
