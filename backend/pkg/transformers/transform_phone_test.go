package transformers

import (
	"regexp"
	"strconv"
	"testing"
	"unicode/utf8"
)

func TestTransformE164(t *testing.T) {
	t.Parallel()
	preserve := mustBuild(t, "transform_e164_phone_number", map[string]any{"preserve_length": true}, Options{Key: []byte("k"), Column: "p"})
	free := mustBuild(t, "transform_e164_phone_number", nil, Options{Key: []byte("k")})
	short := mustBuild(t, "transform_e164_phone_number", nil, Options{Key: []byte("k"), MaxLength: 8})
	for _, in := range []string{"+15551234567", "+442071838750", "+1 (555) 123-4567", "+7", "+123456789012345678"} {
		d := min(countDigits(in), 15)
		if s := asString(t, mustRun(t, preserve, in)); !e164RE(d, d).MatchString(s) {
			t.Fatalf("preserve %q -> %q", in, s)
		}
		if s := asString(t, mustRun(t, free, in)); !e164RE(9, 15).MatchString(s) {
			t.Fatalf("%q -> %q", in, s)
		}
		if s := asString(t, mustRun(t, short, in)); !e164RE(7, 7).MatchString(s) {
			t.Fatalf("max length 8: %q -> %q", in, s)
		}
	}
	for _, bad := range []any{"", "+", "phone", int64(5)} {
		_, err := preserve.Transform(bad, nil)
		wantValueError(t, err, "transform_e164_phone_number", "p")
	}
}

func TestTransformInt64Phone(t *testing.T) {
	t.Parallel()
	preserve := mustBuild(t, "transform_int64_phone_number", map[string]any{"preserve_length": true}, Options{Key: []byte("k"), Column: "p"})
	free := mustBuild(t, "transform_int64_phone_number", nil, Options{Key: []byte("k")})
	for _, in := range []any{int64(5551234567), int64(7), int64(0), int64(-123), int64(9223372036854775807), int64(-9223372036854775808), "12345", 4155550100.0} {
		want := len(strconv.FormatInt(func() int64 { i, _ := toInt64(in); return i }(), 10))
		if i, _ := toInt64(in); i < 0 {
			want--
		}
		if v := asInt64(t, mustRun(t, preserve, in)); v <= 0 || len(strconv.FormatInt(v, 10)) != want {
			t.Fatalf("preserve %v -> %d, want %d digits", in, v, want)
		}
		if v := asInt64(t, mustRun(t, free, in)); v < 1_000_000_000 || v > 9_999_999_999 {
			t.Fatalf("%v -> %d", in, v)
		}
	}
	_, err := preserve.Transform("555-1234", nil)
	wantValueError(t, err, "transform_int64_phone_number", "p")
}

// nonDigits returns s without its ASCII digits.
func nonDigits(s string) string { return digitRE.ReplaceAllString(s, "") }

var digitRE = regexp.MustCompile(`[0-9]`)

func TestTransformStringPhone(t *testing.T) {
	t.Parallel()
	preserve := mustBuild(t, "transform_string_phone_number", map[string]any{"preserve_length": true}, Options{Key: []byte("k"), Column: "p"})
	free := mustBuild(t, "transform_string_phone_number", map[string]any{"min": 5, "max": 12}, Options{Key: []byte("k")})
	short := mustBuild(t, "transform_string_phone_number", map[string]any{"preserve_length": true}, Options{Key: []byte("k"), MaxLength: 9})
	inputs := []string{"(555) 123-4567", "555.123.4567", "+1 555 123 4567 ext. 89", "0123", "tél: 01 23 45 67 89", "5"}
	for _, in := range inputs {
		out := asString(t, mustRun(t, preserve, in))
		if utf8.RuneCountInString(out) != utf8.RuneCountInString(in) || nonDigits(out) != nonDigits(in) || countDigits(out) != countDigits(in) {
			t.Fatalf("preserve %q -> %q", in, out)
		}
		if c := firstDigit(out); c == '0' {
			t.Fatalf("%q starts with 0", out)
		}
		for i := range utf8.RuneCountInString(in) { // formatting stays in place
			if a, b := []rune(in)[i], []rune(out)[i]; (a >= '0' && a <= '9') != (b >= '0' && b <= '9') || a != b && (a < '0' || a > '9') {
				t.Fatalf("%q -> %q moves formatting", in, out)
			}
		}
		f := asString(t, mustRun(t, free, in))
		if n := countDigits(f); n < 5 || n > 12 || firstDigit(f) == '0' {
			t.Fatalf("%q -> %q has %d digits", in, f, n)
		}
		if s := asString(t, mustRun(t, short, in)); utf8.RuneCountInString(s) > 9 || countDigits(s) == 0 {
			t.Fatalf("max length 9: %q -> %q", in, s)
		}
	}
	if got := string(appendPhoneLike(nil, newTestRand(1), "(555) 123-4567", 5)); nonDigits(got) != "() " || len(got) != 8 {
		t.Fatalf("cut: %q", got)
	}
	if got := string(appendPhoneLike(nil, newTestRand(1), "(555) 123-4567 x", 12)); nonDigits(got) != "() - x" || len(got) != 18 {
		t.Fatalf("extended: %q", got)
	}
	for _, bad := range []any{"", "no digits", 5551234567} {
		_, err := preserve.Transform(bad, nil)
		wantValueError(t, err, "transform_string_phone_number", "p")
	}
}

func firstDigit(s string) byte {
	for i := 0; i < len(s); i++ {
		if s[i] >= '0' && s[i] <= '9' {
			return s[i]
		}
	}
	return 0
}
