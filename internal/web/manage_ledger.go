package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"lintel.dev/lintel/internal/lintel"
	"lintel.dev/lintel/internal/sqldb"
)

// The manager's lease ledger: a lease's balance and
// lines, newest first, and the forms that post to it — a charge (billable
// maintenance from a completed request's invoice too), a payment, a credit,
// a reversal. Every form carries an idempotency key made when it was
// rendered, so a double submit posts once. Posting needs PermPostLedger
// (admin, manager, bookkeeper), checked by ledgerOnly before anything is
// read; every staff role may look.

func (s *Server) manageLedgerRoutes() []route {
	return []route{
		{"GET", "/manage/leases/{id}/ledger", staffView, s.manageLeaseLedger},
		{"POST", "/manage/leases/{id}/charges", staffView, ledgerOnly(s.postLeaseCharge)},
		{"POST", "/manage/leases/{id}/payments", staffView, ledgerOnly(s.postLeasePayment)},
		{"POST", "/manage/leases/{id}/credits", staffView, ledgerOnly(s.postLeaseCredit)},
		{"POST", "/manage/ledger/{txid}/reverse", staffView, ledgerOnly(s.reverseLedgerTransaction)},
	}
}

// ledgerOnly lets through staff who may post to the ledger; maintenance
// coordinators get 403 whatever the id.
func ledgerOnly(h handlerFunc) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		if err := staffOf(r).Require(lintel.PermPostLedger); err != nil {
			return err
		}
		return h(w, r)
	}
}

// ledgerLinesShown is one page of a lease's ledger.
const ledgerLinesShown = 50

type ledgerPage struct {
	Page
	Lease    lintel.Lease
	Currency string
	Today    lintel.Date
	Account  sqldb.LeaseAccount
	OlderURL string // the next page of older lines, "" at the end
	Paged    bool   // showing older lines, not the newest
	CanPost  bool
	Alert    string
	// The forms; Opened names the one to show unfolded (after an error or
	// a "Bill this" link).
	ChargeForm, PaymentForm, CreditForm, ReverseForm Form
	Opened                                           string
	ReverseID                                        int64 // the line whose reversal form was refused
	Billable                                         []sqldb.BillableRequest
	ChargeCategories, CreditCategories, Methods      []Option
	ApplyOptions, BillOptions                        []Option
}

func ledgerURL(leaseID int64) string {
	return "/manage/leases/" + strconv.FormatInt(leaseID, 10) + "/ledger"
}

func chargeCategoryOptions(withDeposit bool) []Option {
	var opts []Option
	for _, c := range lintel.ChargeCategories {
		if c == lintel.ChargeDeposit && !withDeposit {
			continue
		}
		opts = append(opts, Option{string(c), c.Label()})
	}
	return opts
}

func paymentMethodOptions() []Option {
	var opts []Option
	for _, m := range lintel.PaymentMethods {
		opts = append(opts, Option{string(m), m.Label()})
	}
	return opts
}

// manageLeaseLedger shows a lease's account; ?older= pages back, ?bill=
// fills the charge form from a completed request's invoice.
func (s *Server) manageLeaseLedger(w http.ResponseWriter, r *http.Request) error {
	id, err := idParam(r)
	if err != nil {
		return err
	}
	p, err := s.ledgerPage(r, id, r.URL.Query().Get("older"))
	if err != nil {
		return err
	}
	if bill, _ := strconv.ParseInt(r.URL.Query().Get("bill"), 10, 64); bill > 0 && p.CanPost {
		for _, b := range p.Billable {
			if b.ID == bill {
				fillBillCharge(p.ChargeForm, b, p.Currency)
				p.Opened = "charge"
			}
		}
	}
	return s.render(w, r, http.StatusOK, "manage/ledger.html", p)
}

// fillBillCharge pre-fills the charge form to bill a request's invoice.
func fillBillCharge(f Form, b sqldb.BillableRequest, currency string) {
	f.Set("charge_category", string(lintel.ChargeMaintenance))
	desc := "Repair: " + b.Summary
	if b.Invoices != "" {
		desc += " (invoice " + b.Invoices + ")"
	}
	if len(desc) > lintel.MaxLedgerDescription {
		desc = desc[:lintel.MaxLedgerDescription]
	}
	f.Set("charge_description", desc)
	if b.Amount > 0 {
		f.Set("charge_amount", lintel.FormatMoneyInput(b.Amount, currency))
	}
	f.Set("charge_request_id", strconv.FormatInt(b.ID, 10))
}

