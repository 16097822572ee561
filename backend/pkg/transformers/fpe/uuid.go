package fpe

import "encoding/binary"

// UUIDPermutation is a keyed bijection of 128-bit UUIDs that keeps the
// version and variant fields of every input. The version nibble (the high
// four bits of byte 6) and the variant's leading bits (the top two bits of
// byte 8, or three bits for the Microsoft and reserved variants 110 and 111)
// are copied; the other 122 (or 121) bits are permuted with a Feistel network
// of two 61-bit halves whose round function also depends on those fixed bits.
// A 121-bit domain is cycle-walked inside the 122-bit network.
//
// Because the fixed bits select the sub-domain and each sub-domain is
// permuted bijectively, the whole map is a bijection of the 2^128 values.
type UUIDPermutation struct {
	f feistel
}

const mask61 = 1<<61 - 1

// NewUUIDPermutation returns the UUID permutation selected by key and tweak.
func NewUUIDPermutation(key, tweak []byte) (*UUIDPermutation, error) {
	block, err := deriveCipher(key, "uuid", nil, tweak)
	if err != nil {
		return nil, err
	}
	return &UUIDPermutation{f: newFeistel(block, 61)}, nil
}

// split returns the free bits of u as a 122-bit number (l, r) of two 61-bit
// halves, the fixed-bit tag, and whether only 121 bits are free.
func split(u [16]byte) (l, r uint64, tag byte, narrow bool) {
	hi := binary.BigEndian.Uint64(u[:8])
	lo := binary.BigEndian.Uint64(u[8:])
	version := byte(hi>>12) & 0xf
	hiFree := hi>>16<<12 | hi&0xfff // 60 bits
	if lo>>62 == 3 {
		// Variant 11x: keep three bits, 121 free bits, top bit of l is 0.
		tag = 0x80 | version<<3 | byte(lo>>61)
		return hiFree, lo & mask61, tag, true
	}
	tag = version<<3 | byte(lo>>62)<<1
	loFree := lo & (1<<62 - 1) // 62 bits
	return hiFree<<1 | loFree>>61, loFree & mask61, tag, false
}

// join is the inverse of split for the fixed bits of orig.
func join(orig [16]byte, l, r uint64, narrow bool) [16]byte {
	hi := binary.BigEndian.Uint64(orig[:8])
	lo := binary.BigEndian.Uint64(orig[8:])
	var hiFree, newLo uint64
	if narrow {
		hiFree = l
		newLo = lo&^mask61 | r
	} else {
		hiFree = l >> 1
		newLo = lo&(3<<62) | (l&1)<<61 | r
	}
	newHi := hiFree>>12<<16 | hi&0xf000 | hiFree&0xfff
	var out [16]byte
	binary.BigEndian.PutUint64(out[:8], newHi)
	binary.BigEndian.PutUint64(out[8:], newLo)
	return out
}

// Permute returns the image of u; its version and variant bits equal u's.
func (p *UUIDPermutation) Permute(u [16]byte) [16]byte {
	l, r, tag, narrow := split(u)
	b := new(buf)
	for {
		l, r = p.f.encrypt(b, l, r, tag)
		if !narrow || l>>60 == 0 {
			return join(u, l, r, narrow)
		}
	}
}

// Invert returns the preimage of u.
func (p *UUIDPermutation) Invert(u [16]byte) [16]byte {
	l, r, tag, narrow := split(u)
	b := new(buf)
	for {
		l, r = p.f.decrypt(b, l, r, tag)
		if !narrow || l>>60 == 0 {
			return join(u, l, r, narrow)
		}
	}
}
