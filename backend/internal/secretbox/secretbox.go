// Package secretbox encrypts connection secrets at rest with AES-256-GCM.
//
// Each ciphertext is bound to the account and connection it belongs to via
// GCM's associated data, so a ciphertext copied onto another row (or another
// account) fails to decrypt instead of leaking a credential across tenants.
// The format is version byte || 12-byte nonce || sealed data, so the key or
// algorithm can be rotated later without ambiguity.
package secretbox

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
)

const version1 byte = 1

// ErrDecrypt means a ciphertext could not be opened: wrong key, wrong
// binding (account or connection) or corrupted data.
var ErrDecrypt = errors.New("secretbox: cannot decrypt (wrong key, binding or corrupted data)")

// Box seals and opens secrets with one 256-bit key.
type Box struct {
	aead cipher.AEAD
}

// ParseKey decodes a 32-byte key given as 64 hex characters or standard /
// URL-safe base64, the forms NEOSYNC_ENCRYPTION_KEY accepts.
func ParseKey(s string) ([]byte, error) {
	if b, err := hex.DecodeString(s); err == nil && len(b) == 32 {
		return b, nil
	}
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if b, err := enc.DecodeString(s); err == nil && len(b) == 32 {
			return b, nil
		}
	}
	return nil, fmt.Errorf("must be 32 bytes as 64 hex characters or base64 (generate one with: openssl rand -hex 32)")
}

// New returns a Box for a 32-byte key.
func New(key []byte) (*Box, error) {
	if len(key) != 32 {
		return nil, fmt.Errorf("secretbox: key must be 32 bytes, got %d", len(key))
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	return &Box{aead: aead}, nil
}

// Seal encrypts plaintext bound to binding (e.g. account id + connection id).
func (b *Box) Seal(plaintext, binding []byte) ([]byte, error) {
	nonce := make([]byte, b.aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return nil, err
	}
	out := make([]byte, 0, 1+len(nonce)+len(plaintext)+b.aead.Overhead())
	out = append(out, version1)
	out = append(out, nonce...)
	return b.aead.Seal(out, nonce, plaintext, binding), nil
}

// Open decrypts a ciphertext made by Seal with the same binding.
func (b *Box) Open(ciphertext, binding []byte) ([]byte, error) {
	ns := b.aead.NonceSize()
	if len(ciphertext) < 1+ns+b.aead.Overhead() || ciphertext[0] != version1 {
		return nil, ErrDecrypt
	}
	nonce := ciphertext[1 : 1+ns]
	pt, err := b.aead.Open(nil, nonce, ciphertext[1+ns:], binding)
	if err != nil {
		return nil, ErrDecrypt
	}
	return pt, nil
}
