package transformers

import (
	"math/rand/v2"

	"github.com/neosyncio/neosync/backend/pkg/transformers/strarena"
)

// Email building blocks shared by generate_email and transform_email.

// emailTLDs are top-level domains of generated addresses, weighted by repetition.
var emailTLDs = []string{"com", "com", "com", "com", "net", "net", "org", "io", "co", "info", "biz", "us"}

// domainWords are optional second words of generated domains.
var domainWords = []string{"mail", "group", "labs", "tech", "works", "online", "hq", "inc", "media", "net"}

// minEmailLen is the length of the shortest generated address, "a@b.io".
const minEmailLen = 6

// appendDomain appends a random domain such as "abbott.com" or
// "kuhnlabs.net" of at most maxLen bytes (any length when maxLen <= 0);
// maxLen must otherwise be at least 4.
func appendDomain(b []byte, r *rand.Rand, maxLen int) []byte {
	tld := emailTLDs[r.IntN(len(emailTLDs))]
	if maxLen > 0 && len(tld)+3 > maxLen {
		tld = "io"
	}
	budget := 0 // bytes left for the name before ".tld"; 0 is unlimited
	if maxLen > 0 {
		budget = maxLen - len(tld) - 1
	}
	name, ok := lowerLastNames.atMost(r, budget)
	if !ok {
		b = appendRandLower(b, r, budget)
	} else {
		b = append(b, name...)
		if w := domainWords[r.IntN(len(domainWords))]; r.IntN(4) == 0 && (budget == 0 || len(name)+len(w) <= budget) {
			b = append(b, w...)
		}
	}
	b = append(b, '.')
	return append(b, tld...)
}

// appendDomainOfLen appends a random domain of exactly n >= 3 bytes, split
// into labels of at most 63 bytes.
func appendDomainOfLen(b []byte, r *rand.Rand, n int) []byte {
	tld := emailTLDs[r.IntN(len(emailTLDs))]
	if len(tld)+2 > n {
		tld = "io"
		if n < 4 {
			tld = "x"
		}
	}
	rest := n - len(tld) - 1
	for rest > 0 {
		l := rest
		if l > 63 {
			l = min(63, rest-2)
		}
		b = appendWordOfLen(b, r, l)
		b = append(b, '.')
		rest -= l + 1
	}
	return append(b, tld...)
}

// appendWordOfLen appends n lower-case letters taken from surnames.
func appendWordOfLen(b []byte, r *rand.Rand, n int) []byte {
	if w, ok := lowerLastNames.exactly(r, n); ok {
		return append(b, w...)
	}
	for n > 0 {
		w := lowerLastNames.any(r)
		if len(w) > n {
			w = w[:n]
		}
		b = append(b, w...)
		n -= len(w)
	}
	return b
}

// appendNameLocal appends a local part built from a realistic name, such as
// "john.smith4821", "jsmith30512" or "john_smith772101". The trailing
// digits (4 to 6) keep most addresses apart, but not all: the form with
// an initial ("j.smith4821") draws from 498 last names, and measured over
// 1,000 sets of 10,000 addresses of one domain, 7 sets held a duplicate.
// A column that must stay unique needs a bijective transformer (the plan
// warns about it). The outputs are pinned (consistent mode, PRF v2: see
// TestPRFv2Outputs), so widening the digits needs a new PRF version.
func appendNameLocal(b []byte, r *rand.Rand) []byte {
	first, last := lowerFirstNames.any(r), lowerLastNames.any(r)
	switch r.IntN(4) {
	case 0:
		b = append(append(b, first[0], '.'), last...)
	case 1:
		b = append(append(b, first...), last...)
	case 2:
		b = append(append(append(b, first...), '_'), last...)
	default:
		b = append(append(append(b, first...), '.'), last...)
	}
	return appendRandDigits(b, r, 4+r.IntN(3), false)
}

// appendLocalOfLen appends a name-based local part of exactly n >= 1 bytes,
// padded with digits or cut.
func appendLocalOfLen(b []byte, r *rand.Rand, n int) []byte {
	start := len(b)
	b = appendNameLocal(b, r)
	if len(b)-start < n {
		return appendRandDigits(b, r, n-(len(b)-start), false)
	}
	b = b[:start+n]
	if c := b[len(b)-1]; c == '.' || c == '_' {
		b[len(b)-1] = byte('a' + r.IntN(26))
	}
	return b
}

// appendUUIDLocal appends 32 random hex digits, a UUID v4 without hyphens.
func appendUUIDLocal(b []byte, r *rand.Rand) []byte {
	u := randUUID(r)
	return appendHex(b, u[:])
}

// trimLocal drops trailing dots, underscores and hyphens left by a cut.
func trimLocal(b []byte) []byte {
	for len(b) > 1 {
		switch b[len(b)-1] {
		case '.', '_', '-':
			b = b[:len(b)-1]
			continue
		}
		break
	}
	return b
}

// emailBuilder holds scratch space for building one address at a time,
// and the arena its results are allocated from.
type emailBuilder struct {
	local, domain []byte
	strs          strarena.Arena
}

// build returns an address that fits maxLen (any length when maxLen <= 0)
// with a name-based or UUID local part; maxLen must be 0 or at least minEmailLen.
func (e *emailBuilder) build(r *rand.Rand, maxLen int, uuidLocal bool) string {
	e.local = e.appendBuild(e.local[:0], r, maxLen, uuidLocal)
	return e.strs.String(e.local)
}

// appendBuild is build appending the address to dst.
func (e *emailBuilder) appendBuild(dst []byte, r *rand.Rand, maxLen int, uuidLocal bool) []byte {
	domBudget := 0
	if maxLen > 0 {
		domBudget = maxLen - 2
		if maxLen >= 14 {
			domBudget = maxLen - 6 // leave a realistic local part
		}
	}
	e.domain = appendDomain(e.domain[:0], r, domBudget)
	return e.appendWithDomain(dst, r, maxLen, uuidLocal, -1)
}

// appendWithDomain appends the address completed with the domain in
// e.domain to dst. localLen fixes the local part's length when >= 1.
func (e *emailBuilder) appendWithDomain(dst []byte, r *rand.Rand, maxLen int, uuidLocal bool, localLen int) []byte {
	start := len(dst)
	b := dst
	switch {
	case localLen >= 1:
		b = appendLocalOfLen(b, r, localLen)
	case uuidLocal:
		b = appendUUIDLocal(b, r)
	default:
		b = appendNameLocal(b, r)
	}
	if maxLen > 0 && len(b)-start+1+len(e.domain) > maxLen {
		b = b[:start+len(trimLocal(b[start:start+maxLen-1-len(e.domain)]))]
	}
	b = append(b, '@')
	return append(b, e.domain...)
}
