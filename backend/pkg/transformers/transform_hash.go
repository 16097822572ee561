package transformers

import (
	"crypto/hmac"
	"crypto/md5"
	"crypto/sha256"
	"crypto/sha512"
	"fmt"
	"hash"
	"strconv"
	"time"
)

// Modes of transform_hash.
const (
	hashModeHMAC   = "hmac"
	hashModeSalted = "salted"
)

// hashDescription says what each mode protects against.
const hashDescription = "Replaces a value with a lower-case hex digest. " +
	"Mode hmac (the default of jobs on consistent PRF v2) is HMAC-SHA-256 under a sub-key of the job key: " +
	"equal values still give equal digests, so joins keep working, but nobody without the key can compute one. " +
	"Mode salted is the unkeyed digest of salt followed by the value's text (algorithm sha256, sha512 or md5), " +
	"the default of jobs on PRF v1: it is weak for small domains, because anyone who reads the digest and the salt " +
	"(which is in the job) can hash every candidate (all 10^9 SSNs, every phone number of a country, every birth date) " +
	"and look the digest up, which takes seconds. " +
	"Without a job key the hmac mode uses a key of its own drawn per run, so its digests do not repeat across runs."

func hashTransform() *Definition {
	d := transformDef("transform_hash", "Hash", hashDescription,
		[]DataType{TypeAny}, TypeString, []Param{
			{Name: "mode", Type: ParamString, Allowed: []string{hashModeHMAC, hashModeSalted},
				Description: "hmac (keyed by the job key) or salted (unkeyed digest, reversible by enumeration for small domains); absent: hmac for jobs on consistent PRF v2, salted for PRF v1."},
			saltedOnly(enumParam("algorithm", "The hash function of the salted mode (hmac uses SHA-256).", "sha256", "sha256", "sha512", "md5")),
			saltedOnly(Param{Name: "salt", Type: ParamString, Description: "Text hashed before the value in the salted mode.", Default: ""}),
		}, nil)
	d.NoRand = true // the digest depends on the value, parameters and key alone
	return withAppend(d, func(p Params, o Options) (AppendFunc, error) {
		h, prefix := hashOf(p, o)
		var in []byte
		var sum [sha512.Size]byte
		return func(c *Call, dst []byte) ([]byte, bool, any, error) {
			in = append(in[:0], prefix...)
			if str, ok := c.text(); ok {
				in = append(in, str...)
			} else {
				in = appendValueText(in, c.Value)
			}
			h.Reset()
			h.Write(in)
			return appendHex(dst, h.Sum(sum[:0])), true, nil, nil
		}, nil
	})
}

// saltedOnly marks p as a parameter of the salted mode only.
func saltedOnly(p Param) Param {
	p.AppliesWhen = &ParamCondition{Param: "mode", Values: []string{hashModeSalted}}
	return p
}

// hashOf returns the hash of transform_hash configured by p for an
// instance with options o, and the bytes hashed before each value.
func hashOf(p Params, o Options) (hash.Hash, string) {
	mode := p.String("mode")
	if mode == "" {
		mode = hashModeSalted
		if o.PRF == PRFv2 {
			mode = hashModeHMAC
		}
	}
	if mode == hashModeHMAC {
		var key []byte
		if o.Key != nil {
			key = hashKey(o.Key)
		} else {
			key = newRemapKey(o).random // from Options.Seed, or random
		}
		return hmac.New(sha256.New, key), ""
	}
	switch p.String("algorithm") {
	case "sha512":
		return sha512.New(), p.String("salt")
	case "md5":
		return md5.New(), p.String("salt")
	}
	return sha256.New(), p.String("salt")
}

// appendValueText appends v's text: strings and bytes as they are, numbers
// in decimal, times in RFC 3339 UTC.
func appendValueText(b []byte, v any) []byte {
	switch x := v.(type) {
	case string:
		return append(b, x...)
	case []byte:
		return append(b, x...)
	case int64:
		return strconv.AppendInt(b, x, 10)
	case int:
		return strconv.AppendInt(b, int64(x), 10)
	case float64:
		return strconv.AppendFloat(b, x, 'g', -1, 64)
	case bool:
		return strconv.AppendBool(b, x)
	case time.Time:
		return x.UTC().AppendFormat(b, time.RFC3339Nano)
	case nil:
		return b
	}
	return fmt.Append(b, v)
}
