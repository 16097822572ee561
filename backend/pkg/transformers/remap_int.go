package transformers

import (
	"fmt"
	"math"
	"strconv"

	"github.com/neosyncio/neosync/backend/pkg/transformers/fpe"
)

const identityScrambleSource = "transform_identity_scramble"

// identityScrambleDef remaps integer keys with a keyed permutation of
// [min, max] (fpe.IntPermutation): distinct inputs give distinct outputs,
// and under one job key a primary key and the foreign keys that reference it
// are remapped identically.
func identityScrambleDef() *Definition {
	return &Definition{
		Source: identityScrambleSource,
		Name:   "Identity scramble",
		Description: "Remaps integer keys with a keyed bijection of [min, max] (the full int64 range by default): " +
			"unique values stay unique and, with a job key, foreign keys still match the remapped primary keys. " +
			"Numbers come back as int64, decimal strings as decimal strings.",
		Params: []Param{
			{Name: "min", Type: ParamInt, Description: "Lowest value of the key range (default the smallest int64). Inputs and outputs lie in [min, max]; use the same range on a primary key and its foreign keys."},
			{Name: "max", Type: ParamInt, Description: "Highest value of the key range (default the largest int64)."},
		},
		InputTypes: []DataType{TypeInt64, TypeString},
		Output:     TypeAny,
		JobTypes:   []JobType{JobSync},
		Consistent: true,
		Build:      buildIdentityScramble,
	}
}

func buildIdentityScramble(p Params, o Options) (Func, error) {
	lo, hi := int64(math.MinInt64), int64(math.MaxInt64)
	if p.Has("min") {
		lo = p.Int("min")
	}
	if p.Has("max") {
		hi = p.Int("max")
	}
	if lo > hi {
		return nil, &ParamError{identityScrambleSource, "min", fmt.Sprintf("must not exceed max (%d > %d)", lo, hi)}
	}
	keys := newRemapKey(o)
	var cache remapCache[*fpe.IntPermutation]
	mk := func(key []byte) (*fpe.IntPermutation, error) {
		return fpe.NewIntPermutation(key, lo, hi, []byte(identityScrambleSource))
	}
	return func(c *Call) (any, error) {
		x, isString, err := remapInt(c.Value)
		if err != nil {
			return nil, &ValueError{Transformer: identityScrambleSource, Column: c.Column, Reason: err.Error()}
		}
		perm, err := cache.get(keys.key(c), mk)
		if err != nil {
			return nil, err
		}
		y, err := perm.Permute(x)
		if err != nil {
			return nil, &ValueError{Transformer: identityScrambleSource, Column: c.Column, Reason: fmt.Sprintf("value is outside the range [%d, %d]", lo, hi)}
		}
		if isString {
			return strconv.FormatInt(y, 10), nil
		}
		return y, nil
	}, nil
}

// remapInt reads an integer key: a Go integer, an integral float64 or a
// decimal string (reported by isString).
func remapInt(v any) (x int64, isString bool, err error) {
	switch n := v.(type) {
	case int64:
		return n, false, nil
	case int:
		return int64(n), false, nil
	case int32:
		return int64(n), false, nil
	case int16:
		return int64(n), false, nil
	case int8:
		return int64(n), false, nil
	case uint32:
		return int64(n), false, nil
	case uint16:
		return int64(n), false, nil
	case uint8:
		return int64(n), false, nil
	case uint64:
		if n > math.MaxInt64 {
			return 0, false, fmt.Errorf("value exceeds the int64 range")
		}
		return int64(n), false, nil
	case uint:
		if uint64(n) > math.MaxInt64 {
			return 0, false, fmt.Errorf("value exceeds the int64 range")
		}
		return int64(n), false, nil
	case float64:
		if n != math.Trunc(n) || n < -(1<<63) || n >= 1<<63 {
			return 0, false, fmt.Errorf("float value is not a whole number in the int64 range")
		}
		return int64(n), false, nil
	case string:
		i, err := strconv.ParseInt(n, 10, 64)
		if err != nil {
			return 0, true, fmt.Errorf("string value is not a decimal int64")
		}
		return i, true, nil
	}
	return 0, false, fmt.Errorf("unsupported input type %T", v)
}
