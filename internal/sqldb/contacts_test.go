package sqldb_test

import (
	"context"
	"fmt"
	"slices"
	"testing"

	"lintel.dev/lintel/internal/lintel"
	"lintel.dev/lintel/internal/sqldb"
	"lintel.dev/lintel/internal/testkit"
)

// newTestContact is a valid tenant with one e-mail and one phone.
func newTestContact(name, email string) lintel.Contact {
	return lintel.Contact{
		Name: name, IsTenant: true,
		Emails: []lintel.ContactEmail{{Email: email, Label: "Home"}},
		Phones: []lintel.ContactPhone{{Phone: "+1 555 010 0199", Label: "Mobile"}},
	}
}

func TestContactCRUD(t *testing.T) {
	t.Parallel()
	testkit.ForEachDB(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		s := newCompanyStaff(t, db, "Harbour Lettings")
		c := lintel.Contact{
			Name: "  Ada   Lovelace ", IsTenant: true, IsOwner: true,
			Emails: []lintel.ContactEmail{{Email: " Ada@Example.COM ", Label: "Home"}, {Email: ""}, {Email: "ada.work@example.com", Label: "Work"}},
			Phones: []lintel.ContactPhone{{Phone: "555 0100"}, {Phone: "+44 20 7946 0000", Label: "Office"}},
			Trades: "Plumbing", Notes: "  Prefers e-mail.  ",
		}
		id := get(db.CreateContact(ctx, s, c)).ok(t)
		got := get(db.Contact(ctx, s, id)).ok(t)
		if got.Name != "Ada Lovelace" || !got.IsTenant || !got.IsOwner || got.IsOperator || got.Notes != "Prefers e-mail." {
			t.Errorf("stored %+v", got)
		}
		if got.Trades != "" {
			t.Errorf("trades kept for a non-operator: %q", got.Trades)
		}
		if len(got.Emails) != 2 || got.PrimaryEmail() != "ada@example.com" || got.Emails[1].Label != "Work" {
			t.Errorf("emails = %+v", got.Emails)
		}
		if len(got.Phones) != 2 || got.PrimaryPhone() != "555 0100" || got.Phones[1].Label != "Office" {
			t.Errorf("phones = %+v", got.Phones)
		}

		// Update: reorder e-mails, drop a phone, become an operator.
		got.Emails = []lintel.ContactEmail{got.Emails[1], got.Emails[0]}
		got.Phones = got.Phones[1:]
		got.IsOperator, got.Trades, got.InsuranceExpiry = true, "Electrical, , Heating", date(t, "2027-01-31")
		noErr(t, db.UpdateContact(ctx, s, got))
		got = get(db.Contact(ctx, s, id)).ok(t)
		if got.PrimaryEmail() != "ada.work@example.com" || len(got.Phones) != 1 || got.Trades != "Electrical, Heating" ||
			got.InsuranceExpiry != date(t, "2027-01-31") || !got.IsOperator {
			t.Errorf("after update %+v", got)
		}

		// Archive hides it from the list in use; unarchive brings it back.
		noErr(t, db.ArchiveContact(ctx, s, id))
		noErr(t, db.ArchiveContact(ctx, s, id)) // twice is fine
		if got := get(db.Contact(ctx, s, id)).ok(t); !got.Archived() {
			t.Error("not archived")
		}
		if l := get(db.ListContacts(ctx, s, sqldb.ContactFilter{})).ok(t); len(l.Contacts) != 0 {
			t.Errorf("archived contact listed: %+v", l.Contacts)
		}
		if l := get(db.ListContacts(ctx, s, sqldb.ContactFilter{Archived: true})).ok(t); len(l.Contacts) != 1 {
			t.Errorf("archived list = %+v", l.Contacts)
		}
		noErr(t, db.UnarchiveContact(ctx, s, id))
		if got := get(db.Contact(ctx, s, id)).ok(t); got.Archived() {
			t.Error("still archived")
		}
		if n := count(t, db, `SELECT COUNT(*) FROM audit_events WHERE object_type = 'contact' AND object_id = $1`, id); n != 4 {
			t.Errorf("audit events = %d, want 4 (create, update, archive, unarchive)", n)
		}
	})
}

