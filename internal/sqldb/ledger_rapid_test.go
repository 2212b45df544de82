package sqldb_test

import (
	"context"
	"flag"
	"fmt"
	"strconv"
	"sync/atomic"
	"testing"

	"pgregory.net/rapid"

	"lintel.dev/lintel/internal/lintel"
	"lintel.dev/lintel/internal/sqldb"
	"lintel.dev/lintel/internal/testkit"
)

// setRapidChecks sets -rapid.checks to n until t and its subtests end,
// unless the command line set it: the property test must stay quick in the
// normal suite, and a person hunting a bug can still ask for more (per
// batch). Only this file uses rapid in the package, and the value is set
// before any batch starts and restored after all have ended.
func setRapidChecks(t *testing.T, n int) {
	set := false
	flag.Visit(func(f *flag.Flag) { set = set || f.Name == "rapid.checks" })
	f := flag.Lookup("rapid.checks")
	if set || f == nil {
		return
	}
	old := f.Value.String()
	_ = f.Value.Set(strconv.Itoa(n))
	t.Cleanup(func() { _ = f.Value.Set(old) })
}

// modelTx is what the model knows of one posted transaction.
type modelTx struct {
	id       int64
	kind     string
	lease    int64
	amount   int64
	reversed bool
	reversal bool
}

var rapidCompanies atomic.Int64

// TestLedgerProperties drives random charges, partial, full and over
// payments, credits, reversals and owner entries through the store and
// checks the ledger's invariants after every step. Each check has a
// database of its own (a copy of the migrated one, so cheap): the
// invariants include CheckLedger over the whole database, which in one
// shared database grew with every check before it.
// The checks run in parallel batches of ledgerBatch: the property test is
// the longest in the package, and one long run would finish last and alone
// on one core. 8 batches on SQLite (40 checks), 3 on PostgreSQL (15); each
// check has a database of its own.
const ledgerBatch = 5

func TestLedgerProperties(t *testing.T) {
	t.Parallel()
	setRapidChecks(t, ledgerBatch)
	for _, engine := range []struct {
		name    string
		open    func(testing.TB, ...sqldb.Options) *sqldb.DB
		batches int
	}{
		{"sqlite", testkit.SQLite, 8},
		{"postgres", testkit.Postgres, 3},
	} {
		t.Run(engine.name, func(t *testing.T) {
			for b := range engine.batches {
				t.Run(fmt.Sprintf("batch%d", b+1), func(t *testing.T) {
					t.Parallel()
					rapid.Check(t, func(rt *rapid.T) {
						db := engine.open(t)
						defer db.Close()
						ledgerMachine(t, rt, db)
					})
				})
			}
		})
	}
}

