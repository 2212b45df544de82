-- The rent roll's page walks properties in name order (properties_company_name)
-- and each one's units in label order: this index holds the units it lists
-- (in use, not common areas), so a page reads about a page of rows instead
-- of sorting every unit of the company. Same SQL on both engines.
CREATE INDEX units_property_rent_roll ON units(property_id, label, id) WHERE archived_at IS NULL AND NOT common_area;
