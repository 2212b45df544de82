-- Caches derived from the append-only ledger, so that pages and postings
-- read what is open or recent instead of summing a lease's, an owner's or
-- the company's whole history. The ledger rows stay the record: triggers
-- keep these tables in the transaction that writes the rows they derive
-- from, whoever writes them (the poster, the demo, the load generator), and
-- `lintel check` (CheckLedger) compares them with the rows.

-- What is still open of each charge (unpaid) and of each payment or credit
-- (not yet applied), on leases: the amount less the allocations that
-- count; 0 once the item is reversed. The partial index holds only what is
-- open, which is what the poster settles against and the pages age.
CREATE TABLE ledger_open (
	transaction_id INTEGER PRIMARY KEY REFERENCES ledger_transactions(id),
	company_id     INTEGER NOT NULL REFERENCES companies(id),
	lease_id       INTEGER NOT NULL REFERENCES leases(id),
	kind           TEXT NOT NULL CHECK (kind IN ('charge','payment','credit')),
	effective_date TEXT NOT NULL,
	open_minor     INTEGER NOT NULL CHECK (open_minor >= 0)
);

INSERT INTO ledger_open (transaction_id, company_id, lease_id, kind, effective_date, open_minor)
	SELECT t.id, t.company_id, t.lease_id, t.kind, t.effective_date,
		CASE WHEN EXISTS (SELECT 1 FROM ledger_transactions r WHERE r.reverses_id = t.id) THEN 0
		WHEN t.kind = 'charge' THEN t.amount_minor - COALESCE((SELECT SUM(a.amount_minor) FROM ledger_allocations a
			WHERE a.charge_id = t.id AND NOT EXISTS (SELECT 1 FROM ledger_transactions r WHERE r.reverses_id = a.source_id)), 0)
		ELSE t.amount_minor - COALESCE((SELECT SUM(a.amount_minor) FROM ledger_allocations a
			WHERE a.source_id = t.id AND NOT EXISTS (SELECT 1 FROM ledger_transactions r WHERE r.reverses_id = a.charge_id)), 0) END
	FROM ledger_transactions t WHERE t.kind IN ('charge', 'payment', 'credit') AND t.lease_id IS NOT NULL;

CREATE INDEX ledger_open_lease ON ledger_open (company_id, lease_id, kind, effective_date, transaction_id) WHERE open_minor > 0;
-- The receivables' aging totals: every open charge of the company by due
-- date, read from the index alone.
CREATE INDEX ledger_open_aging ON ledger_open (company_id, kind, effective_date, open_minor) WHERE open_minor > 0;

CREATE TRIGGER ledger_open_item AFTER INSERT ON ledger_transactions
	WHEN NEW.kind IN ('charge', 'payment', 'credit') AND NEW.lease_id IS NOT NULL BEGIN
	INSERT INTO ledger_open (transaction_id, company_id, lease_id, kind, effective_date, open_minor)
		VALUES (NEW.id, NEW.company_id, NEW.lease_id, NEW.kind, NEW.effective_date, NEW.amount_minor);
END;

-- A reversal closes what it reverses and gives back to the other side of
-- each of its allocations what that allocation took, unless that side is
-- itself reversed (then it is closed and stays so).
CREATE TRIGGER ledger_open_reversal AFTER INSERT ON ledger_transactions WHEN NEW.reverses_id IS NOT NULL BEGIN
	UPDATE ledger_open SET open_minor = open_minor + COALESCE((SELECT SUM(a.amount_minor) FROM ledger_allocations a
			WHERE (a.source_id = NEW.reverses_id AND a.charge_id = ledger_open.transaction_id)
				OR (a.charge_id = NEW.reverses_id AND a.source_id = ledger_open.transaction_id)), 0)
		WHERE transaction_id IN (SELECT charge_id FROM ledger_allocations WHERE source_id = NEW.reverses_id
				UNION SELECT source_id FROM ledger_allocations WHERE charge_id = NEW.reverses_id)
			AND NOT EXISTS (SELECT 1 FROM ledger_transactions r WHERE r.reverses_id = ledger_open.transaction_id);
	UPDATE ledger_open SET open_minor = 0 WHERE transaction_id = NEW.reverses_id;
END;

CREATE TRIGGER ledger_open_allocation AFTER INSERT ON ledger_allocations BEGIN
	UPDATE ledger_open SET open_minor = open_minor - NEW.amount_minor WHERE transaction_id IN (NEW.source_id, NEW.charge_id);
END;

-- Which transactions moved an owner contact's accounts, by date: the
-- owner's ledger pages keyset on it instead of sorting every posting of
-- every asset the owner ever had.
CREATE TABLE ledger_owner_lines (
	company_id     INTEGER NOT NULL REFERENCES companies(id),
	contact_id     INTEGER NOT NULL REFERENCES contacts(id),
	effective_date TEXT NOT NULL,
	transaction_id INTEGER NOT NULL REFERENCES ledger_transactions(id),
	PRIMARY KEY (company_id, contact_id, effective_date, transaction_id)
) WITHOUT ROWID;

