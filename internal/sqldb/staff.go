package sqldb

import (
	"context"
	"time"

	"lintel.dev/lintel/internal/lintel"
)

// AddStaffMember makes a user a member of a company with role. For commands,
// the demo and test fixtures; in the app, staff join by invitation.
func (db *DB) AddStaffMember(ctx context.Context, companyID, userID int64, role lintel.Role) error {
	if !role.Valid() {
		return &lintel.Error{Kind: lintel.KindInvalid, Message: "Choose a role: admin, manager, bookkeeper or maintenance."}
	}
	return db.update(ctx, func(tx *Tx) error {
		_, err := tx.exec(ctx, `INSERT INTO memberships (company_id, user_id, role, created_at) VALUES ($1, $2, $3, $4)
			ON CONFLICT (company_id, user_id) DO UPDATE SET role = excluded.role, disabled_at = NULL`,
			companyID, userID, string(role), ts(tx.Now))
		return err
	})
}

// StaffMember is one member of a company's staff, as the staff page lists them.
type StaffMember struct {
	UserID   int64
	Name     string
	Email    string
	Role     lintel.Role
	Disabled bool
	Since    time.Time
}

// StaffInvite is an invitation not yet accepted.
type StaffInvite struct {
	Email     string
	Role      lintel.Role
	InvitedBy string
	ExpiresAt time.Time
}

// StaffMembers lists the company's staff, active first, by name.
func (db *DB) StaffMembers(ctx context.Context, s lintel.Staff) ([]StaffMember, error) {
	var out []StaffMember
	err := db.view(ctx, func(tx *Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT u.id, u.name, u.email, m.role, m.disabled_at IS NOT NULL, m.created_at
			FROM memberships m JOIN users u ON u.id = m.user_id
			WHERE m.company_id = $1 ORDER BY m.disabled_at IS NOT NULL, u.name, u.id`, s.CompanyID)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var m StaffMember
			if err := rows.Scan(&m.UserID, &m.Name, &m.Email, &m.Role, &m.Disabled, at(&m.Since)); err != nil {
				return err
			}
			out = append(out, m)
		}
		return rows.Err()
	})
	return out, err
}

// PendingStaffInvites lists the company's live invitations, newest first.
func (db *DB) PendingStaffInvites(ctx context.Context, s lintel.Staff) ([]StaffInvite, error) {
	var out []StaffInvite
	err := db.view(ctx, func(tx *Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT t.email, t.role, COALESCE(b.name, ''), t.expires_at
			FROM tokens t LEFT JOIN users b ON b.id = t.created_by
			WHERE t.company_id = $1 AND t.purpose = 'staff_invite' AND t.used_at IS NULL AND t.expires_at > $2
			ORDER BY t.created_at DESC, t.email`, s.CompanyID, ts(tx.Now))
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var i StaffInvite
			if err := rows.Scan(&i.Email, &i.Role, &i.InvitedBy, at(&i.ExpiresAt)); err != nil {
				return err
			}
			out = append(out, i)
		}
		return rows.Err()
	})
	return out, err
}

// InviteStaff stores an invitation (token nt, purpose staff_invite, in the
// staff member's company) and queues its e-mail m, in one transaction.
// Someone already active on the staff is refused with a field message.
func (db *DB) InviteStaff(ctx context.Context, s lintel.Staff, nt NewToken, m lintel.Email) error {
	if err := s.Require(lintel.PermManageStaff); err != nil {
		return err
	}
	if !nt.Role.Valid() {
		return lintel.FieldErrors{"role": "Choose a role."}.Err()
	}
	nt.Purpose, nt.CompanyID, nt.CreatedBy, nt.Email = PurposeStaffInvite, s.CompanyID, s.UserID, normEmail(nt.Email)
	m.CompanyID = s.CompanyID
	return db.update(ctx, func(tx *Tx) error {
		var member bool
		err := tx.get(ctx, `SELECT EXISTS (SELECT 1 FROM memberships m JOIN users u ON u.id = m.user_id
			WHERE m.company_id = $1 AND u.email = $2 AND m.disabled_at IS NULL)`, []any{s.CompanyID, nt.Email}, &member)
		if err != nil {
			return err
		}
		if member {
			return lintel.FieldErrors{"email": nt.Email + " is already on your staff. Change their role in the list instead."}.Err()
		}
		if err := tx.insertToken(ctx, nt); err != nil {
			return err
		}
		if err := tx.enqueueEmail(ctx, m); err != nil {
			return err
		}
		return tx.staffAudit(ctx, s, "staff.invite", "user", 0, nt.Email+" as "+string(nt.Role))
	})
}

// RevokeStaffInvites cancels the company's live invitations to email.
func (db *DB) RevokeStaffInvites(ctx context.Context, s lintel.Staff, email string) error {
	if err := s.Require(lintel.PermManageStaff); err != nil {
		return err
	}
	email = normEmail(email)
	return db.update(ctx, func(tx *Tx) error {
		r, err := tx.exec(ctx, `UPDATE tokens SET used_at = $1 WHERE company_id = $2 AND email = $3 AND purpose = 'staff_invite'
			AND used_at IS NULL AND expires_at > $1`, ts(tx.Now), s.CompanyID, email)
		if err != nil {
			return err
		}
		if n, _ := r.RowsAffected(); n == 0 {
			return lintel.ErrNotFound
		}
		return tx.staffAudit(ctx, s, "staff.invite_revoke", "user", 0, email)
	})
}

// AcceptInvite is how a person accepts a staff invitation: as an existing
// user (UserID set, after the caller checked it is them), or as a new one
// (Name and PasswordHash).
type AcceptInvite struct {
	UserID       int64
	Name         string
	PasswordHash string
}

