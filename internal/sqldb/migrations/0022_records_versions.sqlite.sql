-- The records the manager's dashboard counts (properties, units, contacts,
-- leases and who is on them, ownerships) carry a version per company that
-- every change to them moves on: the dashboard keeps its counts, which read
-- the whole company, until the version or the day changes.
CREATE TABLE records_versions (
	company_id INTEGER PRIMARY KEY REFERENCES companies(id),
	version    INTEGER NOT NULL
);

CREATE TRIGGER properties_records_insert AFTER INSERT ON properties BEGIN
	INSERT INTO records_versions (company_id, version) VALUES (NEW.company_id, 1)
		ON CONFLICT (company_id) DO UPDATE SET version = version + 1;
END;

CREATE TRIGGER properties_records_update AFTER UPDATE ON properties BEGIN
	INSERT INTO records_versions (company_id, version) VALUES (NEW.company_id, 1)
		ON CONFLICT (company_id) DO UPDATE SET version = version + 1;
END;

CREATE TRIGGER properties_records_delete AFTER DELETE ON properties BEGIN
	INSERT INTO records_versions (company_id, version) VALUES (OLD.company_id, 1)
		ON CONFLICT (company_id) DO UPDATE SET version = version + 1;
END;

CREATE TRIGGER units_records_insert AFTER INSERT ON units BEGIN
	INSERT INTO records_versions (company_id, version) VALUES (NEW.company_id, 1)
		ON CONFLICT (company_id) DO UPDATE SET version = version + 1;
END;

CREATE TRIGGER units_records_update AFTER UPDATE ON units BEGIN
	INSERT INTO records_versions (company_id, version) VALUES (NEW.company_id, 1)
		ON CONFLICT (company_id) DO UPDATE SET version = version + 1;
END;

CREATE TRIGGER units_records_delete AFTER DELETE ON units BEGIN
	INSERT INTO records_versions (company_id, version) VALUES (OLD.company_id, 1)
		ON CONFLICT (company_id) DO UPDATE SET version = version + 1;
END;

CREATE TRIGGER contacts_records_insert AFTER INSERT ON contacts BEGIN
	INSERT INTO records_versions (company_id, version) VALUES (NEW.company_id, 1)
		ON CONFLICT (company_id) DO UPDATE SET version = version + 1;
END;

CREATE TRIGGER contacts_records_update AFTER UPDATE ON contacts BEGIN
	INSERT INTO records_versions (company_id, version) VALUES (NEW.company_id, 1)
		ON CONFLICT (company_id) DO UPDATE SET version = version + 1;
END;

CREATE TRIGGER contacts_records_delete AFTER DELETE ON contacts BEGIN
	INSERT INTO records_versions (company_id, version) VALUES (OLD.company_id, 1)
		ON CONFLICT (company_id) DO UPDATE SET version = version + 1;
END;

CREATE TRIGGER leases_records_insert AFTER INSERT ON leases BEGIN
	INSERT INTO records_versions (company_id, version) VALUES (NEW.company_id, 1)
		ON CONFLICT (company_id) DO UPDATE SET version = version + 1;
END;

CREATE TRIGGER leases_records_update AFTER UPDATE ON leases BEGIN
	INSERT INTO records_versions (company_id, version) VALUES (NEW.company_id, 1)
		ON CONFLICT (company_id) DO UPDATE SET version = version + 1;
END;

CREATE TRIGGER leases_records_delete AFTER DELETE ON leases BEGIN
	INSERT INTO records_versions (company_id, version) VALUES (OLD.company_id, 1)
		ON CONFLICT (company_id) DO UPDATE SET version = version + 1;
END;

CREATE TRIGGER lease_tenants_records_insert AFTER INSERT ON lease_tenants BEGIN
	INSERT INTO records_versions (company_id, version) VALUES (NEW.company_id, 1)
		ON CONFLICT (company_id) DO UPDATE SET version = version + 1;
END;

CREATE TRIGGER lease_tenants_records_update AFTER UPDATE ON lease_tenants BEGIN
	INSERT INTO records_versions (company_id, version) VALUES (NEW.company_id, 1)
		ON CONFLICT (company_id) DO UPDATE SET version = version + 1;
END;

CREATE TRIGGER lease_tenants_records_delete AFTER DELETE ON lease_tenants BEGIN
	INSERT INTO records_versions (company_id, version) VALUES (OLD.company_id, 1)
		ON CONFLICT (company_id) DO UPDATE SET version = version + 1;
END;

CREATE TRIGGER ownerships_records_insert AFTER INSERT ON ownerships BEGIN
	INSERT INTO records_versions (company_id, version) VALUES (NEW.company_id, 1)
		ON CONFLICT (company_id) DO UPDATE SET version = version + 1;
END;

CREATE TRIGGER ownerships_records_update AFTER UPDATE ON ownerships BEGIN
	INSERT INTO records_versions (company_id, version) VALUES (NEW.company_id, 1)
		ON CONFLICT (company_id) DO UPDATE SET version = version + 1;
END;

CREATE TRIGGER ownerships_records_delete AFTER DELETE ON ownerships BEGIN
	INSERT INTO records_versions (company_id, version) VALUES (OLD.company_id, 1)
		ON CONFLICT (company_id) DO UPDATE SET version = version + 1;
END;
