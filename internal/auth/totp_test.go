package auth

import (
	"encoding/base32"
	"strings"
	"testing"
	"time"
)

// The RFC 6238 appendix B vectors for SHA-1 (the secret is the ASCII
// "12345678901234567890"), cut to six digits as authenticator apps show them.
func TestMatchTOTPRFC6238(t *testing.T) {
	secret := base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString([]byte("12345678901234567890"))
	for _, tc := range []struct {
		unix int64
		code string
	}{
		{59, "287082"}, {1111111109, "081804"}, {1111111111, "050471"}, {1234567890, "005924"}, {2000000000, "279037"},
	} {
		now := time.Unix(tc.unix, 0)
		step, ok := MatchTOTP(secret, tc.code, now)
		if !ok || step != TOTPStep(now) {
			t.Errorf("at %d: code %s gave step %d, %v; want step %d", tc.unix, tc.code, step, ok, TOTPStep(now))
		}
	}
}

func TestMatchTOTPWindow(t *testing.T) {
	secret, url, err := NewTOTP("Lintel", "ana@example.org")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(url, "otpauth://totp/Lintel:ana@example.org?") || !strings.Contains(url, "secret="+secret) {
		t.Fatalf("url %q does not name the issuer, account and secret", url)
	}
	again, err := TOTPURL("Lintel", "ana@example.org", secret)
	if err != nil || again != url {
		t.Fatalf("TOTPURL = %q, %v; want %q", again, err, url)
	}
	now := time.Date(2026, 12, 2, 10, 0, 15, 0, time.UTC)
	for _, tc := range []struct {
		name   string
		at     time.Duration // when the code was made, from now
		typed  func(string) string
		wantOK bool
		offset int64
	}{
		{"this step", 0, nil, true, 0},
		{"previous step (slow typing)", -30 * time.Second, nil, true, -1},
		{"next step (fast clock)", 30 * time.Second, nil, true, 1},
		{"two steps old", -60 * time.Second, nil, false, 0},
		{"two steps ahead", 60 * time.Second, nil, false, 0},
		{"typed with a space", 0, func(c string) string { return c[:3] + " " + c[3:] }, true, 0},
		{"one digit short", 0, func(c string) string { return c[:5] }, false, 0},
		{"letters", 0, func(string) string { return "abcdef" }, false, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, err := TOTPCode(secret, now.Add(tc.at))
			if err != nil {
				t.Fatal(err)
			}
			if tc.typed != nil {
				code = tc.typed(code)
			}
			step, ok := MatchTOTP(secret, code, now)
			if ok != tc.wantOK {
				t.Fatalf("MatchTOTP(%q) ok = %v, want %v", code, ok, tc.wantOK)
			}
			if ok && step != TOTPStep(now)+tc.offset {
				t.Fatalf("step %d, want %d", step, TOTPStep(now)+tc.offset)
			}
		})
	}
}

func TestRecoveryCodes(t *testing.T) {
	codes, hashes := NewRecoveryCodes()
	if len(codes) != RecoveryCodeCount || len(hashes) != RecoveryCodeCount {
		t.Fatalf("%d codes, %d hashes; want %d", len(codes), len(hashes), RecoveryCodeCount)
	}
	seen := map[string]bool{}
	for i, c := range codes {
		if len(c) != 11 || c[5] != '-' || strings.ContainsAny(c, "0O1I") {
			t.Errorf("code %q is not XXXXX-XXXXX from the unambiguous alphabet", c)
		}
		if seen[c] {
			t.Errorf("code %q twice", c)
		}
		seen[c] = true
		if hashes[i] != HashRecoveryCode(c) || hashes[i] != HashRecoveryCode(" "+strings.ToLower(strings.ReplaceAll(c, "-", ""))+" ") {
			t.Errorf("code %q: the hash depends on case, spaces or the dash", c)
		}
		if LooksLikeTOTP(c) {
			t.Errorf("recovery code %q taken for an app code", c)
		}
	}
	if !LooksLikeTOTP("123 456") || LooksLikeTOTP("12345") {
		t.Error("LooksLikeTOTP misjudges app codes")
	}
}
