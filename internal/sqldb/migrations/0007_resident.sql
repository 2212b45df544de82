-- Residents' maintenance tab (issue 3): a person's own choice to leave
-- cancelled requests out of their list. It belongs to the login, not to a
-- contact record, so it follows the person across companies. Same SQL on
-- both engines.
ALTER TABLE users ADD COLUMN hide_cancelled_requests BOOLEAN NOT NULL DEFAULT FALSE;
