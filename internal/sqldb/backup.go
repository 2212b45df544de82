package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"time"

	"modernc.org/sqlite"
)

// ErrNotSQLite is what BackupTo answers on PostgreSQL, whose backups are
// pg_dump's job (`lintel backup` says how).
var ErrNotSQLite = errors.New("online backup from Lintel is for SQLite; back up PostgreSQL with pg_dump")

// BackupTo writes a consistent copy of a SQLite database to path (which
// must not exist) while writers keep running: VACUUM INTO reads one
// snapshot, so the copy holds exactly the transactions committed before it
// began, compacted, with no write-ahead log beside it.
func (db *DB) BackupTo(ctx context.Context, path string) error {
	if db.dialect != SQLite {
		return ErrNotSQLite
	}
	if _, err := os.Stat(path); err == nil {
		return fmt.Errorf("backup target %s exists: choose a new file name", path)
	}
	// On the read pool: a snapshot does not hold up writers.
	if _, err := db.read.ExecContext(ctx, "VACUUM INTO $1", path); err != nil {
		return fmt.Errorf("backup to %s: %w", path, err)
	}
	return nil
}

// EachStoredFile calls fn with every file row's storage key and size, in key
// order, for the check that every row has its stored object.
func (db *DB) EachStoredFile(ctx context.Context, fn func(key string, size int64) error) error {
	return db.view(ctx, func(tx *Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT storage_key, size FROM files ORDER BY storage_key`)
		if err != nil {
			return mapErr(err)
		}
		defer rows.Close()
		for rows.Next() {
			var key string
			var size int64
			if err := rows.Scan(&key, &size); err != nil {
				return err
			}
			if err := fn(key, size); err != nil {
				return err
			}
		}
		return rows.Err()
	})
}

// QueuedMail is the mail not yet handed to the SMTP server.
type QueuedMail struct {
	Count  int
	Oldest time.Time // when the oldest was queued; zero when none
}

// QueuedMailStatus counts the mail still to send (waiting, retrying or
// being sent).
func (db *DB) QueuedMailStatus(ctx context.Context) (QueuedMail, error) {
	var q QueuedMail
	err := db.view(ctx, func(tx *Tx) error {
		return tx.get(ctx, `SELECT COUNT(*), MIN(created_at) FROM outbox WHERE status IN ('pending', 'sending')`, nil, &q.Count, at(&q.Oldest))
	})
	if err != nil {
		return QueuedMail{}, fmt.Errorf("queued mail: %w", err)
	}
	return q, nil
}

// RestoredMailNote is the last error recorded on mail that a restore took
// out of the queue (HoldQueuedMail).
const RestoredMailNote = "not sent: restored from a backup, and the old server may have sent it already"

// HoldQueuedMail takes the mail still queued out of the queue, marked
// failed with RestoredMailNote, so a restored copy does not send again what
// the old server may have sent after the backup was taken. Managers see it
// among the undelivered mail. It returns how many it took.
func (db *DB) HoldQueuedMail(ctx context.Context) (int64, error) {
	var n int64
	err := db.update(ctx, func(tx *Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE outbox SET status = 'failed', claimed_until = NULL, last_error = $1
			WHERE status IN ('pending', 'sending')`, RestoredMailNote)
		if err != nil {
			return mapErr(err)
		}
		n, err = res.RowsAffected()
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("hold queued mail: %w", err)
	}
	return n, nil
}

// EachStoredFileIn is EachStoredFile on a SQLite database file that nobody
// writes (the copy in a backup), opened read-only and immutable so that
// reading it changes nothing, not even a write-ahead log beside it.
func EachStoredFileIn(ctx context.Context, path string, fn func(key string, size int64) error) error {
	conn := sql.OpenDB(stmtCacheConnector{dsn: "file:" + path + "?mode=ro&immutable=1", drv: &sqlite.Driver{}})
	defer conn.Close()
	rows, err := conn.QueryContext(ctx, `SELECT storage_key, size FROM files ORDER BY storage_key`)
	if err != nil {
		return fmt.Errorf("read the file rows of %s: %w", path, err)
	}
	defer rows.Close()
	for rows.Next() {
		var key string
		var size int64
		if err := rows.Scan(&key, &size); err != nil {
			return err
		}
		if err := fn(key, size); err != nil {
			return err
		}
	}
	return rows.Err()
}
