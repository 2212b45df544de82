package sqldb

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"time"

	"lintel.dev/lintel/internal/lintel"
)

// The load dataset: one company the size of the ones Lintel is for, written
// straight into the tables in a few large transactions so that `make load`
// can build 2 million ledger postings in minutes, not the hours the
// one-change-per-transaction store API would take. The rows follow the same
// rules the store does (balanced transactions, cached balances equal to
// their postings, allocations within their charge and payment), so `lintel
// check` passes on the result; TestGenerateLoad keeps it so as the schema
// moves.

// LoadScale sizes the dataset: 1 is 100 properties, 5,000 units, about 800
// owners, 10,000 tenants on 5,000 leases, 200,000 maintenance requests and
// about 2 million ledger postings.
type LoadScale float64

// LoadOptions tune GenerateLoad.
type LoadOptions struct {
	Scale        LoadScale
	Seed         uint64
	PasswordHash string // for the sign-in users the dataset creates
	// TaskTokenHash is stored as the contractor link of the open visit on
	// the tenant's lease (auth.HashToken of the raw link token).
	TaskTokenHash string
	Now           time.Time
}

// LoadDataset is what a load run needs to reach each page of the dataset.
type LoadDataset struct {
	CompanyID int64
	// Users who can sign in (password from LoadOptions.PasswordHash).
	ManagerEmail, TenantEmail, OwnerEmail    string
	ManagerUserID, TenantUserID, OwnerUserID int64
	// The tenant's lease runs ten years back; the owner holds the most units.
	TenantLeaseID, OwnerContactID, OwnerUnits int64
	// A property, a request and an open visit on the tenant's lease.
	PropertyID, RequestID, VisitID int64
	Counts                         map[string]int64
}

// bulk writes rows of one table in multi-row INSERTs with ids chosen here,
// so a batch needs no RETURNING round trip.
type bulk struct {
	tx    *Tx
	table string
	cols  []string
	rows  [][]any
	max   int
	n     int64
	after []*bulk // flushed first: the tables this one's rows refer to
}

func (tx *Tx) bulk(table string, cols ...string) *bulk {
	// Both engines allow at least 32,766 parameters per statement.
	return &bulk{tx: tx, table: table, cols: cols, max: 30000 / len(cols)}
}

func (b *bulk) add(ctx context.Context, vals ...any) error {
	if len(vals) != len(b.cols) {
		return fmt.Errorf("load data: %s takes %d values, got %d", b.table, len(b.cols), len(vals))
	}
	b.rows = append(b.rows, vals)
	b.n++
	if len(b.rows) >= b.max {
		return b.flush(ctx)
	}
	return nil
}

func (b *bulk) flush(ctx context.Context) error {
	if len(b.rows) == 0 {
		return nil
	}
	for _, d := range b.after {
		if err := d.flush(ctx); err != nil {
			return err
		}
	}
	var q strings.Builder
	q.WriteString("INSERT INTO " + b.table + " (" + strings.Join(b.cols, ", ") + ") VALUES ")
	args := make([]any, 0, len(b.rows)*len(b.cols))
	// SQLite reads $N as a named parameter and binds each by a linear
	// search of the statement's names: with thousands in one INSERT that
	// is quadratic, and was most of the dataset's build time. Its plain ?
	// binds by position.
	positional := b.tx.db.dialect == SQLite
	for i, r := range b.rows {
		if i > 0 {
			q.WriteString(", ")
		}
		q.WriteByte('(')
		for j := range r {
			if j > 0 {
				q.WriteString(", ")
			}
			args = append(args, r[j])
			if positional {
				q.WriteByte('?')
			} else {
				q.WriteString("$" + strconv.Itoa(len(args)))
			}
		}
		q.WriteByte(')')
	}
	b.rows = b.rows[:0]
	if _, err := b.tx.ExecContext(ctx, q.String(), args...); err != nil {
		return fmt.Errorf("load data into %s: %w", b.table, err)
	}
	return nil
}

// ids hands out primary keys above what a table holds.
type ids map[string]int64

