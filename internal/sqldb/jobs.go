package sqldb

import (
	"context"
	"strconv"
	"strings"
	"time"

	"lintel.dev/lintel/internal/lintel"
)

// Job is deferred work, run by a worker off the request path (for example
// the sign-up check, so the answer on screen takes the same time whether or
// not the e-mail matched anything).
type Job struct {
	ID       int64
	Kind     string
	Payload  string // JSON
	Attempts int    // including this one
}

// EnqueueJob stores a job of kind to run now.
func (db *DB) EnqueueJob(ctx context.Context, kind, payload string) error {
	return db.update(ctx, func(tx *Tx) error {
		_, err := tx.exec(ctx, `INSERT INTO jobs (kind, payload, run_at, created_at) VALUES ($1, $2, $3, $3)`, kind, payload, ts(tx.Now))
		return err
	})
}

// ClaimJob takes the next due job of one of kinds for lease, so that no
// other worker (on this node or another) runs it meanwhile; a worker that
// dies loses the claim when the lease ends. No due job is lintel.ErrNotFound.
//
// The claim is one UPDATE whose WHERE clause re-checks claimed_until: on
// PostgreSQL a second worker racing for the same row waits for the first
// and then finds it claimed; on SQLite writers are serialised anyway.
func (db *DB) ClaimJob(ctx context.Context, kinds []string, lease time.Duration) (Job, error) {
	var j Job
	err := db.update(ctx, func(tx *Tx) error {
		args := []any{ts(tx.Now), ts(tx.Now.Add(lease))}
		for _, k := range kinds {
			args = append(args, k)
		}
		return tx.get(ctx, claimJobSQL(len(kinds)), args, &j.ID, &j.Kind, &j.Payload, &j.Attempts)
	})
	return j, err
}

// claimJobSQL claims the next due job of one of n kinds ($3...). The
// inner SELECT walks the partial index jobs_due (0018), which holds only
// the jobs not done, so a poll does not grow with the jobs ever run.
func claimJobSQL(n int) string {
	ph := make([]string, n)
	for i := range ph {
		ph[i] = "$" + strconv.Itoa(i+3)
	}
	return `UPDATE jobs SET claimed_until = $2, attempts = attempts + 1
		WHERE id = (SELECT id FROM jobs WHERE done_at IS NULL AND run_at <= $1 AND (claimed_until IS NULL OR claimed_until <= $1)
			AND kind IN (` + strings.Join(ph, ", ") + `) ORDER BY run_at, id LIMIT 1)
		AND done_at IS NULL AND (claimed_until IS NULL OR claimed_until <= $1)
		RETURNING id, kind, payload, attempts`
}

// FinishJob marks a claimed job done.
func (db *DB) FinishJob(ctx context.Context, id int64) error {
	return db.update(ctx, func(tx *Tx) error {
		_, err := tx.exec(ctx, `UPDATE jobs SET done_at = $1, claimed_until = NULL, last_error = '' WHERE id = $2`, ts(tx.Now), id)
		return err
	})
}

// RetryJob releases a failed job to run again after delay, keeping the
// error for operators. A job that should not run again is finished with
// giveUp, its error kept.
func (db *DB) RetryJob(ctx context.Context, id int64, errMsg string, delay time.Duration, giveUp bool) error {
	if len(errMsg) > 1000 {
		errMsg = errMsg[:1000]
	}
	return db.update(ctx, func(tx *Tx) error {
		var done any
		if giveUp {
			done = ts(tx.Now)
		}
		_, err := tx.exec(ctx, `UPDATE jobs SET claimed_until = NULL, run_at = $1, last_error = $2, done_at = $3 WHERE id = $4`,
			ts(tx.Now.Add(delay)), errMsg, done, id)
		return err
	})
}

// PendingJobs counts jobs of kind not yet done (for tests and health pages).
func (db *DB) PendingJobs(ctx context.Context, kind string) (int, error) {
	var n int
	err := db.view(ctx, func(tx *Tx) error {
		return tx.get(ctx, `SELECT COUNT(*) FROM jobs WHERE kind = $1 AND done_at IS NULL`, []any{kind}, &n)
	})
	return n, err
}

// SignupLookup is what the sign-up and reset checks find for an e-mail.
type SignupLookup struct {
	// Contact is the name of a tenant or owner contact (not archived) with
	// the e-mail, in any company; "" when there is none.
	Contact string
	// User is the login with the e-mail; ID 0 when there is none.
	User lintel.User
}

// LookupSignup finds the contacts and the login behind an e-mail. Only
// the deferred sign-up and reset checks call it: its answer must never
// reach the person asking.
func (db *DB) LookupSignup(ctx context.Context, email string) (SignupLookup, error) {
	var l SignupLookup
	email = normEmail(email)
	err := db.view(ctx, func(tx *Tx) error {
		err := tx.get(ctx, `SELECT c.name FROM contact_emails ce JOIN contacts c ON c.id = ce.contact_id AND c.company_id = ce.company_id
			WHERE ce.email = $1 AND c.archived_at IS NULL AND (c.is_tenant OR c.is_owner) ORDER BY c.id LIMIT 1`,
			[]any{email}, &l.Contact)
		if err != nil && !lintel.IsNotFound(err) {
			return err
		}
		u := &l.User
		err = tx.get(ctx, `SELECT id, email, name, email_verified_at, disabled_at FROM users WHERE email = $1`,
			[]any{email}, &u.ID, &u.Email, &u.Name, at(&u.EmailVerified), at(&u.Disabled))
		if err != nil && !lintel.IsNotFound(err) {
			return err
		}
		return nil
	})
	return l, err
}
