package main

import (
	"crypto/tls"
	"net"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"lintel.dev/lintel/internal/testkit"
)

// acmeHandshake connects to addr asking for domain and returns the
// certificate presented (the handshake waits while the server gets it).
func acmeHandshake(t *testing.T, addr, domain string) (serial, issuer string) {
	t.Helper()
	conn, err := tls.DialWithDialer(&net.Dialer{Timeout: 60 * time.Second}, "tcp", addr, &tls.Config{ServerName: domain, InsecureSkipVerify: true})
	if err != nil {
		t.Fatalf("TLS handshake for %s: %v", domain, err)
	}
	defer conn.Close()
	c := conn.ConnectionState().PeerCertificates[0]
	if err := c.VerifyHostname(domain); err != nil {
		t.Fatalf("the certificate presented is not for %s: %v", domain, err)
	}
	return c.SerialNumber.String(), c.Issuer.CommonName
}

// TestServeACMECertificates: --tls-domain gets a certificate from a real
// ACME CA (Pebble) at the first handshake, keeps it in the database, and a
// second node on that database serves the same certificate without the
// CA (stopped by then). --http-addr sends plain HTTP to HTTPS.
func TestServeACMECertificates(t *testing.T) {
	ca := testkit.Pebble(t)
	old := acmeHTTPClient
	acmeHTTPClient = ca.Client
	t.Cleanup(func() { acmeHTTPClient = old })
	db := testkit.SQLiteURL(t)
	const domain = "lintel.test"
	node := func(name string) (*server, string) {
		httpAddr := "127.0.0.1:" + strconv.Itoa(freePort(t))
		s := startServe(t, []string{"--addr", "127.0.0.1:0", "--data", t.TempDir(), "--database-url", db, "--node-name", name,
			"--tls-domain", domain, "--acme-directory", ca.Directory, "--acme-email", "ops@lintel.test", "--http-addr", httpAddr}, nil)
		return s, httpAddr
	}
	a, httpAddr := node("a")
	if !strings.HasPrefix(a.url, "https://"+domain+":") {
		t.Fatalf("node a serves on %s, want https://%s:<port>", a.url, domain)
	}
	addr := "127.0.0.1:" + a.url[strings.LastIndex(a.url, ":")+1:]
	serial, issuer := acmeHandshake(t, addr, domain)
	if !strings.Contains(issuer, "Pebble") {
		t.Fatalf("certificate issued by %q, want Pebble's CA", issuer)
	}
	if again, _ := acmeHandshake(t, addr, domain); again != serial {
		t.Fatalf("a second handshake got another certificate (%s, then %s)", serial, again)
	}

	c := &http.Client{Timeout: 10 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	req, _ := http.NewRequest("GET", "http://"+httpAddr+"/login", nil)
	req.Host = domain
	res, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode/100 != 3 || !strings.HasPrefix(res.Header.Get("Location"), "https://"+domain) {
		t.Fatalf("plain HTTP on --http-addr: %d to %q, want a redirect to https://%s", res.StatusCode, res.Header.Get("Location"), domain)
	}

	ca.Stop()
	b, _ := node("b")
	addrB := "127.0.0.1:" + b.url[strings.LastIndex(b.url, ":")+1:]
	if got, _ := acmeHandshake(t, addrB, domain); got != serial {
		t.Fatalf("node b serves certificate %s, want node a's %s from the database", got, serial)
	}
	// A name it was not told to serve gets no certificate.
	if _, err := tls.Dial("tcp", addrB, &tls.Config{ServerName: "other.test", InsecureSkipVerify: true}); err == nil {
		t.Fatal("a certificate was served for a domain not in --tls-domain")
	}
}
