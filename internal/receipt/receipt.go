// Package receipt makes the ledger's PDFs: a numbered receipt for a
// payment (or an owner's contribution) and an owner's statement for a
// period. It does no I/O: callers read the ledger, fill a Receipt or a
// Statement and get the PDF's bytes.
//
// The PDFs use the standard Helvetica font (Windows-1252: English, French
// and the common currency signs; other characters print as "?") and are
// written uncompressed, so their text can be read back by simple tools
// (Text, a browser test's fetch). A fixed Issued time makes the bytes
// reproducible.
package receipt

import (
	"bytes"
	"fmt"
	"strings"
	"time"

	"github.com/go-pdf/fpdf"

	"lintel.dev/lintel/internal/i18n"
	"lintel.dev/lintel/internal/lintel"
	"lintel.dev/lintel/internal/sqldb"
)

// Company is the management company that issues the document.
type Company struct {
	Name    string
	Address string
	Email   string
	Phone   string
}

// Receipt is one payment received, as its receipt shows it.
type Receipt struct {
	Number   int64 // the company's receipt number
	Company  Company
	Kind     string   // "payment" (from tenants) or "owner_contribution"
	From     []string // who paid: the lease's tenants, or the owner
	About    string   // what it is for: "Harbour House · Apt 1"
	Amount   int64
	Currency string
	Received lintel.Date
	Method   string // a lintel.PaymentMethod value, or ""
	Ref      string // the payer's reference
	// Paid lists the charges the payment settled (tenants' receipts).
	Paid []PaidLine
	// Reversed is the day the payment was reversed (zero: it stands).
	Reversed lintel.Date
	Issued   time.Time // the PDF's creation date
	Lang     string    // i18n language code; "" is English
}

// PaidLine is a charge a payment paid, wholly or in part.
type PaidLine struct {
	Description string
	Due         lintel.Date
	Amount      int64
}

// FileName is the receipt's download name, e.g. "receipt-000123.pdf".
func FileName(number int64) string { return fmt.Sprintf("receipt-%s.pdf", Number(number)) }

// Number formats a receipt number as printed: six digits at least.
func Number(n int64) string { return fmt.Sprintf("%06d", n) }

// doc wraps fpdf with the page layout both documents share.
type doc struct {
	pdf *fpdf.Fpdf
	tr  func(string) string // UTF-8 → the font's code page
	p   i18n.Printer
	w   float64 // usable width
}

// paperFor picks Letter for North American currencies, A4 elsewhere.
func paperFor(currency string) string {
	if currency == "USD" || currency == "CAD" {
		return "Letter"
	}
	return "A4"
}

func newDoc(title, author, currency, lang string, issued time.Time) *doc {
	pdf := fpdf.New("P", "mm", paperFor(currency), "")
	pdf.SetCompression(false)
	pdf.SetCatalogSort(true)
	if issued.IsZero() {
		issued = time.Now()
	}
	pdf.SetCreationDate(issued.UTC())
	pdf.SetModificationDate(issued.UTC())
	pdf.SetTitle(title, true)
	pdf.SetAuthor(author, true)
	pdf.SetCreator("Lintel", true)
	pdf.SetProducer("Lintel", true)
	pdf.SetMargins(18, 18, 18)
	pdf.SetAutoPageBreak(true, 18)
	d := &doc{pdf: pdf, tr: pdf.UnicodeTranslatorFromDescriptor(""), p: i18n.For(lang)}
	if lang != "" {
		pdf.SetLang(lang)
	}
	pw, _ := pdf.GetPageSize()
	l, _, r, _ := pdf.GetMargins()
	d.w = pw - l - r
	pdf.AddPage()
	return d
}

func (d *doc) t(msg string, args ...any) string { return d.p.T(msg, args...) }

func (d *doc) day(x lintel.Date) string {
	if x.IsZero() {
		return ""
	}
	return d.p.Date(x.Time())
}

