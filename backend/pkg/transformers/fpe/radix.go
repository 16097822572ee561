package fpe

import (
	"encoding/binary"
	"fmt"
	"math/big"
	"math/bits"
)

// RadixPermutation is a keyed bijection of mixed-radix digit vectors: position
// i holds a digit in [0, radices[i]). It scrambles strings while keeping each
// character in its class (say radix 26 for lower-case letters and 10 for
// digits). Positions of radix 1 always hold 0 and so stay fixed.
//
// The vector is read as one mixed-radix number (first position most
// significant) in [0, N) with N the product of the radices; that number is
// permuted with a Feistel network and cycle-walking (in uint64 when N <= 2^64,
// with math/big otherwise) and written back as digits.
type RadixPermutation struct {
	radices []int
	small   *smallDomain // when the product fits in uint64
	big     *bigDomain   // otherwise
}

// NewRadixPermutation returns the permutation of digit vectors with the given
// radices selected by key and tweak. Every radix must be at least 1. The radices
// are part of the domain, so vectors of different shapes get independent
// permutations even under one tweak.
func NewRadixPermutation(key []byte, radices []int, tweak []byte) (*RadixPermutation, error) {
	return newRadix(key, radices, tweak, false)
}

func newRadix(key []byte, radices []int, tweak []byte, forceBig bool) (*RadixPermutation, error) {
	domain := make([]byte, 0, 8*len(radices))
	prod, fits := uint64(1), true
	for i, r := range radices {
		if r < 1 {
			return nil, fmt.Errorf("fpe: radix %d at position %d is below 1", r, i)
		}
		domain = binary.BigEndian.AppendUint64(domain, uint64(r))
		hi, lo := bits.Mul64(prod, uint64(r))
		if hi != 0 {
			fits = false
		}
		prod = lo
	}
	block, err := deriveCipher(key, "radix", domain, tweak)
	if err != nil {
		return nil, err
	}
	p := &RadixPermutation{radices: append([]int(nil), radices...)}
	if fits && !forceBig {
		d := newSmallDomain(block, prod-1)
		p.small = &d
		return p, nil
	}
	n := big.NewInt(1)
	for _, r := range radices {
		n.Mul(n, big.NewInt(int64(r)))
	}
	p.big = newBigDomain(block, n)
	return p, nil
}

// Radices returns a copy of the radices.
func (p *RadixPermutation) Radices() []int { return append([]int(nil), p.radices...) }

func (p *RadixPermutation) check(digits []int) error {
	if len(digits) != len(p.radices) {
		return fmt.Errorf("fpe: %d digits for %d radices", len(digits), len(p.radices))
	}
	for i, d := range digits {
		if d < 0 || d >= p.radices[i] {
			return fmt.Errorf("fpe: digit %d at position %d is outside [0, %d)", d, i, p.radices[i])
		}
	}
	return nil
}

// Permute returns the image of digits as a new slice.
func (p *RadixPermutation) Permute(digits []int) ([]int, error) {
	return p.apply(digits, true)
}

// Invert returns the preimage of digits as a new slice.
func (p *RadixPermutation) Invert(digits []int) ([]int, error) {
	return p.apply(digits, false)
}

func (p *RadixPermutation) apply(digits []int, forward bool) ([]int, error) {
	if err := p.check(digits); err != nil {
		return nil, err
	}
	out := make([]int, len(digits))
	if p.small != nil {
		var v uint64
		for i, d := range digits {
			v = v*uint64(p.radices[i]) + uint64(d)
		}
		if forward {
			v = p.small.permute(v)
		} else {
			v = p.small.invert(v)
		}
		for i := len(out) - 1; i >= 0; i-- {
			r := uint64(p.radices[i])
			out[i] = int(v % r)
			v /= r
		}
		return out, nil
	}
	v := p.toBig(digits)
	if forward {
		p.big.permute(v)
	} else {
		p.big.invert(v)
	}
	p.fromBig(v, out)
	return out, nil
}

// toBig reads digits as a mixed-radix number, grouping positions into
// uint64-sized chunks to keep the number of big-integer operations low.
func (p *RadixPermutation) toBig(digits []int) *big.Int {
	v := new(big.Int)
	var mul, acc big.Int
	chunkRadix, chunk := uint64(1), uint64(0)
	flush := func() {
		mul.SetUint64(chunkRadix)
		v.Mul(v, &mul)
		acc.SetUint64(chunk)
		v.Add(v, &acc)
		chunkRadix, chunk = 1, 0
	}
	for i, d := range digits {
		r := uint64(p.radices[i])
		if hi, _ := bits.Mul64(chunkRadix, r); hi != 0 {
			flush()
		}
		chunkRadix *= r
		chunk = chunk*r + uint64(d)
	}
	flush()
	return v
}

// fromBig writes v as digits into out (least significant position last).
func (p *RadixPermutation) fromBig(v *big.Int, out []int) {
	var div, rem big.Int
	end := len(out)
	for end > 0 {
		// Peel a uint64-sized chunk of trailing positions at once.
		start, chunkRadix := end, uint64(1)
		for start > 0 {
			r := uint64(p.radices[start-1])
			if hi, _ := bits.Mul64(chunkRadix, r); hi != 0 {
				break
			}
			chunkRadix *= r
			start--
		}
		div.SetUint64(chunkRadix)
		v.QuoRem(v, &div, &rem)
		c := rem.Uint64()
		for i := end - 1; i >= start; i-- {
			r := uint64(p.radices[i])
			out[i] = int(c % r)
			c /= r
		}
		end = start
	}
}
