package web

import (
	"context"
	"errors"
	"fmt"
	"math"
	"net/http"
	"strconv"
	"time"

	"lintel.dev/lintel/internal/approvals"
	"lintel.dev/lintel/internal/auth"
	"lintel.dev/lintel/internal/lintel"
	"lintel.dev/lintel/internal/sqldb"
)

// The owner's side of approvals: the portal pages (signed in) and the
// one-click link from the e-mail (no sign-in). Both show the same decision
// page; opening either changes nothing, and only a POST decides.

type approvalListPage struct {
	Page
	Items []sqldb.ApprovalItem
}

// Waiting counts the approvals still waiting for a decision.
func (p *approvalListPage) Waiting() int {
	n := 0
	for _, it := range p.Items {
		if it.Open() {
			n++
		}
	}
	return n
}

// portalApprovals lists the approvals of the resident's assets, those
// waiting for a decision first.
func (s *Server) portalApprovals(w http.ResponseWriter, r *http.Request) error {
	items, err := s.db.OwnerApprovals(r.Context(), residentOf(r), 0)
	if err != nil {
		return err
	}
	return s.render(w, r, http.StatusOK, "approvals/list.html", &approvalListPage{
		Page: Page{Title: "Approvals", Area: "portal", Nav: "maintenance"}, Items: items,
	})
}

type approvalDecisionPage struct {
	Page
	V        sqldb.ApprovalView
	Form     Form
	Alert    string
	Action   string // where the decision is posted
	QuoteURL string
	ViaLink  bool   // opened from the e-mailed link, not signed in
	Thanks   string // after deciding from the link (no session for a flash)
}

// QuoteSize is the quote's size in words people read.
func (p *approvalDecisionPage) QuoteSize() string {
	n := p.V.Quote.Size
	switch {
	case n >= 1<<20:
		return p.T("%.1f MB", float64(n)/(1<<20))
	case n >= 1<<10:
		return p.T("%d KB", n>>10)
	}
	return p.T("%d bytes", n)
}

// Decided says who decided and when, as one sentence per case so each
// language can order it its own way. Decisions are shown in UTC, as the
// manager's records are.
func (p *approvalDecisionPage) Decided() string {
	a := p.V.Approval
	day, at := p.DayOf(a.DecidedAt), a.DecidedAt.UTC().Format("15:04")
	approved := a.Status == lintel.ApprovalApproved
	switch {
	case a.DecidedByName == "":
		return p.T("Approved by %s (under the property's approval limit) on %s at %s UTC.", p.V.CompanyName, day, at)
	case p.V.DecidedByViewer() && approved:
		return p.T("Approved by %s (you) on %s at %s UTC.", a.DecidedByName, day, at)
	case p.V.DecidedByViewer():
		return p.T("Declined by %s (you) on %s at %s UTC.", a.DecidedByName, day, at)
	case approved:
		return p.T("Approved by %s on %s at %s UTC.", a.DecidedByName, day, at)
	}
	return p.T("Declined by %s on %s at %s UTC.", a.DecidedByName, day, at)
}

// Place is where the work is.
func (p *approvalDecisionPage) Place() string { return approvals.Place(p.V.Request) }

func (s *Server) renderDecision(w http.ResponseWriter, r *http.Request, status int, p *approvalDecisionPage) error {
	p.Title = "Approve maintenance work?"
	if !p.V.Open() {
		p.Title = "Maintenance approval"
	}
	if p.Form.Values == nil {
		p.Form = NewForm()
	}
	return s.render(w, r, status, "approvals/decide.html", p)
}

// decisionFrom reads the decision form: which button, the comment, and
// the request's version when the page was loaded.
func decisionFrom(f Form, r *http.Request) (sqldb.Decision, bool) {
	d := sqldb.Decision{Comment: f.Get("comment"), Version: versionOf(f), IP: clientIP(r)}
	switch f.Get("decision") {
	case "approve":
		d.Approve = true
	case "decline":
	default:
		f.Errors.Add("decision", "Choose Approve or Decline.")
		return d, false
	}
	return d, true
}

// portalApproval shows the decision page to an owner of the asset.
func (s *Server) portalApproval(w http.ResponseWriter, r *http.Request) error {
	id, err := idParam(r)
	if err != nil {
		return err
	}
	v, err := s.db.ResidentApproval(r.Context(), residentOf(r), id)
	if err != nil {
		return err
	}
	return s.renderDecision(w, r, http.StatusOK, s.portalDecisionPage(v, Form{}, ""))
}