func (d *doc) font(style string, size float64) { d.pdf.SetFont("Helvetica", style, size) }

// cell writes one line of text in a box of width w; ln 1 moves to the
// next line.
func (d *doc) cell(w, h float64, s, align string, ln int) {
	d.pdf.CellFormat(w, h, d.tr(s), "", ln, align, false, 0, "")
}

// para writes wrapped text across the page.
func (d *doc) para(h float64, s string) { d.pdf.MultiCell(d.w, h, d.tr(s), "", "L", false) }

// header prints the company's name and contact details on the left and
// the document's title and number on the right.
func (d *doc) header(c Company, title string, right []string) {
	pdf := d.pdf
	top := pdf.GetY()
	d.font("B", 14)
	d.cell(d.w*0.6, 7, c.Name, "L", 2)
	d.font("", 9)
	for _, line := range append(strings.Split(c.Address, "\n"), strings.Trim(c.Email+"  ·  "+c.Phone, " ·")) {
		if line = strings.TrimSpace(line); line != "" {
			d.cell(d.w*0.6, 4.5, line, "L", 2)
		}
	}
	leftEnd := pdf.GetY()
	l, _, _, _ := pdf.GetMargins()
	pdf.SetXY(l+d.w*0.6, top)
	d.font("B", 16)
	d.cell(d.w*0.4, 8, title, "R", 2)
	d.font("", 10)
	for _, line := range right {
		d.cell(d.w*0.4, 5, line, "R", 2)
	}
	pdf.SetXY(l, max(leftEnd, pdf.GetY())+4)
	d.rule()
}

func (d *doc) rule() {
	l, _, _, _ := d.pdf.GetMargins()
	y := d.pdf.GetY()
	d.pdf.SetDrawColor(180, 186, 194)
	d.pdf.Line(l, y, l+d.w, y)
	d.pdf.Ln(4)
}

// facts prints label/value pairs, one per line.
func (d *doc) facts(pairs [][2]string) {
	for _, kv := range pairs {
		if kv[1] == "" {
			continue
		}
		d.font("", 10)
		d.pdf.SetTextColor(90, 100, 114)
		d.cell(45, 6, kv[0], "L", 0)
		d.pdf.SetTextColor(0, 0, 0)
		d.font("B", 10)
		d.pdf.MultiCell(d.w-45, 6, d.tr(kv[1]), "", "L", false)
	}
}

// table prints a header row and rows; widths are fractions of the page;
// align per column.
func (d *doc) table(head []string, widths []float64, align string, rows [][]string) {
	pdf := d.pdf
	d.font("B", 9)
	pdf.SetFillColor(238, 241, 245)
	for i, h := range head {
		pdf.CellFormat(d.w*widths[i], 7, d.tr(h), "B", 0, string(align[i]), true, 0, "")
	}
	pdf.Ln(-1)
	d.font("", 9)
	for _, r := range rows {
		for i, c := range r {
			pdf.CellFormat(d.w*widths[i], 6, d.fit(c, d.w*widths[i]-2), "", 0, string(align[i]), false, 0, "")
		}
		pdf.Ln(-1)
	}
	pdf.SetDrawColor(180, 186, 194)
	l, _, _, _ := pdf.GetMargins()
	pdf.Line(l, pdf.GetY(), l+d.w, pdf.GetY())
	pdf.Ln(2)
}

// fit translates s to the font's code page and, when it is wider than w,
// cuts it with an ellipsis: a table row stays one line.
func (d *doc) fit(s string, w float64) string {
	t := d.tr(s)
	if d.pdf.GetStringWidth(t) <= w {
		return t
	}
	dots := d.tr("…")
	for len(t) > 0 && d.pdf.GetStringWidth(t+dots) > w {
		t = t[:len(t)-1] // one byte is one character in a single-byte code page
	}
	return strings.TrimRight(t, " ") + dots
}

