-- Foundation schema, SQLite dialect. Instants are TEXT in the fixed-width
-- UTC form 2006-01-02T15:04:05.000000Z (sorts correctly as text on both
-- databases); calendar days are TEXT YYYY-MM-DD; money is INTEGER minor units.

CREATE TABLE companies (
	id          INTEGER PRIMARY KEY,
	name        TEXT NOT NULL,
	currency    TEXT NOT NULL DEFAULT 'USD',
	email       TEXT NOT NULL DEFAULT '',
	phone       TEXT NOT NULL DEFAULT '',
	address     TEXT NOT NULL DEFAULT '',
	created_at  TEXT NOT NULL
);

CREATE TABLE users (
	id                INTEGER PRIMARY KEY,
	email             TEXT NOT NULL UNIQUE,       -- lower-case
	name              TEXT NOT NULL DEFAULT '',
	phone             TEXT NOT NULL DEFAULT '',
	password_hash     TEXT NOT NULL DEFAULT '',
	email_verified_at TEXT,
	disabled_at       TEXT,
	created_at        TEXT NOT NULL,
	updated_at        TEXT NOT NULL
);

CREATE TABLE memberships (
	company_id  INTEGER NOT NULL REFERENCES companies(id),
	user_id     INTEGER NOT NULL REFERENCES users(id),
	role        TEXT NOT NULL CHECK (role IN ('admin','manager','bookkeeper','maintenance')),
	created_at  TEXT NOT NULL,
	disabled_at TEXT,
	PRIMARY KEY (company_id, user_id)
);
CREATE INDEX memberships_user ON memberships(user_id);

CREATE TABLE sessions (
	token_hash   TEXT PRIMARY KEY,               -- SHA-256 of the cookie value
	user_id      INTEGER NOT NULL REFERENCES users(id),
	company_id   INTEGER REFERENCES companies(id), -- the staff member's current company
	created_at   TEXT NOT NULL,
	last_seen_at TEXT NOT NULL,
	idle_until   TEXT NOT NULL,
	expires_at   TEXT NOT NULL,
	flash        TEXT NOT NULL DEFAULT '',
	ip           TEXT NOT NULL DEFAULT '',
	user_agent   TEXT NOT NULL DEFAULT ''
);
CREATE INDEX sessions_user ON sessions(user_id);

-- One-time tokens e-mailed to people: resident sign-up, password reset,
-- staff invitations, portal welcome. Stored as SHA-256 only.
CREATE TABLE tokens (
	token_hash  TEXT PRIMARY KEY,
	purpose     TEXT NOT NULL CHECK (purpose IN ('signup','reset','staff_invite')),
	email       TEXT NOT NULL,
	user_id     INTEGER REFERENCES users(id),
	company_id  INTEGER REFERENCES companies(id),
	role        TEXT,
	created_by  INTEGER REFERENCES users(id),
	created_at  TEXT NOT NULL,
	expires_at  TEXT NOT NULL,
	used_at     TEXT
);
CREATE INDEX tokens_email ON tokens(email);

-- Failed-attempt counters for throttling, shared by every node.
CREATE TABLE throttle (
	key        TEXT PRIMARY KEY,
	failures   INTEGER NOT NULL,
	window_end TEXT NOT NULL,
	locked_until TEXT
);

CREATE TABLE properties (
	id             INTEGER PRIMARY KEY,
	company_id     INTEGER NOT NULL REFERENCES companies(id),
	name           TEXT NOT NULL,
	kind           TEXT NOT NULL DEFAULT 'residential',
	address_line1  TEXT NOT NULL DEFAULT '',
	address_line2  TEXT NOT NULL DEFAULT '',
	city           TEXT NOT NULL DEFAULT '',
	region         TEXT NOT NULL DEFAULT '',
	postal_code    TEXT NOT NULL DEFAULT '',
	country        TEXT NOT NULL DEFAULT '',
	notes          TEXT NOT NULL DEFAULT '',
	created_at     TEXT NOT NULL,
	updated_at     TEXT NOT NULL,
	archived_at    TEXT
);
CREATE INDEX properties_company_name ON properties(company_id, name, id);

