package transformers

import (
	"encoding/binary"
	"slices"
)

// hexDigits are the lower-case hex digits.
const hexDigits = "0123456789abcdef"

// appendHex appends src as lower-case hex, exactly as encoding/hex does,
// growing b once. It converts four bytes at a time in one 64-bit word
// (hexWord): transform_hash writes a 64-digit digest per row, and the
// word form takes fewer instructions than a table lookup per nibble.
func appendHex(b, src []byte) []byte {
	n := len(b)
	b = slices.Grow(b, 2*len(src))[:n+2*len(src)]
	out := b[n:]
	i := 0
	for ; i+4 <= len(src); i += 4 {
		binary.BigEndian.PutUint64(out[2*i:2*i+8], hexWord(binary.BigEndian.Uint32(src[i:i+4])))
	}
	for ; i < len(src); i++ {
		c := src[i]
		out[2*i], out[2*i+1] = hexDigits[c>>4], hexDigits[c&15]
	}
	return b
}

// hexWord returns the eight hex digits of x, most significant first from
// the word's top byte (so a big-endian store writes them in order).
func hexWord(x uint32) uint64 {
	w := uint64(x)
	w = (w | w<<16) & 0x0000ffff0000ffff // two bytes per 32-bit lane
	w = (w | w<<8) & 0x00ff00ff00ff00ff  // one byte per 16-bit lane
	// The high nibble to the lane's upper byte, the low one to its lower:
	// every byte now holds one nibble v.
	w = (w&0x00f000f000f000f0)<<4 | w&0x000f000f000f000f
	// v+6 carries into bit 4 exactly when v >= 10, a letter.
	letters := (w + 0x0606060606060606) >> 4 & 0x0101010101010101
	return w + 0x3030303030303030 + letters*('a'-'0'-10)
}
