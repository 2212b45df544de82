package main

import (
	"context"
	"crypto/tls"
	"errors"
	"log/slog"
	"net/http"

	"golang.org/x/crypto/acme"
	"golang.org/x/crypto/acme/autocert"

	"lintel.dev/lintel/internal/lintel"
	"lintel.dev/lintel/internal/sqldb"
)

// letsEncrypt is the ACME CA --tls-domain uses unless --acme-directory
// names another.
const letsEncrypt = "https://acme-v02.api.letsencrypt.org/directory"

// acmeHTTPClient is the HTTP client that talks to the ACME CA; tests point
// it at their own CA's certificate.
var acmeHTTPClient *http.Client

// dbCertCache keeps autocert's account key and certificates in the
// database, so every node serves the same certificate and a restarted or
// new node does not ask the CA again (Let's Encrypt limits how often).
type dbCertCache struct{ db *sqldb.DB }

func (c dbCertCache) Get(ctx context.Context, key string) ([]byte, error) {
	data, err := c.db.ACMECacheGet(ctx, key)
	if errors.Is(err, lintel.ErrNotFound) {
		return nil, autocert.ErrCacheMiss
	}
	return data, err
}

func (c dbCertCache) Put(ctx context.Context, key string, data []byte) error {
	return c.db.ACMECachePut(ctx, key, data)
}

func (c dbCertCache) Delete(ctx context.Context, key string) error {
	return c.db.ACMECacheDelete(ctx, key)
}

// acmeManager gets and renews certificates for the --tls-domain names from
// the ACME CA, answering its HTTP-01 challenges on --http-addr.
func acmeManager(c *config, db *sqldb.DB, log *slog.Logger) *autocert.Manager {
	log.Info("certificates from an ACME CA", "domains", c.TLSDomains, "directory", c.ACMEDirectory, "http_addr", c.HTTPAddr)
	return &autocert.Manager{
		Prompt:     autocert.AcceptTOS,
		HostPolicy: autocert.HostWhitelist(c.TLSDomains...),
		Cache:      dbCertCache{db},
		Email:      c.ACMEEmail,
		Client:     &acme.Client{DirectoryURL: c.ACMEDirectory, HTTPClient: acmeHTTPClient},
	}
}

// acmeTLSConfig is tlsConfig with the manager's certificates and the
// tls-alpn-01 protocol it answers.
func acmeTLSConfig(m *autocert.Manager) *tls.Config {
	cfg := tlsConfig(m.GetCertificate)
	cfg.NextProtos = append(cfg.NextProtos, acme.ALPNProto)
	return cfg
}
