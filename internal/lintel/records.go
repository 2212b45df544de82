package lintel

import (
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// Company is a property-management company; everything else belongs to one.
type Company struct {
	ID        int64
	Name      string
	Currency  string // ISO 4217
	Email     string
	Phone     string
	Address   string
	CreatedAt time.Time
	// AdminsNeedSecondFactor makes every administrator set up a second
	// factor before they can use the manager app.
	AdminsNeedSecondFactor bool
}

// maxCompanyAddressLen bounds the free-text postal address: a few lines,
// not a letter.
const maxCompanyAddressLen = 500

// Normalize trims what was typed: single spaces in the name and phone, the
// currency code in capitals, the e-mail lower-case, and the address kept
// as lines (its line breaks are what makes it an address) with blank ones
// dropped. Validate expects normalized input.
func (c *Company) Normalize() {
	c.Name = strings.Join(strings.Fields(c.Name), " ")
	c.Currency = strings.ToUpper(strings.TrimSpace(c.Currency))
	c.Email = NormalizeEmail(c.Email)
	c.Phone = strings.Join(strings.Fields(c.Phone), " ")
	var lines []string
	for _, l := range strings.Split(strings.ReplaceAll(c.Address, "\r\n", "\n"), "\n") {
		if l = strings.Join(strings.Fields(l), " "); l != "" {
			lines = append(lines, l)
		}
	}
	c.Address = strings.Join(lines, "\n")
}

// Validate returns a message per field that cannot be stored as typed. The
// keys are the settings form's field names. E-mail, phone and address are
// optional: residents see whichever are filled in.
func (c Company) Validate() FieldErrors {
	fe := FieldErrors{}
	switch {
	case c.Name == "":
		fe.Add("name", "Enter the company's name, as residents and staff should see it.")
	case utf8.RuneCountInString(c.Name) > maxNameLen:
		fe.Add("name", fmt.Sprintf("Use at most %d characters.", maxNameLen))
	}
	if !ValidCurrency(c.Currency) {
		fe.Add("currency", "Enter a three-letter ISO 4217 currency code, e.g. USD, EUR or GBP.")
	}
	if c.Email != "" {
		if msg := CheckEmail(c.Email); msg != "" {
			fe.Add("email", msg)
		}
	}
	if c.Phone != "" {
		if msg := checkPhone(c.Phone); msg != "" {
			fe.Add("phone", msg)
		}
	}
	checkLen(fe, "address", c.Address, maxCompanyAddressLen)
	return fe
}

// User is a login: staff, resident, or both. Residents are linked to
// contacts by their verified e-mail, never by a stored foreign key.
type User struct {
	ID            int64
	Email         string
	Name          string
	Phone         string
	PasswordHash  string
	EmailVerified time.Time // zero until the person proved the address
	Disabled      time.Time
	CreatedAt     time.Time
	Language      string // the portal language the person chose; "" follows the browser
	SecondFactor  bool   // an authenticator app is on: sign-in asks for a code
}

// Membership is a user's role in a company.
type Membership struct {
	CompanyID   int64
	CompanyName string
	UserID      int64
	Role        Role
}

// AuditEvent records who did what to which object. Append-only.
type AuditEvent struct {
	ID         int64
	CompanyID  int64
	UserID     int64
	Actor      string
	Action     string
	ObjectType string
	ObjectID   int64
	Detail     string
	IP         string
	CreatedAt  time.Time
}

// Email is one outgoing message. DedupeKey names the event and recipient
// ("staff_invite:42:ada@example.com") so the same message is never queued
// twice.
type Email struct {
	CompanyID int64
	DedupeKey string
	Kind      string
	To        string
	ToName    string
	Subject   string
	Text      string
	HTML      string
	// AttachmentFileID is a stored file (files.id, same company) the
	// message carries as an attachment; 0 for none. The mail worker reads
	// it from the file store when it sends.
	AttachmentFileID int64
}
