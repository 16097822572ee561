package leakscan

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
)

// Seed selects a sketch's 64-bit hash function (xxHash64 keyed by this
// seed). Sketches merge only when they share it: a value must hash alike
// in every part. The zero Seed stands for this process's random seed;
// RunSeed derives one that every worker of a run computes alike, so the
// sketches of a table's key ranges copied by several workers merge.
//
// The seed is not in a sketch's serialised form (only a fingerprint that
// tells seeds apart), so a stored sketch does not reveal it.
type Seed struct {
	k   uint64
	set bool
}

// processSeed is the seed of sketches built with the zero Seed: random,
// so crafted inputs cannot aim at the sample.
var processSeed = RandomSeed()

// RandomSeed returns a new random seed.
func RandomSeed() Seed {
	var b [8]byte
	_, _ = rand.Read(b[:]) // never fails (crypto/rand panics on a broken source)
	return Seed{k: binary.LittleEndian.Uint64(b[:]), set: true}
}

// RunSeed derives the seed of one run's sketches from its id and a secret
// the run's workers share (the job's key; nil when the job has none):
// HMAC-SHA-256 keyed by the secret over a label and the run id. With a
// secret, someone who knows the run id still cannot tell which values the
// sample keeps; without one the seed is the run id's hash, which still
// differs from run to run.
func RunSeed(runID string, secret []byte) Seed {
	m := hmac.New(sha256.New, secret)
	m.Write([]byte("neosync leakscan run seed v1\x00"))
	m.Write([]byte(runID))
	return Seed{k: binary.LittleEndian.Uint64(m.Sum(nil)), set: true}
}

// resolve replaces the zero Seed with the process's.
func (s Seed) resolve() Seed {
	if !s.set {
		return processSeed
	}
	return s
}

// fingerprint identifies the seed in a serialised sketch without
// revealing it: the first 8 bytes of SHA-256 over a label and the seed.
func (s Seed) fingerprint() uint64 {
	var b [8]byte
	binary.LittleEndian.PutUint64(b[:], s.resolve().k)
	h := sha256.New()
	h.Write([]byte("neosync leakscan seed fingerprint\x00"))
	h.Write(b[:])
	return binary.LittleEndian.Uint64(h.Sum(nil))
}