func (s *Server) portalDecisionPage(v sqldb.ApprovalView, f Form, alert string) *approvalDecisionPage {
	base := "/portal/approvals/" + strconv.FormatInt(v.Approval.ID, 10)
	return &approvalDecisionPage{Page: Page{Area: "portal", Nav: "maintenance"}, V: v, Form: f, Alert: alert, Action: base, QuoteURL: base + "/quote"}
}

// portalDecide records a signed-in owner's decision.
func (s *Server) portalDecide(w http.ResponseWriter, r *http.Request) error {
	id, err := idParam(r)
	if err != nil {
		return err
	}
	res := residentOf(r)
	ctx := r.Context()
	// Scope first: a stranger's POST is 404 whatever it carries.
	v, err := s.db.ResidentApproval(ctx, res, id)
	if err != nil {
		return err
	}
	f, err := formFrom(w, r)
	if err != nil {
		return err
	}
	back := "/portal/approvals/" + strconv.FormatInt(id, 10)
	d, ok := decisionFrom(f, r)
	if ok {
		err = s.db.DecideApproval(ctx, res, id, d, s.mailer().DecisionMails)
		if err == nil {
			s.flash(r, thanks(d))
			return redirect(w, r, back)
		}
		if lintel.IsNotFound(err) {
			return err
		}
		if lintel.KindOf(err) == lintel.KindConflict {
			// Another owner was first, or the manager withdrew it: the page
			// now shows who decided.
			s.flash(r, portalMsg(r, lintel.MessageOf(err)))
			return redirect(w, r, back)
		}
		if !f.Merge(err) {
			return err
		}
	}
	return s.renderDecision(w, r, http.StatusUnprocessableEntity, s.portalDecisionPage(v, f, ""))
}

func thanks(d sqldb.Decision) string {
	if d.Approve {
		return "Thank you: you approved the work. Your property manager has been told and will arrange it."
	}
	return "Thank you: you declined the work. Your property manager has been told and will get back to you."
}

// portalApprovalQuote serves the quote to an owner of the asset.
func (s *Server) portalApprovalQuote(w http.ResponseWriter, r *http.Request) error {
	id, err := idParam(r)
	if err != nil {
		return err
	}
	f, err := s.db.ResidentApprovalQuote(r.Context(), residentOf(r), id)
	if err != nil {
		return err
	}
	return s.serveQuote(w, r, f, cachePrivate)
}

// Guessing approval links, project choice: like the contractor's links
// (SECURITY.md 15), 30 dead links from one client address within 15
// minutes lock that address out of approval links until the window ends.
// Tokens have 256 bits; this only stops scanners.
const (
	approvalGuessLimit  = 30
	approvalGuessWindow = 15 * time.Minute
)

// errApprovalLinkDead is what a link handler answers when the store does
// not find the link: it counts as a failed guess and gets the plain "this
// link does not work" page.
var errApprovalLinkDead = errors.New("approval link does not work")

// linkView reads the approval a link opens, or errApprovalLinkDead.
func (s *Server) linkView(ctx context.Context, l approvalLink) (sqldb.ApprovalView, error) {
	v, err := s.db.LinkApproval(ctx, l.hash)
	if lintel.IsNotFound(err) {
		return v, errApprovalLinkDead
	}
	return v, err
}

// approvalLink is the one-click link a request came in with.
type approvalLink struct {
	raw  string // as in the path; only ever sent back in this page's own URLs
	hash string // what the store looks up
}

func (l approvalLink) path(suffix string) string { return approvals.LinkPath + l.raw + suffix }

