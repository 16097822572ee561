package transformers

import (
	"math"
	"math/rand/v2"
	"strconv"
	"strings"
)

// alnumChars are the characters of random strings.
const alnumChars = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"

// randInt64Between returns a uniform integer in [lo, hi]; lo <= hi.
func randInt64Between(r *rand.Rand, lo, hi int64) int64 {
	span := uint64(hi) - uint64(lo)
	if span == math.MaxUint64 {
		return int64(r.Uint64())
	}
	return lo + int64(r.Uint64N(span+1))
}

// randIntBetween returns a uniform int in [lo, hi]; lo <= hi.
func randIntBetween(r *rand.Rand, lo, hi int) int { return lo + r.IntN(hi-lo+1) }

// appendRandDigits appends n random decimal digits; the first is nonzero
// when nonZeroFirst is set. It draws up to 18 digits at a time.
func appendRandDigits(b []byte, r *rand.Rand, n int, nonZeroFirst bool) []byte {
	if n > 0 && nonZeroFirst {
		b = append(b, byte('1'+r.IntN(9)))
		n--
	}
	for n > 0 {
		k := min(n, 18)
		x := r.Uint64N(pow10u[k])
		start := len(b)
		for range k {
			b = append(b, '0')
		}
		for i := len(b) - 1; i >= start; i-- {
			b[i] = byte('0' + x%10)
			x /= 10
		}
		n -= k
	}
	return b
}

// pow10u[k] is 10^k.
var pow10u = func() (p [19]uint64) {
	p[0] = 1
	for k := 1; k < len(p); k++ {
		p[k] = p[k-1] * 10
	}
	return p
}()

// appendRandAlnum appends n random letters and digits.
func appendRandAlnum(b []byte, r *rand.Rand, n int) []byte {
	for range n {
		b = append(b, alnumChars[r.IntN(len(alnumChars))])
	}
	return b
}

// appendRandLower appends n random lower-case letters.
func appendRandLower(b []byte, r *rand.Rand, n int) []byte {
	for range n {
		b = append(b, byte('a'+r.IntN(26)))
	}
	return b
}

// appendZeroPad appends v in decimal, left-padded with zeros to width.
func appendZeroPad(b []byte, v int, width int) []byte {
	var tmp [20]byte
	s := strconv.AppendInt(tmp[:0], int64(v), 10)
	for i := len(s); i < width; i++ {
		b = append(b, '0')
	}
	return append(b, s...)
}

// lengthBudget caps n by the column's maximum length when one is known.
func lengthBudget(n, maxLength int) int {
	if maxLength > 0 && n > maxLength {
		return maxLength
	}
	return n
}

// valueErr builds the *ValueError of transformer source for call c.
func valueErr(source string, c *Call, reason string) error {
	return &ValueError{Transformer: source, Column: c.Column, Reason: reason}
}

// checkMinMax returns a *ParamError when parameter minName exceeds maxName.
func checkMinMax[T int64 | float64](source string, p Params, minName, maxName string, get func(Params, string) T) error {
	if get(p, minName) > get(p, maxName) {
		return &ParamError{Transformer: source, Param: minName, Reason: "must not be greater than " + maxName}
	}
	return nil
}

// toInt64 coerces an integer-valued input: Go integers, whole floats and
// numeric strings.
func toInt64(v any) (int64, bool) {
	switch x := v.(type) {
	case int64:
		return x, true
	case int:
		return int64(x), true
	case int32:
		return int64(x), true
	case int16:
		return int64(x), true
	case int8:
		return int64(x), true
	case uint8:
		return int64(x), true
	case uint16:
		return int64(x), true
	case uint32:
		return int64(x), true
	case uint64:
		return int64(x), x <= math.MaxInt64
	case uint:
		return int64(x), uint64(x) <= math.MaxInt64
	case float32:
		return floatToInt64(float64(x))
	case float64:
		return floatToInt64(x)
	case string:
		return parseInt64(x)
	case []byte:
		return parseInt64(string(x))
	}
	return 0, false
}

func floatToInt64(f float64) (int64, bool) {
	if f != math.Trunc(f) || f < -(1<<63) || f >= 1<<63 {
		return 0, false
	}
	return int64(f), true
}

func parseInt64(s string) (int64, bool) {
	s = strings.TrimSpace(s)
	if i, err := strconv.ParseInt(s, 10, 64); err == nil {
		return i, true
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return 0, false
	}
	return floatToInt64(f)
}

// toFloat64 coerces a finite numeric input: Go numbers and numeric strings.
func toFloat64(v any) (float64, bool) {
	var f float64
	switch x := v.(type) {
	case float64:
		f = x
	case float32:
		f = float64(x)
	case string:
		p, err := strconv.ParseFloat(strings.TrimSpace(x), 64)
		if err != nil {
			return 0, false
		}
		f = p
	case []byte:
		return toFloat64(string(x))
	default:
		i, ok := toInt64(v)
		if !ok {
			return 0, false
		}
		f = float64(i)
	}
	return f, !math.IsNaN(f) && !math.IsInf(f, 0)
}
