package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"lintel.dev/lintel/internal/lintel"
)

// The ledger core (DESIGN.md "Billing").
//
// Every posting path runs in one DB transaction that first locks the
// company's row (a no-op UPDATE: portable, and on PostgreSQL a row lock held
// to commit). That one lock makes the rest simple and race-free on both
// engines: the idempotency-key and rent-period look-ups see any winner that
// committed before us, two payments cannot allocate the same open charge,
// and receipt numbers come out gap-free. SQLite's single writer serialises
// the same way. Postings are few per company; the lock costs nothing real.

// LedgerLine is one transaction on a lease's account, from the tenant's
// side: a charge is positive, a payment or credit negative.
type LedgerLine struct {
	ID            int64
	Kind          string
	Category      string
	Description   string
	Date          lintel.Date
	Amount        int64 // tenant's view: + charge, - payment/credit
	Open          int64 // charges: still unpaid
	Method        string
	Reference     string
	ReceiptNumber int64
	ReversesID    int64
	Reversed      bool
	PaidBy        []Allocation
	CreatedAt     time.Time
}

// Allocation is part of a payment or credit applied to a charge. Date is the
// day the payment was received (or the credit given).
type Allocation struct {
	SourceID      int64
	ChargeID      int64
	Amount        int64
	Date          lintel.Date
	ReceiptNumber int64
}

// LeaseAccount is one page of a lease's ledger, newest first, with its
// totals.
type LeaseAccount struct {
	LeaseID  int64
	Currency string
	Balance  int64 // what the tenants owe; negative = credit on the account
	Overdue  int64 // open charges due before today
	Lines    []LedgerLine
	Next     string // cursor of the next (older) page; "" on the last page
}

// Account kinds (ledger_accounts.kind).
const (
	acctBank       = "bank"
	acctReceivable = "receivable"
	acctDeposits   = "deposits"
	acctOwner      = "owner"
	acctIncome     = "income"
	acctExpense    = "expense"
)

// Transaction kinds (ledger_transactions.kind) besides the owner entries.
const (
	txCharge   = "charge"
	txPayment  = "payment"
	txCredit   = "credit"
	txReversal = "reversal"
)

// The actor of postings made by the system (recurring rent, late fees)
// when the caller names none.
const systemActor = "Lintel"

// notReversed is true for a transaction row t that has no reversal.
const notReversed = `NOT EXISTS (SELECT 1 FROM ledger_transactions r WHERE r.reverses_id = %s)`

func notReversedSQL(idCol string) string { return fmt.Sprintf(notReversed, idCol) }

// An allocation counts while neither its payment/credit nor its charge is
// reversed.
var allocationCounts = notReversedSQL("a.source_id") + ` AND ` + notReversedSQL("a.charge_id")

// errDuplicate carries the id of the transaction that already holds an
// idempotency key: it rolls back whatever the losing attempt wrote (a
// receipt number) and becomes a plain success with that id.
type errDuplicate struct{ id int64 }

func (e errDuplicate) Error() string { return "ledger: idempotency key already used" }

// acctKey is the unique key of an account.
type acctKey struct {
	kind                           string
	lease, contact, property, unit int64
	category                       string
}

// leg is one posting to be written.
type leg struct {
	account int64
	amount  int64
}

// poster writes one company's ledger inside a transaction that holds the
// company's lock.
type poster struct {
	tx        *Tx
	companyID int64
	currency  string
	by        string
	accounts  map[acctKey]int64
}

// ledgerLock takes the company's ledger lock and returns a poster.
func (tx *Tx) ledgerLock(ctx context.Context, companyID int64, by string) (*poster, error) {
	var currency string
	err := tx.get(ctx, `UPDATE companies SET next_receipt_number = next_receipt_number WHERE id = $1 RETURNING currency`,
		[]any{companyID}, &currency)
	if err != nil {
		return nil, err
	}
	return &poster{tx: tx, companyID: companyID, currency: currency, by: by, accounts: map[acctKey]int64{}}, nil
}

// byKey returns the transaction holding an idempotency key, 0 when none.
func (p *poster) byKey(ctx context.Context, key string) (int64, error) {
	var id int64
	err := p.tx.QueryRowContext(ctx, `SELECT id FROM ledger_transactions WHERE company_id = $1 AND idempotency_key = $2`,
		p.companyID, key).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	return id, mapErr(err)
}

// nextReceipt hands out the company's next receipt number.
func (p *poster) nextReceipt(ctx context.Context) (int64, error) {
	var n int64
	err := p.tx.get(ctx, `UPDATE companies SET next_receipt_number = next_receipt_number + 1 WHERE id = $1 RETURNING next_receipt_number - 1`,
		[]any{p.companyID}, &n)
	return n, err
}

// account returns the id of the account with key k, creating it.
func (p *poster) account(ctx context.Context, k acctKey) (int64, error) {
	if id, ok := p.accounts[k]; ok {
		return id, nil
	}
	find := func() (int64, error) {
		var id int64
		err := p.tx.QueryRowContext(ctx, `SELECT id FROM ledger_accounts WHERE company_id = $1 AND kind = $2 AND COALESCE(lease_id, 0) = $3
			AND COALESCE(contact_id, 0) = $4 AND COALESCE(property_id, 0) = $5 AND COALESCE(unit_id, 0) = $6 AND category = $7`,
			p.companyID, k.kind, k.lease, k.contact, k.property, k.unit, k.category).Scan(&id)
		if errors.Is(err, sql.ErrNoRows) {
			return 0, nil
		}
		return id, mapErr(err)
	}
	id, err := find()
	if err != nil || id != 0 {
		p.accounts[k] = id
		return id, err
	}
	if _, err := p.tx.exec(ctx, `INSERT INTO ledger_accounts (company_id, kind, lease_id, contact_id, property_id, unit_id, category, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT DO NOTHING`,
		p.companyID, k.kind, nullID(k.lease), nullID(k.contact), nullID(k.property), nullID(k.unit), k.category, ts(p.tx.Now)); err != nil {
		return 0, fmt.Errorf("create ledger account: %w", err)
	}
	id, err = find()
	if err == nil && id == 0 {
		err = errors.New("ledger account vanished after insert")
	}
	p.accounts[k] = id
	return id, err
}

func (p *poster) acct(ctx context.Context, kind string, lease, contact, property, unit int64, category string) (int64, error) {
	return p.account(ctx, acctKey{kind: kind, lease: lease, contact: contact, property: property, unit: unit, category: category})
}

