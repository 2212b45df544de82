package sqldb_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"lintel.dev/lintel/internal/lintel"
	"lintel.dev/lintel/internal/sqldb"
	"lintel.dev/lintel/internal/testkit"
)

// BenchmarkLedgerHistory reads a lease's and an owner's pages, and posts,
// on a lease with 100 and 1,000 months of rent charged and paid: each
// must cost the same whatever the history behind it, so ns/op stays flat
// from one size to the next.
//
//	go test ./internal/sqldb -run '^$' -bench LedgerHistory
func BenchmarkLedgerHistory(b *testing.B) {
	for _, months := range []int{100, 1000} {
		b.Run(fmt.Sprintf("months=%d", months), func(b *testing.B) {
			ctx := context.Background()
			db := testkit.SQLite(b)
			f := newLedgerFixture(b, db, "History")
			start := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC).AddDate(0, -months, 0)
			for i := range months {
				due := lintel.DateOf(start.AddDate(0, i, 0))
				if _, err := db.PostCharge(ctx, f.s, lintel.NewCharge{LeaseID: f.lease, Category: lintel.ChargeRent, Description: "Rent",
					Amount: 100000, Due: due, IdempotencyKey: newKey()}); err != nil {
					b.Fatal(err)
				}
				if _, err := db.PostPayment(ctx, f.s, lintel.NewPayment{LeaseID: f.lease, Amount: 100000, Received: due.AddDays(3),
					Method: lintel.PayBankTransfer, IdempotencyKey: newKey()}); err != nil {
					b.Fatal(err)
				}
			}
			// One month left open, so the poster and the pages have an
			// open charge to find among the paid ones.
			last := lintel.DateOf(start.AddDate(0, months, 0))
			if _, err := db.PostCharge(ctx, f.s, lintel.NewCharge{LeaseID: f.lease, Category: lintel.ChargeRent, Description: "Rent",
				Amount: 100000, Due: last, IdempotencyKey: newKey()}); err != nil {
				b.Fatal(err)
			}
			run := func(name string, fn func() error) {
				b.Run(name, func(b *testing.B) {
					for b.Loop() {
						if err := fn(); err != nil {
							b.Fatal(err)
						}
					}
				})
			}
			run("lease-ledger", func() error { _, err := db.LeaseLedger(ctx, f.s, f.lease, "", 50); return err })
			run("owner-account", func() error { _, err := db.OwnerAccount(ctx, f.s, f.ann, "", 50); return err })
			run("receivables", func() error { _, err := db.Receivables(ctx, f.s, sqldb.ReceivablesFilter{}); return err })
			// A part payment: settles against the open charge and moves the
			// owners' shares, leaving the charge open for the next round.
			run("post-payment", func() error {
				_, err := db.PostPayment(ctx, f.s, lintel.NewPayment{LeaseID: f.lease, Amount: 1, Received: last,
					Method: lintel.PayBankTransfer, IdempotencyKey: newKey()})
				return err
			})
		})
	}
}