// AcceptStaffInvite uses an invitation token and makes its e-mail's user
// (created when new, with a verified e-mail) a member of the company with
// the invited role. It returns the user id and the company id.
func (db *DB) AcceptStaffInvite(ctx context.Context, hash string, a AcceptInvite) (userID, companyID int64, err error) {
	err = db.update(ctx, func(tx *Tx) error {
		t, err := tx.useToken(ctx, PurposeStaffInvite, hash)
		if err != nil {
			return err
		}
		companyID = t.CompanyID
		if a.UserID != 0 {
			// The caller proved who they are; they must be the invitee.
			err = tx.get(ctx, `SELECT id FROM users WHERE id = $1 AND email = $2 AND disabled_at IS NULL`, []any{a.UserID, t.Email}, &userID)
			if lintel.IsNotFound(err) {
				return lintel.ErrForbidden
			}
			if err != nil {
				return err
			}
			if _, err := tx.exec(ctx, `UPDATE users SET email_verified_at = COALESCE(email_verified_at, $1) WHERE id = $2`, ts(tx.Now), userID); err != nil {
				return err
			}
		} else {
			userID, err = tx.createUser(ctx, t.Email, a.Name, a.PasswordHash, true)
			if err != nil {
				return err
			}
		}
		_, err = tx.exec(ctx, `INSERT INTO memberships (company_id, user_id, role, created_at) VALUES ($1, $2, $3, $4)
			ON CONFLICT (company_id, user_id) DO UPDATE SET role = excluded.role, disabled_at = NULL`,
			t.CompanyID, userID, string(t.Role), ts(tx.Now))
		if err != nil {
			return err
		}
		return tx.audit(ctx, lintel.AuditEvent{CompanyID: t.CompanyID, UserID: userID, Actor: t.Email, Action: "staff.join",
			ObjectType: "user", ObjectID: userID, Detail: "as " + string(t.Role)})
	})
	return userID, companyID, err
}

// SetStaffRole changes a member's role. Administrators cannot change their
// own role, and a company always keeps one active administrator.
func (db *DB) SetStaffRole(ctx context.Context, s lintel.Staff, userID int64, role lintel.Role) error {
	if err := s.Require(lintel.PermManageStaff); err != nil {
		return err
	}
	if !role.Valid() {
		return lintel.FieldErrors{"role": "Choose a role."}.Err()
	}
	if userID == s.UserID {
		return lintel.Conflict("You cannot change your own role. Ask another administrator.")
	}
	return db.update(ctx, func(tx *Tx) error {
		old, err := tx.memberRole(ctx, s.CompanyID, userID)
		if err != nil {
			return err
		}
		if old == lintel.RoleAdmin && role != lintel.RoleAdmin {
			if err := tx.keepAnAdmin(ctx, s.CompanyID, userID); err != nil {
				return err
			}
		}
		if _, err := tx.exec(ctx, `UPDATE memberships SET role = $1 WHERE company_id = $2 AND user_id = $3`, string(role), s.CompanyID, userID); err != nil {
			return err
		}
		return tx.staffAudit(ctx, s, "staff.role", "user", userID, string(old)+" → "+string(role))
	})
}

// SetStaffDisabled turns a membership off or on. Turning it off ends the
// member's sessions in this company at once. Administrators cannot disable
// themselves, and a company always keeps one active administrator.
func (db *DB) SetStaffDisabled(ctx context.Context, s lintel.Staff, userID int64, disabled bool) error {
	if err := s.Require(lintel.PermManageStaff); err != nil {
		return err
	}
	if userID == s.UserID {
		return lintel.Conflict("You cannot disable yourself. Ask another administrator.")
	}
	return db.update(ctx, func(tx *Tx) error {
		role, err := tx.memberRole(ctx, s.CompanyID, userID)
		if err != nil {
			return err
		}
		action := "staff.enable"
		var at any
		if disabled {
			action, at = "staff.disable", ts(tx.Now)
			if role == lintel.RoleAdmin {
				if err := tx.keepAnAdmin(ctx, s.CompanyID, userID); err != nil {
					return err
				}
			}
		}
		if _, err := tx.exec(ctx, `UPDATE memberships SET disabled_at = $1 WHERE company_id = $2 AND user_id = $3`, at, s.CompanyID, userID); err != nil {
			return err
		}
		if disabled {
			if _, err := tx.exec(ctx, `DELETE FROM sessions WHERE user_id = $1 AND company_id = $2`, userID, s.CompanyID); err != nil {
				return err
			}
		}
		return tx.staffAudit(ctx, s, action, "user", userID, "")
	})
}

func (tx *Tx) memberRole(ctx context.Context, companyID, userID int64) (lintel.Role, error) {
	var role lintel.Role
	err := tx.get(ctx, `SELECT role FROM memberships WHERE company_id = $1 AND user_id = $2`, []any{companyID, userID}, &role)
	return role, err
}

// keepAnAdmin refuses a change that would leave the company without an
// active administrator other than userID.
func (tx *Tx) keepAnAdmin(ctx context.Context, companyID, userID int64) error {
	var n int
	err := tx.get(ctx, `SELECT COUNT(*) FROM memberships WHERE company_id = $1 AND user_id <> $2 AND role = 'admin' AND disabled_at IS NULL`,
		[]any{companyID, userID}, &n)
	if err != nil {
		return err
	}
	if n == 0 {
		return lintel.Conflict("The company needs at least one active administrator. Make someone else an administrator first.")
	}
	return nil
}
