package secretbox

import (
	"bytes"
	"crypto/rand"
	"errors"
	"testing"
)

func newBox(t *testing.T) *Box {
	t.Helper()
	key := make([]byte, 32)
	if _, err := rand.Read(key); err != nil {
		t.Fatal(err)
	}
	b, err := New(key)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestSealOpen(t *testing.T) {
	t.Parallel()
	b := newBox(t)
	ct, err := b.Seal([]byte("hunter2"), []byte("acct/conn"))
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(ct, []byte("hunter2")) {
		t.Fatal("ciphertext contains the plaintext")
	}
	pt, err := b.Open(ct, []byte("acct/conn"))
	if err != nil || string(pt) != "hunter2" {
		t.Fatalf("Open = %q, %v", pt, err)
	}
	tests := map[string]struct {
		ct      []byte
		binding string
	}{
		"other binding": {ct, "acct/other"},
		"truncated":     {ct[:10], "acct/conn"},
		"flipped":       {append(append([]byte{}, ct[:len(ct)-1]...), ct[len(ct)-1]^1), "acct/conn"},
		"bad version":   {append([]byte{9}, ct[1:]...), "acct/conn"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			if _, err := b.Open(tc.ct, []byte(tc.binding)); !errors.Is(err, ErrDecrypt) {
				t.Fatalf("want ErrDecrypt, got %v", err)
			}
		})
	}
	if _, err := newBox(t).Open(ct, []byte("acct/conn")); !errors.Is(err, ErrDecrypt) {
		t.Fatalf("other key: want ErrDecrypt, got %v", err)
	}
}

func TestParseKey(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		in string
		ok bool
	}{
		{"000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f", true},
		{"AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=", true},
		{"short", false},
		{"", false},
	} {
		_, err := ParseKey(tc.in)
		if (err == nil) != tc.ok {
			t.Errorf("ParseKey(%q) err=%v, want ok=%v", tc.in, err, tc.ok)
		}
	}
}
