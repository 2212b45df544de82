package sqldb

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"lintel.dev/lintel/internal/lintel"
)

// The manager's side of an owner's account: what the
// company holds for one owner contact, per asset and overall, and the
// movements on it, newest first. Owner accounts are credit-normal, so an
// owner's balance is minus the sum of the postings on their accounts.
// Posting (contributions, distributions, expenses) is PostOwnerEntry in
// ledger.go; this file only reads, scoped by the staff member's company.

// OwnerAccount is one page of an owner's account with the staff member's
// company.
type OwnerAccount struct {
	Contact  lintel.Contact // ID, Name, IsOwner and ArchivedAt filled
	Currency string
	Assets   []OwnerLedgerAsset
	Lines    []OwnerLedgerLine
	Next     string // cursor of the next (older) page; "" on the last page
}

// Balance is what the company holds for the owner across their assets.
func (a OwnerAccount) Balance() int64 {
	var b int64
	for _, x := range a.Assets {
		b += x.Balance
	}
	return b
}

// Asset finds one of the owner's assets.
func (a OwnerAccount) Asset(propertyID, unitID int64) (OwnerLedgerAsset, bool) {
	for _, x := range a.Assets {
		if x.PropertyID == propertyID && x.UnitID == unitID {
			return x, true
		}
	}
	return OwnerLedgerAsset{}, false
}

// OwnerLedgerAsset is the owner's balance on one asset: a whole property
// (UnitID 0) or one unit of it. Assets come from the owner's ownerships
// (not archived) and from any account they still have money on.
type OwnerLedgerAsset struct {
	PropertyID, UnitID int64
	PropertyName       string
	UnitLabel          string
	ShareBP            int  // the owner's share; 0 without a recorded ownership
	Current            bool // an ownership current today
	ManagementFeeBP    int  // the property's management fee
	Balance            int64
}

// Name is the asset for people: "Harbour House" or "Harbour House · Apt 2".
func (a OwnerLedgerAsset) Name() string {
	if a.UnitLabel == "" {
		return a.PropertyName
	}
	return a.PropertyName + " · " + a.UnitLabel
}

// Key names the asset in a form: "property:unit".
func (a OwnerLedgerAsset) Key() string { return fmt.Sprintf("%d:%d", a.PropertyID, a.UnitID) }

// Share is the owner's share as a percentage, "60%", "" when none.
func (a OwnerLedgerAsset) Share() string {
	if a.ShareBP == 0 {
		return ""
	}
	return lintel.FormatShare(a.ShareBP) + "%"
}

// ManagementFee is the property's management fee, "8%" ("" when none).
func (a OwnerLedgerAsset) ManagementFee() string {
	if a.ManagementFeeBP == 0 {
		return ""
	}
	return lintel.FormatShare(a.ManagementFeeBP) + "%"
}

// OwnerLedgerLine is one movement on an owner's balance: one transaction
// on one asset in one direction (a rent payment makes two lines, the rent
// collected and the management fee on it).
type OwnerLedgerLine struct {
	TxID          int64
	Kind          string // the transaction's kind: payment, credit, reversal, owner_*
	OrigKind      string // for a reversal, the kind it reversed
	Class         string // "rent", "fee", "expense", "contribution", "distribution"
	Date          lintel.Date
	Description   string // as posted
	PropertyID    int64
	UnitID        int64
	Asset         string
	Amount        int64 // + to the owner, - from them
	ReceiptNumber int64 // contributions
	RequestID     int64 // expenses for a maintenance request
	Method        string
	Reference     string
	Reversed      bool // reversed later
}

// Label says what the line is in a bookkeeper's words.
func (l OwnerLedgerLine) Label() string {
	label := map[string]string{
		"rent":         "Rent collected",
		"fee":          "Management fee",
		"expense":      "Maintenance expense",
		"contribution": "Owner contribution",
		"distribution": "Distribution to owner",
	}[l.Class]
	if l.Class == "expense" && l.RequestID == 0 {
		label = "Expense billed to owner"
	}
	if l.Kind == "reversal" {
		return "Reversed: " + strings.ToLower(label[:1]) + label[1:]
	}
	return label
}

