-- The lists' searches match what a person typed anywhere in a field, in
-- any case. LIKE '%…%' can only do that by reading every row of the
-- company, which at 100,000 requests is most of a second; these FTS5
-- indexes with the trigram tokenizer find the rows holding every trigram
-- of the query (three characters or more), and the same LIKE then checks
-- only those (see search.go), so what a search finds does not change.
--
-- detail='none': since the LIKE has the last word, the index needs no
-- positions, which makes it about a fifth of the size. Contentless
-- (content=''): the text is not stored twice. contentless_delete=1: a
-- trigger can drop a row by its rowid alone. The rowid is the id of the
-- row indexed; triggers keep the indexes current whoever writes the
-- tables.

-- Requests: summary, description and the label of the request's unit (the
-- list searches all three). The label is copied in so that one MATCH finds
-- every candidate: an OR of this index and units_fts would leave SQLite
-- walking the company's requests. A unit's new label is copied to its
-- requests.
CREATE VIRTUAL TABLE requests_fts USING fts5(summary, description, unit_label,
	content='', contentless_delete=1, detail='none', tokenize='trigram');
INSERT INTO requests_fts(rowid, summary, description, unit_label)
	SELECT r.id, r.summary, r.description, COALESCE(u.label, '') FROM requests r LEFT JOIN units u ON u.id = r.unit_id;
CREATE TRIGGER requests_fts_insert AFTER INSERT ON requests BEGIN
	INSERT INTO requests_fts(rowid, summary, description, unit_label)
		VALUES (NEW.id, NEW.summary, NEW.description, COALESCE((SELECT label FROM units WHERE id = NEW.unit_id), ''));
END;
CREATE TRIGGER requests_fts_update AFTER UPDATE OF summary, description, unit_id ON requests BEGIN
	DELETE FROM requests_fts WHERE rowid = OLD.id;
	INSERT INTO requests_fts(rowid, summary, description, unit_label)
		VALUES (NEW.id, NEW.summary, NEW.description, COALESCE((SELECT label FROM units WHERE id = NEW.unit_id), ''));
END;
CREATE TRIGGER requests_fts_delete AFTER DELETE ON requests BEGIN
	DELETE FROM requests_fts WHERE rowid = OLD.id;
END;

-- Units: the label.
CREATE VIRTUAL TABLE units_fts USING fts5(label, content='', contentless_delete=1, detail='none', tokenize='trigram');
INSERT INTO units_fts(rowid, label) SELECT id, label FROM units;
CREATE TRIGGER units_fts_insert AFTER INSERT ON units BEGIN
	INSERT INTO units_fts(rowid, label) VALUES (NEW.id, NEW.label);
END;
CREATE TRIGGER units_fts_update AFTER UPDATE OF label ON units BEGIN
	DELETE FROM units_fts WHERE rowid = OLD.id;
	INSERT INTO units_fts(rowid, label) VALUES (NEW.id, NEW.label);
	DELETE FROM requests_fts WHERE rowid IN (SELECT id FROM requests WHERE unit_id = NEW.id);
	INSERT INTO requests_fts(rowid, summary, description, unit_label)
		SELECT id, summary, description, NEW.label FROM requests WHERE unit_id = NEW.id;
END;
CREATE TRIGGER units_fts_delete AFTER DELETE ON units BEGIN
	DELETE FROM units_fts WHERE rowid = OLD.id;
END;

-- Properties: the name, first address line, city and postal code.
CREATE VIRTUAL TABLE properties_fts USING fts5(name, address_line1, city, postal_code,
	content='', contentless_delete=1, detail='none', tokenize='trigram');
INSERT INTO properties_fts(rowid, name, address_line1, city, postal_code)
	SELECT id, name, address_line1, city, postal_code FROM properties;
CREATE TRIGGER properties_fts_insert AFTER INSERT ON properties BEGIN
	INSERT INTO properties_fts(rowid, name, address_line1, city, postal_code)
		VALUES (NEW.id, NEW.name, NEW.address_line1, NEW.city, NEW.postal_code);
END;
CREATE TRIGGER properties_fts_update AFTER UPDATE OF name, address_line1, city, postal_code ON properties BEGIN
	DELETE FROM properties_fts WHERE rowid = OLD.id;
	INSERT INTO properties_fts(rowid, name, address_line1, city, postal_code)
		VALUES (NEW.id, NEW.name, NEW.address_line1, NEW.city, NEW.postal_code);
END;
CREATE TRIGGER properties_fts_delete AFTER DELETE ON properties BEGIN
	DELETE FROM properties_fts WHERE rowid = OLD.id;
END;

-- Contacts: the name. Their e-mail addresses have an index of their own,
-- one row per address, so a match never spans two addresses.
CREATE VIRTUAL TABLE contacts_fts USING fts5(name, content='', contentless_delete=1, detail='none', tokenize='trigram');
INSERT INTO contacts_fts(rowid, name) SELECT id, name FROM contacts;
CREATE TRIGGER contacts_fts_insert AFTER INSERT ON contacts BEGIN
	INSERT INTO contacts_fts(rowid, name) VALUES (NEW.id, NEW.name);
END;
CREATE TRIGGER contacts_fts_update AFTER UPDATE OF name ON contacts BEGIN
	DELETE FROM contacts_fts WHERE rowid = OLD.id;
	INSERT INTO contacts_fts(rowid, name) VALUES (NEW.id, NEW.name);
END;
CREATE TRIGGER contacts_fts_delete AFTER DELETE ON contacts BEGIN
	DELETE FROM contacts_fts WHERE rowid = OLD.id;
END;

CREATE VIRTUAL TABLE contact_emails_fts USING fts5(email, content='', contentless_delete=1, detail='none', tokenize='trigram');
INSERT INTO contact_emails_fts(rowid, email) SELECT id, email FROM contact_emails;
CREATE TRIGGER contact_emails_fts_insert AFTER INSERT ON contact_emails BEGIN
	INSERT INTO contact_emails_fts(rowid, email) VALUES (NEW.id, NEW.email);
END;
CREATE TRIGGER contact_emails_fts_update AFTER UPDATE OF email ON contact_emails BEGIN
	DELETE FROM contact_emails_fts WHERE rowid = OLD.id;
	INSERT INTO contact_emails_fts(rowid, email) VALUES (NEW.id, NEW.email);
END;
CREATE TRIGGER contact_emails_fts_delete AFTER DELETE ON contact_emails BEGIN
	DELETE FROM contact_emails_fts WHERE rowid = OLD.id;
END;
