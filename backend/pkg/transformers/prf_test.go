package transformers

import (
	"encoding/hex"
	"fmt"
	"reflect"
	"strings"
	"testing"
)

// TestCMACRFC4493 checks AES-CMAC against the examples of RFC 4493 §4
// (AES-128; the empty message is not representable: every seed input
// starts with a type tag).
func TestCMACRFC4493(t *testing.T) {
	t.Parallel()
	key, _ := hex.DecodeString("2b7e151628aed2a6abf7158809cf4f3c")
	c, err := newCMAC(key)
	if err != nil {
		t.Fatal(err)
	}
	if got := hex.EncodeToString(c.k1[:]) + " " + hex.EncodeToString(c.k2[:]); got != "fbeed618357133667c85e08f7236a8de f7ddac306ae266ccf90bc11ee46d513b" {
		t.Fatalf("sub-keys K1 K2 = %s", got)
	}
	for _, tc := range []struct{ msg, tag string }{
		{"6bc1bee22e409f96e93d7e117393172a", "070a16b46b4d4144f79bdd9dd04a287c"},
		{"6bc1bee22e409f96e93d7e117393172aae2d8a571e03ac9c9eb76fac45af8e5130c81c46a35ce411", "dfa66747de9ae63030ca32611497c827"},
		{"6bc1bee22e409f96e93d7e117393172aae2d8a571e03ac9c9eb76fac45af8e5130c81c46a35ce411e5fbc1191a0a52eff69f2445df4f9b17ad2b417be66c3710", "51f0bebf7e3b9d92fc49741779363cfe"},
	} {
		m, _ := hex.DecodeString(tc.msg)
		var out [16]byte
		cmacSum(c, &out, m[0], m[1:])
		if got := hex.EncodeToString(out[:]); got != tc.tag {
			t.Errorf("CMAC of %d bytes = %s, want %s", len(m), got, tc.tag)
		}
		cmacSum(c, &out, m[0], string(m[1:]))
		if got := hex.EncodeToString(out[:]); got != tc.tag {
			t.Errorf("CMAC of %d bytes (string) = %s, want %s", len(m), got, tc.tag)
		}
	}
}

// kaKey is the job key of the PRFv2 known-answer vectors.
var kaKey = []byte("neosync-kat-key")

// TestPRFv2Seeds freezes the PRFv2 seeds: AES-CMAC of the canonical input
// under the HKDF-SHA-256 sub-key of the transformer's source. The expected
// tags were computed apart from this code, with the Python cryptography
// package (HKDF, CMAC), so they check the construction, not only its
// stability.
func TestPRFv2Seeds(t *testing.T) {
	t.Parallel()
	reg := NewRegistry()
	for _, tc := range []struct {
		source string
		input  any
		seed   string
	}{
		{"transform_email", "alice@example.com", "c2848da0ab576b6f811e6fea2e242f83"},
		{"transform_first_name", "Alice", "a2eb1814dcce34b47f43a1e4dde31325"},
		{"transform_int64", int64(42), "c3f4cdf77b332823fab1b62d02a18742"},
		{"transform_email", "", "2254595aaede339fe0d39d3624d3cd4b"},                      // one partial block
		{"transform_email", "xxxxxxxxxxxxxxx", "a4f709df10c758ea1b7178bc3143e0d8"},       // one full block
		{"transform_email", strings.Repeat("y", 40), "73fde2e7df612914eb044c9cdf687738"}, // three blocks
	} {
		in, err := reg.Build(tc.source, nil, Options{Key: kaKey, PRF: PRFv2})
		if err != nil {
			t.Fatal(err)
		}
		in.reseed(tc.input)
		if got := hex.EncodeToString(in.seed[:]); got != tc.seed {
			t.Errorf("%s(%v): seed %s, want %s", tc.source, tc.input, got, tc.seed)
		}
	}
	if got := hex.EncodeToString(remapKeyOf(kaKey, PRFv2)); got != "eab5ccd49afc6f63edaf7734a221d84511aeafd3f398fae8c92f83c64191c258" {
		t.Errorf("remap sub-key %s", got)
	}
	if got := hex.EncodeToString(hashKey(kaKey)); got != "e2be0fdbd67579a8127ac337a11c40fa06b1b698ee5709f7722be2fd7f53d476" {
		t.Errorf("transform_hash sub-key %s", got)
	}
}

