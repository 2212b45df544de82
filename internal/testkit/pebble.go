package testkit

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// PebbleEnv names the environment variable with the path of the pebble
// binary (Let's Encrypt's ACME test CA); by default it is looked up on PATH
// and in $(go env GOPATH)/bin.
const PebbleEnv = "LINTEL_PEBBLE"

const pebbleInstall = "run `make test-deps`, or `go install github.com/letsencrypt/pebble/v2/cmd/pebble@v2.10.3`, or set " + PebbleEnv

// ACMEServer is a running Pebble: a real ACME CA for tests.
type ACMEServer struct {
	Directory string       // the ACME directory URL
	Client    *http.Client // trusts the CA's own HTTPS certificate
	cmd       *exec.Cmd
	log       *syncLog
}

// Stop stops the CA (a CA outage, for a test that must not need it).
func (s *ACMEServer) Stop() {
	if s.cmd.Process != nil {
		_ = s.cmd.Process.Kill()
		_ = s.cmd.Wait()
	}
}

// Pebble starts Pebble on free loopback ports, stopped when the test ends.
// It issues certificates for any name without checking the challenges
// (PEBBLE_VA_ALWAYS_VALID): the tests' domains do not resolve to this
// machine, so the CA could not reach them; what is tested is everything
// else ACME does (accounts, orders, issuance, renewal data).
func Pebble(t testing.TB) *ACMEServer {
	t.Helper()
	bin := toolPath(PebbleEnv, "pebble")
	if bin == "" {
		if os.Getenv("CI") == "true" {
			t.Fatalf("testkit: pebble (the ACME CA for tests) is not installed: %s", pebbleInstall)
		}
		t.Skipf("pebble (the ACME CA for tests) is not installed: %s", pebbleInstall)
	}
	dir := t.TempDir()
	certPEM, keyPEM, pool := selfSigned(t)
	certFile, keyFile := filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	if err := os.WriteFile(certFile, certPEM, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyFile, keyPEM, 0o600); err != nil {
		t.Fatal(err)
	}
	port, mgmt := freeTCPPort(t), freeTCPPort(t)
	cfg := map[string]any{"pebble": map[string]any{
		"listenAddress":           fmt.Sprintf("127.0.0.1:%d", port),
		"managementListenAddress": fmt.Sprintf("127.0.0.1:%d", mgmt),
		"certificate":             certFile, "privateKey": keyFile,
		"httpPort": 5002, "tlsPort": 5001,
		"externalAccountBindingRequired": false,
		"keyAlgorithm":                   "ecdsa",
		"profiles":                       map[string]any{"default": map[string]any{"description": "test", "validityPeriod": 7776000}},
	}}
	raw, _ := json.Marshal(cfg)
	cfgFile := filepath.Join(dir, "pebble.json")
	if err := os.WriteFile(cfgFile, raw, 0o600); err != nil {
		t.Fatal(err)
	}
	log := &syncLog{}
	cmd := exec.Command(bin, "-config", cfgFile)
	cmd.Env = append(os.Environ(), "PEBBLE_VA_ALWAYS_VALID=1", "PEBBLE_VA_NOSLEEP=1", "PEBBLE_WFE_NONCEREJECT=0", "PEBBLE_AUTHZREUSE=100")
	cmd.Stdout, cmd.Stderr = log, log
	if err := cmd.Start(); err != nil {
		t.Fatalf("testkit: start pebble: %v", err)
	}
	s := &ACMEServer{
		Directory: fmt.Sprintf("https://127.0.0.1:%d/dir", port),
		Client:    &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}},
		cmd:       cmd, log: log,
	}
	t.Cleanup(s.Stop)
	deadline := time.Now().Add(30 * time.Second)
	for {
		res, err := s.Client.Get(s.Directory)
		if err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return s
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("testkit: pebble did not answer at %s within 30s: %v\n%s", s.Directory, err, log.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// selfSigned makes the CA's own HTTPS certificate, for 127.0.0.1.
func selfSigned(t testing.TB) (certPEM, keyPEM []byte, pool *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "pebble test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, DNSNames: []string{"localhost"},
		KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		IsCA: true, BasicConstraintsValid: true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tpl, tpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	kder, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(der)
	pool = x509.NewCertPool()
	pool.AddCert(cert)
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kder}), pool
}

// freeTCPPort returns a loopback port that was free a moment ago.
func freeTCPPort(t testing.TB) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// toolPath finds a test tool: the path in the environment variable env, or
// name on PATH or in GOPATH/bin; "" when it is nowhere.
func toolPath(env, name string) string {
	if p := os.Getenv(env); p != "" {
		if _, err := exec.LookPath(p); err == nil {
			return p
		}
		return ""
	}
	if p, err := exec.LookPath(name); err == nil {
		return p
	}
	out, err := exec.Command("go", "env", "GOPATH").Output()
	if err != nil {
		return ""
	}
	for _, dir := range filepath.SplitList(strings.TrimSpace(string(out))) {
		p := filepath.Join(dir, "bin", name)
		if _, err := exec.LookPath(p); err == nil {
			return p
		}
	}
	return ""
}
