package lintel

import "strings"

// PreferredContact is how a resident prefers their manager to reach them.
type PreferredContact string

// The ways a resident may prefer to be reached (users.preferred_contact).
const (
	ContactByEmail PreferredContact = "email"
	ContactByPhone PreferredContact = "phone"
	ContactByText  PreferredContact = "text"
)

// PreferredContacts are the choices, in the order offered.
var PreferredContacts = []PreferredContact{ContactByEmail, ContactByPhone, ContactByText}

// Valid reports whether p is one of the choices.
func (p PreferredContact) Valid() bool {
	for _, c := range PreferredContacts {
		if c == p {
			return true
		}
	}
	return false
}

// Label is the English name of the choice, as the manager app shows it.
func (p PreferredContact) Label() string {
	switch p {
	case ContactByPhone:
		return "Phone call"
	case ContactByText:
		return "Text message"
	}
	return "E-mail"
}

// NotifyKind is a kind of e-mail a resident may turn off. Security e-mails
// (verification, password reset, e-mail change) and e-mails that ask the
// person to act (owner approvals) are not among them: they always go.
type NotifyKind string

// The kinds, one users.notify_<kind> column each.
const (
	NotifyMaintenance   NotifyKind = "maintenance"
	NotifyDocuments     NotifyKind = "documents"
	NotifyBilling       NotifyKind = "billing"
	NotifyAnnouncements NotifyKind = "announcements"
)

// ProfileLimits bound what a resident types about themselves.
const (
	MaxProfileName  = 200
	MaxProfilePhone = 40
)

// ResidentProfile is what a resident may change about themselves: it
// belongs to their login and follows them across companies.
type ResidentProfile struct {
	Name             string
	Phone            string
	PreferredContact PreferredContact
}

// Validate trims the fields and checks them, with messages per field.
func (p *ResidentProfile) Validate() error {
	fe := FieldErrors{}
	p.Name = strings.TrimSpace(p.Name)
	p.Phone = strings.TrimSpace(p.Phone)
	switch {
	case p.Name == "":
		fe.Add("name", "Enter your name, as you would like it shown to your property manager.")
	case len([]rune(p.Name)) > MaxProfileName:
		fe.Add("name", "Use at most 200 characters.")
	}
	if len([]rune(p.Phone)) > MaxProfilePhone {
		fe.Add("phone", "Use at most 40 characters.")
	} else if p.Phone != "" && !looksLikePhone(p.Phone) {
		fe.Add("phone", "Enter a phone number with digits, e.g. +1 555 0100.")
	}
	if !p.PreferredContact.Valid() {
		fe.Add("preferred_contact", "Choose how you would like to be contacted.")
	} else if (p.PreferredContact == ContactByPhone || p.PreferredContact == ContactByText) && p.Phone == "" {
		fe.Add("phone", "Enter a phone number, or choose e-mail as the way to reach you.")
	}
	return fe.Err()
}

// looksLikePhone accepts digits with the usual separators and at least
// four digits; anything more exact depends on the country.
func looksLikePhone(s string) bool {
	digits := 0
	for _, r := range s {
		switch {
		case r >= '0' && r <= '9':
			digits++
		case strings.ContainsRune("+-(). /", r):
		default:
			return false
		}
	}
	return digits >= 4
}
