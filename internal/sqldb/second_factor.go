package sqldb

import (
	"context"
	"strings"
	"time"

	"lintel.dev/lintel/internal/lintel"
)

// SecondFactor is where a login stands with its second factor.
type SecondFactor struct {
	On            bool      // an authenticator app is confirmed: sign-in asks for a code
	Since         time.Time // when it was confirmed
	PendingSecret string    // set-up begun (QR code shown) but no code typed yet
	RecoveryLeft  int       // unused recovery codes
	// Required is set when the login administers a company that requires
	// its administrators to use a second factor: it cannot be turned off.
	Required bool
}

// SecondFactor loads userID's second-factor state.
func (db *DB) SecondFactor(ctx context.Context, userID int64) (SecondFactor, error) {
	var sf SecondFactor
	err := db.view(ctx, func(tx *Tx) error {
		var secret string
		var confirmed time.Time
		err := tx.get(ctx, `SELECT secret, confirmed_at FROM user_totp WHERE user_id = $1`, []any{userID}, &secret, at(&confirmed))
		switch {
		case lintel.IsNotFound(err):
		case err != nil:
			return err
		case confirmed.IsZero():
			sf.PendingSecret = secret
		default:
			sf.On, sf.Since = true, confirmed
		}
		if err := tx.get(ctx, `SELECT COUNT(*) FROM recovery_codes WHERE user_id = $1 AND used_at IS NULL`, []any{userID}, &sf.RecoveryLeft); err != nil {
			return err
		}
		sf.Required, err = tx.secondFactorRequired(ctx, userID)
		return err
	})
	return sf, err
}

// secondFactorRequired reports whether userID is an active administrator
// of a company that requires administrators to use a second factor.
func (tx *Tx) secondFactorRequired(ctx context.Context, userID int64) (bool, error) {
	var n int
	err := tx.get(ctx, `SELECT COUNT(*) FROM memberships m JOIN companies c ON c.id = m.company_id
		WHERE m.user_id = $1 AND m.role = 'admin' AND m.disabled_at IS NULL AND c.admins_need_second_factor`, []any{userID}, &n)
	return n > 0, err
}

// BeginSecondFactor keeps secret as userID's authenticator being set up,
// replacing one begun earlier. A confirmed one stays as it is: it has to be
// turned off first, so a borrowed session cannot swap the person's app.
func (db *DB) BeginSecondFactor(ctx context.Context, userID int64, secret string) error {
	return db.update(ctx, func(tx *Tx) error {
		var confirmed time.Time
		err := tx.get(ctx, `SELECT confirmed_at FROM user_totp WHERE user_id = $1`, []any{userID}, at(&confirmed))
		switch {
		case lintel.IsNotFound(err):
			_, err = tx.exec(ctx, `INSERT INTO user_totp (user_id, secret, created_at) VALUES ($1, $2, $3)`, userID, secret, ts(tx.Now))
			return err
		case err != nil:
			return err
		case !confirmed.IsZero():
			return lintel.Conflict("A second factor is already on for your login. Turn it off first to move to another app.")
		}
		_, err = tx.exec(ctx, `UPDATE user_totp SET secret = $1, created_at = $2, last_step = 0 WHERE user_id = $3`, secret, ts(tx.Now), userID)
		return err
	})
}

// ConfirmSecondFactor turns the authenticator on once the person has typed
// a code from it (step is that code's time step), and stores the hashes of
// their first recovery codes. secret must still be the one being set up:
// if set-up was begun again meanwhile (another tab), the older QR code does
// not count.
func (db *DB) ConfirmSecondFactor(ctx context.Context, userID int64, secret string, step int64, recoveryHashes []string, actor string) error {
	return db.update(ctx, func(tx *Tx) error {
		r, err := tx.exec(ctx, `UPDATE user_totp SET confirmed_at = $1, last_step = $2
			WHERE user_id = $3 AND secret = $4 AND confirmed_at IS NULL`, ts(tx.Now), step, userID, secret)
		if err := oneRow(r, err); err != nil {
			if lintel.IsNotFound(err) {
				return lintel.Conflict("Setting up was started again, perhaps in another tab. Scan the QR code on this page and type a new code.")
			}
			return err
		}
		if err := tx.replaceRecoveryCodes(ctx, userID, recoveryHashes); err != nil {
			return err
		}
		return tx.audit(ctx, lintel.AuditEvent{UserID: userID, Actor: actor, Action: "user.second_factor_on", ObjectType: "user", ObjectID: userID})
	})
}

