package sqldb

import (
	"context"
	"errors"
	"fmt"

	"lintel.dev/lintel/internal/lintel"
)

// Files are recorded here, and only here, so each company's storage count
// (companies.storage_used_bytes) moves with every file row in the same
// transaction, and the per-company quota (SECURITY.md 16) is checked where
// it cannot be raced.

// DefaultStorageQuota is a new company's storage quota: 10 GiB, room for
// about five thousand phone photos with their thumbnails, or years of
// a small portfolio's paperwork. Migration 0014 writes the same number as
// the column's default; an operator changes a company's quota with
// `lintel company quota`.
const DefaultStorageQuota int64 = 10 << 30

// ErrStorageFull is wrapped by the error a file that would take its
// company past its quota is refused with, for handlers that word it for
// their audience (errors.Is).
var ErrStorageFull = errors.New("storage quota reached")

// storageFull is the refusal shown to staff, naming the quota.
func storageFull(quota int64) error {
	return &lintel.Error{Kind: lintel.KindConflict, Err: ErrStorageFull,
		Message: fmt.Sprintf("Your company's storage is full (%s). Delete old files or ask Lintel's administrator for more space.", lintel.FormatBytes(quota))}
}

// StorageUsage is how much of its quota a company uses.
type StorageUsage struct {
	UsedBytes  int64
	QuotaBytes int64
}

// Used is the usage in words: "2.1 GB of 10 GB used".
func (u StorageUsage) Used() string {
	return lintel.FormatBytes(u.UsedBytes) + " of " + lintel.FormatBytes(u.QuotaBytes) + " used"
}

// Percent is the share of the quota used, 0 to 100, for a meter.
func (u StorageUsage) Percent() int {
	if u.QuotaBytes <= 0 {
		return 100
	}
	return int(min(100, u.UsedBytes*100/u.QuotaBytes))
}

// insertFile records a stored file, counting its size against the
// company's quota. The count moves in one conditional UPDATE: PostgreSQL
// re-checks the condition on the row another transaction just changed,
// and SQLite has one writer, so concurrent uploads never pass the quota
// together. A refused file is a KindConflict wrapping ErrStorageFull; the
// caller deletes its blob, as for any failure to record it.
func (tx *Tx) insertFile(ctx context.Context, companyID int64, f NewFile, by string) (int64, error) {
	if f.Size < 0 {
		return 0, fmt.Errorf("file %s: negative size %d", f.Key, f.Size)
	}
	r, err := tx.exec(ctx, `UPDATE companies SET storage_used_bytes = storage_used_bytes + $2
		WHERE id = $1 AND storage_used_bytes + $2 <= storage_quota_bytes`, companyID, f.Size)
	if err != nil {
		return 0, err
	}
	if n, err := r.RowsAffected(); err != nil {
		return 0, err
	} else if n == 0 {
		var quota int64
		if err := tx.get(ctx, `SELECT storage_quota_bytes FROM companies WHERE id = $1`, []any{companyID}, &quota); err != nil {
			return 0, err
		}
		return 0, storageFull(quota)
	}
	return tx.insert(ctx, `INSERT INTO files (company_id, storage_key, name, content_type, size, sha256, uploaded_by, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, companyID, f.Key, f.Name, f.ContentType, f.Size, f.SHA256, by, ts(tx.Now))
}

// deleteFiles removes file rows of the company and gives their space back
// to its quota. It returns the storage keys, for the caller to delete from
// the blob store once the transaction has committed (a blob deleted before
// a rollback would leave a row pointing at nothing; the other way round
// only wastes space). Ids outside the company are skipped.
func (tx *Tx) deleteFiles(ctx context.Context, companyID int64, ids ...int64) ([]string, error) {
	var keys []string
	var freed int64
	for _, id := range ids {
		var key string
		var size int64
		err := tx.get(ctx, `DELETE FROM files WHERE id = $1 AND company_id = $2 RETURNING storage_key, size`, []any{id, companyID}, &key, &size)
		if lintel.IsNotFound(err) {
			continue
		}
		if err != nil {
			return nil, err
		}
		keys = append(keys, key)
		freed += size
	}
	if freed > 0 {
		// Never below zero, should the count ever have drifted.
		if _, err := tx.exec(ctx, `UPDATE companies SET storage_used_bytes = CASE WHEN storage_used_bytes > $2 THEN storage_used_bytes - $2 ELSE 0 END
			WHERE id = $1`, companyID, freed); err != nil {
			return nil, err
		}
	}
	return keys, nil
}

// StorageUsage returns the staff member's company's storage use and quota.
func (db *DB) StorageUsage(ctx context.Context, s lintel.Staff) (StorageUsage, error) {
	var u StorageUsage
	err := db.view(ctx, func(tx *Tx) error {
		return tx.get(ctx, `SELECT storage_used_bytes, storage_quota_bytes FROM companies WHERE id = $1`, []any{s.CompanyID}, &u.UsedBytes, &u.QuotaBytes)
	})
	return u, err
}

// CompanyStorage is a company's storage as the operator's command shows it.
type CompanyStorage struct {
	ID   int64
	Name string
	StorageUsage
}

// CompanyStorage returns a company's storage use and quota. It is for the
// operator's command line, which answers for every company: no staff
// member reaches it.
func (db *DB) CompanyStorage(ctx context.Context, companyID int64) (CompanyStorage, error) {
	c := CompanyStorage{ID: companyID}
	err := db.view(ctx, func(tx *Tx) error {
		return tx.get(ctx, `SELECT name, storage_used_bytes, storage_quota_bytes FROM companies WHERE id = $1`, []any{companyID},
			&c.Name, &c.UsedBytes, &c.QuotaBytes)
	})
	return c, err
}

// SetStorageQuota sets a company's storage quota, for the operator's
// command line only: a company's own staff can never raise it. A quota
// below what is used refuses new files until enough are deleted; nothing
// stored is removed. The change is audited.
func (db *DB) SetStorageQuota(ctx context.Context, companyID, quota int64, actor string) (CompanyStorage, error) {
	if quota < 0 {
		return CompanyStorage{}, &lintel.Error{Kind: lintel.KindInvalid, Message: "A storage quota cannot be negative."}
	}
	c := CompanyStorage{ID: companyID}
	err := db.update(ctx, func(tx *Tx) error {
		var old int64
		if err := tx.get(ctx, `SELECT name, storage_used_bytes, storage_quota_bytes FROM companies WHERE id = $1`, []any{companyID},
			&c.Name, &c.UsedBytes, &old); err != nil {
			return err
		}
		c.QuotaBytes = quota
		if _, err := tx.exec(ctx, `UPDATE companies SET storage_quota_bytes = $2 WHERE id = $1`, companyID, quota); err != nil {
			return err
		}
		return tx.audit(ctx, lintel.AuditEvent{CompanyID: companyID, Actor: actor, Action: "company.storage_quota", ObjectType: "company", ObjectID: companyID,
			Detail: lintel.FormatBytes(old) + " → " + lintel.FormatBytes(quota)})
	})
	return c, err
}
