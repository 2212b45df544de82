package main

import (
	"crypto/tls"
	"fmt"
	"log/slog"
	"os"
	"sync"
	"time"
)

// certCheckInterval is how often the certificate files are looked at for a
// change; tests shorten it.
var certCheckInterval = 10 * time.Second

// certReloader serves the certificate in certFile and keyFile and reads them
// again when either changes, so a renewed certificate (certbot,
// cert-manager, an operator's copy) is used without a restart. A renewal
// that does not load (a half-written file, a key that does not match) is
// logged and the previous certificate kept.
type certReloader struct {
	certFile, keyFile string
	log               *slog.Logger

	mu               sync.Mutex
	cert             *tls.Certificate
	certMod, keyMod  time.Time
	checkedAt        time.Time
	lastReloadFailed bool
}

func newCertReloader(certFile, keyFile string, log *slog.Logger) (*certReloader, error) {
	r := &certReloader{certFile: certFile, keyFile: keyFile, log: log}
	if err := r.load(); err != nil {
		return nil, err
	}
	r.checkedAt = time.Now()
	return r, nil
}

func (r *certReloader) load() error {
	cm, km, err := r.modTimes()
	if err != nil {
		return err
	}
	cert, err := tls.LoadX509KeyPair(r.certFile, r.keyFile)
	if err != nil {
		return fmt.Errorf("--tls-cert %s / --tls-key %s: %w (give a PEM certificate chain and its private key)", r.certFile, r.keyFile, err)
	}
	r.cert, r.certMod, r.keyMod = &cert, cm, km
	return nil
}

func (r *certReloader) modTimes() (cert, key time.Time, err error) {
	ci, err := os.Stat(r.certFile)
	if err != nil {
		return cert, key, fmt.Errorf("--tls-cert: %w", err)
	}
	ki, err := os.Stat(r.keyFile)
	if err != nil {
		return cert, key, fmt.Errorf("--tls-key: %w", err)
	}
	return ci.ModTime(), ki.ModTime(), nil
}

// GetCertificate is tls.Config.GetCertificate.
func (r *certReloader) GetCertificate(*tls.ClientHelloInfo) (*tls.Certificate, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if time.Since(r.checkedAt) >= certCheckInterval {
		r.checkedAt = time.Now()
		cm, km, err := r.modTimes()
		if err == nil && (!cm.Equal(r.certMod) || !km.Equal(r.keyMod)) {
			err = r.load()
			if err == nil {
				r.log.Info("TLS certificate reloaded", "cert", r.certFile)
				r.lastReloadFailed = false
			}
		}
		if err != nil && !r.lastReloadFailed {
			r.log.Error("TLS certificate not reloaded; still serving the previous one", "err", err)
			r.lastReloadFailed = true
		}
	}
	return r.cert, nil
}

// tlsConfig is the server's TLS: 1.2 at least, HTTP/2 offered.
func tlsConfig(get func(*tls.ClientHelloInfo) (*tls.Certificate, error)) *tls.Config {
	return &tls.Config{GetCertificate: get, MinVersion: tls.VersionTLS12, NextProtos: []string{"h2", "http/1.1"}}
}
