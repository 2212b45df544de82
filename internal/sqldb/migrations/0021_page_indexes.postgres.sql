-- Indexes that keep the maintenance and portal pages' look-ups to the rows
-- they show, however much history or how many people a company has.

-- Open requests by place: an owner's assets page counts the open requests
-- of each asset. Open requests are the current work, a small share of a
-- history that only grows; requests_property would read all of it. Not led
-- by company_id: the company's list must keep walking requests_open in id
-- order, and a planner without statistics for this index could take it.
CREATE INDEX requests_open_place ON requests (property_id, unit_id) WHERE status NOT IN ('closed','cancelled');

-- The company's operators in use, by name (the dispatch choices on the
-- maintenance pages, and the dashboard's count): a few among thousands of
-- tenants and owners in contacts_company_name.
CREATE INDEX contacts_operators ON contacts (company_id, name, id) WHERE is_operator AND archived_at IS NULL;

-- The dashboard's counts of tenants (those never invited to the portal
-- first) and owners, each read from an index of just those contacts.
CREATE INDEX contacts_tenants ON contacts (company_id, portal_invited_at) WHERE is_tenant AND archived_at IS NULL;
CREATE INDEX contacts_owners ON contacts (company_id) WHERE is_owner AND archived_at IS NULL;
