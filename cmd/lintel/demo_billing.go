package main

import (
	"context"
	"fmt"

	"lintel.dev/lintel/internal/billing"
	"lintel.dev/lintel/internal/lintel"
	"lintel.dev/lintel/internal/sqldb"
)

// demoManagementFeeBP is the demo building's management fee: 8% of the
// rent its owners receive.
const demoManagementFeeBP = 800

// seedDemoBilling posts a year of billing in each demo company through the
// ledger's own methods, as its manager: the monthly rent of every lease
// over the last twelve months (the recurring-rent job's charges, under its
// keys, so the job finds those months done), a payment for each, one of
// them late and last month's only in part; a management fee on the
// building (so its owners' income shows the fee) and a plumbing bill
// charged to the building's owner. The idempotency keys are fixed, and a
// company with anything posted already is left alone, so running the demo
// again adds nothing.
func seedDemoBilling(ctx context.Context, db *sqldb.DB) error {
	today := lintel.DateOf(db.Now())
	for _, dc := range demoCompanies {
		id, _, err := db.DemoCompany(ctx, dc.name)
		if err != nil {
			return err
		}
		p, err := db.DemoBillingPlaces(ctx, id, dc.building, dc.owner.email, dc.tenant.email)
		if err != nil {
			return fmt.Errorf("%s: find the leases to bill: %w", dc.name, err)
		}
		if p.HasLedger {
			continue
		}
		if err := demoBill(ctx, db, p, today); err != nil {
			return fmt.Errorf("%s: %w", dc.name, err)
		}
	}
	return nil
}

func demoBill(ctx context.Context, db *sqldb.DB, p sqldb.DemoBillingPlaces, today lintel.Date) error {
	s := p.Admin
	prop, err := db.Property(ctx, s, p.Building)
	if err != nil {
		return err
	}
	prop.ManagementFeeBP = demoManagementFeeBP
	if err := db.UpdateProperty(ctx, s, prop); err != nil {
		return fmt.Errorf("set the management fee: %w", err)
	}

	current := billing.PeriodOf(today)
	first := billing.PeriodOf(lintel.DateOf(firstOfMonth(today).Time().AddDate(0, -11, 0)))
	late, partial := billing.PeriodOf(lintel.DateOf(firstOfMonth(today).Time().AddDate(0, -3, 0))), billing.PeriodOf(lintel.DateOf(firstOfMonth(today).Time().AddDate(0, -1, 0)))
	for _, l := range p.Leases {
		for per := first; !current.Before(per); per = per.Next() {
			c, ok := billing.RentCharge(l, per)
			if !ok {
				continue
			}
			if _, err := db.PostCharge(ctx, s, c); err != nil {
				return fmt.Errorf("rent of lease %d for %s: %w", l.ID, per, err)
			}
			// Tenants pay two days after the due date; the demo tenants
			// paid one month a fortnight late, and last month only in part.
			received, amount, ref := c.Due.AddDays(2), c.Amount, "Transfer "+per.String()
			if l.ID == p.TenantLease {
				switch per {
				case late:
					received, ref = c.Due.AddDays(16), "Late transfer "+per.String()
				case partial:
					amount, ref = min(c.Amount, 100000), "Part payment "+per.String()
				}
			}
			if today.Before(received) || per == current && l.ID == p.TenantLease {
				continue // not paid yet
			}
			_, err := db.PostPayment(ctx, s, lintel.NewPayment{LeaseID: l.ID, Amount: amount, Received: received, Method: lintel.PayBankTransfer,
				Reference: ref, IdempotencyKey: fmt.Sprintf("demo:pay:%d:%s", l.ID, per)})
			if err != nil {
				return fmt.Errorf("payment on lease %d for %s: %w", l.ID, per, err)
			}
		}
	}

	// A plumbing bill on the building, billed to its owner from the
	// completed repair's invoice.
	bill := lintel.NewOwnerEntry{Kind: lintel.OwnerExpense, ContactID: p.Owner, PropertyID: p.Building, Amount: 42500,
		Date: today.AddDays(-20), Description: "Plumbing repair: replaced the laundry room's supply valve", RequestID: p.Request,
		IdempotencyKey: "demo:maintenance-bill"}
	if _, err := db.PostOwnerEntry(ctx, s, bill); err != nil && p.Request != 0 {
		// The request's own billing rules may refuse it (already billed):
		// the bill stands without the link.
		bill.RequestID = 0
		_, err = db.PostOwnerEntry(ctx, s, bill)
		if err != nil {
			return fmt.Errorf("maintenance bill: %w", err)
		}
	} else if err != nil {
		return fmt.Errorf("maintenance bill: %w", err)
	}
	return nil
}
