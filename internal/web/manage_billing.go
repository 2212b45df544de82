package web

import (
	"encoding/csv"
	"net/http"
	"strconv"
	"strings"

	"lintel.dev/lintel/internal/lintel"
	"lintel.dev/lintel/internal/sqldb"
)

// Receivables and the rent roll, on screen and as CSV.
// Every staff role may read them; they change nothing.

func (s *Server) billingReportRoutes() []route {
	return []route{
		{"GET", "/manage/billing", staffView, s.manageReceivables},
		{"GET", "/manage/billing/receivables.csv", staffView, s.receivablesCSV},
		{"GET", "/manage/billing/rent-roll", staffView, s.manageRentRoll},
		{"GET", "/manage/billing/rent-roll.csv", staffView, s.rentRollCSV},
	}
}

type receivablesPage struct {
	Page
	Report   sqldb.ReceivablesPage
	Rows     []receivableRow
	Currency string
	Today    lintel.Date
	NextURL  string
	FirstURL string // back to the top, when paged
}

// receivableRow is one lease of the report with its amounts written out:
// plain fields, which the template reads far faster than calls by
// reflection on every row.
type receivableRow struct {
	LeaseID                                              int64
	UnitLabel, PropertyName, Tenants                     string
	NotYetDue, Days0To30, Days31To60, Days61To90, Over90 string
	Overdue90                                            bool
	Balance                                              string
}

func newReceivableRow(r sqldb.ReceivableRow, currency string) receivableRow {
	m := func(v int64) string { return lintel.FormatMoney(v, currency) }
	return receivableRow{
		LeaseID: r.LeaseID, UnitLabel: r.UnitLabel, PropertyName: r.PropertyName, Tenants: r.Tenants,
		NotYetDue: m(r.NotYetDue), Days0To30: m(r.Days0To30), Days31To60: m(r.Days31To60), Days61To90: m(r.Days61To90),
		Over90: m(r.Over90), Overdue90: r.Over90 != 0, Balance: m(r.Balance),
	}
}

// manageReceivables shows who owes what, aged by due date, largest
// balance first.
func (s *Server) manageReceivables(w http.ResponseWriter, r *http.Request) error {
	st := staffOf(r)
	ctx := r.Context()
	q := r.URL.Query()
	company, err := s.db.Company(ctx, st)
	if err != nil {
		return err
	}
	today := lintel.DateOf(s.cfg.Now())
	after := parseKeyset(q.Get("after"))
	rep, err := s.db.Receivables(ctx, st, sqldb.ReceivablesFilter{Today: today, After: after})
	if err != nil {
		return err
	}
	p := &receivablesPage{
		Page:   Page{Title: "Receivables", Area: "manage", Nav: "billing"},
		Report: rep, Currency: company.Currency, Today: today,
		NextURL: pageURL("/manage/billing", q, "after", rep.Next),
	}
	p.Rows = make([]receivableRow, 0, len(rep.Rows))
	for _, row := range rep.Rows {
		p.Rows = append(p.Rows, newReceivableRow(row, company.Currency))
	}
	if after != nil {
		p.FirstURL = "/manage/billing"
	}
	return s.render(w, r, http.StatusOK, "manage/receivables.html", p)
}

type rentRollPage struct {
	Page
	Roll     sqldb.RentRollPage
	Rows     []rentRollRow
	Currency string
	Today    lintel.Date
	NextURL  string
	FirstURL string
}

// rentRollRow is one unit of the rent roll with its text ready: plain
// fields, which the template reads far faster than methods and functions
// called by reflection on every row.
type rentRollRow struct {
	UnitID, LeaseID                  int64
	UnitLabel, PropertyName, Tenants string
	Vacant                           bool
	Term, Rent, Deposit, Held        string // Held: "" when the deposit agreed is held
	Balance                          string
}

func newRentRollRow(r sqldb.RentRollRow, currency string) rentRollRow {
	row := rentRollRow{UnitID: r.UnitID, LeaseID: r.LeaseID, UnitLabel: r.UnitLabel, PropertyName: r.PropertyName, Tenants: r.Tenants, Vacant: r.Vacant()}
	if row.Vacant {
		return row
	}
	end := r.End.Long()
	switch {
	case !r.End.IsZero():
	case r.MonthToMonth:
		end = "month to month"
	default:
		end = "open-ended"
	}
	row.Term = r.Start.Long() + " – " + end
	row.Rent, row.Deposit, row.Balance = lintel.FormatMoney(r.Rent, currency), lintel.FormatMoney(r.Deposit, currency), lintel.FormatMoney(r.Balance, currency)
	if r.DepositHeld != r.Deposit {
		row.Held = lintel.FormatMoney(r.DepositHeld, currency)
	}
	return row
}

// manageRentRoll lists every unit with its lease today, vacant ones too.
func (s *Server) manageRentRoll(w http.ResponseWriter, r *http.Request) error {
	st := staffOf(r)
	ctx := r.Context()
	q := r.URL.Query()
	company, err := s.db.Company(ctx, st)
	if err != nil {
		return err
	}
	today := lintel.DateOf(s.cfg.Now())
	after := parseKeyset(q.Get("after"))
	roll, err := s.db.RentRoll(ctx, st, sqldb.RentRollFilter{Today: today, After: after})
	if err != nil {
		return err
	}
	p := &rentRollPage{
		Page: Page{Title: "Rent roll", Area: "manage", Nav: "billing"},
		Roll: roll, Currency: company.Currency, Today: today,
		NextURL: pageURL("/manage/billing/rent-roll", q, "after", roll.Next),
	}
	p.Rows = make([]rentRollRow, 0, len(roll.Rows))
	for _, row := range roll.Rows {
		p.Rows = append(p.Rows, newRentRollRow(row, company.Currency))
	}
	if after != nil {
		p.FirstURL = "/manage/billing/rent-roll"
	}
	return s.render(w, r, http.StatusOK, "manage/rent_roll.html", p)
}

