package sqldb

import (
	"context"
	"time"

	"lintel.dev/lintel/internal/lintel"
)

// Session is a signed-in browser. Staff is set when the user is acting as
// a member of a company (their current company); Resident is set for every
// user with a verified e-mail, since any login may also be a resident.
type Session struct {
	TokenHash string
	User      lintel.User
	Staff     *lintel.Staff
	Flash     string
	// AdminSetUpSecondFactor is set when Staff administers a company that
	// requires a second factor and the user has none yet: until they set
	// one up, they are sent to do so.
	AdminSetUpSecondFactor bool
	IdleUntil              time.Time
	ExpiresAt              time.Time
	LastSeen               time.Time
}

// Resident returns the portal actor for the session's user.
func (s *Session) Resident() lintel.Resident {
	return lintel.Resident{UserID: s.User.ID, Email: s.User.Email, Name: s.User.Name}
}

// SessionLimits are the idle and absolute lifetimes of a session.
type SessionLimits struct {
	Idle, Absolute time.Duration
}

// CreateSession stores a new session for userID under tokenHash, acting in
// the user's first company when they are staff. limits picks the
// lifetimes for staff or residents.
func (db *DB) CreateSession(ctx context.Context, userID int64, tokenHash, ip, userAgent string, staff, resident SessionLimits) error {
	return db.update(ctx, func(tx *Tx) error {
		var company any
		var cid int64
		err := tx.get(ctx, `SELECT m.company_id FROM memberships m JOIN companies c ON c.id = m.company_id
			WHERE m.user_id = $1 AND m.disabled_at IS NULL ORDER BY c.name, c.id LIMIT 1`, []any{userID}, &cid)
		limits := resident
		switch {
		case err == nil:
			company, limits = cid, staff
		case !lintel.IsNotFound(err):
			return err
		}
		if len(userAgent) > 300 {
			userAgent = userAgent[:300]
		}
		_, err = tx.exec(ctx, `INSERT INTO sessions (token_hash, user_id, company_id, created_at, last_seen_at, idle_until, expires_at, ip, user_agent)
			VALUES ($1, $2, $3, $4, $4, $5, $6, $7, $8)`,
			tokenHash, userID, company, ts(tx.Now), ts(tx.Now.Add(limits.Idle)), ts(tx.Now.Add(limits.Absolute)), ip, userAgent)
		return err
	})
}

// SessionByToken loads a live session: not expired, not idle too long, its
// user not disabled. Anything else is lintel.ErrNotFound.
func (db *DB) SessionByToken(ctx context.Context, tokenHash string) (*Session, error) {
	s := &Session{TokenHash: tokenHash}
	err := db.view(ctx, func(tx *Tx) error {
		var company *int64
		now := ts(tx.Now)
		err := tx.get(ctx, `SELECT u.id, u.email, u.name, u.phone, u.language, u.email_verified_at, s.company_id, s.flash, s.idle_until, s.expires_at, s.last_seen_at,
				EXISTS (SELECT 1 FROM user_totp t WHERE t.user_id = u.id AND t.confirmed_at IS NOT NULL)
			FROM sessions s JOIN users u ON u.id = s.user_id
			WHERE s.token_hash = $1 AND s.expires_at > $2 AND s.idle_until > $2 AND u.disabled_at IS NULL`,
			[]any{tokenHash, now},
			&s.User.ID, &s.User.Email, &s.User.Name, &s.User.Phone, &s.User.Language, at(&s.User.EmailVerified), &company, &s.Flash,
			at(&s.IdleUntil), at(&s.ExpiresAt), at(&s.LastSeen), &s.User.SecondFactor)
		if err != nil {
			return err
		}
		if company == nil {
			return nil
		}
		st := lintel.Staff{UserID: s.User.ID, CompanyID: *company, Name: s.User.Name}
		var required bool
		err = tx.get(ctx, `SELECT m.role, c.admins_need_second_factor FROM memberships m JOIN companies c ON c.id = m.company_id
			WHERE m.company_id = $1 AND m.user_id = $2 AND m.disabled_at IS NULL`,
			[]any{*company, s.User.ID}, &st.Role, &required)
		if lintel.IsNotFound(err) {
			return nil // membership ended: the session stays a resident one
		}
		if err != nil {
			return err
		}
		s.Staff = &st
		s.AdminSetUpSecondFactor = required && st.Role == lintel.RoleAdmin && !s.User.SecondFactor
		return nil
	})
	if err != nil {
		return nil, err
	}
	return s, nil
}

