package auth

import (
	"strings"
	"testing"
)

func TestPasswordHashRoundTrip(t *testing.T) {
	h := HashPassword("a long enough passphrase")
	if !strings.HasPrefix(h, "$argon2id$v=19$m=19456,t=2,p=1$") {
		t.Fatalf("hash %q is not an Argon2id PHC string with the chosen parameters", h)
	}
	if !CheckPassword(h, "a long enough passphrase") {
		t.Fatal("right password refused")
	}
	if CheckPassword(h, "a long enough passphrasE") {
		t.Fatal("wrong password accepted")
	}
	if h == HashPassword("a long enough passphrase") {
		t.Fatal("two hashes of one password are equal: salt missing")
	}
	if CheckPassword("", "") || CheckPassword("garbage", "x") {
		t.Fatal("empty or malformed hash accepted")
	}
	// No truncation: bcrypt would accept this (same first 72 bytes).
	long := strings.Repeat("x", 72)
	hl := HashPassword(long + "A")
	if CheckPassword(hl, long+"B") {
		t.Fatal("password truncated")
	}
}

func TestCheckNewPassword(t *testing.T) {
	cases := []struct {
		pw, email string
		want      error
	}{
		{"short", "a@b.c", ErrPasswordShort},
		{strings.Repeat("é", 11), "a@b.c", ErrPasswordShort},
		{strings.Repeat("é", 12), "a@b.c", nil},
		{strings.Repeat("a", 257), "a@b.c", ErrPasswordLong},
		{"password1234", "a@b.c", ErrPasswordCommon},
		{"Password1234", "a@b.c", ErrPasswordCommon},
		{"aaaaaaaaaaaaaaa", "a@b.c", ErrPasswordCommon},
		{"ada.lovelace@example.com", "Ada.Lovelace@example.com", ErrPasswordCommon},
		{"ada.lovelace", "ada.lovelace@example.com", ErrPasswordCommon},
		{"correct horse battery", "a@b.c", nil},
	}
	for _, c := range cases {
		if got := CheckNewPassword(c.pw, c.email); got != c.want {
			t.Errorf("CheckNewPassword(%q) = %v, want %v", c.pw, got, c.want)
		}
	}
}

func TestTokens(t *testing.T) {
	raw, hash := NewToken()
	if len(raw) < 43 { // 256 bits in base64url
		t.Fatalf("token too short: %d", len(raw))
	}
	if HashToken(raw) != hash || strings.Contains(hash, raw) {
		t.Fatal("hash must be derived from, and not contain, the raw token")
	}
	raw2, _ := NewToken()
	if raw == raw2 {
		t.Fatal("two tokens are equal")
	}
}