// approvalLinkRoute wraps a one-click link handler: privacy headers (the
// token is in the URL), the guessing throttle, and one plain answer for a
// link that does not work, whether unknown, expired, withdrawn or of an
// owner who no longer owns the asset. The link is the only credential: a
// session in this browser plays no part.
func (s *Server) approvalLinkRoute(h func(http.ResponseWriter, *http.Request, approvalLink) error) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		hd := w.Header()
		hd.Set("Referrer-Policy", "no-referrer")
		hd.Set("Cache-Control", "no-store")
		hd.Set("X-Robots-Tag", "noindex, nofollow")
		r = r.WithContext(context.WithValue(r.Context(), ctxSession, (*sqldb.Session)(nil)))
		ctx := r.Context()
		rule := sqldb.ThrottleRule{Key: "approval:ip:" + clientIP(r), Limit: approvalGuessLimit, Window: approvalGuessWindow}
		until, err := s.db.ThrottledUntil(ctx, rule.Key)
		if err != nil {
			return err
		}
		if !until.IsZero() {
			return s.approvalLinkTooMany(w, r, until)
		}
		l := approvalLink{raw: r.PathValue("token")}
		err = errApprovalLinkDead
		if plausibleTaskToken(l.raw) {
			l.hash = auth.HashToken(l.raw)
			err = h(w, r, l)
		}
		if !errors.Is(err, errApprovalLinkDead) {
			return err
		}
		locked, rerr := s.db.RecordFailure(ctx, rule)
		if rerr != nil {
			s.log.Error("count approval link failure", "id", requestIDOf(r), "err", rerr)
		}
		if !locked.IsZero() {
			return s.approvalLinkTooMany(w, r, locked)
		}
		return s.render(w, r, http.StatusNotFound, "approvals/link_invalid.html", &approvalLinkInvalidPage{
			Page: Page{Title: "This link does not work"},
		})
	}
}

type approvalLinkInvalidPage struct {
	Page
	Wait string // set when locked out for too many dead links
}

func (s *Server) approvalLinkTooMany(w http.ResponseWriter, r *http.Request, until time.Time) error {
	secs := max(int(math.Ceil(until.Sub(s.cfg.Now()).Seconds())), 1)
	w.Header().Set("Retry-After", strconv.Itoa(secs))
	mins := (secs + 59) / 60
	wait := fmt.Sprintf("%d minutes", mins)
	if mins == 1 {
		wait = "1 minute"
	}
	return s.render(w, r, http.StatusTooManyRequests, "approvals/link_invalid.html", &approvalLinkInvalidPage{
		Page: Page{Title: "Too many tries"}, Wait: wait,
	})
}

func (s *Server) linkDecisionPage(v sqldb.ApprovalView, l approvalLink, f Form, alert string) *approvalDecisionPage {
	return &approvalDecisionPage{Page: Page{Localized: true}, V: v, Form: f, Alert: alert, Action: l.path(""), QuoteURL: l.path("/quote"), ViaLink: true}
}

// linkApproval shows the decision page to the owner holding the link.
// Opening it changes nothing: mail scanners open links too.
func (s *Server) linkApproval(w http.ResponseWriter, r *http.Request, l approvalLink) error {
	v, err := s.linkView(r.Context(), l)
	if err != nil {
		return err
	}
	p := s.linkDecisionPage(v, l, Form{}, "")
	if r.URL.Query().Get("done") != "" && v.DecidedByViewer() {
		p.Thanks = thanks(sqldb.Decision{Approve: v.Approval.Status == lintel.ApprovalApproved})
	}
	return s.renderDecision(w, r, http.StatusOK, p)
}

// linkDecide records the decision of the owner holding the link, then
// shows the page again with the outcome.
func (s *Server) linkDecide(w http.ResponseWriter, r *http.Request, l approvalLink) error {
	ctx := r.Context()
	v, err := s.linkView(ctx, l)
	if err != nil {
		return err
	}
	f, err := formFrom(w, r)
	if err != nil {
		return err
	}
	d, ok := decisionFrom(f, r)
	if ok {
		_, err = s.db.DecideApprovalByLink(ctx, l.hash, d, s.mailer().DecisionMails)
		if err == nil {
			return redirect(w, r, l.path("?done=1"))
		}
		if lintel.IsNotFound(err) {
			return errApprovalLinkDead // expired or withdrawn a moment ago
		}
		if lintel.KindOf(err) == lintel.KindConflict {
			// Another owner was first, or the manager withdrew it: show the
			// page as it is now, with who decided.
			msg := lintel.MessageOf(err)
			if v, err = s.linkView(ctx, l); err != nil {
				return err
			}
			return s.renderDecision(w, r, http.StatusConflict, s.linkDecisionPage(v, l, NewForm(), msg))
		}
		if !f.Merge(err) {
			return err
		}
	}
	return s.renderDecision(w, r, http.StatusUnprocessableEntity, s.linkDecisionPage(v, l, f, ""))
}

// linkApprovalQuote serves the quote to the owner holding the link.
func (s *Server) linkApprovalQuote(w http.ResponseWriter, r *http.Request, l approvalLink) error {
	v, err := s.linkView(r.Context(), l)
	if err != nil {
		return err
	}
	if !v.HasQuote() {
		return lintel.ErrNotFound // a working link to an approval without a quote
	}
	return s.serveQuote(w, r, v.Quote, cacheNever)
}
