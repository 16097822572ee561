package transformers

import (
	"errors"
	"math"
	"math/rand/v2"
	"unicode/utf8"
)

func boolGenerator() *Definition {
	return genDef("generate_bool", "Generate boolean", "Generates true or false with equal probability.",
		TypeBool, nil, staticBuild(func(c *Call) (any, error) { return c.Rand.IntN(2) == 1, nil }))
}

func int64Generator() *Definition {
	const src = "generate_int64"
	return genDef(src, "Generate int64", "Generates an integer between min and max; with randomize_sign the sign is then flipped half the time.",
		TypeInt64, []Param{
			boolParam("randomize_sign", "Negate the value with probability 1/2.", false),
			numParam("min", "Smallest value (inclusive).", 1),
			numParam("max", "Largest value (inclusive).", 40),
		},
		func(p Params, _ Options) (Func, error) {
			if err := checkMinMax(src, p, "min", "max", Params.Int); err != nil {
				return nil, err
			}
			lo, hi, flip := p.Int("min"), p.Int("max"), p.Bool("randomize_sign")
			return func(c *Call) (any, error) {
				v := randInt64Between(c.Rand, lo, hi)
				if flip && c.Rand.IntN(2) == 0 && v != math.MinInt64 {
					v = -v
				}
				return v, nil
			}, nil
		})
}

func float64Generator() *Definition {
	const src = "generate_float64"
	return genDef(src, "Generate float64", "Generates a number between min and max with at most precision digits after the decimal point; with randomize_sign the sign is then flipped half the time.",
		TypeFloat64, []Param{
			boolParam("randomize_sign", "Negate the value with probability 1/2.", false),
			floatParam("min", "Smallest value (inclusive).", 1),
			floatParam("max", "Largest value (inclusive).", 10000),
			intParam("precision", "Digits after the decimal point.", 6, 0, 15),
		},
		func(p Params, _ Options) (Func, error) {
			if err := checkMinMax(src, p, "min", "max", Params.Float); err != nil {
				return nil, err
			}
			g, err := newFloatGen(p.Float("min"), p.Float("max"), int(p.Int("precision")))
			if err != nil {
				return nil, &ParamError{Transformer: src, Param: "precision", Reason: err.Error()}
			}
			flip := p.Bool("randomize_sign")
			return func(c *Call) (any, error) {
				v := g.next(c.Rand)
				if flip && c.Rand.IntN(2) == 0 {
					v = -v
				}
				return v, nil
			}, nil
		})
}

// floatGen draws numbers in [lo, hi] with a fixed number of decimals.
type floatGen struct {
	lo, hi, scale float64
	// kLo..kHi are the multiples of 1/scale in range, when grid is set.
	kLo, kHi int64
	grid     bool
}

// exactDigits bounds the scaled values drawn on the grid, so that every
// result has at most 15 significant digits and prints as it was drawn.
const exactDigits = 1e15

func newFloatGen(lo, hi float64, precision int) (*floatGen, error) {
	g := &floatGen{lo: lo, hi: hi, scale: math.Pow10(precision)}
	if math.Abs(lo)*g.scale <= exactDigits && math.Abs(hi)*g.scale <= exactDigits {
		g.grid = true
		g.kLo, g.kHi = int64(math.Ceil(lo*g.scale)), int64(math.Floor(hi*g.scale))
		// Scaling can round; keep k/scale itself within [lo, hi].
		for float64(g.kLo)/g.scale < lo {
			g.kLo++
		}
		for float64(g.kHi)/g.scale > hi {
			g.kHi--
		}
		if g.kLo > g.kHi {
			return nil, errNoGridPoint
		}
	}
	return g, nil
}

var errNoGridPoint = errors.New("no number with that many decimal places lies between min and max")

func (g *floatGen) next(r *rand.Rand) float64 {
	if g.grid {
		return float64(randInt64Between(r, g.kLo, g.kHi)) / g.scale
	}
	u := r.Float64()
	v := g.lo*(1-u) + g.hi*u
	if s := v * g.scale; math.Abs(s) < exactDigits {
		if w := math.Round(s) / g.scale; w >= g.lo && w <= g.hi {
			return w
		}
	}
	return min(max(v, g.lo), g.hi)
}

func cardNumberGenerator() *Definition {
	return genDef("generate_card_number", "Generate card number", "Generates a 16-digit payment card number (Visa, Mastercard or Discover prefix), by default with a valid Luhn check digit.",
		TypeInt64, []Param{boolParam("valid_luhn", "Make the last digit the Luhn check digit.", true)},
		func(p Params, _ Options) (Func, error) {
			luhn := p.Bool("valid_luhn")
			return func(c *Call) (any, error) { return randCardNumber(c.Rand, luhn), nil }, nil
		})
}

var cardPrefixes = [...]string{"4", "4", "4", "51", "52", "53", "54", "55", "6011"}

// randCardNumber returns 16 digits with an issuer prefix.
func randCardNumber(r *rand.Rand, luhn bool) int64 {
	var d [16]byte
	pre := cardPrefixes[r.IntN(len(cardPrefixes))]
	for i := range d {
		if i < len(pre) {
			d[i] = pre[i] - '0'
		} else {
			d[i] = byte(r.IntN(10))
		}
	}
	if luhn {
		d[15] = luhnCheckDigit(d[:15])
	}
	var v int64
	for _, x := range d {
		v = v*10 + int64(x)
	}
	return v
}

// luhnCheckDigit returns the digit that completes payload to pass the Luhn check.
func luhnCheckDigit(payload []byte) byte {
	sum := 0
	for i := len(payload) - 1; i >= 0; i-- {
		x := int(payload[i])
		if (len(payload)-1-i)%2 == 0 {
			x *= 2
			if x > 9 {
				x -= 9
			}
		}
		sum += x
	}
	return byte((10 - sum%10) % 10)
}

func categoricalGenerator() *Definition {
	const src = "generate_categorical"
	return genDef(src, "Generate categorical", "Picks one of the given categories at random (repeat a category to weight it).",
		TypeString, []Param{{Name: "categories", Type: ParamStringList, Description: "The values to pick from.", Required: true}},
		func(p Params, o Options) (Func, error) {
			cats := p.Strings("categories")
			if len(cats) == 0 {
				return nil, &ParamError{Transformer: src, Param: "categories", Reason: "must not be empty"}
			}
			if o.MaxLength > 0 {
				var fit []string
				for _, s := range cats {
					if utf8.RuneCountInString(s) <= o.MaxLength {
						fit = append(fit, s)
					}
				}
				if len(fit) > 0 {
					cats = fit
				}
			}
			return func(c *Call) (any, error) { return cats[c.Rand.IntN(len(cats))], nil }, nil
		})
}
