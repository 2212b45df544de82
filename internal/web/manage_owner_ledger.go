package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"lintel.dev/lintel/internal/lintel"
	"lintel.dev/lintel/internal/sqldb"
)

// The owner's side of the ledger in the manager app:
// what the company holds for one owner contact, per asset and overall; the
// rent collected for them, the management fees and expenses taken, the
// money they put in and were paid out, newest first; and the forms that
// record a contribution, a distribution or an expense billed to them (a
// completed maintenance request's invoice). Every form carries an
// idempotency key made when it was rendered. Posting needs PermPostLedger
// (ledgerOnly: maintenance coordinators get 403); every staff role may
// look.

func (s *Server) ownerLedgerRoutes() []route {
	return []route{
		{"GET", "/manage/owners/{id}/ledger", staffView, s.manageOwnerLedger},
		{"POST", "/manage/owners/{id}/contributions", staffView, ledgerOnly(s.postOwnerContribution)},
		{"POST", "/manage/owners/{id}/distributions", staffView, ledgerOnly(s.postOwnerDistribution)},
		{"POST", "/manage/owners/{id}/expenses", staffView, ledgerOnly(s.postOwnerExpense)},
	}
}

// ownerLinesShown is one page of an owner's lines.
const ownerLinesShown = 50

func ownerLedgerURL(contactID int64) string {
	return "/manage/owners/" + strconv.FormatInt(contactID, 10) + "/ledger"
}

type ownerLedgerPage struct {
	Page
	Account  sqldb.OwnerAccount
	Today    lintel.Date
	OlderURL string
	Paged    bool
	CanPost  bool
	Alert    string
	// Opened names the form to show unfolded: "contribution",
	// "distribution" or "expense".
	Opened                                          string
	ContributionForm, DistributionForm, ExpenseForm Form
	AssetOptions, Methods, RequestOptions           []Option
	Billable                                        []sqldb.OwnerBillableRequest
	Chosen                                          *sqldb.OwnerBillableRequest // the request the expense form was filled from
}

// Money formats an amount in the company's currency.
func (p *ownerLedgerPage) Money(minor int64) string {
	return lintel.FormatMoney(minor, p.Account.Currency)
}

// Neg negates an amount, to show money from the owner without a sign.
func (p *ownerLedgerPage) Neg(n int64) int64 { return -n }

// ownerLedgerRow is one line of the owner's ledger with its text ready:
// plain fields, which the template reads far faster than methods called by
// reflection on every line.
type ownerLedgerRow struct {
	Reversed               bool
	Day, Text, Meta, Asset string
	RequestID              int64
	ToOwner, FromOwner     string
}

// Lines readies the page's lines.
func (p *ownerLedgerPage) Lines() []ownerLedgerRow {
	rows := make([]ownerLedgerRow, 0, len(p.Account.Lines))
	for _, l := range p.Account.Lines {
		text := l.Label()
		if l.Description != "" && (l.Class == "contribution" || l.Class == "distribution" || l.Class == "expense") {
			text += ": " + l.Description
		}
		meta := l.MethodLabel()
		if l.ReceiptNumber != 0 {
			meta += " · receipt no. " + strconv.FormatInt(l.ReceiptNumber, 10)
		}
		if l.Reference != "" {
			meta += " · ref. " + l.Reference
		}
		row := ownerLedgerRow{Reversed: l.Reversed, Day: l.Date.Long(), Text: text, Meta: meta, Asset: l.Asset, RequestID: l.RequestID}
		switch {
		case l.Amount > 0:
			row.ToOwner = p.Money(l.Amount)
		case l.Amount < 0:
			row.FromOwner = p.Money(-l.Amount)
		}
		rows = append(rows, row)
	}
	return rows
}

// manageOwnerLedger shows an owner's account; ?older= pages back, and
// ?request= fills the expense form from a completed request's invoice.
func (s *Server) manageOwnerLedger(w http.ResponseWriter, r *http.Request) error {
	id, err := idParam(r)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	p, err := s.ownerLedgerPage(r, id, q.Get("older"))
	if err != nil {
		return err
	}
	if req, _ := strconv.ParseInt(q.Get("request"), 10, 64); req > 0 && p.CanPost {
		if b := p.billable(req); b != nil {
			fillOwnerExpense(p.ExpenseForm, *b, p.Account.Currency)
			p.Chosen, p.Opened = b, "expense"
		}
	}
	return s.render(w, r, http.StatusOK, "manage/owner_ledger.html", p)
}

func (p *ownerLedgerPage) billable(id int64) *sqldb.OwnerBillableRequest {
	for i := range p.Billable {
		if p.Billable[i].ID == id {
			return &p.Billable[i]
		}
	}
	return nil
}

