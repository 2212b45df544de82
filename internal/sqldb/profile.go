package sqldb

import (
	"context"
	"fmt"
	"time"

	"lintel.dev/lintel/internal/lintel"
)

// A resident's profile and settings: they belong to the login
// (users), not to a contact record, so they follow the person across
// companies. Every function here takes the resident from the session and
// touches only that user's row; nothing is taken from a form's ids.

// Profile is what the profile page shows.
type Profile struct {
	Email            string
	Name             string
	Phone            string
	PreferredContact lintel.PreferredContact
	PendingEmail     string // an address waiting for its link to be followed, or ""
	Records          []ProfileRecord
}

// ProfileRecord is how one management company has the resident on record:
// the manager keeps it, the resident can only read it.
type ProfileRecord struct {
	CompanyName  string
	CompanyEmail string
	CompanyPhone string
	ContactName  string
	Emails       []string
	Phones       []string
}

// ProfileOf reads the resident's profile and the records their managers
// keep about them (the contacts their verified e-mail links them to).
func (db *DB) ProfileOf(ctx context.Context, r lintel.Resident) (Profile, error) {
	var p Profile
	err := db.view(ctx, func(tx *Tx) error {
		var pref string
		if err := tx.get(ctx, `SELECT email, name, phone, preferred_contact FROM users WHERE id = $1 AND disabled_at IS NULL`,
			[]any{r.UserID}, &p.Email, &p.Name, &p.Phone, &pref); err != nil {
			return err
		}
		p.PreferredContact = lintel.PreferredContact(pref)
		err := tx.get(ctx, `SELECT new_email FROM email_changes WHERE user_id = $1 AND used_at IS NULL AND expires_at > $2
			ORDER BY created_at DESC LIMIT 1`, []any{r.UserID, ts(tx.Now)}, &p.PendingEmail)
		if err != nil && !lintel.IsNotFound(err) {
			return err
		}
		rows, err := tx.QueryContext(ctx, myContacts+`SELECT me.id, co.name, co.email, co.phone, me.name
			FROM me JOIN companies co ON co.id = me.company_id ORDER BY co.name, co.id, me.name, me.id`, r.UserID)
		if err != nil {
			return err
		}
		defer rows.Close()
		idx := map[int64]int{}
		for rows.Next() {
			var id int64
			var rec ProfileRecord
			if err := rows.Scan(&id, &rec.CompanyName, &rec.CompanyEmail, &rec.CompanyPhone, &rec.ContactName); err != nil {
				return err
			}
			idx[id] = len(p.Records)
			p.Records = append(p.Records, rec)
		}
		if err := rows.Err(); err != nil {
			return err
		}
		rows.Close()
		rows, err = tx.QueryContext(ctx, myContacts+`SELECT e.contact_id, 'e', e.email, e.position, e.id FROM me
				JOIN contact_emails e ON e.contact_id = me.id AND e.company_id = me.company_id
			UNION ALL
			SELECT ph.contact_id, 'p', ph.phone, ph.position, ph.id FROM me
				JOIN contact_phones ph ON ph.contact_id = me.id AND ph.company_id = me.company_id
			ORDER BY 1, 2, 4, 5`, r.UserID)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var id, pos, rowID int64
			var kind, value string
			if err := rows.Scan(&id, &kind, &value, &pos, &rowID); err != nil {
				return err
			}
			i, ok := idx[id]
			if !ok {
				continue
			}
			if kind == "e" {
				p.Records[i].Emails = append(p.Records[i].Emails, value)
			} else {
				p.Records[i].Phones = append(p.Records[i].Phones, value)
			}
		}
		return rows.Err()
	})
	return p, err
}

// UpdateProfile saves the resident's name, phone and preferred way to be
// reached, after validating them.
func (db *DB) UpdateProfile(ctx context.Context, r lintel.Resident, p lintel.ResidentProfile) error {
	if err := p.Validate(); err != nil {
		return err
	}
	return db.update(ctx, func(tx *Tx) error {
		return tx.userUpdate(ctx, `UPDATE users SET name = $1, phone = $2, preferred_contact = $3, updated_at = $4 WHERE id = $5 AND disabled_at IS NULL`,
			p.Name, p.Phone, string(p.PreferredContact), ts(tx.Now), r.UserID)
	})
}