// TOTPSecret is userID's confirmed authenticator secret, or
// lintel.ErrNotFound when the second factor is off.
func (db *DB) TOTPSecret(ctx context.Context, userID int64) (string, error) {
	var secret string
	err := db.view(ctx, func(tx *Tx) error {
		return tx.get(ctx, `SELECT secret FROM user_totp WHERE user_id = $1 AND confirmed_at IS NOT NULL`, []any{userID}, &secret)
	})
	return secret, err
}

// UseTOTPStep records that a code of time step was accepted for userID,
// and reports false when that step (or a later one) was used already:
// a code works once, on every node at the same time.
func (db *DB) UseTOTPStep(ctx context.Context, userID, step int64) (bool, error) {
	return spendOnce(db.update(ctx, func(tx *Tx) error {
		return oneRow(tx.exec(ctx, `UPDATE user_totp SET last_step = $1 WHERE user_id = $2 AND confirmed_at IS NOT NULL AND last_step < $1`, step, userID))
	}))
}

// spendOnce turns a conditional UPDATE's outcome into "it was still
// there" (one row changed) or "it was not" (lintel.ErrNotFound from oneRow).
func spendOnce(err error) (bool, error) {
	if lintel.IsNotFound(err) {
		return false, nil
	}
	return err == nil, err
}

// UseRecoveryCode spends the recovery code with hash codeHash, reporting
// false when userID has no such unused code.
func (db *DB) UseRecoveryCode(ctx context.Context, userID int64, codeHash string) (bool, error) {
	return spendOnce(db.update(ctx, func(tx *Tx) error {
		return oneRow(tx.exec(ctx, `UPDATE recovery_codes SET used_at = $1
			WHERE user_id = $2 AND code_hash = $3 AND used_at IS NULL
			AND EXISTS (SELECT 1 FROM user_totp t WHERE t.user_id = $2 AND t.confirmed_at IS NOT NULL)`, ts(tx.Now), userID, codeHash))
	}))
}

// ReplaceRecoveryCodes ends every recovery code of userID and keeps the new
// hashes instead.
func (db *DB) ReplaceRecoveryCodes(ctx context.Context, userID int64, hashes []string, actor string) error {
	return db.update(ctx, func(tx *Tx) error {
		if err := tx.replaceRecoveryCodes(ctx, userID, hashes); err != nil {
			return err
		}
		return tx.audit(ctx, lintel.AuditEvent{UserID: userID, Actor: actor, Action: "user.recovery_codes_new", ObjectType: "user", ObjectID: userID})
	})
}

func (tx *Tx) replaceRecoveryCodes(ctx context.Context, userID int64, hashes []string) error {
	if _, err := tx.exec(ctx, `DELETE FROM recovery_codes WHERE user_id = $1`, userID); err != nil {
		return err
	}
	for _, h := range hashes {
		if _, err := tx.exec(ctx, `INSERT INTO recovery_codes (user_id, code_hash) VALUES ($1, $2)`, userID, h); err != nil {
			return err
		}
	}
	return nil
}

