package transformers

import (
	"math/rand/v2"
	"strconv"
)

func e164PhoneGenerator() *Definition {
	const src = "generate_e164_phone_number"
	return genDef(src, "Generate E.164 phone number", "Generates an international phone number: \"+\" then min to max digits, the first nonzero.",
		TypeString, []Param{
			intParam("min", "Fewest digits.", 9, 1, 15),
			intParam("max", "Most digits.", 15, 1, 15),
		},
		func(p Params, _ Options) (Func, error) {
			if err := checkMinMax(src, p, "min", "max", Params.Int); err != nil {
				return nil, err
			}
			lo, hi := int(p.Int("min")), int(p.Int("max"))
			return func(c *Call) (any, error) {
				n, err := phoneDigits(src, c, c.Rand, lo, hi, 1)
				if err != nil {
					return nil, err
				}
				var buf [16]byte
				return string(appendRandDigits(append(buf[:0], '+'), c.Rand, n, true)), nil
			}, nil
		})
}

// phoneDigits draws a digit count in [lo, hi], lowered to fit the column
// alongside extra characters; it fails when not even one digit fits.
func phoneDigits(src string, c *Call, r *rand.Rand, lo, hi, extra int) (int, error) {
	if c.MaxLength > 0 {
		room := c.MaxLength - extra
		if room < 1 {
			return 0, valueErr(src, c, "column holds "+strconv.Itoa(c.MaxLength)+" characters, too few for a phone number")
		}
		hi = min(hi, room)
		lo = min(lo, hi)
	}
	return randIntBetween(r, lo, hi), nil
}

func int64PhoneGenerator() *Definition {
	return genDef("generate_int64_phone_number", "Generate int64 phone number", "Generates a 10-digit North American style phone number as an integer (no leading zero).",
		TypeInt64, nil, staticBuild(func(c *Call) (any, error) { return randPhoneInt(c.Rand, 10, 2), nil }))
}

// randPhoneInt returns a positive integer of n (1..19) digits whose first
// digit is at least first.
func randPhoneInt(r *rand.Rand, n int, first int64) int64 {
	lo := int64(1)
	for range n - 1 {
		lo *= 10
	}
	hi := int64(9_223_372_036_854_775_807)
	if n < 19 {
		hi = lo*10 - 1
	}
	return randInt64Between(r, lo*first, hi)
}

func stringPhoneGenerator() *Definition {
	const src = "generate_string_phone_number"
	return genDef(src, "Generate string phone number", "Generates a phone number of min to max digits as a string, the first digit nonzero.",
		TypeString, []Param{
			intParam("min", "Fewest digits.", 9, 1, 30),
			intParam("max", "Most digits.", 15, 1, 30),
		},
		func(p Params, _ Options) (Func, error) {
			if err := checkMinMax(src, p, "min", "max", Params.Int); err != nil {
				return nil, err
			}
			lo, hi := int(p.Int("min")), int(p.Int("max"))
			return func(c *Call) (any, error) {
				n, err := phoneDigits(src, c, c.Rand, lo, hi, 0)
				if err != nil {
					return nil, err
				}
				var buf [30]byte
				return string(appendRandDigits(buf[:0], c.Rand, n, true)), nil
			}, nil
		})
}
