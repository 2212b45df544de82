package lintel

import (
	"strings"
	"testing"
)

func TestContactValidate(t *testing.T) {
	ok := func(mod func(*Contact)) Contact {
		c := Contact{Name: "Maya Chen", IsTenant: true,
			Emails: []ContactEmail{{Email: "maya@example.com"}}, Phones: []ContactPhone{{Phone: "+1 (555) 010-0199"}}}
		mod(&c)
		c.Normalize()
		return c
	}
	cases := []struct {
		name  string
		c     Contact
		field string // "" when valid
		msg   string
	}{
		{"valid", ok(func(*Contact) {}), "", ""},
		{"no e-mail or phone is fine", ok(func(c *Contact) { c.Emails, c.Phones = nil, nil }), "", ""},
		{"no name", ok(func(c *Contact) { c.Name = "   " }), "name", "person's name"},
		{"no name, organisation", ok(func(c *Contact) { c.Name, c.IsOrganization = "", true }), "name", "organisation's name"},
		{"long name", ok(func(c *Contact) { c.Name = strings.Repeat("a", 201) }), "name", "at most 200"},
		{"no role", ok(func(c *Contact) { c.IsTenant = false }), "roles", "at least one"},
		{"bad e-mail", ok(func(c *Contact) { c.Emails[0].Email = "maya.example.com" }), "email_0", "like name@example.com"},
		{"display name", ok(func(c *Contact) { c.Emails[0].Email = "Maya <maya@example.com>" }), "email_0", "like name@example.com"},
		{"no dot in domain", ok(func(c *Contact) { c.Emails[0].Email = "maya@localhost" }), "email_0", "like name@example.com"},
		{"second e-mail bad", ok(func(c *Contact) { c.Emails = append(c.Emails, ContactEmail{Email: "x@"}) }), "email_1", "like name@example.com"},
		{"empty rows dropped before numbering", ok(func(c *Contact) {
			c.Emails = []ContactEmail{{Email: " "}, {Email: "bad"}}
		}), "email_0", "like name@example.com"},
		{"duplicate e-mail, any case", ok(func(c *Contact) { c.Emails = append(c.Emails, ContactEmail{Email: "MAYA@example.com"}) }), "email_1", "already listed"},
		{"too many e-mails", ok(func(c *Contact) {
			for i := range MaxContactEmails {
				c.Emails = append(c.Emails, ContactEmail{Email: strings.Repeat("m", i+1) + "@example.com"})
			}
		}), "email_0", "at most 10"},
		{"long e-mail label", ok(func(c *Contact) { c.Emails[0].Label = strings.Repeat("l", 101) }), "email_label_0", "at most 100"},
		{"phone with letters", ok(func(c *Contact) { c.Phones[0].Phone = "call me" }), "phone_0", "Use digits"},
		{"phone too short", ok(func(c *Contact) { c.Phones[0].Phone = "12" }), "phone_0", "at least 3 digits"},
		{"phone extension", ok(func(c *Contact) { c.Phones[0].Phone = "555 0100 ext. 12" }), "", ""},
		{"notes too long", ok(func(c *Contact) { c.Notes = strings.Repeat("n", 10001) }), "notes", "at most 10000"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			fe := tc.c.Validate()
			if tc.field == "" {
				if len(fe) > 0 {
					t.Fatalf("want valid, got %v", fe)
				}
				return
			}
			if !strings.Contains(fe[tc.field], tc.msg) {
				t.Fatalf("want %s: %q, got %v", tc.field, tc.msg, fe)
			}
		})
	}
}