// MethodLabel is how the money moved, for people.
func (l OwnerLedgerLine) MethodLabel() string {
	if l.Method == "" {
		return ""
	}
	return lintel.PaymentMethod(l.Method).Label()
}

// ownerLineClass sorts a posting on an owner account (p, transaction t,
// original orig of a reversal): within a payment or credit a credit to the
// owner is their rent and a debit the management fee; a reversal mirrors
// its original's signs.
const ownerLineClass = `CASE COALESCE(orig.kind, t.kind)
		WHEN 'owner_contribution' THEN 'contribution'
		WHEN 'owner_distribution' THEN 'distribution'
		WHEN 'owner_expense' THEN 'expense'
		ELSE CASE WHEN (p.amount_minor < 0) = (t.kind <> 'reversal') THEN 'rent' ELSE 'fee' END END`

// OwnerAccount reads an owner contact's balances and one page of lines
// (limit, newest first, from cursor: "" for the newest). A contact of
// another company is lintel.ErrNotFound.
func (db *DB) OwnerAccount(ctx context.Context, s lintel.Staff, contactID int64, cursor string, limit int) (OwnerAccount, error) {
	var a OwnerAccount
	if err := s.Require(lintel.PermViewRecords); err != nil {
		return a, err
	}
	if limit <= 0 || limit > 200 {
		limit = 50
	}
	err := db.view(ctx, func(tx *Tx) error {
		c := &a.Contact
		if err := tx.get(ctx, `SELECT c.id, c.name, c.is_owner, c.archived_at, co.currency FROM contacts c JOIN companies co ON co.id = c.company_id
			WHERE c.id = $1 AND c.company_id = $2`, []any{contactID, s.CompanyID}, &c.ID, &c.Name, &c.IsOwner, at(&c.ArchivedAt), &a.Currency); err != nil {
			return err
		}
		var err error
		if a.Assets, err = tx.ownerLedgerAssets(ctx, s.CompanyID, contactID, lintel.DateOf(tx.Now)); err != nil {
			return err
		}
		a.Lines, a.Next, err = tx.ownerLedgerLines(ctx, s.CompanyID, contactID, cursor, limit)
		return err
	})
	if err != nil {
		return OwnerAccount{}, err
	}
	return a, nil
}

func (tx *Tx) ownerLedgerAssets(ctx context.Context, companyID, contactID int64, today lintel.Date) ([]OwnerLedgerAsset, error) {
	// Ownerships and accounts, joined in Go: an owner may own an asset
	// with no money on it yet, or keep money on one they no longer own.
	rows, err := tx.QueryContext(ctx, `SELECT x.property_id, x.unit_id, pr.name, COALESCE(un.label, ''), pr.management_fee_bp, x.share_bp, x.current, x.balance
		FROM (
			SELECT o.property_id, COALESCE(o.unit_id, 0) AS unit_id, o.share_bp,
				CASE WHEN (o.start_date IS NULL OR o.start_date <= $3) AND (o.end_date IS NULL OR o.end_date >= $3) THEN 1 ELSE 0 END AS current,
				0 AS balance
			FROM ownerships o WHERE o.company_id = $1 AND o.contact_id = $2 AND o.archived_at IS NULL
			UNION ALL
			SELECT oa.property_id, COALESCE(oa.unit_id, 0), 0, 0, -oa.balance_minor
			FROM ledger_accounts oa WHERE oa.company_id = $1 AND oa.contact_id = $2 AND oa.kind = 'owner'
		) x
		JOIN properties pr ON pr.id = x.property_id AND pr.company_id = $1
		LEFT JOIN units un ON un.id = x.unit_id AND un.company_id = $1
		ORDER BY pr.name, x.property_id, COALESCE(un.label, ''), x.unit_id`, companyID, contactID, today)
	if err != nil {
		return nil, mapErr(err)
	}
	defer rows.Close()
	var out []OwnerLedgerAsset
	for rows.Next() {
		var x OwnerLedgerAsset
		var current int
		if err := rows.Scan(&x.PropertyID, &x.UnitID, &x.PropertyName, &x.UnitLabel, &x.ManagementFeeBP, &x.ShareBP, &current, &x.Balance); err != nil {
			return nil, err
		}
		n := len(out)
		if n > 0 && out[n-1].PropertyID == x.PropertyID && out[n-1].UnitID == x.UnitID {
			prev := &out[n-1]
			prev.Balance += x.Balance
			if current == 1 || !prev.Current && x.ShareBP > 0 {
				prev.ShareBP = max(prev.ShareBP, x.ShareBP)
			}
			prev.Current = prev.Current || current == 1
			continue
		}
		x.Current = current == 1
		out = append(out, x)
	}
	return out, rows.Err()
}

