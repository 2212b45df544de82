package sqldb

import (
	"context"
	"strconv"
	"strings"
	"time"
)

// ThrottleRule limits failures under one key: at most Limit failures
// within Window, after which the key is locked until the window ends.
// Keys name what is counted, e.g. "login:account:<hash>" or "login:ip:<addr>".
// The counters live in the database so every node sees the same ones.
type ThrottleRule struct {
	Key    string
	Limit  int
	Window time.Duration
}

// ThrottledUntil returns the latest instant until which any of keys is
// locked, or the zero time when none is.
func (db *DB) ThrottledUntil(ctx context.Context, keys ...string) (time.Time, error) {
	var until time.Time
	if len(keys) == 0 {
		return until, nil
	}
	err := db.view(ctx, func(tx *Tx) error {
		args := []any{ts(tx.Now)}
		ph := make([]string, len(keys))
		for i, k := range keys {
			args = append(args, k)
			ph[i] = "$" + strconv.Itoa(i+2)
		}
		return tx.get(ctx, `SELECT MAX(locked_until) FROM throttle WHERE locked_until > $1 AND key IN (`+strings.Join(ph, ", ")+`)`,
			args, at(&until))
	})
	return until, err
}

// RecordFailure counts one failure under each rule's key and returns the
// latest lock it set or found (zero when no key is locked). A window that
// has ended starts again from one.
func (db *DB) RecordFailure(ctx context.Context, rules ...ThrottleRule) (time.Time, error) {
	var locked time.Time
	err := db.update(ctx, func(tx *Tx) error {
		now := ts(tx.Now)
		for _, r := range rules {
			var failures int
			var windowEnd time.Time
			err := tx.get(ctx, `INSERT INTO throttle (key, failures, window_end) VALUES ($1, 1, $2)
				ON CONFLICT (key) DO UPDATE SET
					failures = CASE WHEN throttle.window_end <= $3 THEN 1 ELSE throttle.failures + 1 END,
					window_end = CASE WHEN throttle.window_end <= $3 THEN excluded.window_end ELSE throttle.window_end END,
					locked_until = CASE WHEN throttle.window_end <= $3 THEN NULL ELSE throttle.locked_until END
				RETURNING failures, window_end`,
				[]any{r.Key, ts(tx.Now.Add(r.Window)), now}, &failures, at(&windowEnd))
			if err != nil {
				return err
			}
			if failures >= r.Limit {
				if _, err := tx.exec(ctx, `UPDATE throttle SET locked_until = window_end WHERE key = $1`, r.Key); err != nil {
					return err
				}
				if windowEnd.After(locked) {
					locked = windowEnd
				}
			}
		}
		return nil
	})
	return locked, err
}

// ClearThrottle forgets the failures under key (after a successful log-in
// or a password reset).
func (db *DB) ClearThrottle(ctx context.Context, key string) error {
	return db.update(ctx, func(tx *Tx) error {
		_, err := tx.exec(ctx, `DELETE FROM throttle WHERE key = $1`, key)
		return err
	})
}

// PurgeThrottle deletes counters whose window has ended; the jobs worker
// calls it now and then to keep the table small.
func (db *DB) PurgeThrottle(ctx context.Context) error {
	return db.update(ctx, func(tx *Tx) error {
		now := ts(tx.Now)
		_, err := tx.exec(ctx, `DELETE FROM throttle WHERE window_end <= $1 AND (locked_until IS NULL OR locked_until <= $1)`, now)
		return err
	})
}