func ledgerMachine(outer *testing.T, t *rapid.T, db *sqldb.DB) {
	ctx := context.Background()
	f := newLedgerFixture(outer, db, fmt.Sprintf("Rapid%d", rapidCompanies.Add(1)))
	leases := []int64{f.lease, f.lease2}
	owners := []struct{ contact, unit int64 }{{f.ann, 0}, {f.bob, 0}, {f.carl, f.flat2}}
	var txs []*modelTx
	lastKey, lastID := "", int64(0)
	before := map[string]string{}
	base, _ := lintel.ParseDate("2025-01-01")
	day := func(t *rapid.T, label string) lintel.Date { return base.AddDays(rapid.IntRange(0, 540).Draw(t, label)) }
	amount := func(t *rapid.T, label string) int64 { return rapid.Int64Range(1, 300000).Draw(t, label) }
	leaseOf := func(t *rapid.T) int64 { return rapid.SampledFrom(leases).Draw(t, "lease") }
	remember := func(id int64, kind string, lease, amt int64, key string) {
		txs = append(txs, &modelTx{id: id, kind: kind, lease: lease, amount: amt})
		lastKey, lastID = key, id
	}
	balance := func(lease int64) int64 {
		var b int64
		for _, x := range txs {
			if x.lease != lease || x.reversed || x.reversal {
				continue
			}
			switch x.kind {
			case "charge":
				b += x.amount
			case "payment", "credit":
				b -= x.amount
			}
		}
		return b
	}
	// openCharge picks one of the lease's open charges, if any.
	openCharge := func(t *rapid.T, lease int64) int64 {
		acc, err := db.LeaseLedger(ctx, f.s, lease, "", 500)
		if err != nil {
			t.Fatalf("ledger: %v", err)
		}
		var open []int64
		for _, l := range acc.Lines {
			if l.Open > 0 {
				open = append(open, l.ID)
			}
		}
		if len(open) == 0 || !rapid.Bool().Draw(t, "apply to a chosen charge") {
			return 0
		}
		return rapid.SampledFrom(open).Draw(t, "apply to")
	}

	t.Repeat(map[string]func(*rapid.T){
		"charge": func(t *rapid.T) {
			c := lintel.NewCharge{LeaseID: leaseOf(t), Category: rapid.SampledFrom([]lintel.ChargeCategory{lintel.ChargeRent, lintel.ChargeRent, lintel.ChargeFee,
				lintel.ChargeDeposit, lintel.ChargeUtility}).Draw(t, "category"), Description: "Charge", Amount: amount(t, "amount"),
				Due: day(t, "due"), IdempotencyKey: newKey()}
			id, err := db.PostCharge(ctx, f.s, c)
			if err != nil {
				t.Fatalf("charge: %v", err)
			}
			remember(id, "charge", c.LeaseID, c.Amount, c.IdempotencyKey)
		},
		"payment": func(t *rapid.T) {
			lease := leaseOf(t)
			owed := balance(lease)
			var amt int64
			switch how := rapid.SampledFrom([]string{"partial", "full", "over", "any"}).Draw(t, "how"); {
			case how == "partial" && owed > 1:
				amt = rapid.Int64Range(1, owed-1).Draw(t, "amount")
			case how == "full" && owed > 0:
				amt = owed
			case how == "over":
				amt = max(owed, 0) + rapid.Int64Range(1, 100000).Draw(t, "extra")
			default:
				amt = amount(t, "amount")
			}
			p := lintel.NewPayment{LeaseID: lease, Amount: amt, Received: day(t, "received"), Method: lintel.PayBankTransfer,
				ApplyTo: openCharge(t, lease), IdempotencyKey: newKey()}
			id, err := db.PostPayment(ctx, f.s, p)
			if err != nil {
				t.Fatalf("payment: %v", err)
			}
			remember(id, "payment", lease, amt, p.IdempotencyKey)
		},
		"credit": func(t *rapid.T) {
			lease := leaseOf(t)
			c := lintel.NewCredit{LeaseID: lease, Category: rapid.SampledFrom([]lintel.ChargeCategory{lintel.ChargeRent, lintel.ChargeFee}).Draw(t, "category"),
				Description: "Credit", Amount: amount(t, "amount"), Date: day(t, "date"), ApplyTo: openCharge(t, lease), IdempotencyKey: newKey()}
			id, err := db.PostCredit(ctx, f.s, c)
			if err != nil {
				t.Fatalf("credit: %v", err)
			}
			remember(id, "credit", lease, c.Amount, c.IdempotencyKey)
		},
		"reverse": func(t *rapid.T) {
			if len(txs) == 0 {
				return // nothing to reverse yet: a no-op step
			}
			x := rapid.SampledFrom(txs).Draw(t, "transaction")
			key := newKey()
			id, err := db.Reverse(ctx, f.s, x.id, "Random reversal", key)
			switch {
			case x.reversal || x.reversed:
				if lintel.KindOf(err) != lintel.KindConflict {
					t.Fatalf("reversing %+v: got %v, want a conflict", *x, err)
				}
				return
			case err != nil:
				t.Fatalf("reverse %+v: %v", *x, err)
			}
			x.reversed = true
			txs = append(txs, &modelTx{id: id, kind: "reversal", lease: x.lease, amount: x.amount, reversal: true})
			lastKey, lastID = key, id
		},
		"owner entry": func(t *rapid.T) {
			o := rapid.SampledFrom(owners).Draw(t, "owner")
			e := lintel.NewOwnerEntry{Kind: rapid.SampledFrom(lintel.OwnerEntryKinds).Draw(t, "kind"), ContactID: o.contact, PropertyID: f.prop,
				UnitID: o.unit, Amount: amount(t, "amount"), Date: day(t, "date"), Description: "Owner entry",
				AllowNegative: rapid.Bool().Draw(t, "allow negative"), IdempotencyKey: newKey()}
			held := -ledgerCount(outer, db, `SELECT COALESCE(SUM(balance_minor), 0) FROM ledger_accounts WHERE kind = 'owner' AND contact_id = $1
				AND COALESCE(unit_id, 0) = $2`, o.contact, o.unit)
			id, err := db.PostOwnerEntry(ctx, f.s, e)
			if e.Kind == lintel.OwnerDistribution && !e.AllowNegative && e.Amount > held {
				if lintel.FieldsOf(err)["amount"] == "" {
					t.Fatalf("a distribution of %d above the %d held was not refused: %v", e.Amount, held, err)
				}
				return
			}
			if err != nil {
				t.Fatalf("owner entry: %v", err)
			}
			remember(id, string(e.Kind), 0, e.Amount, e.IdempotencyKey)
		},
		"submit again": func(t *rapid.T) {
			if lastKey == "" {
				return // nothing submitted yet: a no-op step
			}
			d, _ := lintel.ParseDate("2025-06-01")
			id, err := db.PostPayment(ctx, f.s, lintel.NewPayment{LeaseID: f.lease, Amount: 1, Received: d, Method: lintel.PayCash, IdempotencyKey: lastKey})
			if err != nil || id != lastID {
				t.Fatalf("the same key again: id %d (first %d), err %v", id, lastID, err)
			}
		},
		"": func(t *rapid.T) { checkLedgerInvariants(outer, t, db, f, leases, balance, before) },
	})
}

