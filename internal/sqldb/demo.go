package sqldb

import (
	"context"
	"time"

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

// AgeDemoRequests spreads a freshly seeded demo company's maintenance over
// the days its problems started, so the demo's lists and timelines read
// like a working week rather than one minute: each request is dated the
// morning after its problem started, its timeline events three hours
// apart (never later than now), and its visits and approvals with them.
func (db *DB) AgeDemoRequests(ctx context.Context, companyID int64) error {
	return db.update(ctx, func(tx *Tx) error {
		type req struct {
			id       int64
			occurred lintel.Date
		}
		rows, err := tx.QueryContext(ctx, `SELECT id, occurred_on FROM requests WHERE company_id = $1 AND occurred_on IS NOT NULL`, companyID)
		if err != nil {
			return err
		}
		var reqs []req
		for rows.Next() {
			var r req
			if err := rows.Scan(&r.id, &r.occurred); err != nil {
				rows.Close()
				return err
			}
			reqs = append(reqs, r)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		latest := tx.Now.Add(-time.Minute)
		capNow := func(t time.Time) time.Time {
			if t.After(latest) {
				return latest
			}
			return t
		}
		const step = 3 * time.Hour
		for _, r := range reqs {
			start := capNow(r.occurred.Time().Add(24*time.Hour + 9*time.Hour + 30*time.Minute))
			events, err := tx.QueryContext(ctx, `SELECT id FROM request_events WHERE request_id = $1 ORDER BY id`, r.id)
			if err != nil {
				return err
			}
			var ids []int64
			for events.Next() {
				var id int64
				if err := events.Scan(&id); err != nil {
					events.Close()
					return err
				}
				ids = append(ids, id)
			}
			events.Close()
			last := start
			for i, id := range ids {
				last = capNow(start.Add(time.Duration(i) * step))
				if _, err := tx.exec(ctx, `UPDATE request_events SET created_at = $1 WHERE id = $2`, ts(last), id); err != nil {
					return err
				}
			}
			first, second, end := ts(start), ts(capNow(start.Add(step))), ts(last)
			for _, u := range []struct {
				q    string
				args []any
			}{
				{`UPDATE requests SET created_at = $1, updated_at = $2, closed_at = CASE WHEN closed_at IS NULL THEN NULL ELSE $2 END WHERE id = $3`, []any{first, end, r.id}},
				{`UPDATE visits SET created_at = $1, updated_at = $2, completed_at = CASE WHEN completed_at IS NULL THEN NULL ELSE $2 END WHERE request_id = $3`, []any{second, end, r.id}},
				{`UPDATE approvals SET created_at = $1, decided_at = CASE WHEN decided_at IS NULL THEN NULL ELSE $2 END WHERE request_id = $3`, []any{second, end, r.id}},
				{`UPDATE request_photos SET created_at = $1 WHERE request_id = $2`, []any{first, r.id}},
			} {
				if _, err := tx.exec(ctx, u.q, u.args...); err != nil {
					return err
				}
			}
		}
		return nil
	})
}
