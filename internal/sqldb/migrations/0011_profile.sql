-- Portal profile and settings (issue 4). They belong to the login, not to a
-- contact record, so they follow the person across companies. Same SQL on
-- both engines.

-- '' means "as the browser asks" (Accept-Language); otherwise 'en' or 'fr'.
ALTER TABLE users ADD COLUMN language TEXT NOT NULL DEFAULT '';
-- How the person prefers to be reached: 'email', 'phone' or 'text'.
ALTER TABLE users ADD COLUMN preferred_contact TEXT NOT NULL DEFAULT 'email';
-- Which e-mails the person wants, per kind. Security e-mails (verification,
-- password reset) are always sent.
ALTER TABLE users ADD COLUMN notify_maintenance BOOLEAN NOT NULL DEFAULT TRUE;
ALTER TABLE users ADD COLUMN notify_documents BOOLEAN NOT NULL DEFAULT TRUE;
ALTER TABLE users ADD COLUMN notify_billing BOOLEAN NOT NULL DEFAULT TRUE;
ALTER TABLE users ADD COLUMN notify_announcements BOOLEAN NOT NULL DEFAULT TRUE;
-- A person linked to several companies can look at one at a time; NULL
-- shows them all.
ALTER TABLE users ADD COLUMN portal_company_id INTEGER REFERENCES companies(id);