func (d *doc) footer(s string) {
	d.pdf.Ln(6)
	d.font("", 8)
	d.pdf.SetTextColor(90, 100, 114)
	d.para(4, s)
	d.pdf.SetTextColor(0, 0, 0)
}

func (d *doc) bytes() ([]byte, error) {
	var buf bytes.Buffer
	if err := d.pdf.Output(&buf); err != nil {
		return nil, fmt.Errorf("write PDF: %w", err)
	}
	return buf.Bytes(), nil
}

// methodLabel names a payment method in the document's language.
func (d *doc) methodLabel(m string) string {
	if m == "" {
		return ""
	}
	return d.t(lintel.PaymentMethod(m).Label())
}

// PDF renders the receipt.
func (r Receipt) PDF() ([]byte, error) {
	if r.Number <= 0 {
		return nil, fmt.Errorf("receipt without a number")
	}
	num := Number(r.Number)
	d := newDoc("Receipt "+num, r.Company.Name, r.Currency, r.Lang, r.Issued)
	d.header(r.Company, d.t("Receipt"), []string{
		d.t("Receipt %s", num),
		d.t("Received on %s", d.day(r.Received)),
	})
	if !r.Reversed.IsZero() {
		d.font("B", 11)
		d.pdf.SetTextColor(170, 30, 30)
		d.para(6, d.t("This payment was reversed on %s: it no longer counts on the account.", d.day(r.Reversed)))
		d.pdf.SetTextColor(0, 0, 0)
		d.pdf.Ln(2)
	}
	what := d.t("Payment")
	if r.Kind == string(lintel.OwnerContribution) {
		what = d.t("Owner contribution")
	}
	d.facts([][2]string{
		{d.t("Amount received"), lintel.FormatMoney(r.Amount, r.Currency)},
		{d.t("Received from"), strings.Join(r.From, ", ")},
		{d.t("For"), r.About},
		{d.t("Type"), what},
		{d.t("Date received"), d.day(r.Received)},
		{d.t("Method"), d.methodLabel(r.Method)},
		{d.t("Reference"), r.Ref},
	})
	d.pdf.Ln(4)
	if len(r.Paid) > 0 {
		d.font("B", 11)
		d.cell(d.w, 7, d.t("What it paid"), "L", 1)
		var rows [][]string
		var applied int64
		for _, p := range r.Paid {
			rows = append(rows, []string{p.Description, d.day(p.Due), lintel.FormatMoney(p.Amount, r.Currency)})
			applied += p.Amount
		}
		if left := r.Amount - applied; left > 0 {
			rows = append(rows, []string{d.t("Kept as credit on the account"), "", lintel.FormatMoney(left, r.Currency)})
		}
		d.table([]string{d.t("Charge"), d.t("Due"), d.t("Amount")}, []float64{0.56, 0.22, 0.22}, "LLR", rows)
	}
	d.footer(d.t("Receipt %s issued by %s on %s. Keep it for your records.", num, r.Company.Name, d.p.Date(r.Issued)))
	return d.bytes()
}

// Statement is an owner's account for a period.
type Statement struct {
	Company  Company
	Owner    string
	Assets   []string // "Harbour House (60%)"
	From, To lintel.Date
	Currency string
	Opening  int64 // the owner's balance before From
	Lines    []StatementLine
	Issued   time.Time
	Lang     string
}

// StatementLine is one movement on the owner's balance: positive adds to
// what the company holds for the owner (rent share, contributions),
// negative takes from it (fees, expenses, distributions).
type StatementLine struct {
	Date        lintel.Date
	Asset       string
	Description string
	Amount      int64
}

// Closing is the balance at the end of the period.
func (s Statement) Closing() int64 {
	b := s.Opening
	for _, l := range s.Lines {
		b += l.Amount
	}
	return b
}

