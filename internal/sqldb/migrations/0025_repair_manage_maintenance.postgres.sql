-- Repairs databases that applied an early version of 0008_manage_maintenance
-- (shipped in c5b465e and edited afterwards, which migrations never are
-- again: their checksums are recorded now). Those lack each request's
-- latest visit and operator, their trigger and indexes, and every manager
-- page that lists requests failed on them. Everything here is a no-op on a
-- database that has them.
ALTER TABLE requests ADD COLUMN IF NOT EXISTS latest_visit_id BIGINT;
ALTER TABLE requests ADD COLUMN IF NOT EXISTS latest_operator_id BIGINT;
UPDATE requests r SET latest_visit_id = v.id, latest_operator_id = v.operator_id
	FROM (SELECT DISTINCT ON (request_id) request_id, id, operator_id FROM visits ORDER BY request_id, id DESC) v
	WHERE v.request_id = r.id AND r.latest_visit_id IS NULL;
CREATE OR REPLACE FUNCTION requests_track_latest_visit() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	UPDATE requests SET latest_visit_id = NEW.id, latest_operator_id = NEW.operator_id
	WHERE id = NEW.request_id AND (latest_visit_id IS NULL OR latest_visit_id < NEW.id);
	RETURN NEW;
END
$$;
CREATE OR REPLACE TRIGGER visits_latest_on_request AFTER INSERT ON visits FOR EACH ROW EXECUTE FUNCTION requests_track_latest_visit();
CREATE INDEX IF NOT EXISTS requests_open_operator ON requests(company_id, latest_operator_id, id) WHERE status NOT IN ('closed','cancelled');
CREATE INDEX IF NOT EXISTS requests_latest_operator ON requests(latest_operator_id, id);
CREATE INDEX IF NOT EXISTS visits_attention ON visits(company_id, request_id, id) WHERE status = 'unable' OR follow_up <> '';
-- The early version's index, which nothing reads any more.
DROP INDEX IF EXISTS visits_operator_request;
-- Companies made before maintenance categories existed have none, so their
-- residents cannot report a problem: they get the defaults, in Go, after
-- this file.
