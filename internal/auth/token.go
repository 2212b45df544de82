// Package auth holds Lintel's credentials: Argon2id password hashes, the
// password policy, and random tokens that are stored only as hashes.
package auth

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
)

// NewToken returns a fresh random token (256 bits, URL-safe) and the hash
// to store. The raw token goes to the person (cookie, e-mailed link) and is
// never stored or logged.
func NewToken() (raw, hash string) {
	b := make([]byte, 32)
	_, _ = rand.Read(b) // crypto/rand.Read never fails on supported platforms
	raw = base64.RawURLEncoding.EncodeToString(b)
	return raw, HashToken(raw)
}

// HashToken returns the stored form of a raw token: hex SHA-256. A fast
// hash is right here: the token has 256 bits of entropy, unlike a password.
func HashToken(raw string) string {
	sum := sha256.Sum256([]byte(raw))
	return hex.EncodeToString(sum[:])
}
