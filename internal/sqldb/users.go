package sqldb

import (
	"context"
	"strings"

	"lintel.dev/lintel/internal/lintel"
)

// NewUser is a login created outside the invitation and sign-up flows: by
// commands, the demo and test fixtures.
type NewUser struct {
	Email        string
	Name         string
	PasswordHash string
	Verified     bool // the caller vouches for the address
}

// CreateUser creates a login. The e-mail is stored lower-case; a second
// user with the same e-mail is a conflict.
func (db *DB) CreateUser(ctx context.Context, nu NewUser) (int64, error) {
	var id int64
	err := db.update(ctx, func(tx *Tx) error {
		var err error
		id, err = tx.createUser(ctx, normEmail(nu.Email), nu.Name, nu.PasswordHash, nu.Verified)
		return err
	})
	return id, err
}

func (tx *Tx) createUser(ctx context.Context, email, name, passwordHash string, verified bool) (int64, error) {
	var verifiedAt any
	if verified {
		verifiedAt = ts(tx.Now)
	}
	id, err := tx.insert(ctx, `INSERT INTO users (email, name, password_hash, email_verified_at, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $5)`, email, strings.TrimSpace(name), passwordHash, verifiedAt, ts(tx.Now))
	if isConflict(err) {
		return 0, lintel.Conflict("An account with this e-mail already exists. Log in, or reset the password from the log-in page.")
	}
	return id, err
}

// UserByID returns a login by id (for the signed-in person's own pages).
func (db *DB) UserByID(ctx context.Context, id int64) (lintel.User, error) {
	var u lintel.User
	err := db.view(ctx, func(tx *Tx) error {
		return tx.get(ctx, `SELECT id, email, name, phone, password_hash, email_verified_at, disabled_at, created_at FROM users WHERE id = $1`,
			[]any{id}, &u.ID, &u.Email, &u.Name, &u.Phone, &u.PasswordHash, at(&u.EmailVerified), at(&u.Disabled), at(&u.CreatedAt))
	})
	return u, err
}

// SetUserDisabled turns a login off or on. Turning it off ends every
// session of the user in the same transaction, so they are signed out at
// once (SECURITY.md 5). For operators (commands), not for company staff:
// an administrator disables a membership, not a person's whole login.
func (db *DB) SetUserDisabled(ctx context.Context, userID int64, disabled bool) error {
	return db.update(ctx, func(tx *Tx) error {
		var at any
		if disabled {
			at = ts(tx.Now)
		}
		r, err := tx.exec(ctx, `UPDATE users SET disabled_at = $1, updated_at = $2 WHERE id = $3`, at, ts(tx.Now), userID)
		if err != nil {
			return err
		}
		if n, _ := r.RowsAffected(); n == 0 {
			return lintel.ErrNotFound
		}
		if disabled {
			_, err = tx.exec(ctx, `DELETE FROM sessions WHERE user_id = $1`, userID)
		}
		return err
	})
}

// normEmail is the stored form of an e-mail address: trimmed, lower-case.
func normEmail(e string) string { return strings.ToLower(strings.TrimSpace(e)) }
