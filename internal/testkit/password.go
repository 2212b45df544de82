package testkit

import (
	"crypto/rand"
	"encoding/base64"
	"fmt"

	"golang.org/x/crypto/argon2"
)

// HashPassword returns an Argon2id PHC string for password at the lowest
// cost Argon2 allows (256 KiB, one pass). Fixture logins use it: the
// product reads the parameters from the stored string, so signing in
// works exactly as with a real hash, without spending 19 MiB and two
// passes on every log-in a test makes. What the product itself stores is
// tested in internal/auth.
func HashPassword(password string) string {
	const memory, passes, lanes = 256, 1, 1
	salt := make([]byte, 16)
	_, _ = rand.Read(salt)
	key := argon2.IDKey([]byte(password), salt, passes, memory, lanes, 32)
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, memory, passes, lanes, b64.EncodeToString(salt), b64.EncodeToString(key))
}
