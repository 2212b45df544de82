-- The cached balances (ledger_accounts) move a second version per company,
-- beside records_versions.version: the rent roll keeps its totals (rent,
-- deposits held and balances over every unit) until either changes.
ALTER TABLE records_versions ADD COLUMN ledger_version BIGINT NOT NULL DEFAULT 0;

CREATE FUNCTION bump_ledger_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	INSERT INTO records_versions AS v (company_id, version, ledger_version)
		SELECT DISTINCT company_id, 0, 1 FROM changed
		ON CONFLICT (company_id) DO UPDATE SET ledger_version = v.ledger_version + 1;
	RETURN NULL;
END
$$;

CREATE TRIGGER ledger_accounts_versions_insert AFTER INSERT ON ledger_accounts
	REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION bump_ledger_version();
CREATE TRIGGER ledger_accounts_versions_update AFTER UPDATE ON ledger_accounts
	REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION bump_ledger_version();
CREATE TRIGGER ledger_accounts_versions_delete AFTER DELETE ON ledger_accounts
	REFERENCING OLD TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION bump_ledger_version();
