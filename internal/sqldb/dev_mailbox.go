package sqldb

import (
	"context"

	"lintel.dev/lintel/internal/lintel"
)

// The development mailbox, scoped for a company's administrator
// (SECURITY.md 11). An administrator sees only the mail their own company
// sent (outbox.company_id). Matching recipients against the company's
// staff and contacts instead would be wrong: any administrator can add a
// contact with anybody's address, and then read that person's sign-up and
// password-reset links. Those account messages belong to a person, not a
// company, and carry no company, so no administrator sees them; only a
// visitor on the machine itself does (DevMailbox).

// CompanyDevMailbox lists the messages s's company sent, newest first,
// paged like DevMailbox.
func (db *DB) CompanyDevMailbox(ctx context.Context, s lintel.Staff, before int64, limit int) (EmailPage, error) {
	if err := s.Require(lintel.PermManageStaff); err != nil {
		return EmailPage{}, err
	}
	var args sqlArgs
	return db.emailPage(ctx, ` AND company_id = `+args.add(s.CompanyID), args, before, limit)
}

// CompanyDevMailboxEmail returns one message s's company sent; another
// company's message, or one without a company, is lintel.ErrNotFound like
// an unknown id.
func (db *DB) CompanyDevMailboxEmail(ctx context.Context, s lintel.Staff, id int64) (OutboxEmail, error) {
	if err := s.Require(lintel.PermManageStaff); err != nil {
		return OutboxEmail{}, err
	}
	var m OutboxEmail
	err := db.view(ctx, func(tx *Tx) error {
		var err error
		m, err = scanOutbox(tx.QueryRowContext(ctx, `SELECT `+outboxColumns+` FROM outbox WHERE id = $1 AND company_id = $2`, id, s.CompanyID))
		return mapErr(err)
	})
	return m, err
}
