-- The ledger (issue 5; DESIGN.md "Billing"). Double-entry in integer minor
-- units of the company's currency: every transaction's postings sum to zero.
-- Transactions, postings and allocations are append-only (triggers below):
-- a correction is a reversal, never an edit.

ALTER TABLE companies ADD COLUMN next_receipt_number INTEGER NOT NULL DEFAULT 1;
ALTER TABLE properties ADD COLUMN management_fee_bp INTEGER NOT NULL DEFAULT 0 CHECK (management_fee_bp BETWEEN 0 AND 10000);
ALTER TABLE leases ADD COLUMN late_fee_minor INTEGER NOT NULL DEFAULT 0 CHECK (late_fee_minor >= 0);
ALTER TABLE leases ADD COLUMN late_fee_grace_days INTEGER NOT NULL DEFAULT 5 CHECK (late_fee_grace_days BETWEEN 0 AND 60);

-- An account: the bank (one per company), a lease's receivable or deposits
-- held, an owner's balance on one asset (unit_id NULL = whole property), or
-- an income/expense category of a property. balance_minor is a cache of
-- SUM(postings) kept in the posting transaction; `lintel check` compares.
CREATE TABLE ledger_accounts (
	id            INTEGER PRIMARY KEY,
	company_id    INTEGER NOT NULL REFERENCES companies(id),
	kind          TEXT NOT NULL CHECK (kind IN ('bank','receivable','deposits','owner','income','expense')),
	lease_id      INTEGER REFERENCES leases(id),
	contact_id    INTEGER REFERENCES contacts(id),
	property_id   INTEGER REFERENCES properties(id),
	unit_id       INTEGER REFERENCES units(id),
	category      TEXT NOT NULL DEFAULT '',
	balance_minor INTEGER NOT NULL DEFAULT 0,
	created_at    TEXT NOT NULL
);
CREATE UNIQUE INDEX ledger_accounts_key ON ledger_accounts(company_id, kind, COALESCE(lease_id, 0),
	COALESCE(contact_id, 0), COALESCE(property_id, 0), COALESCE(unit_id, 0), category);
-- An owner's accounts across assets; receivables of a company.
CREATE INDEX ledger_accounts_contact ON ledger_accounts(contact_id) WHERE contact_id IS NOT NULL;
CREATE INDEX ledger_accounts_company_kind ON ledger_accounts(company_id, kind, lease_id);

CREATE TABLE ledger_transactions (
	id              INTEGER PRIMARY KEY,
	company_id      INTEGER NOT NULL REFERENCES companies(id),
	kind            TEXT NOT NULL CHECK (kind IN ('charge','payment','credit','reversal','owner_contribution','owner_distribution','owner_expense')),
	category        TEXT NOT NULL DEFAULT '',
	lease_id        INTEGER REFERENCES leases(id),
	property_id     INTEGER REFERENCES properties(id),
	unit_id         INTEGER REFERENCES units(id),
	contact_id      INTEGER REFERENCES contacts(id),       -- the owner, for owner entries
	request_id      INTEGER REFERENCES requests(id),
	description     TEXT NOT NULL,
	effective_date  TEXT NOT NULL,                        -- charge: due date; payment: date received
	amount_minor    INTEGER NOT NULL CHECK (amount_minor > 0),
	method          TEXT NOT NULL DEFAULT '',
	reference       TEXT NOT NULL DEFAULT '',
	reverses_id     INTEGER UNIQUE REFERENCES ledger_transactions(id), -- reversed at most once
	receipt_number  INTEGER,
	period          TEXT,                                 -- 'YYYY-MM' for recurring rent
	idempotency_key TEXT NOT NULL,
	created_by      TEXT NOT NULL,
	created_at      TEXT NOT NULL,
	UNIQUE (company_id, idempotency_key),
	UNIQUE (company_id, receipt_number)
);
-- Recurring rent: one charge per lease and period, whoever runs the job.
CREATE UNIQUE INDEX ledger_transactions_period ON ledger_transactions(company_id, lease_id, period) WHERE period IS NOT NULL;
-- A lease's lines newest first (keyset on effective_date, id), and its open
-- charges. company_id leads so that a query naming both the company and the
-- lease (every scoped one) picks these over the company's date index, which
-- would walk all of the company's rows.
CREATE INDEX ledger_transactions_lease ON ledger_transactions(company_id, lease_id, effective_date, id);
CREATE INDEX ledger_transactions_lease_kind ON ledger_transactions(company_id, lease_id, kind, effective_date, id);
-- Company-wide reports by date (receivables, jobs).
CREATE INDEX ledger_transactions_company ON ledger_transactions(company_id, effective_date, id);
CREATE INDEX ledger_transactions_contact ON ledger_transactions(contact_id, effective_date, id) WHERE contact_id IS NOT NULL;
CREATE INDEX ledger_transactions_request ON ledger_transactions(request_id) WHERE request_id IS NOT NULL;

