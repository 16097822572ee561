package piiscan

import (
	"net/netip"
	"regexp"
	"strings"
)

// match is how well one value fits a kind.
type match uint8

const (
	noMatch     match = iota
	weakMatch         // fits only when the column name says so (bare digits)
	strongMatch       // fits by format and checksum alone
)

var (
	emailRe = regexp.MustCompile(`^[A-Za-z0-9._%+'-]{1,64}@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,24}$`)
	// e164Re is the E.164 form: a plus, a country code and at most 15 digits.
	e164Re = regexp.MustCompile(`^\+[1-9][0-9]{7,14}$`)
	// intlRe is an international number written with separators.
	intlRe = regexp.MustCompile(`^\+[1-9][0-9]{0,3}(?:[ .-]?\(?[0-9]{1,5}\)?){2,6}$`)
	// nanpRe is a North American number with separators: (555) 201-3344,
	// 555-201-3344, 555.201.3344, 1-555-201-3344, +1 555 201 3344.
	nanpRe = regexp.MustCompile(`^(?:\+?1[ .-]?)?(?:\([2-9][0-9]{2}\)|[2-9][0-9]{2})[ .-]?[2-9][0-9]{2}[ .-][0-9]{4}$`)
	// nationalRe is a trunk-prefixed national number with separators
	// (020 7946 0958, 030-1234567, 01 23 45 67 89).
	nationalRe = regexp.MustCompile(`^0[1-9][0-9]{0,3}(?:[ .-][0-9]{2,4}){1,4}$`)
	ssnRe      = regexp.MustCompile(`^([0-9]{3})-([0-9]{2})-([0-9]{4})$`)
	ibanRe     = regexp.MustCompile(`^[A-Z]{2}[0-9]{2}[A-Z0-9]{11,30}$`)
)

// emailMatch reports whether v is an email address.
func emailMatch(v string) match {
	if emailRe.MatchString(v) && !strings.Contains(v, "..") {
		return strongMatch
	}
	return noMatch
}

// phoneMatch reports whether v is a phone number: E.164 and numbers written
// with separators are strong, bare runs of 10 to 15 digits weak.
func phoneMatch(v string) match {
	switch {
	case e164Re.MatchString(v), nanpRe.MatchString(v):
		return strongMatch
	case intlRe.MatchString(v) || nationalRe.MatchString(v):
		if n := countDigits(v); n >= 9 && n <= 15 {
			return strongMatch
		}
	case allDigits(v) && len(v) >= 10 && len(v) <= 15:
		return weakMatch
	}
	return noMatch
}

// cardMatch reports whether v is a payment card number: 13 to 19 digits,
// optionally grouped by spaces or dashes, with an issuer prefix (2-6) and
// a valid Luhn check digit.
func cardMatch(v string) match {
	digits, ok := groupedDigits(v)
	if !ok || len(digits) < 13 || len(digits) > 19 {
		return noMatch
	}
	if digits[0] < '2' || digits[0] > '6' || strings.Count(digits, digits[:1]) == len(digits) {
		return noMatch
	}
	if !luhnValid(digits) {
		return noMatch
	}
	return strongMatch
}

// luhnValid reports whether the digit string ends in its Luhn check digit.
func luhnValid(digits string) bool {
	sum := 0
	double := false
	for i := len(digits) - 1; i >= 0; i-- {
		d := int(digits[i] - '0')
		if double {
			d *= 2
			if d > 9 {
				d -= 9
			}
		}
		sum += d
		double = !double
	}
	return len(digits) > 1 && sum%10 == 0
}

// ssnMatch reports whether v is a US social security number in the issued
// ranges: AAA-GG-SSSS is strong, nine bare digits weak.
func ssnMatch(v string) match {
	var area, group, serial string
	strength := strongMatch
	if m := ssnRe.FindStringSubmatch(v); m != nil {
		area, group, serial = m[1], m[2], m[3]
	} else if len(v) == 9 && allDigits(v) {
		area, group, serial, strength = v[:3], v[3:5], v[5:], weakMatch
	} else {
		return noMatch
	}
	if area == "000" || area == "666" || area[0] == '9' || group == "00" || serial == "0000" {
		return noMatch
	}
	return strength
}

// ibanLengths are the IBAN lengths of common countries; a country not
// listed needs only the general shape and the check.
var ibanLengths = map[string]int{
	"AT": 20, "BE": 16, "BG": 22, "CH": 21, "CY": 28, "CZ": 24, "DE": 22, "DK": 18, "EE": 20,
	"ES": 24, "FI": 18, "FR": 27, "GB": 22, "GR": 27, "HR": 21, "HU": 28, "IE": 22, "IS": 26,
	"IT": 27, "LI": 21, "LT": 20, "LU": 20, "LV": 21, "MT": 31, "NL": 18, "NO": 15, "PL": 28,
	"PT": 25, "RO": 24, "SE": 24, "SI": 19, "SK": 24, "TR": 26, "AE": 23, "SA": 24, "BR": 29,
}

// ibanMatch reports whether v is an IBAN (spaces allowed between groups).
func ibanMatch(v string) match {
	s := strings.ToUpper(strings.ReplaceAll(v, " ", ""))
	if !ibanRe.MatchString(s) {
		return noMatch
	}
	if n, ok := ibanLengths[s[:2]]; ok && n != len(s) {
		return noMatch
	}
	if ibanMod97(s[4:]+s[:4]) != 1 {
		return noMatch
	}
	return strongMatch
}

// ibanMod97 computes ISO 7064 mod 97-10 of an upper case alphanumeric
// string, letters counting as 10 to 35.
func ibanMod97(s string) int {
	r := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 'A' && c <= 'Z' {
			r = (r*100 + int(c-'A') + 10) % 97
		} else {
			r = (r*10 + int(c-'0')) % 97
		}
	}
	return r
}

// ipMatch reports whether v is an IPv4 or IPv6 address (a host address, or
// an address with a prefix length as PostgreSQL's inet prints it).
func ipMatch(v string) (v4, v6 match) {
	if !strings.ContainsAny(v, ".:") || len(v) > 64 {
		return noMatch, noMatch
	}
	a, err := netip.ParseAddr(v)
	if err != nil {
		p, perr := netip.ParsePrefix(v)
		if perr != nil {
			return noMatch, noMatch
		}
		a = p.Addr()
	}
	if a.Is4() {
		return strongMatch, noMatch
	}
	return noMatch, strongMatch
}

// groupedDigits returns v's digits when v holds only digits and single
// space or dash separators.
func groupedDigits(v string) (string, bool) {
	if v == "" || !isDigit(v[0]) || !isDigit(v[len(v)-1]) {
		return "", false
	}
	var b strings.Builder
	prevSep := false
	for i := 0; i < len(v); i++ {
		switch c := v[i]; {
		case isDigit(c):
			b.WriteByte(c)
			prevSep = false
		case (c == ' ' || c == '-') && !prevSep:
			prevSep = true
		default:
			return "", false
		}
	}
	return b.String(), true
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func allDigits(v string) bool {
	if v == "" {
		return false
	}
	for i := 0; i < len(v); i++ {
		if !isDigit(v[i]) {
			return false
		}
	}
	return true
}

func countDigits(v string) int {
	n := 0
	for i := 0; i < len(v); i++ {
		if isDigit(v[i]) {
			n++
		}
	}
	return n
}
