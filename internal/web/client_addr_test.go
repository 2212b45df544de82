package web

import (
	"fmt"
	"net/http/httptest"
	"net/netip"
	"testing"

	"lintel.dev/lintel/internal/testkit"
)

func TestResolveClient(t *testing.T) {
	t.Parallel()
	trusted, err := ParseTrustedProxies([]string{"127.0.0.1", "10.0.0.0/8", "::1"})
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name    string
		peer    string
		trusted []netip.Prefix
		xff     []string
		fwd     []string
		want    string
	}{
		{name: "no proxies trusted: headers ignored", peer: "127.0.0.1:5000", xff: []string{"203.0.113.9"}, want: "127.0.0.1"},
		{name: "an untrusted peer's headers are ignored", peer: "198.51.100.7:5000", trusted: trusted, xff: []string{"203.0.113.9"}, want: "198.51.100.7"},
		{name: "one trusted proxy", peer: "127.0.0.1:5000", trusted: trusted, xff: []string{"203.0.113.9"}, want: "203.0.113.9"},
		{name: "a spoofed entry left of the real client is ignored", peer: "127.0.0.1:5000", trusted: trusted,
			xff: []string{"1.2.3.4, 203.0.113.9"}, want: "203.0.113.9"},
		{name: "two trusted proxies", peer: "127.0.0.1:5000", trusted: trusted, xff: []string{"203.0.113.9, 10.1.2.3"}, want: "203.0.113.9"},
		{name: "several header lines", peer: "127.0.0.1:5000", trusted: trusted, xff: []string{"1.2.3.4", "203.0.113.9, 10.1.2.3"}, want: "203.0.113.9"},
		{name: "every hop trusted: the left-most", peer: "127.0.0.1:5000", trusted: trusted, xff: []string{"10.9.9.9, 10.1.2.3"}, want: "10.9.9.9"},
		{name: "no header from a trusted proxy: the proxy", peer: "127.0.0.1:5000", trusted: trusted, want: "127.0.0.1"},
		{name: "garbage stops at what is known", peer: "127.0.0.1:5000", trusted: trusted, xff: []string{"203.0.113.9, not-an-ip"}, want: "127.0.0.1"},
		{name: "Forwarded wins over X-Forwarded-For", peer: "127.0.0.1:5000", trusted: trusted,
			fwd: []string{`for=192.0.2.60;proto=https;by=10.0.0.1`}, xff: []string{"203.0.113.9"}, want: "192.0.2.60"},
		{name: "Forwarded with IPv6 and ports", peer: "[::1]:5000", trusted: trusted,
			fwd: []string{`for="[2001:db8:cafe::17]:4711", for=10.0.0.2:80`}, want: "2001:db8:cafe::17"},
		{name: "an IPv4-mapped peer", peer: "[::ffff:127.0.0.1]:5000", trusted: trusted, xff: []string{"203.0.113.9"}, want: "203.0.113.9"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest("GET", "/", nil)
			r.RemoteAddr = tt.peer
			for _, v := range tt.xff {
				r.Header.Add("X-Forwarded-For", v)
			}
			for _, v := range tt.fwd {
				r.Header.Add("Forwarded", v)
			}
			if got := resolveClient(r, tt.trusted); got != tt.want {
				t.Errorf("client %q, want %q", got, tt.want)
			}
		})
	}
	if _, err := ParseTrustedProxies([]string{"nginx"}); err == nil {
		t.Error("a host name was taken for a proxy address")
	}
}

// Behind a trusted proxy, one client's failed log-ins lock out that client,
// not everyone the proxy serves; without the setting, a forged header does
// not let a client escape its own limit.
func TestLoginThrottleUsesTheForwardedClient(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name         string
		trusted      []string
		othersLocked bool
	}{
		{name: "trusted proxy", trusted: []string{"127.0.0.1", "::1"}, othersLocked: false},
		{name: "no trusted proxy", othersLocked: true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			db := testkit.SQLite(t)
			proxies, err := ParseTrustedProxies(tt.trusted)
			if err != nil {
				t.Fatal(err)
			}
			app := newTestAppWith(t, db, Config{TrustedProxies: proxies})
			post := func(client, email string) int {
				t.Helper()
				cl := app.client(t)
				req := cl.newPost("/login", login(email, "not the right password"))
				req.Header.Set("X-Forwarded-For", client)
				return cl.do(req).Status
			}
			// The per-address limit, each failure on a different account so
			// that the per-account limit is not what locks.
			var last int
			for i := range loginIPLimit {
				last = post("203.0.113.9", fmt.Sprintf("nobody%d@example.test", i))
			}
			if last != 429 {
				t.Fatalf("after %d failures from one client: %d, want 429", loginIPLimit, last)
			}
			other := post("198.51.100.20", "someone.else@example.test")
			if locked := other == 429; locked != tt.othersLocked {
				t.Errorf("another client behind the same proxy: status %d (locked %v, want %v)", other, locked, tt.othersLocked)
			}
		})
	}
}
