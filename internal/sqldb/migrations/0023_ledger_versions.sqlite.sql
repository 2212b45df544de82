-- The cached balances (ledger_accounts) move a second version per company,
-- beside records_versions.version: the rent roll keeps its totals (rent,
-- deposits held and balances over every unit) until either changes.
ALTER TABLE records_versions ADD COLUMN ledger_version INTEGER NOT NULL DEFAULT 0;

CREATE TRIGGER ledger_accounts_versions_insert AFTER INSERT ON ledger_accounts BEGIN
	INSERT INTO records_versions (company_id, version, ledger_version) VALUES (NEW.company_id, 0, 1)
		ON CONFLICT (company_id) DO UPDATE SET ledger_version = ledger_version + 1;
END;

CREATE TRIGGER ledger_accounts_versions_update AFTER UPDATE ON ledger_accounts BEGIN
	INSERT INTO records_versions (company_id, version, ledger_version) VALUES (NEW.company_id, 0, 1)
		ON CONFLICT (company_id) DO UPDATE SET ledger_version = ledger_version + 1;
END;

CREATE TRIGGER ledger_accounts_versions_delete AFTER DELETE ON ledger_accounts BEGIN
	INSERT INTO records_versions (company_id, version, ledger_version) VALUES (OLD.company_id, 0, 1)
		ON CONFLICT (company_id) DO UPDATE SET ledger_version = ledger_version + 1;
END;
