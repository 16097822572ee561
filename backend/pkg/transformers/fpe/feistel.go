package fpe

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"math/big"
)

// rounds is the number of Feistel rounds of every permutation.
const rounds = 10

// ErrEmptyKey is returned by the constructors when the key is empty.
var ErrEmptyKey = errors.New("fpe: empty key")

// deriveCipher returns AES-128 under HMAC-SHA256(key, kind || domain || tweak),
// with length prefixes so that distinct triples never share an encoding.
func deriveCipher(key []byte, kind string, domain, tweak []byte) (cipher.Block, error) {
	if len(key) == 0 {
		return nil, ErrEmptyKey
	}
	m := hmac.New(sha256.New, key)
	var n [8]byte
	for _, part := range [][]byte{[]byte("neosync-fpe-v1"), []byte(kind), domain, tweak} {
		binary.BigEndian.PutUint64(n[:], uint64(len(part)))
		m.Write(n[:])
		m.Write(part)
	}
	sum := m.Sum(nil)
	return aes.NewCipher(sum[:16])
}

// feistel is a balanced Feistel network over two halves of h <= 64 bits.
type feistel struct {
	block cipher.Block
	h     uint   // bits per half
	mask  uint64 // (1 << h) - 1
}

func newFeistel(block cipher.Block, h uint) feistel {
	mask := ^uint64(0)
	if h < 64 {
		mask = 1<<h - 1
	}
	return feistel{block: block, h: h, mask: mask}
}

// buf is the scratch space of the round function. Passing slices of a local
// array to cipher.Block (an interface) makes it escape, so callers allocate
// one buf per permute call instead of two arrays per round.
type buf [32]byte

// f is the round function: AES of (round, tag, r), truncated to h bits.
func (f *feistel) f(b *buf, round int, tag byte, r uint64) uint64 {
	in, out := b[:16], b[16:]
	clear(in)
	in[0] = byte(round)
	in[1] = tag
	binary.LittleEndian.PutUint64(in[8:], r)
	f.block.Encrypt(out, in)
	return binary.LittleEndian.Uint64(out[:8]) & f.mask
}

func (f *feistel) encrypt(b *buf, l, r uint64, tag byte) (uint64, uint64) {
	for i := range rounds {
		l, r = r, l^f.f(b, i, tag, r)
	}
	return l, r
}

func (f *feistel) decrypt(b *buf, l, r uint64, tag byte) (uint64, uint64) {
	for i := rounds - 1; i >= 0; i-- {
		l, r = r^f.f(b, i, tag, l), l
	}
	return l, r
}

// smallDomain permutes [0, maxIdx] (maxIdx < 2^64) with a Feistel network
// over the smallest even width covering it and cycle-walking.
type smallDomain struct {
	maxIdx uint64
	f      feistel
}

// evenWidth returns the smallest even w >= 2 with 2^w > maxIdx.
func evenWidth(maxIdx uint64) uint {
	w := uint(0)
	for v := maxIdx; v != 0; v >>= 1 {
		w++
	}
	if w < 2 {
		w = 2
	}
	return w + w%2
}

func newSmallDomain(block cipher.Block, maxIdx uint64) smallDomain {
	return smallDomain{maxIdx: maxIdx, f: newFeistel(block, evenWidth(maxIdx)/2)}
}

func (d *smallDomain) permute(x uint64) uint64 {
	if d.maxIdx == 0 {
		return 0
	}
	b := new(buf)
	for {
		l, r := d.f.encrypt(b, x>>d.f.h, x&d.f.mask, 0)
		x = l<<d.f.h | r
		if x <= d.maxIdx {
			return x
		}
	}
}

func (d *smallDomain) invert(y uint64) uint64 {
	if d.maxIdx == 0 {
		return 0
	}
	b := new(buf)
	for {
		l, r := d.f.decrypt(b, y>>d.f.h, y&d.f.mask, 0)
		y = l<<d.f.h | r
		if y <= d.maxIdx {
			return y
		}
	}
}