// userUpdate runs an UPDATE of the resident's own row; no row means the
// login is gone or turned off.
func (tx *Tx) userUpdate(ctx context.Context, q string, args ...any) error {
	res, err := tx.exec(ctx, q, args...)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return lintel.ErrNotFound
	}
	return nil
}

// ChangePassword sets the resident's new password (the caller checked the
// current one and the policy) and ends every other session of theirs:
// whoever knew the old password is signed out, the browser that made the
// change stays signed in. Unused reset links die with the old password.
func (db *DB) ChangePassword(ctx context.Context, r lintel.Resident, keepSession, passwordHash string) error {
	return db.update(ctx, func(tx *Tx) error {
		var email string
		if err := tx.get(ctx, `UPDATE users SET password_hash = $1, updated_at = $2 WHERE id = $3 AND disabled_at IS NULL RETURNING email`,
			[]any{passwordHash, ts(tx.Now), r.UserID}, &email); err != nil {
			return err
		}
		if _, err := tx.exec(ctx, `DELETE FROM sessions WHERE user_id = $1 AND token_hash <> $2`, r.UserID, keepSession); err != nil {
			return err
		}
		if _, err := tx.exec(ctx, `UPDATE tokens SET used_at = $1 WHERE email = $2 AND purpose = 'reset' AND used_at IS NULL`, ts(tx.Now), email); err != nil {
			return err
		}
		return tx.audit(ctx, lintel.AuditEvent{UserID: r.UserID, Actor: email, Action: "user.password_change", ObjectType: "user", ObjectID: r.UserID})
	})
}

// Settings are the resident's choices for the portal and its e-mails.
type Settings struct {
	Language            string // "" follows the browser; else an i18n language code
	NotifyMaintenance   bool
	NotifyDocuments     bool
	NotifyBilling       bool
	NotifyAnnouncements bool
	HideCancelled       bool // the maintenance list's choice (SetHideCancelledRequests)
}

// SettingsOf reads the resident's settings.
func (db *DB) SettingsOf(ctx context.Context, r lintel.Resident) (Settings, error) {
	var s Settings
	err := db.view(ctx, func(tx *Tx) error {
		return tx.get(ctx, `SELECT language, notify_maintenance, notify_documents, notify_billing, notify_announcements, hide_cancelled_requests
			FROM users WHERE id = $1 AND disabled_at IS NULL`, []any{r.UserID},
			&s.Language, &s.NotifyMaintenance, &s.NotifyDocuments, &s.NotifyBilling, &s.NotifyAnnouncements, &s.HideCancelled)
	})
	return s, err
}

// SaveSettings saves the language and the e-mail choices. The "hide
// cancelled requests" choice has its own function,
// SetHideCancelledRequests, shared with the maintenance list. supported
// says which language codes exist (the store does not know the catalog).
func (db *DB) SaveSettings(ctx context.Context, r lintel.Resident, s Settings, supported func(string) bool) error {
	if s.Language != "" && !supported(s.Language) {
		fe := lintel.FieldErrors{}
		fe.Add("language", "Choose one of the languages in the list.")
		return fe.Err()
	}
	return db.update(ctx, func(tx *Tx) error {
		return tx.userUpdate(ctx, `UPDATE users SET language = $1, notify_maintenance = $2, notify_documents = $3, notify_billing = $4,
			notify_announcements = $5, updated_at = $6 WHERE id = $7 AND disabled_at IS NULL`,
			s.Language, s.NotifyMaintenance, s.NotifyDocuments, s.NotifyBilling, s.NotifyAnnouncements, ts(tx.Now), r.UserID)
	})
}

// notifyColumn is the users column holding the choice for kind. A fixed
// map, so no caller's string ever reaches the SQL.
var notifyColumn = map[lintel.NotifyKind]string{
	lintel.NotifyMaintenance:   "notify_maintenance",
	lintel.NotifyDocuments:     "notify_documents",
	lintel.NotifyBilling:       "notify_billing",
	lintel.NotifyAnnouncements: "notify_announcements",
}

