package web

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"path"
	"strconv"
	"strings"

	"lintel.dev/lintel/internal/approvals"
	"lintel.dev/lintel/internal/lintel"
	"lintel.dev/lintel/internal/photo"
	"lintel.dev/lintel/internal/sqldb"
	"lintel.dev/lintel/internal/upload"
)

// Owner approvals: the manager asks the owners
// of a request's asset to approve the work (approvals.go); the owners
// decide in the portal or from the one-click link in the e-mail
// (approvals_owner.go). The store (sqldb/approvals.go) decides who the
// owners are, and that the first decision counts.

func (s *Server) approvalRoutes() []route {
	return []route{
		// Manager: ask, withdraw, read the quote. Changes need PermDispatch.
		{"GET", "/manage/maintenance/{id}/approval/new", staffView, dispatchOnly(s.newApprovalForm)},
		{"POST", "/manage/maintenance/{id}/approvals", staffView, dispatchOnly(s.createApproval)},
		{"POST", "/manage/approvals/{id}/withdraw", staffView, dispatchOnly(s.withdrawApproval)},
		{"GET", "/manage/approvals/{id}/quote", staffView, s.manageApprovalQuote},
		// Owners, signed in to the portal.
		{"GET", "/portal/approvals", resident, s.portalApprovals},
		{"GET", "/portal/approvals/{id}", resident, s.portalApproval},
		{"POST", "/portal/approvals/{id}", resident, s.portalDecide},
		{"GET", "/portal/approvals/{id}/quote", resident, s.portalApprovalQuote},
		// Owners from the e-mailed one-click link: no sign-in; the link is
		// the credential, and deciding is still a POST.
		{"GET", "/a/{token}", public, s.approvalLinkRoute(s.linkApproval)},
		{"POST", "/a/{token}", public, s.approvalLinkRoute(s.linkDecide)},
		{"GET", "/a/{token}/quote", public, s.approvalLinkRoute(s.linkApprovalQuote)},
	}
}

// mailer composes the approval e-mails with links from the configured
// base URL.
func (s *Server) mailer() approvals.Mailer {
	return approvals.Mailer{BaseURL: s.cfg.BaseURL, Now: s.cfg.Now}
}

type approvalFormPage struct {
	Page
	Draft     sqldb.ApprovalDraft
	Form      Form
	Alert     string
	QuoteLost bool             // the form came back after a quote was chosen: choose it again
	Pending   *lintel.Approval // the approval the owners are deciding on, if any
	MaxQuote  string
}

// LimitText is the property's approval limit, formatted; "" when none.
func (p *approvalFormPage) LimitText() string {
	if p.Draft.LimitMinor == nil {
		return ""
	}
	return lintel.FormatMoney(*p.Draft.LimitMinor, p.Draft.Currency)
}

// Money formats an amount in the company's currency.
func (p *approvalFormPage) Money(minor int64) string {
	return lintel.FormatMoney(minor, p.Draft.Currency)
}

// OwnerList names the owners who will be e-mailed.
func (p *approvalFormPage) OwnerList() string {
	var names []string
	for _, o := range p.Draft.Reachable() {
		names = append(names, o.Name+" <"+o.Email+">")
	}
	return strings.Join(names, ", ")
}

// newApprovalForm shows the form to ask the owners: estimate, notes and a
// quote, with who will be asked and the property's limit. Asking again
// after a decline starts from the declined estimate.
func (s *Server) newApprovalForm(w http.ResponseWriter, r *http.Request) error {
	id, err := idParam(r)
	if err != nil {
		return err
	}
	d, err := s.db.ApprovalDraft(r.Context(), staffOf(r), id)
	if err != nil {
		return err
	}
	f := NewForm()
	f.Set("version", strconv.Itoa(d.Request.Version))
	if last := d.LastDeclined(); last != nil {
		f.Set("estimate", lintel.FormatMoneyInput(last.EstimateMinor, d.Currency))
		f.Set("notes", last.Notes)
	}
	return s.renderApprovalForm(w, r, http.StatusOK, d, f, "", false)
}

func (s *Server) renderApprovalForm(w http.ResponseWriter, r *http.Request, status int, d sqldb.ApprovalDraft, f Form, alert string, quoteLost bool) error {
	p := &approvalFormPage{
		Page:  Page{Title: "Ask the owners to approve", Area: "manage", Nav: "maintenance"},
		Draft: d, Form: f, Alert: alert, QuoteLost: quoteLost, MaxQuote: fmt.Sprintf("%d MB", upload.MaxDocumentBytes>>20),
	}
	for i := len(d.Previous) - 1; i >= 0; i-- {
		if d.Previous[i].Status == lintel.ApprovalPending {
			p.Pending = &d.Previous[i]
			p.Title = "Owner approval"
			break
		}
	}
	return s.render(w, r, status, "approvals/new.html", p)
}

