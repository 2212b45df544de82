package sqldb

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// PoolStats are the connection pools' figures, by pool: "read" and
// "write" (the same pool on PostgreSQL, reported once as "read").
func (db *DB) PoolStats() map[string]sql.DBStats {
	out := map[string]sql.DBStats{"read": db.read.Stats()}
	if db.write != db.read {
		out["write"] = db.write.Stats()
	}
	return out
}

// OutboxFigures are what the metrics say about the outbox: how many
// messages wait, are being sent or were given up on, and how long the
// oldest still to send has waited.
type OutboxFigures struct {
	ByState      map[string]int64 // "pending", "sending", "failed"
	OldestQueued time.Time        // zero when nothing waits
}

// OutboxMetrics reads OutboxFigures. It reads only the states that stay
// small (sent mail, which grows with history, is not counted), through the
// outbox_due index.
func (db *DB) OutboxMetrics(ctx context.Context) (OutboxFigures, error) {
	f := OutboxFigures{ByState: map[string]int64{"pending": 0, "sending": 0, "failed": 0}}
	err := db.view(ctx, func(tx *Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT status, COUNT(*) FROM outbox WHERE status IN ('pending', 'sending', 'failed') GROUP BY status`)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var st string
			var n int64
			if err := rows.Scan(&st, &n); err != nil {
				return err
			}
			f.ByState[st] = n
		}
		if err := rows.Err(); err != nil {
			return err
		}
		return tx.get(ctx, `SELECT MIN(created_at) FROM outbox WHERE status IN ('pending', 'sending')`, nil, at(&f.OldestQueued))
	})
	if err != nil {
		return OutboxFigures{}, fmt.Errorf("outbox metrics: %w", err)
	}
	return f, nil
}
