package transformers

import (
	"math/rand/v2"
)

func firstNameGenerator() *Definition {
	return wordGenerator("generate_first_name", "Generate first name", "Generates a realistic first name that fits the column.", firstNames)
}

func lastNameGenerator() *Definition {
	return wordGenerator("generate_last_name", "Generate last name", "Generates a realistic last name that fits the column.", lastNames)
}

func fullNameGenerator() *Definition {
	return genDef("generate_full_name", "Generate full name", "Generates a realistic first and last name separated by a space, fitting the column.",
		TypeString, nil, func(Params, Options) (Func, error) {
			var buf []byte
			return func(c *Call) (any, error) {
				buf = appendFullName(buf[:0], c.Rand, c.MaxLength)
				return string(buf), nil
			}, nil
		})
}

// appendFullName appends "First Last" of at most maxLen characters (any
// length when maxLen <= 0); below five characters it is a first name alone.
func appendFullName(b []byte, r *rand.Rand, maxLen int) []byte {
	if maxLen <= 0 {
		b = append(b, firstNames.any(r)...)
		b = append(b, ' ')
		return append(b, lastNames.any(r)...)
	}
	if maxLen < 2+1+lastNames.minLen() {
		return append(b, firstNames.fit(r, maxLen)...)
	}
	for range 3 {
		first, last := firstNames.any(r), lastNames.any(r)
		if len(first)+1+len(last) <= maxLen {
			return append(append(append(b, first...), ' '), last...)
		}
	}
	// A random budget for the first name leaves the last name room too.
	first := firstNames.fit(r, randIntBetween(r, firstNames.minLen(), maxLen-1-lastNames.minLen()))
	b = append(b, first...)
	b = append(b, ' ')
	return append(b, lastNames.fit(r, maxLen-1-len(first))...)
}

func usernameGenerator() *Definition {
	return genDef("generate_username", "Generate username", "Generates a lower-case username built from a realistic name, e.g. jsmith42.",
		TypeString, nil, func(Params, Options) (Func, error) {
			var buf []byte
			return func(c *Call) (any, error) {
				buf = appendUsername(buf[:0], c.Rand)
				if c.MaxLength > 0 && len(buf) > c.MaxLength {
					buf = trimLocal(buf[:c.MaxLength])
				}
				return string(buf), nil
			}, nil
		})
}

// appendUsername appends a username such as jsmith, john.smith or smithj7.
func appendUsername(b []byte, r *rand.Rand) []byte {
	first, last := lowerFirstNames.any(r), lowerLastNames.any(r)
	switch r.IntN(5) {
	case 0:
		b = append(append(b, first[0]), last...)
	case 1:
		b = append(append(append(b, first...), '.'), last...)
	case 2:
		b = append(append(append(b, first...), '_'), last...)
	case 3:
		b = append(append(b, last...), first[0])
	default:
		b = append(append(b, first...), last...)
	}
	if r.IntN(2) == 0 {
		b = appendRandDigits(b, r, 1+r.IntN(3), false)
	}
	return b
}

var genders = [...]string{"male", "female", "nonbinary", "undefined"}
var genderAbbrevs = [...]string{"M", "F", "N", "U"}

func genderGenerator() *Definition {
	return genDef("generate_gender", "Generate gender", "Generates a gender: male, female, nonbinary or undefined, or its one-letter abbreviation.",
		TypeString, []Param{boolParam("abbreviate", "Write M, F, N or U instead of the full word.", false)},
		func(p Params, _ Options) (Func, error) {
			abbr := p.Bool("abbreviate")
			return func(c *Call) (any, error) {
				i := c.Rand.IntN(len(genders))
				if abbr || (c.MaxLength > 0 && len(genders[i]) > c.MaxLength) {
					return genderAbbrevs[i], nil
				}
				return genders[i], nil
			}, nil
		})
}

func businessNameGenerator() *Definition {
	return genDef("generate_business_name", "Generate business name", "Generates a fictitious business name such as \"Abbott Group\" or \"Hahn, Kuhn and Wolf\".",
		TypeString, nil, func(Params, Options) (Func, error) {
			var buf []byte
			return func(c *Call) (any, error) {
				for range 4 {
					buf = appendBusinessName(buf[:0], c.Rand)
					if c.MaxLength <= 0 || len(buf) <= c.MaxLength {
						return string(buf), nil
					}
				}
				return lastNames.fitValue(c.Rand, c.MaxLength), nil
			}, nil
		})
}

// appendBusinessName appends a name built from surnames and a suffix.
func appendBusinessName(b []byte, r *rand.Rand) []byte {
	switch r.IntN(4) {
	case 0:
		b = append(b, lastNames.any(r)...)
		b = append(b, ", "...)
		b = append(b, lastNames.any(r)...)
		b = append(b, " and "...)
		return append(b, lastNames.any(r)...)
	case 1:
		b = append(b, lastNames.any(r)...)
		b = append(b, '-')
		return append(b, lastNames.any(r)...)
	default:
		b = append(b, lastNames.any(r)...)
		b = append(b, ' ')
		return append(b, companySuffixes[r.IntN(len(companySuffixes))]...)
	}
}
