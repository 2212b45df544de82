package lintel

import (
	"fmt"
	"net/mail"
	"strings"
	"time"
	"unicode/utf8"
)

// Contact is a person or organisation a company knows: a tenant, an owner,
// an operator (contractor), or several of these.
type Contact struct {
	ID              int64
	CompanyID       int64
	Name            string
	IsOrganization  bool
	IsTenant        bool
	IsOwner         bool
	IsOperator      bool
	Trades          string // operators: comma-separated, e.g. "Plumbing, Heating"
	InsuranceExpiry Date   // operators
	Notes           string
	Emails          []ContactEmail
	Phones          []ContactPhone
	PortalInvitedAt time.Time
	CreatedAt       time.Time
	UpdatedAt       time.Time
	ArchivedAt      time.Time
}

// ContactEmail is one of a contact's addresses. Verified is set when a
// portal user has proved this address: the manager may then no longer
// change or remove it (the resident's sign-in depends on it).
type ContactEmail struct {
	Email    string
	Label    string
	Verified bool
}

// ContactPhone is one of a contact's phone numbers.
type ContactPhone struct {
	Phone string
	Label string
}

// ContactRole is one of the parts a contact plays for a company.
type ContactRole string

const (
	RoleTenant   ContactRole = "tenant"
	RoleOwner    ContactRole = "owner"
	RoleOperator ContactRole = "operator"
)

// ContactRoles lists the roles in the order they are offered.
var ContactRoles = []ContactRole{RoleTenant, RoleOwner, RoleOperator}

// Valid reports whether r is a known contact role.
func (r ContactRole) Valid() bool {
	return r == RoleTenant || r == RoleOwner || r == RoleOperator
}

// Label is the role as shown to people.
func (r ContactRole) Label() string {
	switch r {
	case RoleTenant:
		return "Tenant"
	case RoleOwner:
		return "Owner"
	case RoleOperator:
		return "Operator"
	}
	return string(r)
}

// Plural is the role's plural for headings: "Tenants".
func (r ContactRole) Plural() string {
	if r.Valid() {
		return r.Label() + "s"
	}
	return "Contacts"
}

// Limits on contact fields.
const (
	MaxContactEmails = 10
	MaxContactPhones = 10
	maxPhoneLen      = 40
	maxTradesLen     = 300
)

// ContactVerifiedEmailLocked is the message shown when a manager tries to
// change or remove an address a resident has verified.
const ContactVerifiedEmailLocked = "This address is verified by the resident for their portal sign-in. Ask them to change it from their profile."

// Roles returns the contact's roles, in the order of ContactRoles.
func (c Contact) Roles() []ContactRole {
	var out []ContactRole
	if c.IsTenant {
		out = append(out, RoleTenant)
	}
	if c.IsOwner {
		out = append(out, RoleOwner)
	}
	if c.IsOperator {
		out = append(out, RoleOperator)
	}
	return out
}

// HasRole reports whether the contact plays role r.
func (c Contact) HasRole(r ContactRole) bool {
	switch r {
	case RoleTenant:
		return c.IsTenant
	case RoleOwner:
		return c.IsOwner
	case RoleOperator:
		return c.IsOperator
	}
	return false
}

// SetRole turns role r on or off.
func (c *Contact) SetRole(r ContactRole, on bool) {
	switch r {
	case RoleTenant:
		c.IsTenant = on
	case RoleOwner:
		c.IsOwner = on
	case RoleOperator:
		c.IsOperator = on
	}
}

// Archived reports whether the contact has been archived.
func (c Contact) Archived() bool { return !c.ArchivedAt.IsZero() }

// PortalVerified reports whether a portal user has proved one of the
// contact's addresses, i.e. the person has a working portal account.
func (c Contact) PortalVerified() bool {
	for _, e := range c.Emails {
		if e.Verified {
			return true
		}
	}
	return false
}

// CanInvite reports whether the contact may be invited to the portal: the
// portal is for tenants and owners, and the invitation goes by e-mail.
func (c Contact) CanInvite() bool {
	return (c.IsTenant || c.IsOwner) && len(c.Emails) > 0 && !c.Archived()
}

// PrimaryEmail returns the first e-mail, or "".
func (c Contact) PrimaryEmail() string {
	if len(c.Emails) == 0 {
		return ""
	}
	return c.Emails[0].Email
}

// PrimaryPhone returns the first phone number, or "".
func (c Contact) PrimaryPhone() string {
	if len(c.Phones) == 0 {
		return ""
	}
	return c.Phones[0].Phone
}

// TradeList splits Trades into its entries.
func (c Contact) TradeList() []string {
	var out []string
	for _, t := range strings.Split(c.Trades, ",") {
		if t = strings.TrimSpace(t); t != "" {
			out = append(out, t)
		}
	}
	return out
}

// InsuranceExpired reports whether an operator's insurance has lapsed by today.
func (c Contact) InsuranceExpired(today Date) bool {
	return !c.InsuranceExpiry.IsZero() && c.InsuranceExpiry.Before(today)
}