// TurnOffSecondFactor removes userID's authenticator and recovery codes.
// An administrator of a company that requires a second factor cannot,
// unless moving to a new app: then newSecret is kept as the one being set
// up, in the same transaction, and they are sent to finish at once.
func (db *DB) TurnOffSecondFactor(ctx context.Context, userID int64, actor, newSecret string) error {
	return db.update(ctx, func(tx *Tx) error {
		required, err := tx.secondFactorRequired(ctx, userID)
		if err != nil {
			return err
		}
		if required && newSecret == "" {
			return lintel.Conflict("Your company requires administrators to use a second factor, so it stays on. To move to a new phone, use “Move to a new phone” with a code from your current app or a recovery code.")
		}
		if _, err := tx.exec(ctx, `DELETE FROM recovery_codes WHERE user_id = $1`, userID); err != nil {
			return err
		}
		r, err := tx.exec(ctx, `DELETE FROM user_totp WHERE user_id = $1`, userID)
		if err := oneRow(r, err); err != nil {
			return err
		}
		if newSecret != "" {
			if _, err := tx.exec(ctx, `INSERT INTO user_totp (user_id, secret, created_at) VALUES ($1, $2, $3)`, userID, newSecret, ts(tx.Now)); err != nil {
				return err
			}
		}
		return tx.audit(ctx, lintel.AuditEvent{UserID: userID, Actor: actor, Action: "user.second_factor_off", ObjectType: "user", ObjectID: userID})
	})
}

// ResetSecondFactor removes the second factor of the login with email,
// whatever its company requires: for Lintel's operator, when someone has
// lost their phone and their recovery codes. lintel.ErrNotFound when that
// login has none.
func (db *DB) ResetSecondFactor(ctx context.Context, email, actor string) error {
	return db.update(ctx, func(tx *Tx) error {
		var userID int64
		if err := tx.get(ctx, `SELECT id FROM users WHERE email = $1`, []any{strings.ToLower(strings.TrimSpace(email))}, &userID); err != nil {
			return err
		}
		if _, err := tx.exec(ctx, `DELETE FROM recovery_codes WHERE user_id = $1`, userID); err != nil {
			return err
		}
		r, err := tx.exec(ctx, `DELETE FROM user_totp WHERE user_id = $1 AND confirmed_at IS NOT NULL`, userID)
		if err := oneRow(r, err); err != nil {
			return err
		}
		return tx.audit(ctx, lintel.AuditEvent{UserID: userID, Actor: actor, Action: "user.second_factor_off", ObjectType: "user", ObjectID: userID})
	})
}

// LoginChallenge is a sign-in waiting for its second factor.
type LoginChallenge struct {
	TokenHash  string
	UserID     int64
	PasswordOK bool
	Next       string
}

// CreateLoginChallenge keeps c until ttl from now, and drops challenges
// that have ended.
func (db *DB) CreateLoginChallenge(ctx context.Context, c LoginChallenge, ttl time.Duration) error {
	return db.update(ctx, func(tx *Tx) error {
		if _, err := tx.exec(ctx, `DELETE FROM login_challenges WHERE expires_at <= $1`, ts(tx.Now)); err != nil {
			return err
		}
		_, err := tx.exec(ctx, `INSERT INTO login_challenges (token_hash, user_id, password_ok, next, created_at, expires_at)
			VALUES ($1, $2, $3, $4, $5, $6)`, c.TokenHash, c.UserID, c.PasswordOK, c.Next, ts(tx.Now), ts(tx.Now.Add(ttl)))
		return err
	})
}

// TakeLoginChallenge returns the live challenge under tokenHash and ends
// it: each one gets exactly one code. lintel.ErrNotFound when there is
// none or it has expired.
func (db *DB) TakeLoginChallenge(ctx context.Context, tokenHash string) (LoginChallenge, error) {
	c := LoginChallenge{TokenHash: tokenHash}
	err := db.update(ctx, func(tx *Tx) error {
		// One statement, so two requests with the same cookie (or two
		// nodes) cannot both read it before either deletes it.
		return tx.get(ctx, `DELETE FROM login_challenges WHERE token_hash = $1 AND expires_at > $2 RETURNING user_id, password_ok, next`,
			[]any{tokenHash, ts(tx.Now)}, &c.UserID, &c.PasswordOK, &c.Next)
	})
	return c, err
}

// LoginChallengeLive reports whether a challenge under tokenHash is
// waiting (the code page shows the form only then).
func (db *DB) LoginChallengeLive(ctx context.Context, tokenHash string) (bool, error) {
	var n int
	err := db.view(ctx, func(tx *Tx) error {
		return tx.get(ctx, `SELECT COUNT(*) FROM login_challenges WHERE token_hash = $1 AND expires_at > $2`, []any{tokenHash, ts(tx.Now)}, &n)
	})
	return n > 0, err
}