// ledgerPage reads everything the ledger page shows, with fresh forms.
func (s *Server) ledgerPage(r *http.Request, id int64, cursor string) (*ledgerPage, error) {
	st := staffOf(r)
	ctx := r.Context()
	l, err := s.db.Lease(ctx, st, id)
	if err != nil {
		return nil, err
	}
	company, err := s.db.Company(ctx, st)
	if err != nil {
		return nil, err
	}
	currency := company.Currency
	acct, err := s.db.LeaseLedger(ctx, st, id, cursor, ledgerLinesShown)
	if err != nil {
		return nil, err
	}
	today := lintel.DateOf(s.cfg.Now())
	p := &ledgerPage{
		Page:  Page{Title: "Ledger: " + l.UnitLabel + ", " + l.PropertyName, Area: "manage", Nav: "leases"},
		Lease: l, Currency: currency, Today: today, Account: acct, Paged: cursor != "",
		CanPost:    st.Can(lintel.PermPostLedger),
		ChargeForm: NewForm(), PaymentForm: NewForm(), CreditForm: NewForm(), ReverseForm: NewForm(),
		ChargeCategories: chargeCategoryOptions(true), CreditCategories: chargeCategoryOptions(false), Methods: paymentMethodOptions(),
	}
	if acct.Next != "" {
		p.OlderURL = ledgerURL(id) + "?older=" + url.QueryEscape(acct.Next)
	}
	if !p.CanPost {
		return p, nil
	}
	open, err := s.db.OpenCharges(ctx, st, id)
	if err != nil {
		return nil, err
	}
	p.ApplyOptions = []Option{{"", "Oldest open charges first"}}
	for _, c := range open {
		p.ApplyOptions = append(p.ApplyOptions, Option{strconv.FormatInt(c.ID, 10),
			c.Description + ", due " + c.Due.Long() + ": " + lintel.FormatMoney(c.Open, currency) + " open"})
	}
	if p.Billable, err = s.db.BillableRequests(ctx, st, id); err != nil {
		return nil, err
	}
	p.BillOptions = []Option{{"", "Not for a maintenance request"}}
	for _, b := range p.Billable {
		label := "#" + strconv.FormatInt(b.ID, 10) + " " + b.Summary
		if b.Amount > 0 {
			label += ": invoice " + lintel.FormatMoney(b.Amount, currency)
		}
		if b.Billed {
			label += " (already billed)"
		}
		p.BillOptions = append(p.BillOptions, Option{strconv.FormatInt(b.ID, 10), label})
	}

	// The usual next charge: the first month's rent not posted yet (by
	// hand or by the recurring-rent job), marked with its month so it can
	// never be posted twice.
	last, err := s.db.LastRentPeriod(ctx, st, id)
	if err != nil {
		return nil, err
	}
	due := lintel.Date{Year: today.Year, Month: today.Month, Day: l.RentDueDay}
	if d, err := lintel.ParseDate(last + "-01"); err == nil && !d.Before(lintel.Date{Year: today.Year, Month: today.Month, Day: 1}) {
		next := d.Time().AddDate(0, 1, 0)
		due = lintel.Date{Year: next.Year(), Month: next.Month(), Day: l.RentDueDay}
	}
	p.ChargeForm.Set("charge_category", string(lintel.ChargeRent))
	p.ChargeForm.Set("charge_period", due.Time().Format("2006-01"))
	p.ChargeForm.Set("charge_description", "Rent for "+due.Time().Format("January 2006"))
	if l.RentMinor > 0 {
		p.ChargeForm.Set("charge_amount", lintel.FormatMoneyInput(l.RentMinor, currency))
	}
	p.ChargeForm.Set("charge_due", due.String())
	p.PaymentForm.Set("pay_received", today.String())
	p.PaymentForm.Set("pay_method", string(lintel.PayBankTransfer))
	p.CreditForm.Set("credit_category", string(lintel.ChargeRent))
	p.CreditForm.Set("credit_date", today.String())
	for _, f := range []Form{p.ChargeForm, p.PaymentForm, p.CreditForm} {
		f.Set("idempotency_key", newIdempotencyKey())
	}
	return p, nil
}

