-- The manager's maintenance list at 100,000 requests (issue 3, point 4; see
-- BenchmarkListRequests).

-- Open requests, newest first: the list's default view. Partial, so it
-- holds the few open requests of a company among its many closed ones and
-- the "open" view reads them in order without touching the rest. The
-- list's WHERE repeats the condition word for word, which is what lets
-- SQLite and PostgreSQL use it.
CREATE INDEX requests_open ON requests(company_id, id) WHERE status NOT IN ('closed','cancelled');

-- One category's requests, newest first.
CREATE INDEX requests_category ON requests(category_id, id);

-- A visit's request and operator, from the index alone: the list finds
-- each request's latest visit and filters by its operator.
CREATE INDEX visits_operator_request ON visits(operator_id, request_id, id);
