package transformers

import "strings"

// splitEmail splits a plain address "local@domain" and reports whether it
// is well formed: a dot-atom local part of RFC 5322 atext (at most 64
// bytes) and a domain of two or more labels of letters, digits and inner
// hyphens (at most 63 bytes each, 253 in all). Quoted local parts, comments
// and non-ASCII addresses are not accepted.
func splitEmail(s string) (local, domain string, ok bool) {
	at := strings.IndexByte(s, '@')
	if at < 1 || at > 64 || len(s)-at-1 > 253 {
		return "", "", false
	}
	local, domain = s[:at], s[at+1:]
	return local, domain, validLocal(local) && validDomain(domain)
}

// atext marks the ASCII characters allowed in a dot-atom besides dots.
var atext = func() (t [256]bool) {
	for c := 'a'; c <= 'z'; c++ {
		t[c], t[c-'a'+'A'] = true, true
	}
	for c := '0'; c <= '9'; c++ {
		t[c] = true
	}
	for _, c := range "!#$%&'*+-/=?^_`{|}~" {
		t[c] = true
	}
	return t
}()

func validLocal(s string) bool {
	if s == "" || s[0] == '.' || s[len(s)-1] == '.' {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] == '.' {
			if s[i-1] == '.' {
				return false
			}
		} else if !atext[s[i]] {
			return false
		}
	}
	return true
}

func validDomain(s string) bool {
	labels := 0
	for s != "" {
		l := s
		if i := strings.IndexByte(s, '.'); i >= 0 {
			l, s = s[:i], s[i+1:]
			if s == "" {
				return false // trailing dot
			}
		} else {
			s = ""
		}
		if !validLabel(l) {
			return false
		}
		labels++
	}
	return labels >= 2
}

func validLabel(l string) bool {
	if l == "" || len(l) > 63 || l[0] == '-' || l[len(l)-1] == '-' {
		return false
	}
	for i := 0; i < len(l); i++ {
		c := l[i]
		if (c < 'a' || c > 'z') && (c < 'A' || c > 'Z') && (c < '0' || c > '9') && c != '-' {
			return false
		}
	}
	return true
}