// mergeLedgerErrors puts the store's field messages next to the form's
// prefixed fields; a problem with the form itself (its key) or the lease
// becomes the page's alert.
func mergeLedgerErrors(f Form, prefix string, err error) (alert string) {
	for k, v := range lintel.FieldsOf(err) {
		switch k {
		case "idempotency_key", "lease":
			alert = v
		case "request":
			f.Errors.Add(prefix+"request_id", v)
		default:
			f.Errors.Add(prefix+k, v)
		}
	}
	return alert
}

// ledgerRefused shows the ledger page again with the refused form kept
// (and its key, so fixing it and sending it again still posts once).
func (s *Server) ledgerRefused(w http.ResponseWriter, r *http.Request, id int64, which string, f Form, alert string, status int) error {
	p, err := s.ledgerPage(r, id, "")
	if err != nil {
		return err
	}
	p.Opened, p.Alert = which, alert
	switch which {
	case "charge":
		p.ChargeForm = f
	case "payment":
		p.PaymentForm = f
	case "credit":
		p.CreditForm = f
	}
	return s.render(w, r, status, "manage/ledger.html", p)
}

// ledgerOutcome answers a post: back to the ledger with a message, or the
// page again with what was refused.
func (s *Server) ledgerOutcome(w http.ResponseWriter, r *http.Request, id int64, which, prefix string, f Form, err error, done string) error {
	switch lintel.KindOf(err) {
	case lintel.KindInvalid:
		alert := mergeLedgerErrors(f, prefix, err)
		if alert == "" && len(f.Errors) == 0 {
			alert = lintel.MessageOf(err)
		}
		return s.ledgerRefused(w, r, id, which, f, alert, http.StatusUnprocessableEntity)
	case lintel.KindConflict:
		return s.ledgerRefused(w, r, id, which, f, lintel.MessageOf(err), http.StatusConflict)
	}
	if err != nil {
		return err
	}
	s.flash(r, done)
	return redirect(w, r, ledgerURL(id))
}

// ledgerForm reads what every lease-ledger form starts from: the lease id
// (checked in the staff member's company, so another company's lease is a
// 404 before the form is read), the company's currency and the form.
func (s *Server) ledgerForm(w http.ResponseWriter, r *http.Request) (leaseID int64, currency string, f Form, err error) {
	if leaseID, err = idParam(r); err != nil {
		return 0, "", f, err
	}
	st := staffOf(r)
	if _, err = s.db.Lease(r.Context(), st, leaseID); err != nil {
		return 0, "", f, err
	}
	company, err := s.db.Company(r.Context(), st)
	if err != nil {
		return 0, "", f, err
	}
	f, err = formFrom(w, r)
	return leaseID, company.Currency, f, err
}

// postLeaseCharge posts a charge; a maintenance request chosen with no
// amount typed is billed at its invoice total.
func (s *Server) postLeaseCharge(w http.ResponseWriter, r *http.Request) error {
	id, currency, f, err := s.ledgerForm(w, r)
	if err != nil {
		return err
	}
	st, ctx := staffOf(r), r.Context()
	c := lintel.NewCharge{
		LeaseID:        id,
		Category:       lintel.ChargeCategory(f.Get("charge_category")),
		Description:    f.Get("charge_description"),
		Due:            f.Date("charge_due"),
		RequestID:      f.ID("charge_request_id"),
		IdempotencyKey: f.Get("idempotency_key"),
	}
	if c.Category == lintel.ChargeRent {
		// Only rent has a month; a period left in the form from the rent
		// it first offered means nothing for a fee.
		c.Period = f.Get("charge_period")
	}
	if c.RequestID != 0 {
		// The id is only a request: it must be a completed request of this
		// lease's unit with an invoice.
		billable, err := s.db.BillableRequests(ctx, st, id)
		if err != nil {
			return err
		}
		var found *sqldb.BillableRequest
		for i := range billable {
			if billable[i].ID == c.RequestID {
				found = &billable[i]
			}
		}
		switch {
		case found == nil:
			f.Errors.Add("charge_request_id", "Choose a completed request of this unit that has an invoice, or none.")
		case f.Get("charge_amount") == "" && found.Amount > 0:
			c.Amount = found.Amount
		}
		if c.Category == "" {
			c.Category = lintel.ChargeMaintenance
		}
	}
	if c.Amount == 0 {
		c.Amount = f.Money("charge_amount", currency, true)
	}
	if f.Get("charge_due") == "" {
		f.Errors.Add("charge_due", "Enter the due date.")
	}
	alert := mergeLedgerErrors(f, "charge_", c.Validate())
	if len(f.Errors) > 0 || alert != "" {
		return s.ledgerRefused(w, r, id, "charge", f, alert, http.StatusUnprocessableEntity)
	}
	_, err = s.db.PostCharge(ctx, st, c)
	return s.ledgerOutcome(w, r, id, "charge", "charge_", f, err,
		"Charge posted: "+c.Description+", "+lintel.FormatMoney(c.Amount, currency)+", due "+c.Due.Long()+".")
}