// ownerLedgerLines reads one page of lines, a page being whole
// transactions: first the page's transactions by keyset (date, id), then
// their postings on the owner's accounts, one line per asset and
// direction.
func (tx *Tx) ownerLedgerLines(ctx context.Context, companyID, contactID int64, cursor string, limit int) ([]OwnerLedgerLine, string, error) {
	args := sqlArgs{companyID, contactID}
	where := ""
	if day, id, ok := ownerCursor(cursor); ok {
		d, i := args.add(day), args.add(id)
		where = ` AND (effective_date < ` + d + ` OR (effective_date = ` + d + ` AND transaction_id < ` + i + `))`
	}
	// ledger_owner_lines is keyed in page order: the page's transactions
	// are read off its index, not sorted out of every posting the owner had.
	ids, err := tx.ownerLedgerIDs(ctx, `SELECT transaction_id FROM ledger_owner_lines
		WHERE company_id = $1 AND contact_id = $2`+where+`
		ORDER BY effective_date DESC, transaction_id DESC LIMIT `+args.add(limit+1), args...)
	if err != nil || len(ids) == 0 {
		return nil, "", err
	}
	more := len(ids) > limit
	if more {
		ids = ids[:limit]
	}
	la := sqlArgs{companyID, contactID}
	in := make([]string, len(ids))
	for i, id := range ids {
		in[i] = la.add(id)
	}
	rows, err := tx.QueryContext(ctx, `SELECT t.id, t.kind, COALESCE(orig.kind, ''), `+ownerLineClass+`, t.effective_date, t.description,
			oa.property_id, COALESCE(oa.unit_id, 0), pr.name, COALESCE(un.label, ''), CAST(-SUM(p.amount_minor) AS BIGINT),
			COALESCE(t.receipt_number, 0), COALESCE(t.request_id, 0), t.method, t.reference,
			CASE WHEN EXISTS (SELECT 1 FROM ledger_transactions r WHERE r.reverses_id = t.id) THEN 1 ELSE 0 END
		FROM ledger_accounts oa
		JOIN ledger_postings p ON p.account_id = oa.id AND p.company_id = oa.company_id
		JOIN ledger_transactions t ON t.id = p.transaction_id AND t.company_id = p.company_id
		LEFT JOIN ledger_transactions orig ON orig.id = t.reverses_id AND orig.company_id = t.company_id
		JOIN properties pr ON pr.id = oa.property_id AND pr.company_id = oa.company_id
		LEFT JOIN units un ON un.id = oa.unit_id AND un.company_id = oa.company_id
		WHERE oa.company_id = $1 AND oa.contact_id = $2 AND oa.kind = 'owner' AND p.transaction_id IN (`+strings.Join(in, ", ")+`)
			AND t.id IN (`+strings.Join(in, ", ")+`)
		GROUP BY t.id, t.kind, COALESCE(orig.kind, ''), `+ownerLineClass+`, t.effective_date, t.description,
			oa.property_id, COALESCE(oa.unit_id, 0), pr.name, COALESCE(un.label, ''), t.receipt_number, t.request_id, t.method, t.reference
		ORDER BY t.effective_date DESC, t.id DESC, pr.name, COALESCE(un.label, ''), 4 DESC`, la...)
	if err != nil {
		return nil, "", mapErr(err)
	}
	defer rows.Close()
	var out []OwnerLedgerLine
	for rows.Next() {
		var l OwnerLedgerLine
		var unit string
		var reversed int
		if err := rows.Scan(&l.TxID, &l.Kind, &l.OrigKind, &l.Class, &l.Date, &l.Description, &l.PropertyID, &l.UnitID, &l.Asset, &unit,
			&l.Amount, &l.ReceiptNumber, &l.RequestID, &l.Method, &l.Reference, &reversed); err != nil {
			return nil, "", err
		}
		if unit != "" {
			l.Asset += " · " + unit
		}
		l.Reversed = reversed == 1
		if l.Amount == 0 {
			continue // a transaction that moved nothing net on this asset in this class
		}
		out = append(out, l)
	}
	if err := rows.Err(); err != nil {
		return nil, "", err
	}
	next := ""
	if more && len(out) > 0 {
		last := out[len(out)-1]
		next = last.Date.String() + "." + strconv.FormatInt(last.TxID, 10)
	}
	return out, next, nil
}

