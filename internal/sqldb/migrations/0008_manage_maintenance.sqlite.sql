-- The manager's maintenance list at 100,000 requests (issue 3, point 4; see
-- BenchmarkListRequests in requests_manage_bench_test.go).

-- Each request's latest visit and its operator, kept by the database
-- itself whenever a visit is added (whoever adds it): the list shows the
-- operator and filters by them, and finding "the latest visit" with a
-- subquery per request was most of the list's time. Visits are never
-- deleted, so inserts are all there is to follow.
ALTER TABLE requests ADD COLUMN latest_visit_id INTEGER;
ALTER TABLE requests ADD COLUMN latest_operator_id INTEGER;
UPDATE requests SET latest_visit_id = (SELECT MAX(v.id) FROM visits v WHERE v.request_id = requests.id);
UPDATE requests SET latest_operator_id = (SELECT v.operator_id FROM visits v WHERE v.id = requests.latest_visit_id)
	WHERE latest_visit_id IS NOT NULL;
CREATE TRIGGER visits_latest_on_request AFTER INSERT ON visits BEGIN
	UPDATE requests SET latest_visit_id = NEW.id, latest_operator_id = NEW.operator_id
	WHERE id = NEW.request_id AND (latest_visit_id IS NULL OR latest_visit_id < NEW.id);
END;

-- Open requests, newest first: the list's default view. Partial, so it
-- holds the few open requests among a company's many closed ones. The
-- list's WHERE repeats the condition word for word, which is what lets
-- SQLite and PostgreSQL use it.
CREATE INDEX requests_open ON requests(company_id, id) WHERE status NOT IN ('closed','cancelled');
CREATE INDEX requests_open_operator ON requests(company_id, latest_operator_id, id) WHERE status NOT IN ('closed','cancelled');

-- One operator's or one category's requests, newest first.
CREATE INDEX requests_latest_operator ON requests(latest_operator_id, id);
CREATE INDEX requests_category ON requests(category_id, id);

-- Visits that ended in a way the manager must decide on (unable to
-- complete, or a follow-up asked for): few, so "needs a decision" starts
-- from them.
CREATE INDEX visits_attention ON visits(company_id, request_id, id) WHERE status = 'unable' OR follow_up <> '';
