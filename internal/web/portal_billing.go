package web

import (
	"net/http"
	"strconv"
	"strings"

	"lintel.dev/lintel/internal/billing"
	"lintel.dev/lintel/internal/lintel"
	"lintel.dev/lintel/internal/receipt"
	"lintel.dev/lintel/internal/sqldb"
)

// The portal's Billing tab. Tenants see each
// lease's account (co-tenants share it, former tenants keep it): balance,
// what is overdue, what comes next, every transaction, a PDF receipt for
// every payment. Owners see their balance per asset, income and expenses
// by month, a statement for any period and receipts for their
// contributions. Scope is the store's: anything else is a 404 like a
// missing id.

func (s *Server) portalBillingRoutes() []route {
	return []route{
		{"GET", "/portal/billing", resident, s.portalBilling},
		{"GET", "/portal/billing/leases/{id}", resident, s.portalBillingLease},
		{"GET", "/portal/billing/receipts/{file}", resident, s.portalReceipt},
		{"GET", "/portal/billing/statement.pdf", resident, s.portalStatement},
	}
}

// recentLines is how many lines each lease and owner account shows on the
// tab itself; the lease's own page pages through all of them.
const recentLines = 5

// billingPageSize is one page of a lease's account.
const billingPageSize = 25

type portalBillingPage struct {
	Page
	Leases []sqldb.ResidentLeaseBilling
	Owners []ownerBillingView
}

// ownerBillingView is an owner's money with one company, with the
// statement form's values and error.
type ownerBillingView struct {
	sqldb.OwnerBilling
	From, To       string
	StatementError string
}

// ManyCompanies reports whether the person deals with several companies,
// so each section names its company.
func (p *portalBillingPage) ManyCompanies() bool {
	return len(p.Portal.Companies) > 1 && p.Portal.CurrentCompanyID == 0
}

// Month is a month's name and year in the page's language: "Mar 2026".
func (p *Page) Month(first lintel.Date) string { return strings.TrimPrefix(p.Day(first), "1 ") }

// Percent scales v to top for a chart bar.
func (p *Page) Percent(v, top int64) int { return sqldb.Percent(v, top) }

// billingLines is the data of the "billing-lines" partial: a lease
// account's lines in the page's language.
type billingLines struct {
	Page *Page
	Rows []billingLineRow
}

// billingLineRow is one line with its words ready: plain fields, which the
// template reads far faster than methods called by reflection.
type billingLineRow struct {
	ID                                 int64
	Kind                               string
	Reversed                           bool
	Day, KindText, Description, Amount string
	// Charges: Settled says how much is paid ("" once reversed), PaidBy
	// what paid it.
	Charge  bool
	Settled string
	PaidBy  []string
	// Payments and credits with a receipt.
	Receipt, ReceiptText, ReceiptAria, Method, Reference string
}

// LinesOf readies lines for the "billing-lines" partial.
func (p *Page) LinesOf(lines []sqldb.ResidentLedgerLine) billingLines {
	out := billingLines{Page: p, Rows: make([]billingLineRow, 0, len(lines))}
	for _, l := range lines {
		row := billingLineRow{
			ID: l.ID, Kind: l.Kind, Reversed: l.Reversed,
			Day: p.Day(l.Date), KindText: p.T(l.KindLabel()), Description: p.T(l.Description), Amount: l.AmountText(),
			Charge: l.Kind == "charge",
		}
		if row.Charge {
			switch {
			case l.Reversed:
			case l.Open > 0 && l.Open < l.Amount:
				row.Settled = p.T("%s still to pay", l.OpenText())
			case l.Open > 0:
				row.Settled = p.T("Not paid yet")
			default:
				row.Settled = p.T("Paid")
			}
			for _, a := range l.PaidBy {
				if a.ReceiptNumber != 0 {
					row.PaidBy = append(row.PaidBy, p.T("%s paid on %s (receipt %s)", l.Money(a.Amount), p.Day(a.Date), sqldb.ReceiptText(a.ReceiptNumber)))
				} else {
					row.PaidBy = append(row.PaidBy, p.T("%s credited on %s", l.Money(a.Amount), p.Day(a.Date)))
				}
			}
		} else if l.ReceiptNumber != 0 {
			row.Receipt = l.Receipt()
			row.ReceiptText = p.T("Receipt %s", row.Receipt)
			row.ReceiptAria = p.T("Download receipt %s", row.Receipt)
			if m := l.MethodLabel(); m != "" {
				row.Method = p.T(m)
				row.Reference = l.Reference
			}
		}
		out.Rows = append(out.Rows, row)
	}
	return out
}

// OwnerText is an owner's line in words, in the page's language.
func (p *Page) OwnerText(l sqldb.OwnerLine) string { return l.Text(p.T) }

// portalBilling is the tab.
func (s *Server) portalBilling(w http.ResponseWriter, r *http.Request) error {
	return s.renderBilling(w, r, http.StatusOK, 0, "")
}

// renderBilling renders the tab; a statement request that could not be
// made comes back here with its error shown on its company's form.
func (s *Server) renderBilling(w http.ResponseWriter, r *http.Request, status int, errCompany int64, statementErr string) error {
	ctx := r.Context()
	res := residentOf(r)
	page := &portalBillingPage{Page: Page{Title: "Billing", Area: "portal", Nav: "billing"}}
	var err error
	if page.Leases, err = s.db.ResidentBillingLeases(ctx, res, recentLines); err != nil {
		return err
	}
	owners, err := s.db.ResidentOwnerBilling(ctx, res, 10)
	if err != nil {
		return err
	}
	from, to := lastMonth(lintel.DateOf(s.db.Now()))
	q := r.URL.Query()
	for _, o := range owners {
		v := ownerBillingView{OwnerBilling: o, From: from.String(), To: to.String()}
		if o.CompanyID == errCompany {
			v.From, v.To, v.StatementError = q.Get("from"), q.Get("to"), statementErr
		}
		page.Owners = append(page.Owners, v)
	}
	return s.render(w, r, status, "portal/billing.html", page)
}