// checkLedgerInvariants is run after every step. It recomputes from the
// rows with its own SQL rather than trusting CheckLedger, then also asks
// CheckLedger.
func checkLedgerInvariants(outer *testing.T, t *rapid.T, db *sqldb.DB, f ledgerFixture, leases []int64, balance func(int64) int64, before map[string]string) {
	ctx := context.Background()
	q := func(what, query string, args ...any) {
		if n := ledgerCount(outer, db, query, args...); n != 0 {
			t.Fatalf("%s: %d", what, n)
		}
	}
	cid := f.s.CompanyID
	counts := `NOT EXISTS (SELECT 1 FROM ledger_transactions r WHERE r.reverses_id = a.source_id) AND NOT EXISTS (SELECT 1 FROM ledger_transactions r WHERE r.reverses_id = a.charge_id)`
	q("transactions whose postings do not sum to zero", `SELECT COUNT(*) FROM ledger_transactions t WHERE t.company_id = $1
		AND COALESCE((SELECT SUM(p.amount_minor) FROM ledger_postings p WHERE p.transaction_id = t.id), 0) <> 0`, cid)
	q("cached balances that differ from their postings", `SELECT COUNT(*) FROM ledger_accounts a WHERE a.company_id = $1
		AND a.balance_minor <> COALESCE((SELECT SUM(p.amount_minor) FROM ledger_postings p WHERE p.account_id = a.id), 0)`, cid)
	q("payments and credits applied beyond their amount", `SELECT COUNT(*) FROM ledger_transactions t WHERE t.company_id = $1
		AND t.amount_minor < COALESCE((SELECT SUM(a.amount_minor) FROM ledger_allocations a WHERE a.source_id = t.id AND `+counts+`), 0)`, cid)
	q("charges paid beyond their amount", `SELECT COUNT(*) FROM ledger_transactions t WHERE t.company_id = $1
		AND t.amount_minor < COALESCE((SELECT SUM(a.amount_minor) FROM ledger_allocations a WHERE a.charge_id = t.id AND `+counts+`), 0)`, cid)
	// The owners' parts of each payment landing on rent add up to exactly
	// what landed (the shares are 60/40 and 100%; fees are separate
	// postings); nothing else pays owners; an allocation that stopped
	// counting is fully undone.
	q("owner splits that do not add up", `SELECT COUNT(*) FROM ledger_allocations a JOIN ledger_transactions s ON s.id = a.source_id
		JOIN ledger_transactions c ON c.id = a.charge_id WHERE a.company_id = $1 AND `+counts+`
		AND CASE WHEN s.kind = 'payment' AND c.category = 'rent' THEN a.amount_minor ELSE 0 END <> -COALESCE((SELECT SUM(p.amount_minor)
			FROM ledger_postings p JOIN ledger_accounts ac ON ac.id = p.account_id
			WHERE p.allocation_id = a.id AND ac.kind = 'owner' AND p.amount_minor < 0), 0)`, cid)
	q("undone allocations still paying owners", `SELECT COUNT(*) FROM ledger_allocations a WHERE a.company_id = $1 AND NOT (`+counts+`)
		AND COALESCE((SELECT SUM(p.amount_minor) FROM ledger_postings p JOIN ledger_accounts ac ON ac.id = p.account_id
			WHERE p.allocation_id = a.id AND ac.kind = 'owner'), 0) <> 0`, cid)
	q("undone allocations whose postings do not net to zero", `SELECT COUNT(*) FROM ledger_allocations a WHERE a.company_id = $1 AND NOT (`+counts+`)
		AND COALESCE((SELECT SUM(p.amount_minor) FROM ledger_postings p WHERE p.allocation_id = a.id), 0) <> 0`, cid)
	// The caches derived from the ledger, recomputed from the rows.
	q("open amounts in ledger_open that differ from the allocations", `SELECT COUNT(*) FROM ledger_transactions t
		LEFT JOIN ledger_open o ON o.transaction_id = t.id
		WHERE t.company_id = $1 AND t.kind IN ('charge', 'payment', 'credit') AND t.lease_id IS NOT NULL
		AND COALESCE(o.open_minor, -1) <> CASE WHEN EXISTS (SELECT 1 FROM ledger_transactions r WHERE r.reverses_id = t.id) THEN 0
			WHEN t.kind = 'charge' THEN t.amount_minor - COALESCE((SELECT SUM(a.amount_minor) FROM ledger_allocations a
				WHERE a.charge_id = t.id AND `+counts+`), 0)
			ELSE t.amount_minor - COALESCE((SELECT SUM(a.amount_minor) FROM ledger_allocations a
				WHERE a.source_id = t.id AND `+counts+`), 0) END`, cid)
	q("owner transactions missing from ledger_owner_lines", `SELECT COUNT(*) FROM ledger_postings p
		JOIN ledger_accounts oa ON oa.id = p.account_id JOIN ledger_transactions t ON t.id = p.transaction_id
		WHERE p.company_id = $1 AND oa.kind = 'owner' AND NOT EXISTS (SELECT 1 FROM ledger_owner_lines l
			WHERE l.contact_id = oa.contact_id AND l.transaction_id = t.id AND l.effective_date = t.effective_date)`, cid)
	q("ledger_owner_lines without an owner posting", `SELECT COUNT(*) FROM ledger_owner_lines l WHERE l.company_id = $1
		AND NOT EXISTS (SELECT 1 FROM ledger_postings p JOIN ledger_accounts oa ON oa.id = p.account_id
			WHERE p.transaction_id = l.transaction_id AND oa.kind = 'owner' AND oa.contact_id = l.contact_id)`, cid)
	// Owner accounts only move by rent shares, fees and owner entries, so
	// income less expenses by month adds up to what the owners were
	// credited, transfers aside.
	q("owner months that do not add up to the owner postings", `SELECT COUNT(*) FROM contacts c WHERE c.company_id = $1
		AND COALESCE((SELECT SUM(m.income_minor - m.expense_minor) FROM ledger_owner_months m WHERE m.contact_id = c.id), 0)
			<> -COALESCE((SELECT SUM(p.amount_minor) FROM ledger_postings p JOIN ledger_accounts oa ON oa.id = p.account_id
				JOIN ledger_transactions t ON t.id = p.transaction_id LEFT JOIN ledger_transactions orig ON orig.id = t.reverses_id
				WHERE oa.contact_id = c.id AND oa.kind = 'owner'
					AND COALESCE(orig.kind, t.kind) NOT IN ('owner_contribution', 'owner_distribution')), 0)`, cid)
	for _, lease := range leases {
		bal, overdue, err := db.LeaseBalance(ctx, f.s, lease)
		if err != nil {
			t.Fatalf("balance: %v", err)
		}
		if want := balance(lease); bal != want {
			t.Fatalf("lease %d: balance %d, but charges − payments − credits = %d", lease, bal, want)
		}
		open := ledgerCount(outer, db, `SELECT COALESCE(SUM(t.amount_minor - COALESCE((SELECT SUM(a.amount_minor) FROM ledger_allocations a
			WHERE a.charge_id = t.id AND `+counts+`), 0)), 0) FROM ledger_transactions t WHERE t.lease_id = $1 AND t.kind = 'charge'
			AND NOT EXISTS (SELECT 1 FROM ledger_transactions r WHERE r.reverses_id = t.id)`, lease)
		// Money waiting and a charge unpaid never coexist: the open
		// charges are exactly the positive part of the balance.
		if open != max(bal, 0) {
			t.Fatalf("lease %d: open charges %d but balance %d", lease, open, bal)
		}
		// The manager's payment form lists the same open charges.
		listed, err := db.OpenCharges(ctx, f.s, lease)
		if err != nil {
			t.Fatalf("open charges: %v", err)
		}
		var sum int64
		for _, c := range listed {
			sum += c.Open
		}
		if sum != open {
			t.Fatalf("lease %d: OpenCharges lists %d open, the allocations say %d", lease, sum, open)
		}
		// What ledger_open holds as open is the model's balance: the
		// positive part on charges, the negative part as money waiting.
		if cached := ledgerCount(outer, db, `SELECT COALESCE(SUM(open_minor), 0) FROM ledger_open WHERE lease_id = $1 AND kind = 'charge'`, lease); cached != max(bal, 0) {
			t.Fatalf("lease %d: ledger_open holds %d open on charges, balance %d", lease, cached, bal)
		}
		if waiting := ledgerCount(outer, db, `SELECT COALESCE(SUM(open_minor), 0) FROM ledger_open WHERE lease_id = $1 AND kind <> 'charge'`, lease); waiting != max(-bal, 0) {
			t.Fatalf("lease %d: ledger_open holds %d unapplied, balance %d", lease, waiting, bal)
		}
		if overdue < 0 || overdue > open {
			t.Fatalf("lease %d: overdue %d of %d open", lease, overdue, open)
		}
	}
	rows, err := db.LedgerRowsForTest(ctx, cid)
	if err != nil {
		t.Fatalf("rows: %v", err)
	}
	for k, v := range before {
		if rows[k] != v {
			t.Fatalf("row %s changed from %q to %q", k, v, rows[k])
		}
	}
	for k, v := range rows {
		before[k] = v
	}
	if problems, err := db.CheckLedger(ctx); err != nil || len(problems) > 0 {
		t.Fatalf("CheckLedger: %v %q", err, problems)
	}
}
