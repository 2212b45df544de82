package sqldb

import (
	"context"
	"fmt"
	"strings"
	"time"

	"lintel.dev/lintel/internal/lintel"
)

// WorkerHistory sizes SeedWorkerHistoryForTest.
type WorkerHistory struct {
	Leases int // leases on the unit, each with a late fee of 50.00 after 5 grace days
	// Months of rent on each lease, due on the 1st, ending with the month
	// of Through; each paid in full two days later, its receipt mailed
	// (a sent outbox message) by a done job.
	Months  int
	Through lintel.Date
	// Approvals decided, and as many still pending that had all their
	// reminders: none due a reminder.
	Approvals int
	// Owners of the property, each with an address, an owner account and
	// the statement of every month before Through's sent; each payment
	// posts to the account of one of them in turn.
	Owners int
}

// SeedWorkerHistoryForTest writes h's history into company companyID (on
// propertyID's unit unitID) straight into the tables, in multi-row
// INSERTs in one transaction: the tests and benchmarks of the background
// jobs measure a pass over a large history, and posting it through the
// store one row at a time would take longer than the rest. Only the
// owners' postings are written, and no balances: the jobs read no others.
func (db *DB) SeedWorkerHistoryForTest(ctx context.Context, companyID, propertyID, unitID int64, h WorkerHistory) error {
	err := db.update(ctx, func(tx *Tx) error {
		next := map[string]int64{}
		for _, t := range []string{"leases", "ledger_transactions", "ledger_allocations", "outbox", "jobs", "requests", "approvals",
			"contacts", "contact_emails", "ledger_accounts", "ledger_postings"} {
			var n int64
			if err := tx.get(ctx, `SELECT COALESCE(MAX(id), 0) FROM `+t, nil, &n); err != nil {
				return err
			}
			next[t] = n
		}
		id := func(t string) int64 { next[t]++; return next[t] }
		// Tables in the order their rows refer to each other: a full batch
		// of one flushes them all, in this order.
		var order []*seedRows
		flushAll := func(ctx context.Context) error {
			for _, r := range order {
				if err := r.flush(ctx); err != nil {
					return fmt.Errorf("seed %s: %w", r.head, err)
				}
			}
			return nil
		}
		table := func(name, cols string) *seedRows {
			r := &seedRows{tx: tx, head: `INSERT INTO ` + name + ` (` + cols + `) VALUES `, cols: strings.Count(cols, ",") + 1, full: flushAll}
			order = append(order, r)
			return r
		}
		leases := table("leases", "id, company_id, unit_id, start_date, month_to_month, rent_minor, rent_due_day, created_at, updated_at, late_fee_minor, late_fee_grace_days")
		txs := table("ledger_transactions", "id, company_id, kind, category, lease_id, property_id, unit_id, description, effective_date, amount_minor, period, idempotency_key, created_by, created_at")
		allocs := table("ledger_allocations", "id, company_id, source_id, charge_id, amount_minor, created_at")
		outbox := table("outbox", "id, company_id, dedupe_key, kind, to_email, subject, text_body, status, attempts, next_attempt_at, created_at, sent_at")
		jobs := table("jobs", "id, kind, payload, run_at, attempts, done_at, created_at")
		requests := table("requests", "id, company_id, property_id, unit_id, summary, status, created_at, updated_at")
		approvals := table("approvals", "id, company_id, request_id, estimate_minor, status, decided_at, reminder_count, last_reminder_at, created_at")
		contacts := table("contacts", "id, company_id, name, is_owner, created_at, updated_at")
		emails := table("contact_emails", "id, company_id, contact_id, email")
		accounts := table("ledger_accounts", "id, company_id, kind, contact_id, property_id, created_at")
		postings := table("ledger_postings", "id, company_id, transaction_id, account_id, amount_minor")
		first := lintel.DateOf(h.Through.Time().AddDate(0, 1-h.Months, 0))
		first.Day = 1
		when := func(d lintel.Date, hour int) string { return ts(d.Time().Add(time.Duration(hour) * time.Hour)) }
		var owners, ownerAccounts []int64
		for i := range h.Owners {
			owner, account := id("contacts"), id("ledger_accounts")
			owners, ownerAccounts = append(owners, owner), append(ownerAccounts, account)
			if err := contacts.add(ctx, owner, companyID, fmt.Sprintf("Owner %d", i), true, when(first, 0), when(first, 0)); err != nil {
				return err
			}
			if err := emails.add(ctx, id("contact_emails"), companyID, owner, fmt.Sprintf("owner%d@seed.test", owner)); err != nil {
				return err
			}
			if err := accounts.add(ctx, account, companyID, "owner", owner, propertyID, when(first, 0)); err != nil {
				return err
			}
		}
		for i := range h.Leases {
			lease := id("leases")
			if err := leases.add(ctx, lease, companyID, unitID, first, true, 100000, 1, when(first, 0), when(first, 0), 5000, 5); err != nil {
				return err
			}
			for m := range h.Months {
				due := lintel.DateOf(first.Time().AddDate(0, m, 0))
				period := due.String()[:7]
				charge, pay := id("ledger_transactions"), id("ledger_transactions")
				paid := due.AddDays(2)
				if err := txs.add(ctx, charge, companyID, "charge", "rent", lease, propertyID, unitID, "Rent for "+period, due, 100000, period,
					fmt.Sprintf("rent:%d:%s", lease, period), "Lintel", when(due, 6)); err != nil {
					return err
				}
				if err := txs.add(ctx, pay, companyID, "payment", "", lease, propertyID, unitID, "Payment received, thank you", paid, 100000, nil,
					fmt.Sprintf("seed-pay:%d", pay), "Seed", when(paid, 10)); err != nil {
					return err
				}
				if err := allocs.add(ctx, id("ledger_allocations"), companyID, pay, charge, 100000, when(paid, 10)); err != nil {
					return err
				}
				if err := outbox.add(ctx, id("outbox"), companyID, fmt.Sprintf("payment_receipt:%d:tenant%d@seed.test", pay, lease), "payment_receipt",
					fmt.Sprintf("tenant%d@seed.test", lease), "Receipt", "Thank you", "sent", 1, when(paid, 11), when(paid, 11), when(paid, 11)); err != nil {
					return err
				}
				if err := jobs.add(ctx, id("jobs"), JobPaymentReceipt, fmt.Sprintf(`{"company_id":%d,"payment_id":%d}`, companyID, pay),
					when(paid, 10), 1, when(paid, 11), when(paid, 10)); err != nil {
					return err
				}
				if len(owners) > 0 {
					if err := postings.add(ctx, id("ledger_postings"), companyID, pay, ownerAccounts[i%len(owners)], -90000); err != nil {
						return err
					}
				}
			}
		}
		for m := range h.Months - 1 {
			month := lintel.DateOf(first.Time().AddDate(0, m, 0))
			sent := lintel.DateOf(month.Time().AddDate(0, 1, 0))
			for _, owner := range owners {
				to := fmt.Sprintf("owner%d@seed.test", owner)
				if err := outbox.add(ctx, id("outbox"), companyID, fmt.Sprintf("statement:%d:%s", owner, month.String()[:7]), "owner_statement",
					to, "Statement", "Your statement", "sent", 1, when(sent, 7), when(sent, 7), when(sent, 7)); err != nil {
					return err
				}
			}
		}
		old := when(first, 0)
		for i := range 2 * h.Approvals {
			req := id("requests")
			status, astatus, decided, reminders, reminded := "approved", "approved", any(old), 0, any(nil)
			if i%2 == 1 {
				status, astatus, decided, reminders, reminded = "awaiting_approval", "pending", nil, ApprovalMaxReminders, old
			}
			if err := requests.add(ctx, req, companyID, propertyID, unitID, "Seeded request", status, old, old); err != nil {
				return err
			}
			if err := approvals.add(ctx, id("approvals"), companyID, req, 90000, astatus, decided, reminders, reminded, old); err != nil {
				return err
			}
		}
		if err := flushAll(ctx); err != nil {
			return err
		}
		for t := range next {
			if db.dialect == Postgres {
				if _, err := tx.ExecContext(ctx, `SELECT setval(pg_get_serial_sequence('`+t+`', 'id'), (SELECT MAX(id) FROM `+t+`))`); err != nil {
					return err
				}
			}
		}
		return nil
	})
	return err
}

