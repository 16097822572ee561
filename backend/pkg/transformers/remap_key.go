package transformers

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
)

// remapKey chooses the key of a bijective remap. In consistent mode it is
// the job key the Instance derived (Call.Key), so every table, worker and run
// of the job maps a value the same way and foreign keys keep matching. In
// random mode (no job key) it is a per-instance key derived from
// Options.Seed, or drawn at random when the seed is 0: the remap is still a
// bijection, so unique values stay unique within the instance, but two
// instances with seed 0 map differently.
type remapKey struct {
	random []byte
}

func newRemapKey(o Options) remapKey {
	k := make([]byte, 32)
	if o.Seed != 0 {
		var seed [8]byte
		binary.BigEndian.PutUint64(seed[:], o.Seed)
		sum := sha256.Sum256(append([]byte("neosync-remap-seed\x00"), seed[:]...))
		copy(k, sum[:])
	} else {
		_, _ = rand.Read(k) // crypto/rand.Read never fails
	}
	return remapKey{random: k}
}

// key returns the key for c.
func (k remapKey) key(c *Call) []byte {
	if c.Key != nil {
		return c.Key
	}
	return k.random
}

// remapCache holds one permutation per key (the key of an Instance does not
// change between calls, so the cache is normally built once).
type remapCache[P any] struct {
	key  []byte
	perm P
	ok   bool
}

// get returns the permutation for key, building it with mk on a key change.
func (rc *remapCache[P]) get(key []byte, mk func([]byte) (P, error)) (P, error) {
	if rc.ok && bytes.Equal(rc.key, key) {
		return rc.perm, nil
	}
	p, err := mk(key)
	if err != nil {
		return p, err
	}
	rc.key, rc.perm, rc.ok = bytes.Clone(key), p, true
	return p, nil
}
