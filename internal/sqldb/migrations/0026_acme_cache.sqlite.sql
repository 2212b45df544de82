-- What `lintel serve --tls-domain` gets from its ACME CA (the account key,
-- certificates and their keys, by autocert's cache keys), kept in the
-- database so that every node serves the same certificate and only one of
-- them asks the CA for it.
CREATE TABLE acme_cache (
	key        TEXT PRIMARY KEY,
	data       BLOB NOT NULL,
	updated_at TEXT NOT NULL
);
