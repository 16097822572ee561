package transformers

import (
	"bytes"
	"hash/fnv"
	"math/rand/v2"
	"testing"
)

// TestFNV128aMatchesStdlib checks the inlined FNV-128a against hash/fnv on
// random inputs of every length up to 300 bytes, whole and split, since
// consistent mode's outputs depend on it bit for bit.
func TestFNV128aMatchesStdlib(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(1, 2))
	for n := range 300 {
		b := make([]byte, n)
		for i := range b {
			b[i] = byte(r.Uint32())
		}
		h := fnv.New128a()
		h.Write(b)
		want := h.Sum(nil)
		split := r.IntN(n + 1)
		s := newFNV128a()
		s.write(b[:split])
		if split < n {
			s.writeByte(b[split])
			s.writeString(string(b[split+1:]))
		}
		var got [16]byte
		s.sum(&got)
		if !bytes.Equal(got[:], want) {
			t.Fatalf("length %d split %d: %x, want %x", n, split, got, want)
		}
	}
}
