-- A second factor for sign-in: a TOTP authenticator app (RFC 6238) and ten
-- single-use recovery codes. Same SQL on both engines.

-- One authenticator per login. confirmed_at is NULL while it is being set
-- up (the person has seen the QR code but not yet typed a code from it);
-- only a confirmed one is asked for at sign-in. last_step is the 30-second
-- time step of the last code accepted, so a code works once, on any node.
CREATE TABLE user_totp (
	user_id      BIGINT PRIMARY KEY REFERENCES users(id),
	secret       TEXT NOT NULL,     -- base32, as the app was given it
	created_at   TEXT NOT NULL,
	confirmed_at TEXT,
	last_step    BIGINT NOT NULL DEFAULT 0
);

-- Recovery codes: only the SHA-256 of each is stored (they are random, so a
-- fast hash is enough); a used one keeps its row so the page can count them.
CREATE TABLE recovery_codes (
	user_id   BIGINT NOT NULL REFERENCES users(id),
	code_hash TEXT NOT NULL,
	used_at   TEXT,
	PRIMARY KEY (user_id, code_hash)
);

-- The step between a right or wrong password and the code: the browser holds
-- a random token (only its SHA-256 is stored), the server remembers whether
-- the password matched and only says so after the code, so the code step
-- is no oracle for the password. One use, a few minutes.
CREATE TABLE login_challenges (
	token_hash  TEXT PRIMARY KEY,
	user_id     BIGINT NOT NULL REFERENCES users(id),
	password_ok BOOLEAN NOT NULL,
	next        TEXT NOT NULL DEFAULT '',
	created_at  TEXT NOT NULL,
	expires_at  TEXT NOT NULL
);
CREATE INDEX login_challenges_expiry ON login_challenges(expires_at);

-- A company can require every administrator to use a second factor.
ALTER TABLE companies ADD COLUMN admins_need_second_factor BOOLEAN NOT NULL DEFAULT FALSE;