// lastMonth is the first and last day of the month before today's: what
// a statement is usually asked for.
func lastMonth(today lintel.Date) (lintel.Date, lintel.Date) {
	first := lintel.Date{Year: today.Year, Month: today.Month, Day: 1}
	return lintel.DateOf(first.Time().AddDate(0, -1, 0)), first.AddDays(-1)
}

type portalBillingLeasePage struct {
	Page
	Account sqldb.ResidentLeaseAccount
	// NextRent is the next rent the lease's terms will charge, not yet
	// posted; nil when none (no rent, or the lease has ended).
	NextRent *sqldb.UpcomingCharge
	Older    string // the link to the next (older) page; "" on the last
	Paged    bool   // this is not the newest page
}

// CompanyCard is the lease's management company, for its contact card.
func (p *portalBillingLeasePage) CompanyCard() companyCard {
	return companyCard{Page: &p.Page, Company: p.Account.Company}
}

// portalBillingLease is one lease's account, a page at a time (?before=
// is the keyset cursor of the core's LeaseAccount.Next).
func (s *Server) portalBillingLease(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	cursor := r.URL.Query().Get("before")
	a, err := s.db.ResidentLeaseAccount(r.Context(), residentOf(r), id, cursor, billingPageSize)
	if err != nil {
		return err
	}
	page := &portalBillingLeasePage{Page: Page{Title: "Billing", Area: "portal", Nav: "billing"}, Account: a, Paged: cursor != ""}
	if a.Next != "" {
		page.Older = "/portal/billing/leases/" + strconv.FormatInt(id, 10) + "?" + queryString("before", a.Next)
	}
	if c, ok := nextRent(a, lintel.DateOf(s.db.Now())); ok {
		page.NextRent = &sqldb.UpcomingCharge{Description: c.Description, Due: c.Due, Amount: c.Amount, Currency: a.Currency, Expected: true}
	}
	return s.render(w, r, http.StatusOK, "portal/billing_lease.html", page)
}

// nextRent is the lease's next rent that is not posted yet, by the
// recurring-rent rules (internal/billing): the month after the last one
// charged, or this month if none is. Ended leases and leases without rent
// have none.
func nextRent(a sqldb.ResidentLeaseAccount, today lintel.Date) (lintel.NewCharge, bool) {
	l := a.Rent
	if l.RentMinor <= 0 || a.Status == lintel.LeaseEnded {
		return lintel.NewCharge{}, false
	}
	p := billing.PeriodOf(today)
	if last, ok := billing.ParsePeriod(l.LastPeriod); ok && !last.Before(p) {
		p = last.Next()
	}
	if start := billing.PeriodOf(l.Start); p.Before(start) {
		p = start
	}
	return billing.RentCharge(l, p)
}

// portalReceipt sends a payment's (or contribution's) receipt as a PDF,
// in the person's language: /portal/billing/receipts/123.pdf.
func (s *Server) portalReceipt(w http.ResponseWriter, r *http.Request) error {
	num, ok := strings.CutSuffix(r.PathValue("file"), ".pdf")
	id, err := strconv.ParseInt(num, 10, 64)
	if !ok || err != nil || id <= 0 {
		return lintel.ErrNotFound
	}
	p, err := s.db.ResidentReceipt(r.Context(), residentOf(r), id)
	if err != nil {
		return err
	}
	pdf, err := receipt.ForPayment(p, langOf(r), s.db.Now()).PDF()
	if err != nil {
		return err
	}
	serveGeneratedFile(w, r, pdf, receipt.FileName(p.Number), "application/pdf", "attachment")
	return nil
}

// portalStatement sends an owner's statement for a period as a PDF:
// /portal/billing/statement.pdf?company=1&from=2026-01-01&to=2026-01-31.
// company may be left out by an owner with one company. A period that
// cannot be made shows the tab again with the reason by the form.
func (s *Server) portalStatement(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	res := residentOf(r)
	q := r.URL.Query()
	companyID, _ := strconv.ParseInt(q.Get("company"), 10, 64)
	if companyID <= 0 {
		owners, err := s.db.ResidentOwnerBilling(ctx, res, 0)
		if err != nil {
			return err
		}
		if len(owners) != 1 {
			return lintel.ErrNotFound
		}
		companyID = owners[0].CompanyID
	}
	from, ferr := lintel.ParseDate(q.Get("from"))
	to, terr := lintel.ParseDate(q.Get("to"))
	if ferr != nil || terr != nil {
		// Zero dates: the store answers 404 outside scope, else a field
		// error, shown with what went wrong here.
		from, to = lintel.Date{}, lintel.Date{}
	}
	st, err := s.db.ResidentOwnerStatement(ctx, res, companyID, from, to)
	if fe := lintel.FieldsOf(err); len(fe) > 0 {
		msg := fe["from"]
		if msg == "" {
			msg = fe["to"]
		}
		if ferr != nil || terr != nil {
			msg = "Enter the first and last day of the statement as dates."
		}
		return s.renderBilling(w, r, http.StatusUnprocessableEntity, companyID, msg)
	}
	if err != nil {
		return err
	}
	doc := receipt.ForOwner(st, langOf(r), s.db.Now())
	pdf, err := doc.PDF()
	if err != nil {
		return err
	}
	serveGeneratedFile(w, r, pdf, doc.FileName(), "application/pdf", "attachment")
	return nil
}
