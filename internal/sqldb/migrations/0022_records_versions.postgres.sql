-- The records the manager's dashboard counts (properties, units, contacts,
-- leases and who is on them, ownerships) carry a version per company that
-- every change to them moves on: the dashboard keeps its counts, which read
-- the whole company, until the version or the day changes. Statement
-- triggers: one bump per statement and company, however many rows.
CREATE TABLE records_versions (
	company_id BIGINT PRIMARY KEY REFERENCES companies(id),
	version    BIGINT NOT NULL
);

CREATE FUNCTION bump_records_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	INSERT INTO records_versions AS v (company_id, version)
		SELECT DISTINCT company_id, 1 FROM changed
		ON CONFLICT (company_id) DO UPDATE SET version = v.version + 1;
	RETURN NULL;
END
$$;

CREATE TRIGGER properties_records_insert AFTER INSERT ON properties
	REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION bump_records_version();
CREATE TRIGGER properties_records_update AFTER UPDATE ON properties
	REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION bump_records_version();
CREATE TRIGGER properties_records_delete AFTER DELETE ON properties
	REFERENCING OLD TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION bump_records_version();
CREATE TRIGGER units_records_insert AFTER INSERT ON units
	REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION bump_records_version();
CREATE TRIGGER units_records_update AFTER UPDATE ON units
	REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION bump_records_version();
CREATE TRIGGER units_records_delete AFTER DELETE ON units
	REFERENCING OLD TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION bump_records_version();
CREATE TRIGGER contacts_records_insert AFTER INSERT ON contacts
	REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION bump_records_version();
CREATE TRIGGER contacts_records_update AFTER UPDATE ON contacts
	REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION bump_records_version();
CREATE TRIGGER contacts_records_delete AFTER DELETE ON contacts
	REFERENCING OLD TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION bump_records_version();
CREATE TRIGGER leases_records_insert AFTER INSERT ON leases
	REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION bump_records_version();
CREATE TRIGGER leases_records_update AFTER UPDATE ON leases
	REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION bump_records_version();
CREATE TRIGGER leases_records_delete AFTER DELETE ON leases
	REFERENCING OLD TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION bump_records_version();
CREATE TRIGGER lease_tenants_records_insert AFTER INSERT ON lease_tenants
	REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION bump_records_version();
CREATE TRIGGER lease_tenants_records_update AFTER UPDATE ON lease_tenants
	REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION bump_records_version();
CREATE TRIGGER lease_tenants_records_delete AFTER DELETE ON lease_tenants
	REFERENCING OLD TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION bump_records_version();
CREATE TRIGGER ownerships_records_insert AFTER INSERT ON ownerships
	REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION bump_records_version();
CREATE TRIGGER ownerships_records_update AFTER UPDATE ON ownerships
	REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION bump_records_version();
CREATE TRIGGER ownerships_records_delete AFTER DELETE ON ownerships
	REFERENCING OLD TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION bump_records_version();
