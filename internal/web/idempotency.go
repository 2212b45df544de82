package web

import (
	"crypto/rand"
	"encoding/base64"
)

// newIdempotencyKey is the hidden key a ledger form carries from the
// moment it is rendered: submitting the same form twice (a double click, a
// resend after a timeout) posts once, because the store keeps the first
// transaction under this key. 128 random bits, so two forms never share one.
func newIdempotencyKey() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b) // crypto/rand.Read never fails (Go 1.24+)
	return "form:" + base64.RawURLEncoding.EncodeToString(b)
}