func (tx *Tx) nextIDs(ctx context.Context, tables ...string) (ids, error) {
	out := ids{}
	for _, t := range tables {
		var max int64
		if err := tx.QueryRowContext(ctx, "SELECT COALESCE(MAX(id), 0) FROM "+t).Scan(&max); err != nil {
			return nil, fmt.Errorf("load data: %s: %w", t, err)
		}
		out[t] = max
	}
	return out, nil
}

func (i ids) next(table string) int64 { i[table]++; return i[table] }

var loadTables = []string{"companies", "users", "properties", "units", "contacts", "contact_emails", "ownerships", "leases",
	"maintenance_categories", "requests", "request_events", "visits", "ledger_accounts", "ledger_transactions",
	"ledger_allocations", "ledger_postings"}

// GenerateLoad writes the load dataset as a new company and returns how to
// reach it.
func (db *DB) GenerateLoad(ctx context.Context, opt LoadOptions) (LoadDataset, error) {
	if opt.Scale <= 0 {
		opt.Scale = 1
	}
	if opt.Now.IsZero() {
		opt.Now = db.now()
	}
	sc := func(n float64, min int) int { return max(min, int(n*float64(opt.Scale)+0.5)) }
	g := loadGen{
		opt:        opt,
		rng:        rand.New(rand.NewPCG(opt.Seed, opt.Seed^0x9e3779b97f4a7c15)),
		properties: sc(100, 2),
		units:      sc(5000, 4),
		owners:     sc(800, 2),
		requests:   sc(200000, 8),
		now:        opt.Now.UTC(),
		today:      lintel.DateOf(opt.Now),
		ds:         LoadDataset{Counts: map[string]int64{}},
	}
	err := db.update(ctx, func(tx *Tx) error {
		var err error
		if g.id, err = tx.nextIDs(ctx, loadTables...); err != nil {
			return err
		}
		return g.records(ctx, tx)
	})
	if err != nil {
		return LoadDataset{}, err
	}
	// The history in leases of a few hundred at a time: one transaction per
	// batch keeps SQLite's WAL and PostgreSQL's memory bounded.
	const perTx = 250
	for from := 0; from < len(g.leases); from += perTx {
		err := db.update(ctx, func(tx *Tx) error {
			return g.history(ctx, tx, g.leases[from:min(from+perTx, len(g.leases))])
		})
		if err != nil {
			return LoadDataset{}, err
		}
	}
	err = db.update(ctx, func(tx *Tx) error {
		if err := g.finish(ctx, tx); err != nil {
			return err
		}
		if db.dialect == Postgres {
			for _, t := range loadTables {
				if _, err := tx.ExecContext(ctx, `SELECT setval(pg_get_serial_sequence('`+t+`', 'id'), (SELECT MAX(id) FROM `+t+`))`); err != nil {
					return fmt.Errorf("load data: sequence of %s: %w", t, err)
				}
			}
		}
		return nil
	})
	if err != nil {
		return LoadDataset{}, err
	}
	// Fresh statistics, so the planner sees the company's real size.
	if _, err := db.write.ExecContext(ctx, "ANALYZE"); err != nil {
		return LoadDataset{}, err
	}
	if db.dialect == SQLite {
		// Only the row counts (sqlite_stat1). With sqlite_stat4's samples
		// SQLite compiles a statement again whenever a value bound to it
		// might change the plan, on every run of a kept statement: a cost
		// the product's databases, never analyzed by Lintel, do not pay.
		var n int
		if err := db.write.QueryRowContext(ctx, `SELECT count(*) FROM sqlite_schema WHERE name = 'sqlite_stat4'`).Scan(&n); err != nil {
			return LoadDataset{}, err
		}
		if n > 0 {
			if _, err := db.write.ExecContext(ctx, `DELETE FROM sqlite_stat4`); err != nil {
				return LoadDataset{}, err
			}
			if _, err := db.write.ExecContext(ctx, `ANALYZE sqlite_schema`); err != nil {
				return LoadDataset{}, err
			}
		}
		// The search indexes were written a batch at a time; merged into
		// one segment they answer a look-up in tens of microseconds.
		for _, t := range []string{"requests_fts", "units_fts", "properties_fts", "contacts_fts", "contact_emails_fts"} {
			if _, err := db.write.ExecContext(ctx, `INSERT INTO `+t+` (`+t+`) VALUES ('optimize')`); err != nil {
				return LoadDataset{}, fmt.Errorf("optimize %s: %w", t, err)
			}
		}
	}
	return g.ds, nil
}

