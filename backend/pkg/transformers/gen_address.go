package transformers

import (
	"math/rand/v2"
	"unicode/utf8"
)

func cityGenerator() *Definition {
	return wordGenerator("generate_city", "Generate city", "Generates a US city name that fits the column.", cityNames)
}

func stateGenerator() *Definition {
	return genDef("generate_state", "Generate US state", "Generates a US state as its two-letter postal code, or its full name.",
		TypeString, []Param{boolParam("generate_full_name", "Write the state's name (California) instead of its code (CA).", false)},
		func(p Params, _ Options) (Func, error) {
			full := p.Bool("generate_full_name")
			return func(c *Call) (any, error) {
				i := c.Rand.IntN(len(stateCodes))
				if full && (c.MaxLength <= 0 || len(stateNames[i]) <= c.MaxLength) {
					return stateNames[i], nil
				}
				return stateCodes[i], nil
			}, nil
		})
}

func countryGenerator() *Definition {
	return genDef("generate_country", "Generate country", "Generates a country as its ISO 3166-1 alpha-2 code, or its name.",
		TypeString, []Param{boolParam("generate_full_name", "Write the country's name instead of its two-letter code.", false)},
		func(p Params, _ Options) (Func, error) {
			full := p.Bool("generate_full_name")
			return func(c *Call) (any, error) {
				i := c.Rand.IntN(len(countryCodes))
				if full && (c.MaxLength <= 0 || utf8.RuneCountInString(countryNames[i]) <= c.MaxLength) {
					return countryNames[i], nil
				}
				return countryCodes[i], nil
			}, nil
		})
}

func zipcodeGenerator() *Definition {
	return genDef("generate_zipcode", "Generate ZIP code", "Generates a 5-digit US ZIP code between 00501 and 99950.",
		TypeString, nil, staticBuild(func(c *Call) (any, error) {
			var buf [5]byte
			return string(appendZeroPad(buf[:0], randIntBetween(c.Rand, 501, 99950), 5)), nil
		}))
}

func streetAddressGenerator() *Definition {
	return genDef("generate_street_address", "Generate street address", "Generates a US street address such as \"4821 North Abbott Avenue\".",
		TypeString, nil, func(Params, Options) (Func, error) {
			var buf []byte
			return func(c *Call) (any, error) {
				buf = appendFitting(buf[:0], c.Rand, c.MaxLength, appendStreet)
				return string(buf), nil
			}, nil
		})
}

func fullAddressGenerator() *Definition {
	return genDef("generate_full_address", "Generate full address", "Generates a US postal address: street, city, state code and ZIP, e.g. \"4821 Abbott Avenue Apt 3, Boston, MA 02118\".",
		TypeString, nil, func(Params, Options) (Func, error) {
			var buf []byte
			return func(c *Call) (any, error) {
				buf = appendFitting(buf[:0], c.Rand, c.MaxLength, appendFullAddress)
				return string(buf), nil
			}, nil
		})
}

// appendFitting appends what gen builds, retrying a few times to fit
// maxLen (the caller's safety net truncates the last attempt).
func appendFitting(b []byte, r *rand.Rand, maxLen int, gen func([]byte, *rand.Rand, bool) []byte) []byte {
	start := len(b)
	for try := range 6 {
		b = gen(b[:start], r, try > 0)
		if maxLen <= 0 || len(b)-start <= maxLen {
			break
		}
	}
	return b
}

// appendStreet appends "<number> [<direction>] <Name> <Type>"; short omits
// optional parts.
func appendStreet(b []byte, r *rand.Rand, short bool) []byte {
	digits := 1 + r.IntN(5)
	if short {
		digits = 1 + r.IntN(3)
	}
	b = appendRandDigits(b, r, digits, true)
	b = append(b, ' ')
	if !short && r.IntN(5) == 0 {
		b = append(b, streetPrefixes[r.IntN(len(streetPrefixes))]...)
		b = append(b, ' ')
	}
	if short {
		b = append(b, lastNames.fit(r, 6)...)
	} else {
		b = append(b, lastNames.any(r)...)
	}
	b = append(b, ' ')
	if short {
		return append(b, streetTypes.fit(r, 4)...)
	}
	return append(b, streetTypes.any(r)...)
}

var unitTypes = []string{"Apt", "Suite", "Unit"}

// appendFullAddress appends "<street>[ <unit>], <city>, <ST> <zip>".
func appendFullAddress(b []byte, r *rand.Rand, short bool) []byte {
	b = appendStreet(b, r, short)
	if !short && r.IntN(4) == 0 {
		b = append(b, ' ')
		b = append(b, unitTypes[r.IntN(len(unitTypes))]...)
		b = append(b, ' ')
		b = appendRandDigits(b, r, 1+r.IntN(3), true)
	}
	b = append(b, ", "...)
	if short {
		b = append(b, cityNames.fit(r, 6)...)
	} else {
		b = append(b, cityNames.any(r)...)
	}
	b = append(b, ", "...)
	b = append(b, stateCodes[r.IntN(len(stateCodes))]...)
	b = append(b, ' ')
	return appendZeroPad(b, randIntBetween(r, 501, 99950), 5)
}