// fillOwnerExpense pre-fills the expense form with the owner's part of a
// request's invoice.
func fillOwnerExpense(f Form, b sqldb.OwnerBillableRequest, currency string) {
	f.Set("exp_request", strconv.FormatInt(b.ID, 10))
	f.Set("exp_asset", assetKey(b.PropertyID, b.UnitID))
	desc := "Maintenance: " + b.Summary
	if r := []rune(desc); len(r) > lintel.MaxLedgerDescription {
		desc = string(r[:lintel.MaxLedgerDescription])
	}
	f.Set("exp_description", desc)
	if amount := b.OwnerShareOfInvoice() - b.Billed; amount > 0 && b.Invoice > 0 {
		f.Set("exp_amount", lintel.FormatMoneyInput(amount, currency))
	}
}

func assetKey(propertyID, unitID int64) string {
	return strconv.FormatInt(propertyID, 10) + ":" + strconv.FormatInt(unitID, 10)
}

// parseAssetKey reads "property:unit" from a form; the store re-checks
// both ids against the company and the owner's ownerships.
func parseAssetKey(v string) (propertyID, unitID int64, ok bool) {
	a, b, found := strings.Cut(v, ":")
	if !found {
		return 0, 0, false
	}
	p, err1 := strconv.ParseInt(a, 10, 64)
	u, err2 := strconv.ParseInt(b, 10, 64)
	if err1 != nil || err2 != nil || p <= 0 || u < 0 {
		return 0, 0, false
	}
	return p, u, true
}

// ownerLedgerPage reads what the page shows, with fresh forms.
func (s *Server) ownerLedgerPage(r *http.Request, id int64, cursor string) (*ownerLedgerPage, error) {
	st := staffOf(r)
	ctx := r.Context()
	acct, err := s.db.OwnerAccount(ctx, st, id, cursor, ownerLinesShown)
	if err != nil {
		return nil, err
	}
	today := lintel.DateOf(s.cfg.Now())
	p := &ownerLedgerPage{
		Page:    Page{Title: "Owner account: " + acct.Contact.Name, Area: "manage", Nav: "contacts"},
		Account: acct, Today: today, Paged: cursor != "",
		CanPost:          st.Can(lintel.PermPostLedger) && len(acct.Assets) > 0,
		ContributionForm: NewForm(), DistributionForm: NewForm(), ExpenseForm: NewForm(),
	}
	if acct.Next != "" {
		p.OlderURL = ownerLedgerURL(id) + "?older=" + url.QueryEscape(acct.Next)
	}
	if !p.CanPost {
		return p, nil
	}
	for _, a := range acct.Assets {
		label := a.Name() + " — " + lintel.FormatMoney(a.Balance, acct.Currency) + " held"
		if !a.Current {
			label += " (no current ownership)"
		}
		p.AssetOptions = append(p.AssetOptions, Option{a.Key(), label})
	}
	p.Methods = []Option{{"", "Not recorded"}}
	for _, m := range lintel.PaymentMethods {
		p.Methods = append(p.Methods, Option{string(m), m.Label()})
	}
	if p.Billable, err = s.db.OwnerBillableRequests(ctx, st, id); err != nil {
		return nil, err
	}
	p.RequestOptions = []Option{{"", "None: another expense"}}
	for _, b := range p.Billable {
		label := "#" + strconv.FormatInt(b.ID, 10) + " " + b.Summary + " (" + b.Place + ")"
		if b.Invoice > 0 {
			label += ": invoice " + lintel.FormatMoney(b.Invoice, acct.Currency)
		}
		if b.Billed > 0 {
			label += ", " + lintel.FormatMoney(b.Billed, acct.Currency) + " already billed"
		}
		p.RequestOptions = append(p.RequestOptions, Option{strconv.FormatInt(b.ID, 10), label})
	}
	first := acct.Assets[0].Key()
	for _, f := range []struct {
		form   Form
		prefix string
	}{{p.ContributionForm, "contrib_"}, {p.DistributionForm, "dist_"}, {p.ExpenseForm, "exp_"}} {
		f.form.Set("idempotency_key", newIdempotencyKey())
		f.form.Set(f.prefix+"date", today.String())
		f.form.Set(f.prefix+"asset", first)
	}
	p.ContributionForm.Set("contrib_method", string(lintel.PayBankTransfer))
	p.DistributionForm.Set("dist_method", string(lintel.PayBankTransfer))
	return p, nil
}

func (s *Server) postOwnerContribution(w http.ResponseWriter, r *http.Request) error {
	return s.postOwnerEntry(w, r, lintel.OwnerContribution, "contribution", "contrib_")
}

func (s *Server) postOwnerDistribution(w http.ResponseWriter, r *http.Request) error {
	return s.postOwnerEntry(w, r, lintel.OwnerDistribution, "distribution", "dist_")
}

func (s *Server) postOwnerExpense(w http.ResponseWriter, r *http.Request) error {
	return s.postOwnerEntry(w, r, lintel.OwnerExpense, "expense", "exp_")
}