func (tx *Tx) ownerLedgerIDs(ctx context.Context, q string, args ...any) ([]int64, error) {
	rows, err := tx.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, mapErr(err)
	}
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}

// ownerCursor parses "YYYY-MM-DD.id"; anything else means the first page.
func ownerCursor(c string) (day string, id int64, ok bool) {
	d, i, found := strings.Cut(c, ".")
	if !found {
		return "", 0, false
	}
	if _, err := lintel.ParseDate(d); err != nil {
		return "", 0, false
	}
	n, err := strconv.ParseInt(i, 10, 64)
	if err != nil || n <= 0 {
		return "", 0, false
	}
	return d, n, true
}

// OwnerBillableRequest is a completed maintenance request on one of an
// owner's assets, which may be billed to them as an expense.
type OwnerBillableRequest struct {
	ID                 int64
	Summary            string
	Status             lintel.RequestStatus
	Place              string // "Harbour House · Apt 1"
	PropertyID, UnitID int64  // the owner's asset the expense lands on
	ShareBP            int    // the owner's share of that asset
	Invoice            int64  // the invoice total of its visits, tax included; 0 when none stored
	Billed             int64  // already billed to this owner (not reversed)
}

// Share is the owner's share of the asset as a percentage, "60%".
func (b OwnerBillableRequest) Share() string { return lintel.FormatShare(b.ShareBP) + "%" }

// OwnerShareOfInvoice is the owner's part of the invoice by their share,
// split so the owners' parts add up to the invoice exactly.
func (b OwnerBillableRequest) OwnerShareOfInvoice() int64 {
	if b.ShareBP <= 0 || b.ShareBP >= 10000 {
		return b.Invoice
	}
	return lintel.SplitByShares(b.Invoice, []int{b.ShareBP, 10000 - b.ShareBP})[0]
}

// ownerBillableLimit bounds the requests offered: the newest ones.
const ownerBillableLimit = 50

