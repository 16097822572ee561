// Package fpe implements format-preserving keyed permutations: bijections of
// an integer range, of mixed-radix digit vectors and of RFC 4122 UUIDs onto
// themselves. Neosync uses them to remap primary and foreign keys so that
// unique values stay unique and a foreign key still matches the transformed
// primary key, without keeping a lookup table.
//
// # Construction
//
// Every permutation is a balanced Feistel network over w bits (w even): the
// value is split into two halves L and R of w/2 bits and each of the
// 10 rounds maps (L, R) to (R, L xor F(i, R)), where F is a pseudo-random
// function keyed by the caller's key. Whatever F is, a Feistel round is
// invertible ((L, R) is recovered from (R, L xor F(i, R)) by recomputing
// F(i, R)), so the network is a permutation of [0, 2^w).
//
// F is AES-128 under a sub-key derived with HMAC-SHA256 from the caller's
// key, the kind of permutation, its domain (range, radices) and the caller's
// tweak, so every (key, domain, tweak) triple gets an independent
// permutation. For halves of up to 64 bits F is one AES block of
// (round, tag, R); for wider halves (mixed-radix domains above 2^64) F is a
// CBC-MAC of R followed by AES in counter mode, as in NIST SP 800-38G FF1.
//
// # Cycle-walking
//
// A domain of size n that is not a power of two is embedded in [0, 2^w),
// with w the smallest even width such that 2^w >= n (so 2^w < 4n). To
// permute x < n the Feistel permutation P is applied repeatedly until the
// result falls back inside the domain: y = P(x), P(P(x)), ... This is a
// bijection of [0, n): x and its image lie on the same cycle of P, and the
// walk from x stops at the next element of that cycle that is in the domain.
// Distinct inputs on a cycle therefore stop at distinct outputs, and the
// inverse walks the same cycle backwards with the inverse of P until it is
// inside the domain again. Because 2^w < 4n the expected number of Feistel
// evaluations per call is below 4 (exactly 1 when n is a power of 4).
//
// Permutations are immutable after construction and safe for concurrent use.
package fpe