INSERT INTO ledger_owner_lines (company_id, contact_id, effective_date, transaction_id)
	SELECT DISTINCT oa.company_id, oa.contact_id, t.effective_date, t.id
	FROM ledger_postings p JOIN ledger_accounts oa ON oa.id = p.account_id JOIN ledger_transactions t ON t.id = p.transaction_id
	WHERE oa.kind = 'owner';

-- An owner contact's income (rent share) and expenses (fees, costs billed
-- to them) by month of the transactions' dates, classed like the portal's
-- ownerClass: a reversal like its original, so it cancels it.
CREATE TABLE ledger_owner_months (
	company_id    INTEGER NOT NULL REFERENCES companies(id),
	contact_id    INTEGER NOT NULL REFERENCES contacts(id),
	month         TEXT NOT NULL,
	income_minor  INTEGER NOT NULL DEFAULT 0,
	expense_minor INTEGER NOT NULL DEFAULT 0,
	PRIMARY KEY (company_id, contact_id, month)
) WITHOUT ROWID;

INSERT INTO ledger_owner_months (company_id, contact_id, month, income_minor, expense_minor)
	SELECT company_id, contact_id, month, SUM(CASE WHEN cls = 'income' THEN -amount ELSE 0 END),
		SUM(CASE WHEN cls = 'expense' THEN amount ELSE 0 END)
	FROM (SELECT oa.company_id, oa.contact_id, SUBSTR(t.effective_date, 1, 7) AS month, p.amount_minor AS amount,
			CASE WHEN COALESCE(orig.kind, t.kind) IN ('owner_contribution', 'owner_distribution') THEN 'transfer'
			WHEN COALESCE(orig.kind, t.kind) = 'owner_expense' THEN 'expense'
			WHEN (p.amount_minor < 0) = (t.kind <> 'reversal') THEN 'income'
			ELSE 'expense' END AS cls
		FROM ledger_postings p JOIN ledger_accounts oa ON oa.id = p.account_id JOIN ledger_transactions t ON t.id = p.transaction_id
		LEFT JOIN ledger_transactions orig ON orig.id = t.reverses_id
		WHERE oa.kind = 'owner') x
	WHERE cls <> 'transfer'
	GROUP BY company_id, contact_id, month;

CREATE TRIGGER ledger_owner_posting AFTER INSERT ON ledger_postings
	WHEN (SELECT kind FROM ledger_accounts WHERE id = NEW.account_id) = 'owner' BEGIN
	INSERT INTO ledger_owner_lines (company_id, contact_id, effective_date, transaction_id)
		SELECT oa.company_id, oa.contact_id, t.effective_date, t.id FROM ledger_accounts oa, ledger_transactions t
		WHERE oa.id = NEW.account_id AND t.id = NEW.transaction_id
		ON CONFLICT DO NOTHING;
	INSERT INTO ledger_owner_months (company_id, contact_id, month, income_minor, expense_minor)
		SELECT company_id, contact_id, month, CASE WHEN cls = 'income' THEN -NEW.amount_minor ELSE 0 END,
			CASE WHEN cls = 'expense' THEN NEW.amount_minor ELSE 0 END
		FROM (SELECT oa.company_id, oa.contact_id, SUBSTR(t.effective_date, 1, 7) AS month,
				CASE WHEN COALESCE(orig.kind, t.kind) IN ('owner_contribution', 'owner_distribution') THEN 'transfer'
				WHEN COALESCE(orig.kind, t.kind) = 'owner_expense' THEN 'expense'
				WHEN (NEW.amount_minor < 0) = (t.kind <> 'reversal') THEN 'income'
				ELSE 'expense' END AS cls
			FROM ledger_accounts oa JOIN ledger_transactions t ON t.id = NEW.transaction_id
			LEFT JOIN ledger_transactions orig ON orig.id = t.reverses_id
			WHERE oa.id = NEW.account_id) x
		WHERE cls <> 'transfer'
		ON CONFLICT (company_id, contact_id, month) DO UPDATE SET income_minor = income_minor + excluded.income_minor,
			expense_minor = expense_minor + excluded.expense_minor;
END;

-- Receivables list the leases whose account is not settled, largest
-- balance first: the index holds only those (among every lease the company
-- ever had) in the page's order, so a page is a keyset walk and the
-- totals read the index alone. kind leads after company_id so that the
-- planner prefers it to ledger_accounts_company_kind on equal terms.
CREATE INDEX ledger_accounts_receivable_open ON ledger_accounts (company_id, kind, balance_minor DESC, lease_id)
	WHERE kind = 'receivable' AND balance_minor <> 0;

-- The rent roll's leases in use: those not ended by today, which leaves
-- out the ended leases that pile up as tenants come and go.
CREATE INDEX leases_current ON leases (company_id, COALESCE(end_date, '9999-12-31'), unit_id) WHERE archived_at IS NULL;
