-- Contact search matches any part of any e-mail address (LIKE '%x%'), which
-- no index can seek; this covering index lets it scan only the company's
-- addresses, without touching the table.
CREATE INDEX contact_emails_company ON contact_emails(company_id, email, contact_id);
