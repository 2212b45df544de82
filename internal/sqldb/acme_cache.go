package sqldb

import (
	"context"
	"fmt"
)

// ACMECacheGet returns what the ACME certificate manager stored under key,
// lintel.ErrNotFound when nothing is.
func (db *DB) ACMECacheGet(ctx context.Context, key string) ([]byte, error) {
	var data []byte
	err := db.view(ctx, func(tx *Tx) error {
		return tx.get(ctx, `SELECT data FROM acme_cache WHERE key = $1`, []any{key}, &data)
	})
	return data, err
}

// ACMECachePut stores data under key, replacing what was there.
func (db *DB) ACMECachePut(ctx context.Context, key string, data []byte) error {
	err := db.update(ctx, func(tx *Tx) error {
		_, err := tx.exec(ctx, `INSERT INTO acme_cache (key, data, updated_at) VALUES ($1, $2, $3)
			ON CONFLICT (key) DO UPDATE SET data = excluded.data, updated_at = excluded.updated_at`, key, data, ts(tx.Now))
		return err
	})
	if err != nil {
		return fmt.Errorf("keep ACME data %s: %w", key, err)
	}
	return nil
}

// ACMECacheDelete removes key; a missing key is not an error.
func (db *DB) ACMECacheDelete(ctx context.Context, key string) error {
	return db.update(ctx, func(tx *Tx) error {
		_, err := tx.exec(ctx, `DELETE FROM acme_cache WHERE key = $1`, key)
		return err
	})
}
