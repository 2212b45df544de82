package web

import (
	"net/http"
	"strconv"

	"lintel.dev/lintel/internal/sqldb"
)

type undeliveredPage struct {
	Page
	// Delayed are the messages still trying (retrying after a failure, or
	// waiting longer than sqldb.MailDelayedAfter), oldest first.
	Delayed []delayedEmail
	Emails  []sqldb.OutboxEmail
	Older   string // link to the next page, "" on the last
}

// delayedEmail is a message still on its way, with its wait in words.
type delayedEmail struct {
	sqldb.OutboxEmail
	Waiting string // "2 hours"
}

// manageUndelivered lists the company's e-mails that are late (still
// retrying, or waiting long) and those that could not be delivered
// (SECURITY.md 31), so a manager can fix an address and send again
// instead of wondering why a tenant never got their invitation.
func (s *Server) manageUndelivered(w http.ResponseWriter, r *http.Request) error {
	before, _ := strconv.ParseInt(r.URL.Query().Get("before"), 10, 64)
	page, err := s.db.UndeliveredEmails(r.Context(), staffOf(r), before, 50)
	if err != nil {
		return err
	}
	p := &undeliveredPage{Page: Page{Title: "E-mails not delivered", Area: "manage", Nav: "dashboard"}, Emails: page.Emails}
	if before == 0 {
		delayed, err := s.db.DelayedEmails(r.Context(), staffOf(r), 50)
		if err != nil {
			return err
		}
		now := s.cfg.Now()
		for _, m := range delayed {
			p.Delayed = append(p.Delayed, delayedEmail{m, ageText(now.Sub(m.CreatedAt))})
		}
	}
	if page.Older != 0 {
		p.Older = "/manage/emails/undelivered?before=" + strconv.FormatInt(page.Older, 10)
	}
	return s.render(w, r, http.StatusOK, "manage/emails_undelivered.html", p)
}