func TestContactValidation(t *testing.T) {
	t.Parallel()
	testkit.ForEachDB(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		s := newCompanyStaff(t, db, "Harbour Lettings")
		_, err := db.CreateContact(ctx, s, lintel.Contact{Name: "", Emails: []lintel.ContactEmail{{Email: "nope"}}})
		wantField(t, "no name", err, "name", "name")
		wantField(t, "no role", err, "roles", "at least one")
		wantField(t, "bad e-mail", err, "email_0", "e-mail address")
		if n := count(t, db, `SELECT COUNT(*) FROM contacts`); n != 0 {
			t.Errorf("%d contacts stored from invalid input", n)
		}
		bookkeeper := s
		bookkeeper.Role = lintel.RoleBookkeeper
		_, err = db.CreateContact(ctx, bookkeeper, newTestContact("Bo", "bo@example.com"))
		wantKind(t, "bookkeeper creates", err, lintel.KindForbidden)
	})
}

func TestContactScope(t *testing.T) {
	t.Parallel()
	testkit.ForEachDB(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		a := newCompanyStaff(t, db, "Harbourview")
		b := newCompanyStaff(t, db, "Ridgeline")
		id := get(db.CreateContact(ctx, a, newTestContact("Maya Chen", "maya@example.com"))).ok(t)
		get(db.CreateContact(ctx, b, newTestContact("Maya Chen", "maya@example.net"))).ok(t)

		_, err := db.Contact(ctx, b, id)
		wantKind(t, "get", err, lintel.KindNotFound)
		c := newTestContact("Hijacked", "evil@example.com")
		c.ID = id
		wantKind(t, "update", db.UpdateContact(ctx, b, c), lintel.KindNotFound)
		wantKind(t, "archive", db.ArchiveContact(ctx, b, id), lintel.KindNotFound)
		wantKind(t, "unarchive", db.UnarchiveContact(ctx, b, id), lintel.KindNotFound)
		if got := get(db.Contact(ctx, a, id)).ok(t); got.Name != "Maya Chen" || got.Archived() {
			t.Errorf("the other company changed the contact: %+v", got)
		}
		// Lists and searches: each company sees its own Maya only.
		for _, st := range []lintel.Staff{a, b} {
			l := get(db.ListContacts(ctx, st, sqldb.ContactFilter{Search: "maya"})).ok(t)
			if len(l.Contacts) != 1 || l.Contacts[0].CompanyID != st.CompanyID {
				t.Errorf("company %d sees %+v", st.CompanyID, l.Contacts)
			}
		}
		if leases := get(db.ContactLeases(ctx, b, id)).ok(t); len(leases) != 0 {
			t.Errorf("leases of another company's contact: %+v", leases)
		}
	})
}

