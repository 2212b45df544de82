-- Documents (issue 4, points 4–6): files a manager shares with a lease, a
-- unit, a property (all its owners) or a contact, and the e-mail that
-- carries one as an attachment.

-- A document is a stored file (files, through internal/blob) with a title
-- and a category (lintel.DocumentCategory). Archived ones leave every list,
-- the portal's included.
CREATE TABLE documents (
	id                  INTEGER PRIMARY KEY,
	company_id          INTEGER NOT NULL REFERENCES companies(id),
	file_id             INTEGER NOT NULL REFERENCES files(id),
	title               TEXT NOT NULL,
	category            TEXT NOT NULL,
	uploaded_by_user_id INTEGER REFERENCES users(id),
	uploaded_by         TEXT NOT NULL DEFAULT '', -- who, as shown
	created_at          TEXT NOT NULL,
	updated_at          TEXT NOT NULL,
	archived_at         TEXT
);
-- The manager's list, newest first, whole or by category (keyset on id).
CREATE INDEX documents_company ON documents(company_id, id);
CREATE INDEX documents_company_category ON documents(company_id, category, id);

-- A share names exactly one target. Unsharing sets removed_at (the row
-- stays, so the audit trail and "who could see it when" survive).
CREATE TABLE document_shares (
	id                INTEGER PRIMARY KEY,
	company_id        INTEGER NOT NULL REFERENCES companies(id),
	document_id       INTEGER NOT NULL REFERENCES documents(id),
	lease_id          INTEGER REFERENCES leases(id),
	unit_id           INTEGER REFERENCES units(id),
	property_id       INTEGER REFERENCES properties(id),
	contact_id        INTEGER REFERENCES contacts(id),
	shared_by_user_id INTEGER REFERENCES users(id),
	shared_by         TEXT NOT NULL DEFAULT '',
	created_at        TEXT NOT NULL,
	removed_at        TEXT,
	removed_by        TEXT NOT NULL DEFAULT '',
	CHECK ((lease_id IS NOT NULL) + (unit_id IS NOT NULL) + (property_id IS NOT NULL) + (contact_id IS NOT NULL) = 1)
);
-- One live share per document and target.
CREATE UNIQUE INDEX document_shares_live ON document_shares(document_id, COALESCE(lease_id, 0), COALESCE(unit_id, 0),
	COALESCE(property_id, 0), COALESCE(contact_id, 0)) WHERE removed_at IS NULL;
-- The portal's look-ups start from a lease, unit, property or contact.
CREATE INDEX document_shares_lease ON document_shares(lease_id, document_id);
CREATE INDEX document_shares_unit ON document_shares(unit_id, document_id);
CREATE INDEX document_shares_property ON document_shares(property_id, document_id);
CREATE INDEX document_shares_contact ON document_shares(contact_id, document_id);

-- An outbox message may carry one stored file as an attachment; the mail
-- worker reads it from the file store when it sends.
ALTER TABLE outbox ADD COLUMN attachment_file_id INTEGER REFERENCES files(id);
