package sqldb

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"lintel.dev/lintel/internal/lintel"
)

// The portal's Billing tab: what a resident
// reads of the ledger, resolved in SQL from their verified e-mail
// (myContacts), never from ids in the request.
//
//   - Tenants read the account of every lease they are or were a tenant
//     on: co-tenants share it, former tenants keep it.
//   - Owners read their own owner accounts (one per asset they own or
//     owned, in each company): balances, what moved by month, a statement
//     for any period, receipts for their contributions.
//
// Anything else answers lintel.ErrNotFound, like a missing id.

// ResidentLeaseBilling is one of the resident's leases with its balance.
type ResidentLeaseBilling struct {
	ResidentLeaseItem
	Balance int64 // positive: the tenants owe it
	Overdue int64 // of the balance, what was due before today
	// Recent are the newest lines of the account.
	Recent []ResidentLedgerLine
	next   string
}

// BalanceText is the balance in the company's currency.
func (l ResidentLeaseBilling) BalanceText() string { return lintel.FormatMoney(l.Balance, l.Currency) }

// OverdueText is the amount overdue in the company's currency.
func (l ResidentLeaseBilling) OverdueText() string { return lintel.FormatMoney(l.Overdue, l.Currency) }

// Credit is the money held for the tenants when they paid ahead.
func (l ResidentLeaseBilling) Credit() int64 { return max(0, -l.Balance) }

// CreditText is Credit in the company's currency.
func (l ResidentLeaseBilling) CreditText() string { return lintel.FormatMoney(l.Credit(), l.Currency) }

// ResidentLedgerLine is one transaction on a lease's account as its
// tenants read it (the core's LedgerLine: a charge positive, a payment or
// credit negative), with the currency to show it in.
type ResidentLedgerLine struct {
	LedgerLine
	Currency string
}

// AmountText is the amount in the company's currency.
func (l ResidentLedgerLine) AmountText() string { return lintel.FormatMoney(l.Amount, l.Currency) }

// OpenText is the unpaid part in the company's currency.
func (l ResidentLedgerLine) OpenText() string { return lintel.FormatMoney(l.Open, l.Currency) }

// Receipt is the receipt's printed number ("000123"), "" for lines
// without one.
func (l ResidentLedgerLine) Receipt() string { return ReceiptText(l.ReceiptNumber) }

// KindLabel names the line's kind for people.
func (l ResidentLedgerLine) KindLabel() string { return lintel.TransactionKindLabel(l.Kind) }

// MethodLabel names the payment method, "" when none.
func (l ResidentLedgerLine) MethodLabel() string {
	if l.Method == "" {
		return ""
	}
	return lintel.PaymentMethod(l.Method).Label()
}

// Money formats an amount of the line's currency (what paid a charge).
func (l ResidentLedgerLine) Money(minor int64) string { return lintel.FormatMoney(minor, l.Currency) }

// ReceiptText prints a receipt number as receipts show it: "000123"; ""
// for 0 (no receipt).
func ReceiptText(n int64) string {
	if n == 0 {
		return ""
	}
	return fmt.Sprintf("%06d", n)
}

// UpcomingCharge is a charge falling due after today: a posted one still
// open, or the next rent the lease's terms will charge.
type UpcomingCharge struct {
	Description string
	Due         lintel.Date
	Amount      int64
	Currency    string
	Expected    bool // not posted yet: from the lease's terms
}

// AmountText is the amount in the company's currency.
func (u UpcomingCharge) AmountText() string { return lintel.FormatMoney(u.Amount, u.Currency) }

// ResidentLeaseAccount is one page of a lease's account.
type ResidentLeaseAccount struct {
	ResidentLeaseBilling
	RentDueDay int
	Company    PortalCompany
	// Upcoming are posted charges due after today, still open, soonest
	// first. Rent has the lease's rent terms and the last period charged,
	// for the caller to work out the next rent not posted yet (the rent
	// rules live in internal/billing).
	Upcoming []UpcomingCharge
	Rent     RentLease
	Lines    []ResidentLedgerLine
	Next     string // cursor of the next (older) page; "" at the end
}

// MaxLedgerPage bounds one page of lines.
const MaxLedgerPage = 100

// residentLeaseBillingCols add the lease's company and due day to
// residentLeaseCols.
const residentLeaseBillingCols = residentLeaseCols + `, l.company_id, l.rent_due_day`

// residentBillingLeaseFrom is residentLeaseFrom driven from the resident's
// tenancies: the leases come from me's lease_tenants rows, not from a
// look at every lease with an EXISTS on each.
const residentBillingLeaseFrom = ` FROM (SELECT DISTINCT lt.lease_id, lt.company_id FROM me
		JOIN lease_tenants lt ON lt.contact_id = me.id AND lt.company_id = me.company_id WHERE me.is_tenant) mine
	JOIN leases l ON l.id = mine.lease_id AND l.company_id = mine.company_id
	JOIN units un ON un.id = l.unit_id AND un.company_id = l.company_id
	JOIN properties p ON p.id = un.property_id AND p.company_id = un.company_id
	JOIN companies co ON co.id = l.company_id
	WHERE l.archived_at IS NULL`

