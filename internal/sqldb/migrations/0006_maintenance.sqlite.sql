-- Maintenance (issue 3): categories with troubleshooting questions,
-- requests with their timeline, visits by operators (with the contractor
-- link), owner approvals, and stored files (photos, invoices, quotes).

-- A per-property approval limit: requests estimated under it skip owner
-- approval. NULL means every request with an estimate needs approval.
ALTER TABLE properties ADD COLUMN approval_limit_minor INTEGER;

-- Files are stored through internal/blob under a generated key; this row is
-- the only way to reach one, and every read checks scope first.
CREATE TABLE files (
	id           INTEGER PRIMARY KEY,
	company_id   INTEGER NOT NULL REFERENCES companies(id),
	storage_key  TEXT NOT NULL UNIQUE,
	name         TEXT NOT NULL,          -- as uploaded, for Content-Disposition
	content_type TEXT NOT NULL,          -- sniffed from the content, not the name
	size         INTEGER NOT NULL,
	sha256       TEXT NOT NULL,
	uploaded_by  TEXT NOT NULL DEFAULT '', -- who, as shown
	created_at   TEXT NOT NULL
);
CREATE INDEX files_company ON files(company_id, id);

CREATE TABLE maintenance_categories (
	id          INTEGER PRIMARY KEY,
	company_id  INTEGER NOT NULL REFERENCES companies(id),
	name        TEXT NOT NULL,
	position    INTEGER NOT NULL DEFAULT 0,
	archived_at TEXT
);
CREATE INDEX maintenance_categories_company ON maintenance_categories(company_id, position, id);

-- Troubleshooting questions asked when a resident picks the category.
-- kind: 'text' (free answer), 'yesno', or 'choice' (options, one per line).
CREATE TABLE category_questions (
	id          INTEGER PRIMARY KEY,
	company_id  INTEGER NOT NULL REFERENCES companies(id),
	category_id INTEGER NOT NULL REFERENCES maintenance_categories(id),
	prompt      TEXT NOT NULL,
	kind        TEXT NOT NULL DEFAULT 'text' CHECK (kind IN ('text','yesno','choice')),
	options     TEXT NOT NULL DEFAULT '',
	required    BOOLEAN NOT NULL DEFAULT FALSE,
	position    INTEGER NOT NULL DEFAULT 0,
	archived_at TEXT
);
CREATE INDEX category_questions_category ON category_questions(category_id, position, id);

-- status: submitted, awaiting_approval, approved, declined, assigned,
-- scheduled, in_progress, completed, closed, cancelled (lintel.RequestStatus).
-- version increases on every status change: a change names the version it
-- saw, so two concurrent decisions make exactly one transition.
CREATE TABLE requests (
	id                    INTEGER PRIMARY KEY,
	company_id            INTEGER NOT NULL REFERENCES companies(id),
	property_id           INTEGER NOT NULL REFERENCES properties(id),
	unit_id               INTEGER REFERENCES units(id),
	lease_id              INTEGER REFERENCES leases(id),      -- the tenants' lease, when a tenant asked
	category_id           INTEGER REFERENCES maintenance_categories(id),
	category_name         TEXT NOT NULL DEFAULT '',           -- as it was when submitted
	requested_by_user_id  INTEGER REFERENCES users(id),       -- the resident who submitted
	requested_by_contact_id INTEGER REFERENCES contacts(id),  -- their contact record in this company
	created_by_staff_id   INTEGER REFERENCES users(id),       -- staff who entered it (on behalf of a tenant)
	summary               TEXT NOT NULL,                      -- resident-visible
	description           TEXT NOT NULL DEFAULT '',           -- what the resident wrote / staff and contractor detail
	occurred_on           TEXT,
	access_times          TEXT NOT NULL DEFAULT '',           -- preferred access windows, one per line
	permission_to_enter   BOOLEAN NOT NULL DEFAULT FALSE,
	pets                  TEXT NOT NULL DEFAULT '',
	priority              TEXT NOT NULL DEFAULT 'normal' CHECK (priority IN ('low','normal','high','emergency')),
	status                TEXT NOT NULL DEFAULT 'submitted',
	version               INTEGER NOT NULL DEFAULT 1,
	staff_notes           TEXT NOT NULL DEFAULT '',
	created_at            TEXT NOT NULL,
	updated_at            TEXT NOT NULL,
	closed_at             TEXT
);
CREATE INDEX requests_company_status ON requests(company_id, status, id);
CREATE INDEX requests_company_id ON requests(company_id, id);
CREATE INDEX requests_property ON requests(property_id, id);
CREATE INDEX requests_unit ON requests(unit_id, id);
CREATE INDEX requests_lease ON requests(lease_id, id);

