-- The lists' searches match what a person typed anywhere in a field, in
-- any case: lower(field) LIKE lower('%typed%'). A B-tree cannot seek that,
-- so each search read every row of the company; trigram GIN indexes on the
-- very same expressions serve the LIKE as written (for three characters or
-- more: see search.go). pg_trgm is a trusted extension (PostgreSQL 13+):
-- the database's owner may create it without superuser rights.
--
-- gin_pending_list_limit: a GIN index gathers new entries in a pending
-- list that every search reads through until it is merged. The default
-- 4 MB costs a search about 10 ms; 256 kB keeps that small while a bulk
-- load still writes in batches (about as fast as with 4 MB, several times
-- faster than no list at all).
CREATE EXTENSION IF NOT EXISTS pg_trgm;

-- The maintenance list: summary and description (the unit's label is
-- searched through units_search).
CREATE INDEX requests_search ON requests USING gin (lower(summary) gin_trgm_ops, lower(description) gin_trgm_ops) WITH (gin_pending_list_limit = 256);

-- Units by label; properties by name, first address line, city and
-- postal code (the unit and lease lists search the property's name).
CREATE INDEX units_search ON units USING gin (lower(label) gin_trgm_ops) WITH (gin_pending_list_limit = 256);
CREATE INDEX properties_search ON properties USING gin (lower(name) gin_trgm_ops, lower(address_line1) gin_trgm_ops,
	lower(city) gin_trgm_ops, lower(postal_code) gin_trgm_ops) WITH (gin_pending_list_limit = 256);

-- Contacts by name and by any of their e-mail addresses (stored
-- lower-case, and searched as they are).
CREATE INDEX contacts_search ON contacts USING gin (lower(name) gin_trgm_ops) WITH (gin_pending_list_limit = 256);
CREATE INDEX contact_emails_search ON contact_emails USING gin (email gin_trgm_ops) WITH (gin_pending_list_limit = 256);
