package auth

import (
	"bufio"
	"bytes"
	"crypto/rand"
	"crypto/subtle"
	_ "embed"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"golang.org/x/crypto/argon2"
)

// Argon2id parameters (SECURITY.md 1): 19 MiB, 2 passes, 1 lane — the OWASP
// minimum, chosen so a 2-core machine can still answer log-ins quickly.
const (
	argonMemory  = 19 * 1024
	argonTime    = 2
	argonThreads = 1
	argonKeyLen  = 32
	saltLen      = 16
)

// Password length limits (SECURITY.md 1): long passphrases welcome, no
// composition rules, no truncation.
const (
	MinPasswordLen = 12
	MaxPasswordLen = 256
)

// HashPassword returns an Argon2id PHC string for password.
func HashPassword(password string) string {
	salt := make([]byte, saltLen)
	_, _ = rand.Read(salt)
	key := argon2.IDKey([]byte(password), salt, argonTime, argonMemory, argonThreads, argonKeyLen)
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, argonMemory, argonTime, argonThreads, b64.EncodeToString(salt), b64.EncodeToString(key))
}

// dummyHash is checked against when there is no account, so that a log-in
// for an unknown e-mail takes as long as one for a known e-mail.
var dummyHash = HashPassword("lintel-timing-equaliser-not-a-password")

// CheckPassword reports whether password matches the PHC string hash. An
// empty hash (no account, or no password set yet) still costs one Argon2id
// run and answers false.
func CheckPassword(hash, password string) bool {
	if hash == "" {
		checkPHC(dummyHash, password)
		return false
	}
	return checkPHC(hash, password)
}

func checkPHC(hash, password string) bool {
	parts := strings.Split(hash, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return false
	}
	var m, t uint32
	var p uint8
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &m, &t, &p); err != nil {
		return false
	}
	b64 := base64.RawStdEncoding
	salt, err := b64.DecodeString(parts[4])
	if err != nil {
		return false
	}
	want, err := b64.DecodeString(parts[5])
	if err != nil {
		return false
	}
	got := argon2.IDKey([]byte(password), salt, t, m, p, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1
}

//go:embed common-passwords.txt
var commonPasswordsFile []byte

var commonPasswords = func() map[string]bool {
	m := map[string]bool{}
	sc := bufio.NewScanner(bytes.NewReader(commonPasswordsFile))
	for sc.Scan() {
		if w := strings.TrimSpace(sc.Text()); w != "" && !strings.HasPrefix(w, "#") {
			m[strings.ToLower(w)] = true
		}
	}
	return m
}()

// ErrPassword* explain why a new password is refused, in words a person can act on.
var (
	ErrPasswordShort  = fmt.Errorf("use at least %d characters — a short sentence works well", MinPasswordLen)
	ErrPasswordLong   = fmt.Errorf("use at most %d characters", MaxPasswordLen)
	ErrPasswordCommon = errors.New("this password is too common and easy to guess; choose another")
)

// CheckNewPassword applies the password policy to a password being set.
// email is the account's address: a password equal to it is refused too.
func CheckNewPassword(password, email string) error {
	n := utf8.RuneCountInString(password)
	switch {
	case n < MinPasswordLen:
		return ErrPasswordShort
	case n > MaxPasswordLen:
		return ErrPasswordLong
	}
	lower := strings.ToLower(password)
	local, _, _ := strings.Cut(strings.ToLower(email), "@")
	if commonPasswords[lower] || lower == strings.ToLower(email) || lower == local {
		return ErrPasswordCommon
	}
	// A single repeated character ("aaaaaaaaaaaa") is as weak as a common word.
	if strings.Count(password, password[:1]) == len(password) {
		return ErrPasswordCommon
	}
	return nil
}
