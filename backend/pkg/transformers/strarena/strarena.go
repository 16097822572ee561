// Package strarena hands out many small strings from few allocations.
//
// Converting a []byte scratch buffer to a string allocates once per call;
// at a million rows per table and several transformed columns that is most
// of a relay's allocations. An Arena copies the bytes into a shared chunk
// instead and returns a string that points into it. This is sound because
// the arena only ever appends: bytes that back a returned string are never
// written again, and a new chunk is allocated (not reused) when one is
// full, so a string stays valid and unchanged for as long as it is
// referenced; the garbage collector frees a chunk when none of its
// strings is.
//
// The cost is retention: one live string keeps its whole chunk alive.
// Use an Arena for values that are consumed soon (encoded into an output
// buffer), not for values held for the life of a process.
package strarena

import "unsafe"

// chunkSize is the size of one chunk; strings longer than maxArenaString
// are allocated on their own so that a chunk is not mostly one string.
const (
	chunkSize      = 8 << 10
	maxArenaString = 512
)

// Arena copies byte slices into strings. The zero value is ready to use.
// An Arena is not safe for concurrent use.
type Arena struct {
	chunk []byte // len is the used prefix; cap is the chunk
}

// String returns a string with the contents of b.
func (a *Arena) String(b []byte) string {
	n := len(b)
	if n == 0 {
		return ""
	}
	if n > maxArenaString {
		return string(b)
	}
	if cap(a.chunk)-len(a.chunk) < n {
		a.chunk = make([]byte, 0, chunkSize)
	}
	at := len(a.chunk)
	a.chunk = append(a.chunk, b...)
	return unsafe.String(&a.chunk[at], n)
}
