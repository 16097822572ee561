package transformers

import (
	"bytes"
	"encoding/hex"
	"math/rand/v2"
	"testing"
)

// TestAppendHex checks appendHex against encoding/hex, which it replaced:
// every byte value, every length up to 300 (each tail length after the
// four-byte words) and random inputs, appended after existing bytes.
func TestAppendHex(t *testing.T) {
	t.Parallel()
	all := make([]byte, 256)
	for i := range all {
		all[i] = byte(i)
	}
	r := rand.New(rand.NewPCG(1, 2))
	random := make([]byte, 300)
	for i := range random {
		random[i] = byte(r.Uint32())
	}
	for _, src := range [][]byte{all, random} {
		for n := 0; n <= len(src); n++ {
			for _, prefix := range []string{"", "x-"} {
				want := hex.AppendEncode([]byte(prefix), src[:n])
				if got := appendHex([]byte(prefix), src[:n]); !bytes.Equal(got, want) {
					t.Fatalf("appendHex(%q, % x) = %q, want %q", prefix, src[:n], got, want)
				}
			}
		}
	}
}

// BenchmarkAppendHex measures the hex digits of one SHA-256 digest, as
// transform_hash writes them per row.
func BenchmarkAppendHex(b *testing.B) {
	src := bytes.Repeat([]byte{0x01, 0x9a, 0xef, 0x5c}, 8)
	var out []byte
	for b.Loop() {
		out = appendHex(out[:0], src)
	}
}