// seedRows gathers the rows of one table into multi-row INSERTs.
type seedRows struct {
	tx   *Tx
	head string
	cols int
	sb   strings.Builder
	args []any
	full func(context.Context) error // flushes every table, in order
}

func (r *seedRows) add(ctx context.Context, vals ...any) error {
	if len(vals) != r.cols {
		return fmt.Errorf("seed: %d values for %d columns in %s", len(vals), r.cols, r.head)
	}
	if len(r.args) > 0 {
		r.sb.WriteString(", ")
	}
	r.sb.WriteString("(")
	for i, v := range vals {
		r.args = append(r.args, v)
		if i > 0 {
			r.sb.WriteString(", ")
		}
		fmt.Fprintf(&r.sb, "$%d", len(r.args))
	}
	r.sb.WriteString(")")
	if len(r.args) > 500-r.cols {
		return r.full(ctx)
	}
	return nil
}

func (r *seedRows) flush(ctx context.Context) error {
	if len(r.args) == 0 {
		return nil
	}
	_, err := r.tx.exec(ctx, r.head+r.sb.String(), r.args...)
	r.sb.Reset()
	r.args = r.args[:0]
	return err
}

// AnalyzeForWorkersTest refreshes the planner's statistics.
func (db *DB) AnalyzeForWorkersTest(ctx context.Context) error {
	_, err := db.write.ExecContext(ctx, "ANALYZE")
	return err
}

