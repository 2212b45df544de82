package web

import (
	"html/template"
	"net/http"
	"regexp"
	"strconv"
	"strings"

	"lintel.dev/lintel/internal/lintel"
	"lintel.dev/lintel/internal/sqldb"
)

// The development mailbox shows queued e-mails, links and all, when no SMTP
// server is configured, so the demo and local development work without
// one. The devOnly access level serves it only in that mode and only to an
// administrator or a visitor on the machine itself (a loopback address).
// A signed-in administrator sees only their own company's mail, wherever
// they connect from, so no company reads another's links (SECURITY.md 11).
// Everything, account mail included, is shown only to a visitor on the
// machine itself who is not signed in.

type devMailboxPage struct {
	Page
	Emails []sqldb.OutboxEmail
	Older  int64 // before-cursor of the next (older) page; 0 on the last page
	Paged  bool  // this is not the newest page
}

// devMailbox lists the messages, newest first.
func (s *Server) devMailbox(w http.ResponseWriter, r *http.Request) error {
	before, _ := strconv.ParseInt(r.URL.Query().Get("before"), 10, 64)
	st, err := mailboxScope(r)
	if err != nil {
		return err
	}
	var page sqldb.EmailPage
	if st != nil {
		page, err = s.db.CompanyDevMailbox(r.Context(), *st, max(before, 0), 0)
	} else {
		page, err = s.db.DevMailbox(r.Context(), max(before, 0), 0)
	}
	if err != nil {
		return err
	}
	return s.render(w, r, http.StatusOK, "dev/mailbox.html", &devMailboxPage{
		Page: Page{Title: "Development mailbox"}, Emails: page.Emails, Older: page.Older, Paged: before > 0,
	})
}

type devMessagePage struct {
	Page
	Email sqldb.OutboxEmail
	Text  template.HTML // the plain-text body, escaped, with its links made clickable
}

// devMailboxMessage shows one message: its envelope, the plain-text body
// with clickable links, and the HTML body in a sandboxed frame.
func (s *Server) devMailboxMessage(w http.ResponseWriter, r *http.Request) error {
	m, err := s.devMailboxEmail(r)
	if err != nil {
		return err
	}
	return s.render(w, r, http.StatusOK, "dev/message.html", &devMessagePage{
		Page: Page{Title: m.Subject}, Email: m, Text: linkify(m.Text),
	})
}

// devMailboxCSP lets e-mail HTML show its inline styles and data: images
// and nothing else: no script, no forms, no requests (the sandbox gives it
// an opaque origin too). Only the mailbox page itself may frame it.
const devMailboxCSP = "sandbox; default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'self'"

// devMailboxHTML serves a message's HTML body as it would reach a mail
// program, fenced off by devMailboxCSP.
func (s *Server) devMailboxHTML(w http.ResponseWriter, r *http.Request) error {
	m, err := s.devMailboxEmail(r)
	if err != nil {
		return err
	}
	if m.HTML == "" {
		return lintel.ErrNotFound
	}
	h := w.Header()
	h.Set("Content-Security-Policy", devMailboxCSP)
	h.Set("X-Frame-Options", "SAMEORIGIN")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write([]byte(m.HTML))
	return nil
}

func (s *Server) devMailboxEmail(r *http.Request) (sqldb.OutboxEmail, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return sqldb.OutboxEmail{}, lintel.ErrNotFound
	}
	st, err := mailboxScope(r)
	switch {
	case err != nil:
		return sqldb.OutboxEmail{}, err
	case st != nil:
		return s.db.CompanyDevMailboxEmail(r.Context(), *st, id)
	}
	return s.db.DevMailboxEmail(r.Context(), id)
}

// mailboxScope is the administrator whose company's mail the mailbox is
// limited to, or nil for a visitor on the machine itself who is not signed
// in, who sees everything. Anyone else signed in, staff of any role or a
// resident, sees nothing: behind a reverse proxy on the same machine every
// visitor is on loopback, and a session must not widen what they see.
func mailboxScope(r *http.Request) (*lintel.Staff, error) {
	sess := sessionOf(r)
	switch {
	case sess == nil:
		return nil, nil
	case sess.Staff != nil && sess.Staff.Role == lintel.RoleAdmin:
		return sess.Staff, nil
	}
	return nil, lintel.ErrNotFound
}

// mailLinkRE finds web links in a plain-text body. Trailing punctuation is
// left out: "Open https://x/y." links to https://x/y.
var mailLinkRE = regexp.MustCompile(`https?://[^\s<>"']*[^\s<>"'.,;:!?)\]]`)

// linkify escapes text for HTML, keeps its line breaks and turns its
// http(s) links into anchors. Only the matched links become markup, and
// they are escaped too, so the body cannot inject anything.
func linkify(text string) template.HTML {
	var b strings.Builder
	plain := func(s string) {
		b.WriteString(strings.ReplaceAll(template.HTMLEscapeString(s), "\n", "<br>\n"))
	}
	last := 0
	for _, loc := range mailLinkRE.FindAllStringIndex(text, -1) {
		plain(text[last:loc[0]])
		u := template.HTMLEscapeString(text[loc[0]:loc[1]])
		// <wbr> lets a long link wrap at its slashes on a phone.
		b.WriteString(`<a href="` + u + `">` + strings.ReplaceAll(u, "/", "/<wbr>") + `</a>`)
		last = loc[1]
	}
	plain(text[last:])
	return template.HTML(b.String())
}
