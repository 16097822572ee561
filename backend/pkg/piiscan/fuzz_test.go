package piiscan

import (
	"strings"
	"testing"
)

// FuzzScanColumn checks that the scanner never panics and never puts a
// sampled value into a finding.
func FuzzScanColumn(f *testing.F) {
	for _, s := range []string{"jane@example.com", "+14155550123", "4111 1111 1111 1111", "123-45-6789",
		"GB82 WEST 1234 5698 7654 32", "10.0.0.1", "::1", "Mary Smith", "call (415) 555-0123 today", "{\"ip\":\"1.2.3.4\"}"} {
		f.Add("col", "text", s)
	}
	f.Fuzz(func(t *testing.T, name, typ, value string) {
		fd, ok := ScanColumn(Column{Name: name, DataType: typ}, []*string{&value, nil, &value})
		if !ok {
			return
		}
		if fd.Confidence <= 0 || fd.Confidence >= 1 {
			t.Fatalf("confidence %v out of (0, 1)", fd.Confidence)
		}
		if fd.Evidence.Matched > fd.Evidence.NonNull || fd.Evidence.NonNull > fd.Evidence.Sampled {
			t.Fatalf("evidence counts inconsistent: %+v", fd.Evidence)
		}
		// Every string in a finding comes from a fixed set, so no sampled
		// value can reach it.
		if want := suggest(fd.Kind, classify(typ)); fd.Suggestion.Source != want.Source || !knownKind(fd.Kind) {
			t.Fatalf("finding %+v is not built from the fixed kinds and suggestions", fd)
		}
	})
}

func knownKind(k Kind) bool {
	switch k {
	case KindFirstName, KindLastName, KindFullName, KindDateOfBirth, KindFreeText:
		return true
	}
	return k.IsStructured()
}

// FuzzDetectors checks the pure detectors against their invariants.
func FuzzDetectors(f *testing.F) {
	for _, s := range []string{"4111111111111111", "DE89370400440532013000", "123-45-6789", "", "-", "0"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, v string) {
		if cardMatch(v) == strongMatch {
			d, _ := groupedDigits(v)
			if !luhnValid(d) || len(d) < 13 || len(d) > 19 {
				t.Fatalf("card %q accepted without a valid Luhn digit", v)
			}
		}
		if ibanMatch(v) == strongMatch {
			s := strings.ToUpper(strings.ReplaceAll(v, " ", ""))
			if ibanMod97(s[4:]+s[:4]) != 1 {
				t.Fatalf("IBAN %q accepted with a bad check", v)
			}
		}
		if ssnMatch(v) != noMatch && (strings.HasPrefix(v, "000") || strings.HasPrefix(v, "666") || strings.HasPrefix(v, "9")) {
			t.Fatalf("SSN %q outside the issued ranges accepted", v)
		}
		_, _ = ipMatch(v)
		_ = phoneMatch(v)
		_ = emailMatch(v)
		_ = textKinds(v)
		_ = nameWords(v)
	})
}