// WorkerQueryPlansForTest answers SQLite's plan for each query a
// background job's idle pass runs, by name, with the arguments it would
// run with at now.
func (db *DB) WorkerQueryPlansForTest(ctx context.Context, now time.Time) (map[string]string, error) {
	if db.dialect != SQLite {
		return nil, fmt.Errorf("query plans are read on SQLite")
	}
	today := lintel.DateOf(now)
	qs := map[string][]any{
		"outbox due":    {dueSQL, ts(now)},
		"outbox claim":  {claimSQL, ts(now.Add(time.Minute)), ts(now), 20},
		"job claim":     {claimJobSQL(2), ts(now), ts(now.Add(time.Minute)), "signup_check", "reset_check"},
		"reminder":      {reminderClaim, ts(now), ts(now.Add(-ApprovalFirstReminder)), ts(now.Add(-ApprovalReminderEvery)), ts(now.Add(-ApprovalFirstReminder))},
		"rent leases":   {rentLeasesSQL, 0, today, today.AddDays(-365), 500},
		"late rent":     {lateRentSQL, today.AddDays(-91), today},
		"receipt check": {receiptQueuedSQL(2), "payment_receipt:1:a@b", "payment_receipt:1:c@d"},
		"receipt to":    {receiptRecipientsSQL, 1, 1},
		"owners due":    {ownersDueSQL, 0, "2026-01-31", "2026-01", 200},
		"statement to":  {statementAddressSQL, 1, 1},
	}
	out := map[string]string{}
	err := db.view(ctx, func(tx *Tx) error {
		for name, q := range qs {
			rows, err := tx.QueryContext(ctx, "EXPLAIN QUERY PLAN "+q[0].(string), q[1:]...)
			if err != nil {
				return fmt.Errorf("%s: %w", name, err)
			}
			var plan []string
			for rows.Next() {
				var id, parent, unused int
				var detail string
				if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
					rows.Close()
					return err
				}
				plan = append(plan, detail)
			}
			rows.Close()
			out[name] = strings.Join(plan, "\n")
		}
		return nil
	})
	return out, err
}