// postLeasePayment records money received for the lease.
func (s *Server) postLeasePayment(w http.ResponseWriter, r *http.Request) error {
	id, currency, f, err := s.ledgerForm(w, r)
	if err != nil {
		return err
	}
	st, ctx := staffOf(r), r.Context()
	p := lintel.NewPayment{
		LeaseID:        id,
		Amount:         f.Money("pay_amount", currency, true),
		Received:       f.Date("pay_received"),
		Method:         lintel.PaymentMethod(f.Get("pay_method")),
		Reference:      f.Get("pay_reference"),
		ApplyTo:        f.ID("pay_apply_to"),
		IdempotencyKey: f.Get("idempotency_key"),
	}
	if lintel.DateOf(s.cfg.Now()).Before(p.Received) {
		f.Errors.Add("pay_received", "The date received cannot be in the future.")
	}
	alert := mergeLedgerErrors(f, "pay_", p.Validate())
	if len(f.Errors) > 0 || alert != "" {
		return s.ledgerRefused(w, r, id, "payment", f, alert, http.StatusUnprocessableEntity)
	}
	_, err = s.db.PostPayment(ctx, st, p)
	return s.ledgerOutcome(w, r, id, "payment", "pay_", f, err,
		"Payment recorded: "+lintel.FormatMoney(p.Amount, currency)+" received "+p.Received.Long()+".")
}

// postLeaseCredit lowers what the lease owes.
func (s *Server) postLeaseCredit(w http.ResponseWriter, r *http.Request) error {
	id, currency, f, err := s.ledgerForm(w, r)
	if err != nil {
		return err
	}
	st, ctx := staffOf(r), r.Context()
	c := lintel.NewCredit{
		LeaseID:        id,
		Category:       lintel.ChargeCategory(f.Get("credit_category")),
		Description:    f.Get("credit_description"),
		Amount:         f.Money("credit_amount", currency, true),
		Date:           f.Date("credit_date"),
		ApplyTo:        f.ID("credit_apply_to"),
		IdempotencyKey: f.Get("idempotency_key"),
	}
	alert := mergeLedgerErrors(f, "credit_", c.Validate())
	if len(f.Errors) > 0 || alert != "" {
		return s.ledgerRefused(w, r, id, "credit", f, alert, http.StatusUnprocessableEntity)
	}
	_, err = s.db.PostCredit(ctx, st, c)
	return s.ledgerOutcome(w, r, id, "credit", "credit_", f, err,
		"Credit posted: "+c.Description+", "+lintel.FormatMoney(c.Amount, currency)+".")
}

// maxReverseReason keeps a reversal's reason to a line.
const maxReverseReason = 200

// reverseLedgerTransaction posts the mirror of a line, with a reason. The
// page it came from may ask to go back there (next); otherwise the lease's
// ledger.
func (s *Server) reverseLedgerTransaction(w http.ResponseWriter, r *http.Request) error {
	txID, err := strconv.ParseInt(r.PathValue("txid"), 10, 64)
	if err != nil || txID <= 0 {
		return lintel.ErrNotFound
	}
	st := staffOf(r)
	ctx := r.Context()
	leaseID, err := s.db.LedgerTransactionLease(ctx, st, txID)
	if err != nil {
		return err
	}
	f, err := formFrom(w, r)
	if err != nil {
		return err
	}
	back := safeNext(f.Get("next"))
	if back == "" && leaseID != 0 {
		back = ledgerURL(leaseID)
	}
	if back == "" {
		back = "/manage/billing"
	}
	reason := f.Get("reason")
	switch {
	case reason == "":
		f.Errors.Add("reason", "Say why this line is reversed, e.g. \"Posted twice\". The tenant sees it.")
	case len([]rune(reason)) > maxReverseReason:
		f.Errors.Add("reason", "Keep the reason under "+strconv.Itoa(maxReverseReason)+" characters.")
	}
	if len(f.Errors) == 0 {
		_, err = s.db.Reverse(ctx, st, txID, reason, f.Get("idempotency_key"))
		if fe := lintel.FieldsOf(err); fe != nil {
			for k, v := range fe {
				if k != "reason" {
					k = "reason" // one field on this form: show any message there
				}
				f.Errors.Add(k, v)
			}
		} else if k := lintel.KindOf(err); k == lintel.KindConflict && leaseID != 0 {
			p, perr := s.ledgerPage(r, leaseID, "")
			if perr != nil {
				return perr
			}
			p.Alert = lintel.MessageOf(err)
			return s.render(w, r, http.StatusConflict, "manage/ledger.html", p)
		} else if err != nil {
			return err
		}
	}
	if len(f.Errors) > 0 {
		if leaseID == 0 {
			return &lintel.Error{Kind: lintel.KindInvalid, Message: f.Errors["reason"], Fields: f.Errors}
		}
		p, perr := s.ledgerPage(r, leaseID, "")
		if perr != nil {
			return perr
		}
		p.ReverseForm, p.ReverseID, p.Opened = f, txID, "reverse"
		return s.render(w, r, http.StatusUnprocessableEntity, "manage/ledger.html", p)
	}
	s.flash(r, "Line reversed. The reversal is on the ledger with its reason.")
	return redirect(w, r, back)
}

