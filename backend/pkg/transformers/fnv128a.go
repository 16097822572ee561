package transformers

import (
	"encoding/binary"
	"math/bits"
)

// fnv128a is FNV-1a with a 128-bit state, computing exactly what
// hash/fnv's New128a does. Consistent mode seeds from it; this value type
// lets an Instance hash its constant prefix (the transformer's source)
// once and start every call from that state, and avoids the interface
// calls and the intermediate buffer of hash.Hash.
type fnv128a struct{ hi, lo uint64 }

// The FNV-128 offset basis and prime (2^88 + 0x13b), as in hash/fnv.
const (
	fnv128OffsetHi   = 0x6c62272e07bb0142
	fnv128OffsetLo   = 0x62b821756295c58d
	fnv128PrimeLo    = 0x13b
	fnv128PrimeShift = 24
)

// newFNV128a returns the state of an empty input.
func newFNV128a() fnv128a { return fnv128a{hi: fnv128OffsetHi, lo: fnv128OffsetLo} }

// writeByte hashes one byte.
func (s *fnv128a) writeByte(c byte) {
	lo := s.lo ^ uint64(c)
	hi, low := bits.Mul64(fnv128PrimeLo, lo)
	s.hi = hi + lo<<fnv128PrimeShift + fnv128PrimeLo*s.hi
	s.lo = low
}

// write hashes b.
func (s *fnv128a) write(b []byte) {
	hi, lo := s.hi, s.lo
	for _, c := range b {
		lo ^= uint64(c)
		h, l := bits.Mul64(fnv128PrimeLo, lo)
		hi = h + lo<<fnv128PrimeShift + fnv128PrimeLo*hi
		lo = l
	}
	s.hi, s.lo = hi, lo
}

// writeString hashes str.
func (s *fnv128a) writeString(str string) {
	hi, lo := s.hi, s.lo
	for i := 0; i < len(str); i++ {
		lo ^= uint64(str[i])
		h, l := bits.Mul64(fnv128PrimeLo, lo)
		hi = h + lo<<fnv128PrimeShift + fnv128PrimeLo*hi
		lo = l
	}
	s.hi, s.lo = hi, lo
}

// sum writes the digest, big-endian, into out.
func (s *fnv128a) sum(out *[16]byte) {
	binary.BigEndian.PutUint64(out[:8], s.hi)
	binary.BigEndian.PutUint64(out[8:], s.lo)
}