// NormalizeEmail is the stored form of an address: trimmed and lower-case.
func NormalizeEmail(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

// CheckEmail returns a message when s (normalized) is not a plain e-mail
// address, or "" when it is. Display names ("Ada <ada@x>") are refused:
// the field holds the address only.
func CheckEmail(s string) string {
	a, err := mail.ParseAddress(s)
	if err != nil || a.Address != s || a.Name != "" {
		return "Enter an e-mail address like name@example.com."
	}
	local, domain, _ := strings.Cut(s, "@")
	if local == "" || !strings.Contains(domain, ".") || strings.HasPrefix(domain, ".") || strings.HasSuffix(domain, ".") {
		return "Enter an e-mail address like name@example.com."
	}
	if len(s) > 254 {
		return "This address is too long: at most 254 characters."
	}
	return ""
}

// checkPhone returns a message when s does not look like a phone number.
func checkPhone(s string) string {
	digits := 0
	for _, r := range s {
		switch {
		case r >= '0' && r <= '9':
			digits++
		case strings.ContainsRune(" +-().,/#*xextEXT", r):
		default:
			return "Use digits, spaces and + - ( ) only, e.g. +1 555 010 0199."
		}
	}
	if digits < 3 {
		return "Enter a phone number with at least 3 digits, e.g. +1 555 010 0199."
	}
	if utf8.RuneCountInString(s) > maxPhoneLen {
		return fmt.Sprintf("Use at most %d characters.", maxPhoneLen)
	}
	return ""
}

// Normalize trims what was typed, lower-cases e-mails, drops empty e-mail
// and phone rows and tidies the trade list. Validate expects normalized
// input. Field names in messages refer to positions after Normalize, so
// the form re-renders the normalized contact.
func (c *Contact) Normalize() {
	c.Name = strings.Join(strings.Fields(c.Name), " ")
	c.Notes = strings.TrimSpace(c.Notes)
	emails := c.Emails[:0:0]
	for _, e := range c.Emails {
		e.Email = NormalizeEmail(e.Email)
		e.Label = strings.Join(strings.Fields(e.Label), " ")
		if e.Email != "" {
			emails = append(emails, e)
		}
	}
	c.Emails = emails
	phones := c.Phones[:0:0]
	for _, p := range c.Phones {
		p.Phone = strings.Join(strings.Fields(p.Phone), " ")
		p.Label = strings.Join(strings.Fields(p.Label), " ")
		if p.Phone != "" {
			phones = append(phones, p)
		}
	}
	c.Phones = phones
	c.Trades = strings.Join(c.TradeList(), ", ")
	if !c.IsOperator {
		// Trades and insurance describe contractors; for anyone else they
		// would be stale data nobody sees.
		c.Trades = ""
		c.InsuranceExpiry = Date{}
	}
}

// Validate returns a message per form field that cannot be stored as typed.
// E-mail fields are "email_N" and "email_label_N", phones "phone_N" and
// "phone_label_N", N counting from 0.
func (c Contact) Validate() FieldErrors {
	fe := FieldErrors{}
	switch {
	case c.Name == "":
		if c.IsOrganization {
			fe.Add("name", "Enter the organisation's name.")
		} else {
			fe.Add("name", "Enter the person's name.")
		}
	case utf8.RuneCountInString(c.Name) > maxNameLen:
		fe.Add("name", fmt.Sprintf("Use at most %d characters.", maxNameLen))
	}
	if !c.IsTenant && !c.IsOwner && !c.IsOperator {
		fe.Add("roles", "Choose at least one: tenant, owner or operator.")
	}
	if len(c.Emails) > MaxContactEmails {
		fe.Add("email_0", fmt.Sprintf("Keep at most %d e-mail addresses.", MaxContactEmails))
	}
	seen := map[string]bool{}
	for i, e := range c.Emails {
		f := fmt.Sprintf("email_%d", i)
		if msg := CheckEmail(e.Email); msg != "" {
			fe.Add(f, msg)
		} else if seen[e.Email] {
			fe.Add(f, "This address is already listed above.")
		}
		seen[e.Email] = true
		checkLen(fe, fmt.Sprintf("email_label_%d", i), e.Label, maxShortLen)
	}
	if len(c.Phones) > MaxContactPhones {
		fe.Add("phone_0", fmt.Sprintf("Keep at most %d phone numbers.", MaxContactPhones))
	}
	for i, p := range c.Phones {
		if msg := checkPhone(p.Phone); msg != "" {
			fe.Add(fmt.Sprintf("phone_%d", i), msg)
		}
		checkLen(fe, fmt.Sprintf("phone_label_%d", i), p.Label, maxShortLen)
	}
	checkLen(fe, "trades", c.Trades, maxTradesLen)
	checkLen(fe, "notes", c.Notes, maxNotesLen)
	return fe
}

// LockVerifiedEmails checks a contact's new addresses against its stored
// ones: every verified stored address must still be there. It returns the
// new list with each missing verified address put back at its old position
// (so a refused form shows it again, and the update keeps it) and a message
// for each, keyed by that position's e-mail field.
func LockVerifiedEmails(stored, proposed []ContactEmail) ([]ContactEmail, FieldErrors) {
	fe := FieldErrors{}
	out := append([]ContactEmail(nil), proposed...)
	for i, old := range stored {
		if !old.Verified {
			continue
		}
		found := false
		for j := range out {
			if out[j].Email == old.Email {
				out[j].Verified = true
				found = true
			}
		}
		if found {
			continue
		}
		// Put it back where it was; what was typed in its place moves down
		// rather than being lost.
		pos := min(i, len(out))
		out = append(out[:pos], append([]ContactEmail{old}, out[pos:]...)...)
		fe.Add(fmt.Sprintf("email_%d", pos), ContactVerifiedEmailLocked)
	}
	return out, fe
}