CREATE TABLE units (
	id             INTEGER PRIMARY KEY,
	company_id     INTEGER NOT NULL REFERENCES companies(id),
	property_id    INTEGER NOT NULL REFERENCES properties(id),
	label          TEXT NOT NULL,
	common_area    BOOLEAN NOT NULL DEFAULT FALSE,
	bedrooms       INTEGER,
	bathrooms_half INTEGER,                        -- in half bathrooms: 3 = 1.5
	area_sqft      INTEGER,
	notes          TEXT NOT NULL DEFAULT '',
	created_at     TEXT NOT NULL,
	updated_at     TEXT NOT NULL,
	archived_at    TEXT
);
CREATE INDEX units_company_label ON units(company_id, label, id);
CREATE INDEX units_property ON units(property_id, label, id);

CREATE TABLE contacts (
	id               INTEGER PRIMARY KEY,
	company_id       INTEGER NOT NULL REFERENCES companies(id),
	name             TEXT NOT NULL,
	is_organization  BOOLEAN NOT NULL DEFAULT FALSE,
	is_tenant        BOOLEAN NOT NULL DEFAULT FALSE,
	is_owner         BOOLEAN NOT NULL DEFAULT FALSE,
	is_operator      BOOLEAN NOT NULL DEFAULT FALSE,
	trades           TEXT NOT NULL DEFAULT '',     -- operators: comma-separated
	insurance_expiry TEXT,                          -- operators
	notes            TEXT NOT NULL DEFAULT '',
	portal_invited_at TEXT,
	created_at       TEXT NOT NULL,
	updated_at       TEXT NOT NULL,
	archived_at      TEXT
);
CREATE INDEX contacts_company_name ON contacts(company_id, name, id);

CREATE TABLE contact_emails (
	id          INTEGER PRIMARY KEY,
	company_id  INTEGER NOT NULL REFERENCES companies(id),
	contact_id  INTEGER NOT NULL REFERENCES contacts(id),
	email       TEXT NOT NULL,                     -- lower-case
	label       TEXT NOT NULL DEFAULT '',
	position    INTEGER NOT NULL DEFAULT 0,
	UNIQUE (contact_id, email)
);
CREATE INDEX contact_emails_email ON contact_emails(email);

