-- The background jobs' look-ups (cmd/lintel/workers.go): each poll finds
-- what is due through an index that holds only what may be due, so an idle
-- poll reads a few index pages however much history the company has.

-- Mail to deliver is pending or in flight: a handful among every message
-- ever sent. The old index led with status, so the claim's IN on two
-- statuses and its ORDER BY next_attempt_at took a sort per poll.
DROP INDEX outbox_due;
CREATE INDEX outbox_due ON outbox (next_attempt_at, id) WHERE status IN ('pending', 'sending');

-- Jobs not done yet, in the order they are claimed.
DROP INDEX jobs_due;
CREATE INDEX jobs_due ON jobs (run_at, id) WHERE done_at IS NULL;

-- Approvals that may need a reminder: pending with reminders left (3 is
-- sqldb.ApprovalMaxReminders), by when the owners were last written to.
-- An approval nobody answers stays pending for good, so the index on
-- (status, created_at) it replaces, which only the reminders used, grew
-- with every such approval long after its last reminder.
DROP INDEX approvals_pending;
CREATE INDEX approvals_reminder_due ON approvals (COALESCE(last_reminder_at, created_at), id)
	WHERE status = 'pending' AND reminder_count < 3;