-- Answers to the category's questions, with the question as it was asked.
CREATE TABLE request_answers (
	id          INTEGER PRIMARY KEY,
	company_id  INTEGER NOT NULL REFERENCES companies(id),
	request_id  INTEGER NOT NULL REFERENCES requests(id),
	question_id INTEGER REFERENCES category_questions(id),
	prompt      TEXT NOT NULL,
	answer      TEXT NOT NULL,
	position    INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX request_answers_request ON request_answers(request_id, position);

-- The timeline: status changes, notes, visits, photos, decisions.
-- audience: 'residents' (shown to tenants and owners, and staff),
-- 'staff' (staff only).
CREATE TABLE request_events (
	id          INTEGER PRIMARY KEY,
	company_id  INTEGER NOT NULL REFERENCES companies(id),
	request_id  INTEGER NOT NULL REFERENCES requests(id),
	visit_id    INTEGER,
	kind        TEXT NOT NULL,           -- e.g. status, note, visit, photo, approval
	audience    TEXT NOT NULL CHECK (audience IN ('residents','staff')),
	actor       TEXT NOT NULL DEFAULT '',
	body        TEXT NOT NULL DEFAULT '',
	created_at  TEXT NOT NULL
);
CREATE INDEX request_events_request ON request_events(request_id, id);

-- One trip by one operator. token_hash is the contractor link (SHA-256 of
-- a 256-bit token); revoked when reassigned or by the manager; it also
-- dies a set time after the request closes.
CREATE TABLE visits (
	id                   INTEGER PRIMARY KEY,
	company_id           INTEGER NOT NULL REFERENCES companies(id),
	request_id           INTEGER NOT NULL REFERENCES requests(id),
	operator_id          INTEGER NOT NULL REFERENCES contacts(id),
	status               TEXT NOT NULL DEFAULT 'assigned'
	                     CHECK (status IN ('assigned','scheduled','completed','unable','reassigned','cancelled')),
	scheduled_at         TEXT,
	tenant_notes         TEXT NOT NULL DEFAULT '',
	manager_notes        TEXT NOT NULL DEFAULT '',
	outcome_reason       TEXT NOT NULL DEFAULT '',   -- unable to complete: why
	follow_up            TEXT NOT NULL DEFAULT '' CHECK (follow_up IN ('','return','other_operator')),
	follow_up_reason     TEXT NOT NULL DEFAULT '',
	invoice_number       TEXT NOT NULL DEFAULT '',
	invoice_date         TEXT,
	invoice_amount_minor INTEGER,
	invoice_tax_minor    INTEGER,
	invoice_file_id      INTEGER REFERENCES files(id),
	token_hash           TEXT UNIQUE,
	token_revoked_at     TEXT,
	token_last_opened_at TEXT,
	created_at           TEXT NOT NULL,
	updated_at           TEXT NOT NULL,
	completed_at         TEXT
);
CREATE INDEX visits_request ON visits(request_id, id);
CREATE INDEX visits_operator ON visits(operator_id, id);

-- Photos of a request: from the resident when submitting, or from the
-- operator on a visit (before/after).
CREATE TABLE request_photos (
	id            INTEGER PRIMARY KEY,
	company_id    INTEGER NOT NULL REFERENCES companies(id),
	request_id    INTEGER NOT NULL REFERENCES requests(id),
	visit_id      INTEGER REFERENCES visits(id),
	file_id       INTEGER NOT NULL REFERENCES files(id),
	thumb_file_id INTEGER REFERENCES files(id),
	phase         TEXT NOT NULL DEFAULT 'resident' CHECK (phase IN ('resident','before','after','other')),
	caption       TEXT NOT NULL DEFAULT '',
	created_at    TEXT NOT NULL
);
CREATE INDEX request_photos_request ON request_photos(request_id, id);

-- A manager asks the owners of the asset to approve a request. The first
-- owner's decision counts; the others see it.
CREATE TABLE approvals (
	id                    INTEGER PRIMARY KEY,
	company_id            INTEGER NOT NULL REFERENCES companies(id),
	request_id            INTEGER NOT NULL REFERENCES requests(id),
	estimate_minor        INTEGER NOT NULL,
	notes                 TEXT NOT NULL DEFAULT '',
	quote_file_id         INTEGER REFERENCES files(id),
	status                TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending','approved','declined','withdrawn')),
	decided_by_contact_id INTEGER REFERENCES contacts(id),
	decided_by_user_id    INTEGER REFERENCES users(id),
	decision_comment      TEXT NOT NULL DEFAULT '',
	decided_at            TEXT,
	requested_by_user_id  INTEGER REFERENCES users(id),
	reminder_count        INTEGER NOT NULL DEFAULT 0,
	last_reminder_at      TEXT,
	created_at            TEXT NOT NULL
);
CREATE INDEX approvals_request ON approvals(request_id, id);
CREATE INDEX approvals_pending ON approvals(status, created_at);

-- One-click links in approval e-mails, one per owner: they open the
-- decision page (which still needs a confirming POST).
CREATE TABLE approval_links (
	token_hash  TEXT PRIMARY KEY,
	approval_id INTEGER NOT NULL REFERENCES approvals(id),
	contact_id  INTEGER NOT NULL REFERENCES contacts(id),
	expires_at  TEXT NOT NULL
);
