// Package approvals writes the owner-approval e-mails and runs the
// reminders. Asking the owners (from the manager app) and reminding them
// (from the worker here) send the same message, each with a fresh
// one-click link that opens the decision page without signing in; that
// link is made here, and only its hash is stored (sqldb.RequestApproval,
// sqldb.SendApprovalReminder).
package approvals

import (
	"context"
	"fmt"
	"log/slog"
	"net/url"
	"strconv"
	"time"

	"lintel.dev/lintel/internal/auth"
	"lintel.dev/lintel/internal/lintel"
	"lintel.dev/lintel/internal/mail"
	"lintel.dev/lintel/internal/sqldb"
)

// LinkPath is where a one-click link points: /a/<raw token>.
const LinkPath = "/a/"

// Mailer composes the approval e-mails. Links are built from BaseURL,
// never from a request's Host header (SECURITY.md 3).
type Mailer struct {
	BaseURL *url.URL
	// Now is the clock for the expiry date in the e-mail; time.Now when nil.
	Now func() time.Time
}

func (m Mailer) link(path string) string {
	u := *m.BaseURL
	u.Path = path
	u.RawQuery = ""
	return u.String()
}

func (m Mailer) now() time.Time {
	if m.Now == nil {
		return time.Now()
	}
	return m.Now()
}

// OwnerMailData is the data of approval_request.tmpl.
type OwnerMailData struct {
	Name         string
	Company      string
	CompanyPhone string
	Summary      string
	Place        string
	Description  string
	Estimate     string
	Notes        string
	HasQuote     bool
	Link         string // the one-click link
	PortalLink   string
	Expires      string
	Reminder     int // 0 for the first request
	MaxReminders int
}

// OwnerMail composes the message asking one owner to decide (or reminding
// them), with a fresh one-click link. It is the compose callback of
// sqldb.RequestApproval and sqldb.SendApprovalReminder.
func (m Mailer) OwnerMail(n sqldb.ApprovalNotice) (sqldb.OwnerMail, error) {
	raw, hash := auth.NewToken()
	d := OwnerMailData{
		Name: n.Owner.Name, Company: n.CompanyName, CompanyPhone: n.CompanyPhone,
		Summary: n.Request.Summary, Place: Place(n.Request), Description: n.Request.Description,
		Estimate: lintel.FormatMoney(n.Approval.EstimateMinor, n.Currency), Notes: n.Approval.Notes, HasQuote: n.HasQuote,
		Link:       m.link(LinkPath + raw),
		PortalLink: m.link("/portal/approvals/" + strconv.FormatInt(n.Approval.ID, 10)),
		Expires:    m.now().Add(sqldb.ApprovalLinkLife).UTC().Format("2 Jan 2006"),
		Reminder:   n.Reminder, MaxReminders: sqldb.ApprovalMaxReminders,
	}
	c, err := mail.Compose("approval_request", d)
	if err != nil {
		return sqldb.OwnerMail{}, err
	}
	// The key names the event and the owner, so a retried transaction or
	// a second worker never mails the same person twice for it.
	key := fmt.Sprintf("approval_request:%d:%d", n.Approval.ID, n.Owner.ContactID)
	if n.Reminder > 0 {
		key = fmt.Sprintf("approval_reminder:%d:%d:%d", n.Approval.ID, n.Reminder, n.Owner.ContactID)
	}
	return sqldb.OwnerMail{
		Email: lintel.Email{DedupeKey: key, Kind: "approval_request", To: n.Owner.Email, ToName: n.Owner.Name,
			Subject: c.Subject, Text: c.Text, HTML: c.HTML},
		TokenHash: hash,
	}, nil
}

// DecisionMailData is the data of approval_decided.tmpl.
type DecisionMailData struct {
	Name      string // the staff member
	Approved  bool
	DecidedBy string
	Comment   string
	Summary   string
	Place     string
	Estimate  string
	Link      string
}

// DecisionMails composes the messages telling the dispatching staff what
// an owner decided. It is the compose callback of sqldb.DecideApproval.
func (m Mailer) DecisionMails(n sqldb.DecisionNotice) ([]lintel.Email, error) {
	var out []lintel.Email
	for _, st := range n.Staff {
		d := DecisionMailData{
			Name: st.Name, Approved: n.Approval.Status == lintel.ApprovalApproved, DecidedBy: n.Approval.DecidedByName,
			Comment: n.Approval.DecisionComment, Summary: n.Request.Summary, Place: Place(n.Request),
			Estimate: lintel.FormatMoney(n.Approval.EstimateMinor, n.Currency),
			Link:     m.link("/manage/maintenance/" + strconv.FormatInt(n.Request.ID, 10)),
		}
		c, err := mail.Compose("approval_decided", d)
		if err != nil {
			return nil, err
		}
		out = append(out, lintel.Email{DedupeKey: fmt.Sprintf("approval_decided:%d:%s", n.Approval.ID, st.Email), Kind: "approval_decided",
			To: st.Email, ToName: st.Name, Subject: c.Subject, Text: c.Text, HTML: c.HTML})
	}
	return out, nil
}

// Place is where a request's work is, in plain words.
func Place(q lintel.Request) string {
	switch {
	case q.UnitID == 0:
		return q.PropertyName + " (the whole property)"
	case q.CommonArea:
		return q.PropertyName + ", " + q.UnitLabel + " (common area)"
	}
	return q.PropertyName + ", " + q.UnitLabel
}

// Worker sends the reminders to owners who have not answered.
type Worker struct {
	DB     *sqldb.DB
	Mailer Mailer
	Log    *slog.Logger
	// Poll is how often the worker looks for due reminders; 5 minutes when
	// zero. Reminders are days apart, so minutes late is on time.
	Poll time.Duration
}

// Run sends due reminders until ctx ends.
func (w *Worker) Run(ctx context.Context) {
	poll := w.Poll
	if poll == 0 {
		poll = 5 * time.Minute
	}
	t := time.NewTicker(poll)
	defer t.Stop()
	for {
		if _, err := w.RunDue(ctx); err != nil && ctx.Err() == nil {
			w.Log.Error("approval reminders", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// RunDue sends every due reminder and returns how many it sent. Several
// workers (on one node or many) may run it at once: each reminder is
// claimed in the transaction that queues its e-mails.
func (w *Worker) RunDue(ctx context.Context) (int, error) {
	n := 0
	for ctx.Err() == nil {
		id, err := w.DB.SendApprovalReminder(ctx, w.Mailer.OwnerMail)
		if lintel.IsNotFound(err) {
			return n, nil
		}
		if err != nil {
			return n, fmt.Errorf("send approval reminder: %w", err)
		}
		n++
		w.Log.Info("approval reminder sent", "approval", id)
	}
	return n, ctx.Err()
}
