-- The contractor's task page (issue 3, points 9–14).

-- When the operator last saved each kind of note and the invoice, so the
-- page can confirm "Saved at 14:05" without a session to carry a message,
-- and the manager can see how fresh the notes are.
ALTER TABLE visits ADD COLUMN tenant_notes_at TEXT;
ALTER TABLE visits ADD COLUMN manager_notes_at TEXT;
ALTER TABLE visits ADD COLUMN invoice_saved_at TEXT;

-- The manager's note for the operator, given when assigning the visit
-- (sqldb.Dispatch.Note); shown on the task page with the request's staff
-- notes.
ALTER TABLE visits ADD COLUMN dispatch_note TEXT NOT NULL DEFAULT '';