// postOwnerEntry records one owner entry from its form (fields named
// prefix+name) and goes back to the owner's account.
func (s *Server) postOwnerEntry(w http.ResponseWriter, r *http.Request, kind lintel.OwnerEntryKind, which, prefix string) error {
	id, err := idParam(r)
	if err != nil {
		return err
	}
	st := staffOf(r)
	ctx := r.Context()
	// Scope first: another company's contact is 404 before the form is read.
	acct, err := s.db.OwnerAccount(ctx, st, id, "", 1)
	if err != nil {
		return err
	}
	f, err := formFrom(w, r)
	if err != nil {
		return err
	}
	e := lintel.NewOwnerEntry{
		Kind: kind, ContactID: id,
		Amount:         f.Money(prefix+"amount", acct.Currency, true),
		Date:           f.Date(prefix + "date"),
		Description:    f.Get(prefix + "description"),
		Method:         f.Get(prefix + "method"),
		Reference:      f.Get(prefix + "reference"),
		AllowNegative:  kind == lintel.OwnerDistribution && f.Checked("dist_allow_negative"),
		IdempotencyKey: f.Get("idempotency_key"),
	}
	if kind == lintel.OwnerExpense {
		if req := f.ID("exp_request"); req != 0 {
			// The id is only a request: it must be a completed request on
			// one of this owner's assets, and the expense lands on that asset.
			billable, err := s.db.OwnerBillableRequests(ctx, st, id)
			if err != nil {
				return err
			}
			p := &ownerLedgerPage{Billable: billable}
			if b := p.billable(req); b != nil {
				e.RequestID, e.PropertyID, e.UnitID = b.ID, b.PropertyID, b.UnitID
				f.Set("exp_asset", assetKey(b.PropertyID, b.UnitID))
			} else {
				f.Errors.Add("exp_request", "Choose a completed request on this owner's property or unit, or none.")
			}
		}
	}
	if e.PropertyID == 0 {
		var ok bool
		if e.PropertyID, e.UnitID, ok = parseAssetKey(f.Get(prefix + "asset")); !ok {
			f.Errors.Add(prefix+"asset", "Choose the property or unit.")
		}
	}
	alert := mergeOwnerErrors(f, prefix, e.Validate())
	if len(f.Errors) > 0 || alert != "" {
		return s.ownerEntryRefused(w, r, id, which, f, alert, http.StatusUnprocessableEntity)
	}
	txID, err := s.db.PostOwnerEntry(ctx, st, e)
	switch lintel.KindOf(err) {
	case lintel.KindInvalid:
		alert := mergeOwnerErrors(f, prefix, err)
		if alert == "" && len(f.Errors) == 0 {
			alert = lintel.MessageOf(err)
		}
		return s.ownerEntryRefused(w, r, id, which, f, alert, http.StatusUnprocessableEntity)
	case lintel.KindConflict:
		return s.ownerEntryRefused(w, r, id, which, f, lintel.MessageOf(err), http.StatusConflict)
	}
	if err != nil {
		return err
	}
	amount := lintel.FormatMoney(e.Amount, acct.Currency)
	switch kind {
	case lintel.OwnerContribution:
		msg := "Contribution of " + amount + " recorded."
		if n, err := s.db.OwnerEntryReceipt(ctx, st, txID); err == nil && n > 0 {
			msg = "Contribution of " + amount + " recorded: receipt no. " + strconv.FormatInt(n, 10) + "."
		}
		s.flash(r, msg)
	case lintel.OwnerDistribution:
		s.flash(r, "Distribution of "+amount+" recorded.")
	default:
		s.flash(r, "Expense of "+amount+" billed to the owner.")
	}
	return redirect(w, r, ownerLedgerURL(id))
}

// mergeOwnerErrors puts the store's field messages next to the form's
// fields; a problem with the form itself or the owner becomes the alert.
func mergeOwnerErrors(f Form, prefix string, err error) (alert string) {
	for k, v := range lintel.FieldsOf(err) {
		switch k {
		case "amount", "date", "description", "method", "reference":
			f.Errors.Add(prefix+k, v)
		case "property", "unit":
			f.Errors.Add(prefix+"asset", v)
		case "request":
			f.Errors.Add("exp_request", v)
		default: // idempotency_key, owner, kind
			alert = v
		}
	}
	return alert
}

// ownerEntryRefused shows the page again with the refused form kept, its
// key too, so correcting and sending it again still records once.
func (s *Server) ownerEntryRefused(w http.ResponseWriter, r *http.Request, id int64, which string, f Form, alert string, status int) error {
	p, err := s.ownerLedgerPage(r, id, "")
	if err != nil {
		return err
	}
	p.Opened, p.Alert = which, alert
	switch which {
	case "contribution":
		p.ContributionForm = f
	case "distribution":
		p.DistributionForm = f
	case "expense":
		p.ExpenseForm = f
		if req := f.ID("exp_request"); req != 0 {
			p.Chosen = p.billable(req)
		}
	}
	return s.render(w, r, status, "manage/owner_ledger.html", p)
}