// TestPRFv2Outputs freezes a few transformer outputs under PRFv2 (the
// golden file pins every transformer's, mode "key-v2").
func TestPRFv2Outputs(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		source string
		params map[string]any
		input  any
		want   any
	}{
		{"transform_email", nil, "alice@example.com", kaOut["email"]},
		{"transform_first_name", nil, "Alice", kaOut["first"]},
		{"transform_int64", map[string]any{"randomization_range_min": -1000, "randomization_range_max": 1000}, int64(42), kaOut["int"]},
		{"transform_identity_scramble", map[string]any{"min": 1, "max": 1000000}, int64(42), kaOut["remap"]},
	} {
		in := mustBuild(t, tc.source, tc.params, Options{Key: kaKey, PRF: PRFv2})
		if got := mustRun(t, in, tc.input); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s(%v) = %#v, want %#v", tc.source, tc.input, got, tc.want)
		}
	}
}

// kaOut are the frozen PRFv2 outputs of TestPRFv2Outputs.
var kaOut = map[string]any{
	"email": "k.jenkins058462@stantongroup.com",
	"first": "Nadia",
	"int":   int64(912),
	"remap": int64(744154),
}

// TestPRFVersions checks that the zero version is PRFv1 (the golden
// file's "key" mode), that PRFv2 changes consistent outputs and remap
// keys but keeps them a function of (key, input), and that an unknown
// version is refused.
func TestPRFVersions(t *testing.T) {
	t.Parallel()
	key := []byte("job-key")
	v1 := mustBuild(t, "transform_email", nil, Options{Key: key, PRF: PRFv1})
	zero := mustBuild(t, "transform_email", nil, Options{Key: key})
	v2 := mustBuild(t, "transform_email", nil, Options{Key: key, PRF: PRFv2})
	v2b := mustBuild(t, "transform_email", nil, Options{Key: key, PRF: PRFv2})
	same, differ := 0, 0
	for i := range 50 {
		x := fmt.Sprintf("user%d@example.com", i)
		a, b, c, d := mustRun(t, v1, x), mustRun(t, zero, x), mustRun(t, v2, x), mustRun(t, v2b, x)
		if a != b {
			t.Fatalf("PRFv1 %v and the zero version %v differ for %s", a, b, x)
		}
		if c != d {
			t.Fatalf("PRFv2 is not consistent for %s: %v, %v", x, c, d)
		}
		if a == c {
			same++
		} else {
			differ++
		}
	}
	if differ < 45 {
		t.Errorf("PRFv2 kept %d of 50 PRFv1 outputs", same)
	}
	if reflect.DeepEqual(remapKeyOf(key, PRFv1), remapKeyOf(key, PRFv2)) {
		t.Error("PRFv2 hands the remaps the PRFv1 key")
	}
	if _, err := NewRegistry().Build("transform_email", nil, Options{Key: key, PRF: 7}); err == nil {
		t.Error("PRF version 7 was accepted")
	}
}

// TestHashHMACVectors freezes transform_hash's HMAC mode: HMAC-SHA-256
// under the job key's transform_hash sub-key of the value's text. The
// digests were computed apart from this code (Python hmac, cryptography's
// HKDF). It also checks which mode each PRF version defaults to.
func TestHashHMACVectors(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		params map[string]any
		prf    PRFVersion
		input  any
		want   string
	}{
		{map[string]any{"mode": "hmac"}, PRFv1, "123-45-6789", "bdd4d7b2cff9eec004e07ebd9f2316d12d95bd43598ef24597b7a47c446c9ae0"},
		{nil, PRFv2, "123-45-6789", "bdd4d7b2cff9eec004e07ebd9f2316d12d95bd43598ef24597b7a47c446c9ae0"},
		{nil, PRFv2, int64(42), "69f326e3492bcb9516b22e2022ca6d2b75737cf1f462f86dbbe30a55c4a28084"},
		// The salted mode is SHA-256 of salt || text, the PRFv1 default.
		{nil, PRFv1, "123-45-6789", "01a54629efb952287e554eb23ef69c52097a75aecc0e3a93ca0855ab6d7a31a0"},
		{map[string]any{"mode": "salted"}, PRFv2, "123-45-6789", "01a54629efb952287e554eb23ef69c52097a75aecc0e3a93ca0855ab6d7a31a0"},
	} {
		in := mustBuild(t, "transform_hash", tc.params, Options{Key: kaKey, PRF: tc.prf})
		if got := mustRun(t, in, tc.input); got != tc.want {
			t.Errorf("transform_hash %v under %v of %v = %v, want %s", tc.params, tc.prf, tc.input, got, tc.want)
		}
	}
	other := mustBuild(t, "transform_hash", map[string]any{"mode": "hmac"}, Options{Key: []byte("another job"), PRF: PRFv2})
	if mustRun(t, other, "123-45-6789") == "bdd4d7b2cff9eec004e07ebd9f2316d12d95bd43598ef24597b7a47c446c9ae0" {
		t.Error("the HMAC digest does not depend on the job key")
	}
}
