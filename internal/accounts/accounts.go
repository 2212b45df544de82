// Package accounts does the account work that must not happen on the
// request path: the sign-up and password-reset checks. The pages that take
// an e-mail only queue a job and always answer the same, in the same time,
// so nobody can learn from them which e-mails have accounts or contacts
// (SECURITY.md 2); the worker here looks the e-mail up and mails the one
// person who owns it. It also composes the account e-mails (invitations,
// welcome links) so their wording lives in one place.
package accounts

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"time"

	"lintel.dev/lintel/internal/auth"
	"lintel.dev/lintel/internal/lintel"
	"lintel.dev/lintel/internal/mail"
	"lintel.dev/lintel/internal/sqldb"
)

// Job kinds handled by the Worker.
const (
	KindSignupCheck = "signup_check"
	KindResetCheck  = "reset_check"
)

// Token lifetimes (SECURITY.md 3).
const (
	// VerifyTTL bounds links a person asked for themselves: sign-up
	// verification and password reset. They act within minutes.
	VerifyTTL = 60 * time.Minute
	// InviteTTL bounds links one person sends another (staff invitations,
	// portal welcome e-mails): the invitee may not read mail within the
	// hour. Project choice: 7 days. They stay single use and hashed, and a
	// resident whose welcome link expired can sign up at /signup anyway.
	InviteTTL = 7 * 24 * time.Hour
)

// LinksPerHour caps the sign-up and reset e-mails one address receives
// in an hour (SECURITY.md 4): anyone can type an address into those
// forms, and each mail carries a working link. Project choice: 5.
const LinksPerHour = 5

type checkPayload struct {
	Email string `json:"email"`
}

// RequestSignup queues the sign-up check for email. It does the same work
// whatever the e-mail is.
func RequestSignup(ctx context.Context, db *sqldb.DB, email string) error {
	return enqueue(ctx, db, KindSignupCheck, email)
}

// RequestReset queues the password-reset check for email. It does the same
// work whatever the e-mail is.
func RequestReset(ctx context.Context, db *sqldb.DB, email string) error {
	return enqueue(ctx, db, KindResetCheck, email)
}

func enqueue(ctx context.Context, db *sqldb.DB, kind, email string) error {
	b, err := json.Marshal(checkPayload{Email: email})
	if err != nil {
		return err
	}
	return db.EnqueueJob(ctx, kind, string(b))
}

// Link builds an absolute link from the configured base URL, never from a
// request's Host header (SECURITY.md 3).
func Link(base *url.URL, path string, query url.Values) string {
	u := *base
	u.Path = path
	u.RawQuery = query.Encode()
	return u.String()
}

// Worker runs the account jobs.
type Worker struct {
	DB      *sqldb.DB
	BaseURL *url.URL
	Log     *slog.Logger
	// Poll is how often the worker looks for due jobs; 2 s when zero.
	Poll time.Duration
}

// maxAttempts is how often a failing job is tried before it is given up.
const maxAttempts = 6

