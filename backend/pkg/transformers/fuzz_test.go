package transformers

import (
	"errors"
	"strings"
	"testing"
	"unicode/utf8"
)

func FuzzTransformEmail(f *testing.F) {
	for _, s := range []string{"john.smith@example.com", "a@b.co", "", "@", "a@b", "x@y..z", "\"q\"@x.com", "ü@x.com", "a@" + strings.Repeat("b", 300) + ".com"} {
		f.Add(s)
	}
	key := Options{Key: []byte("fuzz")}
	f.Fuzz(func(t *testing.T, in string) {
		if _, _, ok := splitEmail(in); ok {
			checkEmail(t, in) // what we accept, net/mail accepts
		}
		gen := mustBuild(t, "transform_email", map[string]any{"invalid_email_action": "generate"}, key)
		checkEmail(t, asString(t, mustRun(t, gen, in)))

		short := mustBuild(t, "transform_email", map[string]any{"invalid_email_action": "generate"}, Options{Key: key.Key, MaxLength: 10})
		if s := asString(t, mustRun(t, short, in)); len(s) > 10 {
			t.Fatalf("%q is longer than 10", s)
		} else {
			checkEmail(t, s)
		}

		for _, params := range []map[string]any{nil, {"preserve_length": true}, {"preserve_domain": true}, {"preserve_length": true, "preserve_domain": true}} {
			rej := mustBuild(t, "transform_email", params, Options{Key: key.Key, Column: "email"})
			out, err := rej.Transform(in, nil)
			var ve *ValueError
			if err != nil {
				if !errors.As(err, &ve) {
					t.Fatalf("%v: %v is not a *ValueError", params, err)
				}
				continue
			}
			s := asString(t, out)
			checkEmail(t, s)
			if params["preserve_length"] == true && len(s) != len(in) {
				t.Fatalf("%v: %q -> %q changes the length", params, in, s)
			}
			if params["preserve_domain"] == true && s[strings.IndexByte(s, '@'):] != in[strings.IndexByte(in, '@'):] {
				t.Fatalf("%v: %q -> %q changes the domain", params, in, s)
			}
		}
	})
}

func FuzzTransformStringPhone(f *testing.F) {
	for _, s := range []string{"(555) 123-4567", "+1 555 123 4567", "", "abc", "1", "١٢٣", "\xff5\xfe"} {
		f.Add(s, true, uint8(0))
		f.Add(s, false, uint8(9))
	}
	f.Fuzz(func(t *testing.T, in string, preserve bool, maxLen uint8) {
		inst := mustBuild(t, "transform_string_phone_number", map[string]any{"preserve_length": preserve, "min": 4, "max": 11},
			Options{Key: []byte("fuzz"), MaxLength: int(maxLen), Column: "p"})
		out, err := inst.Transform(in, nil)
		if err != nil {
			var ve *ValueError
			if !errors.As(err, &ve) || countDigits(in) != 0 {
				t.Fatalf("%q: %v", in, err)
			}
			return
		}
		s := asString(t, out)
		if countDigits(s) == 0 || firstDigit(s) == '0' {
			t.Fatalf("%q -> %q", in, s)
		}
		if maxLen > 0 {
			if utf8.RuneCountInString(s) > int(maxLen) {
				t.Fatalf("%q -> %q longer than %d", in, s, maxLen)
			}
			return
		}
		if preserve && (nonDigits(s) != nonDigits(in) || len(s) != len(in)) {
			t.Fatalf("preserve: %q -> %q", in, s)
		}
		if n := countDigits(s); !preserve && (n < 4 || n > 11) {
			t.Fatalf("%q -> %q has %d digits", in, s, n)
		}
	})
}
