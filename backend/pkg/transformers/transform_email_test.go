package transformers

import (
	"fmt"
	"strings"
	"testing"
)

func TestTransformEmail(t *testing.T) {
	t.Parallel()
	inputs := []string{
		"john.smith@example.com", "a@b.co", "Very.Long-Name_With+tags@mail.sub.example.org",
		"x@" + strings.Repeat("d", 63) + "." + strings.Repeat("e", 63) + ".com", "o'brien@dublin.ie",
	}
	domainOf := func(s string) string { return s[strings.LastIndexByte(s, '@')+1:] }
	for _, tc := range []struct {
		name   string
		params map[string]any
		maxLen int
		check  func(t *testing.T, in, out string)
	}{
		{"default", nil, 0, func(t *testing.T, in, out string) {
			if out == in {
				t.Fatal("unchanged")
			}
		}},
		{"preserve domain", map[string]any{"preserve_domain": true}, 0, func(t *testing.T, in, out string) {
			if domainOf(out) != domainOf(in) {
				t.Fatalf("domain of %q changed", out)
			}
		}},
		{"preserve length", map[string]any{"preserve_length": true}, 0, func(t *testing.T, in, out string) {
			if len(out) != len(in) || strings.IndexByte(out, '@') != strings.IndexByte(in, '@') {
				t.Fatalf("%q does not have the shape of %q", out, in)
			}
		}},
		{"preserve both", map[string]any{"preserve_length": true, "preserve_domain": true}, 0, func(t *testing.T, in, out string) {
			if len(out) != len(in) || domainOf(out) != domainOf(in) {
				t.Fatalf("%q does not keep %q's length and domain", out, in)
			}
		}},
		{"max length", nil, 12, func(t *testing.T, in, out string) {
			if len(out) > 12 {
				t.Fatalf("%q longer than 12", out)
			}
		}},
		{"preserve length, max length", map[string]any{"preserve_length": true}, 14, func(t *testing.T, in, out string) {
			if len(out) > 14 || len(in) <= 14 && len(out) != len(in) {
				t.Fatalf("%q for %q", out, in)
			}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			inst := mustBuild(t, "transform_email", tc.params, Options{Key: []byte("k"), MaxLength: tc.maxLen})
			for _, in := range inputs {
				for i := range 50 {
					in := in
					if i > 0 { // vary the input so the seed varies
						in = fmt.Sprintf("%d%s", i, in)
					}
					out := asString(t, mustRun(t, inst, in))
					checkEmail(t, out)
					tc.check(t, in, out)
				}
			}
		})
	}
}

func TestTransformEmailExcludedAndInvalid(t *testing.T) {
	t.Parallel()
	ex := mustBuild(t, "transform_email", map[string]any{"excluded_domains": []any{"Keep.ME"}}, Options{Seed: 1})
	if v := mustRun(t, ex, "Boss@keep.me"); v != "Boss@keep.me" {
		t.Fatalf("excluded domain changed: %v", v)
	}
	if v := mustRun(t, ex, "boss@other.me"); v == "boss@other.me" {
		t.Fatal("other domain kept")
	}
	invalid := []any{"", "plain", "@x.com", "a@", "a@b", "a@@b.com", "a..b@c.com", ".a@c.com", "a@-c.com", "a@c..com", "a b@c.com", "ü@c.com", int64(5), []byte("a@b.com")}
	for _, tc := range []struct {
		action string
		check  func(t *testing.T, in, out any, err error)
	}{
		{"reject", func(t *testing.T, in, out any, err error) { wantValueError(t, err, "transform_email", "email") }},
		{"null", func(t *testing.T, in, out any, err error) {
			if err != nil || out != nil {
				t.Fatalf("%v, %v", out, err)
			}
		}},
		{"passthrough", func(t *testing.T, in, out any, err error) {
			if err != nil || fmt.Sprint(out) != fmt.Sprint(in) {
				t.Fatalf("%v, %v", out, err)
			}
		}},
		{"generate", func(t *testing.T, in, out any, err error) {
			if err != nil {
				t.Fatal(err)
			}
			checkEmail(t, asString(t, out))
		}},
	} {
		inst := mustBuild(t, "transform_email", map[string]any{"invalid_email_action": tc.action}, Options{Key: []byte("k"), Column: "email"})
		for _, in := range invalid {
			out, err := inst.Transform(in, nil)
			tc.check(t, in, out, err)
		}
	}
}

func TestTransformEmailTooShort(t *testing.T) {
	t.Parallel()
	long := mustBuild(t, "transform_email", map[string]any{"preserve_domain": true}, Options{Seed: 1, MaxLength: 10, Column: "e"})
	_, err := long.Transform("someone@example.com", nil)
	wantValueError(t, err, "transform_email", "e")
	if v := mustRun(t, long, "someone@ex.com"); len(v.(string)) > 10 || !strings.HasSuffix(v.(string), "@ex.com") {
		t.Fatalf("%v", v)
	}
	tiny := mustBuild(t, "transform_email", nil, Options{Seed: 1, MaxLength: 5, Column: "e"})
	_, err = tiny.Transform("someone@example.com", nil)
	wantValueError(t, err, "transform_email", "e")
}

func TestSplitEmail(t *testing.T) {
	t.Parallel()
	for s, want := range map[string]bool{
		"a@b.c": true, "first.last+tag@sub.example.co.uk": true, "#!$%&'*+-/=?^_`{|}~@x-y.z9": true,
		"a@b": false, "a.@b.c": false, "a@b.c.": false, "a@b-.c": false, "a@.b.c": false,
		strings.Repeat("a", 65) + "@b.c": false, "a@" + strings.Repeat("b", 64) + ".c": false,
		"\"q\"@b.c": false, "a(b)@c.d": false,
	} {
		if _, _, ok := splitEmail(s); ok != want {
			t.Errorf("splitEmail(%q) = %v", s, ok)
		}
		if want {
			checkEmail(t, s)
		}
	}
}