// wantsEmail reports whether e-mail of kind may go to email: yes unless a
// login with that address turned the kind off. People without a login
// (contacts who never signed up) get what their manager sends.
func (tx *Tx) wantsEmail(ctx context.Context, email string, kind lintel.NotifyKind) (bool, error) {
	col, ok := notifyColumn[kind]
	if !ok {
		return false, fmt.Errorf("unknown e-mail kind %q", kind)
	}
	var off bool
	err := tx.get(ctx, `SELECT EXISTS (SELECT 1 FROM users WHERE email = $1 AND NOT `+col+`)`, []any{normEmail(email)}, &off)
	return !off, err
}

// WantsEmail is wantsEmail for callers outside a transaction.
func (db *DB) WantsEmail(ctx context.Context, email string, kind lintel.NotifyKind) (bool, error) {
	var ok bool
	err := db.view(ctx, func(tx *Tx) error {
		var err error
		ok, err = tx.wantsEmail(ctx, email, kind)
		return err
	})
	return ok, err
}

// EmailChangeTTL bounds a change-of-address link (SECURITY.md 3).
const EmailChangeTTL = 60 * time.Minute

// EmailChangeMail is what RequestEmailChange may queue; the store picks
// which, so the page answers the same whether or not the new address has
// an account.
type EmailChangeMail struct {
	Verify lintel.Email // to the new address: the link
	Notice lintel.Email // to the old address: "someone asked to change it"
	Taken  lintel.Email // to the new address when another login has it already
}

// RequestEmailChange records the resident's wish to sign in with newEmail,
// under the hash of the link's token, and queues the e-mails. Nothing
// changes until the link is followed. An earlier pending request is
// replaced. When another login has newEmail, no link is issued: that
// address gets m.Taken instead, and the resident's page answers the same
// (no account enumeration, SECURITY.md 2).
func (db *DB) RequestEmailChange(ctx context.Context, r lintel.Resident, newEmail, tokenHash string, m EmailChangeMail) error {
	newEmail = normEmail(newEmail)
	return db.update(ctx, func(tx *Tx) error {
		var old string
		if err := tx.get(ctx, `SELECT email FROM users WHERE id = $1 AND disabled_at IS NULL`, []any{r.UserID}, &old); err != nil {
			return err
		}
		if old == newEmail {
			fe := lintel.FieldErrors{}
			fe.Add("new_email", "This is already your e-mail address. Enter the new one.")
			return fe.Err()
		}
		var taken bool
		if err := tx.get(ctx, `SELECT EXISTS (SELECT 1 FROM users WHERE email = $1)`, []any{newEmail}, &taken); err != nil {
			return err
		}
		// A taken address is recorded and answered like a free one (the
		// profile shows the change waiting, the old address is told):
		// otherwise the page would say which addresses have an account.
		// Only the new address's mail differs, and only its owner reads
		// it; its link is never sent, and applying re-checks anyway.
		if _, err := tx.exec(ctx, `UPDATE email_changes SET used_at = $1 WHERE user_id = $2 AND used_at IS NULL`, ts(tx.Now), r.UserID); err != nil {
			return err
		}
		if _, err := tx.exec(ctx, `INSERT INTO email_changes (token_hash, user_id, old_email, new_email, created_at, expires_at)
			VALUES ($1, $2, $3, $4, $5, $6)`, tokenHash, r.UserID, old, newEmail, ts(tx.Now), ts(tx.Now.Add(EmailChangeTTL))); err != nil {
			return err
		}
		if err := tx.audit(ctx, lintel.AuditEvent{UserID: r.UserID, Actor: old, Action: "user.email_change_request", ObjectType: "user", ObjectID: r.UserID, Detail: newEmail}); err != nil {
			return err
		}
		toNew := m.Verify
		if taken {
			toNew = m.Taken
		}
		if err := tx.enqueueEmail(ctx, toNew); err != nil {
			return err
		}
		return tx.enqueueEmail(ctx, m.Notice)
	})
}