// Run processes jobs until ctx ends.
func (w *Worker) Run(ctx context.Context) {
	poll := w.Poll
	if poll == 0 {
		poll = 2 * time.Second
	}
	t := time.NewTicker(poll)
	defer t.Stop()
	lastPurge := time.Time{}
	for {
		if _, err := w.RunDue(ctx); err != nil && ctx.Err() == nil {
			w.Log.Error("account jobs", "err", err)
		}
		if time.Since(lastPurge) > time.Hour {
			if err := w.DB.PurgeThrottle(ctx); err != nil && ctx.Err() == nil {
				w.Log.Warn("purge throttle counters", "err", err)
			}
			lastPurge = time.Now()
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// RunDue processes every due job and returns how many it ran. Tests call
// it to run the checks a request queued.
func (w *Worker) RunDue(ctx context.Context) (int, error) {
	n := 0
	for ctx.Err() == nil {
		j, err := w.DB.ClaimJob(ctx, []string{KindSignupCheck, KindResetCheck}, 5*time.Minute)
		if lintel.IsNotFound(err) {
			return n, nil
		}
		if err != nil {
			return n, err
		}
		n++
		if err := w.Process(ctx, j); err != nil {
			giveUp := j.Attempts >= maxAttempts
			w.Log.Warn("account job failed", "job", j.ID, "kind", j.Kind, "attempt", j.Attempts, "giving_up", giveUp, "err", err)
			delay := time.Duration(j.Attempts*j.Attempts) * 10 * time.Second
			if rerr := w.DB.RetryJob(ctx, j.ID, err.Error(), delay, giveUp); rerr != nil {
				return n, errors.Join(err, rerr)
			}
			continue
		}
		if err := w.DB.FinishJob(ctx, j.ID); err != nil {
			return n, err
		}
	}
	return n, ctx.Err()
}

// Process runs one job. The e-mails' dedupe keys name the job, so a job
// retried after a crash never mails twice.
func (w *Worker) Process(ctx context.Context, j sqldb.Job) error {
	var p checkPayload
	if err := json.Unmarshal([]byte(j.Payload), &p); err != nil {
		return fmt.Errorf("job %d payload: %w", j.ID, err)
	}
	l, err := w.DB.LookupSignup(ctx, p.Email)
	if err != nil {
		return err
	}
	hasUser := l.User.ID != 0
	if hasUser && !l.User.Disabled.IsZero() {
		return nil // a turned-off account gets no links
	}
	key := fmt.Sprintf("%s:%d", j.Kind, j.ID)
	switch {
	case hasUser && j.Kind == KindSignupCheck:
		return w.sendLink(ctx, key, sqldb.PurposeReset, l.User.Email, l.User.Name, "account_exists", "/password/reset")
	case hasUser:
		return w.sendLink(ctx, key, sqldb.PurposeReset, l.User.Email, l.User.Name, "password_reset", "/password/reset")
	case l.Contact != "":
		// A reset for a resident who never signed up is answered with the
		// sign-up link: that is what they need.
		return w.sendLink(ctx, key, sqldb.PurposeSignup, p.Email, l.Contact, "signup_verify", "/signup/verify")
	}
	return nil
}

// LinkMail is the data of the e-mails that carry one link.
type LinkMail struct {
	Name      string
	Link      string
	LoginLink string
	ValidFor  string
}

func (w *Worker) sendLink(ctx context.Context, key, purpose, to, name, template, path string) error {
	raw, hash := auth.NewToken()
	c, err := mail.Compose(template, LinkMail{
		Name: name, Link: Link(w.BaseURL, path, url.Values{"token": {raw}}),
		LoginLink: Link(w.BaseURL, "/login", nil), ValidFor: "60 minutes",
	})
	if err != nil {
		return err
	}
	sent, err := w.DB.IssueSelfServiceLink(ctx, sqldb.NewToken{Hash: hash, Purpose: purpose, Email: to, TTL: VerifyTTL},
		lintel.Email{DedupeKey: key, Kind: template, To: to, ToName: name, Subject: c.Subject, Text: c.Text, HTML: c.HTML}, LinksPerHour)
	if err == nil && !sent {
		w.Log.Info("self-service link not sent: the address had its hourly limit", "kind", template)
	}
	return err
}

// StaffInviteMail is the data of the staff invitation e-mail.
type StaffInviteMail struct {
	InvitedBy string
	Company   string
	Role      string
	Link      string
	Expires   string
}

// StaffInviteEmail composes the invitation to join company's staff. key
// makes the message unique (the token's hash will do).
func StaffInviteEmail(key, to string, d StaffInviteMail) (lintel.Email, error) {
	c, err := mail.Compose("staff_invite", d)
	if err != nil {
		return lintel.Email{}, err
	}
	return lintel.Email{DedupeKey: "staff_invite:" + key, Kind: "staff_invite", To: to, Subject: c.Subject, Text: c.Text, HTML: c.HTML}, nil
}

// WelcomeMail is the data of the portal welcome e-mail.
type WelcomeMail struct {
	Name       string
	Company    string
	Link       string // the sign-up link, or the log-in page when HasAccount
	SignupLink string
	HelpLink   string // the portal's help pages; "" leaves the line out
	Expires    string
	HasAccount bool
}

// WelcomeEmail composes a manager's invitation to the portal.
func WelcomeEmail(key, to string, d WelcomeMail) (lintel.Email, error) {
	c, err := mail.Compose("portal_welcome", d)
	if err != nil {
		return lintel.Email{}, err
	}
	return lintel.Email{DedupeKey: "portal_welcome:" + key, Kind: "portal_welcome", To: to, ToName: d.Name, Subject: c.Subject, Text: c.Text, HTML: c.HTML}, nil
}
