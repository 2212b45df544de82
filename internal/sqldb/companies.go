package sqldb

import (
	"context"
	"strings"

	"lintel.dev/lintel/internal/lintel"
)

// NewCompany is what `lintel user create` and the demo need to start a
// company with its first administrator.
type NewCompany struct {
	Name         string
	Currency     string
	Email        string // the company's own contact details, optional
	Phone        string
	Address      string
	AdminEmail   string
	AdminName    string
	PasswordHash string
}

// CreateCompanyWithAdmin creates a company and makes a user (created if
// new, found by e-mail otherwise) its administrator, with a verified
// e-mail: the operator running the command vouches for it.
func (db *DB) CreateCompanyWithAdmin(ctx context.Context, nc NewCompany) (companyID, userID int64, err error) {
	email := strings.ToLower(strings.TrimSpace(nc.AdminEmail))
	if nc.Currency == "" {
		nc.Currency = "USD"
	}
	err = db.update(ctx, func(tx *Tx) error {
		companyID, err = tx.insert(ctx, `INSERT INTO companies (name, currency, email, phone, address, created_at) VALUES ($1, $2, $3, $4, $5, $6)`,
			nc.Name, nc.Currency, nc.Email, nc.Phone, nc.Address, ts(tx.Now))
		if err != nil {
			return err
		}
		userID, err = tx.ensureUser(ctx, email, nc.AdminName, nc.PasswordHash)
		if err != nil {
			return err
		}
		if _, err := tx.exec(ctx, `INSERT INTO memberships (company_id, user_id, role, created_at) VALUES ($1, $2, 'admin', $3)`, companyID, userID, ts(tx.Now)); err != nil {
			return err
		}
		if err := tx.seedCategories(ctx, companyID); err != nil {
			return err
		}
		return tx.audit(ctx, lintel.AuditEvent{CompanyID: companyID, UserID: userID, Actor: "lintel user create", Action: "company.create", ObjectType: "company", ObjectID: companyID})
	})
	return companyID, userID, err
}

// ensureUser returns the id of the user with email, creating a verified
// user with name and passwordHash when there is none.
func (tx *Tx) ensureUser(ctx context.Context, email, name, passwordHash string) (int64, error) {
	var id int64
	err := tx.get(ctx, `SELECT id FROM users WHERE email = $1`, []any{email}, &id)
	if err == nil || !lintel.IsNotFound(err) {
		return id, err
	}
	return tx.insert(ctx, `INSERT INTO users (email, name, password_hash, email_verified_at, created_at, updated_at) VALUES ($1, $2, $3, $4, $4, $4)`,
		email, name, passwordHash, ts(tx.Now))
}

// Company returns the staff member's own company.
func (db *DB) Company(ctx context.Context, s lintel.Staff) (lintel.Company, error) {
	var c lintel.Company
	err := db.view(ctx, func(tx *Tx) error {
		return tx.get(ctx, `SELECT id, name, currency, email, phone, address, created_at, admins_need_second_factor FROM companies WHERE id = $1`,
			[]any{s.CompanyID}, &c.ID, &c.Name, &c.Currency, &c.Email, &c.Phone, &c.Address, at(&c.CreatedAt), &c.AdminsNeedSecondFactor)
	})
	return c, err
}

// UpdateCompany saves the staff member's own company's name, currency and
// contact details. Only administrators may. The currency is only a label
// on stored amounts: changing it converts nothing.
func (db *DB) UpdateCompany(ctx context.Context, s lintel.Staff, c lintel.Company) error {
	if err := s.Require(lintel.PermManageStaff); err != nil {
		return err
	}
	c.Normalize()
	if err := c.Validate().Err(); err != nil {
		return err
	}
	return db.update(ctx, func(tx *Tx) error {
		var old lintel.Company
		if err := tx.get(ctx, `SELECT name, currency, email, phone, address, admins_need_second_factor FROM companies WHERE id = $1`,
			[]any{s.CompanyID}, &old.Name, &old.Currency, &old.Email, &old.Phone, &old.Address, &old.AdminsNeedSecondFactor); err != nil {
			return err
		}
		changed := companyChanges(old, c)
		if changed == "" {
			return nil
		}
		if old.Currency != c.Currency {
			// Amounts are stored in minor units of the currency: once money
			// is recorded, a new code would silently change what it means
			// (1250.00 USD is not 125000 JPY).
			var leases int
			if err := tx.get(ctx, `SELECT COUNT(*) FROM leases WHERE company_id = $1`, []any{s.CompanyID}, &leases); err != nil {
				return err
			}
			if leases > 0 {
				return lintel.FieldErrors{"currency": "The currency can only be changed before the first lease is recorded: amounts already stored are in " + old.Currency + "."}.Err()
			}
		}
		r, err := tx.exec(ctx, `UPDATE companies SET name = $1, currency = $2, email = $3, phone = $4, address = $5, admins_need_second_factor = $6 WHERE id = $7`,
			c.Name, c.Currency, c.Email, c.Phone, c.Address, c.AdminsNeedSecondFactor, s.CompanyID)
		if err := oneRow(r, err); err != nil {
			return err
		}
		return tx.staffAudit(ctx, s, "company.update", "company", s.CompanyID, changed)
	})
}

// companyChanges says which settings differ, for the audit log: "name,
// currency USD → EUR, phone". A currency change names both codes because
// it changes how every stored amount reads.
func companyChanges(old, c lintel.Company) string {
	var out []string
	if old.Name != c.Name {
		out = append(out, "name")
	}
	if old.Currency != c.Currency {
		out = append(out, "currency "+old.Currency+" → "+c.Currency)
	}
	if old.Email != c.Email {
		out = append(out, "e-mail")
	}
	if old.Phone != c.Phone {
		out = append(out, "phone")
	}
	if old.Address != c.Address {
		out = append(out, "address")
	}
	if old.AdminsNeedSecondFactor != c.AdminsNeedSecondFactor {
		if c.AdminsNeedSecondFactor {
			out = append(out, "second factor required for administrators")
		} else {
			out = append(out, "second factor no longer required for administrators")
		}
	}
	return strings.Join(out, ", ")
}

// UserByEmail finds a login by e-mail (lower-cased). For sign-in only.
func (db *DB) UserByEmail(ctx context.Context, email string) (lintel.User, error) {
	var u lintel.User
	err := db.view(ctx, func(tx *Tx) error {
		return tx.get(ctx, `SELECT id, email, name, phone, password_hash, email_verified_at, disabled_at, created_at,
				EXISTS (SELECT 1 FROM user_totp t WHERE t.user_id = users.id AND t.confirmed_at IS NOT NULL)
			FROM users WHERE email = $1`,
			[]any{strings.ToLower(strings.TrimSpace(email))},
			&u.ID, &u.Email, &u.Name, &u.Phone, &u.PasswordHash, at(&u.EmailVerified), at(&u.Disabled), at(&u.CreatedAt), &u.SecondFactor)
	})
	return u, err
}