// EmailChange is a pending change of address, as its link shows it.
type EmailChange struct {
	UserID   int64
	OldEmail string
	NewEmail string
	Contacts int // applied: how many contact records now carry the new address
}

// LiveEmailChange returns the pending change a link's token stands for:
// unused, unexpired, and its login still has the old address. It changes
// nothing (mail scanners open links). Anything else is ErrTokenInvalid.
func (db *DB) LiveEmailChange(ctx context.Context, tokenHash string) (EmailChange, error) {
	var c EmailChange
	err := db.view(ctx, func(tx *Tx) error {
		return tx.liveEmailChange(ctx, tokenHash, &c)
	})
	return c, err
}

func (tx *Tx) liveEmailChange(ctx context.Context, tokenHash string, c *EmailChange) error {
	err := tx.get(ctx, `SELECT ec.user_id, ec.old_email, ec.new_email FROM email_changes ec JOIN users u ON u.id = ec.user_id
		WHERE ec.token_hash = $1 AND ec.used_at IS NULL AND ec.expires_at > $2 AND u.email = ec.old_email AND u.disabled_at IS NULL`,
		[]any{tokenHash, ts(tx.Now)}, &c.UserID, &c.OldEmail, &c.NewEmail)
	if lintel.IsNotFound(err) {
		return ErrTokenInvalid
	}
	return err
}

// ErrEmailTaken refuses a change to an address another login signs in with.
var ErrEmailTaken = lintel.Conflict("Another account already signs in with this e-mail address, so yours cannot move to it. Keep your current address, or ask your property manager for help.")

// ApplyEmailChange follows a change-of-address link: the login's e-mail
// becomes the new (now verified) address, and every tenant or owner
// contact record carrying the old address, in any company, is moved to the
// new one with an entry in that contact's history, so each manager sees
// the change. Of two clicks on one link, one applies it; the other gets
// ErrTokenInvalid.
func (db *DB) ApplyEmailChange(ctx context.Context, tokenHash, ip string) (EmailChange, error) {
	var c EmailChange
	err := db.update(ctx, func(tx *Tx) error {
		if err := tx.liveEmailChange(ctx, tokenHash, &c); err != nil {
			return err
		}
		var taken bool
		if err := tx.get(ctx, `SELECT EXISTS (SELECT 1 FROM users WHERE email = $1 AND id <> $2)`, []any{c.NewEmail, c.UserID}, &taken); err != nil {
			return err
		}
		if taken {
			return ErrEmailTaken
		}
		res, err := tx.exec(ctx, `UPDATE email_changes SET used_at = $1 WHERE token_hash = $2 AND used_at IS NULL`, ts(tx.Now), tokenHash)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return ErrTokenInvalid
		}
		var name string
		if err := tx.get(ctx, `UPDATE users SET email = $1, email_verified_at = $2, updated_at = $2 WHERE id = $3 AND email = $4 RETURNING name`,
			[]any{c.NewEmail, ts(tx.Now), c.UserID, c.OldEmail}, &name); err != nil {
			if lintel.IsNotFound(err) {
				return ErrTokenInvalid
			}
			if isConflict(err) {
				return ErrEmailTaken
			}
			return err
		}
		if c.Contacts, err = tx.moveContactEmails(ctx, c, name, ip); err != nil {
			return err
		}
		// Links mailed to the old address stop working with it.
		if _, err := tx.exec(ctx, `UPDATE tokens SET used_at = $1 WHERE email = $2 AND used_at IS NULL AND purpose IN ('signup', 'reset')`,
			ts(tx.Now), c.OldEmail); err != nil {
			return err
		}
		if _, err := tx.exec(ctx, `UPDATE email_changes SET used_at = $1 WHERE user_id = $2 AND used_at IS NULL`, ts(tx.Now), c.UserID); err != nil {
			return err
		}
		return tx.audit(ctx, lintel.AuditEvent{UserID: c.UserID, Actor: c.OldEmail, Action: "user.email_change", ObjectType: "user", ObjectID: c.UserID,
			Detail: c.OldEmail + " → " + c.NewEmail, IP: ip})
	})
	return c, err
}

