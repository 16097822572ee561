package fpe

import (
	"encoding/binary"
	"fmt"
)

// IntPermutation is a keyed bijection of the integer range [min, max] onto
// itself. It handles every range up to the full int64 range.
type IntPermutation struct {
	min, max int64
	d        smallDomain
}

// NewIntPermutation returns the permutation of [min, max] selected by key and
// tweak. Different keys, tweaks or ranges give independent permutations. The
// key must not be empty.
func NewIntPermutation(key []byte, min, max int64, tweak []byte) (*IntPermutation, error) {
	if min > max {
		return nil, fmt.Errorf("fpe: range min %d is greater than max %d", min, max)
	}
	var domain [16]byte
	binary.BigEndian.PutUint64(domain[:8], uint64(min))
	binary.BigEndian.PutUint64(domain[8:], uint64(max))
	block, err := deriveCipher(key, "int", domain[:], tweak)
	if err != nil {
		return nil, err
	}
	// uint64 subtraction wraps, so the full int64 range gives 2^64-1.
	return &IntPermutation{min: min, max: max, d: newSmallDomain(block, uint64(max)-uint64(min))}, nil
}

// Min returns the lower bound of the range.
func (p *IntPermutation) Min() int64 { return p.min }

// Max returns the upper bound of the range.
func (p *IntPermutation) Max() int64 { return p.max }

// Permute returns the image of x; x must lie in [min, max].
func (p *IntPermutation) Permute(x int64) (int64, error) {
	if x < p.min || x > p.max {
		return 0, &RangeError{Value: x, Min: p.min, Max: p.max}
	}
	return int64(uint64(p.min) + p.d.permute(uint64(x)-uint64(p.min))), nil
}

// Invert returns the preimage of y; y must lie in [min, max].
func (p *IntPermutation) Invert(y int64) (int64, error) {
	if y < p.min || y > p.max {
		return 0, &RangeError{Value: y, Min: p.min, Max: p.max}
	}
	return int64(uint64(p.min) + p.d.invert(uint64(y)-uint64(p.min))), nil
}

// RangeError reports a value outside a permutation's range.
type RangeError struct {
	Value, Min, Max int64
}

// Error describes the value and the range.
func (e *RangeError) Error() string {
	return fmt.Sprintf("fpe: %d is outside the range [%d, %d]", e.Value, e.Min, e.Max)
}