// lineKind names a ledger line for the manager: "Charge · Rent".
func lineKind(l sqldb.LedgerLine) string {
	k := lintel.TransactionKindLabel(l.Kind)
	if l.Category != "" && (l.Kind == "charge" || l.Kind == "credit") {
		k += " · " + lintel.ChargeCategory(l.Category).Label()
	}
	if l.Method != "" {
		k += " · " + strings.ToLower(lintel.PaymentMethod(l.Method).Label())
	}
	return k
}

// ledgerRow is one line of the ledger with its text ready: plain fields,
// which the template reads far faster than methods and functions called by
// reflection, about thirty times a line.
type ledgerRow struct {
	ID, ReversesID            int64
	Reversed                  bool
	Day, Description, Meta    string
	Charged, Paid             string // the amount in one column or the other
	OpenCharge                bool   // a charge not reversed: show what is settled
	Open                      string // "" when paid
	PaidBy                    []string
	Reversible, ReverseOpen   bool
	ReverseKey, ReverseReason string
	ReverseError              string
}

// Lines readies the page's lines; the refused reversal form, if any, keeps
// its key and reason.
func (p *ledgerPage) Lines() []ledgerRow {
	rows := make([]ledgerRow, 0, len(p.Account.Lines))
	for _, l := range p.Account.Lines {
		meta := lineKind(l)
		if l.ReceiptNumber != 0 {
			meta += " · receipt no. " + strconv.FormatInt(l.ReceiptNumber, 10)
		}
		if l.Reference != "" {
			meta += " · ref. " + l.Reference
		}
		row := ledgerRow{
			ID: l.ID, ReversesID: l.ReversesID, Reversed: l.Reversed,
			Day: l.Date.Long(), Description: l.Description, Meta: meta,
			OpenCharge: l.Kind == "charge" && !l.Reversed,
			Reversible: !l.Reversed && l.ReversesID == 0 && l.Kind != "reversal",
		}
		switch {
		case l.Amount > 0:
			row.Charged = lintel.FormatMoney(l.Amount, p.Currency)
		case l.Amount < 0:
			row.Paid = lintel.FormatMoney(-l.Amount, p.Currency)
		}
		if row.OpenCharge {
			if l.Open > 0 {
				row.Open = lintel.FormatMoney(l.Open, p.Currency)
			}
			for _, a := range l.PaidBy {
				by := ", by credit"
				if a.ReceiptNumber != 0 {
					by = ", receipt no. " + strconv.FormatInt(a.ReceiptNumber, 10)
				}
				row.PaidBy = append(row.PaidBy, lintel.FormatMoney(a.Amount, p.Currency)+" on "+a.Date.Long()+by)
			}
		}
		if p.CanPost && row.Reversible {
			row.ReverseKey = newIdempotencyKey()
			if p.ReverseID == l.ID {
				row.ReverseOpen = true
				row.ReverseKey = p.ReverseForm.Get("idempotency_key")
				row.ReverseReason = p.ReverseForm.Get("reason")
				row.ReverseError = p.ReverseForm.Errors["reason"]
			}
		}
		rows = append(rows, row)
	}
	return rows
}