// bigDomain permutes [0, n) for arbitrary n >= 1 with a Feistel network over
// big integers and cycle-walking. Its round function is FF1's PRF: a CBC-MAC
// of (round, half) followed by AES in counter mode to reach h bits.
type bigDomain struct {
	n     *big.Int
	block cipher.Block
	h     uint     // bits per half
	hb    int      // bytes per half
	mask  *big.Int // (1 << h) - 1
}

func newBigDomain(block cipher.Block, n *big.Int) *bigDomain {
	maxIdx := new(big.Int).Sub(n, big.NewInt(1))
	w := uint(maxIdx.BitLen())
	if w < 2 {
		w = 2
	}
	w += w % 2
	h := w / 2
	mask := new(big.Int).Sub(new(big.Int).Lsh(big.NewInt(1), h), big.NewInt(1))
	return &bigDomain{n: new(big.Int).Set(n), block: block, h: h, hb: int(h+7) / 8, mask: mask}
}

// bigScratch holds the buffers of one permute or invert call.
type bigScratch struct {
	l, r, t *big.Int
	half    []byte
	mac     []byte
	out     []byte
}

func (d *bigDomain) scratch() *bigScratch {
	nb := (d.hb + 15) / 16 * 16
	return &bigScratch{
		l: new(big.Int), r: new(big.Int), t: new(big.Int),
		half: make([]byte, d.hb), mac: make([]byte, 16+nb), out: make([]byte, nb),
	}
}

// f sets s.t to the h-bit round function of (round, x).
func (d *bigDomain) f(s *bigScratch, round int, x *big.Int) {
	x.FillBytes(s.half)
	// Message: one header block, then the half, zero-padded to whole blocks.
	msg := s.mac
	clear(msg)
	msg[0] = byte(round)
	msg[1] = 0xff // distinguishes from the small-domain round input
	binary.BigEndian.PutUint32(msg[4:], uint32(d.h))
	copy(msg[16:], s.half)
	var y [16]byte
	for off := 0; off < len(msg); off += 16 {
		for j := range 16 {
			y[j] ^= msg[off+j]
		}
		d.block.Encrypt(y[:], y[:])
	}
	// Counter-mode expansion: S = Y || E(Y xor 1) || E(Y xor 2) ...
	copy(s.out, y[:])
	for j := 1; j*16 < len(s.out); j++ {
		var c [16]byte
		copy(c[:], y[:])
		binary.BigEndian.PutUint64(c[8:], binary.BigEndian.Uint64(c[8:])^uint64(j))
		d.block.Encrypt(s.out[j*16:], c[:])
	}
	s.t.SetBytes(s.out[:d.hb])
	s.t.And(s.t, d.mask)
}

func (d *bigDomain) encrypt(s *bigScratch, x *big.Int) {
	s.l.Rsh(x, d.h)
	s.r.And(x, d.mask)
	for i := range rounds {
		d.f(s, i, s.r)
		s.t.Xor(s.t, s.l)
		s.l, s.r, s.t = s.r, s.t, s.l
	}
	x.Lsh(s.l, d.h)
	x.Or(x, s.r)
}

func (d *bigDomain) decrypt(s *bigScratch, x *big.Int) {
	s.l.Rsh(x, d.h)
	s.r.And(x, d.mask)
	for i := rounds - 1; i >= 0; i-- {
		d.f(s, i, s.l)
		s.t.Xor(s.t, s.r)
		s.l, s.r, s.t = s.t, s.l, s.r
	}
	x.Lsh(s.l, d.h)
	x.Or(x, s.r)
}

// permute replaces x (in [0, n)) by its image.
func (d *bigDomain) permute(x *big.Int) {
	s := d.scratch()
	for {
		d.encrypt(s, x)
		if x.Cmp(d.n) < 0 {
			return
		}
	}
}

// invert replaces x (in [0, n)) by its preimage.
func (d *bigDomain) invert(x *big.Int) {
	s := d.scratch()
	for {
		d.decrypt(s, x)
		if x.Cmp(d.n) < 0 {
			return
		}
	}
}
