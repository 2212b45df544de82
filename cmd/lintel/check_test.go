package main

import (
	"bytes"
	"database/sql"
	"strings"
	"testing"

	"lintel.dev/lintel/internal/lintel"
	"lintel.dev/lintel/internal/testkit"
)

// `lintel check` passes on sound books and names a corrupted cached
// balance, failing so a script notices.
func TestCheckLedger(t *testing.T) {
	for _, e := range engines {
		t.Run(e.name, func(t *testing.T) {
			dbURL := e.url(t)
			db := openDB(t, dbURL)
			w := testkit.NewWorld(t, db)
			admin := w.A.Staff[testkit.Admin]
			due, _ := lintel.ParseDate("2025-01-01")
			if _, err := db.PostCharge(t.Context(), admin, lintel.NewCharge{LeaseID: w.A.Lease, Category: lintel.ChargeRent, Description: "Rent",
				Amount: 120000, Due: due, IdempotencyKey: "check-rent"}); err != nil {
				t.Fatal(err)
			}
			if _, err := db.PostPayment(t.Context(), admin, lintel.NewPayment{LeaseID: w.A.Lease, Amount: 100000, Received: due,
				Method: lintel.PayCheck, IdempotencyKey: "check-pay"}); err != nil {
				t.Fatal(err)
			}
			check := func() (string, error) {
				var stdout, stderr bytes.Buffer
				err := run(t.Context(), []string{"check", "--database-url", dbURL}, envOf(nil), &stdout, &stderr)
				return stdout.String(), err
			}
			out, err := check()
			if err != nil || out != "ledger: OK (2 transactions)\n" {
				t.Fatalf("clean ledger: %q, %v", out, err)
			}

			// balance_minor is a cache (not append-only): corrupt it behind
			// the store's back.
			driver := "sqlite"
			if e.name == "postgres" {
				driver = "pgx"
			}
			raw, err := sql.Open(driver, dbURL)
			if err != nil {
				t.Fatal(err)
			}
			defer raw.Close()
			if _, err := raw.ExecContext(t.Context(), `UPDATE ledger_accounts SET balance_minor = balance_minor + 5 WHERE kind = 'receivable'`); err != nil {
				t.Fatal(err)
			}
			out, err = check()
			if err == nil || !strings.Contains(out, "cached balance 20005 but its postings sum to 20000") || strings.Contains(out, "OK") {
				t.Fatalf("corrupted ledger: %q, %v", out, err)
			}
		})
	}
}