// OwnerBillableRequests lists the completed or closed requests on an
// owner's assets (newest first), each on the owner's asset it falls on:
// the unit they own, else the whole property.
//
// It reads the owner's ownerships first, then the newest requests of each
// property they own in (through requests' (property_id, id) index, so a
// page stops after ownerBillableLimit of them however many years of
// requests lie behind), and only then the invoice and billed totals of the
// requests listed.
func (db *DB) OwnerBillableRequests(ctx context.Context, s lintel.Staff, contactID int64) ([]OwnerBillableRequest, error) {
	if err := s.Require(lintel.PermViewRecords); err != nil {
		return nil, err
	}
	var out []OwnerBillableRequest
	err := db.view(ctx, func(tx *Tx) error {
		type owned struct {
			whole      bool
			wholeShare int
			units      map[int64]int // unit → share
		}
		byProperty := map[int64]*owned{}
		var properties []int64
		rows, err := tx.QueryContext(ctx, `SELECT property_id, COALESCE(unit_id, 0), share_bp FROM ownerships
			WHERE company_id = $1 AND contact_id = $2 AND archived_at IS NULL ORDER BY property_id, id`, s.CompanyID, contactID)
		if err != nil {
			return mapErr(err)
		}
		for rows.Next() {
			var prop, unit int64
			var share int
			if err := rows.Scan(&prop, &unit, &share); err != nil {
				rows.Close()
				return err
			}
			o := byProperty[prop]
			if o == nil {
				o = &owned{units: map[int64]int{}}
				byProperty[prop] = o
				properties = append(properties, prop)
			}
			switch {
			case unit == 0 && !o.whole:
				o.whole, o.wholeShare = true, share
			case unit != 0:
				if _, ok := o.units[unit]; !ok {
					o.units[unit] = share
				}
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		for _, prop := range properties {
			o := byProperty[prop]
			args := sqlArgs{s.CompanyID, prop}
			q := `SELECT id, summary, status, COALESCE(unit_id, 0) FROM requests
				WHERE company_id = $1 AND property_id = $2 AND status IN ('completed', 'closed')`
			if !o.whole {
				in := make([]string, 0, len(o.units))
				for u := range o.units {
					in = append(in, args.add(u))
				}
				q += ` AND unit_id IN (` + strings.Join(in, ", ") + `)`
			}
			q += ` ORDER BY id DESC LIMIT ` + args.add(ownerBillableLimit)
			rows, err := tx.QueryContext(ctx, q, args...)
			if err != nil {
				return mapErr(err)
			}
			for rows.Next() {
				b := OwnerBillableRequest{PropertyID: prop}
				var unit int64
				if err := rows.Scan(&b.ID, &b.Summary, &b.Status, &unit); err != nil {
					rows.Close()
					return err
				}
				if share, ok := o.units[unit]; ok && unit != 0 {
					b.UnitID, b.ShareBP = unit, share
				} else {
					b.ShareBP = o.wholeShare
				}
				out = append(out, b)
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return err
			}
		}
		slices.SortFunc(out, func(a, b OwnerBillableRequest) int { return cmp.Compare(b.ID, a.ID) })
		out = out[:min(len(out), ownerBillableLimit)]
		if len(out) == 0 {
			return nil
		}
		args := sqlArgs{s.CompanyID, contactID}
		in := make([]string, len(out))
		at := make(map[int64]int, len(out))
		for i, b := range out {
			in[i] = args.add(b.ID)
			at[b.ID] = i
		}
		rows, err = tx.QueryContext(ctx, `SELECT r.id, pr.name, COALESCE(un.label, ''),
				COALESCE((SELECT SUM(v.invoice_amount_minor) FROM visits v WHERE v.request_id = r.id AND v.company_id = r.company_id), 0),
				COALESCE((SELECT SUM(t.amount_minor) FROM ledger_transactions t WHERE t.company_id = r.company_id AND t.kind = 'owner_expense'
					AND t.request_id = r.id AND t.contact_id = $2
					AND NOT EXISTS (SELECT 1 FROM ledger_transactions x WHERE x.reverses_id = t.id)), 0)
			FROM requests r
			JOIN properties pr ON pr.id = r.property_id AND pr.company_id = r.company_id
			LEFT JOIN units un ON un.id = r.unit_id AND un.company_id = r.company_id
			WHERE r.company_id = $1 AND r.id IN (`+strings.Join(in, ", ")+`)`, args...)
		if err != nil {
			return mapErr(err)
		}
		defer rows.Close()
		for rows.Next() {
			var id int64
			var place, unit string
			var invoice, billed int64
			if err := rows.Scan(&id, &place, &unit, &invoice, &billed); err != nil {
				return err
			}
			if unit != "" {
				place += " · " + unit
			}
			b := &out[at[id]]
			b.Place, b.Invoice, b.Billed = place, invoice, billed
		}
		return rows.Err()
	})
	return out, err
}

// OwnerEntryReceipt is the receipt number of an owner entry of the staff
// member's company (contributions have one; 0 otherwise).
func (db *DB) OwnerEntryReceipt(ctx context.Context, s lintel.Staff, txID int64) (int64, error) {
	if err := s.Require(lintel.PermViewRecords); err != nil {
		return 0, err
	}
	var n int64
	err := db.view(ctx, func(tx *Tx) error {
		return tx.get(ctx, `SELECT COALESCE(receipt_number, 0) FROM ledger_transactions WHERE id = $1 AND company_id = $2`,
			[]any{txID, s.CompanyID}, &n)
	})
	return n, err
}