type loadLease struct {
	id, unit, property int64
	tenants            []int64
	owners             []loadOwner // who receives the rent
	feeBP              int64
	start              lintel.Date
	rent               int64
	unpaidLast         bool
}

type loadOwner struct {
	contact, unit int64 // unit 0: the whole property
	share         int
}

type loadGen struct {
	opt                                 LoadOptions
	rng                                 *rand.Rand
	properties, units, owners, requests int
	now                                 time.Time
	today                               lintel.Date
	id                                  ids
	ds                                  LoadDataset

	company, bank, operator int64
	categories              []int64
	leases                  []loadLease
	accounts                map[acctKey]int64
	balances                map[int64]int64
	receipt                 int64
	acctRows                *bulk
	acctErr                 error // the first failed account write, returned at the next flush
}

var loadCategoryNames = []string{"Plumbing", "Electrical", "Heating and cooling", "Appliances", "Pests", "Other"}

var loadSummaries = []string{"Kitchen tap drips", "No hot water", "Heater makes a noise", "Fridge not cooling",
	"Bathroom fan broken", "Front door lock sticks", "Mice in the basement", "Outlet sparks", "Window will not close",
	"Dishwasher leaks", "Smoke alarm chirps", "Toilet runs"}

// records writes the company, its places, people and leases.
func (g *loadGen) records(ctx context.Context, tx *Tx) error {
	now := ts(g.now)
	g.company = g.id.next("companies")
	g.ds.CompanyID = g.company
	tag := strconv.FormatInt(g.company, 10)
	if _, err := tx.ExecContext(ctx, `INSERT INTO companies (id, name, currency, created_at) VALUES ($1, $2, 'USD', $3)`,
		g.company, "Load Test Property Management "+tag, now); err != nil {
		return fmt.Errorf("load data: company: %w", err)
	}
	users := tx.bulk("users", "id", "email", "name", "password_hash", "email_verified_at", "created_at", "updated_at")
	user := func(email, name string) (int64, error) {
		id := g.id.next("users")
		return id, users.add(ctx, id, email, name, g.opt.PasswordHash, now, now, now)
	}
	var err error
	g.ds.ManagerEmail = "manager-" + tag + "@load.example"
	g.ds.TenantEmail = "tenant-" + tag + "@load.example"
	g.ds.OwnerEmail = "owner-" + tag + "@load.example"
	if g.ds.ManagerUserID, err = user(g.ds.ManagerEmail, "Morgan Manager"); err != nil {
		return err
	}
	if g.ds.TenantUserID, err = user(g.ds.TenantEmail, "Tess Tenant"); err != nil {
		return err
	}
	if g.ds.OwnerUserID, err = user(g.ds.OwnerEmail, "Olive Owner"); err != nil {
		return err
	}
	if err := users.flush(ctx); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO memberships (company_id, user_id, role, created_at) VALUES ($1, $2, 'admin', $3)`,
		g.company, g.ds.ManagerUserID, now); err != nil {
		return fmt.Errorf("load data: membership: %w", err)
	}

	cats := tx.bulk("maintenance_categories", "id", "company_id", "name", "position")
	for i, name := range loadCategoryNames {
		id := g.id.next("maintenance_categories")
		g.categories = append(g.categories, id)
		if err := cats.add(ctx, id, g.company, name, i); err != nil {
			return err
		}
	}
	if err := cats.flush(ctx); err != nil {
		return err
	}

	contacts := tx.bulk("contacts", "id", "company_id", "name", "is_tenant", "is_owner", "is_operator", "trades", "created_at", "updated_at")
	emails := tx.bulk("contact_emails", "id", "company_id", "contact_id", "email", "position")
	contact := func(name, email string, tenant, owner, operator bool) (int64, error) {
		id := g.id.next("contacts")
		trades := ""
		if operator {
			trades = "plumbing"
		}
		if err := contacts.add(ctx, id, g.company, name, tenant, owner, operator, trades, now, now); err != nil {
			return 0, err
		}
		return id, emails.add(ctx, g.id.next("contact_emails"), g.company, id, email, 0)
	}
	if g.operator, err = contact("Pat Plumbing Co", "plumber-"+tag+"@load.example", false, false, true); err != nil {
		return err
	}
	owners := make([]int64, g.owners)
	for i := range owners {
		email := fmt.Sprintf("owner%d-%s@load.example", i, tag)
		if i == 0 {
			email = g.ds.OwnerEmail
		}
		if owners[i], err = contact(loadName(i+7), email, false, true, false); err != nil {
			return err
		}
	}
	g.ds.OwnerContactID = owners[0]

	props := tx.bulk("properties", "id", "company_id", "name", "address_line1", "city", "region", "postal_code", "country",
		"management_fee_bp", "created_at", "updated_at")
	units := tx.bulk("units", "id", "company_id", "property_id", "label", "bedrooms", "created_at", "updated_at")
	owns := tx.bulk("ownerships", "id", "company_id", "contact_id", "property_id", "unit_id", "share_bp", "created_at", "updated_at")
	leases := tx.bulk("leases", "id", "company_id", "unit_id", "start_date", "month_to_month", "rent_minor", "rent_due_day",
		"deposit_minor", "created_at", "updated_at")
	tenants := tx.bulk("lease_tenants", "lease_id", "contact_id", "company_id")
	emails.after = []*bulk{contacts}
	units.after = []*bulk{props}
	owns.after = []*bulk{contacts, props, units}
	leases.after = []*bulk{units}
	tenants.after = []*bulk{contacts, leases}
	// The first owner holds whole properties, about 300 units at full scale;
	// every other unit has one owner of its own.
	bigOwnerProps := max(1, g.properties*6/100)
	perProp := g.units / g.properties
	unitNo := 0
	for p := 0; p < g.properties; p++ {
		pid := g.id.next("properties")
		if p == 0 {
			g.ds.PropertyID = pid
		}
		fee := int64(800)
		if err := props.add(ctx, pid, g.company, fmt.Sprintf("%d %s", 100+p, loadStreets[p%len(loadStreets)]),
			fmt.Sprintf("%d %s", 100+p, loadStreets[p%len(loadStreets)]), "Springfield", "IL", fmt.Sprintf("627%02d", p%100), "US",
			fee, now, now); err != nil {
			return err
		}
		var propOwner []loadOwner
		if p < bigOwnerProps {
			propOwner = []loadOwner{{contact: owners[0], share: 10000}}
			if err := owns.add(ctx, g.id.next("ownerships"), g.company, owners[0], pid, nil, 10000, now, now); err != nil {
				return err
			}
		}
		n := perProp
		if p == g.properties-1 {
			n = g.units - unitNo
		}
		for u := 0; u < n; u++ {
			unitNo++
			uid := g.id.next("units")
			if err := units.add(ctx, uid, g.company, pid, fmt.Sprintf("%d%02d", u/10+1, u%10+1), 1+u%3, now, now); err != nil {
				return err
			}
			lo := propOwner
			if lo == nil {
				o := owners[1+unitNo%(len(owners)-1)]
				lo = []loadOwner{{contact: o, unit: uid, share: 10000}}
				if err := owns.add(ctx, g.id.next("ownerships"), g.company, o, pid, uid, 10000, now, now); err != nil {
					return err
				}
			} else {
				g.ds.OwnerUnits++
			}
			// Leases began between one month and nine years ago (the
			// first ten years ago), so the ledger's history averages
			// about four and a half years a lease.
			months := 1 + g.rng.IntN(104)
			if len(g.leases) == 0 {
				months = 120
			}
			start := lintel.DateOf(g.now.AddDate(0, -months, 0))
			start.Day = 1
			l := loadLease{id: g.id.next("leases"), unit: uid, property: pid, owners: lo, feeBP: fee, start: start,
				rent: int64(120000 + 500*g.rng.IntN(200)), unpaidLast: g.rng.IntN(10) == 0}
			if err := leases.add(ctx, l.id, g.company, uid, start, true, l.rent, 1, l.rent, now, now); err != nil {
				return err
			}
			for k := 0; k < 2; k++ {
				email := fmt.Sprintf("tenant%d.%d-%s@load.example", len(g.leases), k, tag)
				if len(g.leases) == 0 && k == 0 {
					email = g.ds.TenantEmail
				}
				c, err := contact(loadName(len(g.leases)*2+k), email, true, false, false)
				if err != nil {
					return err
				}
				l.tenants = append(l.tenants, c)
				if err := tenants.add(ctx, l.id, c, g.company); err != nil {
					return err
				}
			}
			g.leases = append(g.leases, l)
		}
	}
	g.ds.TenantLeaseID = g.leases[0].id
	for _, b := range []*bulk{contacts, emails, props, units, owns, leases, tenants} {
		if err := b.flush(ctx); err != nil {
			return err
		}
		g.ds.Counts[b.table] = b.n
	}

	g.accounts = map[acctKey]int64{}
	g.balances = map[int64]int64{}
	g.acctRows = tx.bulk("ledger_accounts", "id", "company_id", "kind", "lease_id", "contact_id", "property_id", "unit_id", "category", "created_at")
	g.bank = g.account(ctx, acctKey{kind: acctBank})
	if g.acctErr != nil {
		return g.acctErr
	}
	return g.acctRows.flush(ctx)
}

// account returns the id of an account, adding its row to the batch the
// first time. Balances are set once, at the end, from g.balances.
func (g *loadGen) account(ctx context.Context, k acctKey) int64 {
	if id, ok := g.accounts[k]; ok {
		return id
	}
	id := g.id.next("ledger_accounts")
	g.accounts[k] = id
	// The batch is flushed before any posting that uses it.
	if err := g.acctRows.add(ctx, id, g.company, k.kind, nullID(k.lease), nullID(k.contact), nullID(k.property), nullID(k.unit), k.category, ts(g.now)); err != nil && g.acctErr == nil {
		g.acctErr = err
	}
	return id
}

// history writes each lease's months of rent and payments, and its
// maintenance requests with their timelines and visits.
func (g *loadGen) history(ctx context.Context, tx *Tx, leases []loadLease) error {
	g.acctRows.tx = tx
	txs := tx.bulk("ledger_transactions", "id", "company_id", "kind", "category", "lease_id", "property_id", "unit_id",
		"description", "effective_date", "amount_minor", "method", "receipt_number", "period", "idempotency_key", "created_by", "created_at")
	allocs := tx.bulk("ledger_allocations", "id", "company_id", "source_id", "charge_id", "amount_minor", "created_at")
	posts := tx.bulk("ledger_postings", "id", "company_id", "transaction_id", "account_id", "amount_minor", "allocation_id")
	reqs := tx.bulk("requests", "id", "company_id", "property_id", "unit_id", "lease_id", "category_id", "category_name",
		"requested_by_contact_id", "summary", "description", "priority", "status", "created_at", "updated_at", "closed_at")
	events := tx.bulk("request_events", "id", "company_id", "request_id", "visit_id", "kind", "audience", "actor", "body", "created_at")
	visits := tx.bulk("visits", "id", "company_id", "request_id", "operator_id", "status", "scheduled_at", "token_hash",
		"created_at", "updated_at", "completed_at")
	allocs.after = []*bulk{txs}
	posts.after = []*bulk{g.acctRows, txs, allocs}
	visits.after = []*bulk{reqs}
	events.after = []*bulk{reqs, visits}
	post := func(txID, account, amount int64, alloc any) error {
		g.balances[account] += amount
		return posts.add(ctx, g.id.next("ledger_postings"), g.company, txID, account, amount, alloc)
	}
	for _, l := range leases {
		recv := g.account(ctx, acctKey{kind: acctReceivable, lease: l.id})
		rentIncome := g.account(ctx, acctKey{kind: acctIncome, property: l.property, category: string(lintel.ChargeRent)})
		feeIncome := g.account(ctx, acctKey{kind: acctIncome, property: l.property, category: "management_fee"})
		ownerAccts := make([]int64, len(l.owners))
		for i, o := range l.owners {
			ownerAccts[i] = g.account(ctx, acctKey{kind: acctOwner, contact: o.contact, property: l.property, unit: o.unit})
		}
		if g.acctErr != nil {
			return g.acctErr
		}
		if err := g.acctRows.flush(ctx); err != nil {
			return err
		}
		for due := l.start; !g.today.Before(due); due = lintel.DateOf(due.Time().AddDate(0, 1, 0)) {
			period := fmt.Sprintf("%04d-%02d", due.Year, due.Month)
			created := ts(due.Time().Add(6 * time.Hour))
			charge := g.id.next("ledger_transactions")
			if err := txs.add(ctx, charge, g.company, txCharge, string(lintel.ChargeRent), l.id, l.property, l.unit,
				"Rent "+period, due, l.rent, "", nil, period, "rent:"+strconv.FormatInt(l.id, 10)+":"+period, "Lintel", created); err != nil {
				return err
			}
			if err := post(charge, recv, l.rent, nil); err != nil {
				return err
			}
			if err := post(charge, rentIncome, -l.rent, nil); err != nil {
				return err
			}
			current := g.today.Before(due.AddDays(31))
			if l.unpaidLast && current {
				continue
			}
			// Paid a few days after the due date, in full.
			paid := due.AddDays(g.rng.IntN(5))
			if g.today.Before(paid) {
				continue
			}
			g.receipt++
			pay := g.id.next("ledger_transactions")
			if err := txs.add(ctx, pay, g.company, txPayment, "", l.id, l.property, l.unit, "Payment received, thank you",
				paid, l.rent, "bank_transfer", g.receipt, nil, "pay:"+strconv.FormatInt(pay, 10), "Morgan Manager",
				ts(paid.Time().Add(10*time.Hour))); err != nil {
				return err
			}
			if err := post(pay, g.bank, l.rent, nil); err != nil {
				return err
			}
			if err := post(pay, recv, -l.rent, nil); err != nil {
				return err
			}
			alloc := g.id.next("ledger_allocations")
			if err := allocs.add(ctx, alloc, g.company, pay, charge, l.rent, ts(paid.Time())); err != nil {
				return err
			}
			shares := make([]int, len(l.owners))
			for i, o := range l.owners {
				shares[i] = o.share
			}
			parts := lintel.SplitByShares(l.rent, shares)
			var toOwners, fees int64
			for i := range l.owners {
				fee := managementFee(parts[i], l.feeBP)
				if err := post(pay, ownerAccts[i], -parts[i], alloc); err != nil {
					return err
				}
				if err := post(pay, ownerAccts[i], fee, alloc); err != nil {
					return err
				}
				toOwners += parts[i]
				fees += fee
			}
			if err := post(pay, rentIncome, toOwners, alloc); err != nil {
				return err
			}
			if err := post(pay, feeIncome, -fees, alloc); err != nil {
				return err
			}
		}
		// Requests spread over the lease's life, the newest still open.
		perLease := g.requests / len(g.leases)
		if l.id == g.leases[0].id {
			perLease += g.requests % len(g.leases)
		}
		life := g.now.Sub(l.start.Time())
		for k := 0; k < perLease; k++ {
			rid := g.id.next("requests")
			at := l.start.Time().Add(time.Duration(float64(life) * float64(k+1) / float64(perLease+1)))
			cat := g.rng.IntN(len(g.categories))
			status, closed := lintel.StatusClosed, any(ts(at.Add(72*time.Hour)))
			open := k >= perLease-2
			if open {
				status, closed = []lintel.RequestStatus{lintel.StatusSubmitted, lintel.StatusAssigned, lintel.StatusScheduled}[g.rng.IntN(3)], nil
			} else if g.rng.IntN(20) == 0 {
				status = lintel.StatusCancelled
			}
			if l.id == g.leases[0].id && k == perLease-1 {
				status = lintel.StatusAssigned
				g.ds.RequestID = rid
			}
			summary := loadSummaries[g.rng.IntN(len(loadSummaries))]
			if err := reqs.add(ctx, rid, g.company, l.property, l.unit, l.id, g.categories[cat], loadCategoryNames[cat],
				l.tenants[0], summary, summary+". It started a few days ago; please call before coming.", "normal",
				string(status), ts(at), ts(at), closed); err != nil {
				return err
			}
			event := func(visit any, kind, audience, actor, body string, when time.Time) error {
				return events.add(ctx, g.id.next("request_events"), g.company, rid, visit, kind, audience, actor, body, ts(when))
			}
			if err := event(nil, EventStatus, AudienceResidents, loadName(0), lintel.StatusSubmitted.Label(), at); err != nil {
				return err
			}
			if status == lintel.StatusSubmitted {
				continue
			}
			vid := g.id.next("visits")
			vstatus, done, token := "completed", any(ts(at.Add(48*time.Hour))), any(nil)
			if open || status == lintel.StatusCancelled {
				vstatus, done = "assigned", nil
				if status == lintel.StatusCancelled {
					vstatus = "cancelled"
				}
			}
			if rid == g.ds.RequestID {
				g.ds.VisitID = vid
				token = nullText(g.opt.TaskTokenHash)
			}
			if err := visits.add(ctx, vid, g.company, rid, g.operator, vstatus, ts(at.Add(24*time.Hour)), token,
				ts(at.Add(time.Hour)), ts(at.Add(time.Hour)), done); err != nil {
				return err
			}
			if err := event(vid, EventVisit, AudienceResidents, "Morgan Manager", "Pat Plumbing Co assigned", at.Add(time.Hour)); err != nil {
				return err
			}
			if err := event(nil, EventStatus, AudienceResidents, "Morgan Manager", lintel.StatusAssigned.Label(), at.Add(time.Hour)); err != nil {
				return err
			}
			if open {
				continue
			}
			if err := event(vid, EventNote, AudienceStaff, "Pat Plumbing Co", "Replaced the worn part; tested.", at.Add(48*time.Hour)); err != nil {
				return err
			}
			if err := event(nil, EventStatus, AudienceResidents, "Morgan Manager", status.Label(), at.Add(72*time.Hour)); err != nil {
				return err
			}
		}
	}
	for _, b := range []*bulk{g.acctRows, txs, allocs, posts, reqs, visits, events} {
		if err := b.flush(ctx); err != nil {
			return err
		}
		g.ds.Counts[b.table] += b.n
	}
	return nil
}

// finish sets the cached balances and the counters the store keeps, and
// points each request at its latest visit.
func (g *loadGen) finish(ctx context.Context, tx *Tx) error {
	for id, bal := range g.balances {
		if _, err := tx.ExecContext(ctx, `UPDATE ledger_accounts SET balance_minor = $1 WHERE id = $2`, bal, id); err != nil {
			return fmt.Errorf("load data: balance: %w", err)
		}
	}
	if _, err := tx.ExecContext(ctx, `UPDATE companies SET next_receipt_number = $1 WHERE id = $2`, g.receipt+1, g.company); err != nil {
		return fmt.Errorf("load data: receipt number: %w", err)
	}
	return nil
}

var loadStreets = []string{"Maple Street", "Oak Avenue", "Elm Road", "Cedar Lane", "Birch Boulevard", "Pine Court", "Willow Way"}

var (
	loadFirst = []string{"Ada", "Ben", "Chloé", "Dariusz", "Emma", "Farid", "Grace", "Hugo", "Inès", "Jakub", "Kemi", "Liam", "Maya", "Noah", "Olga", "Priya"}
	loadLast  = []string{"Nowak", "Tremblay", "Okafor", "Smith", "García", "Lefebvre", "Kowalski", "Chen", "Roy", "Müller", "Dubois", "Patel", "Singh"}
)

func loadName(i int) string {
	return loadFirst[i%len(loadFirst)] + " " + loadLast[(i/len(loadFirst))%len(loadLast)] + " " + strconv.Itoa(i)
}

func nullText(s string) any {
	if s == "" {
		return nil
	}
	return s
}