// moveContactEmails changes the old address to the new one on every
// tenant or owner contact that carries it, in every company, and records
// the change in each contact's history. A contact that already lists the
// new address just loses the old one. Operator-only contacts are left
// alone: a contractor's address is the company's business, not the
// resident's login.
func (tx *Tx) moveContactEmails(ctx context.Context, c EmailChange, name, ip string) (int, error) {
	type row struct {
		id, contactID, companyID int64
		hasNew                   bool
	}
	rows, err := tx.QueryContext(ctx, `SELECT ce.id, ce.contact_id, ce.company_id,
			EXISTS (SELECT 1 FROM contact_emails n WHERE n.contact_id = ce.contact_id AND n.email = $2)
		FROM contact_emails ce JOIN contacts co ON co.id = ce.contact_id AND co.company_id = ce.company_id
		WHERE ce.email = $1 AND (co.is_tenant OR co.is_owner) ORDER BY ce.id`, c.OldEmail, c.NewEmail)
	if err != nil {
		return 0, err
	}
	var found []row
	for rows.Next() {
		var r row
		if err := rows.Scan(&r.id, &r.contactID, &r.companyID, &r.hasNew); err != nil {
			rows.Close()
			return 0, err
		}
		found = append(found, r)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, err
	}
	actor := name + " (resident)"
	if name == "" {
		actor = c.OldEmail + " (resident)"
	}
	for _, r := range found {
		q := `UPDATE contact_emails SET email = $1 WHERE id = $2 AND company_id = $3`
		args := []any{c.NewEmail, r.id, r.companyID}
		if r.hasNew {
			q, args = `DELETE FROM contact_emails WHERE id = $1 AND company_id = $2`, []any{r.id, r.companyID}
		}
		if _, err := tx.exec(ctx, q, args...); err != nil {
			return 0, err
		}
		if _, err := tx.exec(ctx, `UPDATE contacts SET updated_at = $1 WHERE id = $2 AND company_id = $3`, ts(tx.Now), r.contactID, r.companyID); err != nil {
			return 0, err
		}
		if err := tx.audit(ctx, lintel.AuditEvent{CompanyID: r.companyID, UserID: c.UserID, Actor: actor, Action: "contact.email_change",
			ObjectType: "contact", ObjectID: r.contactID, Detail: c.OldEmail + " → " + c.NewEmail, IP: ip}); err != nil {
			return 0, err
		}
	}
	return len(found), nil
}

// ContactAccount is what a manager sees of a contact's portal login: only
// what helps them reach the person.
type ContactAccount struct {
	HasAccount       bool
	PreferredContact lintel.PreferredContact
	LastEmailChange  time.Time // zero when the resident never changed it
}

// ContactAccountOf reads the portal login behind one of the company's
// contacts (the verified login of any of its addresses) and when the
// resident last changed their address on this contact.
func (db *DB) ContactAccountOf(ctx context.Context, s lintel.Staff, contactID int64) (ContactAccount, error) {
	var a ContactAccount
	err := db.view(ctx, func(tx *Tx) error {
		var pref string
		err := tx.get(ctx, `SELECT u.preferred_contact FROM contact_emails ce JOIN users u ON u.email = ce.email
			WHERE ce.contact_id = $1 AND ce.company_id = $2 AND u.email_verified_at IS NOT NULL AND u.disabled_at IS NULL
			ORDER BY ce.position, ce.id LIMIT 1`, []any{contactID, s.CompanyID}, &pref)
		switch {
		case err == nil:
			a.HasAccount, a.PreferredContact = true, lintel.PreferredContact(pref)
		case !lintel.IsNotFound(err):
			return err
		}
		err = tx.get(ctx, `SELECT created_at FROM audit_events WHERE company_id = $1 AND object_type = 'contact' AND object_id = $2
			AND action = 'contact.email_change' ORDER BY id DESC LIMIT 1`, []any{s.CompanyID, contactID}, at(&a.LastEmailChange))
		if lintel.IsNotFound(err) {
			return nil
		}
		return err
	})
	return a, err
}
