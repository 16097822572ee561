package piiscan

import (
	"fmt"
	"testing"

	"github.com/neosyncio/neosync/backend/pkg/transformers"
)

func strs(vs ...string) []*string {
	out := make([]*string, len(vs))
	for i := range vs {
		out[i] = &vs[i]
	}
	return out
}

func repeat(n int, f func(i int) string) []*string {
	out := make([]*string, n)
	for i := range out {
		s := f(i)
		out[i] = &s
	}
	return out
}

func TestScanColumn(t *testing.T) {
	t.Parallel()
	tests := []struct {
		col    Column
		values []*string
		want   Kind // "" means no finding
	}{
		{Column{"contact", "text"}, strs("a@example.com", "b.c@example.org", "d@mail.example.net"), KindEmail},
		{Column{"email", "varchar"}, nil, KindEmail}, // empty table: the name alone
		{Column{"phone", "text"}, strs("4155550123", "4155550124", "+14155550125"), KindPhone},
		{Column{"msisdn", "bigint"}, strs("14155550123", "14155550124"), KindPhone},
		{Column{"x", "text"}, strs("4155550123", "4155550124"), ""}, // bare digits need a name
		{Column{"pan", "text"}, strs("4111111111111111", "5500005555555559", "378282246310005"), KindCardNumber},
		{Column{"ref", "bigint"}, strs("4111111111111111", "5500005555555559", "6011111111111117"), KindCardNumber},
		{Column{"order_no", "bigint"}, repeat(50, func(i int) string { return fmt.Sprintf("4%015d", 7919*i+1) }), ""},
		{Column{"ssn", "character(9)"}, strs("123456789", "234567890"), KindSSN},
		{Column{"tax", "text"}, strs("123-45-6789", "234-56-7890"), KindSSN},
		{Column{"zip4", "text"}, strs("941030001", "100010002"), ""},
		{Column{"account", "text"}, strs("DE89370400440532013000", "GB82 WEST 1234 5698 7654 32"), KindIBAN},
		{Column{"sku", "text"}, strs("AB12CDEF3456789", "XY99ZZZZ0000001"), ""},
		{Column{"addr", "inet"}, strs("10.1.2.3", "192.168.0.1/32"), KindIPv4},
		{Column{"last_seen_from", "text"}, strs("2001:db8::1", "fe80::2"), KindIPv6},
		{Column{"version", "text"}, strs("1.2.3", "2.0.1"), ""},
		{Column{"first_name", "text"}, strs("Mary", "John", "Xylophone"), KindFirstName},
		{Column{"given", "text"}, strs("Mary", "John", "Linda", "James", "Robert", "Patricia"), KindFirstName},
		{Column{"surname", "text"}, strs("Smith", "Johnson", "Nguyen"), KindLastName},
		{Column{"name", "text"}, strs("Mary Smith", "John Johnson", "Ada Lovelace"), KindFullName},
		{Column{"product_name", "text"}, strs("Blue Widget", "Steel Bolt M6", "Garden Hose"), ""},
		{Column{"date_of_birth", "date"}, strs("1980-01-02", "1975-12-31"), KindDateOfBirth},
		{Column{"dob", "text"}, strs("1980-01-02", "1975-12-31"), KindDateOfBirth},
		{Column{"created_at", "timestamp with time zone"}, strs("2024-01-02 10:00:00+00"), ""},
		{Column{"notes", "text"}, strs("Customer called from +14155550123 about the order", "Prefers delivery after noon please", "Left at the front door as asked"), KindFreeText},
		{Column{"description", "text"}, strs("Pack of 12 bolts, 4111 series steel", "Ships in 3-5 business days", "Version 1.2.3 of the manual"), ""},
		{Column{"payload", "jsonb"}, strs(`{"ip": "10.2.3.4"}`, `{"a": 1}`), KindFreeText},
		{Column{"active", "boolean"}, strs("t", "f"), ""},
		{Column{"id", "uuid"}, strs("8c8b4a6e-3c1e-4b55-9d7c-2d4b5f7a9e01"), ""},
	}
	for _, tc := range tests {
		t.Run(tc.col.Name, func(t *testing.T) {
			t.Parallel()
			f, ok := ScanColumn(tc.col, tc.values)
			if got := f.Kind; !ok && tc.want != "" || ok && got != tc.want {
				t.Fatalf("ScanColumn(%+v) = %v (found %v, evidence %+v), want %q", tc.col, got, ok, f.Evidence, tc.want)
			}
			if ok && (f.Evidence.Sampled != len(tc.values) || f.Evidence.NameMatch != hinted(nameWords(tc.col.Name), f.Kind)) {
				t.Errorf("evidence %+v does not describe the sample", f.Evidence)
			}
		})
	}
}

func TestScanColumnEvidence(t *testing.T) {
	t.Parallel()
	vals := append(strs("a@example.com", "b@example.com", "c@example.com", "d@example.com", "not an email"), nil)
	f, ok := ScanColumn(Column{"email", "text"}, vals)
	if !ok {
		t.Fatal("no finding")
	}
	want := Evidence{Sampled: 6, NonNull: 5, Matched: 4, NameMatch: true}
	if f.Evidence.Sampled != want.Sampled || f.Evidence.NonNull != want.NonNull || f.Evidence.Matched != want.Matched || !f.Evidence.NameMatch {
		t.Errorf("evidence %+v, want %+v", f.Evidence, want)
	}
	if f.Confidence != 0.91 {
		t.Errorf("confidence %v, want 0.91 (0.5 + 0.45*0.8 + 0.05)", f.Confidence)
	}
	notes, _ := ScanColumn(Column{"notes", "text"}, strs("mail me at a@example.com or 415-555-0123 soon", "ssn is 123-45-6789 on file"))
	if notes.Evidence.TextKinds[KindEmail] != 1 || notes.Evidence.TextKinds[KindPhone] != 1 || notes.Evidence.TextKinds[KindSSN] != 1 {
		t.Errorf("text kinds %v, want one email, one phone, one SSN", notes.Evidence.TextKinds)
	}
}

// TestSuggestionsBuild checks that every suggestion names a system
// transformer and a configuration it accepts.
func TestSuggestionsBuild(t *testing.T) {
	t.Parallel()
	reg := transformers.NewRegistry()
	for _, k := range append(StructuredKinds, KindFirstName, KindLastName, KindFullName, KindDateOfBirth, KindFreeText) {
		for _, c := range []typeClass{classText, classNumeric, classInet, classDate, classJSON} {
			s := suggest(k, c)
			if _, err := reg.Build(s.Source, s.Config, transformers.Options{}); err != nil {
				t.Errorf("suggestion for %s (class %d) %s %v: %v", k, c, s.Source, s.Config, err)
			}
		}
	}
}