// post writes legs to transaction txID (allocationID links owner-share
// postings to the allocation that caused them) and moves the cached
// balances. The legs must sum to zero.
func (p *poster) post(ctx context.Context, txID, allocationID int64, legs []leg) error {
	var sum int64
	for _, l := range legs {
		sum += l.amount
	}
	if sum != 0 {
		return fmt.Errorf("ledger: postings of transaction %d do not balance (%d)", txID, sum)
	}
	for _, l := range legs {
		if l.amount == 0 {
			continue
		}
		if _, err := p.tx.exec(ctx, `INSERT INTO ledger_postings (company_id, transaction_id, account_id, amount_minor, allocation_id) VALUES ($1, $2, $3, $4, $5)`,
			p.companyID, txID, l.account, l.amount, nullID(allocationID)); err != nil {
			return fmt.Errorf("write posting: %w", err)
		}
		if _, err := p.tx.exec(ctx, `UPDATE ledger_accounts SET balance_minor = balance_minor + $1 WHERE id = $2 AND company_id = $3`,
			l.amount, l.account, p.companyID); err != nil {
			return fmt.Errorf("update balance: %w", err)
		}
	}
	return nil
}

// txRow is a ledger_transactions row to insert.
type txRow struct {
	kind, category                          string
	lease, property, unit, contact, request int64
	description                             string
	date                                    lintel.Date
	amount                                  int64
	method, reference                       string
	reverses, receipt                       int64
	period, key                             string
}

// insert writes the transaction row. A key another transaction already holds
// answers errDuplicate (the lock makes that rare: only a poster that skipped
// byKey can meet it).
func (p *poster) insert(ctx context.Context, t txRow) (int64, error) {
	var period any
	if t.period != "" {
		period = t.period
	}
	var id int64
	err := p.tx.QueryRowContext(ctx, `INSERT INTO ledger_transactions (company_id, kind, category, lease_id, property_id, unit_id, contact_id,
			request_id, description, effective_date, amount_minor, method, reference, reverses_id, receipt_number, period, idempotency_key,
			created_by, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19)
		ON CONFLICT (company_id, idempotency_key) DO NOTHING RETURNING id`,
		p.companyID, t.kind, t.category, nullID(t.lease), nullID(t.property), nullID(t.unit), nullID(t.contact), nullID(t.request),
		t.description, t.date, t.amount, t.method, t.reference, nullID(t.reverses), nullID(t.receipt), period, t.key,
		p.by, ts(p.tx.Now)).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		first, err := p.byKey(ctx, t.key)
		if err != nil {
			return 0, err
		}
		return 0, errDuplicate{first}
	}
	if err != nil {
		return 0, fmt.Errorf("write ledger transaction: %w", mapErr(err))
	}
	return id, nil
}

// leaseRef is what postings need to know about a lease.
type leaseRef struct{ id, property, unit int64 }

// lease re-reads a lease in the company's scope.
func (p *poster) lease(ctx context.Context, id int64) (leaseRef, error) {
	l := leaseRef{id: id}
	err := p.tx.get(ctx, `SELECT u.property_id, l.unit_id FROM leases l JOIN units u ON u.id = l.unit_id WHERE l.id = $1 AND l.company_id = $2`,
		[]any{id, p.companyID}, &l.property, &l.unit)
	return l, err
}

// openItem is a charge with something still unpaid, or a payment or credit
// with something not yet applied.
type openItem struct {
	id       int64
	kind     string
	category string
	date     lintel.Date
	open     int64
}

// openCharges lists a lease's charges that are not fully paid, oldest due
// date first. ledger_open's index holds only what is still open, so this
// reads what is open, not the lease's history.
func (p *poster) openCharges(ctx context.Context, leaseID int64) ([]openItem, error) {
	return p.openItems(ctx, `SELECT o.transaction_id, o.kind, t.category, o.effective_date, o.open_minor
		FROM ledger_open o JOIN ledger_transactions t ON t.id = o.transaction_id
		WHERE o.company_id = $2 AND o.lease_id = $1 AND o.kind = 'charge' AND o.open_minor > 0
		ORDER BY o.effective_date, o.transaction_id`, leaseID)
}

// unapplied lists a lease's payments and credits with money not yet applied
// to a charge, oldest first.
func (p *poster) unapplied(ctx context.Context, leaseID int64) ([]openItem, error) {
	return p.openItems(ctx, `SELECT o.transaction_id, o.kind, t.category, o.effective_date, o.open_minor
		FROM ledger_open o JOIN ledger_transactions t ON t.id = o.transaction_id
		WHERE o.company_id = $2 AND o.lease_id = $1 AND o.kind IN ('payment', 'credit') AND o.open_minor > 0
		ORDER BY o.effective_date, o.transaction_id`, leaseID)
}

func (p *poster) openItems(ctx context.Context, q string, leaseID int64) ([]openItem, error) {
	rows, err := p.tx.QueryContext(ctx, q, leaseID, p.companyID)
	if err != nil {
		return nil, mapErr(err)
	}
	defer rows.Close()
	var out []openItem
	for rows.Next() {
		var it openItem
		if err := rows.Scan(&it.id, &it.kind, &it.category, &it.date, &it.open); err != nil {
			return nil, err
		}
		if it.open > 0 {
			out = append(out, it)
		}
	}
	return out, rows.Err()
}

// allocate applies amount of source to charge within transaction inTx, and
// when cash lands on rent, passes the owners' share on to them less the
// management fee. Credits forgive rent, so no owner share flows from them.
func (p *poster) allocate(ctx context.Context, l leaseRef, inTx int64, source, charge openItem, amount int64) error {
	allocID, err := p.tx.insert(ctx, `INSERT INTO ledger_allocations (company_id, source_id, charge_id, amount_minor, created_at) VALUES ($1, $2, $3, $4, $5)`,
		p.companyID, source.id, charge.id, amount, ts(p.tx.Now))
	if err != nil {
		return fmt.Errorf("write allocation: %w", err)
	}
	if source.kind != txPayment || charge.category != string(lintel.ChargeRent) {
		return nil
	}
	return p.ownerShare(ctx, l, inTx, allocID, amount, source.date)
}