func TestContactVerifiedEmailLocked(t *testing.T) {
	t.Parallel()
	testkit.ForEachDB(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		s := newCompanyStaff(t, db, "Harbour Lettings")
		c := newTestContact("Maya Chen", "maya@example.com")
		c.Emails = append(c.Emails, lintel.ContactEmail{Email: "maya.old@example.com"})
		id := get(db.CreateContact(ctx, s, c)).ok(t)
		get(db.CreateUser(ctx, sqldb.NewUser{Email: "maya@example.com", Name: "Maya", Verified: true})).ok(t)
		// An unverified account does not lock its address.
		get(db.CreateUser(ctx, sqldb.NewUser{Email: "maya.old@example.com", Name: "Maya"})).ok(t)

		got := get(db.Contact(ctx, s, id)).ok(t)
		if !got.Emails[0].Verified || got.Emails[1].Verified || !got.PortalVerified() {
			t.Fatalf("verified flags = %+v", got.Emails)
		}

		cases := []struct {
			name   string
			emails []lintel.ContactEmail
			field  string
		}{
			{"changed", []lintel.ContactEmail{{Email: "maya.new@example.com"}, {Email: "maya.old@example.com"}}, "email_0"},
			{"removed", []lintel.ContactEmail{{Email: "maya.old@example.com"}}, "email_0"},
			{"all removed", nil, "email_0"},
		}
		for _, tc := range cases {
			edit := got
			edit.Name = "Changed " + tc.name
			edit.Emails = tc.emails
			err := db.UpdateContact(ctx, s, edit)
			wantKind(t, tc.name, err, lintel.KindInvalid)
			wantField(t, tc.name, err, tc.field, "verified by the resident")
		}
		after := get(db.Contact(ctx, s, id)).ok(t)
		if after.Name != "Maya Chen" || after.PrimaryEmail() != "maya@example.com" || len(after.Emails) != 2 {
			t.Errorf("a refused update changed the contact: %+v", after)
		}

		// Keeping it (moved, relabelled) while changing the others is fine.
		edit := got
		edit.Emails = []lintel.ContactEmail{{Email: "maya.work@example.com"}, {Email: "MAYA@example.com", Label: "Portal"}}
		noErr(t, db.UpdateContact(ctx, s, edit))
		after = get(db.Contact(ctx, s, id)).ok(t)
		if len(after.Emails) != 2 || after.Emails[1].Email != "maya@example.com" || !after.Emails[1].Verified || after.Emails[1].Label != "Portal" {
			t.Errorf("emails = %+v", after.Emails)
		}
	})
}

func TestListContactsFiltersAndPages(t *testing.T) {
	t.Parallel()
	testkit.ForEachDB(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		s := newCompanyStaff(t, db, "Harbour Lettings")
		var names []string
		for i := range 23 {
			c := lintel.Contact{Name: fmt.Sprintf("Person %02d", i), Emails: []lintel.ContactEmail{{Email: fmt.Sprintf("p%02d@example.com", i)}, {Email: fmt.Sprintf("p%02d.b@example.com", i)}}}
			switch i % 3 {
			case 0:
				c.IsTenant = true
			case 1:
				c.IsOwner = true
			default:
				c.IsOperator, c.Trades = true, "Plumbing"
			}
			if i%5 == 0 {
				c.Phones = []lintel.ContactPhone{{Phone: fmt.Sprintf("555 01%02d", i)}}
			}
			get(db.CreateContact(ctx, s, c)).ok(t)
			names = append(names, c.Name)
		}
		// Two contacts with the same name page by id.
		get(db.CreateContact(ctx, s, newTestContact("Person 05", "twin@example.com"))).ok(t)
		names = append(names, "Person 05")
		slices.Sort(names)

		// Walk forward in pages of 5, then back.
		var seen []string
		var pages []sqldb.ContactPage
		f := sqldb.ContactFilter{Limit: 5}
		for {
			p := get(db.ListContacts(ctx, s, f)).ok(t)
			pages = append(pages, p)
			for _, c := range p.Contacts {
				seen = append(seen, c.Name)
				if c.PrimaryEmail() == "" {
					t.Errorf("%s: no primary e-mail in the list", c.Name)
				}
			}
			if p.Next == nil {
				break
			}
			f.After = p.Next
		}
		if !slices.Equal(seen, names) {
			t.Fatalf("forward pages = %v\nwant %v", seen, names)
		}
		if len(pages) != 5 || pages[0].Prev != nil {
			t.Errorf("%d pages, first has prev %v", len(pages), pages[0].Prev)
		}
		back := get(db.ListContacts(ctx, s, sqldb.ContactFilter{Limit: 5, Before: pages[2].Prev})).ok(t)
		if len(back.Contacts) != 5 || back.Contacts[0].ID != pages[1].Contacts[0].ID || back.Next == nil {
			t.Errorf("back from page 3 = %+v, want page 2", back.Contacts)
		}

		cases := []struct {
			name string
			f    sqldb.ContactFilter
			want int
		}{
			{"tenants", sqldb.ContactFilter{Role: lintel.RoleTenant}, 9},
			{"owners", sqldb.ContactFilter{Role: lintel.RoleOwner}, 8},
			{"operators", sqldb.ContactFilter{Role: lintel.RoleOperator}, 7},
			{"name, any case", sqldb.ContactFilter{Search: "PERSON 1"}, 10},
			{"second e-mail", sqldb.ContactFilter{Search: "p07.b@"}, 1},
			{"e-mail, upper case", sqldb.ContactFilter{Search: "TWIN@"}, 1},
			{"wildcards are literal", sqldb.ContactFilter{Search: "%"}, 0},
			{"underscore is literal", sqldb.ContactFilter{Search: "p_1"}, 0},
			{"role and search", sqldb.ContactFilter{Role: lintel.RoleOwner, Search: "person 0"}, 3},
		}
		for _, tc := range cases {
			tc.f.Limit = 100
			if got := get(db.ListContacts(ctx, s, tc.f)).ok(t); len(got.Contacts) != tc.want {
				t.Errorf("%s: %d contacts, want %d", tc.name, len(got.Contacts), tc.want)
			}
		}
		p := get(db.ListContacts(ctx, s, sqldb.ContactFilter{Search: "Person 10"})).ok(t)
		if len(p.Contacts) != 1 || p.Contacts[0].PrimaryPhone() != "555 0110" || len(p.Contacts[0].Emails) != 2 {
			t.Errorf("details of Person 10 = %+v", p.Contacts)
		}
	})
}

