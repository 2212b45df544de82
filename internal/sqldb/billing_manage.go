package sqldb

import (
	"context"
	"fmt"

	"lintel.dev/lintel/internal/lintel"
)

// Reads behind the manager's lease ledger forms: the
// charges a payment may be applied to, the maintenance that may be billed,
// and which lease a transaction belongs to. The posting itself is the
// ledger core's (ledger.go).

// OpenCharge is a charge of a lease with something left to pay.
type OpenCharge struct {
	ID          int64
	Description string
	Due         lintel.Date
	Open        int64
}

// OpenCharges lists a lease's open charges, oldest due first, as a
// payment would pay them.
func (db *DB) OpenCharges(ctx context.Context, s lintel.Staff, leaseID int64) ([]OpenCharge, error) {
	var out []OpenCharge
	err := db.view(ctx, func(tx *Tx) error {
		// ledger_open holds what is still open of each charge, kept with
		// every posting; its index holds only open ones, so this reads the
		// few open charges, not the lease's history.
		rows, err := tx.QueryContext(ctx, `SELECT t.id, t.description, o.effective_date, CAST(o.open_minor AS BIGINT)
			FROM ledger_open o JOIN ledger_transactions t ON t.id = o.transaction_id
			WHERE o.company_id = $1 AND o.lease_id = $2 AND o.kind = 'charge' AND o.open_minor > 0
			ORDER BY o.effective_date, o.transaction_id`, s.CompanyID, leaseID)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var c OpenCharge
			if err := rows.Scan(&c.ID, &c.Description, &c.Due, &c.Open); err != nil {
				return err
			}
			if c.Open > 0 {
				out = append(out, c)
			}
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("open charges: %w", err)
	}
	return out, nil
}

// BillableRequest is a completed maintenance request on a lease's unit
// whose operator sent an invoice: what a manager may bill the tenants.
type BillableRequest struct {
	ID       int64
	Summary  string
	Status   lintel.RequestStatus
	Invoices string // invoice numbers, comma-separated
	Amount   int64  // the invoices' total (tax included), 0 when none had an amount
	Billed   bool   // already charged to this lease (and not reversed)
}

// BillableRequests lists the completed or closed requests on the lease's
// unit that have an invoice, newest first.
func (db *DB) BillableRequests(ctx context.Context, s lintel.Staff, leaseID int64) ([]BillableRequest, error) {
	var out []BillableRequest
	err := db.view(ctx, func(tx *Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT r.id, r.summary, r.status,
				COALESCE((SELECT string_agg(v.invoice_number, ', ' ORDER BY v.id) FROM visits v
					WHERE v.request_id = r.id AND v.company_id = r.company_id AND v.invoice_number <> ''), ''),
				CAST(COALESCE((SELECT SUM(v.invoice_amount_minor) FROM visits v
					WHERE v.request_id = r.id AND v.company_id = r.company_id AND v.invoice_amount_minor IS NOT NULL), 0) AS BIGINT),
				EXISTS (SELECT 1 FROM ledger_transactions t LEFT JOIN ledger_transactions rv ON rv.reverses_id = t.id
					WHERE t.company_id = r.company_id AND t.request_id = r.id AND t.lease_id = l.id AND t.kind = 'charge' AND rv.id IS NULL)
			FROM leases l JOIN requests r ON r.unit_id = l.unit_id AND r.company_id = l.company_id
			WHERE l.company_id = $1 AND l.id = $2 AND r.status IN ('completed', 'closed')
				AND EXISTS (SELECT 1 FROM visits v WHERE v.request_id = r.id AND v.company_id = r.company_id
					AND (v.invoice_amount_minor IS NOT NULL OR v.invoice_file_id IS NOT NULL OR v.invoice_number <> ''))
			ORDER BY r.id DESC LIMIT 50`, s.CompanyID, leaseID)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var b BillableRequest
			if err := rows.Scan(&b.ID, &b.Summary, &b.Status, &b.Invoices, &b.Amount, &b.Billed); err != nil {
				return err
			}
			out = append(out, b)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("billable maintenance: %w", err)
	}
	return out, nil
}

// LedgerTransactionLease returns the lease a transaction of the staff
// member's company is on (0 for an owner entry), or ErrNotFound.
func (db *DB) LedgerTransactionLease(ctx context.Context, s lintel.Staff, txID int64) (int64, error) {
	var lease int64
	err := db.view(ctx, func(tx *Tx) error {
		return tx.get(ctx, `SELECT COALESCE(lease_id, 0) FROM ledger_transactions WHERE id = $1 AND company_id = $2`,
			[]any{txID, s.CompanyID}, &lease)
	})
	if err != nil && !lintel.IsNotFound(err) {
		return 0, fmt.Errorf("ledger transaction: %w", err)
	}
	return lease, err
}

// LastRentPeriod returns the latest month ("2026-03") a rent charge of the
// lease is for, by hand or by the recurring-rent job; "" when none.
func (db *DB) LastRentPeriod(ctx context.Context, s lintel.Staff, leaseID int64) (string, error) {
	var period string
	err := db.view(ctx, func(tx *Tx) error {
		return tx.get(ctx, `SELECT COALESCE(MAX(period), '') FROM ledger_transactions WHERE company_id = $1 AND lease_id = $2 AND period IS NOT NULL`,
			[]any{s.CompanyID, leaseID}, &period)
	})
	if err != nil {
		return "", fmt.Errorf("last rent period: %w", err)
	}
	return period, nil
}
