package transformers

import (
	"math/rand/v2"
	"unicode/utf8"
)

func firstNameTransform() *Definition {
	return nameTransform("transform_first_name", "Transform first name", "Replaces a first name with a realistic one, optionally of the same length.",
		func(b []byte, r *rand.Rand, n int) []byte { return appendNameOfLen(b, r, firstNames, n) },
		func(b []byte, r *rand.Rand, maxLen int) []byte { return append(b, firstNames.fit(r, maxLen)...) })
}

func lastNameTransform() *Definition {
	return nameTransform("transform_last_name", "Transform last name", "Replaces a last name with a realistic one, optionally of the same length.",
		func(b []byte, r *rand.Rand, n int) []byte { return appendNameOfLen(b, r, lastNames, n) },
		func(b []byte, r *rand.Rand, maxLen int) []byte { return append(b, lastNames.fit(r, maxLen)...) })
}

func fullNameTransform() *Definition {
	return nameTransform("transform_full_name", "Transform full name", "Replaces a full name with a realistic \"First Last\", optionally of the same length.",
		appendFullNameOfLen, appendFullName)
}

// nameTransform declares a string transform that writes a name of the
// input's length (ofLen) or of any length fitting the column (fit).
func nameTransform(src, name, desc string, ofLen, fit func([]byte, *rand.Rand, int) []byte) *Definition {
	return transformDef(src, name, desc, []DataType{TypeString}, TypeString,
		[]Param{boolParam("preserve_length", "Give the output as many characters as the input.", false)},
		func(p Params, _ Options) (Func, error) {
			preserve := p.Bool("preserve_length")
			var buf []byte
			return func(c *Call) (any, error) {
				s, ok := c.Value.(string)
				if !ok {
					return nil, valueErr(src, c, "value is not a string")
				}
				if preserve {
					buf = ofLen(buf[:0], c.Rand, lengthBudget(utf8.RuneCountInString(s), c.MaxLength))
				} else {
					buf = fit(buf[:0], c.Rand, c.MaxLength)
				}
				return string(buf), nil
			}, nil
		})
}

// appendNameOfLen appends a name from idx of exactly n characters: a real
// one when idx has that length, else a name cut short or run on with more
// (lower-cased) names.
func appendNameOfLen(b []byte, r *rand.Rand, idx *lenIndex, n int) []byte {
	if n <= 0 {
		return b
	}
	if s, ok := idx.exactly(r, n); ok {
		return append(b, s...)
	}
	s := idx.any(r)
	if len(s) >= n {
		return append(b, s[:n]...)
	}
	b = append(b, s...)
	for n -= len(s); n > 0; n -= len(s) {
		s = lowerLastNames.any(r)
		if len(s) > n {
			s = s[:n]
		}
		b = append(b, s...)
	}
	return b
}

// appendFullNameOfLen appends "First Last" of exactly n characters; below
// five characters it is a first name alone.
func appendFullNameOfLen(b []byte, r *rand.Rand, n int) []byte {
	if n < 2+1+lastNames.minLen() {
		return appendNameOfLen(b, r, firstNames, n)
	}
	var first string
	for range 8 {
		first = firstNames.fit(r, n-1-lastNames.minLen())
		if last, ok := lastNames.exactly(r, n-1-len(first)); ok {
			b = append(append(b, first...), ' ')
			return append(b, last...)
		}
	}
	b = append(append(b, first...), ' ')
	return appendNameOfLen(b, r, lastNames, n-1-len(first))
}