// createApproval asks the owners (or, under the property's limit, approves
// at once). The quote is checked by its content and stored before the
// request is recorded; if recording fails, the stored quote is removed.
func (s *Server) createApproval(w http.ResponseWriter, r *http.Request) error {
	id, err := idParam(r)
	if err != nil {
		return err
	}
	st := staffOf(r)
	ctx := r.Context()
	// Scope first: another company's request is 404 before a byte of the
	// upload is read.
	d, err := s.db.ApprovalDraft(ctx, st, id)
	if err != nil {
		return err
	}
	if err := upload.Limit(w, r, upload.MaxDocumentRequestBytes); err != nil {
		return s.renderApprovalForm(w, r, http.StatusRequestEntityTooLarge, d, NewForm(), lintel.MessageOf(err), true)
	}
	f := NewForm()
	var quote *upload.File
	form, err := upload.NewForm(r, upload.Document())
	if err == nil {
		for {
			file, ferr := form.NextFile()
			if ferr == io.EOF {
				break
			}
			if ferr != nil {
				err = ferr
				break
			}
			quote = file
		}
		f.Values = form.Values
	}
	if err != nil {
		f.Errors.Add("quote", lintel.MessageOf(err))
		return s.renderApprovalForm(w, r, http.StatusUnprocessableEntity, d, f, "", true)
	}
	in := sqldb.NewApproval{EstimateMinor: f.Money("estimate", d.Currency, true), Notes: f.Get("notes")}
	var doc *photo.Document
	if quote != nil {
		if doc, err = photo.ProcessDocument(ctx, bytes.NewReader(quote.Data)); err != nil {
			f.Errors.Add("quote", lintel.MessageOf(err))
		}
	}
	if len(f.Errors) > 0 {
		return s.renderApprovalForm(w, r, http.StatusUnprocessableEntity, d, f, "", quote != nil)
	}
	if doc != nil {
		nf, err := s.storeQuote(ctx, quote.Name, doc)
		if err != nil {
			return err
		}
		in.Quote = &nf
	}
	out, err := s.db.RequestApproval(ctx, st, id, versionOf(f), in, s.mailer().OwnerMail)
	if err != nil {
		if in.Quote != nil {
			s.deleteBlobs(ctx, in.Quote.Key)
		}
		status, alert, ok := refused(&f, err)
		if !ok {
			return err
		}
		// The draft may have changed (another tab asked already): show it as it is now.
		if fresh, derr := s.db.ApprovalDraft(ctx, st, id); derr == nil {
			d = fresh
		}
		return s.renderApprovalForm(w, r, status, d, f, alert, in.Quote != nil)
	}
	var msg string
	switch {
	case out.UnderLimit:
		msg = fmt.Sprintf("Approved without asking the owners: the estimate is under this property's approval limit of %s.", lintel.FormatMoney(*d.LimitMinor, d.Currency))
	default:
		names := make([]string, len(out.Asked))
		for i, o := range out.Asked {
			names[i] = o.Name
		}
		msg = "Approval asked of " + strings.Join(names, ", ") + " by e-mail. You will be told when one of them decides."
		if len(out.NotAsked) > 0 {
			var missing []string
			for _, o := range out.NotAsked {
				missing = append(missing, o.Name)
			}
			msg += " Not asked (no e-mail address on record): " + strings.Join(missing, ", ") + "."
		}
	}
	s.flash(r, msg)
	return redirect(w, r, requestPath(id))
}

// storeQuote writes a checked quote document to the file store under a
// new key. A photo of a paper quote was re-encoded as JPEG, so its name
// says so.
func (s *Server) storeQuote(ctx context.Context, name string, doc *photo.Document) (sqldb.NewFile, error) {
	base := strings.TrimSuffix(name, path.Ext(name))
	if base == "" {
		base = "quote"
	}
	ext := ".pdf"
	if doc.ContentType != photo.ContentTypePDF {
		ext = ".jpg"
	}
	return s.storeBlob(ctx, doc.Data, base+ext, doc.ContentType)
}

// withdrawApproval withdraws a pending approval request; the request goes
// back to submitted and the owners' links stop working.
func (s *Server) withdrawApproval(w http.ResponseWriter, r *http.Request) error {
	id, err := idParam(r)
	if err != nil {
		return err
	}
	requestID, err := s.db.WithdrawApproval(r.Context(), staffOf(r), id)
	if lintel.KindOf(err) == lintel.KindConflict {
		v, verr := s.db.StaffApproval(r.Context(), staffOf(r), id)
		if verr != nil {
			return err
		}
		s.flash(r, lintel.MessageOf(err))
		return redirect(w, r, requestPath(v.Request.ID))
	}
	if err != nil {
		return err
	}
	s.flash(r, "Approval request withdrawn. The owners' links no longer work; the request is back to submitted.")
	return redirect(w, r, requestPath(requestID))
}

// manageApprovalQuote serves the quote of one of the company's approvals.
func (s *Server) manageApprovalQuote(w http.ResponseWriter, r *http.Request) error {
	id, err := idParam(r)
	if err != nil {
		return err
	}
	f, err := s.db.StaffApprovalQuote(r.Context(), staffOf(r), id)
	if err != nil {
		return err
	}
	return s.serveQuote(w, r, f, cachePrivate)
}

// serveQuote sends a quote document in the sandbox serveStoredFile sets
// up. A photo of a paper quote is shown in the page; a PDF is downloaded,
// because browsers' PDF viewers do not run inside a sandboxed response.
func (s *Server) serveQuote(w http.ResponseWriter, r *http.Request, f sqldb.StoredFile, cache fileCache) error {
	disposition := "inline"
	if f.ContentType == photo.ContentTypePDF {
		disposition = "attachment"
	}
	return s.serveStoredFile(w, r, f, disposition, cache)
}
