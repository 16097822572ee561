package transformers

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/sha256"
	"fmt"
)

// PRFVersion selects how consistent mode turns the job key and an input
// into a transformer's random state, and how it derives the keys of the
// bijective remaps and of transform_hash's HMAC mode. A job keeps its
// version until its owner opts in to a newer one, because changing it
// changes every consistent output (and so breaks joins with data an
// earlier run wrote).
type PRFVersion int

const (
	// PRFv1 (the zero value, so jobs saved before versions existed keep
	// it) seeds from AES_k(FNV-128a(source, 0, input)) with k =
	// SHA-256(job key), and hands k itself to the remaps. FNV-128a is
	// unkeyed and not collision-resistant, so inputs crafted to collide
	// share a pseudonym; one key serves AES and the remaps' HMAC.
	PRFv1 PRFVersion = 0
	// PRFv2 seeds from AES-CMAC (NIST SP 800-38B, RFC 4493), a standard
	// PRF, of the canonical input under a sub-key that HKDF-SHA-256
	// (RFC 5869) derives from the job key for consistent-mode seeds and
	// the transformer's source. The remaps and transform_hash's HMAC mode
	// get their own HKDF sub-keys, so no key serves two purposes.
	PRFv2 PRFVersion = 2
	// PRFLatest is the version new jobs get.
	PRFLatest = PRFv2
)

// String names the version as jobs and reports show it ("v1", "v2").
func (v PRFVersion) String() string {
	if v == PRFv1 {
		return "v1"
	}
	return fmt.Sprintf("v%d", int(v))
}

// Valid reports whether v is a version this package implements.
func (v PRFVersion) Valid() bool { return v == PRFv1 || v == PRFv2 }

// The HKDF "info" labels of the sub-keys of PRFv2. Each names one use of
// the job key; changing one changes outputs, so they are frozen.
const (
	hkdfSalt       = "neosync consistent mode"
	infoSeedPrefix = "neosync/prf/v2/seed/" // followed by the transformer's source
	infoRemap      = "neosync/prf/v2/remap"
	infoHash       = "neosync/prf/v2/transform_hash"
)

// subKey derives the n-byte sub-key of key for one purpose (info) with
// HKDF-SHA-256.
func subKey(key []byte, info string, n int) []byte {
	k, err := hkdf.Key(sha256.New, key, []byte(hkdfSalt), info, n)
	if err != nil {
		// Only an output length above 255*32 bytes fails; ours are 32.
		panic("transformers: hkdf: " + err.Error())
	}
	return k
}

// remapKeyOf is the key the bijective remaps receive (Call.Key) for a job
// key under version v.
func remapKeyOf(key []byte, v PRFVersion) []byte {
	if v == PRFv2 {
		return subKey(key, infoRemap, 32)
	}
	k := sha256.Sum256(key)
	return k[:]
}

// HashKey is the key of transform_hash's HMAC mode for a job key: an HKDF
// sub-key of its own, whatever the job's PRF version (the mode is new, so
// no earlier output depends on it).
func hashKey(key []byte) []byte { return subKey(key, infoHash, 32) }

// cmac computes AES-CMAC (RFC 4493) over one short message at a time,
// without allocating. Its key schedule and sub-keys K1, K2 are computed
// once, when it is built.
type cmac struct {
	block  cipher.Block
	k1, k2 [16]byte
	// x is the chaining value, a field so that passing it to the cipher
	// (an interface) does not allocate.
	x [16]byte
}

// newCMAC returns AES-CMAC under key (16, 24 or 32 bytes).
func newCMAC(key []byte) (*cmac, error) {
	b, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	c := &cmac{block: b}
	var l [16]byte
	b.Encrypt(l[:], l[:])
	c.k1 = dbl(l)
	c.k2 = dbl(c.k1)
	return c, nil
}

// dbl multiplies b by x in GF(2^128) (the "doubling" of RFC 4493).
func dbl(b [16]byte) [16]byte {
	var out [16]byte
	carry := b[0] >> 7
	for i := 0; i < 15; i++ {
		out[i] = b[i]<<1 | b[i+1]>>7
	}
	out[15] = b[15] << 1
	out[15] ^= 0x87 & -carry
	return out
}

// cmacSum writes into out the AES-CMAC tag of the message t || msg. The
// first byte is AppendCanonical's type tag, passed apart so that a string
// input is hashed where it lies, without a copy.
func cmacSum[T string | []byte](c *cmac, out *[16]byte, t byte, msg T) {
	x := &c.x
	clear(x[:])
	n := 1 + len(msg)    // message bytes; byte i > 0 is msg[i-1]
	last := (n - 1) / 16 // index of the last block (complete or not)
	for b := 0; b < last; b++ {
		xorBlock(x, t, msg, b, 16)
		c.block.Encrypt(x[:], x[:])
	}
	rest := n - last*16 // 1..16 bytes in the last block
	xorBlock(x, t, msg, last, rest)
	k := &c.k1
	if rest < 16 {
		x[rest] ^= 0x80 // padding 10*
		k = &c.k2
	}
	for j := range x {
		x[j] ^= k[j]
	}
	c.block.Encrypt(out[:], x[:])
}

// xorBlock xors the first size bytes of block b of t || msg into x.
func xorBlock[T string | []byte](x *[16]byte, t byte, msg T, b, size int) {
	if b == 0 {
		x[0] ^= t
		for j := 1; j < size; j++ {
			x[j] ^= msg[j-1]
		}
		return
	}
	base := 16*b - 1
	for j := 0; j < size; j++ {
		x[j] ^= msg[base+j]
	}
}