// ownerShare posts the owners' part of rent collected on l's unit: the
// unit's owners if it has any in effect on day, else the whole property's.
// Shares below 100% leave the rest in the company's rent income.
func (p *poster) ownerShare(ctx context.Context, l leaseRef, inTx, allocID, amount int64, day lintel.Date) error {
	type owner struct {
		contact, unit int64
		share         int
	}
	rows, err := p.tx.QueryContext(ctx, `SELECT contact_id, COALESCE(unit_id, 0), share_bp FROM ownerships
		WHERE company_id = $1 AND property_id = $2 AND (unit_id = $3 OR unit_id IS NULL) AND archived_at IS NULL
			AND (start_date IS NULL OR start_date <= $4) AND (end_date IS NULL OR end_date >= $4)
		ORDER BY id`, p.companyID, l.property, l.unit, day)
	if err != nil {
		return mapErr(err)
	}
	var unitOwners, propOwners []owner
	for rows.Next() {
		var o owner
		if err := rows.Scan(&o.contact, &o.unit, &o.share); err != nil {
			rows.Close()
			return err
		}
		if o.unit != 0 {
			unitOwners = append(unitOwners, o)
		} else {
			propOwners = append(propOwners, o)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	owners := propOwners
	if len(unitOwners) > 0 {
		owners = unitOwners
	}
	if len(owners) == 0 {
		return nil
	}
	var feeBP int64
	if err := p.tx.get(ctx, `SELECT management_fee_bp FROM properties WHERE id = $1 AND company_id = $2`, []any{l.property, p.companyID}, &feeBP); err != nil {
		return err
	}
	shares := make([]int, len(owners))
	sum := 0
	for i, o := range owners {
		shares[i] = o.share
		sum += o.share
	}
	if sum < 10000 {
		shares = append(shares, 10000-sum) // stays with the company
	}
	parts := lintel.SplitByShares(amount, shares)
	rentIncome, err := p.acct(ctx, acctIncome, 0, 0, l.property, 0, string(lintel.ChargeRent))
	if err != nil {
		return err
	}
	feeIncome, err := p.acct(ctx, acctIncome, 0, 0, l.property, 0, "management_fee")
	if err != nil {
		return err
	}
	var legs []leg
	var toOwners, fees int64
	for i, o := range owners {
		part := parts[i]
		if part == 0 {
			continue
		}
		acct, err := p.acct(ctx, acctOwner, 0, o.contact, l.property, o.unit, "")
		if err != nil {
			return err
		}
		// Two postings, not one net: statements show rent collected and
		// the management fee as separate lines.
		fee := managementFee(part, feeBP)
		legs = append(legs, leg{acct, -part}, leg{acct, fee})
		toOwners += part
		fees += fee
	}
	legs = append(legs, leg{rentIncome, toOwners}, leg{feeIncome, -fees})
	return p.post(ctx, inTx, allocID, legs)
}

// managementFee is bp basis points of part, rounded half up to the minor
// unit.
func managementFee(part, bp int64) int64 {
	return (part*bp + 5000) / 10000
}

// settle applies every unapplied payment and credit of the lease to its open
// charges, oldest first on both sides, so afterwards a lease never has both
// money waiting and a charge unpaid. Allocations made now are written within
// transaction inTx.
func (p *poster) settle(ctx context.Context, l leaseRef, inTx int64) error {
	sources, err := p.unapplied(ctx, l.id)
	if err != nil || len(sources) == 0 {
		return err
	}
	charges, err := p.openCharges(ctx, l.id)
	if err != nil {
		return err
	}
	i, j := 0, 0
	for i < len(sources) && j < len(charges) {
		amt := min(sources[i].open, charges[j].open)
		if err := p.allocate(ctx, l, inTx, sources[i], charges[j], amt); err != nil {
			return err
		}
		sources[i].open -= amt
		charges[j].open -= amt
		if sources[i].open == 0 {
			i++
		}
		if charges[j].open == 0 {
			j++
		}
	}
	return nil
}

// applyFirst applies the new payment or credit to the charge the manager
// chose before the oldest-first rule runs. The charge must be an open charge
// of the same lease.
func (p *poster) applyFirst(ctx context.Context, l leaseRef, source openItem, chargeID int64) error {
	charges, err := p.openCharges(ctx, l.id)
	if err != nil {
		return err
	}
	for _, c := range charges {
		if c.id == chargeID {
			return p.allocate(ctx, l, source.id, source, c, min(source.open, c.open))
		}
	}
	return lintel.FieldErrors{"apply_to": "That charge is not an open charge of this lease. Choose another, or leave it to pay the oldest first."}.Err()
}

// PostCharge posts a charge to a lease: Dr the lease's receivable, Cr the
// category's income of the property (a deposit: Cr deposits held). Money
// already paid ahead is applied to it at once.
func (db *DB) PostCharge(ctx context.Context, s lintel.Staff, c lintel.NewCharge) (int64, error) {
	if err := s.Require(lintel.PermPostLedger); err != nil {
		return 0, err
	}
	c.Description = strings.TrimSpace(c.Description)
	if err := c.Validate(); err != nil {
		return 0, err
	}
	var id int64
	err := db.update(ctx, func(tx *Tx) error {
		var res chargeResult
		var err error
		id, res, err = tx.chargeIn(ctx, s.CompanyID, c, s.Name)
		switch {
		case err != nil:
			return err
		case res == chargePeriodTaken:
			return lintel.FieldErrors{"period": "Rent for " + c.Period + " is already posted on this lease. Reverse it first to post it again."}.Err()
		case res == chargeDuplicate:
			return nil
		}
		var currency string
		if err := tx.get(ctx, `SELECT currency FROM companies WHERE id = $1`, []any{s.CompanyID}, &currency); err != nil {
			return err
		}
		return tx.staffAudit(ctx, s, "ledger.charge", "ledger_transaction", id,
			fmt.Sprintf("%s charge %s due %s on lease %d: %s", c.Category.Label(), lintel.FormatMoney(c.Amount, currency), c.Due, c.LeaseID, c.Description))
	})
	return id, err
}

// postCharge is PostCharge for the system (recurring rent, late fees), in
// the caller's transaction. A repeated idempotency key or rent period
// answers the first charge's id with created false.
func (tx *Tx) postCharge(ctx context.Context, companyID int64, c lintel.NewCharge, by string) (id int64, created bool, err error) {
	c.Description = strings.TrimSpace(c.Description)
	if err := c.Validate(); err != nil {
		return 0, false, err
	}
	if by == "" {
		by = systemActor
	}
	id, res, err := tx.chargeIn(ctx, companyID, c, by)
	return id, res == chargeCreated, err
}

type chargeResult int

const (
	chargeCreated chargeResult = iota
	chargeDuplicate
	chargePeriodTaken
)

func (tx *Tx) chargeIn(ctx context.Context, companyID int64, c lintel.NewCharge, by string) (int64, chargeResult, error) {
	p, err := tx.ledgerLock(ctx, companyID, by)
	if err != nil {
		return 0, 0, err
	}
	if id, err := p.byKey(ctx, c.IdempotencyKey); err != nil || id != 0 {
		return id, chargeDuplicate, err
	}
	l, err := p.lease(ctx, c.LeaseID)
	if err != nil {
		return 0, 0, err
	}
	if c.Period != "" {
		var id int64
		err := tx.QueryRowContext(ctx, `SELECT id FROM ledger_transactions WHERE company_id = $1 AND lease_id = $2 AND period = $3`,
			companyID, l.id, c.Period).Scan(&id)
		if err == nil {
			return id, chargePeriodTaken, nil
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return 0, 0, mapErr(err)
		}
	}
	if c.RequestID != 0 {
		var prop int64
		if err := tx.get(ctx, `SELECT property_id FROM requests WHERE id = $1 AND company_id = $2`, []any{c.RequestID, companyID}, &prop); err != nil {
			return 0, 0, err
		}
		if prop != l.property {
			return 0, 0, lintel.FieldErrors{"request": "That request is for another property than this lease's."}.Err()
		}
	}
	id, err := p.insert(ctx, txRow{kind: txCharge, category: string(c.Category), lease: l.id, property: l.property, unit: l.unit,
		request: c.RequestID, description: c.Description, date: c.Due, amount: c.Amount, period: c.Period, key: c.IdempotencyKey})
	var dup errDuplicate
	if errors.As(err, &dup) {
		return dup.id, chargeDuplicate, nil
	}
	if err != nil {
		return 0, 0, err
	}
	recv, err := p.acct(ctx, acctReceivable, l.id, 0, 0, 0, "")
	if err != nil {
		return 0, 0, err
	}
	var credit int64
	if c.Category == lintel.ChargeDeposit {
		credit, err = p.acct(ctx, acctDeposits, l.id, 0, 0, 0, "")
	} else {
		credit, err = p.acct(ctx, acctIncome, 0, 0, l.property, 0, string(c.Category))
	}
	if err != nil {
		return 0, 0, err
	}
	if err := p.post(ctx, id, 0, []leg{{recv, c.Amount}, {credit, -c.Amount}}); err != nil {
		return 0, 0, err
	}
	if err := p.settle(ctx, l, id); err != nil {
		return 0, 0, err
	}
	return id, chargeCreated, nil
}

// PostPayment records money received for a lease: Dr bank, Cr the lease's
// receivable, with the next receipt number. It pays p.ApplyTo first, then
// the oldest open charges; what is left waits for the next charge.
func (db *DB) PostPayment(ctx context.Context, s lintel.Staff, pay lintel.NewPayment) (int64, error) {
	if err := s.Require(lintel.PermPostLedger); err != nil {
		return 0, err
	}
	pay.Reference = strings.TrimSpace(pay.Reference)
	if err := pay.Validate(); err != nil {
		return 0, err
	}
	var id int64
	err := db.update(ctx, func(tx *Tx) error {
		p, err := tx.ledgerLock(ctx, s.CompanyID, s.Name)
		if err != nil {
			return err
		}
		if id, err = p.byKey(ctx, pay.IdempotencyKey); err != nil || id != 0 {
			return err
		}
		l, err := p.lease(ctx, pay.LeaseID)
		if err != nil {
			return err
		}
		receipt, err := p.nextReceipt(ctx)
		if err != nil {
			return err
		}
		bank, err := p.acct(ctx, acctBank, 0, 0, 0, 0, "")
		if err != nil {
			return err
		}
		id, err = p.receive(ctx, l, txRow{kind: txPayment, lease: l.id, property: l.property, unit: l.unit,
			description: "Payment received, thank you", date: pay.Received, amount: pay.Amount, method: string(pay.Method),
			reference: pay.Reference, receipt: receipt, key: pay.IdempotencyKey}, bank, pay.ApplyTo)
		if err != nil {
			return err
		}
		// The receipt e-mail's job commits or rolls back with the payment
		// (ledger_mail.go).
		if err := tx.enqueueReceiptEmails(ctx, s.CompanyID, id); err != nil {
			return err
		}
		return tx.staffAudit(ctx, s, "ledger.payment", "ledger_transaction", id,
			fmt.Sprintf("payment %s by %s received %s on lease %d, receipt %d", lintel.FormatMoney(pay.Amount, p.currency),
				pay.Method.Label(), pay.Received, l.id, receipt))
	})
	return firstID(id, err)
}

// receive records row, a payment or a credit on lease l, as Dr debit / Cr
// the lease's receivable; it pays applyTo first when set, then settles
// what waits on the lease oldest first.
func (p *poster) receive(ctx context.Context, l leaseRef, row txRow, debit, applyTo int64) (int64, error) {
	id, err := p.insert(ctx, row)
	if err != nil {
		return 0, err
	}
	recv, err := p.acct(ctx, acctReceivable, l.id, 0, 0, 0, "")
	if err != nil {
		return 0, err
	}
	if err := p.post(ctx, id, 0, []leg{{debit, row.amount}, {recv, -row.amount}}); err != nil {
		return 0, err
	}
	if applyTo != 0 {
		src := openItem{id: id, kind: row.kind, category: row.category, date: row.date, open: row.amount}
		if err := p.applyFirst(ctx, l, src, applyTo); err != nil {
			return 0, err
		}
	}
	return id, p.settle(ctx, l, id)
}

// firstID turns a lost idempotency race into the winner's id.
func firstID(id int64, err error) (int64, error) {
	var dup errDuplicate
	if errors.As(err, &dup) {
		return dup.id, nil
	}
	return id, err
}

// PostCredit lowers what a lease owes: Dr the category's income, Cr the
// lease's receivable; applied to open charges like a payment.
func (db *DB) PostCredit(ctx context.Context, s lintel.Staff, c lintel.NewCredit) (int64, error) {
	if err := s.Require(lintel.PermPostLedger); err != nil {
		return 0, err
	}
	c.Description = strings.TrimSpace(c.Description)
	if err := c.Validate(); err != nil {
		return 0, err
	}
	var id int64
	err := db.update(ctx, func(tx *Tx) error {
		p, err := tx.ledgerLock(ctx, s.CompanyID, s.Name)
		if err != nil {
			return err
		}
		if id, err = p.byKey(ctx, c.IdempotencyKey); err != nil || id != 0 {
			return err
		}
		l, err := p.lease(ctx, c.LeaseID)
		if err != nil {
			return err
		}
		income, err := p.acct(ctx, acctIncome, 0, 0, l.property, 0, string(c.Category))
		if err != nil {
			return err
		}
		id, err = p.receive(ctx, l, txRow{kind: txCredit, category: string(c.Category), lease: l.id, property: l.property, unit: l.unit,
			description: c.Description, date: c.Date, amount: c.Amount, key: c.IdempotencyKey}, income, c.ApplyTo)
		if err != nil {
			return err
		}
		return tx.staffAudit(ctx, s, "ledger.credit", "ledger_transaction", id,
			fmt.Sprintf("%s credit %s on lease %d: %s", c.Category.Label(), lintel.FormatMoney(c.Amount, p.currency), l.id, c.Description))
	})
	return firstID(id, err)
}

// Reverse posts the mirror of transaction txID (dated today), undoing the
// owners' share and fees of every allocation it took part in. A reversed
// charge is no longer owed; the money that paid it goes to the next open
// charge or waits as credit. A transaction is reversed at most once, and a
// reversal cannot itself be reversed.
func (db *DB) Reverse(ctx context.Context, s lintel.Staff, txID int64, reason, idempotencyKey string) (int64, error) {
	if err := s.Require(lintel.PermPostLedger); err != nil {
		return 0, err
	}
	reason = strings.TrimSpace(reason)
	fe := lintel.FieldErrors{}
	switch {
	case reason == "":
		fe.Add("reason", "Say why it is reversed, e.g. \"Posted twice\". The tenant or owner may read it.")
	case len(reason) > lintel.MaxLedgerDescription:
		fe.Add("reason", fmt.Sprintf("Keep the reason under %d characters.", lintel.MaxLedgerDescription))
	}
	if strings.TrimSpace(idempotencyKey) == "" || len(idempotencyKey) > lintel.MaxIdempotencyKey {
		fe.Add("idempotency_key", "This form has expired. Reload the page and submit it again.")
	}
	if err := fe.Err(); err != nil {
		return 0, err
	}
	var id int64
	err := db.update(ctx, func(tx *Tx) error {
		p, err := tx.ledgerLock(ctx, s.CompanyID, s.Name)
		if err != nil {
			return err
		}
		if id, err = p.byKey(ctx, idempotencyKey); err != nil || id != 0 {
			return err
		}
		var o txRow
		var reversed bool
		err = tx.get(ctx, `SELECT t.kind, t.category, COALESCE(t.lease_id, 0), COALESCE(t.property_id, 0), COALESCE(t.unit_id, 0),
				COALESCE(t.contact_id, 0), COALESCE(t.request_id, 0), t.description, t.amount_minor,
				EXISTS (SELECT 1 FROM ledger_transactions r WHERE r.reverses_id = t.id)
			FROM ledger_transactions t WHERE t.id = $1 AND t.company_id = $2`, []any{txID, s.CompanyID},
			&o.kind, &o.category, &o.lease, &o.property, &o.unit, &o.contact, &o.request, &o.description, &o.amount, &reversed)
		if err != nil {
			return err
		}
		switch {
		case o.kind == txReversal:
			return lintel.Conflict("A reversal cannot be reversed. Post the charge or payment again instead.")
		case reversed:
			return lintel.Conflict("This transaction is already reversed.")
		}
		// Which allocations stop counting, read before the reversal exists.
		allocs, err := ledgerIDs(ctx, tx, `SELECT a.id FROM ledger_allocations a WHERE (a.source_id = $1 OR a.charge_id = $1) AND a.company_id = $2 AND `+
			allocationCounts+` ORDER BY a.id`, txID, s.CompanyID)
		if err != nil {
			return err
		}
		id, err = p.insert(ctx, txRow{kind: txReversal, category: o.category, lease: o.lease, property: o.property, unit: o.unit,
			contact: o.contact, request: o.request, description: "Reversal of “" + o.description + "”: " + reason,
			date: lintel.DateOf(tx.Now), amount: o.amount, reverses: txID, key: idempotencyKey})
		if err != nil {
			return err
		}
		base, err := p.mirror(ctx, `SELECT account_id, amount_minor FROM ledger_postings WHERE transaction_id = $1 AND company_id = $2 AND allocation_id IS NULL ORDER BY id`, txID)
		if err != nil {
			return err
		}
		if err := p.post(ctx, id, 0, base); err != nil {
			return err
		}
		for _, a := range allocs {
			legs, err := p.mirror(ctx, `SELECT account_id, amount_minor FROM ledger_postings WHERE allocation_id = $1 AND company_id = $2 ORDER BY id`, a)
			if err != nil {
				return err
			}
			if err := p.post(ctx, id, a, legs); err != nil {
				return err
			}
		}
		if o.lease != 0 {
			if err := p.settle(ctx, leaseRef{id: o.lease, property: o.property, unit: o.unit}, id); err != nil {
				return err
			}
		}
		return tx.staffAudit(ctx, s, "ledger.reverse", "ledger_transaction", txID,
			fmt.Sprintf("reversed %s %d (%s) by transaction %d: %s", o.kind, txID, lintel.FormatMoney(o.amount, p.currency), id, reason))
	})
	return firstID(id, err)
}

// mirror reads postings and returns their opposites.
func (p *poster) mirror(ctx context.Context, q string, id int64) ([]leg, error) {
	rows, err := p.tx.QueryContext(ctx, q, id, p.companyID)
	if err != nil {
		return nil, mapErr(err)
	}
	defer rows.Close()
	var out []leg
	for rows.Next() {
		var l leg
		if err := rows.Scan(&l.account, &l.amount); err != nil {
			return nil, err
		}
		l.amount = -l.amount
		out = append(out, l)
	}
	return out, rows.Err()
}

func ledgerIDs(ctx context.Context, tx *Tx, q string, args ...any) ([]int64, error) {
	rows, err := tx.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, mapErr(err)
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var v int64
		if err := rows.Scan(&v); err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// PostOwnerEntry records money between the company and an owner on one
// asset: a contribution (Dr bank, Cr owner; with a receipt number), a
// distribution (Dr owner, Cr bank; refused above what the company holds for
// the owner unless AllowNegative) or an expense paid for the owner (Dr owner,
// Cr bank), such as a maintenance invoice (RequestID).
func (db *DB) PostOwnerEntry(ctx context.Context, s lintel.Staff, e lintel.NewOwnerEntry) (int64, error) {
	if err := s.Require(lintel.PermPostLedger); err != nil {
		return 0, err
	}
	e.Description = strings.TrimSpace(e.Description)
	e.Reference = strings.TrimSpace(e.Reference)
	if err := e.Validate(); err != nil {
		return 0, err
	}
	if e.Description == "" {
		e.Description = e.Kind.Label()
	}
	var id int64
	err := db.update(ctx, func(tx *Tx) error {
		p, err := tx.ledgerLock(ctx, s.CompanyID, s.Name)
		if err != nil {
			return err
		}
		if id, err = p.byKey(ctx, e.IdempotencyKey); err != nil || id != 0 {
			return err
		}
		var one int
		if err := tx.get(ctx, `SELECT 1 FROM contacts WHERE id = $1 AND company_id = $2`, []any{e.ContactID, s.CompanyID}, &one); err != nil {
			return err
		}
		if err := tx.get(ctx, `SELECT 1 FROM properties WHERE id = $1 AND company_id = $2`, []any{e.PropertyID, s.CompanyID}, &one); err != nil {
			return err
		}
		if e.UnitID != 0 {
			if err := tx.get(ctx, `SELECT 1 FROM units WHERE id = $1 AND property_id = $2 AND company_id = $3`, []any{e.UnitID, e.PropertyID, s.CompanyID}, &one); err != nil {
				return err
			}
		}
		var owns int
		if err := tx.get(ctx, `SELECT COUNT(*) FROM ownerships WHERE company_id = $1 AND contact_id = $2 AND property_id = $3 AND COALESCE(unit_id, 0) = $4`,
			[]any{s.CompanyID, e.ContactID, e.PropertyID, e.UnitID}, &owns); err != nil {
			return err
		}
		if owns == 0 {
			return lintel.FieldErrors{"owner": "This contact has no ownership of that property or unit. Record the ownership on the property first."}.Err()
		}
		if e.RequestID != 0 {
			var prop int64
			if err := tx.get(ctx, `SELECT property_id FROM requests WHERE id = $1 AND company_id = $2`, []any{e.RequestID, s.CompanyID}, &prop); err != nil {
				return err
			}
			if prop != e.PropertyID {
				return lintel.FieldErrors{"request": "That request is for another property."}.Err()
			}
		}
		owner, err := p.acct(ctx, acctOwner, 0, e.ContactID, e.PropertyID, e.UnitID, "")
		if err != nil {
			return err
		}
		if e.Kind == lintel.OwnerDistribution && !e.AllowNegative {
			var bal int64
			if err := tx.get(ctx, `SELECT balance_minor FROM ledger_accounts WHERE id = $1`, []any{owner}, &bal); err != nil {
				return err
			}
			if available := -bal; e.Amount > available {
				return lintel.FieldErrors{"amount": fmt.Sprintf("That is more than the %s held for this owner on this asset. Lower the amount, or tick \"Allow a negative balance\" to pay it anyway.",
					lintel.FormatMoney(max(available, 0), p.currency))}.Err()
			}
		}
		var receipt int64
		if e.Kind == lintel.OwnerContribution {
			if receipt, err = p.nextReceipt(ctx); err != nil {
				return err
			}
		}
		id, err = p.insert(ctx, txRow{kind: string(e.Kind), property: e.PropertyID, unit: e.UnitID, contact: e.ContactID, request: e.RequestID,
			description: e.Description, date: e.Date, amount: e.Amount, method: e.Method, reference: e.Reference, receipt: receipt,
			key: e.IdempotencyKey})
		if err != nil {
			return err
		}
		bank, err := p.acct(ctx, acctBank, 0, 0, 0, 0, "")
		if err != nil {
			return err
		}
		legs := []leg{{owner, e.Amount}, {bank, -e.Amount}}
		if e.Kind == lintel.OwnerContribution {
			legs = []leg{{bank, e.Amount}, {owner, -e.Amount}}
		}
		if err := p.post(ctx, id, 0, legs); err != nil {
			return err
		}
		return tx.staffAudit(ctx, s, "ledger."+string(e.Kind), "ledger_transaction", id,
			fmt.Sprintf("%s %s for contact %d on property %d unit %d: %s", e.Kind.Label(), lintel.FormatMoney(e.Amount, p.currency),
				e.ContactID, e.PropertyID, e.UnitID, e.Description))
	})
	return firstID(id, err)
}

// LeaseBalance returns what a lease's tenants owe (negative: credit) and the
// part of it that is overdue: open charges due before today.
func (db *DB) LeaseBalance(ctx context.Context, s lintel.Staff, leaseID int64) (balance, overdue int64, err error) {
	if err := s.Require(lintel.PermViewRecords); err != nil {
		return 0, 0, err
	}
	err = db.view(ctx, func(tx *Tx) error {
		var one int
		if err := tx.get(ctx, `SELECT 1 FROM leases WHERE id = $1 AND company_id = $2`, []any{leaseID, s.CompanyID}, &one); err != nil {
			return err
		}
		balance, overdue, err = tx.leaseBalance(ctx, s.CompanyID, leaseID)
		return err
	})
	return balance, overdue, err
}

// leaseBalance reads a lease's balance (the receivable's cached balance) and
// overdue amount; the lease must already be known to be in companyID.
func (tx *Tx) leaseBalance(ctx context.Context, companyID, leaseID int64) (balance, overdue int64, err error) {
	err = tx.get(ctx, `SELECT COALESCE(SUM(balance_minor), 0) FROM ledger_accounts WHERE company_id = $1 AND kind = 'receivable' AND lease_id = $2`,
		[]any{companyID, leaseID}, &balance)
	if err != nil {
		return 0, 0, err
	}
	err = tx.get(ctx, `SELECT CAST(COALESCE(SUM(open_minor), 0) AS BIGINT) FROM ledger_open
		WHERE company_id = $1 AND lease_id = $2 AND kind = 'charge' AND effective_date < $3 AND open_minor > 0`,
		[]any{companyID, leaseID, lintel.DateOf(tx.Now)}, &overdue)
	return balance, overdue, err
}

// Ledger page sizes.
const (
	defaultLedgerPage = 50
	maxLedgerPage     = 500
)

// LeaseLedger returns one page of a lease's ledger, newest first (by
// effective date, then id), with the lease's balance and overdue amount.
// cursor is "" for the first page, else a LeaseAccount.Next.
func (db *DB) LeaseLedger(ctx context.Context, s lintel.Staff, leaseID int64, cursor string, limit int) (LeaseAccount, error) {
	if err := s.Require(lintel.PermViewRecords); err != nil {
		return LeaseAccount{}, err
	}
	switch {
	case limit <= 0:
		limit = defaultLedgerPage
	case limit > maxLedgerPage:
		limit = maxLedgerPage
	}
	acc := LeaseAccount{LeaseID: leaseID}
	err := db.view(ctx, func(tx *Tx) error {
		if err := tx.get(ctx, `SELECT c.currency FROM leases l JOIN companies c ON c.id = l.company_id WHERE l.id = $1 AND l.company_id = $2`,
			[]any{leaseID, s.CompanyID}, &acc.Currency); err != nil {
			return err
		}
		var err error
		if acc.Balance, acc.Overdue, err = tx.leaseBalance(ctx, s.CompanyID, leaseID); err != nil {
			return err
		}
		acc.Lines, acc.Next, err = tx.ledgerLines(ctx, s.CompanyID, leaseID, cursor, limit)
		return err
	})
	if err != nil {
		return LeaseAccount{}, err
	}
	return acc, nil
}

// parseLeaseCursor reads "YYYY-MM-DD.id"; a cursor that does not parse
// starts from the newest line.
func parseLeaseCursor(c string) (day lintel.Date, id int64, ok bool) {
	d, n, found := strings.Cut(c, ".")
	if !found {
		return lintel.Date{}, 0, false
	}
	day, err := lintel.ParseDate(d)
	if err != nil {
		return lintel.Date{}, 0, false
	}
	id, err = strconv.ParseInt(n, 10, 64)
	if err != nil || id <= 0 {
		return lintel.Date{}, 0, false
	}
	return day, id, true
}

func leaseCursor(l LedgerLine) string { return l.Date.String() + "." + strconv.FormatInt(l.ID, 10) }

// ledgerLines reads one page of a lease's lines, newest first, with the open
// amount of each charge and what paid it. Whether a line is reversed is a
// join on the unique reverses_id, not an EXISTS in the select list, which
// PostgreSQL may hash over the whole table ahead of the page's LIMIT.
func (tx *Tx) ledgerLines(ctx context.Context, companyID, leaseID int64, cursor string, limit int) ([]LedgerLine, string, error) {
	args := sqlArgs{}
	q := `SELECT t.id, t.kind, t.category, t.description, t.effective_date, t.amount_minor, t.method, t.reference,
			COALESCE(t.receipt_number, 0), COALESCE(t.reverses_id, 0), COALESCE(o.kind, ''), t.created_at,
			rv.id IS NOT NULL, CASE WHEN t.kind = 'charge' THEN COALESCE(op.open_minor, 0) ELSE 0 END
		FROM ledger_transactions t LEFT JOIN ledger_transactions o ON o.id = t.reverses_id
		LEFT JOIN ledger_transactions rv ON rv.reverses_id = t.id
		LEFT JOIN ledger_open op ON op.transaction_id = t.id
		WHERE t.lease_id = ` + args.add(leaseID) + ` AND t.company_id = ` + args.add(companyID)
	if day, id, ok := parseLeaseCursor(cursor); ok {
		q += ` AND (t.effective_date, t.id) < (` + args.add(day) + `, ` + args.add(id) + `)`
	}
	q += ` ORDER BY t.effective_date DESC, t.id DESC LIMIT ` + args.add(limit+1)
	rows, err := tx.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, "", mapErr(err)
	}
	var lines []LedgerLine
	byID := map[int64]int{}
	var chargeIDs []any
	for rows.Next() {
		var l LedgerLine
		var origKind string
		if err := rows.Scan(&l.ID, &l.Kind, &l.Category, &l.Description, &l.Date, &l.Amount, &l.Method, &l.Reference,
			&l.ReceiptNumber, &l.ReversesID, &origKind, at(&l.CreatedAt), &l.Reversed, &l.Open); err != nil {
			rows.Close()
			return nil, "", err
		}
		switch {
		case l.Kind == txPayment || l.Kind == txCredit:
			l.Amount = -l.Amount
		case l.Kind == txReversal && origKind == txCharge:
			l.Amount = -l.Amount
		}
		if l.Kind != txCharge || l.Reversed {
			l.Open = 0
		}
		lines = append(lines, l)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, "", err
	}
	next := ""
	if len(lines) > limit {
		lines = lines[:limit]
		next = leaseCursor(lines[limit-1])
	}
	for i, l := range lines {
		if l.Kind == txCharge && !l.Reversed {
			byID[l.ID] = i
			chargeIDs = append(chargeIDs, l.ID)
		}
	}
	if len(chargeIDs) == 0 {
		return lines, next, nil
	}
	args = sqlArgs{}
	marks := make([]string, len(chargeIDs))
	for i, id := range chargeIDs {
		marks[i] = args.add(id)
	}
	rows, err = tx.QueryContext(ctx, `SELECT a.charge_id, a.source_id, SUM(a.amount_minor), s.effective_date, COALESCE(s.receipt_number, 0)
		FROM ledger_allocations a JOIN ledger_transactions s ON s.id = a.source_id
		WHERE a.charge_id IN (`+strings.Join(marks, ", ")+`) AND a.company_id = `+args.add(companyID)+` AND `+notReversedSQL("a.source_id")+`
		GROUP BY a.charge_id, a.source_id, s.effective_date, s.receipt_number
		ORDER BY a.charge_id, s.effective_date, a.source_id`, args...)
	if err != nil {
		return nil, "", mapErr(err)
	}
	defer rows.Close()
	for rows.Next() {
		var a Allocation
		if err := rows.Scan(&a.ChargeID, &a.SourceID, &a.Amount, &a.Date, &a.ReceiptNumber); err != nil {
			return nil, "", err
		}
		i := byID[a.ChargeID]
		lines[i].PaidBy = append(lines[i].PaidBy, a)
	}
	return lines, next, rows.Err()
}

// CheckLedger verifies the books of every company: each transaction's
// postings sum to zero, each cached balance equals its postings, no
// allocation exceeds its payment or charge or crosses leases, postings
// stay within their company, and the caches derived from the ledger
// (ledger_open, ledger_owner_lines, ledger_owner_months) agree with the
// rows they derive from. It returns one line per problem, none when the
// ledger is sound.
func (db *DB) CheckLedger(ctx context.Context) ([]string, error) {
	var problems []string
	checks := []struct {
		q   string
		say func(a, b, c string) string
	}{
		{`SELECT t.id, COALESCE(SUM(p.amount_minor), 0), COUNT(p.id) FROM ledger_transactions t LEFT JOIN ledger_postings p ON p.transaction_id = t.id
			GROUP BY t.id HAVING COALESCE(SUM(p.amount_minor), 0) <> 0 OR COUNT(p.id) < 2 ORDER BY t.id`,
			func(id, sum, n string) string {
				return fmt.Sprintf("transaction %s: its %s postings sum to %s, not 0", id, n, sum)
			}},
		{`SELECT a.id, a.balance_minor, COALESCE((SELECT SUM(p.amount_minor) FROM ledger_postings p WHERE p.account_id = a.id), 0) AS s
			FROM ledger_accounts a WHERE a.balance_minor <> COALESCE((SELECT SUM(p.amount_minor) FROM ledger_postings p WHERE p.account_id = a.id), 0) ORDER BY a.id`,
			func(id, cached, sum string) string {
				return fmt.Sprintf("account %s: cached balance %s but its postings sum to %s", id, cached, sum)
			}},
		{`SELECT t.id, t.amount_minor, SUM(a.amount_minor) FROM ledger_transactions t JOIN ledger_allocations a ON a.source_id = t.id
			WHERE ` + allocationCounts + ` GROUP BY t.id, t.amount_minor HAVING SUM(a.amount_minor) > t.amount_minor ORDER BY t.id`,
			func(id, amount, alloc string) string {
				return fmt.Sprintf("transaction %s: %s applied to charges, more than its amount %s", id, alloc, amount)
			}},
		{`SELECT t.id, t.amount_minor, SUM(a.amount_minor) FROM ledger_transactions t JOIN ledger_allocations a ON a.charge_id = t.id
			WHERE ` + allocationCounts + ` GROUP BY t.id, t.amount_minor HAVING SUM(a.amount_minor) > t.amount_minor ORDER BY t.id`,
			func(id, amount, alloc string) string {
				return fmt.Sprintf("charge %s: paid %s, more than its amount %s", id, alloc, amount)
			}},
		{`SELECT a.id, a.source_id, a.charge_id FROM ledger_allocations a JOIN ledger_transactions s ON s.id = a.source_id
			JOIN ledger_transactions c ON c.id = a.charge_id
			WHERE s.kind NOT IN ('payment', 'credit') OR c.kind <> 'charge' OR s.lease_id IS NULL OR s.lease_id <> c.lease_id
				OR s.company_id <> a.company_id OR c.company_id <> a.company_id ORDER BY a.id`,
			func(id, src, charge string) string {
				return fmt.Sprintf("allocation %s: transaction %s applied to %s, which is not a charge of the same lease", id, src, charge)
			}},
		{`SELECT p.id, p.transaction_id, p.account_id FROM ledger_postings p JOIN ledger_transactions t ON t.id = p.transaction_id
			JOIN ledger_accounts a ON a.id = p.account_id WHERE t.company_id <> p.company_id OR a.company_id <> p.company_id ORDER BY p.id`,
			func(id, txID, acct string) string {
				return fmt.Sprintf("posting %s: transaction %s and account %s belong to different companies", id, txID, acct)
			}},
		{`SELECT id, cached, derived FROM (
				SELECT t.id, COALESCE(o.open_minor, -1) AS cached, CASE WHEN NOT ` + notReversedSQL("t.id") + ` THEN 0
					WHEN t.kind = 'charge' THEN t.amount_minor - COALESCE((SELECT SUM(a.amount_minor) FROM ledger_allocations a
						WHERE a.charge_id = t.id AND ` + notReversedSQL("a.source_id") + `), 0)
					ELSE t.amount_minor - COALESCE((SELECT SUM(a.amount_minor) FROM ledger_allocations a
						WHERE a.source_id = t.id AND ` + notReversedSQL("a.charge_id") + `), 0) END AS derived,
					CASE WHEN o.company_id = t.company_id AND o.lease_id = t.lease_id AND o.kind = t.kind AND o.effective_date = t.effective_date
						THEN 1 ELSE 0 END AS same
				FROM ledger_transactions t LEFT JOIN ledger_open o ON o.transaction_id = t.id
				WHERE t.kind IN ('charge', 'payment', 'credit') AND t.lease_id IS NOT NULL) x
			WHERE cached <> derived OR same = 0
			UNION ALL
			SELECT o.transaction_id, o.open_minor, 0 FROM ledger_open o LEFT JOIN ledger_transactions t ON t.id = o.transaction_id
			WHERE t.id IS NULL OR t.kind NOT IN ('charge', 'payment', 'credit') OR t.lease_id IS NULL
			ORDER BY 1`,
			func(id, cached, derived string) string {
				return fmt.Sprintf("transaction %s: ledger_open holds %s open (-1: no row, or a row for another lease, kind or date) but its allocations leave %s open: rebuild ledger_open from the allocations", id, cached, derived)
			}},
		{`SELECT oa.contact_id, t.id, 'missing' FROM ledger_postings p JOIN ledger_accounts oa ON oa.id = p.account_id
				JOIN ledger_transactions t ON t.id = p.transaction_id
			WHERE oa.kind = 'owner' AND NOT EXISTS (SELECT 1 FROM ledger_owner_lines l WHERE l.company_id = oa.company_id
				AND l.contact_id = oa.contact_id AND l.effective_date = t.effective_date AND l.transaction_id = t.id)
			GROUP BY oa.contact_id, t.id
			UNION ALL
			SELECT l.contact_id, l.transaction_id, 'extra' FROM ledger_owner_lines l WHERE NOT EXISTS (SELECT 1 FROM ledger_postings p
				JOIN ledger_accounts oa ON oa.id = p.account_id JOIN ledger_transactions t ON t.id = p.transaction_id
				WHERE p.transaction_id = l.transaction_id AND oa.kind = 'owner' AND oa.contact_id = l.contact_id
					AND oa.company_id = l.company_id AND t.effective_date = l.effective_date)
			ORDER BY 1, 2`,
			func(contact, txID, what string) string {
				if what == "missing" {
					return fmt.Sprintf("owner contact %s: transaction %s moved their accounts but is missing from ledger_owner_lines: rebuild ledger_owner_lines from the postings", contact, txID)
				}
				return fmt.Sprintf("owner contact %s: ledger_owner_lines lists transaction %s, which did not move their accounts: rebuild ledger_owner_lines from the postings", contact, txID)
			}},
		{`WITH classed AS (
				SELECT oa.company_id, oa.contact_id, SUBSTR(t.effective_date, 1, 7) AS month, p.amount_minor AS amount, ` + ownerClass + ` AS cls
				FROM ledger_accounts oa JOIN ledger_postings p ON p.account_id = oa.id JOIN ledger_transactions t ON t.id = p.transaction_id
				LEFT JOIN ledger_transactions orig ON orig.id = t.reverses_id
				WHERE oa.kind = 'owner'
			), derived AS (
				SELECT company_id, contact_id, month, SUM(CASE WHEN cls = 'income' THEN -amount ELSE 0 END) AS income,
					SUM(CASE WHEN cls = 'expense' THEN amount ELSE 0 END) AS expense
				FROM classed GROUP BY company_id, contact_id, month)
			SELECT d.contact_id, d.month, COALESCE(m.income_minor, 0) || '/' || COALESCE(m.expense_minor, 0) || ' cached, ' || d.income || '/' || d.expense
			FROM derived d LEFT JOIN ledger_owner_months m ON m.company_id = d.company_id AND m.contact_id = d.contact_id AND m.month = d.month
			WHERE COALESCE(m.income_minor, 0) <> d.income OR COALESCE(m.expense_minor, 0) <> d.expense
			UNION ALL
			SELECT m.contact_id, m.month, m.income_minor || '/' || m.expense_minor || ' cached, 0/0'
			FROM ledger_owner_months m LEFT JOIN derived d ON d.company_id = m.company_id AND d.contact_id = m.contact_id AND d.month = m.month
			WHERE d.contact_id IS NULL AND (m.income_minor <> 0 OR m.expense_minor <> 0)
			ORDER BY 1, 2`,
			func(contact, month, amounts string) string {
				return fmt.Sprintf("owner contact %s, %s: income/expenses %s from the postings: rebuild ledger_owner_months from the postings", contact, month, amounts)
			}},
	}
	err := db.view(ctx, func(tx *Tx) error {
		for _, c := range checks {
			rows, err := tx.QueryContext(ctx, c.q)
			if err != nil {
				return mapErr(err)
			}
			for rows.Next() {
				var a, b, x string
				if err := rows.Scan(&a, &b, &x); err != nil {
					rows.Close()
					return err
				}
				problems = append(problems, c.say(a, b, x))
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return err
			}
		}
		return nil
	})
	return problems, err
}

// LedgerTransactionCount counts the transactions of every company (for
// `lintel check`'s summary).
func (db *DB) LedgerTransactionCount(ctx context.Context) (int64, error) {
	var n int64
	err := db.view(ctx, func(tx *Tx) error {
		return tx.get(ctx, `SELECT COUNT(*) FROM ledger_transactions`, nil, &n)
	})
	return n, err
}