func TestContactNormalize(t *testing.T) {
	c := Contact{Name: "  Flow  Right ", IsOperator: true, Trades: " plumbing,, Drains ,",
		Emails: []ContactEmail{{Email: " Jobs@FlowRight.Example ", Label: " Work  desk "}, {Email: "  "}},
		Phones: []ContactPhone{{Phone: ""}, {Phone: " 555   0100 "}}}
	c.Normalize()
	if c.Name != "Flow Right" || c.Trades != "plumbing, Drains" || len(c.Emails) != 1 || c.Emails[0].Email != "jobs@flowright.example" ||
		c.Emails[0].Label != "Work desk" || len(c.Phones) != 1 || c.Phones[0].Phone != "555 0100" {
		t.Errorf("normalized %+v", c)
	}
	// Operator fields are dropped for anyone else.
	d := Contact{Name: "T", IsTenant: true, Trades: "Plumbing", InsuranceExpiry: Date{2027, 1, 1}}
	d.Normalize()
	if d.Trades != "" || !d.InsuranceExpiry.IsZero() {
		t.Errorf("operator fields kept on a tenant: %+v", d)
	}
}

func TestLockVerifiedEmails(t *testing.T) {
	v := func(e string) ContactEmail { return ContactEmail{Email: e, Verified: true} }
	u := func(e string) ContactEmail { return ContactEmail{Email: e} }
	cases := []struct {
		name     string
		stored   []ContactEmail
		proposed []ContactEmail
		want     []string // the e-mails after locking
		errAt    string   // "" when nothing was locked
	}{
		{"kept", []ContactEmail{v("a@x.io"), u("b@x.io")}, []ContactEmail{u("a@x.io")}, []string{"a@x.io"}, ""},
		{"moved", []ContactEmail{v("a@x.io")}, []ContactEmail{u("c@x.io"), u("a@x.io")}, []string{"c@x.io", "a@x.io"}, ""},
		{"unverified may go", []ContactEmail{u("a@x.io")}, nil, nil, ""},
		{"typed over", []ContactEmail{v("a@x.io")}, []ContactEmail{u("c@x.io")}, []string{"a@x.io", "c@x.io"}, "email_0"},
		{"removed", []ContactEmail{u("b@x.io"), v("a@x.io")}, []ContactEmail{u("b@x.io")}, []string{"b@x.io", "a@x.io"}, "email_1"},
		{"all removed", []ContactEmail{u("b@x.io"), v("a@x.io")}, nil, []string{"a@x.io"}, "email_0"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, fe := LockVerifiedEmails(tc.stored, tc.proposed)
			var emails []string
			for _, e := range got {
				emails = append(emails, e.Email)
			}
			if strings.Join(emails, " ") != strings.Join(tc.want, " ") {
				t.Errorf("emails = %v, want %v", emails, tc.want)
			}
			switch {
			case tc.errAt == "" && len(fe) > 0:
				t.Errorf("unexpected messages %v", fe)
			case tc.errAt != "" && fe[tc.errAt] != ContactVerifiedEmailLocked:
				t.Errorf("want the lock message at %s, got %v", tc.errAt, fe)
			}
		})
	}
}

func TestContactPortalAndRoles(t *testing.T) {
	c := Contact{Name: "Maya", IsTenant: true, IsOperator: true, Emails: []ContactEmail{{Email: "m@x.io"}, {Email: "n@x.io", Verified: true}}}
	if !c.PortalVerified() || !c.CanInvite() {
		t.Error("a tenant with a verified address: want verified and invitable")
	}
	if r := c.Roles(); len(r) != 2 || r[0] != RoleTenant || r[1] != RoleOperator {
		t.Errorf("roles = %v", r)
	}
	op := Contact{Name: "Pipes", IsOperator: true, Emails: []ContactEmail{{Email: "p@x.io"}}}
	if op.CanInvite() {
		t.Error("an operator may not be invited to the portal")
	}
	noMail := Contact{Name: "Owner", IsOwner: true}
	if noMail.CanInvite() {
		t.Error("a contact without e-mail may not be invited")
	}
	if !(Contact{InsuranceExpiry: Date{2026, 1, 1}}).InsuranceExpired(Date{2026, 1, 2}) || (Contact{}).InsuranceExpired(Date{2026, 1, 2}) {
		t.Error("InsuranceExpired")
	}
}