// csvMoney is an amount for a spreadsheet: plain digits and a point, no
// symbol or thousands separator, so it sums as a number.
func csvMoney(minor int64, currency string) string { return lintel.FormatMoneyInput(minor, currency) }

// startCSV sets the headers of a CSV download and returns its writer.
func startCSV(w http.ResponseWriter, filename string) *csv.Writer {
	h := w.Header()
	h.Set("Content-Type", "text/csv; charset=utf-8")
	h.Set("Content-Disposition", `attachment; filename="`+filename+`"`)
	h.Set("X-Content-Type-Options", "nosniff")
	return csv.NewWriter(w)
}

// receivablesCSV exports the whole receivables report, totals last.
func (s *Server) receivablesCSV(w http.ResponseWriter, r *http.Request) error {
	st := staffOf(r)
	ctx := r.Context()
	company, err := s.db.Company(ctx, st)
	if err != nil {
		return err
	}
	cur := company.Currency
	today := lintel.DateOf(s.cfg.Now())
	// Read in one statement before anything is written, so a failure is
	// still a clean error page (20,000 rows are a few megabytes).
	rep, err := s.db.Receivables(ctx, st, sqldb.ReceivablesFilter{Today: today, All: true})
	if err != nil {
		return err
	}
	cw := startCSV(w, "receivables-"+today.String()+".csv")
	_ = cw.Write([]string{"Property", "Unit", "Tenants", "Lease start", "Lease end", "Not yet due", "0-30 days", "31-60 days", "61-90 days", "Over 90 days", "Balance", "Currency"})
	for _, row := range rep.Rows {
		_ = cw.Write(csvRow(row.PropertyName, row.UnitLabel, row.Tenants, row.Start.String(), row.End.String(),
			csvMoney(row.NotYetDue, cur), csvMoney(row.Days0To30, cur), csvMoney(row.Days31To60, cur),
			csvMoney(row.Days61To90, cur), csvMoney(row.Over90, cur), csvMoney(row.Balance, cur), cur))
	}
	t := rep.Totals
	_ = cw.Write(csvRow("Total", "", strconv.Itoa(rep.Count)+" leases", "", "",
		csvMoney(t.NotYetDue, cur), csvMoney(t.Days0To30, cur), csvMoney(t.Days31To60, cur),
		csvMoney(t.Days61To90, cur), csvMoney(t.Over90, cur), csvMoney(t.Balance, cur), cur))
	return s.endCSV(r, cw)
}

// rentRollCSV exports the whole rent roll.
func (s *Server) rentRollCSV(w http.ResponseWriter, r *http.Request) error {
	st := staffOf(r)
	ctx := r.Context()
	company, err := s.db.Company(ctx, st)
	if err != nil {
		return err
	}
	cur := company.Currency
	today := lintel.DateOf(s.cfg.Now())
	roll, err := s.db.RentRoll(ctx, st, sqldb.RentRollFilter{Today: today, All: true})
	if err != nil {
		return err
	}
	cw := startCSV(w, "rent-roll-"+today.String()+".csv")
	_ = cw.Write([]string{"Property", "Unit", "Status", "Tenants", "Lease start", "Lease end", "Rent", "Deposit", "Deposit held", "Balance", "Currency"})
	for _, row := range roll.Rows {
		status, end := "Occupied", row.End.String()
		if row.Vacant() {
			status = "Vacant"
		} else if row.End.IsZero() && row.MonthToMonth {
			end = "Month to month"
		}
		_ = cw.Write(csvRow(row.PropertyName, row.UnitLabel, status, row.Tenants, row.Start.String(), end,
			csvMoney(row.Rent, cur), csvMoney(row.Deposit, cur), csvMoney(row.DepositHeld, cur), csvMoney(row.Balance, cur), cur))
	}
	return s.endCSV(r, cw)
}

// endCSV flushes a download. The headers are sent by then, so a failure
// (the person went away) can only be logged.
func (s *Server) endCSV(r *http.Request, cw *csv.Writer) error {
	cw.Flush()
	if err := cw.Error(); err != nil {
		s.log.Warn("csv download cut short", "id", requestIDOf(r), "path", r.URL.Path, "err", err)
	}
	return nil
}

// csvRow makes every cell of a row safe to open in a spreadsheet.
func csvRow(cells ...string) []string {
	for i, c := range cells {
		cells[i] = csvCell(c)
	}
	return cells
}

// csvCell defuses formula injection (SECURITY.md 20): a spreadsheet runs a
// cell starting with = + - @ (or a tab or carriage return before one) as a
// formula, so such a cell gets a leading apostrophe and is shown as text.
// A plain number ("-12.50") is left alone: it cannot call anything, and a
// credit balance should still add up in the sheet.
func csvCell(s string) string {
	if s == "" || plainNumber(s) {
		return s
	}
	switch s[0] {
	case '=', '+', '-', '@', '\t', '\r':
		return "'" + s
	}
	return s
}

// plainNumber reports whether s is an optional minus, digits, and at most
// one decimal point followed by digits: "-1250.00", "42".
func plainNumber(s string) bool {
	s = strings.TrimPrefix(s, "-")
	whole, frac, dot := strings.Cut(s, ".")
	if whole == "" || (dot && frac == "") {
		return false
	}
	for _, c := range whole + frac {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}
