package sqldb

import (
	"context"
	"time"

	"lintel.dev/lintel/internal/lintel"
)

// QueuedEmails lists the outbox messages addressed to to, oldest first.
// Tests read e-mails here instead of running an SMTP server.
func (db *DB) QueuedEmails(ctx context.Context, to string) ([]lintel.Email, error) {
	var out []lintel.Email
	err := db.view(ctx, func(tx *Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT COALESCE(company_id, 0), dedupe_key, kind, to_email, to_name, subject, text_body, html_body, COALESCE(attachment_file_id, 0)
			FROM outbox WHERE to_email = $1 ORDER BY id`, normEmail(to))
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var m lintel.Email
			if err := rows.Scan(&m.CompanyID, &m.DedupeKey, &m.Kind, &m.To, &m.ToName, &m.Subject, &m.Text, &m.HTML, &m.AttachmentFileID); err != nil {
				return err
			}
			out = append(out, m)
		}
		return rows.Err()
	})
	return out, err
}

// Token purposes, as stored in tokens.purpose.
const (
	PurposeSignup      = "signup"       // a resident proves their e-mail and sets a password
	PurposeReset       = "reset"        // a user sets a new password
	PurposeStaffInvite = "staff_invite" // someone joins a company's staff
)

// Token is what a live one-time token grants. Only its SHA-256 is stored;
// the raw token travels in one e-mailed link.
type Token struct {
	Purpose     string
	Email       string
	UserID      int64 // reset: the account
	CompanyID   int64 // staff_invite, portal welcome
	CompanyName string
	Role        lintel.Role // staff_invite
	InvitedBy   string      // staff_invite: the inviter's name
	HasAccount  bool        // a user with Email exists
	ExpiresAt   time.Time
}

// NewToken is a token to store. Hash is auth.HashToken of the raw token.
type NewToken struct {
	Hash      string
	Purpose   string
	Email     string
	TTL       time.Duration
	UserID    int64
	CompanyID int64
	Role      lintel.Role
	CreatedBy int64
}

func (tx *Tx) insertToken(ctx context.Context, nt NewToken) error {
	var user, company, role, by any
	if nt.UserID != 0 {
		user = nt.UserID
	}
	if nt.CompanyID != 0 {
		company = nt.CompanyID
	}
	if nt.Role != "" {
		role = string(nt.Role)
	}
	if nt.CreatedBy != 0 {
		by = nt.CreatedBy
	}
	_, err := tx.exec(ctx, `INSERT INTO tokens (token_hash, purpose, email, user_id, company_id, role, created_by, created_at, expires_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
		nt.Hash, nt.Purpose, normEmail(nt.Email), user, company, role, by, ts(tx.Now), ts(tx.Now.Add(nt.TTL)))
	return err
}

// IssueToken stores a token and queues the e-mail carrying its link, in
// one transaction: the link is mailed if and only if the token exists.
func (db *DB) IssueToken(ctx context.Context, nt NewToken, m lintel.Email) error {
	return db.update(ctx, func(tx *Tx) error {
		if err := tx.insertToken(ctx, nt); err != nil {
			return err
		}
		return tx.enqueueEmail(ctx, m)
	})
}

// IssueSelfServiceLink issues a link a person asked for themselves (sign-up
// verification, password reset) and queues its e-mail, unless perHour such
// links of the same purpose already went to the address in the last hour:
// then nothing is sent and sent is false (the page the person saw says the
// same either way). The new link ends the address's older live links of
// that purpose, so only the latest e-mail works.
func (db *DB) IssueSelfServiceLink(ctx context.Context, nt NewToken, m lintel.Email, perHour int) (sent bool, err error) {
	err = db.update(ctx, func(tx *Tx) error {
		var recent int
		if err := tx.get(ctx, `SELECT COUNT(*) FROM tokens WHERE email = $1 AND purpose = $2 AND created_at > $3`,
			[]any{nt.Email, nt.Purpose, ts(tx.Now.Add(-time.Hour))}, &recent); err != nil {
			return err
		}
		if recent >= perHour {
			return nil
		}
		if _, err := tx.exec(ctx, `UPDATE tokens SET expires_at = $1 WHERE email = $2 AND purpose = $3 AND used_at IS NULL AND expires_at > $1`,
			ts(tx.Now), nt.Email, nt.Purpose); err != nil {
			return err
		}
		if err := tx.insertToken(ctx, nt); err != nil {
			return err
		}
		sent = true
		return tx.enqueueEmail(ctx, m)
	})
	return sent, err
}

// LiveToken returns what an unused, unexpired token of purpose grants, for
// the page a link opens. It changes nothing: mail scanners open links too.
// Any other token is lintel.ErrNotFound.
func (db *DB) LiveToken(ctx context.Context, purpose, hash string) (Token, error) {
	var t Token
	err := db.view(ctx, func(tx *Tx) error {
		var role string
		err := tx.get(ctx, `SELECT t.purpose, t.email, COALESCE(t.user_id, 0), COALESCE(t.company_id, 0), COALESCE(c.name, ''),
				COALESCE(t.role, ''), COALESCE(b.name, ''), t.expires_at,
				EXISTS (SELECT 1 FROM users u WHERE u.email = t.email)
			FROM tokens t LEFT JOIN companies c ON c.id = t.company_id LEFT JOIN users b ON b.id = t.created_by
			WHERE t.token_hash = $1 AND t.purpose = $2 AND t.used_at IS NULL AND t.expires_at > $3`,
			[]any{hash, purpose, ts(tx.Now)},
			&t.Purpose, &t.Email, &t.UserID, &t.CompanyID, &t.CompanyName, &role, &t.InvitedBy, at(&t.ExpiresAt), &t.HasAccount)
		t.Role = lintel.Role(role)
		return err
	})
	return t, err
}

// useToken marks a live token used and returns it. Of two requests racing
// with one token, exactly one gets it: the UPDATE re-checks used_at under
// the row lock.
func (tx *Tx) useToken(ctx context.Context, purpose, hash string) (Token, error) {
	t := Token{Purpose: purpose}
	var role string
	err := tx.get(ctx, `UPDATE tokens SET used_at = $1
		WHERE token_hash = $2 AND purpose = $3 AND used_at IS NULL AND expires_at > $1
		RETURNING email, COALESCE(user_id, 0), COALESCE(company_id, 0), COALESCE(role, '')`,
		[]any{ts(tx.Now), hash, purpose}, &t.Email, &t.UserID, &t.CompanyID, &role)
	t.Role = lintel.Role(role)
	if lintel.IsNotFound(err) {
		return t, ErrTokenInvalid
	}
	return t, err
}

// ErrTokenInvalid answers a link that was used, has expired or never
// existed; the three are not told apart.
var ErrTokenInvalid = &lintel.Error{Kind: lintel.KindNotFound, Message: "This link has expired or has already been used. Ask for a new one."}

// CompleteSignup uses a sign-up token: it creates the resident's login with
// a verified e-mail (the link proved it) and returns the user id. When an
// account with the e-mail exists already, it answers a conflict and the
// token stays unused.
func (db *DB) CompleteSignup(ctx context.Context, hash, name, passwordHash string) (int64, error) {
	var id int64
	err := db.update(ctx, func(tx *Tx) error {
		t, err := tx.useToken(ctx, PurposeSignup, hash)
		if err != nil {
			return err
		}
		id, err = tx.createUser(ctx, t.Email, name, passwordHash, true)
		if err != nil {
			return err
		}
		return tx.audit(ctx, lintel.AuditEvent{UserID: id, Actor: t.Email, Action: "user.signup", ObjectType: "user", ObjectID: id})
	})
	return id, err
}

// ResetPassword uses a reset token: it sets the account's password, marks
// its e-mail verified (the link proved it), and ends every session of the
// account, so whoever knew the old password is signed out. It returns the
// user id and e-mail.
func (db *DB) ResetPassword(ctx context.Context, hash, passwordHash string) (int64, string, error) {
	var id int64
	var email string
	err := db.update(ctx, func(tx *Tx) error {
		t, err := tx.useToken(ctx, PurposeReset, hash)
		if err != nil {
			return err
		}
		email = t.Email
		err = tx.get(ctx, `UPDATE users SET password_hash = $1, updated_at = $2, email_verified_at = COALESCE(email_verified_at, $2)
			WHERE email = $3 AND disabled_at IS NULL RETURNING id`, []any{passwordHash, ts(tx.Now), t.Email}, &id)
		if lintel.IsNotFound(err) {
			return ErrTokenInvalid
		}
		if err != nil {
			return err
		}
		if _, err := tx.exec(ctx, `DELETE FROM sessions WHERE user_id = $1`, id); err != nil {
			return err
		}
		// Unused reset links die with the old password.
		if _, err := tx.exec(ctx, `UPDATE tokens SET used_at = $1 WHERE email = $2 AND purpose = 'reset' AND used_at IS NULL`, ts(tx.Now), t.Email); err != nil {
			return err
		}
		return tx.audit(ctx, lintel.AuditEvent{UserID: id, Actor: t.Email, Action: "user.password_reset", ObjectType: "user", ObjectID: id})
	})
	return id, email, err
}
