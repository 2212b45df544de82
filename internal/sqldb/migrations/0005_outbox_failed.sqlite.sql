-- The "not delivered" list of a company reads failed messages newest first;
-- they are few among many sent ones, so a partial index keeps it cheap.
CREATE INDEX outbox_failed ON outbox (company_id, id) WHERE status = 'failed';
