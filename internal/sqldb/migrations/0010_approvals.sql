-- Owner approvals (issue 3): look-ups the approval flow makes often. Same
-- SQL on both engines.

-- Withdrawing or re-reading an approval finds its one-click links.
CREATE INDEX approval_links_approval ON approval_links(approval_id, contact_id);

-- The owners of a request's asset: ownerships of one property, whole or
-- by unit.
CREATE INDEX ownerships_company_property ON ownerships(company_id, property_id, unit_id);
