-- A resident changing their sign-in e-mail (issue 4): the new address is
-- proved by a link mailed to it before anything changes. Its own table,
-- not tokens: tokens.purpose has a CHECK that SQLite cannot alter in
-- place, and a change carries both addresses. Only the SHA-256 of the
-- link's token is stored. Same SQL on both engines.
CREATE TABLE email_changes (
	token_hash  TEXT PRIMARY KEY,
	user_id     INTEGER NOT NULL REFERENCES users(id),
	old_email   TEXT NOT NULL,
	new_email   TEXT NOT NULL,       -- lower-case
	created_at  TEXT NOT NULL,
	expires_at  TEXT NOT NULL,
	used_at     TEXT                 -- applied, or replaced by a newer request
);
CREATE INDEX email_changes_user ON email_changes(user_id);