CREATE TABLE contact_phones (
	id          INTEGER PRIMARY KEY,
	company_id  INTEGER NOT NULL REFERENCES companies(id),
	contact_id  INTEGER NOT NULL REFERENCES contacts(id),
	phone       TEXT NOT NULL,
	label       TEXT NOT NULL DEFAULT '',
	position    INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX contact_phones_contact ON contact_phones(contact_id);

-- An owner contact owns a whole property (unit_id NULL) or one unit.
CREATE TABLE ownerships (
	id           INTEGER PRIMARY KEY,
	company_id   INTEGER NOT NULL REFERENCES companies(id),
	contact_id   INTEGER NOT NULL REFERENCES contacts(id),
	property_id  INTEGER NOT NULL REFERENCES properties(id),
	unit_id      INTEGER REFERENCES units(id),
	share_bp     INTEGER NOT NULL CHECK (share_bp > 0 AND share_bp <= 10000),
	start_date   TEXT,
	end_date     TEXT,
	created_at   TEXT NOT NULL,
	updated_at   TEXT NOT NULL,
	archived_at  TEXT
);
CREATE INDEX ownerships_contact ON ownerships(contact_id);
CREATE INDEX ownerships_property ON ownerships(property_id);
CREATE INDEX ownerships_unit ON ownerships(unit_id);

-- A lease's status is derived from its dates (see lintel.LeaseStatus), so it
-- can never go stale as days pass.
CREATE TABLE leases (
	id              INTEGER PRIMARY KEY,
	company_id      INTEGER NOT NULL REFERENCES companies(id),
	unit_id         INTEGER NOT NULL REFERENCES units(id),
	start_date      TEXT NOT NULL,
	end_date        TEXT,
	month_to_month  BOOLEAN NOT NULL DEFAULT FALSE,
	rent_minor      INTEGER NOT NULL DEFAULT 0,
	rent_due_day    INTEGER NOT NULL DEFAULT 1 CHECK (rent_due_day BETWEEN 1 AND 28),
	deposit_minor   INTEGER NOT NULL DEFAULT 0,
	notes           TEXT NOT NULL DEFAULT '',
	created_at      TEXT NOT NULL,
	updated_at      TEXT NOT NULL,
	archived_at     TEXT
);
CREATE INDEX leases_company_start ON leases(company_id, start_date, id);
CREATE INDEX leases_unit ON leases(unit_id);

CREATE TABLE lease_tenants (
	lease_id    INTEGER NOT NULL REFERENCES leases(id),
	contact_id  INTEGER NOT NULL REFERENCES contacts(id),
	company_id  INTEGER NOT NULL REFERENCES companies(id),
	PRIMARY KEY (lease_id, contact_id)
);
CREATE INDEX lease_tenants_contact ON lease_tenants(contact_id);

CREATE TABLE audit_events (
	id            INTEGER PRIMARY KEY,
	company_id    INTEGER REFERENCES companies(id),
	actor_user_id INTEGER REFERENCES users(id),
	actor         TEXT NOT NULL DEFAULT '',       -- who, as shown: "Ada (manager)"
	action        TEXT NOT NULL,                   -- e.g. property.create
	object_type   TEXT NOT NULL DEFAULT '',
	object_id     INTEGER,
	detail        TEXT NOT NULL DEFAULT '',
	ip            TEXT NOT NULL DEFAULT '',
	created_at    TEXT NOT NULL
);
CREATE INDEX audit_events_company ON audit_events(company_id, id);
CREATE INDEX audit_events_object ON audit_events(object_type, object_id);

-- Outgoing e-mail, written in the same transaction as the change that
-- caused it. dedupe_key makes "the same event to the same recipient" unique,
-- so a retried transaction cannot queue a message twice.
CREATE TABLE outbox (
	id              INTEGER PRIMARY KEY,
	company_id      INTEGER REFERENCES companies(id),
	dedupe_key      TEXT NOT NULL UNIQUE,
	kind            TEXT NOT NULL,
	to_email        TEXT NOT NULL,
	to_name         TEXT NOT NULL DEFAULT '',
	subject         TEXT NOT NULL,
	text_body       TEXT NOT NULL,
	html_body       TEXT NOT NULL DEFAULT '',
	status          TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending','sending','sent','failed')),
	attempts        INTEGER NOT NULL DEFAULT 0,
	next_attempt_at TEXT NOT NULL,
	claimed_until   TEXT,
	last_error      TEXT NOT NULL DEFAULT '',
	created_at      TEXT NOT NULL,
	sent_at         TEXT
);
CREATE INDEX outbox_due ON outbox(status, next_attempt_at);

-- Deferred work that must not run on the request path (e.g. the sign-up
-- check, so that the answer takes the same time whether or not it matched).
CREATE TABLE jobs (
	id            INTEGER PRIMARY KEY,
	kind          TEXT NOT NULL,
	payload       TEXT NOT NULL DEFAULT '{}',
	run_at        TEXT NOT NULL,
	attempts      INTEGER NOT NULL DEFAULT 0,
	claimed_until TEXT,
	last_error    TEXT NOT NULL DEFAULT '',
	done_at       TEXT,
	created_at    TEXT NOT NULL
);
CREATE INDEX jobs_due ON jobs(done_at, run_at);
