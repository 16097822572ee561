package transformers

import (
	"math/rand/v2"
	"unicode/utf8"
)

func e164PhoneTransform() *Definition {
	const src = "transform_e164_phone_number"
	return transformDef(src, "Transform E.164 phone number", "Replaces a phone number with a random E.164 number (\"+\" and digits, the first nonzero): with preserve_length it has as many digits as the input (at most 15), otherwise 9 to 15.",
		[]DataType{TypeString}, TypeString,
		[]Param{boolParam("preserve_length", "Keep the input's number of digits.", false)},
		func(p Params, _ Options) (Func, error) {
			preserve := p.Bool("preserve_length")
			return func(c *Call) (any, error) {
				s, ok := c.Value.(string)
				if !ok {
					return nil, valueErr(src, c, "value is not a string")
				}
				digits := countDigits(s)
				if digits == 0 {
					return nil, valueErr(src, c, "value has no digits")
				}
				lo, hi := 9, 15
				if preserve {
					lo = min(digits, 15)
					hi = lo
				}
				n, err := phoneDigits(src, c, c.Rand, lo, hi, 1)
				if err != nil {
					return nil, err
				}
				var buf [16]byte
				return string(appendRandDigits(append(buf[:0], '+'), c.Rand, n, true)), nil
			}, nil
		})
}

func countDigits(s string) int {
	n := 0
	for i := 0; i < len(s); i++ {
		if s[i] >= '0' && s[i] <= '9' {
			n++
		}
	}
	return n
}

func int64PhoneTransform() *Definition {
	const src = "transform_int64_phone_number"
	return transformDef(src, "Transform int64 phone number", "Replaces an integer phone number with a random positive one without a leading zero: with preserve_length it has as many digits as the input, otherwise 10.",
		[]DataType{TypeInt64, TypeString}, TypeInt64,
		[]Param{boolParam("preserve_length", "Keep the input's number of digits.", false)},
		func(p Params, _ Options) (Func, error) {
			preserve := p.Bool("preserve_length")
			return func(c *Call) (any, error) {
				v, ok := toInt64(c.Value)
				if !ok {
					return nil, valueErr(src, c, "value is not an integer")
				}
				n := 10
				if preserve {
					n = 1
					for u := absUint64(v); u >= 10; u /= 10 {
						n++
					}
				}
				return randPhoneInt(c.Rand, n, 1), nil
			}, nil
		})
}

func absUint64(v int64) uint64 {
	if v < 0 {
		return uint64(-(v + 1)) + 1
	}
	return uint64(v)
}

func stringPhoneTransform() *Definition {
	const src = "transform_string_phone_number"
	return transformDef(src, "Transform string phone number", "Replaces the digits of a phone number with random ones (the first nonzero), keeping every other character, e.g. \"(555) 123-4567\", in place. With preserve_length the output has exactly the input's length; otherwise it has min to max digits, surplus digits extending the last group and missing ones cut from the end.",
		[]DataType{TypeString}, TypeString, []Param{
			boolParam("preserve_length", "Keep the input's number of digits, and so its length.", false),
			intParam("min", "Fewest digits when not preserving length.", 9, 1, 30),
			intParam("max", "Most digits when not preserving length.", 15, 1, 30),
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
				digits := countDigits(s)
				if digits == 0 {
					return nil, valueErr(src, c, "value has no digits")
				}
				n := digits
				if !preserve {
					n = randIntBetween(c.Rand, lo, hi)
				}
				buf = appendPhoneLike(buf[:0], c.Rand, s, n)
				if c.MaxLength > 0 {
					for over := utf8.RuneCount(buf) - c.MaxLength; over > 0; over = utf8.RuneCount(buf) - c.MaxLength {
						if n == 1 {
							buf = appendRandDigits(buf[:0], c.Rand, c.MaxLength, true)
							break
						}
						n = max(1, n-over)
						buf = appendPhoneLike(buf[:0], c.Rand, s, n)
					}
				}
				return string(buf), nil
			}, nil
		})
}

// appendPhoneLike appends tmpl with its first n ASCII digits replaced by
// random ones (the first nonzero). When tmpl has fewer than n digits the
// rest follow its last digit; when it has more, the characters from the
// n+1st digit to its last digit are left out. Text after the last digit is kept.
func appendPhoneLike(b []byte, r *rand.Rand, tmpl string, n int) []byte {
	last := -1 // index of tmpl's last digit
	for i := len(tmpl) - 1; i >= 0; i-- {
		if tmpl[i] >= '0' && tmpl[i] <= '9' {
			last = i
			break
		}
	}
	written := 0
	for i := 0; i <= last && written < n; i++ {
		if ch := tmpl[i]; ch >= '0' && ch <= '9' {
			if written == 0 {
				b = append(b, byte('1'+r.IntN(9)))
			} else {
				b = append(b, byte('0'+r.IntN(10)))
			}
			written++
		} else {
			b = append(b, ch)
		}
	}
	b = appendRandDigits(b, r, n-written, written == 0)
	return append(b, tmpl[last+1:]...)
}
