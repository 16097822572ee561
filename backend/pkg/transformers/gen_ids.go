package transformers

import (
	"encoding/binary"
	"math/rand/v2"
)

// randUUID returns a random (version 4, RFC 9562 variant) UUID.
func randUUID(r *rand.Rand) [16]byte {
	var u [16]byte
	binary.LittleEndian.PutUint64(u[:8], r.Uint64())
	binary.LittleEndian.PutUint64(u[8:], r.Uint64())
	u[6] = u[6]&0x0f | 0x40
	u[8] = u[8]&0x3f | 0x80
	return u
}

// appendUUID appends u in the 8-4-4-4-12 form, or as 32 hex digits.
func appendUUID(b []byte, u [16]byte, hyphens bool) []byte {
	if !hyphens {
		return appendHex(b, u[:])
	}
	b = appendHex(b, u[:4])
	b = appendHex(append(b, '-'), u[4:6])
	b = appendHex(append(b, '-'), u[6:8])
	b = appendHex(append(b, '-'), u[8:10])
	return appendHex(append(b, '-'), u[10:])
}

func uuidGenerator() *Definition {
	return genDef("generate_uuid", "Generate UUID", "Generates a random version 4 UUID.",
		TypeUUID, []Param{boolParam("include_hyphens", "Write the 8-4-4-4-12 form; otherwise 32 hex digits.", true)},
		func(p Params, _ Options) (Func, error) {
			hyphens := p.Bool("include_hyphens")
			return func(c *Call) (any, error) {
				var buf [36]byte
				return string(appendUUID(buf[:0], randUUID(c.Rand), hyphens)), nil
			}, nil
		})
}

func sha256HashGenerator() *Definition {
	return genDef("generate_sha256hash", "Generate SHA-256 hash", "Generates 64 lower-case hex digits shaped like a SHA-256 digest of random data.",
		TypeString, nil, staticBuild(func(c *Call) (any, error) {
			var raw [32]byte
			for i := 0; i < len(raw); i += 8 {
				binary.LittleEndian.PutUint64(raw[i:], c.Rand.Uint64())
			}
			var buf [64]byte
			return string(appendHex(buf[:0], raw[:])), nil
		}))
}

func ssnGenerator() *Definition {
	return genDef("generate_ssn", "Generate SSN", "Generates a US social security number AAA-GG-SSSS with a valid area (not 000, 666 or 900-999), group (not 00) and serial (not 0000).",
		TypeString, nil, staticBuild(func(c *Call) (any, error) {
			area := 1 + c.Rand.IntN(898) // 1..898, shifted past 666 below
			if area >= 666 {
				area++
			}
			var buf [11]byte
			b := appendZeroPad(buf[:0], area, 3)
			b = appendZeroPad(append(b, '-'), 1+c.Rand.IntN(99), 2)
			b = appendZeroPad(append(b, '-'), 1+c.Rand.IntN(9999), 4)
			return string(b), nil
		}))
}

func randomStringGenerator() *Definition {
	const src = "generate_random_string"
	return genDef(src, "Generate random string", "Generates a string of random letters and digits whose length is between min and max (and fits the column).",
		TypeString, []Param{
			intParam("min", "Minimum length.", 2, 0, 1<<20),
			intParam("max", "Maximum length.", 7, 0, 1<<20),
		},
		func(p Params, _ Options) (Func, error) {
			if err := checkMinMax(src, p, "min", "max", Params.Int); err != nil {
				return nil, err
			}
			lo, hi := int(p.Int("min")), int(p.Int("max"))
			var buf []byte
			return func(c *Call) (any, error) {
				n := lengthBudget(randIntBetween(c.Rand, lo, hi), c.MaxLength)
				buf = appendRandAlnum(buf[:0], c.Rand, n)
				return string(buf), nil
			}, nil
		})
}