// FileName is the statement's download name.
func (s Statement) FileName() string {
	return fmt.Sprintf("statement-%s-%s.pdf", s.From, s.To)
}

// PDF renders the statement.
func (s Statement) PDF() ([]byte, error) {
	d := newDoc("Owner statement "+s.From.String()+" – "+s.To.String(), s.Company.Name, s.Currency, s.Lang, s.Issued)
	d.header(s.Company, d.t("Owner statement"), []string{
		d.t("%s to %s", d.day(s.From), d.day(s.To)),
	})
	d.facts([][2]string{
		{d.t("Owner"), s.Owner},
		{d.t("Assets"), strings.Join(s.Assets, ", ")},
		{d.t("Opening balance"), lintel.FormatMoney(s.Opening, s.Currency)},
		{d.t("Closing balance"), lintel.FormatMoney(s.Closing(), s.Currency)},
	})
	d.pdf.Ln(4)
	var in, out int64
	rows := [][]string{{d.day(s.From), "", d.t("Opening balance"), "", lintel.FormatMoney(s.Opening, s.Currency)}}
	bal := s.Opening
	for _, l := range s.Lines {
		bal += l.Amount
		if l.Amount > 0 {
			in += l.Amount
		} else {
			out -= l.Amount
		}
		rows = append(rows, []string{d.day(l.Date), l.Asset, l.Description, lintel.FormatMoney(l.Amount, s.Currency), lintel.FormatMoney(bal, s.Currency)})
	}
	rows = append(rows, []string{d.day(s.To), "", d.t("Closing balance"), "", lintel.FormatMoney(bal, s.Currency)})
	d.table([]string{d.t("Date"), d.t("Asset"), d.t("Description"), d.t("Amount"), d.t("Balance")},
		[]float64{0.16, 0.2, 0.36, 0.14, 0.14}, "LLLRR", rows)
	if len(s.Lines) == 0 {
		d.font("", 10)
		d.para(6, d.t("Nothing moved on your balance in this period."))
	}
	d.pdf.Ln(2)
	d.facts([][2]string{
		{d.t("Money in"), lintel.FormatMoney(in, s.Currency)},
		{d.t("Money out"), lintel.FormatMoney(-out, s.Currency)},
	})
	d.footer(d.t("Statement issued by %s on %s. A positive balance is money %s holds for you.", s.Company.Name, d.p.Date(s.Issued), s.Company.Name))
	return d.bytes()
}

// ForPayment is the receipt of a payment or contribution read from the
// ledger, in language lang, issued at issued.
func ForPayment(p sqldb.PaymentReceipt, lang string, issued time.Time) Receipt {
	r := Receipt{
		Number: p.Number, Company: companyOf(p.Company), Kind: p.Kind, From: p.From, About: p.About,
		Amount: p.Amount, Currency: p.Currency, Received: p.Received, Method: p.Method, Ref: p.Reference,
		Reversed: p.Reversed, Issued: issued, Lang: lang,
	}
	for _, c := range p.Paid {
		r.Paid = append(r.Paid, PaidLine{Description: c.Description, Due: c.Due, Amount: c.Amount})
	}
	return r
}

// ForOwner is an owner's statement read from the ledger, in language
// lang, issued at issued.
func ForOwner(s sqldb.OwnerStatement, lang string, issued time.Time) Statement {
	p := i18n.For(lang)
	out := Statement{Company: companyOf(s.Company), Owner: s.Owner, Assets: s.Assets, From: s.From, To: s.To, Currency: s.Currency,
		Opening: s.Opening, Issued: issued, Lang: lang}
	for _, l := range s.Lines {
		out.Lines = append(out.Lines, StatementLine{Date: l.Date, Asset: l.Asset, Description: l.Text(p.T), Amount: l.Amount})
	}
	return out
}

func companyOf(c sqldb.PortalCompany) Company {
	return Company{Name: c.Name, Address: c.Address, Email: c.Email, Phone: c.Phone}
}