// ResidentBillingLeases lists the leases the resident is or was a tenant
// on, with balance, amount overdue and the newest recent lines of each:
// current leases first, like the Lease tab.
func (db *DB) ResidentBillingLeases(ctx context.Context, r lintel.Resident, recent int) ([]ResidentLeaseBilling, error) {
	var out []ResidentLeaseBilling
	err := db.view(ctx, func(tx *Tx) error {
		today := lintel.DateOf(tx.Now)
		rows, err := tx.QueryContext(ctx, myContacts+`SELECT `+residentLeaseBillingCols+residentBillingLeaseFrom+`
			ORDER BY CASE WHEN l.end_date IS NOT NULL AND l.end_date < $2 THEN 1 ELSE 0 END, l.start_date DESC, l.id DESC`,
			r.UserID, today)
		if err != nil {
			return err
		}
		defer rows.Close()
		var companies []int64
		for rows.Next() {
			var l ResidentLeaseBilling
			var companyID int64
			var dueDay int
			if err := scanResidentLeaseBilling(rows, &l, &companyID, &dueDay, today); err != nil {
				return err
			}
			out = append(out, l)
			companies = append(companies, companyID)
		}
		if err := rows.Err(); err != nil {
			return err
		}
		rows.Close()
		for i := range out {
			if err := tx.fillLeaseBilling(ctx, &out[i], companies[i], "", recent); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("billing leases: %w", err)
	}
	return out, nil
}

// fillLeaseBilling reads a lease's balance and one page of its lines from
// cursor through the ledger core's own reads; the caller has checked the
// lease is the resident's. It returns the next page's cursor.
func (tx *Tx) fillLeaseBilling(ctx context.Context, l *ResidentLeaseBilling, companyID int64, cursor string, limit int) error {
	var err error
	if l.Balance, l.Overdue, err = tx.leaseBalance(ctx, companyID, l.ID); err != nil {
		return err
	}
	if limit <= 0 {
		return nil
	}
	lines, next, err := tx.ledgerLines(ctx, companyID, l.ID, cursor, limit)
	if err != nil {
		return err
	}
	l.Recent = make([]ResidentLedgerLine, len(lines))
	for i, x := range lines {
		l.Recent[i] = ResidentLedgerLine{LedgerLine: x, Currency: l.Currency}
	}
	l.next = next
	return nil
}

func scanResidentLeaseBilling(row scanner, l *ResidentLeaseBilling, companyID *int64, dueDay *int, today lintel.Date) error {
	var p lintel.Property
	if err := row.Scan(&l.ID, &l.CompanyName, &l.PropertyName, &p.AddressLine1, &p.AddressLine2, &p.City, &p.Region, &p.PostalCode, &p.Country,
		&l.UnitLabel, &l.Start, &l.End, &l.MonthToMonth, &l.RentMinor, &l.Currency, companyID, dueDay); err != nil {
		return err
	}
	l.Address = p.Address()
	l.Status = lintel.Lease{Start: l.Start, End: l.End}.StatusOn(today)
	return nil
}

// ResidentLeaseAccount reads one page of the account of a lease the
// resident is or was a tenant on, newest first, from cursor ("" for the
// newest; a LeaseAccount-style "YYYY-MM-DD.id"). Any other lease is
// lintel.ErrNotFound.
func (db *DB) ResidentLeaseAccount(ctx context.Context, r lintel.Resident, leaseID int64, cursor string, limit int) (ResidentLeaseAccount, error) {
	var a ResidentLeaseAccount
	limit = min(pageSize(limit), MaxLedgerPage)
	err := db.view(ctx, func(tx *Tx) error {
		today := lintel.DateOf(tx.Now)
		var companyID int64
		var recorded time.Time
		l := &a.ResidentLeaseBilling
		var p lintel.Property
		row := tx.QueryRowContext(ctx, myContacts+`SELECT `+residentLeaseBillingCols+`, co.email, co.phone, co.address, l.created_at`+
			residentBillingLeaseFrom+` AND l.id = $2`, r.UserID, leaseID)
		err := mapErr(row.Scan(&l.ID, &l.CompanyName, &l.PropertyName, &p.AddressLine1, &p.AddressLine2, &p.City, &p.Region, &p.PostalCode, &p.Country,
			&l.UnitLabel, &l.Start, &l.End, &l.MonthToMonth, &l.RentMinor, &l.Currency, &companyID, &a.RentDueDay,
			&a.Company.Email, &a.Company.Phone, &a.Company.Address, at(&recorded)))
		if err != nil {
			return err
		}
		l.Address = p.Address()
		l.Status = lintel.Lease{Start: l.Start, End: l.End}.StatusOn(today)
		a.Company.ID, a.Company.Name = companyID, l.CompanyName
		if err := tx.fillLeaseBilling(ctx, l, companyID, cursor, limit); err != nil {
			return err
		}
		a.Lines, a.Next, l.Recent = l.Recent, l.next, nil

		a.Rent = RentLease{ID: leaseID, CompanyID: companyID, Start: l.Start, End: l.End, RentMinor: l.RentMinor, DueDay: a.RentDueDay,
			Recorded: lintel.DateOf(recorded)}
		if err := tx.get(ctx, `SELECT COALESCE(MAX(period), '') FROM ledger_transactions WHERE company_id = $1 AND lease_id = $2 AND period IS NOT NULL`,
			[]any{companyID, leaseID}, &a.Rent.LastPeriod); err != nil {
			return err
		}
		rows, err := tx.QueryContext(ctx, `SELECT t.description, o.effective_date, o.open_minor
			FROM ledger_open o JOIN ledger_transactions t ON t.id = o.transaction_id
			WHERE o.company_id = $1 AND o.lease_id = $2 AND o.kind = 'charge' AND o.effective_date > $3 AND o.open_minor > 0
			ORDER BY o.effective_date, o.transaction_id LIMIT 24`, companyID, leaseID, today)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			u := UpcomingCharge{Currency: l.Currency}
			if err := rows.Scan(&u.Description, &u.Due, &u.Amount); err != nil {
				return err
			}
			a.Upcoming = append(a.Upcoming, u)
		}
		return rows.Err()
	})
	if err != nil {
		return ResidentLeaseAccount{}, fmt.Errorf("lease account %d: %w", leaseID, err)
	}
	return a, nil
}

// PaymentReceipt is what a receipt shows, read from the ledger.
type PaymentReceipt struct {
	ID        int64 // the transaction
	CompanyID int64
	LeaseID   int64 // 0 for an owner contribution
	Kind      string
	Number    int64
	Company   PortalCompany
	Currency  string
	From      []string // the lease's tenants, or the owner
	About     string   // "Harbour House · Apt 1"
	Amount    int64
	Received  lintel.Date
	Method    string
	Reference string
	Paid      []PaidCharge
	Reversed  lintel.Date // zero: not reversed
}

// PaidCharge is a charge a payment paid, with how much of it.
type PaidCharge struct {
	Description string
	Due         lintel.Date
	Amount      int64
}

// myReceipts selects, after myContacts, the transactions with a receipt
// the resident may download: payments on leases they are or were a tenant
// on, and contributions they made as an owner.
const myReceipts = `, myreceipts AS (
	SELECT t.id, t.company_id FROM ledger_transactions t
	JOIN lease_tenants lt ON lt.lease_id = t.lease_id AND lt.company_id = t.company_id
	JOIN me ON me.id = lt.contact_id AND me.company_id = lt.company_id AND me.is_tenant
	JOIN leases l ON l.id = t.lease_id AND l.company_id = t.company_id AND l.archived_at IS NULL
	WHERE t.id = $2 AND t.kind = 'payment' AND t.receipt_number IS NOT NULL
	UNION
	SELECT t.id, t.company_id FROM ledger_transactions t
	JOIN me ON me.id = t.contact_id AND me.company_id = t.company_id AND me.is_owner
	WHERE t.id = $2 AND t.kind = 'owner_contribution' AND t.receipt_number IS NOT NULL)
`

// ResidentReceipt reads the receipt of transaction txID for the resident:
// a payment on one of their leases, or one of their own contributions.
// Anything else is lintel.ErrNotFound.
func (db *DB) ResidentReceipt(ctx context.Context, r lintel.Resident, txID int64) (PaymentReceipt, error) {
	var out PaymentReceipt
	err := db.view(ctx, func(tx *Tx) error {
		var companyID int64
		if err := tx.get(ctx, myContacts+myReceipts+`SELECT company_id FROM myreceipts`, []any{r.UserID, txID}, &companyID); err != nil {
			return err
		}
		var err error
		out, err = tx.paymentReceipt(ctx, companyID, txID)
		return err
	})
	if err != nil {
		return PaymentReceipt{}, fmt.Errorf("receipt %d: %w", txID, err)
	}
	return out, nil
}

// paymentReceipt reads a payment's or contribution's receipt in company
// companyID; the caller has checked who may read it.
func (tx *Tx) paymentReceipt(ctx context.Context, companyID, txID int64) (PaymentReceipt, error) {
	p := PaymentReceipt{ID: txID, CompanyID: companyID}
	var leaseID, contactID, propertyID, unitID int64
	var number *int64
	err := tx.get(ctx, `SELECT t.kind, t.receipt_number, COALESCE(t.lease_id, 0), COALESCE(t.contact_id, 0), COALESCE(t.property_id, 0), COALESCE(t.unit_id, 0),
			t.amount_minor, t.effective_date, t.method, t.reference, co.name, co.email, co.phone, co.address, co.currency
		FROM ledger_transactions t JOIN companies co ON co.id = t.company_id
		WHERE t.id = $1 AND t.company_id = $2 AND t.kind IN ('payment', 'owner_contribution')`, []any{txID, companyID},
		&p.Kind, &number, &leaseID, &contactID, &propertyID, &unitID, &p.Amount, &p.Received, &p.Method, &p.Reference,
		&p.Company.Name, &p.Company.Email, &p.Company.Phone, &p.Company.Address, &p.Currency)
	if err != nil {
		return p, err
	}
	if number == nil {
		return p, lintel.ErrNotFound
	}
	p.Number, p.LeaseID, p.Company.ID = *number, leaseID, companyID
	var revDate lintel.Date
	err = tx.get(ctx, `SELECT effective_date FROM ledger_transactions WHERE reverses_id = $1 AND company_id = $2`, []any{txID, companyID}, &revDate)
	if err != nil && !lintel.IsNotFound(err) {
		return p, err
	}
	p.Reversed = revDate

	var names []string
	if leaseID != 0 {
		err = tx.get(ctx, `SELECT p.name || ' · ' || un.label FROM leases l
			JOIN units un ON un.id = l.unit_id AND un.company_id = l.company_id
			JOIN properties p ON p.id = un.property_id AND p.company_id = un.company_id
			WHERE l.id = $1 AND l.company_id = $2`, []any{leaseID, companyID}, &p.About)
		if err != nil {
			return p, err
		}
		names, err = tx.strings(ctx, `SELECT c.name FROM lease_tenants lt JOIN contacts c ON c.id = lt.contact_id AND c.company_id = lt.company_id
			WHERE lt.lease_id = $1 AND lt.company_id = $2 ORDER BY c.name, c.id`, leaseID, companyID)
		if err != nil {
			return p, err
		}
		rows, err := tx.QueryContext(ctx, `SELECT c.description, c.effective_date, a.amount_minor FROM ledger_allocations a
			JOIN ledger_transactions c ON c.id = a.charge_id AND c.company_id = a.company_id
			WHERE a.source_id = $1 AND a.company_id = $2 ORDER BY c.effective_date, c.id, a.id`, txID, companyID)
		if err != nil {
			return p, err
		}
		defer rows.Close()
		for rows.Next() {
			var c PaidCharge
			if err := rows.Scan(&c.Description, &c.Due, &c.Amount); err != nil {
				return p, err
			}
			p.Paid = append(p.Paid, c)
		}
		if err := rows.Err(); err != nil {
			return p, err
		}
	} else {
		p.About, err = tx.assetName(ctx, companyID, propertyID, unitID)
		if err != nil {
			return p, err
		}
		names, err = tx.strings(ctx, `SELECT name FROM contacts WHERE id = $1 AND company_id = $2`, contactID, companyID)
		if err != nil {
			return p, err
		}
	}
	p.From = names
	return p, nil
}

// assetName is "Property" or "Property · Unit".
func (tx *Tx) assetName(ctx context.Context, companyID, propertyID, unitID int64) (string, error) {
	var name, unit string
	err := tx.get(ctx, `SELECT p.name, COALESCE((SELECT un.label FROM units un WHERE un.id = $3 AND un.company_id = p.company_id), '')
		FROM properties p WHERE p.id = $1 AND p.company_id = $2`, []any{propertyID, companyID, unitID}, &name, &unit)
	if unit != "" {
		name += " · " + unit
	}
	return name, err
}

// strings runs a query of one text column.
func (tx *Tx) strings(ctx context.Context, q string, args ...any) ([]string, error) {
	rows, err := tx.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

// Owners.

// OwnerBilling is what an owner reads of their money with one company.
type OwnerBilling struct {
	CompanyID   int64
	CompanyName string
	Currency    string
	Assets      []OwnerAssetBalance
	Months      []OwnerMonth // the last 12 months, oldest first
	Recent      []OwnerLine  // newest first
	More        bool         // older lines than Recent exist
}

// Balance is the owner's overall balance with the company: what it holds
// for them across their assets.
func (o OwnerBilling) Balance() int64 {
	var b int64
	for _, a := range o.Assets {
		b += a.Balance
	}
	return b
}

// BalanceText is Balance in the company's currency.
func (o OwnerBilling) BalanceText() string { return lintel.FormatMoney(o.Balance(), o.Currency) }

// MaxMonth is the largest income or expense of Months, to scale a chart.
func (o OwnerBilling) MaxMonth() int64 {
	var m int64
	for _, x := range o.Months {
		m = max(m, x.Income, x.Expenses)
	}
	return m
}

// OwnerAssetBalance is the owner's balance on one asset.
type OwnerAssetBalance struct {
	PropertyID int64
	UnitID     int64
	Name       string // "Harbour House" or "Harbour House · Apt 2"
	Balance    int64  // what the company holds for the owner on it
	Currency   string
}

// BalanceText is the balance in the company's currency.
func (a OwnerAssetBalance) BalanceText() string { return lintel.FormatMoney(a.Balance, a.Currency) }

// OwnerMonth is one month of an owner's income (rent share) and expenses
// (management fees, maintenance billed to them). Contributions and
// distributions move money, not income, and are left out.
type OwnerMonth struct {
	Month    string // "2026-03"
	Income   int64
	Expenses int64
	Currency string
}

// Label is the month for people in English, "Mar 2026"; pages format it
// in their language from First.
func (m OwnerMonth) First() lintel.Date {
	d, _ := lintel.ParseDate(m.Month + "-01")
	return d
}

// IncomeText and ExpensesText are the amounts in the company's currency.
func (m OwnerMonth) IncomeText() string   { return lintel.FormatMoney(m.Income, m.Currency) }
func (m OwnerMonth) ExpensesText() string { return lintel.FormatMoney(m.Expenses, m.Currency) }

// Percent scales v to a whole percentage of top, for a bar's width; a
// non-zero amount gets at least 1 so it stays visible.
func Percent(v, top int64) int {
	if top <= 0 || v <= 0 {
		return 0
	}
	return max(1, int(v*100/top))
}

// OwnerLine is one movement on an owner's balance.
type OwnerLine struct {
	TxID int64
	Kind string // the transaction's kind
	Date lintel.Date
	// What says what moved, in English (the key of its translation):
	// "Rent collected", "Management fee", an owner entry's kind label.
	What string
	// Reversal: the line undoes an earlier one of the same What.
	Reversal bool
	// Description is the manager's own words on an owner entry ("" on
	// rent and fees: the tenants' payment details are not the owner's).
	Description   string
	Asset         string
	Amount        int64 // + to the owner, - from them
	ReceiptNumber int64 // contributions
	Currency      string
}

// Text is the line in words, translated by t (a Printer's T).
func (l OwnerLine) Text(t func(string, ...any) string) string {
	s := t(l.What)
	if l.Reversal {
		s = t("Reversed: %s", s)
	}
	if l.Description != "" {
		s += ": " + l.Description
	}
	return s
}

// AmountText is the amount in the company's currency.
func (l OwnerLine) AmountText() string { return lintel.FormatMoney(l.Amount, l.Currency) }

// Receipt is the printed receipt number, "" when there is none.
func (l OwnerLine) Receipt() string { return ReceiptText(l.ReceiptNumber) }

// ownerPostings selects the postings on the owner accounts of contacts
// `me` (after myContacts) in one company ($2), with the transaction and
// the original of a reversal. Each row is one posting; its "to_owner"
// amount is the negated posting (owner accounts are credit-normal).
const ownerPostingsFrom = ownerPostingsJoins + ownerPostingsWhere

const ownerPostingsJoins = ` FROM ledger_accounts oa
	JOIN me ON me.id = oa.contact_id AND me.company_id = oa.company_id AND me.is_owner
	JOIN ledger_postings p ON p.account_id = oa.id AND p.company_id = oa.company_id
	JOIN ledger_transactions t ON t.id = p.transaction_id AND t.company_id = p.company_id
	LEFT JOIN ledger_transactions orig ON orig.id = t.reverses_id AND orig.company_id = t.company_id`

const ownerPostingsWhere = `
	WHERE oa.kind = 'owner' AND oa.company_id = $2`

// ownerClass sorts a posting on an owner account: rent share ('income'),
// fees and billed expenses ('expense'), or money moved ('transfer'). A
// reversal is classed like its original, so it cancels it in the totals;
// within a payment, a credit to the owner is their share of the rent and a
// debit the management fee (mirrored in a reversal).
const ownerClass = `CASE
	WHEN COALESCE(orig.kind, t.kind) IN ('owner_contribution', 'owner_distribution') THEN 'transfer'
	WHEN COALESCE(orig.kind, t.kind) = 'owner_expense' THEN 'expense'
	WHEN (p.amount_minor < 0) = (t.kind <> 'reversal') THEN 'income'
	ELSE 'expense' END`

// ResidentOwnerBilling reads, for each company the resident owns assets
// with, their balance per asset, the last 12 months of income and
// expenses, and their newest lines (recent of them).
func (db *DB) ResidentOwnerBilling(ctx context.Context, r lintel.Resident, recent int) ([]OwnerBilling, error) {
	var out []OwnerBilling
	err := db.view(ctx, func(tx *Tx) error {
		rows, err := tx.QueryContext(ctx, myContacts+`SELECT DISTINCT co.id, co.name, co.currency FROM me
			JOIN ledger_accounts oa ON oa.contact_id = me.id AND oa.company_id = me.company_id AND oa.kind = 'owner'
			JOIN companies co ON co.id = me.company_id
			WHERE me.is_owner ORDER BY co.name, co.id`, r.UserID)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var o OwnerBilling
			if err := rows.Scan(&o.CompanyID, &o.CompanyName, &o.Currency); err != nil {
				return err
			}
			out = append(out, o)
		}
		if err := rows.Err(); err != nil {
			return err
		}
		rows.Close()
		today := lintel.DateOf(tx.Now)
		for i := range out {
			if err := tx.ownerBilling(ctx, r, &out[i], today, recent); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("owner billing: %w", err)
	}
	return out, nil
}

func (tx *Tx) ownerBilling(ctx context.Context, r lintel.Resident, o *OwnerBilling, today lintel.Date, recent int) error {
	rows, err := tx.QueryContext(ctx, myContacts+`SELECT oa.property_id, COALESCE(oa.unit_id, 0), p.name, COALESCE(un.label, ''),
			CAST(-SUM(oa.balance_minor) AS BIGINT)
		FROM ledger_accounts oa
		JOIN me ON me.id = oa.contact_id AND me.company_id = oa.company_id AND me.is_owner
		JOIN properties p ON p.id = oa.property_id AND p.company_id = oa.company_id
		LEFT JOIN units un ON un.id = oa.unit_id AND un.company_id = oa.company_id
		WHERE oa.kind = 'owner' AND oa.company_id = $2
		GROUP BY oa.property_id, COALESCE(oa.unit_id, 0), p.name, COALESCE(un.label, '')
		ORDER BY p.name, COALESCE(un.label, ''), oa.property_id`, r.UserID, o.CompanyID)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		a := OwnerAssetBalance{Currency: o.Currency}
		var unit string
		if err := rows.Scan(&a.PropertyID, &a.UnitID, &a.Name, &unit, &a.Balance); err != nil {
			return err
		}
		if unit != "" {
			a.Name += " · " + unit
		}
		o.Assets = append(o.Assets, a)
	}
	if err := rows.Err(); err != nil {
		return err
	}
	rows.Close()

	// The last 12 months, this one included.
	first := lintel.Date{Year: today.Year, Month: today.Month - 11, Day: 1}
	first = lintel.DateOf(first.Time())
	byMonth := map[string]*OwnerMonth{}
	for d := first; !today.Before(d); d = lintel.DateOf(d.Time().AddDate(0, 1, 0)) {
		o.Months = append(o.Months, OwnerMonth{Month: d.String()[:7], Currency: o.Currency})
	}
	for i := range o.Months {
		byMonth[o.Months[i].Month] = &o.Months[i]
	}
	// ledger_owner_months holds the totals by month, so a year costs twelve
	// rows whatever the number of assets and payments behind them.
	rows, err = tx.QueryContext(ctx, myContacts+`SELECT m.month, CAST(SUM(m.income_minor) AS BIGINT), CAST(SUM(m.expense_minor) AS BIGINT)
		FROM ledger_owner_months m JOIN me ON me.id = m.contact_id AND me.company_id = m.company_id AND me.is_owner
		WHERE m.company_id = $2 AND m.month >= $3
		GROUP BY m.month`, r.UserID, o.CompanyID, first.String()[:7])
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var month string
		var income, expenses int64
		if err := rows.Scan(&month, &income, &expenses); err != nil {
			return err
		}
		if m := byMonth[month]; m != nil {
			m.Income += income
			m.Expenses += expenses
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	rows.Close()

	if recent > 0 {
		lines, err := tx.ownerLines(ctx, myContacts, []any{r.UserID, o.CompanyID}, o.Currency, "", "", recent+1)
		if err != nil {
			return err
		}
		if len(lines) > recent {
			lines, o.More = lines[:recent], true
		}
		o.Recent = lines
	}
	return nil
}

// ownerLines reads the movements on the owner accounts of `me` (defined
// by with, whose args are $1 and $2 = the company), newest first, one line
// per transaction, asset and direction, dated on or after from and on or
// before to ("" for no bound), at most limit ("" 0 for all).
func (tx *Tx) ownerLines(ctx context.Context, with string, args sqlArgs, currency, from, to string, limit int) ([]OwnerLine, error) {
	where := ""
	if from != "" {
		where += ` AND t.effective_date >= ` + args.add(from)
	}
	if to != "" {
		where += ` AND t.effective_date <= ` + args.add(to)
	}
	lim := ""
	if limit > 0 {
		// The newest limit transactions hold the newest limit lines (each
		// has at least one), so only their postings are read and grouped.
		ids, err := tx.ownerRecentTxs(ctx, with, args, from, to, limit)
		if err != nil || len(ids) == 0 {
			return nil, err
		}
		in := make([]string, len(ids))
		for i, id := range ids {
			in[i] = args.add(id)
		}
		where += ` AND p.transaction_id IN (` + strings.Join(in, ", ") + `) AND t.id IN (` + strings.Join(in, ", ") + `)`
		lim = ` LIMIT ` + args.add(limit)
	}
	rows, err := tx.QueryContext(ctx, with+`SELECT t.id, t.kind, t.effective_date, t.description, COALESCE(orig.kind, ''), COALESCE(t.receipt_number, 0),
			pr.name, COALESCE(un.label, ''), CAST(-SUM(p.amount_minor) AS BIGINT)`+
		ownerPostingsJoins+`
	JOIN properties pr ON pr.id = oa.property_id AND pr.company_id = oa.company_id
	LEFT JOIN units un ON un.id = oa.unit_id AND un.company_id = oa.company_id`+ownerPostingsWhere+where+`
		GROUP BY t.id, t.kind, t.effective_date, t.description, COALESCE(orig.kind, ''), COALESCE(t.receipt_number, 0), pr.name, COALESCE(un.label, ''),
			oa.property_id, COALESCE(oa.unit_id, 0), CASE WHEN p.amount_minor < 0 THEN 0 ELSE 1 END
		ORDER BY t.effective_date DESC, t.id DESC, CASE WHEN p.amount_minor < 0 THEN 0 ELSE 1 END`+lim, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []OwnerLine
	for rows.Next() {
		l := OwnerLine{Currency: currency}
		var origKind, unit string
		if err := rows.Scan(&l.TxID, &l.Kind, &l.Date, &l.Description, &origKind, &l.ReceiptNumber, &l.Asset, &unit, &l.Amount); err != nil {
			return nil, err
		}
		if unit != "" {
			l.Asset += " · " + unit
		}
		describeOwnerLine(&l, origKind)
		out = append(out, l)
	}
	return out, rows.Err()
}

// ownerRecentTxs returns the newest limit transactions on the owner
// accounts of `me` (with, args as for ownerLines), dated within from and
// to ("" for no bound). Each contact's are read in the order of
// ledger_owner_lines' key and merged here: a resident is one contact per
// company but for duplicates, and a join on me would sort them all.
func (tx *Tx) ownerRecentTxs(ctx context.Context, with string, args sqlArgs, from, to string, limit int) ([]int64, error) {
	contacts, err := ledgerIDs(ctx, tx, with+`SELECT id FROM me WHERE is_owner AND company_id = $2 ORDER BY id`, args[:2]...)
	if err != nil {
		return nil, err
	}
	type ref struct {
		day string
		id  int64
	}
	var refs []ref
	for _, c := range contacts {
		q := sqlArgs{args[1], c}
		where := ""
		if from != "" {
			where += ` AND effective_date >= ` + q.add(from)
		}
		if to != "" {
			where += ` AND effective_date <= ` + q.add(to)
		}
		rows, err := tx.QueryContext(ctx, `SELECT effective_date, transaction_id FROM ledger_owner_lines
			WHERE company_id = $1 AND contact_id = $2`+where+`
			ORDER BY effective_date DESC, transaction_id DESC LIMIT `+q.add(limit), q...)
		if err != nil {
			return nil, mapErr(err)
		}
		for rows.Next() {
			var r ref
			if err := rows.Scan(&r.day, &r.id); err != nil {
				rows.Close()
				return nil, err
			}
			refs = append(refs, r)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	slices.SortFunc(refs, func(a, b ref) int {
		if c := cmp.Compare(b.day, a.day); c != 0 {
			return c
		}
		return cmp.Compare(b.id, a.id)
	})
	refs = slices.CompactFunc(refs, func(a, b ref) bool { return a.id == b.id })
	out := make([]int64, 0, min(len(refs), limit))
	for _, r := range refs[:min(len(refs), limit)] {
		out = append(out, r.id)
	}
	return out, nil
}

// describeOwnerLine says what a movement was, in the owner's terms. Where
// rent reaches the owner, a credit to them is their share and a debit the
// management fee (the core posts the two apart); a reversal mirrors its
// original.
func describeOwnerLine(l *OwnerLine, origKind string) {
	kind := l.Kind
	if kind == "reversal" {
		kind, l.Reversal = origKind, true
		l.Description = ""
	}
	switch kind {
	case "payment", "credit", "charge":
		// Rent passes to owners as payments are applied to it: within the
		// payment, or within a charge when money paid ahead meets it.
		l.Description = ""
		if (l.Amount > 0) != l.Reversal {
			l.What = "Rent collected"
		} else {
			l.What = "Management fee"
		}
	case string(lintel.OwnerContribution), string(lintel.OwnerDistribution), string(lintel.OwnerExpense):
		l.What = lintel.OwnerEntryKind(kind).Label()
	default:
		l.What = lintel.TransactionKindLabel(kind)
	}
	if l.Kind != string(lintel.OwnerContribution) {
		l.ReceiptNumber = 0
	}
}

// OwnerStatement is an owner's account with one company for a period.
type OwnerStatement struct {
	Company  PortalCompany
	Currency string
	Owner    string   // the owner's names on record
	Assets   []string // "Harbour House (60%)"
	From, To lintel.Date
	Opening  int64
	Lines    []OwnerLine // oldest first
}

// Closing is the balance at the end of the period.
func (s OwnerStatement) Closing() int64 {
	b := s.Opening
	for _, l := range s.Lines {
		b += l.Amount
	}
	return b
}

// MaxStatementDays bounds a statement's period: ten years.
const MaxStatementDays = 3700

// ResidentOwnerStatement reads the resident's statement as an owner with
// company companyID for the days from to to. A company they own nothing
// with (or never had an owner account with) is lintel.ErrNotFound; then a
// period that cannot be (zero dates, backwards, over ten years) is a
// field error on "from" or "to".
func (db *DB) ResidentOwnerStatement(ctx context.Context, r lintel.Resident, companyID int64, from, to lintel.Date) (OwnerStatement, error) {
	var s OwnerStatement
	err := db.view(ctx, func(tx *Tx) error {
		names, err := tx.strings(ctx, myContacts+`SELECT DISTINCT me.name FROM me
			WHERE me.is_owner AND me.company_id = $2 AND EXISTS (SELECT 1 FROM ledger_accounts oa
				WHERE oa.contact_id = me.id AND oa.company_id = me.company_id AND oa.kind = 'owner')
			ORDER BY me.name`, r.UserID, companyID)
		if err != nil {
			return err
		}
		if len(names) == 0 {
			return lintel.ErrNotFound
		}
		// Scope first: someone else's company is a 404 whatever the dates.
		if err := checkPeriod(from, to); err != nil {
			return err
		}
		s, err = tx.ownerStatement(ctx, myContacts, []any{r.UserID, companyID}, from, to)
		s.Owner = strings.Join(names, ", ")
		return err
	})
	if err != nil {
		return OwnerStatement{}, fmt.Errorf("owner statement: %w", err)
	}
	return s, nil
}

// checkPeriod refuses a statement period people cannot mean.
func checkPeriod(from, to lintel.Date) error {
	fe := lintel.FieldErrors{}
	switch {
	case from.IsZero():
		fe.Add("from", "Choose the first day of the statement.")
	case to.IsZero():
		fe.Add("to", "Choose the last day of the statement.")
	case to.Before(from):
		fe.Add("to", "The last day must be on or after the first day.")
	case to.Time().Sub(from.Time()) > MaxStatementDays*24*time.Hour:
		fe.Add("from", "A statement covers at most ten years. Choose a shorter period.")
	}
	return fe.Err()
}

// ownerStatement reads the statement of the owner contacts `me` defined
// by with (args $1, $2 = the company).
func (tx *Tx) ownerStatement(ctx context.Context, with string, args []any, from, to lintel.Date) (OwnerStatement, error) {
	s := OwnerStatement{From: from, To: to}
	companyID := args[1].(int64)
	err := tx.get(ctx, `SELECT name, email, phone, address, currency FROM companies WHERE id = $1`, []any{companyID},
		&s.Company.Name, &s.Company.Email, &s.Company.Phone, &s.Company.Address, &s.Currency)
	if err != nil {
		return s, err
	}
	s.Company.ID = companyID
	err = tx.get(ctx, with+`SELECT CAST(COALESCE(-SUM(p.amount_minor), 0) AS BIGINT)`+ownerPostingsFrom+` AND t.effective_date < $3`,
		append(append([]any{}, args...), from), &s.Opening)
	if err != nil {
		return s, err
	}
	lines, err := tx.ownerLines(ctx, with, append(sqlArgs{}, args...), s.Currency, from.String(), to.String(), 0)
	if err != nil {
		return s, err
	}
	// Oldest first, keeping each transaction's own order (rent before
	// its fee).
	slices.SortStableFunc(lines, func(a, b OwnerLine) int {
		if c := cmp.Compare(a.Date.String(), b.Date.String()); c != 0 {
			return c
		}
		return cmp.Compare(a.TxID, b.TxID)
	})
	s.Lines = lines
	rows, err := tx.QueryContext(ctx, with+`SELECT DISTINCT p.name, COALESCE(un.label, ''), o.share_bp FROM me
		JOIN ownerships o ON o.contact_id = me.id AND o.company_id = me.company_id
		JOIN properties p ON p.id = o.property_id AND p.company_id = o.company_id
		LEFT JOIN units un ON un.id = o.unit_id AND un.company_id = o.company_id
		WHERE me.is_owner AND me.company_id = $2 AND o.archived_at IS NULL AND (o.end_date IS NULL OR o.end_date >= $3)
			AND (o.start_date IS NULL OR o.start_date <= $4)
		ORDER BY p.name, COALESCE(un.label, '')`, append(append([]any{}, args...), from, to)...)
	if err != nil {
		return s, err
	}
	defer rows.Close()
	for rows.Next() {
		var name, unit string
		var share int
		if err := rows.Scan(&name, &unit, &share); err != nil {
			return s, err
		}
		if unit != "" {
			name += " · " + unit
		}
		s.Assets = append(s.Assets, name+" ("+lintel.FormatShare(share)+"%)")
	}
	return s, rows.Err()
}
