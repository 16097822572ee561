package transformers

import (
	"crypto/md5"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/hex"
	"testing"
	"time"
	"unicode/utf8"
)

func TestTransformString(t *testing.T) {
	t.Parallel()
	preserve := mustBuild(t, "transform_string", map[string]any{"preserve_length": true}, Options{Key: []byte("k"), Column: "s"})
	free := mustBuild(t, "transform_string", map[string]any{"min": 3, "max": 6}, Options{Key: []byte("k")})
	short := mustBuild(t, "transform_string", map[string]any{"preserve_length": true}, Options{Key: []byte("k"), MaxLength: 4})
	for _, in := range []string{"", "a", "hello", "héllo wörld", "a longer sentence of text"} {
		if s := asString(t, mustRun(t, preserve, in)); utf8.RuneCountInString(s) != utf8.RuneCountInString(in) || !alnumRE.MatchString(s) {
			t.Fatalf("preserve %q -> %q", in, s)
		}
		if s := asString(t, mustRun(t, free, in)); len(s) < 3 || len(s) > 6 || !alnumRE.MatchString(s) {
			t.Fatalf("%q -> %q", in, s)
		}
		if s := asString(t, mustRun(t, short, in)); len(s) != min(4, utf8.RuneCountInString(in)) {
			t.Fatalf("max length 4: %q -> %q", in, s)
		}
	}
	_, err := preserve.Transform(12, nil)
	wantValueError(t, err, "transform_string", "s")
}

func TestTransformHash(t *testing.T) {
	t.Parallel()
	ts := time.Date(2024, 5, 6, 7, 8, 9, 10, time.FixedZone("X", 3600))
	for _, tc := range []struct {
		algorithm, salt string
		in              any
		text            string
		sum             func([]byte) []byte
	}{
		{"", "", "hello", "hello", func(b []byte) []byte { s := sha256.Sum256(b); return s[:] }},
		{"sha256", "pepper", "hello", "pepperhello", func(b []byte) []byte { s := sha256.Sum256(b); return s[:] }},
		{"sha512", "s", int64(-42), "s-42", func(b []byte) []byte { s := sha512.Sum512(b); return s[:] }},
		{"md5", "", 1.5, "1.5", func(b []byte) []byte { s := md5.Sum(b); return s[:] }},
		{"md5", "", true, "true", func(b []byte) []byte { s := md5.Sum(b); return s[:] }},
		{"md5", "", []byte{0, 1}, "\x00\x01", func(b []byte) []byte { s := md5.Sum(b); return s[:] }},
		{"md5", "", ts, "2024-05-06T06:08:09.00000001Z", func(b []byte) []byte { s := md5.Sum(b); return s[:] }},
		{"md5", "", 7, "7", func(b []byte) []byte { s := md5.Sum(b); return s[:] }},
		{"md5", "", uint16(7), "7", func(b []byte) []byte { s := md5.Sum(b); return s[:] }},
	} {
		params := map[string]any{"salt": tc.salt}
		if tc.algorithm != "" {
			params["algorithm"] = tc.algorithm
		}
		want := hex.EncodeToString(tc.sum([]byte(tc.text)))
		for _, o := range []Options{{Key: []byte("k1")}, {Key: []byte("k2")}, {Seed: 5}} {
			inst := mustBuild(t, "transform_hash", params, o)
			for range 2 {
				if got := mustRun(t, inst, tc.in); got != want {
					t.Fatalf("%s(%q + %v) = %v, want %s", tc.algorithm, tc.salt, tc.in, got, want)
				}
			}
		}
	}
}
