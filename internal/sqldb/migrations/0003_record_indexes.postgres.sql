-- Indexes for the property and unit lists and the dashboard at tens of
-- thousands of units (see BenchmarkListUnits, BenchmarkDashboardCounts).

-- Units in use of one kind (rentable or common area), in list order: the
-- "common areas only" / "rentable only" lists walk it in order, and the
-- dashboard counts a range of it without reading the table. Partial, so
-- that archived_at does not sit between the kind and the order (PostgreSQL
-- would not then read it in order).
CREATE INDEX units_company_kind ON units(company_id, common_area, label, id) WHERE archived_at IS NULL;

-- The unit counts of each property on the property list, read from the
-- index alone.
CREATE INDEX units_property_kind ON units(property_id, common_area, archived_at);

-- The archived properties of a company, few by nature: the unit lists
-- leave out their units with a NOT IN over this short list instead of
-- looking up every unit's property.
CREATE INDEX properties_archived ON properties(company_id, id) WHERE archived_at IS NOT NULL;
