// Package transformers is Neosync's pure transformer library: generators that
// invent a value and transforms that replace an input value, each declared
// with its parameters, data types, the job types that may use it and whether
// it supports consistent mode.
//
// A Registry is one value built at start-up (NewRegistry); nothing registers
// itself from init. Registry.Build validates a parameter map against the
// definition and returns an Instance, which is not safe for concurrent use:
// a pipeline builds one per worker goroutine.
//
// # Consistent mode
//
// With a job key (Options.Key), a transformer that supports consistent mode
// is a pure function of (key, source, input): its random source is reseeded
// before every call from a keyed PRF of the canonical input. The same email
// therefore becomes the same fake email in every table, run and worker, with
// no cache server. The PRF is versioned (Options.PRF, see PRFVersion): PRFv1,
// the zero value kept by jobs saved before versions existed, is
// AES_k(FNV-128a(source, 0, input)); PRFv2, what new jobs get, is AES-CMAC
// under a sub-key that HKDF-SHA-256 derives from the job key for the
// transformer's source, and gives the bijective remaps and transform_hash's
// HMAC mode sub-keys of their own. Their known-answer vectors are in
// prf_test.go; the golden file pins both. Without a key the random source is a PCG generator
// seeded from Options.Seed (or at random when it is zero), so tests can fix it.
// An Instance reseeds from a precomputed hash state of its source, and a
// transformer that never reads its random source (Definition.NoRand:
// transform_hash, passthrough) is not reseeded at all. The golden test
// (testdata/golden_outputs.txt) pins every transformer's outputs: an
// optimization must leave it unchanged.
//
// Transformers with text output can also be built as an AppendFunc, which
// writes into the caller's buffer: Instance.AppendText and
// AppendTextString give the same output as Transform without allocating a
// string (or boxing a string input), for writers that encode into a buffer
// such as the PostgreSQL COPY relay.
//
// The package does no I/O and imports no protobuf or database types.
package transformers
