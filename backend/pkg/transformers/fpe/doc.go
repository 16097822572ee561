// Package fpe implements format-preserving keyed permutations: bijections of
// an integer range, of mixed-radix digit vectors and of RFC 4122 UUIDs onto
// themselves. Neosync uses them to remap primary and foreign keys so that
// unique values stay unique and a foreign key still matches the transformed
// primary key, without keeping a lookup table.
//
// # What it is not
//
// This is Neosync's own construction, not NIST SP 800-38G FF1 or FF3-1:
// it borrows FF1's PRF for wide halves and its round count, but it splits
// a value into binary halves combined with XOR (FF1 splits into numeral
// strings combined by modular addition), feeds the tweak into the key
// derivation rather than into every round, and reaches a domain that is not
// a power of two by cycle-walking. Its outputs are neither interoperable
// with nor validated as FF1 or FF3-1, and it carries no certification.
// The known-answer vectors in vectors_test.go freeze it; the integer
// vectors were also computed by an independent implementation
// (testdata/reference_int.py).
//
// # Construction
//
// Key derivation: every permutation uses AES-128 under the first 16 bytes
// of HMAC-SHA-256(key, "neosync-fpe-v1" || kind || domain || tweak), each
// part prefixed with its length as a big-endian uint64, where kind is
// "int", "radix" or "uuid" and domain encodes the range (min and max as
// big-endian int64s) or the radices (big-endian uint64s). Every
// (key, kind, domain, tweak) therefore gets an independent permutation.
// Neosync passes the job's remap key as key (see the transformers package:
// SHA-256 of the job key under consistent PRF v1, an HKDF-SHA-256 sub-key
// of its own under v2) and the transformer's name as tweak.
//
// Network: a balanced Feistel network over w bits (w even): the value is
// split into halves L (high) and R (low) of h = w/2 bits and each of the
// 10 rounds i = 0..9 maps (L, R) to (R, L xor F(i, R)). Whatever F is, a
// Feistel round is invertible ((L, R) is recovered from (R, L xor F(i, R))
// by recomputing F(i, R)), so the network is a permutation of [0, 2^w).
//
// Round function: for halves of up to 64 bits, F(i, R) is the first 8
// bytes (little-endian) of AES(block) with block = [i, tag, 0 x 6,
// R as little-endian uint64], truncated to h bits; tag is 0 except for
// UUIDs, where it encodes the fixed version and variant bits. For wider
// halves (mixed-radix domains above 2^64), F is the CBC-MAC of a header
// block [i, 0xff, 0, 0, h as big-endian uint32, 0 x 8] followed by R
// (big-endian, zero-padded to whole blocks), expanded to h bits by AES in
// counter mode, as FF1's PRF.
//
// # Domains and cycle-walking
//
//   - IntPermutation: any range [min, max] of int64, from one value (the
//     identity) up to the whole int64 range (2^64 values).
//   - RadixPermutation: any vector of radices >= 1 (a radix-1 position is
//     always 0 and stays fixed); the product of the radices is the domain
//     size, permuted in uint64 arithmetic up to 2^64 and with math/big
//     beyond.
//   - UUIDPermutation: the version nibble and the variant bits are kept,
//     the other 122 bits (121 for the variants 110 and 111) are permuted
//     by a network of two 61-bit halves.
//
// A domain of size n that is not a power of two is embedded in [0, 2^w),
// with w the smallest even width such that 2^w >= n (so 2^w < 4n, w >= 2).
// To permute x < n the Feistel permutation P is applied repeatedly until the
// result falls back inside the domain: y = P(x), P(P(x)), ... This is a
// bijection of [0, n): x and its image lie on the same cycle of P, and the
// walk from x stops at the next element of that cycle that is in the domain.
// Distinct inputs on a cycle therefore stop at distinct outputs, and the
// inverse walks the same cycle backwards with the inverse of P until it is
// inside the domain again. Because 2^w < 4n the expected number of Feistel
// evaluations per call is below 4 (exactly 1 when n is a power of 4); the
// walk's length depends on the value, so the time of a call leaks a little
// about it (not a concern for a batch copy, where no adversary times calls).
//
// # Security assumptions
//
// The permutation is as strong as AES is a pseudo-random permutation and
// HMAC-SHA-256 a PRF, and as 10 Feistel rounds of a PRF are a strong
// pseudo-random permutation of the domain. For wide halves the Luby–Rackoff
// and Patarin bounds make that assumption comfortable. For small domains
// it is not a proof: the known attacks on FF3 and FF1 over tiny domains
// (Durak–Vaudenay 2017; Bellare–Hoang–Tessaro 2016; Hoang–Tessaro–Trieu
// 2018) need many chosen or known input/output pairs under one key and
// tweak, and a domain of a few thousand values (NIST now asks for at least
// 10^6 for FF1) is small enough to be tabulated outright by anyone who
// holds enough pairs. What the permutation hides is which source value
// became which output, from someone who sees only outputs; it does not
// hide the set of values (a permutation of [1, 1000] is still [1, 1000]),
// their order statistics, or anything to someone who knows some pairs.
// The key is the secret: anyone holding it can invert every remap.
//
// Permutations are immutable after construction and safe for concurrent use.
package fpe