func TestArchiveContactInUse(t *testing.T) {
	t.Parallel()
	testkit.ForEachDB(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		s := newCompanyStaff(t, db, "Harbour Lettings")
		prop := mustProperty(t, db, s, lintel.Property{Name: "Elm Court"})
		unit := mustUnit(t, db, s, lintel.Unit{PropertyID: prop, Label: "Flat 1"})
		tenant := get(db.CreateContact(ctx, s, newTestContact("Maya Chen", "maya@example.com"))).ok(t)
		lease := get(db.CreateLease(ctx, s, lintel.Lease{UnitID: unit, Start: date(t, "2026-01-01"), RentMinor: 100000, RentDueDay: 1}, []int64{tenant}, nil)).ok(t)
		err := db.ArchiveContact(ctx, s, tenant)
		wantKind(t, "archive a tenant with a current lease", err, lintel.KindConflict)

		owner := get(db.CreateContact(ctx, s, lintel.Contact{Name: "Olu Owner", IsOwner: true})).ok(t)
		get(db.CreateOwnership(ctx, s, lintel.Ownership{ContactID: owner, PropertyID: prop, ShareBP: 10000})).ok(t)
		wantKind(t, "archive a current owner", db.ArchiveContact(ctx, s, owner), lintel.KindConflict)
		owns := get(db.ContactOwnerships(ctx, s, owner)).ok(t)
		if len(owns) != 1 || owns[0].PropertyName != "Elm Court" || owns[0].ShareBP != 10000 {
			t.Errorf("ownerships = %+v", owns)
		}

		noErr(t, db.ArchiveLease(ctx, s, lease))
		noErr(t, db.ArchiveContact(ctx, s, tenant))
		leases := get(db.ContactLeases(ctx, s, tenant)).ok(t)
		if len(leases) != 1 || leases[0].ID != lease || leases[0].UnitLabel != "Flat 1" || len(leases[0].Tenants) != 1 {
			t.Errorf("contact leases = %+v", leases)
		}
	})
}
