package piiscan

import "testing"

func TestDetectors(t *testing.T) {
	t.Parallel()
	type v4v6 struct{ v4, v6 match }
	tests := []struct {
		name string
		fn   func(string) match
		in   string
		want match
	}{
		{"email", emailMatch, "jane.doe+news@example.co.uk", strongMatch},
		{"email no tld", emailMatch, "jane@localhost", noMatch},
		{"email double dot", emailMatch, "jane..doe@example.com", noMatch},
		{"email prose", emailMatch, "write to jane@example.com", noMatch},
		{"e164", phoneMatch, "+14155550123", strongMatch},
		{"nanp parens", phoneMatch, "(415) 555-0123", strongMatch},
		{"nanp dashes", phoneMatch, "415-555-0123", strongMatch},
		{"nanp dots", phoneMatch, "415.555.0123", strongMatch},
		{"uk national", phoneMatch, "020 7946 0958", strongMatch},
		{"intl spaced", phoneMatch, "+44 20 7946 0958", strongMatch},
		{"bare ten digits", phoneMatch, "4155550123", weakMatch},
		{"short", phoneMatch, "555-0123", noMatch},
		{"order number", phoneMatch, "ORD-2024-000123", noMatch},
		{"visa", cardMatch, "4111111111111111", strongMatch},
		{"visa grouped", cardMatch, "4111 1111 1111 1111", strongMatch},
		{"amex dashed", cardMatch, "3782-822463-10005", strongMatch},
		{"bad luhn", cardMatch, "4111111111111112", noMatch},
		{"all same digit", cardMatch, "5555555555555555", noMatch},
		{"bad prefix", cardMatch, "1234567812345670", noMatch},
		{"double separator", cardMatch, "4111  1111 1111 1111", noMatch},
		{"ssn", ssnMatch, "123-45-6789", strongMatch},
		{"ssn bare", ssnMatch, "123456789", weakMatch},
		{"ssn area 000", ssnMatch, "000-12-3456", noMatch},
		{"ssn area 666", ssnMatch, "666-12-3456", noMatch},
		{"ssn area 9xx", ssnMatch, "912-12-3456", noMatch},
		{"ssn group 00", ssnMatch, "123-00-4567", noMatch},
		{"ssn serial 0000", ssnMatch, "123-45-0000", noMatch},
		{"iban de", ibanMatch, "DE89370400440532013000", strongMatch},
		{"iban gb spaced", ibanMatch, "GB82 WEST 1234 5698 7654 32", strongMatch},
		{"iban bad check", ibanMatch, "DE89370400440532013001", noMatch},
		{"iban bad length", ibanMatch, "DE8937040044053201300", noMatch},
		{"product code", ibanMatch, "AB12CDEF3456789", noMatch},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if got := tc.fn(tc.in); got != tc.want {
				t.Errorf("%q: got %d, want %d", tc.in, got, tc.want)
			}
		})
	}
	ips := map[string]v4v6{
		"192.168.1.20":  {strongMatch, noMatch},
		"10.0.0.0/8":    {strongMatch, noMatch},
		"2001:db8::1":   {noMatch, strongMatch},
		"fe80::1%eth0":  {noMatch, strongMatch},
		"1.2.3":         {noMatch, noMatch},
		"256.1.1.1":     {noMatch, noMatch},
		"v1.2.3.4":      {noMatch, noMatch},
		"12:30":         {noMatch, noMatch},
		"not an ip:::x": {noMatch, noMatch},
	}
	for in, want := range ips {
		v4, v6 := ipMatch(in)
		if (v4v6{v4, v6}) != want {
			t.Errorf("ipMatch(%q) = %d,%d, want %v", in, v4, v6, want)
		}
	}
}

func TestNameWords(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"firstName":      "first name",
		"EMAIL_ADDRESS":  "email address",
		"date of birth":  "date of birth",
		"customer-phone": "customer phone",
		"ip4":            "ip4",
	} {
		got := ""
		for i, w := range nameWords(in) {
			if i > 0 {
				got += " "
			}
			got += w
		}
		if got != want {
			t.Errorf("nameWords(%q) = %q, want %q", in, got, want)
		}
	}
}
