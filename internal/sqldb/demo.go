package sqldb

import (
	"context"

	"lintel.dev/lintel/internal/lintel"
)

// What `lintel demo` needs beyond the scoped store: it acts as the operator
// of the installation, before any staff member exists.

// DemoCompany finds a company by its exact name and counts its leases, so
// the demo can tell "already seeded" (leases > 0) from "never seeded"
// (lintel.ErrNotFound) and from an interrupted earlier run (no leases).
func (db *DB) DemoCompany(ctx context.Context, name string) (id int64, leases int, err error) {
	err = db.view(ctx, func(tx *Tx) error {
		if err := tx.get(ctx, `SELECT id FROM companies WHERE name = $1 ORDER BY id LIMIT 1`, []any{name}, &id); err != nil {
			return err
		}
		return tx.get(ctx, `SELECT COUNT(*) FROM leases WHERE company_id = $1`, []any{id}, &leases)
	})
	return id, leases, err
}

// FillDemoCompanyContact gives company id the contact details email,
// phone and address when it has none at all, so a demo database seeded
// before companies had them shows them too. A company with any detail set
// is left as it is: running the demo again changes nothing.
func (db *DB) FillDemoCompanyContact(ctx context.Context, id int64, email, phone, address string) error {
	return db.update(ctx, func(tx *Tx) error {
		_, err := tx.exec(ctx, `UPDATE companies SET email = $1, phone = $2, address = $3
			WHERE id = $4 AND email = '' AND phone = '' AND address = ''`, email, phone, address, id)
		return err
	})
}

// EnsureVerifiedUser returns the login with email, creating it with name
// and the hash that hash() returns when there is none (hash is only called
// then: Argon2id is slow on purpose). An existing login is marked verified
// if it was not; its password is left alone. created reports whether the
// login is new.
func (db *DB) EnsureVerifiedUser(ctx context.Context, email, name string, hash func() string) (id int64, created bool, err error) {
	email = normEmail(email)
	var verified *string
	err = db.view(ctx, func(tx *Tx) error {
		return tx.get(ctx, `SELECT id, email_verified_at FROM users WHERE email = $1`, []any{email}, &id, &verified)
	})
	switch {
	case err == nil && verified != nil:
		return id, false, nil
	case err == nil:
		err = db.update(ctx, func(tx *Tx) error {
			_, err := tx.exec(ctx, `UPDATE users SET email_verified_at = $1, updated_at = $1 WHERE id = $2 AND email_verified_at IS NULL`, ts(tx.Now), id)
			return err
		})
		return id, false, err
	case !lintel.IsNotFound(err):
		return 0, false, err
	}
	h := hash()
	err = db.update(ctx, func(tx *Tx) error {
		var err error
		id, err = tx.createUser(ctx, email, name, h, true)
		return err
	})
	return id, err == nil, err
}

// RenewDemoTaskLink gives the oldest open visit of the company a new
// contractor link (the hash of a fresh token) and returns its id, so
// `lintel demo` can print a working link on every run: only hashes are
// stored, so the link printed by an earlier run cannot be printed again.
// The old link stops working, as with a manager's "re-send link".
func (db *DB) RenewDemoTaskLink(ctx context.Context, companyID int64, tokenHash string) (visitID int64, err error) {
	err = db.update(ctx, func(tx *Tx) error {
		if err := tx.get(ctx, `SELECT v.id FROM visits v JOIN requests r ON r.id = v.request_id
			WHERE v.company_id = $1 AND v.status IN ('assigned','scheduled') AND v.token_revoked_at IS NULL AND r.status NOT IN ('closed','cancelled')
			ORDER BY v.id LIMIT 1`, []any{companyID}, &visitID); err != nil {
			return err
		}
		_, err := tx.exec(ctx, `UPDATE visits SET token_hash = $1, updated_at = $2 WHERE id = $3`, tokenHash, ts(tx.Now), visitID)
		return err
	})
	return visitID, err
}
