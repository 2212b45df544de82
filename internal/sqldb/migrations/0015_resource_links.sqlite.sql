-- Resource links (issue 4, point 9): a management company's own links for
-- its residents (the building's rules, the recycling calendar), shown on
-- the help page.

-- audience: 'tenants', 'owners' or 'everyone' (lintel.LinkAudience).
-- A removed link is archived, not deleted, so the audit trail can still
-- name it.
CREATE TABLE resource_links (
	id          INTEGER PRIMARY KEY,
	company_id  INTEGER NOT NULL REFERENCES companies(id),
	title       TEXT NOT NULL,
	url         TEXT NOT NULL,
	audience    TEXT NOT NULL DEFAULT 'everyone' CHECK (audience IN ('tenants','owners','everyone')),
	position    INTEGER NOT NULL DEFAULT 0,
	created_at  TEXT NOT NULL,
	archived_at TEXT
);
CREATE INDEX resource_links_company ON resource_links(company_id, position, id);