// TouchSession extends the idle deadline. Callers do it at most once a
// minute per session to keep reads cheap.
func (db *DB) TouchSession(ctx context.Context, tokenHash string, idle time.Duration) error {
	return db.update(ctx, func(tx *Tx) error {
		_, err := tx.exec(ctx, `UPDATE sessions SET last_seen_at = $1, idle_until = $2 WHERE token_hash = $3`,
			ts(tx.Now), ts(tx.Now.Add(idle)), tokenHash)
		return err
	})
}

// DeleteSession ends one session (log out).
func (db *DB) DeleteSession(ctx context.Context, tokenHash string) error {
	return db.update(ctx, func(tx *Tx) error {
		_, err := tx.exec(ctx, `DELETE FROM sessions WHERE token_hash = $1`, tokenHash)
		return err
	})
}

// DeleteUserSessions ends every session of a user (log out everywhere,
// password change, disabling).
func (db *DB) DeleteUserSessions(ctx context.Context, userID int64) error {
	return db.update(ctx, func(tx *Tx) error {
		_, err := tx.exec(ctx, `DELETE FROM sessions WHERE user_id = $1`, userID)
		return err
	})
}

// SetFlash stores a one-time message to show on the session's next page.
func (db *DB) SetFlash(ctx context.Context, tokenHash, msg string) error {
	return db.update(ctx, func(tx *Tx) error {
		_, err := tx.exec(ctx, `UPDATE sessions SET flash = $1 WHERE token_hash = $2`, msg, tokenHash)
		return err
	})
}

// ClearFlash removes the one-time message once it has been shown.
func (db *DB) ClearFlash(ctx context.Context, tokenHash string) error {
	return db.SetFlash(ctx, tokenHash, "")
}

// SwitchCompany makes companyID the session's current company, if the user
// is an active member of it. Staff access always runs under the staff
// limits: a session that began as a resident one (7 days idle, 30 days in
// all) has its deadlines cut to staff's, counted from when it began, so
// one that is already older than staff allows ends and its holder logs in
// again.
func (db *DB) SwitchCompany(ctx context.Context, tokenHash string, userID, companyID int64, staff SessionLimits) error {
	return db.update(ctx, func(tx *Tx) error {
		var created time.Time
		err := tx.get(ctx, `SELECT created_at FROM sessions WHERE token_hash = $1 AND user_id = $2`, []any{tokenHash, userID}, at(&created))
		if err != nil {
			return err
		}
		idle, expires := ts(tx.Now.Add(staff.Idle)), ts(created.Add(staff.Absolute))
		r, err := tx.exec(ctx, `UPDATE sessions SET company_id = $1,
				idle_until = CASE WHEN idle_until > $4 THEN $4 ELSE idle_until END,
				expires_at = CASE WHEN expires_at > $5 THEN $5 ELSE expires_at END
			WHERE token_hash = $2 AND user_id = $3
			AND EXISTS (SELECT 1 FROM memberships m WHERE m.company_id = $1 AND m.user_id = $3 AND m.disabled_at IS NULL)`,
			companyID, tokenHash, userID, idle, expires)
		if err != nil {
			return err
		}
		if n, _ := r.RowsAffected(); n == 0 {
			return lintel.ErrNotFound
		}
		return nil
	})
}

// Memberships lists the companies a user is staff of.
func (db *DB) Memberships(ctx context.Context, userID int64) ([]lintel.Membership, error) {
	var out []lintel.Membership
	err := db.view(ctx, func(tx *Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT m.company_id, c.name, m.role FROM memberships m JOIN companies c ON c.id = m.company_id
			WHERE m.user_id = $1 AND m.disabled_at IS NULL ORDER BY c.name, c.id`, userID)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			m := lintel.Membership{UserID: userID}
			if err := rows.Scan(&m.CompanyID, &m.CompanyName, &m.Role); err != nil {
				return err
			}
			out = append(out, m)
		}
		return rows.Err()
	})
	return out, err
}
