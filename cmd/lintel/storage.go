package main

import (
	"context"
	"fmt"
	"log/slog"
	"path/filepath"
	"strings"
	"time"

	"lintel.dev/lintel/internal/blob"
)

// openFiles opens the file store the configuration names: a folder beside
// the database, outside anything served (SECURITY.md 19), or an
// S3-compatible bucket that several nodes share. A bucket that cannot be
// reached stops the start with what to fix, rather than failing the first
// upload. The returned func releases the store.
func openFiles(ctx context.Context, c *config, log *slog.Logger) (blob.Store, func(), error) {
	switch c.Storage {
	case "", "local":
		dir := filepath.Join(c.Data, "files")
		files, err := blob.NewLocal(dir)
		if err != nil {
			return nil, nil, err
		}
		log.Info("uploaded files are kept in a local folder", "folder", dir)
		return files, func() { files.Close() }, nil
	case "s3":
		cfg, err := c.s3Config()
		if err != nil {
			return nil, nil, err
		}
		ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
		defer cancel()
		files, err := blob.NewS3(ctx, cfg)
		if err != nil {
			return nil, nil, fmt.Errorf("--storage s3: %w", err)
		}
		if !cfg.UseTLS {
			log.Warn("S3 storage without TLS: files and signed requests cross the network in the clear; set LINTEL_S3_TLS=true unless the S3 server is on a trusted network")
		}
		// Never the keys: the access key names an account, the secret is one.
		log.Info("uploaded files are kept in S3", "endpoint", cfg.Endpoint, "bucket", cfg.Bucket, "prefix", cfg.Prefix, "tls", cfg.UseTLS)
		return files, func() {}, nil
	}
	return nil, nil, fmt.Errorf("--storage %q: use local (a folder in the data folder) or s3 (an S3-compatible bucket)", c.Storage)
}

// s3Config gathers the S3 settings; missing ones are named as an operator
// sets them.
func (c *config) s3Config() (blob.S3Config, error) {
	var missing []string
	for _, m := range []struct{ value, name string }{
		{c.S3Endpoint, "LINTEL_S3_ENDPOINT (--s3-endpoint)"},
		{c.S3Bucket, "LINTEL_S3_BUCKET (--s3-bucket)"},
		{c.S3AccessKey, "LINTEL_S3_ACCESS_KEY (--s3-access-key)"},
		{c.S3SecretKey, "LINTEL_S3_SECRET_KEY"},
	} {
		if m.value == "" {
			missing = append(missing, m.name)
		}
	}
	if len(missing) > 0 {
		return blob.S3Config{}, fmt.Errorf("--storage s3 needs %s", strings.Join(missing, ", "))
	}
	return blob.S3Config{
		Endpoint: c.S3Endpoint, Bucket: c.S3Bucket, AccessKey: c.S3AccessKey, SecretKey: c.S3SecretKey,
		Region: c.S3Region, UseTLS: c.S3TLS, Prefix: c.S3Prefix,
	}, nil
}
