package transformers

import (
	"fmt"
	"strings"

	"github.com/google/uuid"

	"github.com/neosyncio/neosync/backend/pkg/transformers/fpe"
)

const uuidRemapSource = "transform_uuid"

// uuidRemapDef remaps UUID keys with fpe.UUIDPermutation.
func uuidRemapDef() *Definition {
	return &Definition{
		Source: uuidRemapSource,
		Name:   "UUID remap",
		Description: "Remaps UUIDs with a keyed bijection that keeps the version and variant bits and the text format " +
			"(hyphens, braces, urn:uuid: prefix, upper or lower case): unique values stay unique and, with a job key, " +
			"foreign keys still match the remapped primary keys. The nil and max UUIDs are kept.",
		InputTypes: []DataType{TypeUUID, TypeString},
		Output:     TypeUUID,
		JobTypes:   []JobType{JobSync},
		Consistent: true,
		Build:      buildUUIDRemap,
	}
}

var (
	nilUUID [16]byte
	maxUUID = [16]byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}
)

// permuteUUID applies p to u but keeps the nil and max UUIDs (sentinels that
// should stay sentinels). It cycle-walks past them: if p sends u to a
// sentinel, p is applied again. Walking a cycle of p until it leaves a set
// is a bijection of the complement of that set, so the whole map stays a
// bijection.
func permuteUUID(p *fpe.UUIDPermutation, u [16]byte) [16]byte {
	if u == nilUUID || u == maxUUID {
		return u
	}
	v := p.Permute(u)
	for v == nilUUID || v == maxUUID {
		v = p.Permute(v)
	}
	return v
}

func buildUUIDRemap(_ Params, o Options) (Func, error) {
	keys := newRemapKey(o)
	var cache remapCache[*fpe.UUIDPermutation]
	mk := func(key []byte) (*fpe.UUIDPermutation, error) {
		return fpe.NewUUIDPermutation(key, []byte(uuidRemapSource))
	}
	return func(c *Call) (any, error) {
		perm, err := cache.get(keys.key(c), mk)
		if err != nil {
			return nil, err
		}
		switch v := c.Value.(type) {
		case [16]byte:
			return permuteUUID(perm, v), nil
		case uuid.UUID:
			return uuid.UUID(permuteUUID(perm, v)), nil
		case []byte:
			if len(v) == 16 {
				out := permuteUUID(perm, [16]byte(v))
				return out[:], nil
			}
			f, u, ok := parseUUIDText(string(v))
			if !ok {
				return nil, &ValueError{Transformer: uuidRemapSource, Column: c.Column, Reason: fmt.Sprintf("bytes are neither 16 raw bytes nor a UUID string (%d bytes)", len(v))}
			}
			return []byte(f.format(permuteUUID(perm, u))), nil
		case string:
			f, u, ok := parseUUIDText(v)
			if !ok {
				return nil, &ValueError{Transformer: uuidRemapSource, Column: c.Column, Reason: fmt.Sprintf("value is not a valid UUID (%d characters)", len(v))}
			}
			return f.format(permuteUUID(perm, u)), nil
		}
		return nil, &ValueError{Transformer: uuidRemapSource, Column: c.Column, Reason: fmt.Sprintf("unsupported input type %T", c.Value)}
	}, nil
}

// uuidFormat records how a UUID string was written.
type uuidFormat struct {
	prefix  string // "urn:uuid:" as written, or ""
	braces  bool
	hyphens bool
	upper   bool
}

// parseUUIDText parses the forms google/uuid accepts: 8-4-4-4-12 hex with
// hyphens, 32 hex digits, either in braces, or with a urn:uuid: prefix.
func parseUUIDText(s string) (uuidFormat, [16]byte, bool) {
	var f uuidFormat
	var u [16]byte
	if len(s) >= 9 && strings.EqualFold(s[:9], "urn:uuid:") {
		f.prefix, s = s[:9], s[9:]
	} else if len(s) >= 2 && s[0] == '{' && s[len(s)-1] == '}' {
		f.braces, s = true, s[1:len(s)-1]
	}
	switch len(s) {
	case 36:
		if s[8] != '-' || s[13] != '-' || s[18] != '-' || s[23] != '-' {
			return f, u, false
		}
		f.hyphens = true
	case 32:
	default:
		return f, u, false
	}
	lower, upper := false, false
	n := 0
	for i := 0; i < len(s); i++ {
		ch := s[i]
		if f.hyphens && (i == 8 || i == 13 || i == 18 || i == 23) {
			continue
		}
		var d byte
		switch {
		case ch >= '0' && ch <= '9':
			d = ch - '0'
		case ch >= 'a' && ch <= 'f':
			d, lower = ch-'a'+10, true
		case ch >= 'A' && ch <= 'F':
			d, upper = ch-'A'+10, true
		default:
			return f, u, false
		}
		u[n/2] |= d << (4 * (1 - n%2))
		n++
	}
	f.upper = upper && !lower
	return f, u, true
}

// format writes u in format f.
func (f uuidFormat) format(u [16]byte) string {
	digits := "0123456789abcdef"
	if f.upper {
		digits = "0123456789ABCDEF"
	}
	b := make([]byte, 0, 45)
	b = append(b, f.prefix...)
	if f.braces {
		b = append(b, '{')
	}
	for i, x := range u {
		if f.hyphens && (i == 4 || i == 6 || i == 8 || i == 10) {
			b = append(b, '-')
		}
		b = append(b, digits[x>>4], digits[x&0xf])
	}
	if f.braces {
		b = append(b, '}')
	}
	return string(b)
}