-- Which payment or credit paid which charge, and how much.
CREATE TABLE ledger_allocations (
	id           INTEGER PRIMARY KEY,
	company_id   INTEGER NOT NULL REFERENCES companies(id),
	source_id    INTEGER NOT NULL REFERENCES ledger_transactions(id),
	charge_id    INTEGER NOT NULL REFERENCES ledger_transactions(id),
	amount_minor INTEGER NOT NULL CHECK (amount_minor > 0),
	created_at   TEXT NOT NULL
);
CREATE INDEX ledger_allocations_source ON ledger_allocations(source_id);
CREATE INDEX ledger_allocations_charge ON ledger_allocations(charge_id);

CREATE TABLE ledger_postings (
	id             INTEGER PRIMARY KEY,
	company_id     INTEGER NOT NULL REFERENCES companies(id),
	transaction_id INTEGER NOT NULL REFERENCES ledger_transactions(id),
	account_id     INTEGER NOT NULL REFERENCES ledger_accounts(id),
	amount_minor   INTEGER NOT NULL CHECK (amount_minor <> 0), -- signed: debit positive
	-- The owners' share and management fee of rent a payment paid are
	-- posted per allocation; the link lets a reversal undo exactly those.
	allocation_id  INTEGER REFERENCES ledger_allocations(id)
);
CREATE INDEX ledger_postings_transaction ON ledger_postings(transaction_id);
CREATE INDEX ledger_postings_account ON ledger_postings(account_id, transaction_id);
CREATE INDEX ledger_postings_allocation ON ledger_postings(allocation_id) WHERE allocation_id IS NOT NULL;


-- Append-only: corrections are reversals (SECURITY.md 22).
CREATE TRIGGER ledger_transactions_no_update BEFORE UPDATE ON ledger_transactions BEGIN SELECT RAISE(ABORT, 'the ledger is append-only: post a reversal instead'); END;
CREATE TRIGGER ledger_transactions_no_delete BEFORE DELETE ON ledger_transactions BEGIN SELECT RAISE(ABORT, 'the ledger is append-only: post a reversal instead'); END;
CREATE TRIGGER ledger_postings_no_update BEFORE UPDATE ON ledger_postings BEGIN SELECT RAISE(ABORT, 'the ledger is append-only: post a reversal instead'); END;
CREATE TRIGGER ledger_postings_no_delete BEFORE DELETE ON ledger_postings BEGIN SELECT RAISE(ABORT, 'the ledger is append-only: post a reversal instead'); END;
CREATE TRIGGER ledger_allocations_no_update BEFORE UPDATE ON ledger_allocations BEGIN SELECT RAISE(ABORT, 'the ledger is append-only: post a reversal instead'); END;
CREATE TRIGGER ledger_allocations_no_delete BEFORE DELETE ON ledger_allocations BEGIN SELECT RAISE(ABORT, 'the ledger is append-only: post a reversal instead'); END;
