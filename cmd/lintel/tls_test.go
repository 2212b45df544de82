package main

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"lintel.dev/lintel/internal/testkit"
)

// writeCert writes a self-signed certificate for 127.0.0.1 with serial
// number serial to certFile and keyFile.
func writeCert(t *testing.T, certFile, keyFile string, serial int64) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tpl := &x509.Certificate{
		SerialNumber: big.NewInt(serial), Subject: pkix.Name{CommonName: "lintel test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tpl, tpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	kder, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	// Written beside and renamed into place, as certbot and cert-manager do.
	for file, block := range map[string]*pem.Block{certFile: {Type: "CERTIFICATE", Bytes: der}, keyFile: {Type: "EC PRIVATE KEY", Bytes: kder}} {
		if err := os.WriteFile(file+".new", pem.EncodeToMemory(block), 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.Rename(file+".new", file); err != nil {
			t.Fatal(err)
		}
	}
}

// servedSerial connects to addr and returns the serial number of the
// certificate the server presents.
func servedSerial(t *testing.T, addr string) int64 {
	t.Helper()
	conn, err := tls.Dial("tcp", addr, &tls.Config{InsecureSkipVerify: true})
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	return conn.ConnectionState().PeerCertificates[0].SerialNumber.Int64()
}

// TestServeHTTPSReloadsItsCertificate: --tls-cert and --tls-key serve
// HTTPS (with HSTS and a base URL of https://), and a renewed certificate
// is served without a restart.
func TestServeHTTPSReloadsItsCertificate(t *testing.T) {
	old := certCheckInterval
	certCheckInterval = 50 * time.Millisecond
	t.Cleanup(func() { certCheckInterval = old })
	dir := t.TempDir()
	certFile, keyFile := filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	writeCert(t, certFile, keyFile, 1)
	s := startServe(t, []string{"--addr", "127.0.0.1:0", "--data", t.TempDir(), "--database-url", testkit.SQLiteURL(t),
		"--tls-cert", certFile, "--tls-key", keyFile}, nil)
	if !strings.HasPrefix(s.url, "https://127.0.0.1:") {
		t.Fatalf("serving on %s, want https://127.0.0.1:<port>", s.url)
	}
	addr := strings.TrimPrefix(s.url, "https://")
	pool := x509.NewCertPool()
	pemBytes, _ := os.ReadFile(certFile)
	pool.AppendCertsFromPEM(pemBytes)
	c := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}, ForceAttemptHTTP2: true}}
	res, err := c.Get(s.url + "/login")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != 200 || !strings.HasPrefix(res.Header.Get("Strict-Transport-Security"), "max-age=") {
		t.Fatalf("GET /login over HTTPS: %d, HSTS %q", res.StatusCode, res.Header.Get("Strict-Transport-Security"))
	}
	if res.ProtoMajor != 2 {
		t.Errorf("HTTPS answered over HTTP/%d, want HTTP/2 offered", res.ProtoMajor)
	}

	writeCert(t, certFile, keyFile, 2)
	deadline := time.Now().Add(5 * time.Second)
	for servedSerial(t, addr) != 2 {
		if time.Now().After(deadline) {
			t.Fatal("the renewed certificate was not served within 5s")
		}
		time.Sleep(60 * time.Millisecond)
	}
	// A broken renewal keeps the certificate that works.
	if err := os.WriteFile(keyFile, []byte("not a key"), 0o600); err != nil {
		t.Fatal(err)
	}
	time.Sleep(150 * time.Millisecond)
	if got := servedSerial(t, addr); got != 2 {
		t.Fatalf("after a broken renewal the server presents serial %d, want 2 (the last good one)", got)
	}
	if !strings.Contains(s.stderr.String(), "TLS certificate not reloaded") {
		t.Errorf("the broken renewal was not logged:\n%s", s.stderr.String())
	}
}

// TestPlainHTTPWarnsAtStart: a base URL other machines reach over plain
// HTTP is said at start-up to make sign-in impossible, with the fix; and
// --tls-cert without --tls-key is refused.
func TestPlainHTTPWarnsAtStart(t *testing.T) {
	s := startServe(t, []string{"--addr", "127.0.0.1:0", "--data", t.TempDir(), "--database-url", testkit.SQLiteURL(t),
		"--base-url", "http://192.168.1.20:8080"}, nil)
	if !strings.Contains(s.stderr.String(), "signing in needs HTTPS") {
		t.Errorf("no start-up warning about plain HTTP:\n%s", s.stderr.String())
	}
	err := run(t.Context(), []string{"serve", "--data", t.TempDir(), "--tls-cert", "cert.pem"}, envOf(nil), new(syncBuffer), new(syncBuffer))
	if err == nil || !strings.Contains(err.Error(), "--tls-cert and --tls-key go together") {
		t.Fatalf("--tls-cert alone: %v", err)
	}
}
